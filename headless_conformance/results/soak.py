"""A soak: the same suite run again and again against one cluster, each check's outcomes counted.

A check is flaky when its outcome changes between runs with nothing changed: its flips (changes
from one run to the next) over the runs it had, and the outcomes it had, say how much. The runs'
durations show what the machine did meanwhile.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field

from headless_conformance.results.cells import Cell

__all__ = ["CheckRecord", "Soak", "soak_of"]

STEADY = ("passed", "xfailed", "skipped")  # outcomes that are no failure


@dataclass
class CheckRecord:
    level: str
    outcomes: list[str] = field(default_factory=list)  # one per run, "absent" where the run had no result
    messages: list[str] = field(default_factory=list)  # the failures' first lines, one per failed run

    @property
    def flips(self) -> int:
        return sum(a != b for a, b in zip(self.outcomes, self.outcomes[1:], strict=False))

    @property
    def flip_rate(self) -> float:
        return self.flips / (len(self.outcomes) - 1) if len(self.outcomes) > 1 else 0.0

    @property
    def failures(self) -> int:
        return sum(o not in STEADY for o in self.outcomes)


@dataclass
class Soak:
    runs: list[dict[str, object]]  # name, seconds, outcome counts
    checks: dict[str, CheckRecord]

    @property
    def seconds(self) -> list[float]:
        return [float(r["seconds"]) for r in self.runs]  # type: ignore[arg-type]

    def unsteady(self) -> dict[str, CheckRecord]:
        """The checks that failed at least once or changed outcome, worst first."""
        found = {c: r for c, r in self.checks.items() if r.flips or r.failures}
        return dict(sorted(found.items(), key=lambda item: (-item[1].failures, -item[1].flips, item[0])))

    def as_dict(self) -> dict[str, object]:
        return {"runs": self.runs, "checks": {c: {"level": r.level, "outcomes": r.outcomes, "flips": r.flips,
                                                  "flip_rate": round(r.flip_rate, 3), "messages": r.messages}
                                              for c, r in sorted(self.checks.items())}}

    def markdown(self) -> str:
        seconds = self.seconds
        lines = [f"{len(self.runs)} runs of {len(self.checks)} checks; each run took "
                 + (f"{min(seconds):.0f}–{max(seconds):.0f} s (median {statistics.median(seconds):.0f} s)"
                    if seconds else "nothing") + ".", ""]
        lines += ["| run | seconds | outcomes |", "| --- | --- | --- |"]
        lines += [f"| {r['name']} | {float(r['seconds']):.0f} | "  # type: ignore[arg-type]
                  + ", ".join(f"{n} {o}" for o, n in sorted(dict(r["counts"]).items())) + " |"  # type: ignore[call-overload]
                  for r in self.runs]
        unsteady = self.unsteady()
        lines += ["", "| check | level | failed | flips (rate) | outcomes | first failure |",
                  "| --- | --- | --- | --- | --- | --- |"]
        if not unsteady:
            lines.append(f"| every check | | 0 of {len(self.runs)} | 0 | the same in every run | |")
        for check, record in unsteady.items():
            counts = ", ".join(f"{n} {o}" for o, n in sorted(Counter(record.outcomes).items()))
            first = record.messages[0].replace("|", "\\|")[:160] if record.messages else ""
            lines.append(f"| `{check}` | {record.level} | {record.failures} of {len(record.outcomes)} | "
                         f"{record.flips} ({record.flip_rate:.2f}) | {counts} | {first} |")
        return "\n".join(lines) + "\n"


def soak_of(cells: list[Cell]) -> Soak:
    """The soak of these runs, in their order; a check missing from a run counts as `absent` there."""
    names = sorted({c for cell in cells for c in cell.checks})
    checks: dict[str, CheckRecord] = {}
    for name in names:
        record = checks[name] = CheckRecord(level=next(cell.checks[name].level for cell in cells
                                                       if name in cell.checks))
        for cell in cells:
            result = cell.checks.get(name)
            record.outcomes.append(result.outcome if result else "absent")
            if result and result.outcome not in STEADY:
                record.messages.append(f"run {cell.name}: {result.message}")
    runs = [{"name": cell.name, "seconds": cell.seconds, "counts": cell.counts()} for cell in cells]
    return Soak(runs, checks)
