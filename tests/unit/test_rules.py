"""The catalogue of the specification's statements, checks' claims on it, and the coverage table."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from common.markdown import page_of
from headless_conformance.checking.rules import (
    KINDS,
    MAY,
    RFC_STATEMENTS,
    SHOULD,
    STATEMENTS,
    Claim,
    claim_problems,
    coverage,
    coverage_markdown,
    rule,
    uncovered,
)

ROOT = Path(__file__).resolve().parents[2]


def test_every_statement_names_known_kinds_and_says_why_others_do_not_apply() -> None:
    for found in (*STATEMENTS.values(), *RFC_STATEMENTS.values()):
        assert set(found.kinds) <= set(KINDS), found.id
        assert found.not_applicable, f"{found.id} does not say why its other kinds do not apply"
        assert found.strength in ("MUST", "SHOULD", "MAY")


def test_the_specifications_one_should_and_its_permissions() -> None:
    assert [s.id for s in STATEMENTS.values() if s.strength == SHOULD] == ["2.4.1/no-ready"]
    assert [s.id for s in STATEMENTS.values() if s.strength == MAY] == ["2.3.2/additional", "2.4.2/additional",
                                                                        "3/extensions"]
    assert "2.6" not in {s.section for s in STATEMENTS.values()}, "schema 1.1.0 has no section 2.6"


def test_a_claim_must_name_statements_and_kinds_they_distinguish() -> None:
    assert claim_problems("spec", ["2.4.1/service"], ["ipv4", "unready"]) == []
    assert claim_problems("spec", ["2.6"], ["ipv4"]) == ["names '2.6', not a statement of the spec catalogue"]
    assert claim_problems("spec", ["2.4.1/service"], []) == ["names no kind (kinds=...) it tries its statements on"]
    assert claim_problems("spec", ["2.2/txt"], ["unready"]) == ["kind 'unready' is not one 2.2/txt distinguishes"]
    assert "mixes MUST and SHOULD" in claim_problems("spec", ["2.4.1/service", "2.4.1/no-ready"], ["ipv4"])[0]
    assert "a permission" in claim_problems("spec", ["2.4.2/additional"], ["ipv4"])[0]
    assert claim_problems("rfc", ["2.4.1/service"], ["ipv4"])[0].startswith("names '2.4.1/service', not a statement")


def test_a_rule_says_its_strength() -> None:
    found = rule("spec", ("2.4.1/no-ready",))
    assert found is not None and found.strength == SHOULD
    assert found.label == "spec 2.4.1/no-ready (SHOULD)"
    assert found.text.startswith("spec 2.4.1/no-ready (SHOULD): with no ready endpoint")
    assert rule("coredns", ("pod-records",)) is not None and rule("coredns", ("nope",)) is None


def test_coverage_cells_and_what_is_left_uncovered() -> None:
    claims = [Claim("suites/t.py::test_a", "spec", ("2.4.1/service",), ("ipv4", "unready"), "passed")]
    cells = {(c.statement.id, c.kind): c for c in coverage(claims)}

    assert [c.check for c in cells[("2.4.1/service", "ipv4")].checks] == ["suites/t.py::test_a"]
    assert ("2.4.1/service", "tcp") not in cells  # ports do not change address records
    assert ("2.4.1/service", "ipv6") in {(c.statement.id, c.kind) for c in uncovered(cells.values())}
    assert ("2.3.2/srv", "sctp") not in {(c.statement.id, c.kind) for c in uncovered(cells.values())}  # says why
    table = coverage_markdown(claims, with_outcomes=True)
    assert "| 2.4.1/service | unready endpoint | `a` ✓ |" in table


def _collected_table() -> str:
    found = subprocess.run([sys.executable, "-m", "pytest", "suites", "--collect-only", "-qq", "--spec-coverage",
                            "-", "-p", "no:cacheprovider"], cwd=ROOT, capture_output=True, text=True, check=True)
    return "".join(line + "\n" for line in found.stdout.splitlines() if line.startswith("|"))


def test_the_checks_leave_no_must_or_should_cell_empty_without_a_reason() -> None:
    assert "**none**" not in _collected_table()


def test_the_docs_carry_the_table_the_checks_make() -> None:
    page = page_of(ROOT, "spec-coverage").read_text()
    found = re.search(r"<!-- spec-coverage:start -->\n(.*?)<!-- spec-coverage:end -->", page, re.DOTALL)
    assert found, "docs/levels.md has no spec-coverage markers"
    assert found.group(1) == _collected_table(), \
        "the coverage table of docs/levels.md is stale: pytest suites --collect-only -q --spec-coverage docs/levels.md"


def test_a_runs_coverage_says_which_cells_it_did_not_try_and_which_only_failing_checks_covered() -> None:
    from headless_conformance.checking.rules import Claim, coverage, run_status, tried_families

    claims = [Claim("suites/a.py::test_a", "spec", ("2.4.3/ptr",), ("ipv4", "ipv6"), "passed"),
              Claim("suites/a.py::test_b", "spec", ("2.4.3/ptr",), ("no-hostname",), "xfailed")]
    cells = {c.kind: c for c in coverage(claims) if c.statement.id == "2.4.3/ptr"}
    tried = tried_families("ipv4")

    assert run_status(cells["ipv4"], tried) == "covered"
    assert run_status(cells["ipv6"], tried) == "not tried in this run"
    assert run_status(cells["no-hostname"], tried) == "covered only by failing checks"
    assert run_status(cells["ipv6"], tried_families("ipv6")) == "covered"
    assert tried_families("dual") == {"ipv4", "dual"}
