"""Order of pod lifecycle events as a watch saw them (sequence positions, never timestamps)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from kubernetes import watch
from kubernetes.client import ApiException

from headless_conformance.checking.kube import Kube


@dataclass(frozen=True)
class PodEvent:
    kind: str  # ADDED, MODIFIED, DELETED, or RELISTED after a watch expired
    pod: str
    ready: bool
    terminating: bool


def first(events: list[PodEvent], pod: str, what: str) -> int | None:
    """Position of the first event where `pod` was seen / ready / terminating / deleted."""
    for i, e in enumerate(events):
        if e.pod != pod:
            continue
        if (what == "seen" or (what == "ready" and e.ready and not e.terminating)
                or (what == "terminating" and (e.terminating or e.kind == "DELETED"))
                or (what == "deleted" and e.kind == "DELETED")):
            return i
    return None


def creation_violations(events: list[PodEvent], pods_in_order: list[str]) -> list[str]:
    """Each pod must first appear only after its predecessor was seen Ready."""
    return _in_turn(events, pods_in_order, ("ready", "Ready"), ("seen", "appeared"))


def deletion_violations(events: list[PodEvent], pods_in_removal_order: list[str]) -> list[str]:
    """Each pod must start terminating only after the previous one in removal order is gone."""
    return _in_turn(events, pods_in_removal_order, ("deleted", "gone"), ("terminating", "began terminating"))


def _in_turn(events: list[PodEvent], pods: list[str], done: tuple[str, str], begun: tuple[str, str]) -> list[str]:
    """Each pod's `begun` event (the `first` kind, and its words) only after its predecessor's `done` one."""
    problems = []
    for before, after in zip(pods, pods[1:], strict=False):
        finished, started = first(events, before, done[0]), first(events, after, begun[0])
        if finished is None or started is None:
            problems.append(f"{before} {done[0]} at {finished}, {after} {begun[0]} at {started}: not both observed")
        elif started < finished:
            problems.append(f"{after} {begun[1]} (event {started}) before {before} was {done[1]} (event {finished})")
    return problems


def describe(events: list[PodEvent]) -> str:
    return "\n".join(f"{i:3d} {e.kind:8s} {e.pod} ready={e.ready} terminating={e.terminating}"
                     for i, e in enumerate(events))


class WatchFailed(RuntimeError):
    """The pod watch behind an event log stopped with an error; the log is incomplete."""


class PodEventLog:
    """Watches the namespace's pods in a thread and keeps every event in arrival order.

    A watch that expires (410 Gone) is resumed from a fresh listing, whose pods are logged as
    RELISTED so a gap is visible; any other error ends the log and is raised by `__exit__`."""

    WATCH_SECONDS = 5

    def __init__(self, kube: Kube, namespace: str, selector: str) -> None:
        self.kube, self.namespace, self.selector = kube, namespace, selector
        self.events: list[PodEvent] = []
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"pod-watch-{namespace}")

    def __enter__(self) -> PodEventLog:
        self._thread.start()
        if not self._started.wait(30):
            self._stop.set()
            raise WatchFailed(f"the pod watch in {self.namespace} did not start within 30s"
                              + (f": {self.error}" if self.error else ""))
        if self.error is not None:
            raise WatchFailed(f"the pod watch in {self.namespace} failed to start: {self.error}")
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(self.WATCH_SECONDS + 25)
        if self._thread.is_alive():
            raise WatchFailed(f"the pod watch in {self.namespace} did not stop")
        if self.error is not None and exc[0] is None:
            raise WatchFailed(f"the pod watch in {self.namespace} failed, its event log is incomplete: "
                              f"{type(self.error).__name__}: {self.error}") from self.error

    def _list(self, relisted: bool) -> str:
        listing = self.kube.core.list_namespaced_pod(self.namespace, label_selector=self.selector)
        if relisted:
            self.events += [_event("RELISTED", pod) for pod in listing.items]
        return listing.metadata.resource_version

    def _run(self) -> None:
        try:
            version = self._list(relisted=False)
            self._started.set()
            core = self.kube.core
            while not self._stop.is_set():
                w = watch.Watch()
                try:
                    for event in w.stream(core.list_namespaced_pod, self.namespace, label_selector=self.selector,
                                          resource_version=version, timeout_seconds=self.WATCH_SECONDS,
                                          _request_timeout=(10, self.WATCH_SECONDS + 10)):
                        pod = event["object"]
                        version = pod.metadata.resource_version
                        self.events.append(_event(event["type"], pod))
                        if self._stop.is_set():
                            break
                except ApiException as err:
                    if err.status != 410:
                        raise
                    version = self._list(relisted=True)  # expired: resume from a fresh listing
                finally:
                    w.stop()
        except BaseException as err:  # noqa: BLE001 - reported by __exit__, never lost with the thread
            self.error = err
            self._started.set()


def _event(kind: str, pod) -> PodEvent:  # noqa: ANN001 - V1Pod
    ready = any(c.type == "Ready" and c.status == "True" for c in pod.status.conditions or [])
    return PodEvent(kind, pod.metadata.name, ready, pod.metadata.deletion_timestamp is not None)
