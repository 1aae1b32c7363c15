#!/usr/bin/env bash
# Three Debian 12 hosts and a collector, booted with systemd-nspawn and joined by a bridge in a
# private network namespace. The Ansible role (packaging/ansible/roles/jitd) installs jitd on
# the hosts over real SSH, writes the policy and a remote key, and sets up journal upload with
# TLS certificates made here (packaging/fleet/make-certs.sh); the collector runs
# systemd-journal-remote with packaging/fleet's drop-in. Checks: grants and refusals of each
# host reach the collector under the right host, exactly once, also those made while the
# collector was down; `jit-request audit --directory --by host` on the collector gives each
# host's counts, last user and last access; a second run of the role changes nothing; a policy
# jitd refuses fails the play and no host's policy file changes.
#   JITD_TEST_FLEET=1 fleet-test.sh BUILD_DIR   (root; exit 77 without JITD_TEST_FLEET=1, when
#                                               not root or tools are missing)
set -euo pipefail
exec </dev/null  # nothing here reads stdin; ansible refuses a non-blocking one
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../../.." && pwd)
build=$(cd "${1:?usage: fleet-test.sh BUILD_DIR}" && pwd)

[[ $EUID -eq 0 ]] || { echo "needs root"; exit 77; }
# Minutes and four containers: on request (scripts/test --fleet, which .ci/run uses).
[[ ${JITD_TEST_FLEET:-0} == 1 ]] || { echo "skipped: JITD_TEST_FLEET=1 runs it (scripts/test --fleet)"; exit 77; }
for tool in debootstrap systemd-nspawn nsenter unshare cpack ansible-playbook openssl ssh ip \
    systemd-id128 python3; do
    command -v "$tool" >/dev/null || { echo "$tool missing (scripts/deps installs it)"; exit 77; }
done
if [[ -z ${JITD_PKG_TEST_UNSHARED:-} ]]; then
    JITD_PKG_TEST_UNSHARED=1 exec unshare -m --propagation private "$0" "$@"
fi

source "$here/container.sh"
source "$here/test-root.sh"
source "$here/fleet-setup.sh"
started=$SECONDS
cache=$build/packaging-cache
scratch=$(mktemp -d "$build/packaging-fleet.XXXXXX")
hosts=(jf-host1 jf-host2 jf-host3)
collector=jf-collector
declare -A fleet_addr=([jf-collector]=$fleet_prefix.10 [jf-host1]=$fleet_prefix.11
    [jf-host2]=$fleet_prefix.12 [jf-host3]=$fleet_prefix.13)
cleanup() {
    # The controller's ssh connection masters (ControlPersist), then the containers.
    local sock
    for sock in "$scratch"/ansible/cp/*; do
        [[ -S $sock ]] && ssh -O exit -S "$sock" x >/dev/null 2>&1 || true
    done
    container_poweroff_all
    [[ -n $fleet_netns ]] && ip netns del "$fleet_netns" 2>/dev/null || true
    umount /run/systemd/nspawn 2>/dev/null || true
    local name
    for name in "${!fleet_addr[@]}"; do umount "$scratch/$name" 2>/dev/null || true; done
    rm -rf --one-file-system "$scratch"
}
trap cleanup EXIT
trap 'exit 143' TERM INT # a ctest timeout still powers the containers off

step() { printf '== %s (%ds)\n' "$*" $((SECONDS - started)); }
fail() {
    echo "FAIL: $*" >&2
    local name
    for name in "${!container_init_pids[@]}"; do
        echo "-- journal of $name" >&2
        in_machine "$name" journalctl -b --no-pager -n 25 >&2 2>/dev/null || true
    done
    exit 1
}
poll_until() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || return 1
        sleep 0.2
    done
}
has() { [[ $1 == *"$2"* ]]; }

step "package"
cpack -G DEB --config "$build/CPackConfig.cmake" -B "$scratch/pkg" >"$scratch/cpack.log" 2>&1 ||
    { cat "$scratch/cpack.log" >&2; exit 1; }
deb=$(ls "$scratch"/pkg/jitd_*.deb)
client_deb=$(ls "$scratch"/pkg/jit-request_*.deb)

step "roots"
tarball=$("$here/fleet-root.sh" "$cache")
# The four roots in parallel (unpacking, host keys).
jobs=()
for name in "${!fleet_addr[@]}"; do
    fleet_root "$name" "${fleet_addr[$name]}" "$scratch/$name" "$tarball" >/dev/null &
    jobs+=($!)
done
for job in "${jobs[@]}"; do wait "$job" || fail "a root could not be made"; done
cp "$deb" "$client_deb" "$scratch/$collector/root/"
# One fetch for all: what the packages, and journal upload/remote, need from Debian's archive.
root_fetch "$scratch/$collector" "$scratch/fetch.log" "$cache" \
    "/root/$(basename "$deb")" "/root/$(basename "$client_deb")" systemd-journal-remote
jobs=()
for name in "${!fleet_addr[@]}"; do
    fleet_root_cache "$scratch/$name" &
    jobs+=($!)
done
for job in "${jobs[@]}"; do wait "$job" || fail "the package cache could not be copied"; done
mkdir -p "$scratch/ssh"
ssh-keygen -q -t ed25519 -N '' -f "$scratch/ssh/id" -C fleet-test
for name in "${hosts[@]}"; do
    install -d -m 0700 "$scratch/$name/root/.ssh"
    install -m 0600 "$scratch/ssh/id.pub" "$scratch/$name/root/.ssh/authorized_keys"
done
"$src/packaging/fleet/make-certs.sh" "$scratch/certs" "$collector,${fleet_addr[$collector]}" \
    "${hosts[@]}" >/dev/null

step "boot"
fleet_net_up "jitd-fleet-$$"
for name in "${!fleet_addr[@]}"; do
    container_start "$name" "$scratch/$name" "$scratch/$name.console" --network-bridge=br0 ||
        fail "start $name"
done
for name in "${!fleet_addr[@]}"; do
    container_wait "$name" || { tail -20 "$scratch/$name.console" >&2; fail "boot $name"; }
done

step "collector"
# As packaging/fleet/README.md says: the package, its certificate, the drop-in, the socket.
in_machine "$collector" apt-get install -y -qq systemd-journal-remote "/root/$(basename "$client_deb")" \
    >"$scratch/collector-install.log" 2>&1 || { cat "$scratch/collector-install.log" >&2; fail "install collector"; }
tls=$scratch/$collector/etc/ssl/journal-remote
install -d -m 0755 "$tls"
install -m 0644 "$scratch/certs/ca.crt" "$tls/ca.crt"
install -m 0644 "$scratch/certs/$collector.crt" "$tls/collector.crt"
install -m 0640 "$scratch/certs/$collector.key" "$tls/collector.key"
in_machine "$collector" chgrp systemd-journal-remote /etc/ssl/journal-remote/collector.key
cp -r "$src/packaging/fleet/collector/etc/." "$scratch/$collector/etc/"
in_machine "$collector" systemctl enable --now systemd-journal-remote.socket ||
    fail "start journal-remote.socket"

step "ansible: first run"
export ANSIBLE_HOME=$scratch/ansible ANSIBLE_LOCAL_TEMP=$scratch/ansible/tmp
export ANSIBLE_SSH_CONTROL_PATH_DIR=$scratch/ansible/cp ANSIBLE_ROLES_PATH=$src/packaging/ansible/roles
export ANSIBLE_HOST_KEY_CHECKING=False ANSIBLE_NOCOLOR=1 ANSIBLE_PIPELINING=True ANSIBLE_FORKS=3
export ANSIBLE_SSH_ARGS="-o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=/dev/null"
{
    echo "[fleet]"
    for name in "${hosts[@]}"; do echo "$name ansible_host=${fleet_addr[$name]}"; done
    echo "[fleet:vars]"
    echo "ansible_user=root"
    echo "ansible_ssh_private_key_file=$scratch/ssh/id"
    echo "ansible_python_interpreter=/usr/bin/python3"
} >"$scratch/inventory"
alice_key=$(cat "$scratch/ssh/id.pub")
python3 - "$scratch" "$deb" "$client_deb" "$collector" "$alice_key" >"$scratch/vars.json" <<'EOF'
import json, sys
scratch, deb, client, collector, key = sys.argv[1:]
certs = scratch + "/certs/"
print(json.dumps({
    "jitd_package_files": [deb, client],
    "jitd_policy": {
        "ports": [{"port": 22, "protocol": "tcp", "max_duration": "1h", "allowed_sources": "any"}],
        "access": {"admins": {"users": ["root"]}, "requesters": {"groups": ["jit"]}},
        "always_allow": ["10.231.0.1/32"],  # the controller: Ansible's own SSH
    },
    "jitd_keys": {"alice.pub": key},
    "jitd_journal_upload_url": "https://%s:19532" % collector,
    "jitd_journal_upload_key": certs + "{{ inventory_hostname }}.key",
    "jitd_journal_upload_cert": certs + "{{ inventory_hostname }}.crt",
    "jitd_journal_upload_ca": certs + "ca.crt",
    "jitd_journal_upload_restart_sec": "1s",
}))
EOF
# stdin from /dev/null: ansible refuses a non-blocking stdin, which is what ctest -j hands a
# test when another test beside it has set O_NONBLOCK on the shared descriptor.
playbook() {
    in_net ansible-playbook -i "$scratch/inventory" -e "@$scratch/vars.json" "$@" \
        "$here/fleet-playbook.yml" </dev/null
}
ssh_up() { in_net ssh -i "$scratch/ssh/id" -o BatchMode=yes -o UserKnownHostsFile=/dev/null \
    -o StrictHostKeyChecking=no "root@${fleet_addr[$1]}" true; }
for name in "${hosts[@]}"; do poll_until 60 ssh_up "$name" || fail "no ssh to $name"; done
playbook >"$scratch/run1.log" 2>&1 || { cat "$scratch/run1.log" >&2; fail "first ansible run"; }
grep -A4 'PLAY RECAP' "$scratch/run1.log"
for name in "${hosts[@]}"; do
    in_machine "$name" systemctl is-active --quiet jitd || fail "jitd not active on $name"
    mode=$(in_machine "$name" stat -c '%a %U:%G' /etc/jitd/policy.yaml /etc/jitd/keys /etc/jitd/keys/alice.pub)
    [[ $mode == $'640 root:jitd\n750 root:jitd\n640 root:jitd' ]] || fail "$name: modes $mode"
    has "$(in_machine "$name" cat /etc/jitd/policy.yaml)" 10.231.0.1/32 || fail "$name: policy not written"
    has "$(in_machine "$name" nft list table inet jitd)" 10.231.0.1 || fail "$name: always_allow not loaded"
    in_machine "$name" systemctl is-active --quiet systemd-journal-upload || fail "$name: upload not active"
done

step "ansible: second run changes nothing"
playbook >"$scratch/run2.log" 2>&1 || { cat "$scratch/run2.log" >&2; fail "second ansible run"; }
recap=$(grep -A4 'PLAY RECAP' "$scratch/run2.log")
echo "$recap"
for name in "${hosts[@]}"; do
    line=$(grep "^$name " <<<"$recap") || fail "no recap for $name"
    has "$line" "changed=0" || { cat "$scratch/run2.log" >&2; fail "second run changed $name: $line"; }
    has "$line" "failed=0" || fail "second run failed on $name: $line"
done

step "ansible: a bad policy never reaches a host"
declare -A sum_before
for name in "${hosts[@]}"; do sum_before[$name]=$(in_machine "$name" sha256sum /etc/jitd/policy.yaml); done
bad='{"jitd_policy": {"ports": [{"port": 70000, "protocol": "tcp"}]}}'
rc=0
playbook -e "$bad" >"$scratch/run3.log" 2>&1 || rc=$?
[[ $rc -ne 0 ]] || { cat "$scratch/run3.log" >&2; fail "a play with port 70000 succeeded"; }
has "$(cat "$scratch/run3.log")" "failed to validate" || { cat "$scratch/run3.log" >&2; fail "not refused by validate"; }
for name in "${hosts[@]}"; do
    [[ $(in_machine "$name" sha256sum /etc/jitd/policy.yaml) == "${sum_before[$name]}" ]] ||
        fail "$name: the policy file changed in a failed play"
    in_machine "$name" systemctl is-active --quiet jitd || fail "$name: jitd not active after the failed play"
done

source "$here/fleet-audit.sh"
step "done: fleet test passed in $((SECONDS - started))s"
