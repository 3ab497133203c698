"""What a failed check's report shows of the cluster: the events and pod logs of its namespaces."""

from __future__ import annotations

from collections.abc import Iterable

from kubernetes.client import ApiException

from headless_conformance.checking.kube import Kube

LOG_LINES = 200


def namespace_diagnostics(kube: Kube, namespaces: Iterable[str]) -> list[tuple[str, str]]:
    """(title, text) for each namespace's events and each container's last log lines; a namespace
    that cannot be read says so instead (diagnostics never replace the failure they explain)."""
    core = kube.core
    out = []
    for namespace in dict.fromkeys(namespaces):
        try:
            events = core.list_namespaced_event(namespace).items
            lines = [f"{e.last_timestamp or e.event_time} {e.type} {e.involved_object.kind}/"
                     f"{e.involved_object.name}: {e.reason}: {e.message}" for e in events]
            out.append((f"events in {namespace}", "\n".join(lines) or "(no events)"))
            for pod in core.list_namespaced_pod(namespace).items:
                for container in pod.spec.containers:
                    try:
                        log = kube.pod_log(namespace, pod.metadata.name, container.name, tail_lines=LOG_LINES)
                    except ApiException as err:
                        log = f"(no log: {err.reason})"
                    out.append((f"log {namespace}/{pod.metadata.name}/{container.name}", log or "(empty)"))
        except Exception as err:  # noqa: BLE001 - diagnostics must never replace the failure they explain
            out.append(("diagnostics", f"could not collect diagnostics of {namespace}: {type(err).__name__}: {err}"))
    return out
