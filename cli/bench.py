"""Benchmark: the whole suite on one warm kind cluster, serially and with xdist workers, and under
faults, in one run.

Run with `.venv/bin/tox -e bench` (or `headless-conformance bench`). It builds (or confirms)
the local images, creates one kind cluster, runs the suite against it once per setting (serially,
`-n 2`, and the worker counts given), then with `-n 4` under each fault of `--faults` (applied,
the suite run, restored), then the README's main command end to end (its own cluster), and prints
every figure with its ratio to the serial run and, for faulted runs, to the healthy `-n 4` run,
with what failed by level and whether that bears out what the fault says (faults.claims).
Figures vary with the machine: compare the ratios of one run.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import time
from pathlib import Path

from cli.one_cluster import OneCluster
from common import releases
from common.progress import speaker
from common.signals import interrupt_on_termination, run_to_completion
from faults.applied import applied
from faults.claims import broken_claims, failed_by_level
from faults.registry import FAULTS
from headless_conformance.run_images import ensure_build

ROOT = Path(__file__).resolve().parent.parent

say = speaker("bench")


def timed(argv: list[str], log: Path) -> tuple[float, int]:
    started = time.monotonic()
    with log.open("w") as out:
        status = run_to_completion(argv, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    return time.monotonic() - started, status


def summary(log: Path) -> str:
    lines = [ln for ln in log.read_text(errors="replace").splitlines() if re.search(r"\d+ (passed|failed).* in ", ln)]
    return lines[-1].strip("= ") if lines else "(no pytest summary)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="headless-conformance bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kubernetes-version", default=releases.DEFAULT_KUBERNETES)
    parser.add_argument("--workers", type=int, nargs="*", default=[0, 2, 4, 6, 8],
                        help="xdist worker counts to time, 0 for the serial run (default: 0 2 4 6 8)")
    parser.add_argument("--faults", nargs="*", default=[],
                        help="faults to time the suite under (-n 4), each against the healthy -n 4 run")
    parser.add_argument("--skip-main-command", action="store_true", help="do not time scripts/conformance")
    parser.add_argument("pytest_options", nargs="*", help="more options for every run of the suite (after --)")
    args = parser.parse_args(argv)
    interrupt_on_termination()
    record = ensure_build(args.kubernetes_version, say)
    logs = ROOT / "reports" / f"bench-{time.strftime('%Y%m%d-%H%M%S')}"  # kept: the runs' output
    cluster = OneCluster("hc-bench", record.kind, args.kubernetes_version, logs, say)
    cluster.close()  # a cluster of that name left by an earlier benchmark
    rows: list[tuple[str, float, str]] = []
    try:
        rows.append(("2-node cluster until nodes and DNS Ready", cluster.create(), ""))
        for workers in args.workers:
            label = "suite, serially" if workers == 0 else f"suite, -n {workers}"
            say(f"timing the {label}")
            name = f"bench-n{workers}"
            status, _, seconds = cluster.run(name, [*args.pytest_options, *([] if workers == 0 else
                                                                             ["-n", str(workers)])])
            log = logs / f"{name}.log"
            rows.append((label, seconds, summary(log) + ("" if status == 0 else f" (exit {status}, log {log})")))
        for fault in args.faults:
            say(f"timing the suite, -n 4, under {fault}")
            name = f"bench-{fault}"
            with applied(fault, ["--kubeconfig", str(cluster.kubeconfig())]):
                status, cell, seconds = cluster.run(name, [*args.pytest_options, "-n", "4",
                                                           *FAULTS[fault].suite_options])
            broken = broken_claims(FAULTS[fault], cell)
            failed = ", ".join(f"{n} {level}" for level, n in sorted(failed_by_level(cell).items())) or "none"
            rows.append((f"suite, -n 4, under {fault}", seconds, f"{summary(logs / f'{name}.log')} (exit {status}); "
                         f"failed by level: {failed}; " + ("; ".join(broken) if broken else "as the fault says")))
    finally:
        cluster.close()
    if not args.skip_main_command:
        say("timing scripts/conformance -n 4 (warm build, its own cluster, the suite, the report)")
        log = logs / "conformance.log"
        seconds, status = timed([str(ROOT / "scripts" / "conformance"), "-n", "4", "--cluster-name", "hc-bench-main",
                                 "--report-name", "bench-main"], log)
        rows.append(("scripts/conformance -n 4, end to end", seconds,
                     summary(log) + ("" if status == 0 else f" (exit {status}, log {log})")))
    serial = next((s for label, s, _ in rows if label == "suite, serially"), None)
    healthy = next((s for label, s, _ in rows if label == "suite, -n 4"), None)
    print(f"\nbenchmark on {os.cpu_count()} cores, Kubernetes {record.kubernetes}, one run (logs: {logs})")
    for label, seconds, note in rows:
        if " under " in label and healthy:
            ratio = f"{seconds / healthy:5.2f}x -n 4"
        else:
            ratio = f"{seconds / serial:5.2f}x serial" if serial and label.startswith("suite") else " " * 14
        print(f"{label:48s} {seconds:7.1f}s  {ratio}  {note}")
    return 0
