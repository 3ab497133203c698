"""Each check's outcome, as a run's cell records it from pytest's reports (xdist's included)."""

from __future__ import annotations

import pytest

from fixtures import results

LEVEL = [("level", "spec"), ("rule", "spec 2.4.1: headless Service: A/AAAA records")]


def report(nodeid: str, when: str, outcome: str, longrepr: object = None, **extra: object) -> pytest.TestReport:
    made = pytest.TestReport(nodeid, ("f.py", 1, "t"), {}, outcome, longrepr, when,
                             user_properties=list(LEVEL) if when == "setup" else [])
    for key, value in extra.items():
        setattr(made, key, value)
    return made


@pytest.fixture
def run() -> results.Results:
    return results.Results()


def test_a_passing_check_keeps_its_level_and_rule_under_its_id_without_the_xdist_group(run: results.Results) -> None:
    for when in ("setup", "call", "teardown"):
        run.pytest_runtest_logreport(report("suites/t.py::test_a@t-shared", when, "passed"))

    assert run.checks == {"suites/t.py::test_a": results.Check(
        "spec", "spec 2.4.1: headless Service: A/AAAA records", "passed", "")}


def test_a_failure_a_skip_in_setup_and_an_expected_failure(run: results.Results) -> None:
    for made in (report("suites/t.py::fail", "setup", "passed"),
                 report("suites/t.py::fail", "call", "failed", "WaitTimeout: timed out after 60s\nmore"),
                 report("suites/t.py::skip", "setup", "skipped", ("f.py", 3, "Skipped: needs dual stack")),
                 report("suites/t.py::xfail", "setup", "passed"),
                 report("suites/t.py::xfail", "call", "skipped", "x", wasxfail="CoreDNS answers 80")):
        run.pytest_runtest_logreport(made)

    found = {k: (v.outcome, v.message) for k, v in run.checks.items()}
    assert found == {"suites/t.py::fail": ("failed", "WaitTimeout: timed out after 60s"),
                     "suites/t.py::skip": ("skipped", "needs dual stack"), "suites/t.py::xfail": ("xfailed", "x")}


def test_an_error_in_setup_or_teardown(run: results.Results) -> None:
    run.pytest_runtest_logreport(report("suites/t.py::setup", "setup", "failed", "rollout timed out"))
    run.pytest_runtest_logreport(report("suites/t.py::down", "setup", "passed"))
    run.pytest_runtest_logreport(report("suites/t.py::down", "call", "passed"))
    run.pytest_runtest_logreport(report("suites/t.py::down", "teardown", "failed", "changed the shared scenario"))

    assert {k: v.outcome for k, v in run.checks.items()} == {"suites/t.py::setup": "error",
                                                                  "suites/t.py::down": "error"}


def test_the_checks_time_spans_the_first_start_to_the_last_end(run: results.Results) -> None:
    assert run.checks_seconds() is None
    for nodeid, start, stop in (("suites/t.py::a", 100.0, 130.0), ("suites/t.py::b", 90.0, 95.0),
                                ("tests/unit/x.py::c", 10.0, 500.0)):
        made = report(nodeid, "call", "passed")
        made.start, made.stop = start, stop
        run.pytest_runtest_logreport(made)
    assert run.checks_seconds() == 40.0


def test_a_check_judged_as_freshness_stays_so_through_its_teardown(run: results.Results) -> None:
    judged = [("judged_as", "freshness")]
    for made in (report("suites/t.py::late", "setup", "passed"),
                 report("suites/t.py::late", "call", "failed", "RecordsUndecided: cached"),
                 report("suites/t.py::late", "teardown", "passed")):
        made.user_properties = [*LEVEL, *(judged if made.when != "setup" else [])]
        run.pytest_runtest_logreport(made)

    assert run.checks["suites/t.py::late"].level == "freshness"
