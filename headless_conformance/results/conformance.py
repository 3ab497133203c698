"""A run's verdict: for each level, whether the cluster meets it, the MUST statements it breaks (with
the checks that showed it and what they saw), its SHOULDs apart, and which of the failures are known
bugs of the running server, with the release that fixes them.

A known bug is a violation all the same: it fails the run unless the user accepted known bugs, and is
listed either way. The exit status comes from here alone, so that the terminal, the report, the
results file and the matrix page say the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html import escape
from typing import Protocol

from headless_conformance.checking.propagation import Freshness
from headless_conformance.checking.rules import (
    LEVEL_TITLES,
    LEVELS,
    MCS_SCHEMA,
    SCHEMA,
    SHOULD,
    STATEMENT_LEVELS,
    statement,
)

EVERY_MUST_MET = 0
VIOLATED = 1  # a MUST of the specification or an RFC, or a check of another level, failed
ONLY_SHOULD_FAILED = 8
TOO_SLOW = 9  # every record right, but DNS took longer than the freshness budget to follow the API
FRESHNESS = "freshness"

FAILED = ("failed", "xpassed")
UNDECIDED = ("error",)
ACCEPTED = "xfailed"  # a known bug, accepted for this run


class Result(Protocol):
    """What the verdict reads of a check's result (headless_conformance.results.matrix.Check)."""

    level: str
    outcome: str
    message: str
    strength: str
    statements: tuple[str, ...]
    rule: str
    known_bug: str


@dataclass(frozen=True)
class Seen:
    """One check that failed: what it saw, and the known bug it showed, if any."""

    check: str
    message: str
    known_bug: str = ""  # e.g. "coredns/coredns#6898, CoreDNS v1.11.4 to v1.12.0: upgrade to v1.12.1 or later"
    accepted: bool = False


@dataclass(frozen=True)
class Broken:
    """A rule (the statements a check names, or a behaviour) that failed, with every check that showed it."""

    key: str
    strength: str  # MUST or SHOULD for spec and rfc; "" for the other levels
    says: str
    seen: tuple[Seen, ...]

    @property
    def known_bugs(self) -> list[str]:
        return sorted({s.known_bug for s in self.seen if s.known_bug})

    @property
    def accepted(self) -> bool:
        return all(s.accepted for s in self.seen)


@dataclass(frozen=True)
class LevelVerdict:
    level: str
    ran: int  # checks that came to an outcome: passed, failed, or failed as an accepted known bug
    broken: tuple[Broken, ...] = ()  # MUSTs, and every failed rule of the levels without strengths
    should: tuple[Broken, ...] = ()
    undecided: tuple[Seen, ...] = ()  # checks that could not run to an outcome (errors)

    budget: float | None = None  # freshness: its budget

    @property
    def title(self) -> str:
        if self.level == FRESHNESS:
            return f"DNS freshness (budget {self.budget:g} s)" if self.budget is not None else "DNS freshness"
        return LEVEL_TITLES.get(self.level, self.level)

    @property
    def violated(self) -> tuple[Broken, ...]:
        """The broken rules that fail the run: all but accepted known bugs."""
        return tuple(b for b in self.broken if not b.accepted)

    def status(self) -> str:
        """CONFORMANT or NOT CONFORMANT (the specification, the RFCs), MET or NOT MET (the other levels),
        UNDECIDED (checks errored, nothing broken) or NOT CHECKED."""
        yes, no = ("CONFORMANT", "NOT CONFORMANT") if self.level in STATEMENT_LEVELS else ("MET", "NOT MET")
        if self.broken:
            return no
        if self.undecided:
            return "UNDECIDED"
        return yes if self.ran else "NOT CHECKED"


def run_verdict(checks: Mapping[str, Result], freshness: Freshness | None = None) -> list[LevelVerdict]:
    """Each level's verdict over the checks that ran, in the levels' order (levels no check was of are
    left out), then freshness: the changes a server reflected later than its budget, and the checks
    whose records were still within a cached answer's TTL at their timeout."""
    verdicts = []
    for level in (*LEVELS, "unlabelled"):
        mine = {name: c for name, c in checks.items() if c.level == level}
        if not mine:
            continue
        broken: dict[tuple[str, str], list[Seen]] = {}
        undecided = []
        ran = 0
        for name, check in sorted(mine.items()):
            if check.outcome in UNDECIDED:
                undecided.append(Seen(name, check.message))
                continue
            if check.outcome in ("passed", *FAILED, ACCEPTED):
                ran += 1
            if check.outcome in FAILED or check.outcome == ACCEPTED:
                key = ", ".join(check.statements) if check.statements else check.rule or name
                broken.setdefault((key, check.strength), []).append(
                    Seen(name, check.message, check.known_bug, check.outcome == ACCEPTED))
        rules = [Broken(key, strength, _says(key), tuple(seen))
                 for (key, strength), seen in sorted(broken.items())]
        verdicts.append(LevelVerdict(level, ran, tuple(b for b in rules if b.strength != SHOULD),
                                     tuple(b for b in rules if b.strength == SHOULD), tuple(undecided)))
    undecided_records = {name: c for name, c in checks.items() if c.level == FRESHNESS and c.outcome in FAILED}
    if freshness is not None or undecided_records:
        verdicts.append(_freshness(freshness, undecided_records))
    return verdicts


def _freshness(freshness: Freshness | None, undecided: Mapping[str, Result]) -> LevelVerdict:
    late = freshness.late() if freshness is not None else []
    broken = [Broken(f"{r.what} ({r.check.rsplit('::', 1)[-1]})", "", "", tuple(
        Seen(r.check, f"{server}: {lag:.2f} s after the API showed it")
        for server, lag in sorted(r.servers.items(), key=lambda x: -x[1]) if freshness and lag > freshness.budget))
        for r in late]
    broken += [Broken(name.rsplit("::", 1)[-1], "", "records undecided at the timeout", (Seen(name, c.message),))
               for name, c in sorted(undecided.items())]
    measured = len(freshness.reflected) + freshness.already if freshness is not None else 0
    return LevelVerdict(FRESHNESS, measured, tuple(broken), budget=freshness.budget if freshness else None)


def _says(key: str) -> str:
    """What the statements a spec or rfc check names say; "" for a behaviour."""
    return "; ".join(s.says for s in map(statement, key.split(", ")) if s is not None)


def exit_status(verdicts: Iterable[LevelVerdict]) -> int:
    """0 every MUST met (known bugs accepted count as met, and are listed); 1 a MUST violated, known
    bug or not, a check of another level failed, or a check could not run; 9 every record right, but
    DNS slower than the freshness budget; 8 only SHOULDs failed."""
    verdicts = list(verdicts)
    if any(v.violated or v.undecided for v in verdicts if v.level != FRESHNESS):
        return VIOLATED
    if any(v.broken for v in verdicts if v.level == FRESHNESS):
        return TOO_SLOW
    if any(v.should for v in verdicts):
        return ONLY_SHOULD_FAILED
    return EVERY_MUST_MET


def _level_title(v: LevelVerdict) -> str:
    if v.level in ("spec", "mcs"):
        return f"{v.title} (schema {SCHEMA if v.level == 'spec' else MCS_SCHEMA})"
    return v.title


def _level_counts(v: LevelVerdict) -> str:
    if v.level == FRESHNESS:
        late = f"; {len(v.broken)} late or undecided" if v.broken else ""
        return f"{v.ran} change{'s' if v.ran != 1 else ''} measured{late}"
    counts = [f"{v.ran} check{'s' if v.ran != 1 else ''}"]
    if v.broken:
        must = "MUST" if v.level in STATEMENT_LEVELS else "rule"
        counts.append(f"{len(v.broken)} {must}{'s' if len(v.broken) != 1 else ''} violated")
        known = sum(1 for b in v.broken if b.known_bugs)
        if known:
            counts.append(f"{known} of them {'a known bug' if known == 1 else 'known bugs'}")
    if v.should:
        counts.append(f"{len(v.should)} SHOULD{'s' if len(v.should) != 1 else ''} not met")
    if v.undecided:
        counts.append(f"{len(v.undecided)} could not run")
    return "; ".join(counts)


def _broken_lines(b: Broken, indent: str = "  ") -> list[str]:
    head = f"{b.key} {b.strength}" if b.strength else b.key
    lines = [f"{indent}✗ {head}{': ' + b.says if b.says else ''}"]
    for seen in b.seen:
        lines.append(f"{indent}  {seen.check}: {_what_was_seen(seen.message)}")
    for bug in b.known_bugs:
        accepted = " (accepted for this run)" if b.accepted else ""
        lines.append(f"{indent}  known bug{accepted}: {bug}")
    return lines


def _what_was_seen(message: str, width: int = 240) -> str:
    """A failure's headline cut to what the servers answered, where it says what was awaited first
    (headless_conformance.results.matrix.headline), and to one screen line."""
    seen = message.split("…: ", 1)[1] if "…: " in message else message
    kind = message.split(": ", 1)[0] if "…: " in message and ": " in message else ""
    text = f"{kind}: {seen}" if kind and not seen.startswith(kind) else seen or "failed"
    return text if len(text) <= width else text[:width - 1] + "…"


def verdict_lines(verdicts: list[LevelVerdict]) -> list[str]:
    """The verdict block: a line per level, then each violated MUST with its checks and what they
    saw, the SHOULDs not met, the checks that could not run; last, what the exit status means."""
    lines = [f"{_level_title(v)}: {v.status()} ({_level_counts(v)})" for v in verdicts]
    lines += _details(verdicts)
    lines.append(_exit_line(verdicts))
    return lines


def _details(verdicts: list[LevelVerdict]) -> list[str]:
    lines = []
    for v in verdicts:
        if v.broken and v.level == FRESHNESS:
            lines.append(f"{v.title}, changes reflected late (records right, but slower than the budget):")
            lines += [line for b in v.broken for line in _broken_lines(b)]
        elif v.broken:
            lines.append(f"{v.title}, {'MUST' if v.level in ('spec', 'rfc') else 'rules'} violated:")
            lines += [line for b in v.broken for line in _broken_lines(b)]
        if v.should:
            lines.append(f"{v.title}, SHOULD not met (the cluster still meets every MUST of it):")
            lines += [line for b in v.should for line in _broken_lines(b)]
        if v.undecided:
            lines.append(f"{v.title}, could not run to an outcome:")
            lines += [f"    {s.check}: {s.message or 'error'}" for s in v.undecided]
    return lines


def _exit_line(verdicts: list[LevelVerdict]) -> str:
    status = exit_status(verdicts)
    broken = [b for v in verdicts for b in v.broken]
    accepted = [b for b in broken if b.accepted]
    if status == EVERY_MUST_MET:
        if accepted:
            return (f"exit {status}: nothing failed but {len(accepted)} known bug{'s' if len(accepted) != 1 else ''}, "
                    "accepted by --accept-known-bugs (listed above)")
        return f"exit {status}: every check met its rule"
    if status == ONLY_SHOULD_FAILED:
        return f"exit {status}: every MUST checked is met; only SHOULDs are not"
    if status == TOO_SLOW:
        return f"exit {status}: every record is right, but DNS followed the API slower than the freshness budget"
    why = []
    violated = [b for v in verdicts for b in v.violated]
    if violated:
        known = sum(1 for b in violated if b.known_bugs)
        why.append(f"{len(violated)} rule{'s' if len(violated) != 1 else ''} violated"
                   + (f" ({known} known bug{'s' if known != 1 else ''}: --accept-known-bugs accepts "
                      f"{'them' if known != 1 else 'it'})" if known else ""))
    undecided = sum(len(v.undecided) for v in verdicts)
    if undecided:
        why.append(f"{undecided} check{'s' if undecided != 1 else ''} could not run")
    return f"exit {status}: {'; '.join(why)}"


def verdict_dict(verdicts: list[LevelVerdict]) -> dict[str, object]:
    """The verdict for the results file and the matrix page."""
    return {"schema": SCHEMA, "exit_status": exit_status(verdicts), "levels": [
        {"level": v.level, "status": v.status(), "checks": v.ran,
         "violated": [_broken_dict(b) for b in v.broken], "should": [_broken_dict(b) for b in v.should],
         "undecided": [{"check": s.check, "message": s.message} for s in v.undecided]} for v in verdicts]}


def _broken_dict(b: Broken) -> dict[str, object]:
    return {"rule": b.key, "strength": b.strength, "says": b.says, "known_bugs": b.known_bugs, "accepted": b.accepted,
            "checks": [{"check": s.check, "message": s.message} for s in b.seen]}



def verdict_html(verdicts: list[LevelVerdict]) -> str:
    """The verdict block for the report's head: each level's status, then what broke it."""
    rows = "".join(f"<li><b style='color:{_COLOURS[v.status()]}'>{escape(v.status())}</b> {escape(_level_title(v))} "
                   f"({escape(_level_counts(v))})</li>" for v in verdicts)
    details = _details(verdicts)
    return (f"<div id='verdict'><h2>Verdict</h2><ul>{rows}</ul>"
            + (f"<pre>{escape(chr(10).join(details))}</pre>" if details else "")
            + f"<p>{escape(_exit_line(verdicts))}</p></div>")


_COLOURS = {"CONFORMANT": "#2e7d32", "MET": "#2e7d32", "NOT CONFORMANT": "#c62828", "NOT MET": "#c62828",
            "UNDECIDED": "#ef6c00", "NOT CHECKED": "#555"}
