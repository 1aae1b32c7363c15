#!/usr/bin/env bash
# Checks systemd/jitd.service offline: `systemd-analyze verify` is silent, the sandbox rates an
# exposure of 2.0 or lower (`systemd-analyze security --offline`), and the boot ordering.
#   unit-check.sh UNIT_DIR BUILD_DIR
set -euo pipefail
units=$(cd "${1:?usage: unit-check.sh UNIT_DIR BUILD_DIR}" && pwd)
build=$(cd "${2:?usage: unit-check.sh UNIT_DIR BUILD_DIR}" && pwd)
command -v systemd-analyze >/dev/null || { echo "systemd-analyze missing"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

# verify resolves ExecStart= and ExecReload= in a root that holds what the package installs and
# what it depends on (procps' /bin/kill).
root=$(mktemp -d "$build/packaging-unit.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/usr/lib/systemd/system" "$root/usr/sbin" "$root/bin"
cp "$units/jitd.service" "$root/usr/lib/systemd/system/"
printf '#!/bin/sh\n' >"$root/usr/sbin/jitd"
printf '#!/bin/sh\n' >"$root/bin/kill"
chmod 755 "$root/usr/sbin/jitd" "$root/bin/kill"
out=$(systemd-analyze verify --man=no --root="$root" "$root/usr/lib/systemd/system/jitd.service" 2>&1) ||
    fail "verify failed: $out"
[[ -z $out ]] || fail "verify printed: $out"

report=$(systemd-analyze security --offline=true --no-pager "$units/jitd.service" 2>&1 || true)
score=$(sed -n 's/.*Overall exposure level for jitd.service: \([0-9.]*\).*/\1/p' <<<"$report")
[[ -n $score ]] || fail "no exposure level in: $report"
echo "exposure level: $score"
awk -v s="$score" 'BEGIN {exit !(s <= 2.0)}' || fail "exposure $score is above 2.0"
# Capabilities: CAP_NET_ADMIN and nothing else; never a private network (it must see nftables).
grep -qx 'CapabilityBoundingSet=CAP_NET_ADMIN' "$units/jitd.service" || fail "capabilities"
grep -q '^PrivateNetwork=' "$units/jitd.service" && fail "PrivateNetwork hides the host's nftables"
# Fail closed at boot: after nftables.service's `flush ruleset`, still before the network; the
# state directory holds the last good policy for a lock-down.
grep -q '^After=.*nftables\.service' "$units/jitd.service" || fail "not After=nftables.service"
grep -q '^Before=.*network-pre\.target' "$units/jitd.service" || fail "not Before=network-pre.target"
grep -qx 'StateDirectory=jitd' "$units/jitd.service" || fail "no StateDirectory=jitd"
echo "unit-check: ok"
