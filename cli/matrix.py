"""The matrix: the whole suite on a fresh kind cluster per cell (Kubernetes version × IP family,
and, with --coredns-versions, × CoreDNS release swapped in), one cell after another; a cell that
fails, even to make its cluster, never stops the others. Then reports/matrix.html and
reports/matrix.json from the cells' results (each run's <name>.json).

    headless-conformance matrix run [--versions 1.34 1.37] [--families ipv4 dual] [--compare-with FILE]
                                    [--coredns-versions v1.11.1 v1.12.0] [-- PYTEST OPTIONS]
    headless-conformance matrix run --cells 1.34/ipv6 1.37/dual/v1.12.0  # exactly these cells
    headless-conformance matrix assemble reports/matrix-*.json [--expect-all] [--out DIR] [--compare-with FILE]
    headless-conformance matrix plan                                  # the supported cells as JSON, for CI

`assemble` is what CI's last job runs on the cells' files (with --expect-all, a cell whose job wrote
nothing shows as not run); `run` ends with it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from cli.suite import run_suite
from common.images import coredns_release
from common.markdown import replace_section
from common.progress import speaker
from common.releases import IP_FAMILIES, SUPPORTED_MINORS
from common.signals import interrupt_on_termination
from headless_conformance.results.cells import Cell, cell_name
from headless_conformance.results.conformance import exit_status
from headless_conformance.results.matrix import assemble, previous_outcomes, release_changes_markdown
from headless_conformance.results.matrix_page import write

ROOT = Path(__file__).resolve().parent.parent

SUPPORTED_VERSIONS = tuple(f"1.{m}" for m in SUPPORTED_MINORS)
DNS_PATHS = ("cluster-dns", "node-local")
REPORTS = ROOT / "reports"


say = speaker("matrix", on_stdout=True)


def run_cell(version: str, family: str, coredns: str, extra: list[str], dns_path: str = "") -> Cell:
    """The suite on a fresh cluster of `version` and `family` (with CoreDNS `coredns` swapped in,
    unless '', and `dns_path` its pods' DNS path, unless ''); its cell (with the error when it made none)."""
    name = cell_name(version, family, coredns, dns_path)
    where = "/".join(filter(None, (version, family, coredns, dns_path)))
    log = REPORTS / f"{name}.log"
    say(f"{where}: running (log {log.relative_to(ROOT)})")
    result = run_suite(name, ["-n", "4", "-v", "--kubernetes-version", version, "--ip-family", family,
                              "--cluster-name", f"hc-matrix-{version.replace('.', '-')}-{family}",
                              *(["--coredns-version", coredns] if coredns else []),
                              *(["--dns-path", dns_path] if dns_path else []), *extra], log, say, where)
    if result.cell is not None:
        return result.cell
    missing = Cell.missing(version, family, result.error, report=log.name, seconds=round(result.seconds, 1),
                           coredns=coredns, dns_path=dns_path)
    (REPORTS / f"{name}.json").write_text(missing.to_json())  # a later `assemble` of the cells' files shows it
    return missing


def cells_wanted(args: argparse.Namespace) -> list[tuple[str, str, str, str]]:
    """(version, family, CoreDNS release or '', DNS path or '') of each cell: the --cells given, or
    every --versions × --families (× --coredns-versions × --dns-paths)."""
    if args.cells:
        return [_cell_parts(c) for c in args.cells]
    releases = args.coredns_versions or [""]
    paths = ["" if p == "cluster-dns" else p for p in args.dns_paths]
    return [(v, f, r, p) for v in args.versions for f in args.families for r in releases for p in paths]


def _cell_parts(cell: str) -> tuple[str, str, str, str]:
    version, family, *rest = cell.split("/")
    path = rest.pop() if rest and rest[-1] in DNS_PATHS else ""
    return version, family, (rest or [""])[0], path


def a_release(text: str) -> str:
    try:
        return coredns_release(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"{text!r}: {err}") from None


def a_cell(text: str) -> str:
    version, family, release, path = _cell_parts(text) if text.count("/") >= 1 else (text, "", "", "")
    if family not in IP_FAMILIES or not re.fullmatch(r"1\.\d+", version):
        raise argparse.ArgumentTypeError(f"{text!r}: a cell is VERSION/FAMILY[/COREDNS][/node-local], e.g. "
                                         "1.34/dual, 1.37/ipv4/v1.12.0 or 1.37/ipv4/node-local")
    return "/".join(filter(None, (version, family, release and a_release(release), path)))


def assemble_to(cells: list[Cell], out: Path, compare_with: Path | None, releases_table: Path | None = None) -> int:
    previous = previous_outcomes(compare_with.read_text()) if compare_with else None
    matrix = assemble(cells, previous)
    page, data = write(matrix, out)
    if releases_table is not None:
        replace_section(releases_table, "coredns-releases", release_changes_markdown(matrix))
        say(f"the checks that change across releases: in {releases_table}")
    missing = sum(bool(c.error) for c in cells)
    say(f"{matrix.everywhere} of {len(matrix.rows)} checks pass everywhere they ran, across {len(cells)} cells"
        f"{f' ({missing} not run)' if missing else ''}; {sum(r.disagree for r in matrix.rows)} rows disagree")
    say(f"page: {page}, data: {data}")
    bad = [c for c in cells if c.error or exit_status(c.verdict()) != 0]  # the verdict's, as each cell's run said
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="headless-conformance matrix", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run every cell, then assemble")
    run.add_argument("--versions", nargs="+", default=list(SUPPORTED_VERSIONS))
    run.add_argument("--families", nargs="+", choices=IP_FAMILIES, default=list(IP_FAMILIES))
    run.add_argument("--coredns-versions", nargs="+", type=a_release, default=[], metavar="X.Y.Z",
                     help="a third axis: each cell once per CoreDNS release, built here and swapped in")
    run.add_argument("--dns-paths", nargs="+", choices=DNS_PATHS, default=["cluster-dns"],
                     help="another axis: each cell once per DNS path its pods use (node-local: a NodeLocal DNSCache)")
    run.add_argument("--cells", nargs="+", type=a_cell, metavar="VERSION/FAMILY[/COREDNS][/node-local]",
                     help="exactly these cells, instead of every --versions × --families (× --coredns-versions "
                          "× --dns-paths)")
    run.add_argument("--compare-with", type=Path, default=None, help="matrix.json of an earlier run")
    run.add_argument("--releases-table", type=Path, default=None, metavar="MARKDOWN",
                     help="put the table of checks whose outcome changes across releases into this file's "
                          "coredns-releases section (e.g. docs/matrix.md)")
    run.add_argument("extra", nargs="*", help="more pytest options for every cell (after --)")
    join = sub.add_parser("assemble", help="the page and JSON from cells' result files")
    join.add_argument("files", nargs="*", type=Path, metavar="CELL_JSON")
    join.add_argument("--out", type=Path, default=REPORTS)
    join.add_argument("--compare-with", type=Path, default=None, help="matrix.json of an earlier run")
    join.add_argument("--releases-table", type=Path, default=None, metavar="MARKDOWN",
                      help="as for run: the coredns-releases section of this file")
    join.add_argument("--expect", nargs="+", type=a_cell, default=[], metavar="VERSION/FAMILY",
                      help="cells that must be there: one that wrote no file shows as not run")
    join.add_argument("--expect-all", action="store_true",
                      help="expect every supported version × IP family (what `run` runs by default)")
    sub.add_parser("plan", help="every supported version × IP family, as JSON (the CI workflow's matrix)")
    args = parser.parse_args(argv)
    if args.command == "plan":
        # every version × family through the kube-dns Service, and the newest through a NodeLocal DNSCache too
        print(json.dumps({"kubernetes": list(SUPPORTED_VERSIONS), "family": list(IP_FAMILIES),
                          "dns_path": ["cluster-dns"], "include": [
                              {"kubernetes": SUPPORTED_VERSIONS[-1], "family": "ipv4", "dns_path": "node-local"}]}))
        return 0
    if args.command == "assemble":
        try:
            cells = [Cell.load(path) for path in args.files]
        except (OSError, ValueError, TypeError) as err:
            print(f"matrix: error: {err}", file=sys.stderr)
            return 2
        every = [f"{v}/{f}" for v in SUPPORTED_VERSIONS for f in IP_FAMILIES]
        expected = args.expect + (every if args.expect_all else [])
        found = {cell.key for cell in cells}
        cells += [Cell.missing(*key.split("/"), "the cell wrote no results (see its job's log)")
                  for key in dict.fromkeys(expected) if key not in found]
        if not cells:
            print("matrix: error: no cell files given, and none expected", file=sys.stderr)
            return 2
        return assemble_to(cells, args.out, args.compare_with, args.releases_table)
    interrupt_on_termination()
    cells = []
    for version, family, coredns, path in cells_wanted(args):
        cell = run_cell(version, family, coredns, args.extra, path)
        cells.append(cell)
        say(cell.summary())
        for line in cell.failures():  # so that a log that shows only this output still says what went wrong
            say(f"  {line}")
    return assemble_to(cells, REPORTS, args.compare_with, args.releases_table)
