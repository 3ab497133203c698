"""The one wait helper: success, timeouts, early stops and bugs in conditions."""

from __future__ import annotations

import re
from itertools import count

import pytest

from common.wait import ConditionError, Outcome, StopWaiting, WaitStopped, WaitTimeout, wait_for


def test_wait_for_returns_when_condition_holds() -> None:
    polls = count(1)
    outcome = wait_for(lambda: next(polls), lambda n: n >= 3, expected="three polls", timeout=2, interval=0.01)
    assert isinstance(outcome, Outcome)
    assert (outcome.value, outcome.polls) == (3, 3)
    assert 0 <= outcome.elapsed < 1


def test_wait_for_counts_declared_probe_errors_as_not_yet() -> None:
    polls = count(1)

    def probe() -> int:
        n = next(polls)
        if n < 3:
            raise RuntimeError("not yet")
        return n

    outcome = wait_for(probe, lambda n: True, expected="a value", timeout=2, interval=0.01, retry_on=(RuntimeError,))
    assert (outcome.value, outcome.polls) == (3, 3)


def test_wait_timeout_is_an_assertion_error() -> None:
    assert issubclass(WaitTimeout, AssertionError)


def test_wait_for_timeout_message() -> None:
    with pytest.raises(WaitTimeout) as err:
        wait_for(lambda: [1, 2], lambda v: len(v) == 3, expected="three endpoints", timeout=0.05, interval=0.01,
                 describe=lambda v: f"{len(v)} endpoints", transcript=lambda: ";; ANSWER SECTION:\nweb-0")
    lines = str(err.value).splitlines()
    assert re.fullmatch(r"timed out after 0s \(\d+ polls\) waiting for: three endpoints", lines[0])
    assert lines[1:] == ["last seen: 2 endpoints", "last probe output:", ";; ANSWER SECTION:", "web-0"]


def test_wait_for_timeout_reports_last_probe_error() -> None:
    polls = count(1)

    def probe() -> str:
        if next(polls) == 1:
            return "partial"
        raise RuntimeError("connection refused")

    with pytest.raises(WaitTimeout) as err:
        wait_for(probe, lambda v: v == "complete", expected="complete", timeout=0.05, interval=0.01,
                 retry_on=lambda e: "refused" in str(e))
    lines = str(err.value).splitlines()
    assert "waiting for: complete" in lines[0]
    assert lines[1:] == ["last seen: 'partial'", "last probe error: RuntimeError: connection refused"]


def test_wait_for_timeout_when_probe_never_answers() -> None:
    def probe() -> str:
        raise TimeoutError("no answer")

    with pytest.raises(WaitTimeout) as err:
        wait_for(probe, bool, expected="an answer", timeout=0.03, interval=0.01, transcript=lambda: "",
                 retry_on=(TimeoutError,))
    assert str(err.value).splitlines()[1:] == ["last probe error: TimeoutError: no answer"]


def test_undeclared_probe_error_propagates_at_once() -> None:
    polls = count(1)

    def probe() -> int:
        next(polls)
        raise KeyError("status")

    with pytest.raises(KeyError):
        wait_for(probe, bool, expected="x", timeout=5, interval=0.01, retry_on=(RuntimeError,))
    assert next(polls) == 2


def test_condition_error_is_a_bug_reported_at_once() -> None:
    polls = count(1)
    with pytest.raises(ConditionError, match="the condition of the wait for 'a dict' raised AttributeError"):
        wait_for(lambda: next(polls), lambda n: n.keys(), expected="a dict", timeout=5, interval=0.01)
    assert next(polls) == 2


def test_probe_can_stop_the_wait_early() -> None:
    polls = count(1)

    def probe() -> str:
        if next(polls) == 2:
            raise StopWaiting("pod p container c is stuck in ErrImagePull: not found")
        return "pending"

    with pytest.raises(WaitStopped) as err:
        wait_for(probe, lambda v: v == "running", expected="pod p running", timeout=30, interval=0.01)
    lines = str(err.value).splitlines()
    assert re.fullmatch(r"stopped waiting after 0s for: pod p running", lines[0])
    assert lines[1:] == ["pod p container c is stuck in ErrImagePull: not found", "last seen: 'pending'"]
    assert issubclass(WaitStopped, AssertionError)


def test_a_failing_describe_never_hides_the_timeout() -> None:
    with pytest.raises(WaitTimeout, match=r"last seen: 1 \(describing it raised ZeroDivisionError"):
        wait_for(lambda: 1, lambda v: False, expected="x", timeout=0.02, interval=0.01, describe=lambda v: str(v / 0))
