"""headless-conformance upstream without a cluster: outcomes read from JUnit files (upstream's ginkgo and
this suite's pytest), and the comparison table written from outcomes alone."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from cli import upstream as cli_upstream
from common.markdown import markers
from headless_conformance.results.comparison import table
from headless_conformance.results.run_output import Outcome, junit_outcome

GINKGO_JUNIT = """<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="4" disabled="0" errors="0" failures="1" time="310.2">
  <testsuite name="Kubernetes e2e suite" tests="4" skipped="1" failures="1" errors="0" time="310.2">
    <testcase name="[It] [sig-network] DNS should provide DNS for services [Conformance]" status="passed"/>
    <testcase name="[It] [sig-network] DNS should provide DNS for pods for Hostname [Conformance]"
              status="failed" time="600">
      <failure message="timed out" type="failed">lookups failed</failure>
    </testcase>
    <testcase name="[It] [sig-network] DNS should provide DNS for the cluster [Provider:gce]" status="skipped">
      <skipped message="skipped"/>
    </testcase>
    <testcase name="[SynchronizedBeforeSuite]" status="passed" time="1"/>
    <testcase name="suites/test_a.py::test_b" status="passed" time="1"/>
  </testsuite>
</testsuites>
"""


def load():
    return cli_upstream


def test_a_skipped_spec_did_not_run_and_a_failure_is_named(tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    junit.write_text(GINKGO_JUNIT)
    outcome = junit_outcome("upstream e2e", [junit], 310.2)
    assert (outcome.ran, outcome.passed, outcome.failed) == (3, 2, 1)  # the suite node is no spec
    assert outcome.failures == ["[sig-network] DNS should provide DNS for pods for Hostname [Conformance]"]
    assert outcome.line() == "upstream e2e: 2 of 3 passed, 1 failed in 310 s, 0.6 per minute"


PYTEST_JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="1" failures="1" skipped="0" tests="3">
  <testcase classname="suites.test_statefulset_identity" name="test_deleted_pod_returns_with_its_name">
    <properties><property name="level" value="scenario"/></properties>
    <error message="failed on setup with &quot;WaitTimeout: timed out after 120s&quot;">claim pending</error>
  </testcase>
  <testcase classname="suites.test_deployment_dns" name="test_each_pod_has_the_deprecated_dashed_pod_record">
    <properties><property name="level" value="spec"/></properties>
    <failure message="WaitTimeout: timed out after 20s">NXDOMAIN</failure>
  </testcase>
  <testcase classname="suites.test_deployment_dns" name="test_a_records_are_the_ready_pod_ips">
    <properties><property name="level" value="spec"/></properties>
  </testcase>
</testsuite></testsuites>
"""


def test_a_setup_error_is_counted_failed_and_named_after_the_assertion_failures(tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    junit.write_text(PYTEST_JUNIT)
    outcome = junit_outcome("this suite", [junit], 60)
    assert (outcome.ran, outcome.passed, outcome.failed, outcome.setup_errors) == (3, 1, 2, 1)
    assert outcome.failed_levels == {"spec": 1}  # past setup, by level: the scenario check failed in its setup
    assert outcome.failures == ["test_each_pod_has_the_deprecated_dashed_pod_record",
                                "test_deleted_pod_returns_with_its_name"]
    text = table([], {"no-pod-records": [outcome, Outcome("upstream e2e", 900, 30, 30, 0)]}, "v1.37.2", {})
    assert "| **noticed**: 2 of 3 failed: 1 spec, 1 in setup (`test_each_pod_has_the_deprecated_dashed_pod_record` " \
           "and 1 more) |" in text


def test_the_table_says_who_noticed_each_fault_and_which_neither_did() -> None:
    healthy = [Outcome("this suite", 150, 61, 61, 0), Outcome("upstream e2e", 600, 30, 30, 0)]
    faulted = {"wrong-records": [Outcome("this suite", 200, 61, 40, 21, ["suites/test_a.py::test_b@g"]),
                                 Outcome("upstream e2e", 900, 30, 30, 0)],
               "no-storage": [Outcome("this suite", 200, 61, 61, 0), Outcome("upstream e2e", 900, 30, 30, 0)]}
    text = table(healthy, faulted, "v1.37.2", {"wrong-records": "wrong"})
    assert "| this suite | 61 | 61 | 150 s | 24.4 |" in text
    assert "| upstream e2e | 30 | 30 | 600 s | 3.0 |" in text
    assert "| `wrong-records` | " in text
    assert "| **noticed**: 21 of 61 failed (`test_b` and 20 more) | missed (0 of 30 failed) |" in text
    assert text.rstrip().endswith("Noticed by neither: `no-storage`.")


def test_the_docs_table_is_replaced_between_its_markers(tmp_path: Path, monkeypatch) -> None:
    up = load()
    start, end = markers("upstream-comparison")
    page = tmp_path / "docs" / "upstream.md"
    page.parent.mkdir()
    page.write_text(f"intro\n{start}\nold\n{end}\nrest\n")
    monkeypatch.setattr(up, "ROOT", tmp_path)
    up.update_docs("| new |\n")
    assert page.read_text() == f"intro\n{start}\n| new |\n{end}\nrest\n"
    page.write_text("no section\n")
    with pytest.raises(SystemExit, match="has no <!-- upstream-comparison:start -->"):
        up.update_docs("| new |\n")


def test_the_table_is_made_again_from_the_comparisons_json(tmp_path: Path, monkeypatch) -> None:
    import json

    up = load()
    monkeypatch.setattr(up, "REPORTS", tmp_path)
    (tmp_path / "upstream-comparison.json").write_text(json.dumps({
        "kubernetes": "v1.37.2", "healthy": [{"suite": "this suite", "seconds": 140, "ran": 55, "passed": 55,
                                              "failed": 0}], "faults": {}}))
    monkeypatch.setattr(sys, "argv", ["upstream", "table"])
    assert up.main() == 0
    assert "| this suite | 55 | 55 | 140 s | 23.6 |" in (tmp_path / "upstream-comparison.md").read_text()


def test_a_comparison_cut_short_keeps_the_phases_it_measured(tmp_path: Path, monkeypatch) -> None:
    import json

    up = load()
    monkeypatch.setattr(up, "REPORTS", tmp_path)
    healthy = [Outcome("this suite", 156, 55, 55, 0), Outcome("upstream e2e", 328, 34, 34, 0)]
    faulted = {"stray-endpointslice": [Outcome("this suite", 300, 55, 40, 15, ["t::test_a"]),
                                       Outcome("upstream e2e", 330, 34, 34, 0)]}
    text = up.write_comparison(healthy, faulted, "v1.37.2", 8)
    assert "applied to every namespace's Services (upstream with 8 processes)" in text
    assert "| `stray-endpointslice` |" in text and "missed (0 of 34 failed)" in text
    healthy, faulted, version, procs = up.outcomes_from(json.loads((tmp_path / "upstream-comparison.json").read_text()))
    assert table(healthy, faulted, version, up.fault_names(), procs) == text == \
        (tmp_path / "upstream-comparison.md").read_text()


def test_a_comparison_is_recounted_from_the_junit_its_phases_kept(tmp_path: Path, monkeypatch) -> None:
    import json

    up = load()
    monkeypatch.setattr(up, "REPORTS", tmp_path)
    (tmp_path / "upstream-compare-no-pod-records.xml").write_text(PYTEST_JUNIT)
    (tmp_path / "upstream" / "no-pod-records").mkdir(parents=True)
    (tmp_path / "upstream" / "no-pod-records" / "junit.xml").write_text(GINKGO_JUNIT)
    up.write_comparison([], {"no-pod-records": [Outcome("this suite", 280, 3, 1, 2, ["b", "a"]),
                                                Outcome("upstream e2e", 660, 3, 3, 0)]}, "v1.37.2", 8)
    monkeypatch.setattr(sys, "argv", ["upstream", "table", "--recount"])
    assert up.main() == 0
    data = json.loads((tmp_path / "upstream-comparison.json").read_text())
    ours, theirs = up.outcomes_from(data)[1]["no-pod-records"]
    assert (ours.seconds, ours.setup_errors, ours.failed_levels) == (280, 1, {"spec": 1})
    assert (theirs.seconds, theirs.ran, theirs.failed) == (660, 3, 1)  # the times stay as measured
