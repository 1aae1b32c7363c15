#!/usr/bin/env python3
"""Benchmark of `jit-request audit` on a collection (issue 16): HOSTS hosts' journal files as
systemd-journal-remote writes them, EVENTS jitd events in all, read by `audit --directory
--by host` and by a filtered query, side by side with journalctl on the same matches as the
floor (`journalctl --directory DIR MESSAGE_ID=... -o export | wc -l`). Each timing is the
best of REPEATS runs: wall clock, and the CPU time (user + system) of the processes, which a
loaded machine does not inflate; the page cache is warm after the first run. Run by
`scripts/bench --audit`; prints a table and writes JSON."""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import resource
import time

GRANT = "78b033ff7bf5492da6d0f34645348d58"
DENY = "a73856e2f2b74e0087994a50b0c09fd8"
EXPIRE = "c4cdae2b984140459c5130ab4b8a77ff"
START = "0fc0193597df454183f199ff8eff2d84"
REMOTE = "/lib/systemd/systemd-journal-remote"


def host_export(h, per_host, now_usec, users):
    """Export-format entries of host h: a start entry, then grants, denies and expiries over
    the last six days, as jitd.service on that host writes them."""
    mid = "%032x" % (0x5EED0000 + h)
    head = ("_HOSTNAME=host%03d\n_MACHINE_ID=%s\n_BOOT_ID=%s\n_TRANSPORT=journal\n"
            "_UID=991\n_COMM=jitd\n_SYSTEMD_UNIT=jitd.service\nSYSLOG_IDENTIFIER=jitd\n"
            % (h, mid, mid[::-1]))
    span = 6 * 86400 * 1000000
    out = []
    for i in range(per_host):
        t = now_usec - span + (span * i) // per_host + h
        if i == 0:
            kind, mid_, extra = "start", START, "JITD_PORTS=22/tcp 3389/tcp\nJITD_POLICY=/etc/jitd/policy.yaml\n"
        else:
            r = i % 10
            kind, mid_ = (("deny", DENY) if r == 9 else ("expire", EXPIRE) if r >= 6 else
                          ("grant", GRANT))
            extra = ("JITD_USER=%s\nJITD_UID=%d\nJITD_PORT=%d\nJITD_PROTOCOL=tcp\n"
                     "JITD_SOURCE=198.51.100.%d/32\nJITD_GRANT_ID=g-%012x\n"
                     % (users[(h + i) % len(users)], 2000 + i % 50, 22 if i % 3 else 3389,
                        i % 250, h * 100000 + i))
            if kind == "deny":
                extra += "JITD_ERROR=not_authorized\n"
        out.append("__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n%sMESSAGE_ID=%s\n"
                   "JITD_EVENT=%s\nMESSAGE=jitd bench %s\n%s\n"
                   % (t, 1000000 + i, head, mid_, kind, kind, extra))
    return "".join(out)


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def best_of(repeats, argv_list):
    """Best wall time and best CPU time of a pipeline (a list of argv), and its output."""
    best, best_cpu, output = None, None, b""
    for _ in range(repeats):
        c0 = children_cpu()
        t0 = time.monotonic()
        procs, prev = [], None
        for k, argv in enumerate(argv_list):
            last = k == len(argv_list) - 1
            p = subprocess.Popen(argv, stdin=prev, stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL if not last else subprocess.PIPE)
            if prev is not None:
                prev.close()
            prev = p.stdout
            procs.append(p)
        output, err = procs[-1].communicate()
        for p in procs[:-1]:
            p.wait()
        elapsed = time.monotonic() - t0
        cpu = children_cpu() - c0
        if procs[-1].returncode != 0:
            sys.exit("audit_collection: %s failed: %s" % (argv_list, err.decode(errors="replace")))
        best = elapsed if best is None else min(best, elapsed)
        best_cpu = cpu if best_cpu is None else min(best_cpu, cpu)
    return best, best_cpu, output


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--jit-request", required=True)
    ap.add_argument("--hosts", type=int, default=100)
    ap.add_argument("--events", type=int, default=100000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--json", default="")
    ap.add_argument("--dir", default="",
                    help="make the collection here and keep it; reuse it when it exists")
    a = ap.parse_args()

    reuse = bool(a.dir) and os.path.isdir(a.dir) and bool(os.listdir(a.dir))
    work = a.dir or tempfile.mkdtemp(prefix="jitd-bench-audit-")
    os.makedirs(work, exist_ok=True)
    try:
        # A kept collection stays in the default 7-day window for a day.
        now_usec = int(time.time()) * 1000000
        per_host = a.events // a.hosts
        users = ["user%02d" % u for u in range(40)]
        t0 = time.monotonic()
        for h in range(0 if reuse else a.hosts):
            subprocess.run([REMOTE, "--output=%s/remote-host%03d.journal" % (work, h), "-"],
                           input=host_export(h, per_host, now_usec, users).encode(),
                           check=True, stderr=subprocess.DEVNULL)
        made = time.monotonic() - t0
        du = sum(os.path.getsize(os.path.join(work, f)) for f in os.listdir(work))

        jr = a.jit_request
        rows = []

        def row(name, argv, floor_matches, count):
            t, cpu, out = best_of(a.repeats, [argv])
            ft, fcpu, fout = best_of(a.repeats, [["journalctl", "--directory", work, "--no-pager",
                                            "-o", "export"] + floor_matches, ["wc", "-l"]])
            rows.append({"query": name, "jit_request_s": round(t, 3),
                         "jit_request_cpu_s": round(cpu, 3),
                         "journalctl_export_s": round(ft, 3),
                         "journalctl_export_cpu_s": round(fcpu, 3), "result": count(out),
                         "floor_lines": int(fout.strip() or 0)})

        row("audit --directory --by host --format json",
            [jr, "audit", "--directory", work, "--by", "host", "--format", "json"],
            ["MESSAGE_ID=" + GRANT, "MESSAGE_ID=" + DENY],
            lambda out: "%d hosts, %d grants" % (len(json.loads(out)),
                                                  sum(x["grants"] for x in json.loads(out))))
        row("audit --directory --user user07 --port 22 --format json",
            [jr, "audit", "--directory", work, "--user", "user07", "--port", "22", "--format",
             "json"],
            ["JITD_USER=user07", "JITD_PORT=22"],
            lambda out: "%d events" % len(json.loads(out)))
        row("audit --directory --host host042 --format json",
            [jr, "audit", "--directory", work, "--host", "host042", "--format", "json"],
            ["_HOSTNAME=host042"],
            lambda out: "%d events" % len(json.loads(out)))
        row("audit --directory --format csv (every event)",
            [jr, "audit", "--directory", work, "--format", "csv"],
            ["SYSLOG_IDENTIFIER=jitd"],
            lambda out: "%d events" % (out.count(b"\r\n") - 1))

        print("jit-request audit on a collection: %d hosts, %d events (%d per host), "
              "%.1f MiB of journal files, made in %.1f s (0: reused); best of %d"
              % (a.hosts, per_host * a.hosts, per_host, du / 1048576, made, a.repeats))
        print("load average at the end: %.2f; wall / CPU seconds; floor: journalctl ... "
              "-o export | wc -l on the same matches" % os.getloadavg()[0])
        print("%-56s %17s %17s  %s" % ("query", "jit-request", "journalctl floor",
                                        "result (floor lines)"))
        for r in rows:
            print("%-56s %7.3f / %6.3f  %7.3f / %6.3f  %s (%d)"
                  % (r["query"], r["jit_request_s"], r["jit_request_cpu_s"],
                     r["journalctl_export_s"], r["journalctl_export_cpu_s"], r["result"],
                     r["floor_lines"]))
        if a.json:
            with open(a.json, "w") as f:
                json.dump({"hosts": a.hosts, "events": per_host * a.hosts, "rows": rows}, f,
                          indent=2)
    finally:
        if not a.dir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
