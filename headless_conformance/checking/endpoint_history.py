"""When the API showed each change of a namespace's EndpointSlices: a watch, timed on arrival.

A check's change (a pod deleted, turned unready, a scale) is timed from the moment the API server
sent the EndpointSlice event that made the Service's ready addresses what the check expects, not
from when the check got round to looking: the watch runs from before the check acts until it
ends, in a thread of its own. Its events are kept in order; `ready_since` and `left_at` replay them.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from dataclasses import dataclass

from headless_conformance.checking.kube import SERVICE_LABEL, Kube, counts_as_ready, named_port

WATCH_SECONDS = 60  # the API server ends a watch after this; it is resumed from the last version


def endpoint_ready(conditions: dict | None) -> bool:
    """A raw watch event's endpoint conditions, read by the one readiness rule."""
    return counts_as_ready((conditions or {}).get("ready"))


@dataclass(frozen=True)
class Slice:
    service: str
    ready: frozenset[str]  # its ready addresses
    ports: tuple[tuple[str, int], ...]  # (name, port)


@dataclass(frozen=True)
class Transition:
    at: float  # this machine's clock, when the event arrived
    ready: frozenset[str]  # the Service's ready addresses from then on


class EndpointHistory:
    """Every EndpointSlice event of one namespace since it started, and what it made of each
    Service's ready addresses. `stop()` ends it; an error ends it too (`failed` says why)."""

    def __init__(self, kube: Kube, namespace: str) -> None:
        self.kube = kube
        self.namespace = namespace
        self.started = time.time()
        self.failed = ""
        self._slices: dict[str, Slice] = {}  # by the slice's name
        self._transitions: dict[str, list[Transition]] = {}
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._response = None
        self._synced = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"endpoint-history-{namespace}", daemon=True)
        self._thread.start()

    def wait_synced(self, timeout: float = 10.0) -> bool:
        """Until the watch has listed what exists (so later events are changes)."""
        return self._synced.wait(timeout)

    @property
    def live(self) -> bool:
        """Listed what exists and still following (not failed, not stopped)."""
        return self._synced.is_set() and not self.failed and not self._stopped.is_set()

    def stop(self) -> None:
        """End the watch now: its socket is shut down under the reading thread (closing the response
        would wait for that thread's read to return)."""
        self._stopped.set()
        connection = getattr(self._response, "connection", None)
        sock = getattr(connection, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _run(self) -> None:
        version = ""
        try:
            while not self._stopped.is_set():
                listing = self.kube.discovery.list_namespaced_endpoint_slice(self.namespace, _preload_content=False)
                data = json.loads(listing.data)
                version = data["metadata"]["resourceVersion"]
                self._reset(data.get("items", []))
                self._synced.set()
                while not self._stopped.is_set():
                    version = self._follow(version)
                    if not version:  # expired: list again
                        break
        except Exception as err:  # noqa: BLE001 - the history is then incomplete, and says so
            if not self._stopped.is_set():
                self.failed = f"{type(err).__name__}: {err}"
        finally:
            self._synced.set()

    def _follow(self, version: str) -> str:
        """One watch from `version`; the last version seen, or "" when it expired (410)."""
        self._response = self.kube.discovery.list_namespaced_endpoint_slice(
            self.namespace, watch=True, resource_version=version, allow_watch_bookmarks=True,
            timeout_seconds=WATCH_SECONDS, _preload_content=False, _request_timeout=(10, WATCH_SECONDS + 15))
        try:
            for line in _lines(self._response):
                event = json.loads(line)
                kind, obj = event.get("type"), event.get("object", {})
                if kind == "ERROR":
                    if obj.get("code") == 410:
                        return ""
                    raise RuntimeError(f"watch error: {obj.get('message')}")
                version = obj.get("metadata", {}).get("resourceVersion", version)
                if kind in ("ADDED", "MODIFIED", "DELETED"):
                    self._apply(kind, obj, time.time())
        finally:
            with contextlib.suppress(Exception):
                self._response.release_conn()
        return version

    def _reset(self, items: list[dict]) -> None:
        now = time.time()
        with self._lock:
            self._slices.clear()
            touched = set(self._transitions)
            for item in items:
                name, entry = _entry(item)
                self._slices[name] = entry
                touched.add(entry.service)
            for service in touched:
                self._note(service, now)

    def _apply(self, kind: str, obj: dict, at: float) -> None:
        name, entry = _entry(obj)
        with self._lock:
            old = self._slices.pop(name, None)
            if kind != "DELETED":
                self._slices[name] = entry
            for service in {entry.service, *([old.service] if old else [])}:
                self._note(service, at)

    def _note(self, service: str, at: float) -> None:
        ready = frozenset(a for s in self._slices.values() if s.service == service for a in s.ready)
        history = self._transitions.setdefault(service, [])
        if not history or history[-1].ready != ready:
            history.append(Transition(at, ready))

    def transitions(self, service: str) -> list[Transition]:
        with self._lock:
            return list(self._transitions.get(service, []))

    def ready_endpoints(self, service: str, port_name: str) -> set[tuple[str, int]]:
        """(address, port) of the Service's ready endpoints now, the port being the slice's port of
        that name (53 where a slice has none): where each server behind a DNS Service listens."""
        with self._lock:
            return {(a, named_port(s.ports, port_name))
                    for s in self._slices.values() if s.service == service for a in s.ready}

    def ready_since(self, service: str, ready: set[str]) -> float | None:
        """When the API last made the Service's ready addresses exactly `ready` (they still are);
        None when the history does not show them so (it lags, or failed)."""
        history = self.transitions(service)
        if not history or history[-1].ready != frozenset(ready):
            return None
        return history[-1].at

    def left_at(self, service: str, address: str) -> float | None:
        """When `address` last stopped being a ready address of the Service (it is not one now)."""
        history = self.transitions(service)
        if not history or address in history[-1].ready:
            return None
        for before, after in zip(reversed(history[:-1]), reversed(history), strict=False):
            if address in before.ready and address not in after.ready:
                return after.at
        return None


def _lines(response) -> object:  # noqa: ANN001 - urllib3's HTTPResponse
    """The watch's events, one JSON document a line, as they arrive."""
    pending = b""
    for chunk in response.stream(amt=None, decode_content=True):
        pending += chunk
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            if line.strip():
                yield line


def _entry(obj: dict) -> tuple[str, Slice]:
    meta = obj.get("metadata", {})
    service = (meta.get("labels") or {}).get(SERVICE_LABEL, "")
    ready = frozenset(a for e in obj.get("endpoints") or [] if endpoint_ready(e.get("conditions"))
                      for a in e.get("addresses") or [])
    ports = tuple((p.get("name") or "", p["port"]) for p in obj.get("ports") or [] if p.get("port"))
    return meta.get("name", ""), Slice(service, ready, ports)
