"""Soak: the suite run N times in a row against one kind cluster, each check's outcomes counted.

Run with `headless-conformance soak --runs 20 [-- pytest options]`. The first run creates the
cluster (`hc-soak`) and keeps it, the others reuse it, and it is deleted at the end (also on Ctrl-C
or SIGTERM). Writes reports/soak.json (each check's outcomes, flips and flip rate, each run's
duration) and reports/soak.md (the table), and prints the table. Exit 0 when every run was green.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from cli.one_cluster import OneCluster
from common import releases
from common.progress import speaker
from common.signals import interrupt_on_termination
from headless_conformance.provisioning.run_images import ensure_build
from headless_conformance.results.cells import Cell
from headless_conformance.results.soak import soak_of

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
    cluster = OneCluster(CLUSTER, record.kind, args.kubernetes_version, ROOT / "reports" / f"{args.name}-logs", say)
    cells: list[Cell] = []
    statuses: list[int] = []
    try:
        for run in range(1, args.runs + 1):
            name = f"{args.name}-{run:02d}"
            say(f"run {run} of {args.runs} ({name})")
            status, cell, seconds = cluster.run(name, args.pytest_options)
            statuses.append(status)
            cells.append(cell)
            say(f"run {run}: exit {status} in {seconds:.0f} s: "
                + ", ".join(f"{n} {o}" for o, n in sorted(cell.counts().items())))
            write(args.name, cells, statuses, args.pytest_options)  # after each run: a stopped soak keeps its runs
    except KeyboardInterrupt as stop:
        say(f"stopped ({stop or 'interrupted'}) after {len(cells)} of {args.runs} runs")
        statuses.append(130)
    finally:
        cluster.close()
        print(write(args.name, cells, statuses, args.pytest_options))
    return 0 if statuses and all(s == 0 for s in statuses) and len(statuses) == args.runs else 1
