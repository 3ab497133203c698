"""Order of pod lifecycle events: creation and deletion violations."""

from __future__ import annotations

from headless_conformance.checking.ordering import PodEvent, creation_violations, deletion_violations, first


def added(pod: str) -> PodEvent:
    return PodEvent("ADDED", pod, ready=False, terminating=False)


def ready(pod: str) -> PodEvent:
    return PodEvent("MODIFIED", pod, ready=True, terminating=False)


def terminating(pod: str) -> PodEvent:
    return PodEvent("MODIFIED", pod, ready=True, terminating=True)


def deleted(pod: str) -> PodEvent:
    return PodEvent("DELETED", pod, ready=False, terminating=True)


PODS = ["web-0", "web-1", "web-2"]


def test_first_positions() -> None:
    events = [added("web-0"), ready("web-0"), terminating("web-0"), deleted("web-0")]
    assert [first(events, "web-0", what) for what in ("seen", "ready", "terminating", "deleted")] == [0, 1, 2, 3]
    assert first(events, "web-1", "seen") is None


def test_first_ready_ignores_terminating_ready_pod() -> None:
    assert first([terminating("web-0")], "web-0", "ready") is None


def test_first_terminating_counts_deletion() -> None:
    assert first([added("web-0"), deleted("web-0")], "web-0", "terminating") == 1


def test_ordered_creation_has_no_violations() -> None:
    events = [added("web-0"), ready("web-0"), added("web-1"), ready("web-1"), added("web-2"), ready("web-2")]
    assert creation_violations(events, PODS) == []


def test_pod_seen_before_predecessor_ready() -> None:
    events = [added("web-0"), added("web-1"), ready("web-0"), ready("web-1"), added("web-2"), ready("web-2")]
    assert creation_violations(events, PODS) == ["web-1 appeared (event 1) before web-0 was Ready (event 2)"]


def test_creation_with_unobserved_pod() -> None:
    events = [added("web-0"), ready("web-0"), added("web-1"), ready("web-1")]
    assert creation_violations(events, PODS) == ["web-1 ready at 3, web-2 seen at None: not both observed"]


def test_ordered_deletion_has_no_violations() -> None:
    events = [terminating("web-2"), deleted("web-2"), terminating("web-1"), deleted("web-1")]
    assert deletion_violations(events, ["web-2", "web-1"]) == []


def test_pod_terminating_before_successor_deleted() -> None:
    events = [terminating("web-2"), terminating("web-1"), deleted("web-2"), deleted("web-1")]
    assert deletion_violations(events, ["web-2", "web-1"]) == [
        "web-1 began terminating (event 1) before web-2 was gone (event 2)"]


def test_deletion_with_unobserved_pod() -> None:
    events = [terminating("web-2"), terminating("web-1"), deleted("web-1")]
    assert deletion_violations(events, ["web-2", "web-1"]) == [
        "web-2 deleted at None, web-1 terminating at 1: not both observed"]
