"""The matrix as one self-contained HTML page (the same code draws it locally and in CI), and its
JSON beside it."""

from __future__ import annotations

from html import escape
from pathlib import Path

from headless_conformance.checking.propagation import Freshness
from headless_conformance.checking.rules import LEVEL_TITLES
from headless_conformance.results.cells import BAD, MARKS, Cell
from headless_conformance.results.freshness_chart import freshness_svg
from headless_conformance.results.matrix import Matrix

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
