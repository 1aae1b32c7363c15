# jitd %preun ($1: 0 = erase, 1 = upgrade). On erase stop and disable the service; the
# nftables table stays (see %postun), so the ports are never open in between.
if [ "$1" -eq 0 ]; then
    if [ -d /run/systemd/system ]; then
        systemctl --no-reload disable --now jitd.service >/dev/null 2>&1 || :
    else
        systemctl --no-reload disable jitd.service >/dev/null 2>&1 || :
    fi
fi
