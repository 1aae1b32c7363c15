# jitd %postun ($1: 0 = erase, 1 = upgrade). Upgrade: restart with the new binary. Erase: as the
# deb's remove, table inet jitd stays (the protected ports stay closed to new connections with no
# daemon to grant access, until the next reboot, after which they are open) and a note on the
# terminal says so; the saved policy in /var/lib/jitd goes. rpm itself removes
# /etc/jitd/policy.yaml, keeping an edited one as policy.yaml.rpmsave.
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || :
fi
if [ "$1" -ge 1 ]; then
    if [ -d /run/systemd/system ]; then
        systemctl try-restart jitd.service >/dev/null 2>&1 || :
    fi
else
    rm -rf /var/lib/jitd
    cat >&2 <<'NOTE'
jitd: removed, but nftables table inet jitd stays: the ports it protected (by default SSH 22,
jitd: RDP 3389, WinRM 5985/5986) stay CLOSED to new connections and no daemon can grant access.
jitd: Sessions already open (like this one) continue. This lasts until the next reboot; after it
jitd: the ports are OPEN (unprotected). To open them now: nft delete table inet jitd
NOTE
fi
