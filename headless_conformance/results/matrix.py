"""Runs side by side: each run's results as a cell (one JSON file a run writes next to its report),
and the matrix of cells — rows are checks grouped by level, columns are cells — as JSON and as one
self-contained HTML page that shows where cells disagree and, against a previous matrix, what
newly fails or newly passes. The same code assembles the page locally and in CI.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from html import escape
from pathlib import Path

from headless_conformance.checking.propagation import Freshness
from headless_conformance.checking.rules import LEVEL_TITLES
from headless_conformance.checking.rules import LEVELS as RULE_LEVELS
from headless_conformance.results.conformance import LevelVerdict, run_verdict, verdict_dict
from headless_conformance.results.freshness_chart import freshness_svg

SCHEMA = 1
LEVELS = (*RULE_LEVELS, "unlabelled")
OUTCOMES = ("passed", "failed", "error", "skipped", "xfailed", "xpassed", "not run")
GOOD = {"passed"}  # a known bug accepted for the run (xfailed) is still a violation, shown as such
BAD = {"failed", "error", "xpassed"}


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


@dataclass
class Row:
    check: str
    level: str
    rule: str
    results: list[Check]  # one per column, in column order
    disagree: bool
    newly: list[str]  # per column: "fails", "passes" or "" against the previous matrix
    changed: list[bool] = field(default_factory=list)
    """per column: this release's outcome differs from the release before it on the same cluster kind"""


@dataclass
class Matrix:
    columns: list[Cell]
    rows: list[Row]

    @property
    def everywhere(self) -> int:
        """Checks that passed (or failed as expected) in every column where they ran (a skip says
        the check does not apply there, e.g. a dual-stack check on one family; a cell that did not run
        is counted apart) and ran somewhere."""
        return sum(bool(ran) and all(r.outcome in GOOD for r in ran)
                   for ran in ([r for r in row.results if r.outcome not in ("skipped", "not run")]
                               for row in self.rows))

    def to_json(self) -> str:
        data = {
            "schema": SCHEMA,
            "columns": [{"key": c.key, **{k: v for k, v in asdict(c).items() if k != "checks"}} for c in self.columns],
            "rows": [{"check": r.check, "level": r.level, "rule": r.rule, "disagree": r.disagree,
                      "results": {c.key: {**asdict(x), "newly": n, "changed": ch} for c, x, n, ch in
                                  zip(self.columns, r.results, r.newly, r.changed, strict=True)}}
                     for r in self.rows],
            "pass_everywhere": self.everywhere,
        }
        return json.dumps(data, indent=1) + "\n"


def previous_outcomes(matrix_json: str) -> dict[tuple[str, str], str]:
    """(check, column key) -> outcome, from a matrix.json of an earlier run."""
    data = json.loads(matrix_json)
    return {(row["check"], key): result["outcome"] for row in data.get("rows", [])
            for key, result in row.get("results", {}).items()}


def assemble(cells: list[Cell], previous: dict[tuple[str, str], str] | None = None) -> Matrix:
    """The matrix of `cells` (columns sorted by version, then IP family), with what changed since
    `previous` where given."""
    families = {"ipv4": 0, "ipv6": 1, "dual": 2}
    columns = sorted(cells, key=lambda c: (tuple(int(p) for p in c.key.split("/")[0].split(".") if p.isdigit()),
                                           families.get(c.ip_family, 9), release_key(c.coredns), c.name))
    names = sorted({name for cell in columns for name in cell.checks},
                   key=lambda n: (_level_rank(columns, n), n))
    rows = []
    for name in names:
        results = [cell.checks.get(name, Check(level=_level(columns, name), outcome="not run")) for cell in columns]
        ran = {r.outcome for r in results if r.outcome not in ("not run", "skipped")}  # skipped: not applicable
        newly = []
        for cell, result in zip(columns, results, strict=True):
            before = (previous or {}).get((name, cell.key))
            if before in GOOD and result.outcome in BAD:
                newly.append("fails")
            elif before in BAD and result.outcome in GOOD:
                newly.append("passes")
            else:
                newly.append("")
        rows.append(Row(name, _level(columns, name), _rule(columns, name), results, len(ran) > 1, newly,
                        changed_by_release(columns, results)))
    rows.sort(key=lambda row: not row.disagree)  # the rows that really differ first, each group in level order
    return Matrix(columns, rows)


def changed_by_release(columns: list[Cell], results: list[Check]) -> list[bool]:
    """Per column: True where the outcome differs from the previous column's on the same Kubernetes
    version and family (releases side by side), both having run the check."""
    changed = [False] * len(columns)
    for i in range(1, len(columns)):
        before, now = results[i - 1].outcome, results[i].outcome
        ran = {before, now}.isdisjoint({"skipped", "not run"})
        if columns[i].axis == columns[i - 1].axis and ran and before != now:
            changed[i] = True
    return changed


def release_changes_markdown(matrix: Matrix) -> str:
    """The checks whose outcome changes from one release to the next (columns side by side on the same
    Kubernetes version and family), as a Markdown table: each release's outcome, and between which two
    releases tried it changed (with the cluster kind, when the table has several)."""
    releases = [i for i, c in enumerate(matrix.columns) if c.dns_swapped]
    kinds = {matrix.columns[i].axis for i in releases}
    distinct = len({matrix.columns[i].coredns for i in releases})
    cells = f" in {len(releases)} cells" if distinct != len(releases) else ""
    heads = [f"{matrix.columns[i].coredns} ({matrix.columns[i].key.rsplit('/', 1)[0]})" for i in releases]
    lines = [f"{distinct} releases{cells} side by side; the checks whose outcome changes between two of them:", "",
             "| check | level | " + " | ".join(heads) + " | changed between |",
             "| --- | --- | " + " | ".join("---" for _ in releases) + " | --- |"]

    def between(i: int) -> str:
        before, now = matrix.columns[i - 1], matrix.columns[i]
        return f"{before.coredns} → {now.coredns}" + (f" ({'/'.join(now.axis)})" if len(kinds) > 1 else "")

    changing = [row for row in matrix.rows if any(row.changed[i] for i in releases if row.changed)]
    for row in changing:
        marks = [MARKS.get(row.results[i].outcome, row.results[i].outcome) for i in releases]
        at = ", ".join(between(i) for i in releases if row.changed[i])
        lines.append(f"| `{row.check.split('::')[-1]}` | {row.level} | " + " | ".join(marks) + f" | {at} |")
    if not changing:
        lines.append("| (none: every check has the same outcome on every release) | | "
                     + " | ".join("" for _ in releases) + " | |")
    return "\n".join(lines) + "\n"


def _level(cells: list[Cell], name: str) -> str:
    return next((c.checks[name].level for c in cells if name in c.checks), "unlabelled")


def level_rank(level: str) -> int:
    """Where a level sorts: the specification first, unknown levels last."""
    return LEVELS.index(level) if level in LEVELS else len(LEVELS)


def _level_rank(cells: list[Cell], name: str) -> int:
    return level_rank(_level(cells, name))


def _rule(cells: list[Cell], name: str) -> str:
    return next((c.checks[name].rule for c in cells if name in c.checks and c.checks[name].rule), "")


STYLE = """
body { font-family: sans-serif; margin: 1em; }
table { border-collapse: separate; border-spacing: 0; font-size: 12px; }
th, td { border: 1px solid #ccc; border-width: 0 1px 1px 0; padding: 2px 4px; vertical-align: top; }
thead th { position: sticky; top: 0; z-index: 2; background: #f3f3f3; }
th.col { font-weight: normal; text-align: left; white-space: nowrap; }
td.check { position: sticky; left: 0; z-index: 1; background: #fff; max-width: 26em; overflow-wrap: anywhere; }
td.passed { background: #dff0d8; }
td.failed, td.error, td.xpassed { background: #f2dede; }
td.xfailed, td.known { background: #f8d7b8; }
.verdict.no { color: #c62828; font-weight: bold; }
.verdict.yes { color: #2e7d32; }
td.should { background: #fbe9d0; }
td.skipped, td.not-run { background: #f5f5f5; color: #777; }
tr.disagree td.check { background: #fcf8e3; font-weight: bold; }
tr.level th { background: #e8e8f0; text-align: left; position: static; }
td.result { white-space: nowrap; }
td.result details, th.col details { white-space: normal; }
td.result summary { cursor: pointer; }
.msg { display: block; font-size: 11px; color: #555; font-weight: normal; max-width: 26em; }
.newly { font-weight: bold; color: #a00; }
.newly.passes { color: #070; }
.changed { font-weight: bold; color: #a50; }
"""
# compact marks: a column is as narrow as its header; the whole failure line is one click away
MARKS = {"passed": "pass", "failed": "FAIL", "error": "ERROR", "skipped": "n/a", "xfailed": "known bug",
         "xpassed": "XPASS", "not run": "–"}


def _check_name(check: str) -> str:
    """The check's test name, breakable at its underscores (its file is in the tooltip)."""
    name = check.split("::")[-1].removeprefix("test_")
    return escape(name).replace("_", "_<wbr>")


def render_html(matrix: Matrix) -> str:
    """One self-contained page: no script, no external style, every cell linked to its run's report.
    It fits a laptop screen: compact marks, headers that stay in view, failure lines a click away."""
    out = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>Headless Service conformance matrix</title>",
           f"<style>{STYLE}</style></head><body>", "<h1>Headless Service conformance matrix</h1>",
           f"<p id='summary'>{matrix.everywhere} of {len(matrix.rows)} checks pass everywhere they ran "
           f"({len(matrix.columns)} cell{'s' * (len(matrix.columns) != 1)}{_not_run(matrix)}); "
           f"{_rows_disagreeing(matrix)} highlighted and "
           "first (n/a: the check does not apply there).</p>",
           "<table><thead><tr><th>check</th>"]
    for cell in matrix.columns:
        about = f"node {cell.node_image}; kind {cell.kind}" if cell.node_image else ""
        known = [escape(v) for v in (cell.ip_family, "CoreDNS" if cell.coredns else "", cell.coredns) if v]
        head = "<br>".join([f"<b>{escape(cell.kubernetes)}</b>", *known, *(["swapped in"] if cell.dns_swapped else []),
                            *([escape(cell.dns_path)] if cell.dns_path else [])])
        link = f"<br><a href='{escape(cell.report)}'>report</a>" if cell.report else ""
        link += _lags(cell.lags) + _verdict(cell)
        if cell.freshness:
            link += "<br>" + freshness_svg(Freshness.from_dict(cell.freshness), width=70, row=8)
        error = (f"<details class='why'><summary>not run</summary><span class='msg'>{escape(cell.error)}</span>"
                 "</details>" if cell.error else "")  # folded: a column as narrow as the others
        out.append(f"<th class='col' data-key='{escape(cell.key)}' title='{escape(about)}'>{head}{link}{error}</th>")
    out.append("</tr></thead><tbody>")
    level, disagreeing = None, None
    for row in matrix.rows:
        if (row.level, row.disagree) != (level, disagreeing):  # each group of rows in level order
            level, disagreeing = row.level, row.disagree
            out.append(f"<tr class='level'><th colspan='{len(matrix.columns) + 1}'>"
                       f"{escape(LEVEL_TITLES.get(level, level))}{' (cells disagree)' if row.disagree else ''}"
                       "</th></tr>")
        cls = " class='disagree'" if row.disagree else ""
        rule = f"<span class='msg'>{escape(row.rule)}</span>" if row.rule else ""
        out.append(f"<tr{cls}><td class='check' title='{escape(row.check)}'>{_check_name(row.check)}{rule}</td>")
        for cell, result, newly, changed in zip(matrix.columns, row.results, row.newly,
                                                row.changed or [False] * len(row.results), strict=True):
            mark = f" <span class='newly {newly}'>newly {newly}</span>" if newly else ""
            if changed:
                mark += " <span class='changed' title='the outcome changed with this release'>changed</span>"
            should = result.strength == "SHOULD" and result.outcome in BAD
            known = result.outcome == "failed" and bool(result.known_bug)
            shown = MARKS.get(result.outcome, result.outcome) + (" SHOULD" if should else "") + (
                " (known bug)" if known else "")
            text = f"<a href='{escape(cell.report)}'>{escape(shown)}</a>" if cell.report else escape(shown)
            said = "; ".join(m for m in (result.message, result.known_bug and f"known bug: {result.known_bug}") if m)
            if said and result.outcome != "passed":
                text = f"<details><summary>{text}</summary><span class='msg'>{escape(said)}</span></details>"
            classes = ("result " + result.outcome.replace(" ", "-") + (" should" if should else "")
                       + (" known" if known else ""))
            out.append(f"<td class='{classes}' title='{escape(result.outcome)}'>{text}{mark}</td>")
        out.append("</tr>")
    out.append("</tbody></table></body></html>")
    return "\n".join(out) + "\n"


def _verdict(cell: Cell) -> str:
    """The column's verdict on the specification, for its header: conformant or not, and its known bugs."""
    spec = next((v for v in cell.verdict() if v.level == "spec"), None)
    if spec is None or spec.status() == "NOT CHECKED":
        return ""
    bugs = sorted({bug for b in spec.broken for bug in b.known_bugs})
    title = "; ".join([f"{len(spec.broken)} MUST violated", *bugs]) if spec.broken else f"{spec.ran} checks"
    shown = "no" if spec.broken else "yes"
    return (f"<br><span class='verdict {shown}' title='{escape(spec.status())}: {escape(title)}'>conforms: "
            f"{shown}</span>")


def _lags(lags: dict[str, float]) -> str:
    """How fast the column's DNS reflected changes, for its header."""
    if "median" in lags:
        return (f"<br><span class='lags' title='propagation lag: median / 95th percentile / max over the "
                f"{lags['stale']:g} of {lags['changes']:g} changes where a stale answer was seen'>lag "
                f"{lags['median']:.1f}/{lags['p95']:.1f}/{lags['max']:.1f} s</span>")
    if lags:
        return (f"<br><span class='lags' title='every server reflected each of {lags['changes']:g} changes when first "
                f"asked'>lag: none seen</span>")
    return ""


def _rows_disagreeing(matrix: Matrix) -> str:
    count = sum(r.disagree for r in matrix.rows)
    return f"{count} row where cells disagree is" if count == 1 else f"{count} rows where cells disagree are"


def _not_run(matrix: Matrix) -> str:
    missing = sum(bool(c.error) for c in matrix.columns)
    return f", {missing} not run" if missing else ""


def write(matrix: Matrix, directory: Path) -> tuple[Path, Path]:
    """matrix.html and matrix.json in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    page, data = directory / "matrix.html", directory / "matrix.json"
    page.write_text(render_html(matrix))
    data.write_text(matrix.to_json())
    return page, data
