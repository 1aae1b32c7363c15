#!/usr/bin/env bash
# Builds the .rpm from BUILD_DIR with cpack and checks it: the file list, that it claims no
# system directory, the %config(noreplace) policy, the scriptlets, the metadata, requirements
# found by rpm's dependency generator, and that rpmlint reports no error but the (expected)
# missing signature.
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
rpm=$(ls "$scratch"/jitd-*.rpm)
echo "package: $(basename "$rpm")"
q() { rpm -qp "$@" "$rpm" 2>/dev/null; }

# Files, and the only directories owned: our own.
sort "$here/expected-files.txt" >"$scratch/want"
q --qf '[%{FILEMODES:perms} %{FILENAMES}\n]' >"$scratch/modes"
awk '$1 !~ /^d/ {print $2}' "$scratch/modes" | sort >"$scratch/have"
diff -u "$scratch/want" "$scratch/have" || fail "file list differs (- expected, + in package)"
dirs=$(awk '$1 ~ /^d/ {print $2}' "$scratch/modes" | sort | tr '\n' ' ')
[[ $dirs == "/etc/jitd /usr/share/doc/jitd /var/lib/jitd " ]] || fail "owns directories: $dirs"

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

[[ $(q --qf '%{LICENSE}') == MIT ]] || fail "License"
[[ $(q --qf '%{PACKAGER}') == "jitd developers <jitd@example.org>" ]] || fail "Packager"
[[ $(q --qf '%{URL}') == https://* ]] || fail "URL"
[[ $(q -R) == *libsystemd.so.0* ]] || fail "autoreq did not find libsystemd: $(q -R)"

# rpmlint: the package is not signed; nothing else may be an error (packaging/rpm/jitd.rpmlintrc
# filters the policy's deliberate mode 0640).
rpmlint -r "$here/../../../packaging/rpm/jitd.rpmlintrc" "$rpm" | tee "$scratch/rpmlint.txt" || true
errors=$(grep ': E: ' "$scratch/rpmlint.txt" | grep -v ': E: no-signature' || true)
[[ -z $errors ]] || fail "rpmlint errors: $errors"
echo "rpm-check: ok"
