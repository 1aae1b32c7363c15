#!/usr/bin/env bash
# Builds the three .rpms from BUILD_DIR with cpack and checks them: each one's file list, that
# neither claims a system directory, that jitd Requires jit-request of the same version and no
# longer holds the client, jitd's %config(noreplace) policy and scriptlets, that jit-request
# has no scriptlet at all, the metadata, requirements found by rpm's dependency generator, and
# that rpmlint reports no error but the (expected) missing signature.
#   rpm-check.sh BUILD_DIR        (exit 77 when cpack, rpmbuild or rpmlint is missing)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: rpm-check.sh BUILD_DIR}" && pwd)
for tool in cpack rpmbuild rpm rpmlint; do
    command -v "$tool" >/dev/null || { echo "$tool missing (scripts/deps installs it)"; exit 77; }
done
scratch=$(mktemp -d "$build/packaging-rpm.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cpack -G RPM --config "$build/CPackConfig.cmake" -B "$scratch" >"$scratch/cpack.log" 2>&1 ||
    { cat "$scratch/cpack.log" >&2; exit 1; }
rpms=("$scratch"/*.rpm)
[[ ${#rpms[@]} -eq 3 ]] || fail "cpack made ${#rpms[@]} .rpms, not 3: ${rpms[*]##*/}"
rpm=$(ls "$scratch"/jitd-[0-9]*.rpm)
client=$(ls "$scratch"/jit-request-[0-9]*.rpm)
echo "packages: $(basename "$rpm") $(basename "$client")"
q() { rpm -qp "$@" "$rpm" 2>/dev/null; }
qc() { rpm -qp "$@" "$client" 2>/dev/null; }

# Files, and the only directories owned: our own.
files_and_dirs() {
    local name=$1 want_dirs=$2
    shift 2
    sort "$here/expected-files-$name.txt" >"$scratch/want-$name"
    "$@" --qf '[%{FILEMODES:perms} %{FILENAMES}\n]' >"$scratch/modes-$name"
    awk '$1 !~ /^d/ {print $2}' "$scratch/modes-$name" | sort >"$scratch/have-$name"
    diff -u "$scratch/want-$name" "$scratch/have-$name" ||
        fail "$name: file list differs (- expected, + in package)"
    local dirs
    dirs=$(awk '$1 ~ /^d/ {print $2}' "$scratch/modes-$name" | sort | tr '\n' ' ')
    [[ $dirs == "$want_dirs" ]] || fail "$name owns directories: $dirs"
}
files_and_dirs jitd "/etc/jitd /usr/share/doc/jitd /var/lib/jitd " q
files_and_dirs jit-request "/usr/share/doc/jit-request " qc
page=$(ls "$scratch"/jitd-cockpit-[0-9]*.noarch.rpm) || fail "no noarch jitd-cockpit .rpm"
qp() { rpm -qp "$@" "$page" 2>/dev/null; }
files_and_dirs jitd-cockpit "/usr/share/cockpit/jitd /usr/share/doc/jitd-cockpit " qp

[[ $(q -c) == /etc/jitd/policy.yaml ]] || fail "config files: $(q -c)"
flags=$'\n'$(q --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]')$'\n'
[[ $flags == *$'\n'"cn /etc/jitd/policy.yaml"$'\n'* ]] ||
    fail "policy.yaml is not %config(noreplace)"
# The policy is 0640 root:jitd (%pre creates the group before rpm writes the file).
owner=$(q --qf '[%{FILEMODES:perms} %{FILEUSERNAME}:%{FILEGROUPNAME} %{FILENAMES}\n]' |
    awk '$3 == "/etc/jitd/policy.yaml" {print $1, $2}')
[[ $owner == "-rw-r----- root:jitd" ]] || fail "policy.yaml is '$owner', not '-rw-r----- root:jitd'"

scripts=$(q --scripts)
for want in 'preinstall scriptlet' 'u jitd - "jitd daemon"' 'postinstall scriptlet' 'systemd-sysusers jitd.conf' 'systemctl enable jitd.service' \
    'preuninstall scriptlet' 'disable --now jitd.service' 'postuninstall scriptlet' \
    'try-restart jitd.service' 'stay CLOSED to new connections' 'the ports are OPEN'; do
    grep -qF -- "$want" <<<"$scripts" || fail "scriptlets lack '$want'"
done
# Erase keeps the table, as the deb's remove does: the note says how to delete it, no command does.
grep -E '^\s*nft ' <<<"$scripts" && fail "a scriptlet deletes the table (the deb's remove keeps it)"

# jitd Requires the client of exactly its version-release.
version=$(q --qf '%{VERSION}-%{RELEASE}')
[[ $(qc --qf '%{VERSION}-%{RELEASE}') == "$version" ]] || fail "versions differ"
grep -qx "jit-request = $version" <<<"$(q -R)" || fail "jitd does not Require jit-request = $version: $(q -R)"
[[ $(q -l) != *"/usr/bin/jit-request"* ]] || fail "jitd still holds /usr/bin/jit-request"
# The client: no scriptlet (no user, group or service), no config file, nothing of jitd.
[[ -z $(qc --scripts) ]] || fail "jit-request has scriptlets: $(qc --scripts)"
[[ -z $(qc -c) ]] || fail "jit-request has config files: $(qc -c)"
# (systemd and /bin/sh are what scriptlets require; libsystemd is the journal reader's library.)
grep -Ex '(jitd|systemd|/bin/sh)( .*)?' <<<"$(qc -R)" && fail "jit-request requires the daemon side"
[[ $(qc --qf '[%{SUGGESTNAME}\n]') == *openssh-clients* ]] || fail "jit-request does not suggest openssh-clients"
[[ $(qc --qf '%{SUMMARY}') == *lient* && $(q --qf '%{SUMMARY}') == *nftables* ]] || fail "Summaries"

for pkg in q qc; do
    [[ $($pkg --qf '%{LICENSE}') == MIT ]] || fail "License"
    [[ $($pkg --qf '%{PACKAGER}') == "jitd developers <jitd@example.org>" ]] || fail "Packager"
    [[ $($pkg --qf '%{URL}') == https://* ]] || fail "URL"
    [[ $($pkg -R) == *libc.so.6* ]] || fail "autoreq found no libc: $($pkg -R)"
done
[[ $(q -R) == *libsystemd.so.0* ]] || fail "autoreq did not find libsystemd: $(q -R)"

# rpmlint: the packages are not signed; nothing else may be an error (packaging/rpm/jitd.rpmlintrc
# filters the policy's deliberate mode 0640).
# jitd-cockpit: no scriptlet, the bridge and the client of the same version.
[[ -z $(qp --scripts) ]] || fail "jitd-cockpit has scriptlets"
grep -qx cockpit-bridge <<<"$(qp -R)" || fail "jitd-cockpit does not Require cockpit-bridge: $(qp -R)"
grep -qx "jit-request = $version" <<<"$(qp -R)" || fail "jitd-cockpit does not Require jit-request = $version"
[[ $(qp --qf '%{VERSION}-%{RELEASE}') == "$version" ]] || fail "jitd-cockpit: version"
rpmlint -r "$here/../../../packaging/rpm/jitd.rpmlintrc" "$rpm" "$client" "$page" | tee "$scratch/rpmlint.txt" || true
errors=$(grep ': E: ' "$scratch/rpmlint.txt" | grep -v ': E: no-signature' || true)
[[ -z $errors ]] || fail "rpmlint errors: $errors"
echo "rpm-check: ok"
