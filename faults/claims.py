"""Whether a run under a fault bore out what the fault says: the levels it keeps green stayed green,
and it failed something (a conformant variant fails no spec or rfc check)."""

from __future__ import annotations

from collections import Counter

from faults import Fault
from headless_conformance.checking.propagation import Freshness
from headless_conformance.results.cells import BAD, Cell
from headless_conformance.results.conformance import FRESHNESS


def failed_by_level(cell: Cell) -> Counter[str]:
    """Failed checks by level, with freshness counting each change reflected later than its budget too."""
    found = Counter(check.level for check in cell.checks.values() if check.outcome in BAD)
    late = len(Freshness.from_dict(cell.freshness).late()) if cell.freshness else 0
    if late:
        found[FRESHNESS] += late
    return found


def broken_claims(fault: Fault, cell: Cell) -> list[str]:
    """What the run under `fault` contradicts of its claims (empty when none)."""
    failed = failed_by_level(cell)
    problems = [f"{n} {level} failed, a level {fault.name} keeps green: " +
                ", ".join(sorted(name.split("::")[-1] for name, c in cell.checks.items()
                                 if c.level == level and c.outcome in BAD))
                for level, n in sorted(failed.items()) if level in fault.green]
    if not fault.conformant and not failed:
        problems.append(f"no check failed under {fault.name}")
    return problems
