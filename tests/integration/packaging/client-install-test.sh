#!/usr/bin/env bash
# Installs the jit-request package ALONE into a fresh, booted minimal Debian 12 (systemd-nspawn,
# own network namespace), as on a laptop that asks other hosts for access: the client runs
# (--version, --help), its man page and completion are there, and nothing of the daemon came
# with it: no jitd package or binary, no jitd.service, no users or groups jitd/jit, no nftables
# table jitd, no /etc/jitd or /var/lib/jitd. Purging it leaves nothing of it.
#   client-install-test.sh BUILD_DIR        (root; exit 77 when not root or tools are missing)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: client-install-test.sh BUILD_DIR}" && pwd)

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
scratch=$(mktemp -d "$build/packaging-client.XXXXXX")
cleanup() {
    container_poweroff
    umount /run/systemd/nspawn 2>/dev/null || true
    umount "$scratch/root" 2>/dev/null || true
    rm -rf --one-file-system "$scratch"
}
trap cleanup EXIT
trap 'exit 143' TERM INT # a ctest timeout still powers the container off

step() { printf '== %s (%ds)\n' "$*" $((SECONDS - started)); }
fail() {
    echo "FAIL: $*" >&2
    in_container journalctl -b --no-pager -n 40 >&2 2>/dev/null || true
    exit 1
}
has() { [[ $1 == *"$2"* ]]; }

step "package"
cpack -G DEB --config "$build/CPackConfig.cmake" -B "$scratch/pkg" >"$scratch/cpack.log" 2>&1 ||
    { cat "$scratch/cpack.log" >&2; exit 1; }
client_deb=$(ls "$scratch"/pkg/jit-request_*.deb)

step "root"
root_unpack "$scratch/root" "$("$here/debian-root.sh" "$cache")"
cp "$client_deb" "$scratch/root/root/"
client_in=/root/$(basename "$client_deb")
# The root is fresh: neither package was ever in it.
[[ -e $scratch/root/var/lib/dpkg/info/jitd.list ]] && fail "the cached root already holds jitd"

step "fetch dependencies"
root_fetch "$scratch/root" "$scratch/fetch.log" "$cache" "$client_in"

step "boot"
container_boot "$scratch/root" "$scratch/console.log" "${apt_cache[@]}" ||
    { tail -30 "$scratch/console.log" >&2; exit 1; }

step "install jit-request alone"
in_container apt-get install -y -qq "$client_in" >"$scratch/install.log" 2>&1 ||
    { cat "$scratch/install.log" >&2; fail "apt-get install $client_in"; }
[[ $(in_container dpkg-query -W -f='${Status}' jit-request) == "install ok installed" ]] ||
    fail "jit-request is not installed"
in_container dpkg-query -W jitd >/dev/null 2>&1 && fail "installing jit-request brought the jitd package"

step "the client runs"
version=$(in_container jit-request --version) || fail "jit-request --version failed"
has "$version" "$(dpkg-deb -f "$client_deb" Version | sed 's/-[^-]*$//')" ||
    fail "jit-request --version says '$version', the package is $(dpkg-deb -f "$client_deb" Version)"
help=$(in_container jit-request --help) || fail "jit-request --help failed"
has "$help" "Usage: jit-request" || fail "jit-request --help: $help"
help=$(in_container jit-request open --help) || fail "jit-request open --help failed"
has "$help" "--host" || fail "jit-request open --help does not mention --host: $help"
page=/usr/share/man/man1/jit-request.1.gz
in_container test -s "$page" || fail "no man page $page"
has "$(in_container zcat "$page")" '.TH "jit-request" "1"' || fail "$page is not jit-request's man page"
in_container test -s /usr/share/bash-completion/completions/jit-request || fail "no bash completion"
in_container test -s /usr/share/doc/jit-request/copyright || fail "no copyright file"

step "nothing of the daemon"
in_container test -e /usr/sbin/jitd && fail "/usr/sbin/jitd was installed"
for unit in /usr/lib/systemd/system/jitd.service /etc/systemd/system/multi-user.target.wants/jitd.service; do
    in_container test -e "$unit" && fail "$unit exists"
done
state=$(in_container systemctl show -P LoadState jitd.service)
[[ $state == not-found ]] || fail "systemd knows jitd.service ($state)"
for account in "passwd jitd" "group jitd" "group jit"; do
    # shellcheck disable=SC2086 # two words: the database and the name
    in_container getent $account >/dev/null && fail "getent $account: it was created"
done
tables=$(in_container nft list tables) || fail "nft list tables"
has "$tables" jitd && fail "an nftables table jitd exists: $tables"
for dir in /etc/jitd /var/lib/jitd /run/jitd; do
    in_container test -e "$dir" && fail "$dir exists"
done
# Without a daemon here, a local request fails with a message, not a crash.
rc=0
out=$(in_container jit-request open 22 --for 1m --from 198.51.100.9 2>&1) || rc=$?
((rc != 0 && rc < 128)) || fail "a local request without jitd exited $rc: $out"
[[ -n $out ]] || fail "a local request without jitd failed silently"
echo "local request without a daemon (exit $rc): $out"

step "purge"
in_container apt-get purge -y -qq jit-request >"$scratch/purge.log" 2>&1 ||
    { cat "$scratch/purge.log" >&2; fail "apt-get purge jit-request"; }
in_container test -e /usr/bin/jit-request && fail "/usr/bin/jit-request left after purge"
in_container test -e /usr/share/doc/jit-request && fail "/usr/share/doc/jit-request left after purge"

step "done: client install test passed in $((SECONDS - started))s"
