"""A run's results as one cell: each check's level, rule, outcome and headline, the run's verdict and
freshness, written as one JSON file next to its report and read back by every command that runs
the suite (matrix, soak, bisect, bench, upstream)."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from headless_conformance.checking.propagation import Freshness
from headless_conformance.checking.rules import LEVELS as RULE_LEVELS
from headless_conformance.results.conformance import LevelVerdict, run_verdict, verdict_dict

SCHEMA = 1
LEVELS = (*RULE_LEVELS, "unlabelled")
OUTCOMES = ("passed", "failed", "error", "skipped", "xfailed", "xpassed", "not run")
GOOD = {"passed"}  # a known bug accepted for the run (xfailed) is still a violation, shown as such
BAD = {"failed", "error", "xpassed"}
MARKS = {"passed": "pass", "failed": "FAIL", "error": "ERROR", "skipped": "n/a", "xfailed": "known bug",
         "xpassed": "XPASS", "not run": "–"}


@dataclass
class Check:
    """One check's result in one run."""

    level: str
    rule: str = ""
    outcome: str = "passed"
    message: str = ""  # the failure's (or skip's) headline
    strength: str = ""  # MUST or SHOULD, for spec and rfc checks
    statements: tuple[str, ...] = ()  # the statements a spec or rfc check names
    known_bug: str = ""  # the known bug of the running server its failure showed, and the release that fixes it


@dataclass
class Cell:
    """One run: which cluster it ran on, and each check's result. `key` names the column across
    nights (minor version and IP family), so that a patch release does not make a new column."""

    name: str
    kubernetes: str
    ip_family: str
    node_image: str
    kind: str
    coredns: str
    report: str  # the run's HTML report, relative to the cell file
    seconds: float = 0.0
    error: str = ""  # why the run produced no results (its cluster could not be made, say)
    checks: dict[str, Check] = field(default_factory=dict)
    dns_swapped: bool = False  # the run swapped this CoreDNS release in: a column of the release axis
    lags: dict[str, float] = field(default_factory=dict)
    """how fast its DNS reflected changes (propagation.Lags.figures)"""
    polls: dict[str, float] = field(default_factory=dict)
    """how fast the suite asked (propagation.PollFigures.figures)"""
    freshness: dict[str, object] = field(default_factory=dict)
    """each change a server was seen behind on (propagation.Freshness.as_dict)"""
    dns_path: str = ""
    """what its pods asked, where not the kube-dns Service: node-local (a NodeLocal DNSCache)"""

    def verdict(self) -> list[LevelVerdict]:
        return run_verdict(self.checks, Freshness.from_dict(self.freshness) if self.freshness else None)

    @property
    def key(self) -> str:
        minor = ".".join(self.kubernetes.lstrip("v").split(".")[:2])
        key = f"{minor}/{self.ip_family}/coredns-{self.coredns}" if self.dns_swapped else f"{minor}/{self.ip_family}"
        return f"{key}/{self.dns_path}" if self.dns_path else key

    @property
    def axis(self) -> tuple[str, str]:
        """The column's place but for its DNS server: releases side by side share it."""
        return (".".join(self.kubernetes.lstrip("v").split(".")[:2]), self.ip_family)

    def counts(self) -> dict[str, int]:
        found = {o: 0 for o in OUTCOMES}
        for check in self.checks.values():
            found[check.outcome] = found.get(check.outcome, 0) + 1
        return {o: n for o, n in found.items() if n}

    @classmethod
    def missing(cls, version: str, family: str, why: str, report: str = "", seconds: float = 0.0,
                coredns: str = "", dns_path: str = "") -> Cell:
        """A cell that has no results: its run failed before any check, or wrote none."""
        return cls(name=cell_name(version, family, coredns, dns_path), kubernetes=version, ip_family=family,
                   node_image="", kind="", coredns=coredns, report=report, seconds=seconds, error=why[:600],
                   dns_swapped=bool(coredns), dns_path=dns_path)

    def summary(self) -> str:
        if self.error:
            return f"{self.key} ({self.kubernetes}): not run: {self.error}"
        counts = ", ".join(f"{n} {o}" for o, n in self.counts().items())
        return f"{self.key} ({self.kubernetes}): {counts} in {self.seconds:.0f} s"

    def failures(self) -> list[str]:
        """A line per check that went wrong: its outcome, its node id and its failure's headline."""
        return [f"{check.outcome}: {node}: {check.message or '(no message)'}"
                for node, check in sorted(self.checks.items()) if check.outcome in BAD]

    def to_json(self) -> str:
        """The cell, with its verdict (headless_conformance.results.conformance) for readers of the file alone."""
        return json.dumps({"schema": SCHEMA, **asdict(self), "verdict": verdict_dict(self.verdict())},
                          indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_dict(cls, data: dict) -> Cell:
        if data.get("schema") != SCHEMA:
            raise ValueError(f"cell schema {data.get('schema')!r}, expected {SCHEMA}")
        fields = {k: v for k, v in data.items() if k not in ("schema", "checks", "verdict")}
        return cls(**fields, checks={k: Check(**{**v, "statements": tuple(v.get("statements", ()))})
                                   for k, v in data.get("checks", {}).items()})

    @classmethod
    def load(cls, path: Path) -> Cell:
        return cls.from_dict(json.loads(path.read_text()))


def cell_name(version: str, family: str, coredns: str = "", dns_path: str = "") -> str:
    """'matrix-1.37-ipv4', 'matrix-1.37-ipv4-coredns-v1.12.0' for a swapped release, and
    '…-node-local' for a NodeLocal DNSCache in the path."""
    return (f"matrix-{version}-{family}" + (f"-coredns-{coredns}" if coredns else "")
            + (f"-{dns_path}" if dns_path else ""))


def release_key(release: str) -> tuple[int, ...]:
    """'v1.12.3' -> (1, 12, 3), for ordering releases; unknown ones first."""
    parts = release.lstrip("v").split("-", 1)[0].split(".")
    return tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else ()


def headline(text: str) -> str:
    """A failure's first line; for a wait stopped early, with the next line, which says why."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return ""
    first = re.sub(r"^(?:[a-z_]+\.)+(?=[A-Z]\w*: )", "", lines[0])  # the exception's module path aside
    if "stopped waiting after" in first and len(lines) > 1:
        head = first if len(first) <= 160 else first[:159] + "…"
        return f"{head}: {lines[1][:400]}"  # what was awaited, shortened, then what was seen
    return first[:300]
