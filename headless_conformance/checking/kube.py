"""API clients for one cluster, every request bounded in time, and API outages told apart from errors.

Every call through a `Kube` carries a request timeout unless it names its own, so a stalled API
server or kubelet fails a check instead of hanging it. A transport failure (refused, reset, timed
out) is `ApiUnavailable` — worth retrying for a while — until the API server has not answered for
`outage_limit` seconds; from then on every failure is `ApiDown`, which stops any wait at once,
so a run against a dead control plane ends quickly with failures that say so.
"""

from __future__ import annotations

import functools
import json
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import urllib3
import websocket
import yaml
from kubernetes import client, config
from kubernetes.client import ApiException
from kubernetes.config.config_exception import ConfigException

from common.wait import StopWaiting

SERVICE_LABEL = "kubernetes.io/service-name"  # names the Service an EndpointSlice belongs to

REQUEST_TIMEOUT = 20.0  # seconds for one API request (connect + read)
OUTAGE_LIMIT = 30.0  # seconds without any answer from the API server before it counts as down
RETRY_STATUSES = (0, 429, 500, 502, 503, 504)


class ClusterUnusable(RuntimeError):
    """The kubeconfig is bad or the API server does not answer: a one-line reason."""


class ApiUnavailable(Exception):
    """The API server did not answer this request (refused, reset or timed out); retrying may help."""


class ApiDown(StopWaiting):
    """The API server has not answered for longer than the outage limit; waiting longer will not help."""


def reason(err: BaseException) -> str:
    """The useful part of a transport error ('connection refused', 'timed out', an HTTP status)."""
    text = str(err)
    for pattern, shown in ((r"\[Errno -?\d+\] ([^'\")]+)", "{}"), (r"(certificate verify failed[^'\")]*)", "{}"),
                           (r"\[SSL: ([A-Z_]+)\]", "TLS handshake failed: {}"), (r"(timed out)", "{}"),
                           (r"(Connection refused)", "{}"), (r"(Connection reset by peer)", "{}"),
                           (r"Caused by (\w+)", "{}"), (r"^\((\d+)\)", "HTTP {}")):
        match = re.search(pattern, text, re.IGNORECASE)
        if match:
            return shown.format(match.group(1).strip()).lower()
    return text.splitlines()[0][:120] if text else type(err).__name__


@dataclass
class Health:
    """When the API server last answered, shared by every request of one client."""

    host: str
    outage_limit: float = OUTAGE_LIMIT
    failing_since: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def ok(self) -> None:
        with self._lock:
            self.failing_since = None

    def failed(self, err: BaseException) -> Exception:
        """The exception to raise for a transport failure: retryable while the outage is young."""
        now = time.monotonic()
        with self._lock:
            if self.failing_since is None:
                self.failing_since = now
            down_for = now - self.failing_since
        if down_for >= self.outage_limit:
            return ApiDown(f"the API server {self.host} has not answered for {down_for:.0f}s "
                           f"(last error: {reason(err)})")
        return ApiUnavailable(f"the API server {self.host} did not answer: {reason(err)}")


_HANDSHAKE = re.compile(r"Handshake status (\d{3})")


def _is_transport_error(err: BaseException) -> bool:
    if isinstance(err, (urllib3.exceptions.HTTPError, OSError, websocket.WebSocketException)):
        return True
    # the websocket (exec) transport wraps every failure in ApiException(status=0), including the
    # server's own answers ("Handshake status 404"): only the others are transport failures
    return isinstance(err, ApiException) and err.status == 0 and not _HANDSHAKE.search(str(err.reason))


def _with_handshake_status(err: ApiException) -> ApiException:
    """An exec refused by the server, as the HTTP status it answered with."""
    match = _HANDSHAKE.search(str(err.reason)) if err.status == 0 else None
    if match is None:
        return err
    return ApiException(status=int(match.group(1)), reason=str(err.reason).split(" -+-+- ", 1)[0])


class BoundedApiClient(client.ApiClient):
    """An ApiClient whose requests all time out, and which records whether the API server answers."""

    def __init__(self, configuration: client.Configuration, request_timeout: float,
                 outage_limit: float) -> None:
        super().__init__(configuration=configuration)
        self.request_timeout = request_timeout
        self.health = Health(configuration.host, outage_limit)

    def call_api(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("_request_timeout") is None:
            kwargs["_request_timeout"] = self.request_timeout
        try:
            result = super().call_api(*args, **kwargs)
        except ApiException as err:
            if _is_transport_error(err):
                raise self.health.failed(err) from None
            self.health.ok()  # the server answered, with an error status
            answered = _with_handshake_status(err)
            if answered is err:
                raise
            raise answered from None
        except Exception as err:
            if _is_transport_error(err):
                raise self.health.failed(err) from None
            raise
        self.health.ok()
        return result


class Refused(AssertionError):
    """The API server refused to create or change an object (admission, quota, permissions): asking
    again will not help, so a check stops at once with the refusal's own words."""


def refusal(err: BaseException) -> str | None:
    """The API server's message where `err` is its refusal (403 Forbidden, or 422 Invalid), else None."""
    status = getattr(err, "status", None)
    if status not in (403, 422):
        return None
    body = getattr(err, "body", None)
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    try:
        message = json.loads(body).get("message") if body else None
    except (ValueError, AttributeError):
        message = None
    return str(message or getattr(err, "reason", None) or f"HTTP {status}")


def is_transient(err: Exception) -> bool:
    """Whether waiting and asking again may help: the API server busy or briefly unreachable."""
    if isinstance(err, ApiUnavailable):
        return True
    return isinstance(err, ApiException) and err.status in RETRY_STATUSES


@dataclass
class Kube:
    api: BoundedApiClient
    kubeconfig: Path
    context: str | None

    @property
    def core(self) -> client.CoreV1Api:
        return client.CoreV1Api(self.api)

    @functools.cached_property
    def exec_api(self) -> BoundedApiClient:
        """A client for exec streams alone, told of the API server's health with the main one."""
        api = BoundedApiClient(self.api.configuration, self.api.request_timeout, self.api.health.outage_limit)
        api.health = self.api.health
        return api

    @property
    def exec_core(self) -> client.CoreV1Api:
        return client.CoreV1Api(self.exec_api)

    @property
    def apps(self) -> client.AppsV1Api:
        return client.AppsV1Api(self.api)

    @property
    def discovery(self) -> client.DiscoveryV1Api:
        return client.DiscoveryV1Api(self.api)

    @property
    def storage(self) -> client.StorageV1Api:
        return client.StorageV1Api(self.api)

    @property
    def host(self) -> str:
        return self.api.configuration.host

    def service_slices(self, namespace: str, service: str) -> list[Any]:
        """The EndpointSlices of one Service, as the API lists them now (the one reader of them)."""
        return self.discovery.list_namespaced_endpoint_slice(
            namespace, label_selector=f"{SERVICE_LABEL}={service}").items

    def ready_addresses(self, namespace: str, service: str) -> set[str]:
        """The addresses a Service's EndpointSlices list as ready (what DNS is to answer)."""
        return {a for s in self.service_slices(namespace, service) for e in s.endpoints or [] if _ready(e)
                for a in e.addresses}

    def ready_endpoints(self, namespace: str, service: str, port_name: str) -> set[tuple[str, int]]:
        """(address, port) of a Service's ready endpoints, the port being the slice's port of that
        name (53 where a slice has none): where each server behind a DNS Service listens."""
        found = set()
        for piece in self.service_slices(namespace, service):
            port = named_port(((p.name or "", p.port) for p in piece.ports or [] if p.port), port_name)
            found |= {(a, port) for e in piece.endpoints or [] if _ready(e) for a in e.addresses}
        return found

    def server_version(self) -> str:
        return client.VersionApi(self.api).get_code().git_version

    def pod_log(self, namespace: str, pod: str, container: str, *, tail_lines: int | None = None,
                limit_bytes: int | None = None, previous: bool = False) -> str:
        """A container's log as text: its last `tail_lines`, or its first `limit_bytes` (`previous`:
        of the container's last run, the one that ended). Read raw, because the client's own
        decoding returns the text of a bytes object ("b'...\\n...'")."""
        window = {k: v for k, v in (("tail_lines", tail_lines), ("limit_bytes", limit_bytes)) if v is not None}
        if previous:
            window["previous"] = True
        response = self.core.read_namespaced_pod_log(pod, namespace, container=container, _preload_content=False,
                                                     **window)
        return response.data.decode(errors="replace")


def named_port(ports: Iterable[tuple[str, int]], name: str) -> int:
    """An EndpointSlice's port of that name, from its (name, port) pairs; 53 where it has none (a DNS
    server's endpoints name their port `dns`)."""
    return next((port for found, port in ports if found == name), 53)


def counts_as_ready(ready: bool | None) -> bool:
    """An endpoint's `conditions.ready` as consumers must read it: unset counts as ready
    (discovery.k8s.io/v1 EndpointConditions). The one readiness rule, for client objects and raw
    watch events alike."""
    return ready is not False


def _ready(endpoint: Any) -> bool:
    return counts_as_ready(endpoint.conditions.ready if endpoint.conditions is not None else None)


def connect(kubeconfig: Path, context: str | None = None, *, request_timeout: float = REQUEST_TIMEOUT,
            outage_limit: float = OUTAGE_LIMIT) -> Kube:
    """Load the kubeconfig and check the API server answers; raise ClusterUnusable otherwise."""
    if not kubeconfig.exists():
        raise ClusterUnusable(f"kubeconfig {kubeconfig} does not exist")
    configuration = type.__call__(client.Configuration)
    try:
        if not isinstance(yaml.safe_load(kubeconfig.read_text()), dict):
            raise ClusterUnusable(f"{kubeconfig} is not a kubeconfig (no clusters, users or contexts in it)")
        config.load_kube_config(config_file=str(kubeconfig), context=context, client_configuration=configuration,
                                persist_config=False)
    except ClusterUnusable:
        raise
    except (ConfigException, ValueError, TypeError, KeyError) as err:
        raise ClusterUnusable(f"kubeconfig {kubeconfig}{f' (context {context})' if context else ''} "
                              f"is not usable: {str(err).splitlines()[0]}") from None
    except Exception as err:  # noqa: BLE001 - yaml errors and the like: still a bad kubeconfig
        raise ClusterUnusable(f"kubeconfig {kubeconfig} could not be read: {type(err).__name__}: "
                              f"{str(err).splitlines()[0] if str(err) else ''}") from None
    # exec streams (websocket) take no per-call timeout: bound their connect and reads here
    websocket.setdefaulttimeout(request_timeout)
    kube = Kube(api=BoundedApiClient(configuration, request_timeout, outage_limit), kubeconfig=kubeconfig,
                context=context)
    try:
        kube.server_version()
    except Exception as err:  # noqa: BLE001 - any failure here means "unreachable"
        raise ClusterUnusable(f"API server {configuration.host} is unreachable ({reason(err)})") from None
    return kube
