"""What a pod's status says: whether it serves, why not, and whether waiting for it can still help."""

from __future__ import annotations

from dataclasses import dataclass

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


def describe(pods: list[PodInfo]) -> str:
    if not pods:
        return "no pods"
    return ", ".join(f"{p.name}({p.ip or 'no IP'}, {'ready' if p.ready else 'not ready'}"
                     f"{', terminating' if p.terminating else ''}"
                     f"{f', {p.why_not_ready}' if p.why_not_ready and not p.ready else ''})" for p in pods)
