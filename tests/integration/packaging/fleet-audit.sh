# The fleet test's audit part, sourced by fleet-test.sh once the role has run: requests on each
# host, their journal entries on the collector (also across a collector outage), and the
# collector's per-host report.

remote_dir=/var/log/journal/remote
as() { # as HOST USER CMD...: run as USER with its groups, as a login would
    local host=$1 user=$2
    shift 2
    in_machine "$host" setpriv --reuid="$user" --regid="$user" --init-groups "$@"
}
# entries WHERE: jitd's grant and deny entries as "boot monotonic realtime event user grant-id"
# lines, sorted: from a host's own journal (WHERE = the host) or from the collector's files for
# that host (WHERE = remote:HOST).
entries() {
    local json
    if [[ $1 == remote:* ]]; then
        json=$(in_machine "$collector" journalctl --directory="$remote_dir" -o json \
            _SYSTEMD_UNIT=jitd.service "_HOSTNAME=${1#remote:}")
    else
        json=$(in_machine "$1" journalctl -o json _SYSTEMD_UNIT=jitd.service)
    fi
    python3 -c '
import json, sys
for line in sys.stdin:
    e = json.loads(line)
    if e.get("JITD_EVENT") in ("grant", "deny"):
        print(e["_BOOT_ID"], e["__MONOTONIC_TIMESTAMP"], e["__REALTIME_TIMESTAMP"], e["JITD_EVENT"],
              e.get("JITD_USER"), e.get("JITD_GRANT_ID"))
' <<<"$json" | sort
}
# Every entry arrived, none is missing, nothing else came. Systemd 252's upload sends the entry
# at its saved cursor again each time it starts (it seeks to the cursor and starts there, not
# after it), so a copy of one entry per restart may arrive: a copy has the same boot id and
# monotonic time, so readers can tell. Counted in `copies`.
arrived() { [[ $(entries "$1") == "$(entries "remote:$1" | uniq)" ]]; }
copies() { entries "remote:$1" | uniq -d | wc -l; }
# request HOST USER N: USER opens port 22 from a documentation address unique to the request
# (a second request from the same address would extend the first grant, not make a new one).
request_count=0
request() {
    local host=$1 user=$2 rc=0 out
    request_count=$((request_count + 1))
    out=$(as "$host" "$user" jit-request open 22 --for 10m --from "198.51.100.$request_count" 2>&1) || rc=$?
    case $user in
        bob) [[ $rc -eq 77 ]] || fail "$host: bob (not in jit) got exit $rc: $out" ;;
        *) [[ $rc -eq 0 ]] || fail "$host: $user was refused (exit $rc): $out" ;;
    esac
}
# The plan, per host: grants by whom (in order) and refusals (bob), before and during the outage.
declare -A before=([jf-host1]="alice" [jf-host2]="alice carol" [jf-host3]="alice carol alice")
declare -A during=([jf-host1]="carol" [jf-host2]="alice" [jf-host3]="carol")
declare -A refusals=([jf-host1]=1 [jf-host2]=1 [jf-host3]=2)

step "requests on every host"
for name in "${hosts[@]}"; do
    in_machine "$name" useradd --create-home --groups jit alice
    in_machine "$name" useradd --create-home --groups jit carol
    in_machine "$name" useradd --create-home bob
    for user in ${before[$name]}; do request "$name" "$user"; done
    for ((i = 0; i < ${refusals[$name]}; i++)); do request "$name" bob; done
done
for name in "${hosts[@]}"; do
    want=$(( $(wc -w <<<"${before[$name]}") + ${refusals[$name]} ))
    counted() { [[ $(entries "$1" | wc -l) -eq $2 ]]; }
    poll_until 20 counted "$name" "$want" || fail "$name journaled $(entries "$name" | wc -l) of $want entries"
    poll_until 60 arrived "$name" ||
        fail "$name's entries did not reach the collector: $(entries "remote:$name" | wc -l) of $want"
    # No restart of the upload since jitd's first entry: each came once.
    [[ $(copies "$name") -eq 0 ]] || fail "$name: entries doubled without a restart of the upload"
done
in_machine "${hosts[0]}" test -s /var/lib/systemd/journal-upload/state || fail "no upload cursor saved"

step "collector down"
in_machine "$collector" systemctl stop systemd-journal-remote.socket systemd-journal-remote.service
declare -A restarts
for name in "${hosts[@]}"; do
    restarts[$name]=$(in_machine "$name" systemctl show -P NRestarts systemd-journal-upload)
    for user in ${during[$name]}; do request "$name" "$user"; done
done
# Each upload notices (it fails and is started again, from its cursor); nothing arrives.
for name in "${hosts[@]}"; do
    retried() { (($(in_machine "$1" systemctl show -P NRestarts systemd-journal-upload) > ${restarts[$1]})); }
    poll_until 60 retried "$name" || fail "$name: the upload did not notice that the collector is down"
    arrived "$name" && fail "$name: entries arrived while the collector was down"
done

step "collector back"
in_machine "$collector" systemctl start systemd-journal-remote.socket
for name in "${hosts[@]}"; do
    poll_until 90 arrived "$name" || {
        diff <(entries "$name") <(entries "remote:$name") >&2 || true
        fail "$name: entries lost after the outage"
    }
    echo "$name: $(entries "$name" | wc -l) entries arrived, $(copies "$name") sent twice by the upload's restarts"
done

step "per-host report on the collector"
# The files: one per sending host (SplitMode=host).
files=$(in_machine "$collector" ls "$remote_dir")
[[ $(grep -c '\.journal$' <<<"$files") -ge ${#hosts[@]} ]] || fail "collector files: $files"
report=$(in_machine "$collector" jit-request audit --directory "$remote_dir" --by host --format json) ||
    fail "audit --directory --by host failed"
echo "$report"
for name in "${hosts[@]}"; do
    all="${before[$name]} ${during[$name]}"
    last_time=$(entries "$name" | awk '$4 == "grant" { t = $3 } END { print t }')
    python3 - "$report" "$name" "$(wc -w <<<"$all")" "${refusals[$name]}" "${all##* }" \
        "$last_time" "$(in_machine "$name" cat /etc/machine-id)" <<'EOF' || fail "report for $name"
import datetime, json, sys
report, host, grants, refusals, last_user, last_us, machine_id = sys.argv[1:]
rows = [r for r in json.loads(report) if r["host"] == host]
assert len(rows) == 1, f"{host}: {len(rows)} rows"
r = rows[0]
assert r["grants"] == int(grants), f"{host}: grants {r['grants']}, want {grants}"
assert r["refusals"] == int(refusals), f"{host}: refusals {r['refusals']}, want {refusals}"
assert r["last_user"] == last_user, f"{host}: last user {r['last_user']}, want {last_user}"
assert r["machine_id"] == machine_id, f"{host}: machine id {r['machine_id']}, want {machine_id}"
assert "22/tcp" in r["ports"], f"{host}: ports {r['ports']}"
got = datetime.datetime.fromisoformat(r["last_access"].replace("Z", "+00:00")).timestamp()
assert abs(got - int(last_us) / 1e6) < 1, f"{host}: last access {r['last_access']}, want {last_us}"
EOF
done
