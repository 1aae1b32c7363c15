# jitd %postun ($1: 0 = erase, 1 = upgrade). Upgrade: restart with the new binary. Erase: delete
# the table inet jitd (jitd is gone by now, so with nft(8) when present). rpm itself removes
# /etc/jitd/policy.yaml, keeping an edited one as policy.yaml.rpmsave.
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || :
fi
if [ "$1" -ge 1 ]; then
    if [ -d /run/systemd/system ]; then
        systemctl try-restart jitd.service >/dev/null 2>&1 || :
    fi
else
    if command -v nft >/dev/null 2>&1; then
        nft delete table inet jitd >/dev/null 2>&1 || :
    fi
fi
