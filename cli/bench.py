"""Benchmark: the whole suite on one warm kind cluster, serially and with xdist workers, and under
faults, in one run.

Run with `.venv/bin/tox -e bench` (or `headless-conformance bench`). It builds (or confirms)
the local images, creates one kind cluster, runs the suite against it once per setting (serially,
`-n 2`, and the worker counts given), then with `-n 4` under each fault of `--faults` (applied,
the suite run, restored), then the main command (scripts/conformance) end to end (its own cluster),
and prints every figure with its ratio to the serial run and, for faulted runs, to the healthy `-n 4` run,
with what failed by level and whether that bears out what the fault says (faults.claims).
Every run prints pytest's durations, and the serial run's say where the time goes. The table is
written to reports/bench.md after every figure (a stopped benchmark keeps what it measured) and,
with --docs (or --readme), into the speed section of docs/measurements.md. Figures vary with the
machine: compare the ratios of one run.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import time
from datetime import date
from pathlib import Path

from cli.one_cluster import OneCluster
from common import releases
from common.markdown import page_of, replace_section
from common.progress import speaker
from common.signals import interrupt_on_termination, run_to_completion
from faults.applied import FaultNotApplied, applied
from faults.claims import broken_claims, failed_by_level
from faults.registry import FAULTS
from headless_conformance.provisioning.run_images import ensure_build
from headless_conformance.results.timings import Durations, Row, durations_of, speed_markdown

ROOT = Path(__file__).resolve().parent.parent

say = speaker("bench")

DURATIONS = ["--durations=0", "--durations-min=0.5"]


def timed(argv: list[str], log: Path) -> tuple[float, int]:
    started = time.monotonic()
    with log.open("w") as out:
        status = run_to_completion(argv, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    return time.monotonic() - started, status


def summary(log: Path) -> str:
    lines = [ln for ln in log.read_text(errors="replace").splitlines() if re.search(r"\d+ (passed|failed).* in ", ln)]
    return lines[-1].strip("= ") if lines else "(no pytest summary)"


def outcome(log: Path, status: int) -> str:
    """The run's pytest summary, with its exit status and log where it did not pass."""
    return summary(log) + ("" if status == 0 else f" (exit {status}, log {log})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="headless-conformance bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kubernetes-version", default=releases.DEFAULT_KUBERNETES)
    parser.add_argument("--ip-family", choices=releases.IP_FAMILIES, default="ipv4")
    parser.add_argument("--workers", type=int, nargs="*", default=[0, 2, 4, 6, 8],
                        help="xdist worker counts to time, 0 for the serial run (default: 0 2 4 6 8)")
    parser.add_argument("--faults", nargs="*", default=[],
                        help="faults to time the suite under (-n 4), each against the healthy -n 4 run")
    parser.add_argument("--skip-main-command", action="store_true", help="do not time scripts/conformance")
    parser.add_argument("--docs", "--readme", dest="readme", action="store_true",
                        help="write the table into the speed section of docs/measurements.md")
    parser.add_argument("pytest_options", nargs="*", help="more options for every run of the suite (after --)")
    args = parser.parse_args(argv)
    interrupt_on_termination()
    record = ensure_build(args.kubernetes_version, say)
    logs = ROOT / "reports" / f"bench-{time.strftime('%Y%m%d-%H%M%S')}"  # kept: the runs' output
    cluster = OneCluster("hc-bench", record.kind, args.kubernetes_version, logs, say, args.ip_family)
    cluster.close()  # a cluster of that name left by an earlier benchmark
    rows: list[Row] = []
    serial_durations: Durations | None = None

    def table() -> str:
        heading = (f"One run of `headless-conformance bench` on {os.cpu_count()} cores, {date.today():%Y-%m-%d} "
                   f"(Kubernetes {record.kubernetes}, {releases.FAMILY_NAMES[args.ip_family]}, "
                   f"one 2-node cluster for every run of the suite; "
                   f"pytest options: {' '.join(args.pytest_options) or 'none'}):")
        text = speed_markdown(rows, serial_durations, heading)
        (logs / "bench.md").write_text(text)
        (ROOT / "reports" / "bench.md").write_text(text)
        if args.readme:
            replace_section(page_of(ROOT, "speed"), "speed", text)
        return text

    def add(row: Row) -> None:
        rows.append(row)
        say(f"{row.label}: {row.seconds:.0f} s {row.note}")
        table()

    try:
        add(Row("2-node cluster from the built image until nodes and DNS are Ready", cluster.create()))
        for workers in args.workers:
            label = "the suite, serially" if workers == 0 else f"the suite, `-n {workers}`"
            say(f"timing {label}")
            name = f"bench-n{workers}"
            status, cell, seconds = cluster.run(name, [*args.pytest_options, *DURATIONS,
                                                    *([] if workers == 0 else ["-n", str(workers)])])
            log = logs / f"{name}.log"
            if workers == 0:
                serial_durations = durations_of(log.read_text(errors="replace"))
            add(Row(label, seconds, outcome(log, status), workers, polls=cell.polls))
        for fault in args.faults:
            say(f"timing the suite, -n 4, under {fault}")
            name = f"bench-{fault}"
            try:
                with applied(fault, ["--kubeconfig", str(cluster.kubeconfig())]):
                    status, cell, seconds = cluster.run(name, [*args.pytest_options, *DURATIONS, "-n", "4",
                                                               *FAULTS[fault].suite_options])
            except FaultNotApplied as err:
                add(Row(f"the suite, `-n 4`, under `{fault}`", 0, f"not measured: {err}", 4, fault))
                continue
            broken = broken_claims(FAULTS[fault], cell)
            failed = ", ".join(f"{n} {level}" for level, n in sorted(failed_by_level(cell).items())) or "none"
            add(Row(f"the suite, `-n 4`, under `{fault}`", seconds,
                    f"{summary(logs / f'{name}.log')} (exit {status}); failed by level: {failed}; "
                    + ("; ".join(broken) if broken else "as the fault says"), 4, fault, cell.polls))
    finally:
        cluster.close()
    if not args.skip_main_command:
        say("timing scripts/conformance -n 4 (warm build, its own cluster, the suite, the report)")
        log = logs / "conformance.log"
        seconds, status = timed([str(ROOT / "scripts" / "conformance"), "-n", "4", "--cluster-name", "hc-bench-main",
                                 "--report-name", "bench-main"], log)
        add(Row("`scripts/conformance -n 4` end to end (setup, build check, cluster, suite, report, deletion)",
                seconds, outcome(log, status)))
    text = table()
    print(f"\n{text}\n(logs: {logs})")
    return 0
