"""Cells of runs assembled into the matrix page and its JSON."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from headless_conformance.results.cells import Cell, Check, headline
from headless_conformance.results.matrix import assemble, previous_outcomes, release_changes_markdown
from headless_conformance.results.matrix_page import render_html, write

A = "suites/test_deployment_dns.py::test_a_records_are_exactly_the_ready_pod_ips"
TTL = "suites/test_deployment_dns.py::test_answers_are_authoritative_with_the_corefile_ttl"
DUAL = "suites/test_dual_stack.py::test_a_and_aaaa_records_are_exactly_each_ready_pods_two_addresses"
ORDER = "suites/test_statefulset.py::test_pods_start_in_order_and_stop_in_reverse"


def cell(version: str, family: str, **outcomes: str) -> Cell:
    checks = {A: Check("spec", "spec 2.4.1: headless Service: A/AAAA records"), TTL: Check("coredns", "coredns: ttl"),
              DUAL: Check("spec", "spec 2.4.1: headless Service: A/AAAA records", "skipped", "needs a dual-stack"),
              ORDER: Check("scenario", "ordered start")}
    for name, outcome in outcomes.items():
        checks[{"a": A, "ttl": TTL, "dual": DUAL, "order": ORDER}[name]].outcome = outcome
    return Cell(name=f"matrix-{version}-{family}", kubernetes=f"v{version}.2", ip_family=family,
                node_image=f"headless-conformance/node:v{version}.2", kind="v0.33.0", coredns="v1.14.6",
                report=f"matrix-{version}-{family}.html", seconds=120, checks=checks)


def test_columns_by_version_then_family_and_rows_by_level() -> None:
    matrix = assemble([cell("1.37", "dual", dual="passed"), cell("1.34", "ipv4"), cell("1.37", "ipv4")])

    assert [c.key for c in matrix.columns] == ["1.34/ipv4", "1.37/ipv4", "1.37/dual"]
    assert [(r.level, r.check) for r in matrix.rows] == [("spec", A), ("spec", DUAL), ("coredns", TTL),
                                                        ("scenario", ORDER)]


def test_rows_where_cells_disagree_and_checks_that_pass_everywhere() -> None:
    matrix = assemble([cell("1.34", "ipv4", ttl="failed"), cell("1.37", "ipv4"), cell("1.37", "dual", dual="passed")])
    rows = {r.check: r for r in matrix.rows}

    assert rows[TTL].disagree and not rows[A].disagree
    assert not rows[DUAL].disagree  # skipped where it does not apply, passed where it does
    assert matrix.everywhere == 3  # A, ORDER and DUAL (wherever it applies)
    assert matrix.rows[0].check == TTL  # the row that really differs first


def test_a_cell_missing_a_check_shows_it_not_run() -> None:
    short = cell("1.36", "ipv6")
    del short.checks[ORDER]

    matrix = assemble([short, cell("1.37", "ipv6")])

    assert [r.outcome for r in next(r for r in matrix.rows if r.check == ORDER).results] == ["not run", "passed"]


def test_compared_with_the_previous_matrix_marks_what_newly_fails_and_passes() -> None:
    before = assemble([cell("1.37", "ipv4", ttl="failed"), cell("1.36", "ipv4")])
    previous = previous_outcomes(before.to_json())

    now = assemble([cell("1.37", "ipv4"), cell("1.36", "ipv4", a="failed")], previous)
    rows = {r.check: r for r in now.rows}

    assert rows[TTL].newly == ["", "passes"] and rows[A].newly == ["fails", ""]
    assert "newly fails" in render_html(now) and "newly passes" in render_html(now)


def test_a_cell_round_trips_through_its_file(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(cell("1.35", "ipv6", ttl="xfailed").to_json())

    assert Cell.load(path) == cell("1.35", "ipv6", ttl="xfailed")
    with pytest.raises(ValueError, match="schema"):
        Cell.from_dict({**json.loads(path.read_text()), "schema": 99})


class _Columns(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.keys: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "th" and found.get("data-key"):
            self.keys.append(str(found["data-key"]))
        if tag in ("script", "link", "img"):
            self.external.append(tag)


def test_the_page_is_self_contained_with_one_column_per_cell(tmp_path: Path) -> None:
    cells = [cell(f"1.{m}", f) for m in (34, 35, 36, 37) for f in ("ipv4", "ipv6", "dual")]
    cells[0].error = "kind create cluster failed (exit 1)"
    page, data = write(assemble(cells), tmp_path)

    parser = _Columns()
    parser.feed(page.read_text())
    assert len(parser.keys) == 12 and not parser.external
    assert "<summary>not run</summary><span class='msg'>kind create cluster failed" in page.read_text()
    assert "(12 cells, 1 not run)" in page.read_text()
    assert json.loads(data.read_text())["pass_everywhere"] == 3
    assert cells[0].summary().startswith("1.34/ipv4 (v1.34.2): not run:")
    assert cells[1].summary() == "1.34/ipv6 (v1.34.2): 3 passed, 1 skipped in 120 s"


def test_a_failed_should_is_shown_as_such_and_kept_in_the_json() -> None:
    should = cell("1.37", "ipv4", a="failed")
    should.checks[A].strength = "SHOULD"
    must = cell("1.37", "ipv6", a="failed")
    must.checks[A].strength = "MUST"
    matrix = assemble([should, must])

    page = render_html(matrix)
    assert page.count("FAIL SHOULD") == 1 and "class='result failed should'" in page
    results = next(r for r in json.loads(matrix.to_json())["rows"] if r["check"] == A)["results"]
    assert (results["1.37/ipv4"]["strength"], results["1.37/ipv6"]["strength"]) == ("SHOULD", "MUST")
    assert Cell.from_dict(json.loads(should.to_json())).checks[A].strength == "SHOULD"


def release(coredns: str, lags: dict[str, float] | None = None, **outcomes: str) -> Cell:
    swapped = cell("1.37", "ipv6", **outcomes)
    swapped.name, swapped.coredns, swapped.dns_swapped = f"matrix-1.37-ipv6-coredns-{coredns}", coredns, True
    swapped.lags = lags or {}
    return swapped


def test_releases_side_by_side_in_release_order_and_the_release_that_changed_an_outcome() -> None:
    matrix = assemble([release("v1.13.1"), release("v1.12.1", ttl="xfailed"), release("v1.12.3"),
                       cell("1.37", "ipv4")])

    assert [c.key for c in matrix.columns] == ["1.37/ipv4", "1.37/ipv6/coredns-v1.12.1", "1.37/ipv6/coredns-v1.12.3",
                                               "1.37/ipv6/coredns-v1.13.1"]
    rows = {r.check: r for r in matrix.rows}
    assert rows[TTL].changed == [False, False, True, False]  # v1.12.3 changed it; the ipv4 column is another axis
    assert rows[A].changed == [False] * 4
    assert "<span class='changed'" in render_html(matrix)


def test_a_column_shows_how_fast_its_server_reflected_changes() -> None:
    page = render_html(assemble([release("v1.12.1", {"median": 1.04, "p95": 3.2, "max": 4.55, "changes": 12,
                                                     "stale": 5})]))
    assert "lag 1.0/3.2/4.5 s" in page or "lag 1.0/3.2/4.6 s" in page
    assert "median / 95th percentile / max over the 5 of 12 changes where a stale answer was seen" in page
    quick = render_html(assemble([release("v1.12.1", {"changes": 7, "stale": 0})]))
    assert "lag: none seen" in quick and "each of 7 changes when first asked" in quick


def test_the_readme_table_of_checks_that_change_across_releases() -> None:
    table = release_changes_markdown(assemble([release("v1.12.1", ttl="xfailed"), release("v1.12.3"),
                                               release("v1.13.1")]))
    assert table.splitlines()[2:] == [
        "| check | level | v1.12.1 (1.37/ipv6) | v1.12.3 (1.37/ipv6) | v1.13.1 (1.37/ipv6) | changed between |",
        "| --- | --- | --- | --- | --- | --- |",
        "| `test_answers_are_authoritative_with_the_corefile_ttl` | coredns | known bug | pass | pass "
        "| v1.12.1 → v1.12.3 |"]
    assert "(none: every check" in release_changes_markdown(assemble([release("v1.12.1"), release("v1.13.1")]))


def test_the_readme_table_names_the_cluster_kind_of_each_change_when_it_has_several() -> None:
    dual = [release(r, ttl=t) for r, t in (("v1.11.4", "xfailed"), ("v1.15.0", "passed"))]
    for cell in dual:
        cell.ip_family = "dual"
    table = release_changes_markdown(assemble([release("v1.11.4", ttl="xfailed"), release("v1.12.1"), *dual]))
    assert table.splitlines()[0].startswith("3 releases in 4 cells side by side")
    assert table.splitlines()[-1].endswith("| v1.11.4 → v1.12.1 (1.37/ipv6), v1.11.4 → v1.15.0 (1.37/dual) |")


def test_a_cells_failures_name_each_bad_check_with_its_headline() -> None:
    bad = cell("1.37", "dual", ttl="error", order="xpassed")
    bad.checks[TTL].message = headline("stopped waiting after 180s for: Deployment web rolled out\n"
                                       "pod web-1 cannot be scheduled: 0/3 nodes are available\nlast seen: ...")

    assert bad.failures() == [f"error: {TTL}: stopped waiting after 180s for: Deployment web rolled out: "
                              "pod web-1 cannot be scheduled: 0/3 nodes are available",
                              f"xpassed: {ORDER}: (no message)"]
    assert cell("1.37", "ipv4").failures() == []


def test_a_dns_failures_headline_says_what_the_servers_answered() -> None:
    found = headline("headless_conformance.checking.dns.WrongAnswer: stopped waiting after 12s for: PTR " + "x" * 300
                     + "\n3 of 3 servers answered wrong 6.0 s after it: service: SERVFAIL; no records\nlast seen: …")
    assert found.startswith("WrongAnswer: stopped waiting after 12s for: PTR xxx")
    assert found.endswith("…: 3 of 3 servers answered wrong 6.0 s after it: service: SERVFAIL; no records")
