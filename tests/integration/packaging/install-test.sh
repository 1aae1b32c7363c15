#!/usr/bin/env bash
# Installs the two .debs (jitd and the client jit-request it depends on) into a booted minimal
# Debian 12 (systemd-nspawn, own network namespace) and checks what a user sees: the client
# comes from its own package; the service runs and is enabled, members of `jit` get a grant and
# others are refused, the grant and a reload are journaled, an upgrade restarts the daemon, it
# starts at boot, a boot with a broken policy locks the ports down, remove stops and disables it
# and says the ports stay closed, purge removes the table, the unit, /etc/jitd and /var/lib/jitd
# (the client stays);
# and that installing without a running systemd (chroot, image build) enables it and succeeds.
#   install-test.sh BUILD_DIR        (root; exit 77 when not root or tools are missing)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: install-test.sh BUILD_DIR}" && pwd)

[[ $EUID -eq 0 ]] || { echo "needs root"; exit 77; }
for tool in debootstrap systemd-nspawn nsenter unshare cpack dpkg-deb; do
    command -v "$tool" >/dev/null || { echo "$tool missing (scripts/deps installs it)"; exit 77; }
done
# Everything below runs in a private mount namespace: nspawn's mounts go away with it.
if [[ -z ${JITD_PKG_TEST_UNSHARED:-} ]]; then
    JITD_PKG_TEST_UNSHARED=1 exec unshare -m --propagation private "$0" "$@"
fi

source "$here/container.sh"
source "$here/test-root.sh"
started=$SECONDS
cache=$build/packaging-cache
scratch=$(mktemp -d "$build/packaging-install.XXXXXX")
cleanup() {
    container_poweroff
    umount /run/systemd/nspawn 2>/dev/null || true
    umount "$scratch/root" 2>/dev/null || true
    rm -rf --one-file-system "$scratch"
}
trap cleanup EXIT
trap 'exit 143' TERM INT  # a ctest timeout still powers the container off

step() { printf '== %s (%ds)\n' "$*" $((SECONDS - started)); }
fail() {
    echo "FAIL: $*" >&2
    in_container journalctl -b --no-pager -n 60 >&2 2>/dev/null || true
    exit 1
}
# poll_until SECONDS CMD...: retries CMD until it succeeds; polling, not sleeping blindly.
poll_until() {
    local deadline=$((SECONDS + $1)); shift
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || return 1
        sleep 0.2
    done
}

step "package"
cpack -G DEB --config "$build/CPackConfig.cmake" -B "$scratch/pkg" >"$scratch/cpack.log" 2>&1 ||
    { cat "$scratch/cpack.log" >&2; exit 1; }
deb=$(ls "$scratch"/pkg/jitd_*.deb)
client_deb=$(ls "$scratch"/pkg/jit-request_*.deb)

step "root"
root_unpack "$scratch/root" "$("$here/debian-root.sh" "$cache")"
cp "$deb" "$client_deb" "$scratch/root/root/"
deb_in=/root/$(basename "$deb")
client_in=/root/$(basename "$client_deb")

step "fetch dependencies"
root_fetch "$scratch/root" "$scratch/fetch.log" "$cache" "$deb_in" "$client_in"

step "boot"
container_boot "$scratch/root" "$scratch/console.log" "${apt_cache[@]}" || { tail -30 "$scratch/console.log" >&2; exit 1; }

step "install"
# Both packages, as `apt-get install ./jitd_*.deb ./jit-request_*.deb` in the README: jitd
# depends on the client of its version, which holds /usr/bin/jit-request.
in_container apt-get install -y -qq "$deb_in" "$client_in" >"$scratch/install.log" 2>&1 ||
    { cat "$scratch/install.log" >&2; fail "apt-get install"; }
owner=$(in_container dpkg-query -S /usr/bin/jit-request) || fail "no package holds /usr/bin/jit-request"
[[ $owner == "jit-request: /usr/bin/jit-request" ]] || fail "/usr/bin/jit-request comes from: $owner"
depends=$(in_container dpkg-query -W -f='${Depends}' jitd)
[[ $depends == *"jit-request (= $(dpkg-deb -f "$deb" Version))"* ]] || fail "jitd Depends: $depends"
in_container systemctl is-enabled --quiet jitd || fail "jitd.service is not enabled"
poll_until 30 in_container systemctl is-active --quiet jitd || fail "jitd.service is not active"
in_container getent group jit >/dev/null || fail "group jit was not created"
in_container getent passwd jitd >/dev/null || fail "user jitd was not created"
verify=$(in_container systemd-analyze verify --man=no jitd.service 2>&1) || fail "verify: $verify"
policy_mode() { in_container stat -c '%a %U:%G' /etc/jitd/policy.yaml; }
[[ $(policy_mode) == "640 root:jitd" ]] || fail "policy.yaml is $(policy_mode), not 640 root:jitd"
[[ -z $verify ]] || fail "systemd-analyze verify jitd.service: $verify"

step "requests"
in_container useradd --create-home --groups jit alice
in_container useradd --create-home bob
as() {  # as USER CMD...: run as USER with its groups, as a login would
    local user=$1; shift
    in_container setpriv --reuid="$user" --regid="$user" --init-groups "$@"
}
rc=0
out=$(as alice jit-request open 22 --for 1m --from 198.51.100.9 2>&1) || rc=$?
[[ $rc -eq 0 ]] || fail "alice (in jit) was refused (exit $rc): $out"
echo "alice: $out"
rc=0
out=$(as bob jit-request open 22 --for 1m --from 198.51.100.10 2>&1) || rc=$?
[[ $rc -eq 77 ]] || fail "bob (not in jit) got exit $rc, expected 77: $out"
rc=0
out=$(as bob jitd --check 2>&1) || rc=$?
[[ $rc -ne 0 && $out == *"cannot read /etc/jitd/policy.yaml"* ]] ||
    fail "jitd --check as bob (exit $rc) does not say it cannot read the policy: $out"
# Output is captured before it is searched: `cmd | grep -q` fails under pipefail when grep
# exits early and cmd dies of SIGPIPE.
has() { [[ $1 == *"$2"* ]]; }
# jitd's own entries, by what journald itself records of the sender (never by -t jitd, which
# any local account can claim).
jitd_uid=$(in_container id -u jitd)
jitd_journal() { in_container journalctl _SYSTEMD_UNIT=jitd.service _UID="$jitd_uid" "$@" -o export; }
granted() { has "$(jitd_journal JITD_EVENT=grant JITD_USER=alice)" JITD_GRANT_ID=; }
poll_until 20 granted || fail "no JITD_EVENT=grant for alice in the journal"
denied() { has "$(jitd_journal JITD_EVENT=deny JITD_USER=bob)" JITD_ERROR=not_authorized; }
poll_until 20 denied || fail "no JITD_EVENT=deny (not_authorized) for bob in the journal"
has "$(in_container nft list table inet jitd)" 198.51.100.9 || fail "grant not in the kernel"
# The catalog was installed and indexed (systemd's dpkg trigger runs journalctl --update-catalog).
has "$(in_container journalctl --list-catalog)" jitd || fail "journal catalog of jitd not indexed"

step "reload"
in_container systemctl reload jitd || fail "systemctl reload jitd"
reloaded() { has "$(jitd_journal JITD_EVENT=reload)" JITD_EVENT=reload; }
poll_until 20 reloaded || fail "no JITD_EVENT=reload in the journal"
in_container systemctl is-active --quiet jitd || fail "jitd not active after reload"

step "upgrade"
pid_before=$(in_container systemctl show -P MainPID jitd)
in_container apt-get install -y -qq --reinstall "$deb_in" >"$scratch/upgrade.log" 2>&1 ||
    { cat "$scratch/upgrade.log" >&2; fail "reinstall"; }
restarted() {
    local pid
    pid=$(in_container systemctl show -P MainPID jitd)
    [[ $pid != 0 && $pid != "$pid_before" ]] && in_container systemctl is-active --quiet jitd
}
poll_until 30 restarted || fail "jitd was not restarted by the upgrade"
[[ $(policy_mode) == "640 root:jitd" ]] || fail "after the upgrade policy.yaml is $(policy_mode)"
has "$(in_container nft list table inet jitd)" 198.51.100.9 || fail "grant lost over a restart"

step "reboot"
# Enabled means started at boot: the ruleset is back before anyone logs in (the table went with
# the container's network namespace).
container_poweroff
container_boot "$scratch/root" "$scratch/console2.log" "${apt_cache[@]}" ||
    { tail -30 "$scratch/console2.log" >&2; exit 1; }
poll_until 30 in_container systemctl is-active --quiet jitd || fail "jitd not started at boot"
has "$(in_container nft list table inet jitd)" 'dport' || fail "no ruleset after boot"
in_container test -s /var/lib/jitd/last-good-policy.yaml || fail "no last good policy kept"

step "reboot with a broken policy"
# Fail closed: the policy breaks, the host reboots (the table goes), jitd cannot start; it locks
# the ports down with the last policy that loaded and says so in the journal.
in_container cp /etc/jitd/policy.yaml /root/policy.yaml.good
in_container sh -c 'echo "portz: typo" >>/etc/jitd/policy.yaml'
container_poweroff
container_boot "$scratch/root" "$scratch/console3.log" "${apt_cache[@]}" ||
    {
        tail -30 "$scratch/console3.log" >&2
        in_container systemctl list-jobs >&2 || true
        exit 1
    }
locked() { has "$(jitd_journal -b JITD_EVENT=lockdown)" JITD_EVENT=lockdown; }
poll_until 30 locked || fail "no JITD_EVENT=lockdown after a boot with a broken policy"
has "$(in_container nft list table inet jitd)" 'dport' || fail "no lock-down table"
in_container systemctl is-active --quiet jitd && fail "jitd runs with a broken policy"
in_container cp /root/policy.yaml.good /etc/jitd/policy.yaml
in_container systemctl reset-failed jitd || true
in_container systemctl restart jitd || fail "jitd does not start once the policy is fixed"
poll_until 30 in_container systemctl is-active --quiet jitd || fail "jitd not active after the fix"

step "remove"
in_container apt-get remove -y -qq jitd >"$scratch/remove.log" 2>&1 ||
    { cat "$scratch/remove.log" >&2; fail "apt-get remove"; }
# The admin may be logged in over a protected port: the remove says what is left.
has "$(cat "$scratch/remove.log")" "stay CLOSED to new connections" ||
    { cat "$scratch/remove.log" >&2; fail "remove does not say the ports stay closed"; }
has "$(cat "$scratch/remove.log")" "nft delete table inet jitd" || fail "remove does not say how to open them"
in_container systemctl is-active --quiet jitd && fail "jitd still running after remove"
in_container pgrep -x jitd >/dev/null && fail "a jitd process is left after remove"
links=$(in_container find /etc/systemd/system -name 'jitd*')
[[ -z $links ]] || fail "symlinks left after remove: $links"
in_container nft list table inet jitd >/dev/null 2>&1 || fail "remove must keep the table (fail closed)"
in_container test -f /etc/jitd/policy.yaml || fail "remove must keep the conffile"
client_installed() { [[ $(in_container dpkg-query -W -f='${Status}' jit-request) == "install ok installed" ]]; }
client_installed || fail "removing jitd removed the client"

step "purge"
in_container apt-get purge -y -qq jitd >"$scratch/purge.log" 2>&1 ||
    { cat "$scratch/purge.log" >&2; fail "apt-get purge"; }
has "$(in_container nft list tables)" 'inet jitd' && fail "table inet jitd left after purge"
in_container test -e /etc/jitd && fail "/etc/jitd left after purge"
in_container test -e /var/lib/jitd && fail "/var/lib/jitd left after purge"
in_container test -e /usr/lib/systemd/system/jitd.service && fail "unit left after purge"
in_container test -e /var/lib/systemd/deb-systemd-helper-enabled/jitd.service.dsh-also &&
    fail "deb-systemd-helper state left after purge"
state=$(in_container systemctl show -P LoadState jitd)
[[ $state == not-found ]] || fail "systemd still knows jitd.service ($state)"
client_installed || fail "purging jitd removed the client"
in_container jit-request --version >/dev/null || fail "jit-request does not run after jitd's purge"

step "install without a running systemd"
# As in a chroot or an image build: postinst must enable the unit, start nothing, and succeed.
# Own network namespace here too, so that the purge's `nft delete table` cannot reach the host.
container_poweroff
offline() {
    systemd-nspawn --quiet --register=no --keep-unit --private-network "${apt_cache[@]}" \
        -D "$scratch/root" env DEBIAN_FRONTEND=noninteractive "$@" >"$scratch/offline.log" 2>&1 ||
        { cat "$scratch/offline.log" >&2; fail "$*"; }
}
wants=$scratch/root/etc/systemd/system/multi-user.target.wants/jitd.service
offline apt-get install -y -qq "$deb_in" "$client_in"
[[ -L $wants ]] || fail "not enabled when installed without systemd running"
offline apt-get purge -y -qq jitd
[[ -e $wants || -L $wants ]] && fail "enablement left after purge"

step "done: install test passed in $((SECONDS - started))s"
