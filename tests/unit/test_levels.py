"""The exit status says whether a MUST failed: 8 when only SHOULD checks did."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from fixtures import levels


def _session(failed: dict[str, str]) -> SimpleNamespace:
    stash = {levels.FAILED: failed}
    return SimpleNamespace(config=SimpleNamespace(stash=stash), exitstatus=pytest.ExitCode.TESTS_FAILED)


@pytest.mark.parametrize(("failed", "status"), [
    ({"suites/t.py::test_should": "SHOULD"}, levels.ONLY_SHOULD_FAILED),
    ({"suites/t.py::test_should": "SHOULD", "suites/t.py::test_must": "MUST"}, pytest.ExitCode.TESTS_FAILED),
    ({"suites/t.py::test_should": "SHOULD", "suites/t.py::test_coredns": ""}, pytest.ExitCode.TESTS_FAILED),
])
def test_only_should_failures_exit_8(failed: dict[str, str], status: int) -> None:
    session = _session(failed)

    levels.settle_exit_status(session)  # type: ignore[arg-type]

    assert session.exitstatus == status


def test_a_report_notes_what_failed_and_its_strength() -> None:
    config = SimpleNamespace(stash={levels.FAILED: {}})
    noted = levels.FailedChecks(config)  # type: ignore[arg-type]
    for nodeid, outcome, strength in (("suites/t.py::test_a@g", "failed", "SHOULD"), ("suites/t.py::test_b", "passed",
                                                                                      "MUST"),
                                      ("tests/unit/test_x.py::test_c", "failed", "")):
        report = SimpleNamespace(nodeid=nodeid, failed=outcome == "failed", user_properties=[("strength", strength)])
        noted.pytest_runtest_logreport(report)  # type: ignore[arg-type]
    assert config.stash[levels.FAILED] == {"suites/t.py::test_a": "SHOULD"}
