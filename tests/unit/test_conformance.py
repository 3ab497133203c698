"""The run's verdict: each level's status, each violated MUST named with its checks, known bugs
named with their fix, and the exit status that follows from it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from fixtures import verdict
from headless_conformance.results.cells import Check
from headless_conformance.results.conformance import exit_status, run_verdict, verdict_dict, verdict_html, verdict_lines

PTR_BUG = "coredns/coredns#6898 (coredns v1.11.4 and later, before v1.12.1): no PTR; fixed in v1.12.1: upgrade to " \
          "coredns v1.12.1 or later"


def spec(outcome: str, *statements: str, strength: str = "MUST", message: str = "", known_bug: str = "") -> Check:
    return Check("spec", f"spec {', '.join(statements)} ({strength})", outcome, message, strength, statements,
                 known_bug)


def other(level: str, outcome: str, rule: str = "", message: str = "") -> Check:
    return Check(level, rule, outcome, message)


HEALTHY = {"suites/a.py::test_srv": spec("passed", "2.4.2/srv"),
           "suites/a.py::test_ptr": spec("passed", "2.4.3/ptr"),
           "suites/a.py::test_dual": spec("skipped", "2.4.1/service", message="needs dual stack"),
           "suites/b.py::test_order": other("scenario", "passed", "scenario: ordered start")}


def test_a_healthy_run_is_conformant_at_every_level_it_checked_and_exits_0() -> None:
    verdicts = run_verdict(HEALTHY)

    assert [(v.level, v.status(), v.ran) for v in verdicts] == [("spec", "CONFORMANT", 2),
                                                                 ("scenario", "MET", 1)]
    assert exit_status(verdicts) == 0
    lines = verdict_lines(verdicts)
    assert lines[0] == "Kubernetes DNS specification (schema 1.1.0): CONFORMANT (2 checks)"
    assert lines[-1] == "exit 0: every check met its rule"


def test_a_known_bug_is_a_violated_must_named_with_its_fix_and_fails_the_run() -> None:
    checks = {**HEALTHY, **{f"suites/a.py::test_ptr_{i}": spec("failed", "2.4.3/ptr", message=f"PTR 10.0.0.{i}: "
                                                                "NXDOMAIN", known_bug=PTR_BUG) for i in (1, 2)}}

    verdicts = run_verdict(checks)
    lines = verdict_lines(verdicts)

    assert exit_status(verdicts) == 1
    assert lines[0] == ("Kubernetes DNS specification (schema 1.1.0): NOT CONFORMANT (4 checks; 1 MUST violated; "
                        "1 of them a known bug)")
    assert "  ✗ 2.4.3/ptr MUST: " in "\n".join(lines)
    assert "    suites/a.py::test_ptr_1: PTR 10.0.0.1: NXDOMAIN" in lines
    assert f"    known bug: {PTR_BUG}" in lines
    assert lines[-1] == "exit 1: 1 rule violated (1 known bug: --accept-known-bugs accepts it)"


def test_an_accepted_known_bug_exits_0_and_is_still_listed() -> None:
    checks = {**HEALTHY, "suites/a.py::test_ptr_1": spec("xfailed", "2.4.3/ptr", message="x", known_bug=PTR_BUG)}

    verdicts = run_verdict(checks)
    lines = verdict_lines(verdicts)

    assert exit_status(verdicts) == 0
    assert verdicts[0].status() == "NOT CONFORMANT"
    assert f"    known bug (accepted for this run): {PTR_BUG}" in lines
    assert lines[-1] == "exit 0: nothing failed but 1 known bug, accepted by --accept-known-bugs (listed above)"


def test_a_failure_that_is_not_the_known_bug_counts_as_itself() -> None:
    checks = {**HEALTHY, "suites/a.py::test_ptr_1": spec("failed", "2.4.3/ptr", message="rollout timed out")}

    lines = verdict_lines(run_verdict(checks))

    assert lines[-1] == "exit 1: 1 rule violated"
    assert not any("known bug" in line for line in lines)


def test_only_shoulds_failing_exit_8_and_are_shown_apart() -> None:
    checks = {**HEALTHY, "suites/a.py::test_should": spec("failed", "2.4.1/no-ready", strength="SHOULD",
                                                           message="NODATA, not NXDOMAIN")}

    verdicts = run_verdict(checks)
    lines = verdict_lines(verdicts)

    assert exit_status(verdicts) == 8
    assert verdicts[0].status() == "CONFORMANT" and len(verdicts[0].should) == 1
    assert "Kubernetes DNS specification, SHOULD not met (the cluster still meets every MUST of it):" in lines


def test_another_levels_failure_or_an_error_exits_1() -> None:
    failed = {**HEALTHY, "suites/b.py::test_order": other("scenario", "failed", "scenario: ordered start", "late")}
    errored = {**HEALTHY, "suites/a.py::test_srv": spec("error", "2.4.2/srv", message="rollout timed out")}

    assert exit_status(run_verdict(failed)) == 1
    assert [v.status() for v in run_verdict(errored)] == ["UNDECIDED", "MET"]
    assert verdict_lines(run_verdict(errored))[-1] == "exit 1: 1 check could not run"


def test_the_results_file_and_the_report_carry_the_same_verdict() -> None:
    checks = {**HEALTHY, "suites/a.py::test_ptr_1": spec("failed", "2.4.3/ptr", message="NXDOMAIN", known_bug=PTR_BUG)}
    verdicts = run_verdict(checks)

    found = verdict_dict(verdicts)
    html = verdict_html(verdicts)

    assert found["exit_status"] == 1
    assert found["levels"][0]["violated"][0]["known_bugs"] == [PTR_BUG]
    assert "NOT CONFORMANT" in html and "upgrade to coredns v1.12.1 or later" in html


@pytest.mark.parametrize(("pytest_status", "checks", "status"), [
    (pytest.ExitCode.TESTS_FAILED, {"suites/a.py::t": spec("failed", "2.4.1/no-ready", strength="SHOULD")}, 8),
    (pytest.ExitCode.OK, {"suites/a.py::t": spec("xfailed", "2.4.3/ptr", known_bug=PTR_BUG)}, 0),
    (pytest.ExitCode.INTERRUPTED, {"suites/a.py::t": spec("passed", "2.4.3/ptr")}, pytest.ExitCode.INTERRUPTED),
])
def test_the_exit_status_is_the_verdicts_where_the_checks_ran_to_an_end(
        monkeypatch: pytest.MonkeyPatch, pytest_status: int, checks: dict[str, Check], status: int) -> None:
    monkeypatch.setattr(verdict.results, "checks", lambda _config: checks)
    monkeypatch.setattr(verdict, "provisioned_spec", lambda _config: None)
    session = SimpleNamespace(config=None, exitstatus=pytest_status)

    verdict.settle_exit_status(session)  # type: ignore[arg-type]

    assert session.exitstatus == status


def test_late_changes_fail_freshness_alone_and_exit_9() -> None:
    from headless_conformance.checking.propagation import Freshness, Reflected

    late = Freshness(5.0, (Reflected("suites/a.py::test_x", "scaling to 0", {"service": 31.0, "10.244.0.3": 0.5}),),
                     already=4)

    verdicts = run_verdict(HEALTHY, late)
    lines = verdict_lines(verdicts)

    assert [(v.level, v.status()) for v in verdicts] == [("spec", "CONFORMANT"), ("scenario", "MET"),
                                                         ("freshness", "NOT MET")]
    assert exit_status(verdicts) == 9
    assert "DNS freshness (budget 5 s): NOT MET (5 changes measured; 1 late or undecided)" in lines
    assert "    suites/a.py::test_x: service: 31.00 s after the API showed it" in lines
    assert lines[-1] == "exit 9: every record is right, but DNS followed the API slower than the freshness budget"
    assert exit_status(run_verdict(HEALTHY, Freshness(5.0, already=4))) == 0


def test_records_still_cached_at_the_timeout_count_for_freshness_not_their_level() -> None:
    checks = {**HEALTHY, "suites/a.py::test_scale": Check("freshness", "spec 2.4.1/service (MUST)", "failed",
                                                          "which a cache may keep for its TTL (30 s)")}

    verdicts = run_verdict(checks)

    assert verdicts[0].status() == "CONFORMANT" and verdicts[-1].status() == "NOT MET"
    assert exit_status(verdicts) == 9
