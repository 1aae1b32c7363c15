# shellcheck shell=bash
# shellcheck disable=SC2154  # tmp, sock, jr_bin, policy, grant_s, jitd_pid: set by scripts/demo
# The remote part of scripts/demo, sourced by it after the local part (it uses the namespaces,
# jitd, the helpers and the trap set up there): a `remote:` section in the demo's policy, the
# user alice with fwknop keys and an SSH key, the stock fwknop client and a signed request from
# the client namespace opening port 22, a replay and a forgery refused and counted, the
# journal's remote entries, the kernel closing the door, and the summary of dropped datagrams.

keys=$tmp/keys
home=$tmp/alice  # alice's home on her laptop (the client namespace)
agent_sock=$tmp/ssh-agent.sock
agent_pid=
demo_user=alice
demo_gecos="jitd demo user (scripts/demo)"
created_user=0
demo_remote_cleanup() {  # called by scripts/demo's trap
    if [[ -n $agent_pid ]]; then
        kill "$agent_pid" 2>/dev/null
        wait "$agent_pid" 2>/dev/null
    fi
    [[ $created_user == 1 ]] && userdel "$demo_user" 2>/dev/null
    return 0
}

# The remote object of `jit-request status --json`, as python expression `r`: prints its value.
remote_value() {
    "$jr_bin" --socket "$sock" status --json |
        python3 -c 'import json, sys; r = json.load(sys.stdin).get("remote", {}); print(eval(sys.argv[1]))' "$1"
}
# Polls (every 0.1 s, at most $1 times) until the python condition on `r` holds.
remote_until() {
    local n=$1 cond=$2
    for _ in $(seq 1 "$n"); do
        [[ $(remote_value "$cond" 2>/dev/null) == True ]] && return 0
        sleep 0.1
    done
    return 1
}
# Polls the door until it opens ($1 = open) or closes ($1 = closed), within about $2 seconds.
door_until() {
    local want=$1 limit=$2
    for _ in $(seq 1 $((limit * 2))); do
        if probe >/dev/null 2>&1; then [[ $want == open ]] && return 0; else [[ $want == closed ]] && return 0; fi
        sleep 0.5
    done
    return 1
}
# One UDP datagram with payload $1 from the client to the server's remote port.
send_datagram() {
    in_cli python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(sys.argv[1].encode(), ("198.51.100.1", 62201))
' "$1"
}
# jitd's journal entries matching the journalctl matches given, one short line each; $1 is the
# minimum number expected (fails below it).
show_journal() {
    local want=$1
    shift
    journalctl --no-pager -o json _UID=0 _COMM=jitd "$@" | python3 -c '
import json, sys, time
want, n = int(sys.argv[1]), 0
for line in sys.stdin:
    e = json.loads(line)
    n += 1
    t = time.strftime("%H:%M:%S", time.gmtime(int(e["__REALTIME_TIMESTAMP"]) / 1e6))
    keep = ("JITD_USER", "JITD_PORT", "JITD_SOURCE", "JITD_END", "JITD_REMOTE_CAUSE", "JITD_KEY",
            "JITD_PACKET_SOURCE")
    extra = " ".join("%s=%s" % (k[5:].lower(), e[k]) for k in keep if k in e)
    if e.get("JITD_EVENT") == "dropped":
        extra = " ".join("%s=%s" % (k, v) for k, v in sorted(e.items()) if k.startswith("JITD_D"))
    print("   %s %-7s %s" % (t, e.get("JITD_EVENT", "?"), extra))
sys.exit(0 if n >= want else 1)
' "$want"
}

say "10. remote requests: alice, keys for her, and a remote: section in the policy"
if ! getent passwd "$demo_user" >/dev/null; then
    useradd --system --no-create-home --shell /usr/sbin/nologin --comment "$demo_gecos" "$demo_user"
    created_user=1
elif [[ $(getent passwd "$demo_user" | cut -d: -f5) == "$demo_gecos" ]]; then
    created_user=1  # left by an earlier run that was killed
fi
echo "   user $demo_user (a requester in the demo's policy)"
sed -i "s/^  requesters:.*/&\n    users: [$demo_user]/" "$policy"
grep -q "users: \[$demo_user\]" "$policy" || fail "could not make $demo_user a requester in $policy"
cat >>"$policy" <<EOF

remote:
  port: 62201               # udp; jitd reads it through nflog and never answers
  max_age: 120s
  default_duration: 15m
  keys: $keys
EOF
sed -n '/^remote:/,$p' "$policy" | sed 's/^/   /'
printf '   $ jit-request keys add %s --fwknop --dir %s --server 198.51.100.1\n' "$demo_user" "$keys"
"$jr_bin" keys add "$demo_user" --fwknop --dir "$keys" --server 198.51.100.1 >"$tmp/stanza" 2>&1 ||
    { cat "$tmp/stanza" >&2; fail "jit-request keys add --fwknop failed"; }
sed 's/^/   /' "$tmp/stanza"
printf '   $ kill -HUP jitd   (reload: the policy and the key files)\n'
kill -HUP "$jitd_pid"
remote_until 100 'r.get("enabled") and r.get("keys") == 1' ||
    { cat "$tmp/jitd.log" >&2; fail "jitd did not take the remote section and alice's key"; }
jit_request status || fail "jit-request status failed"

say "11. alice opens port 22 from her laptop with the stock fwknop client"
mkdir -m 0700 "$home"
# Her ~/.fwknoprc: the stanza, with her address where it says ALLOW_IP resolve.
sed -n '/^#\|^\[\|^[A-Z]/p' "$tmp/stanza" | sed 's/^ALLOW_IP .*/ALLOW_IP            198.51.100.2/' >"$home/.fwknoprc"
chmod 0600 "$home/.fwknoprc"
echo "   (her ~/.fwknoprc is the stanza above, with ALLOW_IP 198.51.100.2)"
if probe; then fail "port 22 answered before the fwknop request"; fi
printf '   alice@laptop$ fwknop -n 198.51.100.1 -f %s\n' "$grant_s"
in_cli env HOME="$home" fwknop -n 198.51.100.1 -f "$grant_s" --save-packet "$tmp/spa.packet" 2>&1 |
    sed 's/^/   /' || fail "fwknop failed"
door_until open 10 || { cat "$tmp/jitd.log" >&2; fail "the fwknop request did not open port 22"; }
probe || fail "port 22 closed after the fwknop request"
jit_request list || fail "jit-request list failed"

say "12. a replayed and a forged packet: refused and counted, nothing opened"
packet=$(head -n 1 "$tmp/spa.packet")
[[ ${#packet} -gt 100 ]] || fail "fwknop saved no packet"
echo "   someone who sniffed alice's packet sends it again (a replay)"
send_datagram "$packet"
forged=$(python3 -c 'import sys; p = sys.argv[1]; i = len(p) // 2
print(p[:i] + ("B" if p[i] == "A" else "A") + p[i + 1:])' "$packet")
echo "   and the packet with one character changed (a forgery: no key's HMAC verifies)"
send_datagram "$forged"
remote_until 100 'r.get("refused", 0) == 1 and r.get("counters", {}).get("no_key_matched", 0) == 1' ||
    fail "the replay was not refused or the forgery not counted"
[[ $(remote_value 'r.get("granted")') == 1 ]] || fail "the replay or the forgery opened something"
jit_request status || fail "jit-request status failed"

say "13. the kernel closes alice's door when the fwknop grant's $grant_s seconds are up"
door_until closed $((grant_s * 2 + 10)) || fail "port 22 still open after the fwknop grant"
echo "   client: no connection to 198.51.100.1:22 any more"

say "14. alice's SSH key in ssh-agent, registered with jit-request keys add --pub"
mkdir -m 0700 "$home/.ssh"
ssh-keygen -q -t ed25519 -N '' -C alice@laptop -f "$home/.ssh/id_ed25519"
ssh-agent -D -a "$agent_sock" >/dev/null 2>&1 &
agent_pid=$!
for _ in $(seq 1 50); do [[ -S $agent_sock ]] && break; sleep 0.1; done
SSH_AUTH_SOCK=$agent_sock ssh-add -q "$home/.ssh/id_ed25519" || fail "ssh-add failed"
printf '   alice@laptop$ ssh-add -l\n'
SSH_AUTH_SOCK=$agent_sock ssh-add -l | sed 's/^/   /'
printf '   $ jit-request keys add %s --pub %s --dir %s\n' "$demo_user" "$home/.ssh/id_ed25519.pub" "$keys"
"$jr_bin" keys add "$demo_user" --pub "$home/.ssh/id_ed25519.pub" --dir "$keys" 2>&1 | sed 's/^/   /' ||
    fail "jit-request keys add --pub failed"
printf '   $ kill -HUP jitd\n'
kill -HUP "$jitd_pid"
remote_until 100 'r.get("ssh_keys") == 1' || fail "jitd did not load alice's SSH key"

say "15. alice opens port 22 with a request signed by her ssh-agent key"
if probe; then fail "port 22 answered before the signed request"; fi
printf '   alice@laptop$ jit-request open 22 --host 198.51.100.1 --from 198.51.100.2 --for %ss --reason deploy --wait\n' "$grant_s"
in_cli env SSH_AUTH_SOCK="$agent_sock" "$jr_bin" open 22 --host 198.51.100.1 --from 198.51.100.2 \
    --for "${grant_s}s" --reason deploy --wait 2>&1 | sed 's/^/   /' ||
    { cat "$tmp/jitd.log" >&2; fail "the signed request did not open port 22"; }
probe || fail "port 22 closed after the signed request"
jit_request list || fail "jit-request list failed"

say "16. the journal's remote entries (JITD_CHANNEL=remote): both grants and the replay"
show_journal 3 JITD_CHANNEL=remote || fail "the journal lacks remote entries"
grants=$(journalctl --no-pager -o json _UID=0 _COMM=jitd JITD_CHANNEL=remote JITD_EVENT=grant)
[[ $(grep -c . <<<"$grants") -ge 2 ]] || fail "the journal lacks a remote grant"
[[ $grants == *'"JITD_KEY":"SHA256:'* ]] || fail "no grant of the signed request in the journal"
replays=$(journalctl --no-pager -o json _UID=0 _COMM=jitd JITD_REMOTE_CAUSE=replayed)
[[ $replays == *replayed* ]] || fail "no refusal of the replay in the journal"
echo "   as jit-request audit --user alice shows them:"
jit_request audit --since 1h --user "$demo_user" || fail "jit-request audit failed"

say "17. the kernel closes the door when the signed grant's $grant_s seconds are up"
door_until closed $((grant_s * 2 + 10)) || fail "port 22 still open after the signed grant"
echo "   client: no connection to 198.51.100.1:22 any more"

say "18. jitd stops; its journal summary of the datagrams dropped unauthenticated"
printf '   $ kill -TERM jitd\n'
kill -TERM "$jitd_pid"
wait "$jitd_pid" || fail "jitd did not stop cleanly"
jitd_pid=
for _ in $(seq 1 50); do show_journal 1 JITD_EVENT=dropped >/dev/null 2>&1 && break; sleep 0.1; done
show_journal 1 JITD_EVENT=dropped || fail "no summary of the dropped datagrams in the journal"
summary=$(journalctl --no-pager -o json _UID=0 _COMM=jitd JITD_EVENT=dropped)
[[ $summary == *'"JITD_DROPPED_NO_KEY_MATCHED":"'[1-9]* ]] || fail "the summary does not count the forgery"
echo "   (one such entry at most once a minute while they arrive; never one per datagram)"
