"""The matrix: the whole suite on a fresh kind cluster per cell (Kubernetes version × IP family),
one cell after another; a cell that fails, even to make its cluster, never stops the others. Then
reports/matrix.html and reports/matrix.json from the cells' results (each run's <name>.json).

    scripts/matrix run [--versions 1.34 1.37] [--families ipv4 dual] [--compare-with FILE] [-- PYTEST OPTIONS]
    scripts/matrix assemble reports/matrix-*.json [--out DIR] [--compare-with FILE]

`assemble` is what CI's last job runs on the cells' files; `run` ends with it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common.releases import SUPPORTED_MINORS  # noqa: E402
from common.signals import interrupt_on_termination, shielded  # noqa: E402
from headless_conformance.matrix import Cell, assemble, previous_outcomes, write  # noqa: E402

FAMILIES = ("ipv4", "ipv6", "dual")
REPORTS = ROOT / "reports"
PROGRESS_EVERY_S = 30.0


def say(text: str) -> None:
    print(f"[matrix] {text}", flush=True)


def run_cell(version: str, family: str, extra: list[str]) -> Cell:
    """The suite on a fresh cluster of `version` and `family`; its cell (with the error when it made none)."""
    name = f"matrix-{version}-{family}"
    result, log = REPORTS / f"{name}.json", REPORTS / f"{name}.log"
    result.unlink(missing_ok=True)
    argv = [sys.executable, "-m", "pytest", "suites", "-n", "4", "--kubernetes-version", version,
            "--ip-family", family, "--cluster-name", f"hc-matrix-{version.replace('.', '-')}-{family}",
            "--report-name", name, *extra]
    say(f"{version}/{family}: running (log {log.relative_to(ROOT)})")
    started = last_note = time.monotonic()
    progress = ""
    with log.open("w", buffering=1) as out:  # line by line, so the log can be followed while the cell runs
        proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                start_new_session=True)
        assert proc.stdout is not None
        try:
            for line in proc.stdout:
                out.write(line)
                found = re.search(r"\[\s*\d+%\]|\[headless-conformance\] .*|\[imagebuild\] .*", line)
                progress = found.group(0)[:100] if found else progress
                if time.monotonic() - last_note >= PROGRESS_EVERY_S:
                    say(f"{version}/{family}: {time.monotonic() - started:.0f} s: {progress}")
                    last_note = time.monotonic()
            code = proc.wait()
        except BaseException:
            with shielded():  # the cell's own run deletes its cluster when asked to stop
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(180)
            raise
    if result.exists():
        return Cell.load(result)
    errors = [ln for ln in log.read_text().splitlines() if ln.startswith("ERROR:") or "error:" in ln]
    why = errors[-1] if errors else f"the run exited {code} without results"
    return Cell(name=name, kubernetes=version, ip_family=family, node_image="", kind="", coredns="",
                report=log.name, seconds=round(time.monotonic() - started, 1), error=why[:300])


def assemble_to(cells: list[Cell], out: Path, compare_with: Path | None) -> int:
    previous = previous_outcomes(compare_with.read_text()) if compare_with else None
    matrix = assemble(cells, previous)
    page, data = write(matrix, out)
    missing = sum(bool(c.error) for c in cells)
    say(f"{matrix.everywhere} of {len(matrix.rows)} checks pass everywhere across {len(cells)} cells"
        f"{f' ({missing} not run)' if missing else ''}; {sum(r.disagree for r in matrix.rows)} rows disagree")
    say(f"page: {page}, data: {data}")
    bad = [c for c in cells if c.error or any(x.outcome in ("failed", "error", "xpassed") for x in c.checks.values())]
    return 1 if bad else 0


def main() -> int:
    parser = argparse.ArgumentParser(prog="scripts/matrix", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run every cell, then assemble")
    run.add_argument("--versions", nargs="+", default=[f"1.{m}" for m in SUPPORTED_MINORS])
    run.add_argument("--families", nargs="+", choices=FAMILIES, default=list(FAMILIES))
    run.add_argument("--compare-with", type=Path, default=None, help="matrix.json of an earlier run")
    run.add_argument("extra", nargs="*", help="more pytest options for every cell (after --)")
    join = sub.add_parser("assemble", help="the page and JSON from cells' result files")
    join.add_argument("cells", nargs="+", type=Path)
    join.add_argument("--out", type=Path, default=REPORTS)
    join.add_argument("--compare-with", type=Path, default=None, help="matrix.json of an earlier run")
    args = parser.parse_args()
    if args.command == "assemble":
        try:
            cells = [Cell.load(path) for path in args.cells]
        except (OSError, ValueError, TypeError) as err:
            print(f"matrix: error: {err}", file=sys.stderr)
            return 2
        return assemble_to(cells, args.out, args.compare_with)
    interrupt_on_termination()
    cells = []
    for version in args.versions:
        for family in args.families:
            cell = run_cell(version, family, args.extra)
            cells.append(cell)
            say(cell.summary())
    return assemble_to(cells, REPORTS, args.compare_with)


if __name__ == "__main__":
    sys.exit(main())
