"""What a pod's status says: whether it serves, why not, and whether waiting for it can still help."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kubernetes.client import V1Pod

# waiting reasons that do not resolve by themselves: the wait should stop and say so. Not among
# them: RunContainerError and CreateContainerError, which the kubelet retries and which can pass
# (runc "unable to freeze" on a busy cgroup v1 host); if they persist, CrashLoopBackOff follows.
STUCK_WAITING_REASONS = frozenset({
    "ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull", "CrashLoopBackOff",
    "CreateContainerConfigError",
})
# a back-off after one failed start can be such a passing error; a container that keeps failing is not
CRASH_LOOP_RESTARTS = 2
SANDBOX_FAILURES = 3  # repeated sandbox failures of one pod that count as final
# a provisioner retries a claim it failed (local-path gives up on a helper pod after 120 s, e.g. one
# that runc could not start on a loaded cgroup v1 node): the same failure this many times is final
PROVISIONING_FAILURES = 3
# the scheduler says "unschedulable" while a claim waits for its volume too; that one resolves
_VOLUME_WAIT_HINTS = ("persistentvolumeclaim", "volume binding", "waiting for first consumer")


@dataclass(frozen=True)
class PodInfo:
    name: str
    uid: str
    ip: str | None
    ips: tuple[str, ...]
    ready: bool
    terminating: bool
    node: str | None
    hostname: str | None
    subdomain: str | None
    why_not_ready: str = ""
    index: str | None = None  # a StatefulSet pod's apps.kubernetes.io/pod-index label

    @classmethod
    def of(cls, pod: V1Pod) -> PodInfo:
        conditions = pod.status.conditions or []
        return cls(
            name=pod.metadata.name, uid=pod.metadata.uid, ip=pod.status.pod_ip,
            ips=tuple(p.ip for p in pod.status.pod_ips or [] if p.ip) or
            ((pod.status.pod_ip,) if pod.status.pod_ip else ()),
            ready=any(c.type == "Ready" and c.status == "True" for c in conditions),
            terminating=pod.metadata.deletion_timestamp is not None,
            node=pod.spec.node_name, hostname=pod.spec.hostname, subdomain=pod.spec.subdomain,
            why_not_ready=why_not_ready(pod),
            index=(pod.metadata.labels or {}).get("apps.kubernetes.io/pod-index"))

    @property
    def serving(self) -> bool:
        """Ready and not terminating: what DNS must publish."""
        return self.ready and not self.terminating and self.ip is not None


def why_not_ready(pod: V1Pod) -> str:
    for status in [*(pod.status.init_container_statuses or []), *(pod.status.container_statuses or [])]:
        if status.state and status.state.waiting and status.state.waiting.reason:
            return status.state.waiting.reason
    for condition in pod.status.conditions or []:
        if condition.status == "False" and condition.message:
            return f"{condition.type}: {condition.message}"
    return ""


def stuck(pod: V1Pod) -> str | None:
    """Why this pod will not become ready however long one waits, or None while it still may."""
    name = pod.metadata.name
    if pod.metadata.deletion_timestamp is not None:
        return None  # on its way out: a controller's replacement is what matters
    if pod.status.phase in ("Failed", "Succeeded") and not pod.metadata.owner_references:
        detail = f": {pod.status.reason} {pod.status.message or ''}".rstrip() if pod.status.reason else ""
        return f"pod {name} has ended (phase {pod.status.phase}{detail})"
    for status in [*(pod.status.init_container_statuses or []), *(pod.status.container_statuses or [])]:
        waiting = status.state.waiting if status.state else None
        if waiting and waiting.reason == "CrashLoopBackOff" and (status.restart_count or 0) < CRASH_LOOP_RESTARTS:
            continue
        if waiting and waiting.reason in STUCK_WAITING_REASONS:
            return (f"pod {name} container {status.name} ({status.image}) is stuck in {waiting.reason}"
                    + (f": {waiting.message}" if waiting.message else ""))
    for condition in pod.status.conditions or []:
        if (condition.type == "PodScheduled" and condition.status == "False" and condition.reason == "Unschedulable"
                and not any(hint in (condition.message or "").lower() for hint in _VOLUME_WAIT_HINTS)):
            return f"pod {name} cannot be scheduled: {condition.message}"
    return None


def sandbox_failure(events: list[Any]) -> str | None:
    """Why a pod will not start, from its FailedCreatePodSandBox events: the kubelet retries, but a
    cause that repeats (a hostname too long for setHostnameAsFQDN, a CNI that cannot give an
    address) stays."""
    for event in events:
        if (event.count or 1) >= SANDBOX_FAILURES:
            return (f"pod {event.involved_object.name}: the kubelet failed {event.count} times to create its "
                    f"sandbox: {event.message}")
    return None


def creation_refused(kind: str, name: str, events: list[Any], seen: dict[str, int]) -> str | None:
    """Why a workload's pods or claims will not be created, from its controller's FailedCreate
    events newer than `seen` (uid -> count): a refusal by the API (admission, quota, a ServiceAccount
    that does not exist) stands however often the controller retries. Not the default
    ServiceAccount's absence, which the cluster mends by itself just after creating a namespace."""
    for event in events:
        message = event.message or ""
        if ((event.count or 1) > seen.get(event.metadata.uid, 0) and "forbidden" in message
                and 'serviceaccount "default" not found' not in message):
            return f"{kind} {name}: the API refuses its pods: {message}"
    return None


def claim_stall(pending: list[Any], classes: list[Any], events: list[Any]) -> str | None:
    """Why a pending claim will not bind: it names no usable StorageClass, or its provisioning
    keeps failing (`events`: the namespace's claim events)."""
    names = {c.metadata.name for c in classes}
    default = any((c.metadata.annotations or {}).get("storageclass.kubernetes.io/is-default-class") == "true"
                  for c in classes)
    for claim in pending:
        wanted = claim.spec.storage_class_name
        if wanted is None and not default:
            return f"claim {claim.metadata.name} names no StorageClass and the cluster has no default"
        if wanted and wanted not in names:
            return f"claim {claim.metadata.name} asks for StorageClass {wanted}, which does not exist"
    for event in events:
        if event.reason == "ProvisioningFailed" and (event.count or 1) >= PROVISIONING_FAILURES:
            return (f"claim {event.involved_object.name} cannot be provisioned: the provisioner failed "
                    f"{event.count} times: {event.message}")
    return None


def provisioning_retried(events: list[Any]) -> bool:
    """Whether the provisioner failed a claim and is retrying it (ProvisioningFailed events)."""
    return any((e.count or 1) < PROVISIONING_FAILURES for e in events)


def describe(pods: list[PodInfo]) -> str:
    if not pods:
        return "no pods"
    return ", ".join(f"{p.name}({p.ip or 'no IP'}, {'ready' if p.ready else 'not ready'}"
                     f"{', terminating' if p.terminating else ''}"
                     f"{f', {p.why_not_ready}' if p.why_not_ready and not p.ready else ''})" for p in pods)
