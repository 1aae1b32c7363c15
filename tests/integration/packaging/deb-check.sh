#!/usr/bin/env bash
# Builds the three .debs from BUILD_DIR with cpack and checks them: each one's file list
# (expected-files-PACKAGE.txt plus the Debian changelog), that jitd no longer holds the client
# and depends on jit-request of the same version, jitd's conffile and maintainer scripts, that
# jit-request has neither, the metadata, dependencies from dpkg-shlibdeps, and that lintian
# reports no error for either; jitd-cockpit: its files, architecture all, its dependencies.
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
debs=("$scratch"/*.deb)
[[ ${#debs[@]} -eq 3 ]] || fail "cpack made ${#debs[@]} .debs, not 3: ${debs[*]##*/}"
deb=$(ls "$scratch"/jitd_*_*.deb)
client=$(ls "$scratch"/jit-request_*_*.deb)
echo "packages: $(basename "$deb") $(basename "$client")"

field() { dpkg-deb -f "$1" "$2"; }
# Checks common to both: the files (directories aside: in a .deb every package lists the
# directories it puts files in), root owns everything, nothing outside the usual hierarchy,
# metadata, shlibdeps, real man pages, no lintian error.
common_checks() {
    local pkg=$1 name=$2
    { cat "$here/expected-files-$name.txt"; echo "/usr/share/doc/$name/changelog.Debian.gz"; } |
        sort >"$scratch/want-$name"
    dpkg-deb -c "$pkg" | awk '$1 !~ /^d/ {print substr($6, 2)}' | sort >"$scratch/have-$name"
    diff -u "$scratch/want-$name" "$scratch/have-$name" ||
        fail "$name: file list differs (- expected, + in package)"
    dpkg-deb -c "$pkg" | awk '$2 != "root/root" {print; bad=1} END {exit bad}' ||
        fail "$name: files not owned by root"
    dpkg-deb -c "$pkg" | awk '{print substr($6, 2)}' |
        grep -Ev '^/$|^/etc/(jitd/.*)?$|^/usr/((bin|sbin|share|lib)/.*)?$|^/var/(lib/(jitd/)?)?$' &&
        fail "$name: unexpected path"
    [[ $(field "$pkg" Package) == "$name" ]] || fail "Package: $(field "$pkg" Package), not $name"
    [[ $(field "$pkg" Maintainer) == "jitd developers <jitd@example.org>" ]] ||
        fail "$name: Maintainer: $(field "$pkg" Maintainer)"
    [[ $(field "$pkg" Version) == *-1 ]] ||
        fail "$name: Version $(field "$pkg" Version) is not a non-native 1st revision"
    [[ -n $(field "$pkg" Homepage) && -n $(field "$pkg" Section) ]] || fail "$name: Homepage/Section missing"
    [[ $(field "$pkg" Depends) == *libc6* ]] || fail "$name: Depends lacks shlibdeps: $(field "$pkg" Depends)"
    dpkg-deb -x "$pkg" "$scratch/root-$name"
    for page in "$scratch/root-$name"/usr/share/man/man*/*.gz; do
        [[ $(zcat "$page") == *$'\n'.TH\ * ]] || fail "$page is not a man page"
    done
    lintian --fail-on none "$pkg" | tee "$scratch/lintian-$name.txt"
    grep -q '^E:' "$scratch/lintian-$name.txt" && fail "lintian reports errors for $name"
    echo "$name: $(grep -c '^W:' "$scratch/lintian-$name.txt" || true) lintian warnings, no errors"
}
common_checks "$deb" jitd
common_checks "$client" jit-request

# jitd: the daemon's package, with the client through its dependency on the same version.
version=$(field "$deb" Version)
[[ $(field "$client" Version) == "$version" ]] || fail "versions differ: $version, $(field "$client" Version)"
[[ ", $(field "$deb" Depends), " == *", jit-request (= $version), "* ]] ||
    fail "jitd does not depend on jit-request (= $version): $(field "$deb" Depends)"
dpkg-deb -c "$deb" | grep -q ' \./usr/bin/jit-request$' && fail "jitd still holds /usr/bin/jit-request"
# The policy is not world-readable (the postinst gives it group jitd).
mode=$(dpkg-deb -c "$deb" | awk '$6 == "./etc/jitd/policy.yaml" {print $1}')
[[ $mode == -rw-r----- ]] || fail "policy.yaml has mode $mode in the package, not -rw-r-----"
dpkg-deb -e "$deb" "$scratch/control"
[[ $(cat "$scratch/control/conffiles") == /etc/jitd/policy.yaml ]] || fail "conffiles"
for script in postinst prerm postrm; do
    [[ -x $scratch/control/$script ]] || fail "$script missing"
    sh -n "$scratch/control/$script" || fail "$script: syntax"
done
[[ $(field "$deb" Description) == "just-in-time access to management ports with nftables"$'\n'* ]] ||
    fail "jitd: Description: $(field "$deb" Description)"
grep -q systemd-sysusers "$scratch/control/postinst" || fail "postinst does not create the users"
grep -q 'chmod 0640 "$policy"' "$scratch/control/postinst" || fail "postinst does not set the policy's mode"
grep -q 'nft delete table inet jitd' "$scratch/control/postrm" || fail "postrm does not delete the table"
grep -qF 'stay CLOSED to new connections' "$scratch/control/postrm" || fail "postrm does not warn on remove"
dpkg-deb -c "$deb" | grep -q ' \./var/lib/jitd/$' || fail "the package does not own /var/lib/jitd"

# jit-request: the client alone. No maintainer script (no user, group or service is made), no
# conffile, nothing of the daemon; ssh-keygen (for --key with a passphrase) is recommended.
dpkg-deb -e "$client" "$scratch/control-client"
extra=$(cd "$scratch/control-client" && ls | grep -vx -e control -e md5sums || true)
[[ -z $extra ]] || fail "jit-request has control files beyond control and md5sums: $extra"
[[ $(field "$client" Depends) != *jitd* ]] || fail "jit-request depends on jitd: $(field "$client" Depends)"
[[ $(field "$client" Recommends) == *openssh-client* ]] ||
    fail "jit-request does not recommend openssh-client: $(field "$client" Recommends)"
[[ $(field "$client" Description) == "client for jitd: "* ]] || fail "jit-request: Description"
[[ $(field "$client" Description) != "$(field "$deb" Description)" ]] || fail "both packages have one description"

# jitd-cockpit: plain files for Cockpit, no binary (architecture all, no shlibdeps), no
# maintainer script; it needs cockpit-bridge and the client of the same version.
page=$(ls "$scratch"/jitd-cockpit_*_all.deb) || fail "no architecture-all jitd-cockpit .deb"
{ cat "$here/expected-files-jitd-cockpit.txt"; echo /usr/share/doc/jitd-cockpit/changelog.Debian.gz; } |
    sort >"$scratch/want-cockpit"
dpkg-deb -c "$page" | awk '$1 !~ /^d/ {print substr($6, 2)}' | sort >"$scratch/have-cockpit"
diff -u "$scratch/want-cockpit" "$scratch/have-cockpit" || fail "jitd-cockpit: file list differs"
dpkg-deb -c "$page" | awk '$2 != "root/root" {print; bad=1} END {exit bad}' || fail "jitd-cockpit: owners"
[[ $(field "$page" Version) == "$version" ]] || fail "jitd-cockpit: Version $(field "$page" Version)"
[[ ", $(field "$page" Depends), " == *", cockpit-bridge, "* && ", $(field "$page" Depends), " == *", jit-request (= $version), "* ]] ||
    fail "jitd-cockpit Depends: $(field "$page" Depends)"
dpkg-deb -e "$page" "$scratch/control-page"
extra=$(cd "$scratch/control-page" && ls | grep -vx -e control -e md5sums || true)
[[ -z $extra ]] || fail "jitd-cockpit has control files beyond control and md5sums: $extra"
dpkg-deb -x "$page" "$scratch/root-page"
python3 -m json.tool "$scratch/root-page/usr/share/cockpit/jitd/manifest.json" >/dev/null ||
    fail "jitd-cockpit: manifest.json is not JSON"
lintian --fail-on none "$page" | tee "$scratch/lintian-page.txt"
grep -q '^E:' "$scratch/lintian-page.txt" && fail "lintian reports errors for jitd-cockpit"
echo "deb-check: ok"
