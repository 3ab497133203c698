"""Where a run's time goes: pytest's per-phase durations read from its output, and the benchmark's
table written from one run (the speed section of docs/measurements.md), so that the figures people
read are the figures one run measured."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)s (setup|call|teardown)\s+(\S+)")


@dataclass
class Durations:
    """Each test's seconds by phase (pytest --durations=0); setup holds the scenario rollouts its
    fixtures did for it, so a module's first test carries its scenario."""

    phases: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(sum(p.values()) for p in self.phases.values())

    def phase_total(self, phase: str) -> float:
        return sum(p.get(phase, 0.0) for p in self.phases.values())

    def longest(self, phase: str, n: int) -> list[tuple[str, float]]:
        ranked = sorted(((test, p[phase]) for test, p in self.phases.items() if phase in p), key=lambda t: -t[1])
        return ranked[:n]


def durations_of(output: str) -> Durations:
    """The durations pytest printed (with --durations=0); phases under --durations-min are absent."""
    found = Durations()
    for line in output.splitlines():
        if m := DURATION.match(line):
            found.phases.setdefault(m[3], {})[m[2]] = float(m[1])
    return found


@dataclass
class Row:
    label: str
    seconds: float
    note: str = ""
    workers: int | None = None  # None: not a run of the suite
    fault: str = ""  # a run under this fault, compared with the healthy run of as many workers
    polls: dict[str, float] = field(default_factory=dict)  # its DNS polls (propagation.PollFigures.figures)


def polls_shown(polls: dict[str, float]) -> str:
    """'45 / 178 ms; 7 polls (max 31)': a run's probe round trip (median / 95th percentile) and polls
    per expectation (median, max)."""
    parts = []
    if "round_trip_median_ms" in polls:
        parts.append(f"{polls['round_trip_median_ms']:g} / {polls['round_trip_p95_ms']:g} ms")
    if "polls_median" in polls:
        parts.append(f"{polls['polls_median']:g} polls (max {polls['polls_max']:g})")
    return "; ".join(parts)


def short_name(nodeid: str) -> str:
    """`suites/test_x.py::test_y[ipv4]` → `test_y[ipv4]`: the check reads as its scenario."""
    return nodeid.rsplit("::", 1)[-1]


def speed_markdown(rows: list[Row], durations: Durations | None, heading: str) -> str:
    """The benchmark's table (each healthy suite run against the serial one, each faulted run against
    the healthy run of as many workers) and where the serial run's time went: the phases' sums, the
    longest checks and the longest setups."""
    healthy = {r.workers: r.seconds for r in rows if r.workers is not None and not r.fault}
    lines = [heading, "", "| what | wall | vs serial | DNS poll round trip (median / p95); polls per expectation "
             "| outcomes |", "| --- | --- | --- | --- | --- |"]
    for row in rows:
        ratio = ""
        if not row.seconds:  # not measured: the note says why
            lines.append(f"| {row.label} |  |  |  | {row.note} |")
            continue
        if row.fault and row.workers in healthy:
            ratio = f"{row.seconds / healthy[row.workers]:.2f} of `-n {row.workers}`"
        elif row.workers is not None and 0 in healthy:
            ratio = f"{row.seconds / healthy[0]:.2f}"
        lines.append(f"| {row.label} | {row.seconds:.0f} s | {ratio} | {polls_shown(row.polls)} | {row.note} |")
    if durations and durations.phases:
        calls = ", ".join(f"`{short_name(t)}` {s:.0f} s" for t, s in durations.longest("call", 6))
        setups = ", ".join(f"`{short_name(t)}` {s:.0f} s" for t, s in durations.longest("setup", 4))
        lines += ["", f"Where the serial run's time went: its tests' phases add up to {durations.total:.0f} s "
                  f"(setup {durations.phase_total('setup'):.0f} s, the checks themselves "
                  f"{durations.phase_total('call'):.0f} s, teardown {durations.phase_total('teardown'):.0f} s). "
                  f"The longest checks: {calls}. The longest setups (a scenario rolled out for the first check "
                  f"that uses it): {setups}."]
    return "\n".join(lines) + "\n"
