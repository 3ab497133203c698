"""Runs side by side: the matrix of cells — rows are checks grouped by level, columns are cells —
with where cells disagree, what changes across DNS server releases and, against a previous
matrix, what newly fails or newly passes (`matrix_page` draws it)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from headless_conformance.results.cells import BAD, GOOD, LEVELS, MARKS, SCHEMA, Cell, Check, release_key


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
