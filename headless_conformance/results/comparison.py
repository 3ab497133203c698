"""This suite beside upstream's e2e specs on one cluster, as Markdown: healthy (wall time, checks,
checks per minute) and under each fault (which suite noticed it, and how)."""

from __future__ import annotations

import re

from headless_conformance.checking.rules import check_id
from headless_conformance.results.run_output import Outcome


def table(healthy: list[Outcome], faulted: dict[str, list[Outcome]], version: str, described: dict[str, str],
          fault_procs: int = 4) -> str:
    """The comparison as Markdown, from the outcomes alone (`described`: what each fault does)."""
    lines = [f"Kubernetes {version}, one 2-node kind cluster, both suites with 4 processes:", "",
             "| suite | checks run | passed | wall | checks per minute |", "| --- | --- | --- | --- | --- |"]
    for o in healthy:
        rate = f"{o.ran / (o.seconds / 60):.1f}" if o.seconds else "n/a"
        lines.append(f"| {o.suite} | {o.ran} | {o.passed} | {o.seconds:.0f} s | {rate} |")
    if len(healthy) == 2 and all(o.seconds and o.ran for o in healthy):
        ours, theirs = (o.ran / o.seconds for o in healthy)
        lines += ["", f"Checks per minute, this suite over upstream's: {ours / theirs:.1f}×; wall time, "
                      f"upstream's over this suite's: {healthy[1].seconds / healthy[0].seconds:.1f}×."]
    if faulted:
        procs = f" (upstream with {fault_procs} processes)" if fault_procs != 4 else ""
        lines += ["", f"Under each fault, applied to every namespace's Services{procs}; a suite notices a fault "
                      "when any of its checks fails. This suite's failures are counted by their check's level, "
                      "and apart when they failed in setup, before any record was probed:", "",
                  "| fault | what it does | this suite | upstream e2e |", "| --- | --- | --- | --- |"]
        for name, outcomes in faulted.items():
            cells = []
            for o in outcomes:
                if o.error:
                    cells.append(f"did not run ({o.error[:60]})")
                elif o.failed:
                    first = short_name(o.failures[0]) if o.failures else ""
                    more = f" and {o.failed - 1} more" if o.failed > 1 else ""
                    kinds = [f"{n} {lv}" for lv, n in o.failed_levels.items()]
                    kinds += [f"{o.setup_errors} in setup"] if o.setup_errors else []
                    by_kind = f": {', '.join(kinds)}" if kinds else ""  # this suite's; upstream's specs have no level
                    cells.append(f"**noticed**: {o.failed} of {o.ran} failed{by_kind} ({first}{more})")
                else:
                    cells.append(f"missed (0 of {o.ran} failed)")
            what = described.get(name, "").replace("<", "&lt;").replace(">", "&gt;")
            lines.append(f"| `{name}` | {what} | {' | '.join(cells)} |")
        neither = [n for n, os in faulted.items() if not any(o.failed for o in os)]
        lines += ["", f"Noticed by neither: {', '.join(f'`{n}`' for n in neither) or 'none'}."]
    return "\n".join(lines) + "\n"


def short_name(check: str) -> str:
    """A check's name for the table: pytest's test name, or upstream's spec text, shortened."""
    name = check_id(check).split("::")[-1]
    name = re.sub(r"^\[sig-[a-z]+\] ", "", name)
    return f"`{name[:70]}{'…' if len(name) > 70 else ''}`"
