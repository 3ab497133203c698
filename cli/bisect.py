"""Bisect CoreDNS releases: the first release between a good and a bad one whose outcome of the
chosen checks differs from the good one's.

    headless-conformance bisect --good v1.12.1 --bad v1.13.1 -k double_colon [--ip-family ipv6]
                                [--kubernetes-version 1.37] [-- PYTEST OPTIONS]

The releases between the two are those the Go module proxy serves. Each release it needs is built
here (cached) and swapped into one kind cluster that every step reuses (deleted at the end, also on
Ctrl-C or SIGTERM). It prints the release, the checks' outcomes on both sides of the change with
their first failure line, and what that release's notes say of the kubernetes plugin; writes
reports/bisect.json. Exit 0 when a change was found, 1 when none was, 2 on bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cli.one_cluster import OneCluster
from common import releases
from common.images import coredns_release
from common.progress import speaker
from common.signals import interrupt_on_termination
from headless_conformance.provisioning.request import ProviderError
from headless_conformance.provisioning.run_images import ensure_build, ensure_coredns
from headless_conformance.results.bisection import Found, NoChange, bisect
from headless_conformance.results.cells import Cell
from imagebuild.coredns_releases import plugin_notes, releases_between
from imagebuild.shell import BuildError

ROOT = Path(__file__).resolve().parent.parent
CLUSTER = "hc-bisect"
Outcome = tuple[tuple[str, str], ...]

say = speaker("bisect")


def outcome_of(cell: Cell) -> Outcome | None:
    """The chosen checks' outcomes in one run; None when the run made none (it could not be tested)."""
    if cell.error or not cell.checks:
        return None
    return tuple(sorted((name.split("::")[-1], check.outcome) for name, check in cell.checks.items()))


def shown(outcome: Outcome | None) -> str:
    if outcome is None:
        return "not tested"
    return ", ".join(o for _, o in outcome) if len(outcome) > 1 else outcome[0][1]


def details(cell: Cell) -> list[str]:
    return [f"    {name.split('::')[-1]}: {check.outcome}" + (f": {check.message}" if check.message else "")
            for name, check in sorted(cell.checks.items())]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="headless-conformance bisect", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--good", required=True, help="the release whose outcome is the reference, vX.Y.Z")
    parser.add_argument("--bad", required=True, help="a later release whose outcome differs, vX.Y.Z")
    parser.add_argument("-k", dest="expression", required=True, help="the checks, as pytest's -k selects them")
    parser.add_argument("--kubernetes-version", default=releases.DEFAULT_KUBERNETES)
    parser.add_argument("--ip-family", choices=releases.IP_FAMILIES, default="ipv4")
    parser.add_argument("pytest_options", nargs="*", help="more options for every step (after --)")
    args = parser.parse_args(argv)
    try:
        good, bad = coredns_release(args.good), coredns_release(args.bad)
        candidates = releases_between(good, bad)
    except (ValueError, BuildError) as err:
        print(f"bisect: error: {str(err).splitlines()[0]}", file=sys.stderr)
        return 2
    say(f"{len(candidates)} releases from {good} to {bad}: {' '.join(candidates)}")
    interrupt_on_termination()
    try:
        record = ensure_build(args.kubernetes_version, say)
    except ProviderError as err:
        print(f"bisect: error: {err}", file=sys.stderr)
        return 2
    cluster = OneCluster(CLUSTER, record.kind, args.kubernetes_version, ROOT / "reports" / "bisect-logs", say,
                         args.ip_family)
    cells: dict[str, Cell] = {}

    def step(release: str) -> Outcome | None:
        try:
            ensure_coredns(release, say)
        except ProviderError as err:
            say(f"{release}: cannot be tested: {err}")
            return None
        say(f"{release}: running the checks -k {args.expression!r}")
        status, cell, seconds = cluster.run(f"bisect-{release}", ["-k", args.expression, "--coredns-version", release,
                                                                  *args.pytest_options])
        cells[release] = cell
        got = outcome_of(cell)
        say(f"{release}: {shown(got)} (exit {status}, {seconds:.0f} s)" + (f": {cell.error}" if cell.error else ""))
        return got

    try:
        found: Found[Outcome] = bisect(candidates, step)
    except NoChange as err:
        say(str(err))
        return 1
    except ValueError as err:
        print(f"bisect: error: {err}", file=sys.stderr)
        return 2
    finally:
        cluster.close()
    notes = plugin_notes(found.first_changed)
    lines = [f"first release whose outcome differs from {good}'s: {found.first_changed}"
             f" (the last with {good}'s outcome: {found.last_good})"]
    if found.untested:
        lines.append(f"  the change may also be in {', '.join(found.untested)}, which could not be tested")
    for release in (found.last_good, found.first_changed):
        lines += [f"  at {release}:", *details(cells[release])]
    lines.append(f"  the kubernetes plugin in {found.first_changed}'s notes:" if notes else
                 f"  {found.first_changed}'s notes say nothing of the kubernetes plugin")
    lines += [f"    {line}" for line in notes]
    lines.append(f"  tested {len(found.outcomes)} of {len(candidates)} releases: "
                 + ", ".join(f"{r} {shown(o)}" for r, o in found.outcomes.items()))
    print("\n".join(lines))
    (ROOT / "reports" / "bisect.json").write_text(json.dumps({
        "good": good, "bad": bad, "expression": args.expression, "kubernetes": args.kubernetes_version,
        "ip_family": args.ip_family, "releases": candidates, "first_changed": found.first_changed,
        "last_good": found.last_good, "untested": found.untested, "notes": notes,
        "outcomes": {r: shown(o) for r, o in found.outcomes.items()}}, indent=1) + "\n")
    return 0
