#!/usr/bin/env bash
# Builds the .deb from BUILD_DIR with cpack and checks it: the file list (expected-files.txt
# plus the Debian changelog), the conffile, the maintainer scripts, the metadata, dependencies
# from dpkg-shlibdeps, and that lintian reports no error.
#   deb-check.sh BUILD_DIR        (exit 77 when cpack, dpkg-deb or lintian is missing)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: deb-check.sh BUILD_DIR}" && pwd)
for tool in cpack dpkg-deb lintian; do
    command -v "$tool" >/dev/null || { echo "$tool missing (scripts/deps installs it)"; exit 77; }
done
scratch=$(mktemp -d "$build/packaging-deb.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cpack -G DEB --config "$build/CPackConfig.cmake" -B "$scratch" >"$scratch/cpack.log" 2>&1 ||
    { cat "$scratch/cpack.log" >&2; exit 1; }
deb=$(ls "$scratch"/jitd_*_*.deb)
echo "package: $(basename "$deb")"

# Files (directories aside: in a .deb every package lists the directories it puts files in).
{ cat "$here/expected-files.txt"; echo /usr/share/doc/jitd/changelog.Debian.gz; } | sort >"$scratch/want"
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print substr($6, 2)}' | sort >"$scratch/have"
diff -u "$scratch/want" "$scratch/have" || fail "file list differs (- expected, + in package)"
# Nothing outside the usual hierarchy, and root owns everything.
dpkg-deb -c "$deb" | awk '$2 != "root/root" {print; bad=1} END {exit bad}' || fail "files not owned by root"
# The policy is not world-readable (the postinst gives it group jitd).
mode=$(dpkg-deb -c "$deb" | awk '$6 == "./etc/jitd/policy.yaml" {print $1}')
[[ $mode == -rw-r----- ]] || fail "policy.yaml has mode $mode in the package, not -rw-r-----"
dpkg-deb -c "$deb" | awk '{print substr($6, 2)}' |
    grep -Ev '^/$|^/etc/(jitd/.*)?$|^/usr/((bin|sbin|share|lib)/.*)?$|^/var/(lib/(jitd/)?)?$' &&
    fail "unexpected path"

# Control data.
dpkg-deb -e "$deb" "$scratch/control"
[[ $(cat "$scratch/control/conffiles") == /etc/jitd/policy.yaml ]] || fail "conffiles"
for script in postinst prerm postrm; do
    [[ -x $scratch/control/$script ]] || fail "$script missing"
    sh -n "$scratch/control/$script" || fail "$script: syntax"
done
field() { dpkg-deb -f "$deb" "$1"; }
[[ $(field Maintainer) == "jitd developers <jitd@example.org>" ]] || fail "Maintainer: $(field Maintainer)"
[[ $(field Version) == *-1 ]] || fail "Version $(field Version) is not a non-native 1st revision"
[[ -n $(field Homepage) && -n $(field Section) ]] || fail "Homepage/Section missing"
[[ $(field Depends) == *libc6* ]] || fail "Depends lacks shlibdeps: $(field Depends)"
[[ $(field Description) == *nftables* ]] || fail "Description"
grep -q systemd-sysusers "$scratch/control/postinst" || fail "postinst does not create the users"
grep -q 'chmod 0640 "$policy"' "$scratch/control/postinst" || fail "postinst does not set the policy's mode"
grep -q 'nft delete table inet jitd' "$scratch/control/postrm" || fail "postrm does not delete the table"
grep -qF 'stay CLOSED to new connections' "$scratch/control/postrm" || fail "postrm does not warn on remove"
dpkg-deb -c "$deb" | grep -q ' \./var/lib/jitd/$' || fail "the package does not own /var/lib/jitd"

# Man pages are real roff, gzipped.
dpkg-deb -x "$deb" "$scratch/root"
for page in "$scratch"/root/usr/share/man/man*/*.gz; do
    [[ $(zcat "$page") == *$'\n'.TH\ * ]] || fail "$page is not a man page"
done

# lintian: no errors (warnings are printed for the record).
lintian --fail-on none "$deb" | tee "$scratch/lintian.txt"
grep -q '^E:' "$scratch/lintian.txt" && fail "lintian reports errors"
echo "deb-check: ok ($(grep -c '^W:' "$scratch/lintian.txt" || true) lintian warnings, no errors)"
