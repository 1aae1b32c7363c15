#!/usr/bin/env python3
"""Summary of scripts/kernels' runs: one row per kernel and suite from the JUnit XML the VMs
wrote, then every failed test case by name. Exit 1 when any test failed or a suite left no
result (the VM hung, crashed or timed out)."""
import os
import sys
import xml.etree.ElementTree as ET


def read(path, default=""):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return default


def cpu_seconds(res):
    """qemu's user + system CPU seconds (scripts/kernels writes them with /usr/bin/time)."""
    try:
        return str(round(sum(float(x) for x in read(os.path.join(res, "cpu")).split()[:2])))
    except ValueError:
        return "?"


def boot_seconds(res):
    """Wall seconds from qemu's start to the guest's init (tests/vm/init writes 'booted')."""
    return read(os.path.join(res, "booted"), "?")


def suite_result(res, suite):
    """(tests, failures, skipped, failed case names) or None when there is no usable XML."""
    try:
        root = ET.parse(os.path.join(res, suite + ".xml")).getroot()
    except (OSError, ET.ParseError):
        return None
    tests = failures = skipped = 0
    failed = []
    for case in root.iter("testcase"):
        tests += 1
        name = case.get("classname", "") + "." + case.get("name", "")
        if case.find("failure") is not None or case.find("error") is not None:
            failures += 1
            failed.append(name)
        elif case.find("skipped") is not None or case.get("result") == "skipped":
            skipped += 1
    return tests, failures, skipped, failed


def main():
    accel = sys.argv[1]
    sep = sys.argv.index("--")
    suites, dirs = sys.argv[2:sep], sys.argv[sep + 1:]
    ok = True
    failed_cases = []
    print(f"\n== kernels: summary (accel {accel})")
    print(f"{'kernel':<18} {'suite':<8} {'tests':>6} {'failed':>7} {'skipped':>8}  result")
    for res in dirs:
        kernel = read(os.path.join(res, "kernel"), os.path.basename(res))
        for suite in suites:
            r = suite_result(res, suite)
            rc = read(os.path.join(res, suite + ".rc"), "none")
            if r is None:
                ok = False
                print(f"{kernel:<18} {suite:<8} {'-':>6} {'-':>7} {'-':>8}  NO RESULT (exit {rc})")
                continue
            tests, failures, skipped, failed = r
            passed = failures == 0 and rc == "0"
            ok = ok and passed
            failed_cases += [f"{kernel}: {suite}: {c}" for c in failed]
            print(f"{kernel:<18} {suite:<8} {tests:>6} {failures:>7} {skipped:>8}  "
                  f"{'ok' if passed else 'FAILED (exit ' + rc + ')'}")
        print(f"{kernel:<18} (boot + all suites: {read(os.path.join(res, 'seconds'), '?')} s wall, "
              f"{cpu_seconds(res)} CPU s; boot {boot_seconds(res)} s)")
    for c in failed_cases:
        print("failed:", c)
    if not ok:
        print("kernels: FAILED; logs: " + " ".join(dirs))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
