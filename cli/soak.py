"""Soak: the suite run N times in a row against one kind cluster, each check's outcomes counted.

Run with `headless-conformance soak --runs 20 [-- pytest options]`. The first run creates the
cluster (`hc-soak`) and keeps it, the others reuse it, and it is deleted at the end (also on Ctrl-C
or SIGTERM). Writes reports/soak.json (each check's outcomes, flips and flip rate, each run's
duration) and reports/soak.md (the table), and prints the table. Exit 0 when every run was green.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from common import releases
from common.progress import speaker
from common.signals import interrupt_on_termination, run_to_completion
from headless_conformance import kind as kindcli
from headless_conformance.matrix import Cell
from headless_conformance.run_images import ensure_build
from headless_conformance.soak import soak_of

ROOT = Path(__file__).resolve().parent.parent

CLUSTER = "hc-soak"


say = speaker("soak")


def write(name: str, cells: list[Cell], statuses: list[int], options: list[str]) -> str:
    """reports/<name>.json and .md of the runs so far; the table."""
    soak = soak_of(cells)
    (ROOT / "reports" / f"{name}.json").write_text(json.dumps(
        {**soak.as_dict(), "exit_statuses": statuses, "pytest_options": options}, indent=1))
    table = soak.markdown()
    (ROOT / "reports" / f"{name}.md").write_text(table)
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="headless-conformance soak", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--kubernetes-version", default=releases.DEFAULT_KUBERNETES)
    parser.add_argument("--name", default="soak", help="names reports/<name>.json, .md and the runs' reports")
    parser.add_argument("pytest_options", nargs="*", help="more options for every run (after --), e.g. -n 4")
    args = parser.parse_args(argv)
    interrupt_on_termination()
    record = ensure_build(args.kubernetes_version, say)
    cluster = kindcli.KindCluster(CLUSTER, record.kind, ROOT / "reports" / f"{args.name}-kubeconfig")
    logs = ROOT / "reports" / f"{args.name}-logs"
    logs.mkdir(parents=True, exist_ok=True)
    cells: list[Cell] = []
    statuses: list[int] = []
    try:
        for run in range(1, args.runs + 1):
            name = f"{args.name}-{run:02d}"
            keep = ["--keep-cluster"] if run == 1 else ["--reuse-cluster"]
            argv = [sys.executable, "-m", "pytest", "suites", "-q", "-p", "no:cacheprovider", "--cluster-name",
                    CLUSTER, "--kubernetes-version", args.kubernetes_version, *keep, "--report-name", name,
                    *args.pytest_options]
            say(f"run {run} of {args.runs} ({name})")
            started = time.monotonic()
            with (logs / f"{name}.log").open("w") as out:
                status = run_to_completion(argv, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
            statuses.append(status)
            path = ROOT / "reports" / f"{name}.json"
            cell = Cell.load(path) if path.exists() else Cell.missing(args.kubernetes_version, "?", f"exit {status}")
            cell.name = name
            cells.append(cell)
            say(f"run {run}: exit {status} in {time.monotonic() - started:.0f} s: "
                + ", ".join(f"{n} {o}" for o, n in sorted(cell.counts().items())))
            write(args.name, cells, statuses, args.pytest_options)  # after each run: a stopped soak keeps its runs
    except KeyboardInterrupt as stop:
        say(f"stopped ({stop or 'interrupted'}) after {len(cells)} of {args.runs} runs")
        statuses.append(130)
    finally:
        if cluster.exists():
            say(f"deleting kind cluster {CLUSTER}")
            cluster.delete()
        print(write(args.name, cells, statuses, args.pytest_options))
    return 0 if statuses and all(s == 0 for s in statuses) and len(statuses) == args.runs else 1
