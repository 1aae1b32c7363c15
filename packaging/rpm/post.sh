# jitd %post ($1: 1 = install, 2 = upgrade). Never interactive; without a running systemd
# (image build, chroot) the unit is only enabled. Upgrades restart the service in %postun.
if [ -x /usr/bin/systemd-sysusers ]; then
    systemd-sysusers jitd.conf || :
fi
if [ -x /usr/bin/journalctl ]; then
    journalctl --update-catalog >/dev/null 2>&1 || :
fi
if [ "$1" -eq 1 ]; then
    systemctl enable jitd.service >/dev/null 2>&1 || :
    if [ -d /run/systemd/system ]; then
        systemctl daemon-reload >/dev/null 2>&1 || :
        systemctl start jitd.service >/dev/null 2>&1 || :
    fi
fi
