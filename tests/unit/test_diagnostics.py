"""A failed check's diagnostics: events and logs of its namespaces, and a line where they cannot be read."""

from __future__ import annotations

from types import SimpleNamespace as NS

from kubernetes.client import ApiException

from headless_conformance.checking.diagnostics import namespace_diagnostics
from headless_conformance.checking.kube import Kube


class Core:
    def list_namespaced_event(self, namespace: str) -> NS:
        if namespace == "gone":
            raise ApiException(status=404, reason="Not Found")
        return NS(items=[NS(last_timestamp="t1", event_time=None, type="Warning", reason="FailedCreate",
                            message="forbidden", involved_object=NS(kind="ReplicaSet", name="rs"))])

    def list_namespaced_pod(self, namespace: str) -> NS:
        return NS(items=[NS(metadata=NS(name="p"), spec=NS(containers=[NS(name="c"), NS(name="d")]))])

    def read_namespaced_pod_log(self, pod: str, namespace: str, container: str, tail_lines: int,
                                _preload_content: bool) -> NS:
        if container == "d":
            raise ApiException(status=400, reason="Bad Request")
        return NS(data="served\nline ☃".encode())


class FakeKube:
    pod_log = Kube.pod_log  # the real reading of a log, over the fake API

    def __init__(self, core: Core) -> None:
        self.core = core


def test_events_and_each_containers_log_once_per_namespace_and_a_line_for_one_unreadable() -> None:
    found = namespace_diagnostics(FakeKube(Core()), ["ns", "ns", "gone"])  # type: ignore[arg-type]
    assert found == [("events in ns", "t1 Warning ReplicaSet/rs: FailedCreate: forbidden"),
                     ("log ns/p/c", "served\nline ☃"),
                     ("log ns/p/d", "(no log: Bad Request)"),
                     ("diagnostics", "could not collect diagnostics of gone: ApiException: (404)\nReason: Not Found\n")]
