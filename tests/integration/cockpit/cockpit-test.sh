#!/usr/bin/env bash
# The Cockpit page in a real browser against a real Cockpit: installs cockpit-ws, cockpit-system
# and the three .debs (jitd, jit-request, jitd-cockpit) into a booted Debian 12 container
# (systemd-nspawn, private network), makes a requester and a viewer with passwords, and drives
# Debian's headless Chromium with Selenium (browser_test.py) from inside the container's network
# namespace only: the browser reaches Cockpit on the container's own 127.0.0.1:9090, never the
# host's network. Screenshots, the console log and the CSV download are kept in
# BUILD_DIR/cockpit-artifacts/.
#   cockpit-test.sh BUILD_DIR   (root; exit 77 when not root or the browser or tools are missing)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
packaging=$here/../packaging
build=$(cd "${1:?usage: cockpit-test.sh BUILD_DIR}" && pwd)

[[ $EUID -eq 0 ]] || { echo "needs root"; exit 77; }
for tool in debootstrap systemd-nspawn nsenter unshare cpack /usr/bin/chromium /usr/bin/chromedriver; do
    command -v "$tool" >/dev/null || { echo "$tool missing (scripts/deps installs it)"; exit 77; }
done
/usr/bin/python3 -c 'import selenium' 2>/dev/null || { echo "python3-selenium missing (scripts/deps installs it)"; exit 77; }
if [[ -z ${JITD_PKG_TEST_UNSHARED:-} ]]; then
    JITD_PKG_TEST_UNSHARED=1 exec unshare -m --propagation private "$0" "$@"
fi

source "$packaging/container.sh"
source "$packaging/test-root.sh"
started=$SECONDS
cache=$build/packaging-cache
artifacts=$build/cockpit-artifacts
rm -rf "$artifacts"
mkdir -p "$artifacts"
scratch=$(mktemp -d "$build/cockpit-test.XXXXXX")
cleanup() {
    container_poweroff
    umount /run/systemd/nspawn 2>/dev/null || true
    umount "$scratch/root" 2>/dev/null || true
    rm -rf --one-file-system "$scratch"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

step() { printf '== %s (%ds)\n' "$*" $((SECONDS - started)); }
fail() {
    echo "FAIL: $*" >&2
    in_container journalctl -b --no-pager -n 40 >&2 2>/dev/null || true
    exit 1
}
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
debs=()
for name in jitd jit-request jitd-cockpit; do
    deb=$(ls "$scratch"/pkg/"$name"_*.deb)
    debs+=("/root/$(basename "$deb")")
done

step "root"
root_unpack "$scratch/root" "$("$packaging/debian-root.sh" "$cache")"
cp "$scratch"/pkg/*.deb "$scratch/root/root/"
# cockpit-system is Cockpit's shell (the login lands there); the page itself needs the bridge.
cockpit=(cockpit-ws cockpit-system cockpit-bridge)

step "fetch dependencies"
root_fetch "$scratch/root" "$scratch/fetch.log" "$cache" "${debs[@]}" "${cockpit[@]}"

step "boot"
container_boot "$scratch/root" "$scratch/console.log" "${apt_cache[@]}" || { tail -30 "$scratch/console.log" >&2; exit 1; }

step "install"
in_container apt-get install -y -qq "${debs[@]}" "${cockpit[@]}" >"$scratch/install.log" 2>&1 ||
    { cat "$scratch/install.log" >&2; fail "apt-get install"; }
in_container test -f /usr/share/cockpit/jitd/manifest.json || fail "the page is not installed"
# Plain HTTP on the container's loopback: no certificate for the browser to refuse.
in_container sh -c 'mkdir -p /etc/cockpit && printf "[WebService]\nAllowUnencrypted = true\n" >/etc/cockpit/cockpit.conf'
# Roles as shipped: group jit requests, group adm views (and reads the journal, as adm does on
# Debian: a requester also in adm reads the audit trail on the Activity view). Port 5985 needs
# one approval, by the viewer.
in_container sh -c 'cat >/etc/jitd/policy.yaml' <<'POLICY'
ports:
  - {port: 22, protocol: tcp, max_duration: 1h, allowed_sources: any}
  - {port: 3389, protocol: tcp, max_duration: 3h, allowed_sources: [10.0.0.0/8, 2001:db8::/32]}
  - port: 5985
    protocol: tcp
    max_duration: 1h
    approval: {approvers: {users: [victor]}, required: 1, wait: 15m}
access:
  admins: {users: [root]}
  requesters: {groups: [jit]}
  viewers: {groups: [adm]}
POLICY
password=jitd-browser-test
in_container useradd --create-home --groups jit,adm alice
in_container useradd --create-home --groups adm victor
in_container sh -c "printf 'alice:$password\nvictor:$password\n' | chpasswd"
in_container systemctl start cockpit.socket || fail "cockpit.socket"
poll_until 30 in_container systemctl is-active --quiet jitd || fail "jitd.service is not active"
in_container systemctl restart jitd || fail "jitd does not start with the test's policy"
poll_until 30 in_container test -S /run/jitd/jitd.sock || fail "no jitd socket"

step "browser"
rc=0
nsenter -t "$container_init_pid" -n env JITD_CONTAINER_PID="$container_init_pid" JITD_REQUESTER=alice \
    JITD_VIEWER=victor JITD_PASSWORD="$password" HOME="$scratch" \
    /usr/bin/python3 "$here/browser_test.py" http://127.0.0.1:9090 "$artifacts" || rc=$?
in_container journalctl -b --no-pager -u cockpit.service -u jitd.service >"$artifacts/journal.txt" 2>&1 || true
[[ $rc -eq 0 ]] || fail "browser test (exit $rc); screenshots and console log in $artifacts"

step "done: cockpit test passed in $((SECONDS - started))s; artifacts in $artifacts"
