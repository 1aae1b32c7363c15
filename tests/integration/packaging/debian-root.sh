#!/usr/bin/env bash
# Makes (once) a tarball of a minimal Debian 12 root that boots under systemd-nspawn, cached
# so that every test run starts from a clean copy.
#   debian-root.sh CACHE_DIR   prints the path of the tarball
set -euo pipefail
cache=${1:?usage: debian-root.sh CACHE_DIR}
tarball=$cache/bookworm-minbase.tar
mirror=${JITD_DEBIAN_MIRROR:-http://deb.debian.org/debian}
if [[ -s $tarball ]]; then
    echo "$tarball"
    exit 0
fi
mkdir -p "$cache"
work=$(mktemp -d "$cache/debootstrap.XXXXXX")
trap 'rm -rf --one-file-system "$work"' EXIT
debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,nftables \
    bookworm "$work/root" "$mirror" >"$work/log" 2>&1 || {
    tail -20 "$work/log" >&2
    exit 1
}
# Nothing in the container needs a login prompt, and apt must not try recommends.
rm -f "$work/root/etc/systemd/system/getty.target.wants/"* 2>/dev/null || true
printf 'APT::Install-Recommends "false";\n' >"$work/root/etc/apt/apt.conf.d/90jitd-test"
printf 'jitd-test\n' >"$work/root/etc/hostname"
tar -C "$work/root" -cf "$tarball.tmp" .
mv "$tarball.tmp" "$tarball"
echo "$tarball"
