"""A rollout's wait given a provisioner's retry: a claim failed once gets a retry's worth more time;
no failure, or one repeated until final, does not."""

from __future__ import annotations

import time
from types import SimpleNamespace as NS
from typing import Any

import pytest

from common.wait import WaitTimeout
from headless_conformance.checking import pods
from headless_conformance.checking import workloads as module
from headless_conformance.checking.pods import PodInfo
from headless_conformance.checking.workloads import Workloads


def _rollout(ready_after_s: float, provisioning_failures: list[int]) -> Workloads:
    """A StatefulSet of one replica that becomes ready `ready_after_s` from now."""
    began = time.monotonic()

    def statefulset(name: str, namespace: str) -> Any:
        ready = int(time.monotonic() - began >= ready_after_s)
        return NS(metadata=NS(generation=1), spec=NS(replicas=1),
                  status=NS(observed_generation=1, replicas=1, ready_replicas=ready, current_replicas=1,
                            update_revision="r", current_revision="r", available_replicas=ready))

    def events(namespace: str, field_selector: str) -> Any:
        return NS(items=[NS(count=n) for n in provisioning_failures])

    kube = NS(apps=NS(read_namespaced_stateful_set=statefulset), core=NS(list_namespaced_event=events))
    workloads = Workloads(kube, "ns", {}, timeout=0.3)  # type: ignore[arg-type]
    pod = PodInfo("web-0", "u", "10.0.0.1", ("10.0.0.1",), True, False, "node", "web-0", "web")
    workloads._pods_or_stuck = lambda selector: [pod]  # type: ignore[method-assign]
    workloads._creation_failures = lambda kind, name: []  # type: ignore[method-assign]
    return workloads


def test_a_rollout_whose_claim_failed_once_waits_for_the_provisioners_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(module, "PROVISIONING_RETRY_S", 5.0)
    assert [p.name for p in _rollout(1.0, [1]).wait_rollout("StatefulSet", "web")] == ["web-0"]


@pytest.mark.parametrize("failures", [[], [pods.PROVISIONING_FAILURES]])
def test_otherwise_a_rollout_times_out_at_its_own_deadline(failures: list[int]) -> None:
    started = time.monotonic()
    with pytest.raises(WaitTimeout, match="StatefulSet web rolled out, every pod Ready"):
        _rollout(1.0, failures).wait_rollout("StatefulSet", "web")
    assert time.monotonic() - started < 1.0
