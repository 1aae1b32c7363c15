#!/usr/bin/env python3
"""clang-tidy over the tracked .cpp files for scripts/lint (which documents the options).

Nine tenths of clang-tidy's time on one of our files goes to the headers it includes (the
checks match every declaration of the standard library, gtest, nlohmann/json, spdlog), so
files compiled with the same command are checked in batches: one translation unit that
includes several .cpp files, their own diagnostics reported as the headers' are. A batch
that is clean marks each of its files clean; a batch with any diagnostic (a finding, or a
clash between two files' internal names) is checked again file by file, which reports every
finding exactly as a run over that file alone does.

The compile commands are the build's, minus what clang cannot read: GCC's precompiled header
(-include .../cmake_pch.hxx finds cmake_pch.hxx.gch) and unity-build sources (each file of a
unity_N_cxx.cxx gets its own command). They are written to DB/lint-db/, which clang-tidy reads.
"""
import argparse, concurrent.futures, hashlib, json, os, re, shlex, subprocess, sys

# Files per batch: the headers' cost once, a small fallback when a batch fails.
BATCH = int(os.environ.get("JITD_LINT_BATCH", "8"))

ap = argparse.ArgumentParser()
ap.add_argument("--db", action="append", required=True, help="build directories, in order")
ap.add_argument("--cache", required=True)
ap.add_argument("--common", required=True, help="hash of clang-tidy's version and config")
ap.add_argument("--product", action="store_true")
ap.add_argument("--jobs", type=int, default=os.cpu_count())
ap.add_argument("files", nargs="*")
args = ap.parse_args()
root = os.getcwd()
tracked = set(subprocess.run(["git", "ls-files", "*.cpp"], capture_output=True, text=True,
                             check=True).stdout.split())
if args.product:
    tracked = {f for f in tracked if not f.startswith("tests/")}
wanted = {os.path.normpath(f) for f in args.files} if args.files else tracked

# Our headers a file includes, directly or through others: `#include "..."` resolves against
# the including file's directory, then the repository root (the build's only -I of ours).
include = re.compile(rb'^\s*#\s*include\s*"([^"]+)"', re.M)
closure_of = {}


def headers(path, stack=()):
    if path in closure_of:
        return closure_of[path]
    found = set()
    try:
        text = open(path, "rb").read()
    except OSError:
        return found
    for name in include.findall(text):
        name = name.decode()
        for base in (os.path.dirname(path), root):
            cand = os.path.normpath(os.path.join(base, name))
            if os.path.isfile(cand):
                if cand not in found and cand not in stack:
                    found.add(cand)
                    found |= headers(cand, stack + (path,))
                break
    closure_of[path] = found
    return found


pch = re.compile(r"\s-Winvalid-pch\b|\s-include\s+\S*cmake_pch\.hxx\b")
unity = re.compile(r"/Unity/unity_\d+_cxx\.cxx$")


def lint_entries(db):
    """The build's compile commands as clang-tidy needs them: (command, directory, file)."""
    for entry in json.load(open(os.path.join(db, "compile_commands.json"))):
        command = entry.get("command") or shlex.join(entry["arguments"])
        command = pch.sub("", command)
        path = os.path.normpath(os.path.join(entry["directory"], entry["file"]))
        members = [path]
        if unity.search(path):
            members = [os.path.normpath(m.decode()) for m in include.findall(open(path, "rb").read())]
        for member in members:
            yield command.replace(path, member), entry["directory"], member


# One job per file to check: KEY (everything its result depends on), its lint-db, its group
# (the command without the file: files of a group may share a batch).
jobs, seen = [], set()
for db in args.db:
    lint_db = os.path.join(db, "lint-db")
    os.makedirs(lint_db, exist_ok=True)
    entries = list(lint_entries(db))
    with open(os.path.join(lint_db, "compile_commands.json"), "w") as out:
        json.dump([{"directory": d, "command": c, "file": f} for c, d, f in entries], out)
    for command, directory, path in entries:
        rel = os.path.relpath(path, root)
        if rel not in wanted or rel in seen:
            continue
        seen.add(rel)
        h = hashlib.sha256((args.common + command).encode())
        h.update(open(path, "rb").read())
        for header in sorted(headers(path)):
            h.update(header.encode() + b"\0" + open(header, "rb").read())
        group = re.sub(r"\s-o\s+\S+", "", command).replace(path, "")
        jobs.append((h.hexdigest(), lint_db, path, directory, command, group))
missing = sorted(wanted - seen)
for f in missing:
    print(f"lint: {f} is in no compile database (not checked)", file=sys.stderr)

header_filter = ""
for line in open(".clang-tidy"):
    m = re.match(r"HeaderFilterRegex:\s*'(.*)'\s*$", line)
    if m:
        header_filter = m.group(1)
noise = re.compile(r"warnings? generated\.$|^Suppressed |Use -header-filter")


def tidy(db, path, extra=()):
    r = subprocess.run(["clang-tidy", "-p", db, "--quiet", "--extra-arg=-Wno-unknown-warning-option",
                        *extra, path], capture_output=True, text=True)
    return r.returncode == 0, r.stdout + r.stderr


def check_one(job):
    key, db, path = job[:3]
    ok, log = tidy(db, path)
    if ok:
        open(os.path.join(args.cache, key + ".ok"), "w").close()
        return True, ""
    return False, "\n".join(l for l in log.splitlines() if not noise.search(l)) + "\n"


def check_batch(batch):
    """[] when the batch is clean (each file marked), else the smaller batches to check."""
    db, directory, command = batch[0][1], batch[0][3], batch[0][4]
    name = hashlib.sha256("".join(j[0] for j in batch).encode()).hexdigest()[:16]
    one_db = os.path.join(db, "batches", name)
    os.makedirs(one_db, exist_ok=True)
    src = os.path.join(one_db, "batch.cpp")
    with open(src, "w") as out:
        for job in batch:
            out.write(f'#include "{job[2]}" // NOLINT(bugprone-suspicious-include)\n')
    with open(os.path.join(one_db, "compile_commands.json"), "w") as out:
        json.dump([{"directory": directory, "command": command.replace(batch[0][2], src),
                    "file": src}], out)
    own = "|".join(re.escape(job[2]) for job in batch)
    ok, log = tidy(one_db, src, [f"--header-filter=({header_filter})|^({own})$"])
    if ok:
        for job in batch:
            open(os.path.join(args.cache, job[0] + ".ok"), "w").close()
        return []
    # Two files defining the same internal name: split them apart. Anything else: halves.
    clash = re.findall(r"^(\S+?):\d+:\d+: error: redefinition of .*\n(?:.*\n)*?"
                       r"(\S+?):\d+:\d+: note: previous definition is here", log, re.M)
    apart = {frozenset(p) for p in clash if p[0] != p[1]}
    if not apart:
        return [batch[:len(batch) // 2], batch[len(batch) // 2:]]
    parts = []
    for job in batch:
        for part in parts:
            if all(frozenset((job[2], other[2])) not in apart for other in part):
                part.append(job)
                break
        else:
            parts.append([job])
    return parts if len(parts) > 1 else [batch[:len(batch) // 2], batch[len(batch) // 2:]]


todo = [j for j in jobs if not os.path.exists(os.path.join(args.cache, j[0] + ".ok"))]
groups = {}
for job in todo:
    groups.setdefault(job[5], []).append(job)
batches = []
for members in groups.values():
    members.sort(key=lambda j: j[2])
    batches += [members[i:i + BATCH] for i in range(0, len(members), BATCH)]
batches.sort(key=len, reverse=True)

clean = True
runs = 0
with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
    def submit(batch):
        return pool.submit(check_one if len(batch) == 1 else check_batch,
                           batch[0] if len(batch) == 1 else batch)
    pending = {submit(b): b for b in batches}
    while pending:
        done, _ = concurrent.futures.wait(pending, return_when=concurrent.futures.FIRST_COMPLETED)
        for future in done:
            batch = pending.pop(future)
            runs += 1
            result = future.result()
            if len(batch) > 1:
                pending.update({submit(b): b for b in result if b})
                continue
            ok, log = result
            if not ok:
                clean = False
                sys.stderr.write(log)
what = "product files" if args.product else "files"
if clean:
    print(f"lint: clang-tidy: {len(jobs)} {what} clean ({len(todo)} checked in {runs} runs)")
else:
    print("lint: clang-tidy found problems (above)", file=sys.stderr)
sys.exit(0 if clean and not missing else 1)
