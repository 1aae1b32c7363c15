#!/usr/bin/env bash
# Makes (once) the fleet test's Debian 12 root: the minimal root of debian-root.sh plus what a
# managed host has before Ansible first reaches it (openssh-server, python3 with python3-apt
# for Ansible's apt module) and systemd-networkd for a static address on the test's bridge.
# apt runs in the root on the host's network (no boot, no firewall change), with the shared
# package cache of the other container tests.
#   fleet-root.sh CACHE_DIR   prints the path of the tarball
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${1:?usage: fleet-root.sh CACHE_DIR}
tarball=$cache/bookworm-fleet.tar
if [[ -s $tarball ]]; then
    echo "$tarball"
    exit 0
fi
base=$("$here/debian-root.sh" "$cache")
work=$(mktemp -d "$cache/fleet-root.XXXXXX")
trap 'rm -rf --one-file-system "$work"' EXIT
mkdir "$work/root" && tar -C "$work/root" -xf "$base"
mkdir -p "$cache/archives" "$cache/lists"
in_root() {
    systemd-nspawn --quiet --register=no --keep-unit --resolv-conf=copy-host \
        --bind="$cache/archives:/var/cache/apt/archives" --bind="$cache/lists:/var/lib/apt/lists" \
        -D "$work/root" env DEBIAN_FRONTEND=noninteractive "$@" >>"$work/log" 2>&1 ||
        { tail -20 "$work/log" >&2; exit 1; }
}
in_root apt-get update -qq
in_root apt-get install -y -qq openssh-server python3 python3-apt
in_root systemctl enable systemd-networkd
# Each container gets its own host keys and machine id at first boot.
rm -f "$work/root/etc/ssh/ssh_host_"* "$work/root/etc/machine-id"
tar -C "$work/root" -cf "$tarball.tmp" .
mv "$tarball.tmp" "$tarball"
echo "$tarball"
