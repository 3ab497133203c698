"""Reading a pod's status: serving or not, and when waiting for it can no longer help."""

from __future__ import annotations

from kubernetes.client import (
    V1ContainerState,
    V1ContainerStateWaiting,
    V1ContainerStatus,
    V1ObjectMeta,
    V1Pod,
    V1PodCondition,
    V1PodSpec,
    V1PodStatus,
)

from headless_conformance.checking.pods import PodInfo, stuck


def pod(phase: str = "Pending", waiting: str | None = None, message: str | None = None,
        conditions: list[V1PodCondition] | None = None) -> V1Pod:
    statuses = None
    if waiting:
        statuses = [V1ContainerStatus(name="probe", image="headless-conformance/dig:nope", image_id="", ready=False,
                                      restart_count=0, state=V1ContainerState(
                                          waiting=V1ContainerStateWaiting(reason=waiting, message=message)))]
    return V1Pod(metadata=V1ObjectMeta(name="dig-probe", uid="u1"), spec=V1PodSpec(containers=[]),
                 status=V1PodStatus(phase=phase, container_statuses=statuses, conditions=conditions))


def test_image_pull_errors_and_crash_loops_are_final() -> None:
    assert stuck(pod(waiting="ErrImagePull", message="not found")) == (
        "pod dig-probe container probe (headless-conformance/dig:nope) is stuck in ErrImagePull: not found")
    for reason in ("ImagePullBackOff", "InvalidImageName", "CreateContainerConfigError"):
        assert reason in (stuck(pod(waiting=reason)) or "")


def test_a_crash_loop_is_final_once_the_container_failed_again() -> None:
    once = pod(waiting="CrashLoopBackOff")
    assert stuck(once) is None  # one failed start (runc "unable to freeze") may pass
    again = pod(waiting="CrashLoopBackOff")
    again.status.container_statuses[0].restart_count = 2
    assert "CrashLoopBackOff" in (stuck(again) or "")


def test_creating_containers_is_not_final() -> None:
    assert stuck(pod(waiting="ContainerCreating")) is None
    assert stuck(pod(phase="Running")) is None


def test_an_ended_pod_is_final() -> None:
    assert stuck(pod(phase="Failed")) == "pod dig-probe has ended (phase Failed)"


def test_unschedulable_is_final_unless_waiting_for_a_volume() -> None:
    unschedulable = V1PodCondition(type="PodScheduled", status="False", reason="Unschedulable",
                                   message="0/2 nodes are available: 2 node(s) didn't match node selector.")
    assert stuck(pod(conditions=[unschedulable])) == (
        "pod dig-probe cannot be scheduled: 0/2 nodes are available: 2 node(s) didn't match node selector.")
    volume = V1PodCondition(type="PodScheduled", status="False", reason="Unschedulable",
                            message="0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims.")
    assert stuck(pod(conditions=[volume])) is None


def test_pod_info_serving_needs_ready_not_terminating_and_an_ip() -> None:
    ready = V1PodCondition(type="Ready", status="True")
    p = pod(phase="Running", conditions=[ready])
    p.status.pod_ip = "10.244.1.5"
    assert PodInfo.of(p).serving
    assert PodInfo.of(p).ips == ("10.244.1.5",)
    p.metadata.deletion_timestamp = "2026-11-27T00:00:00Z"
    assert not PodInfo.of(p).serving


def test_a_terminating_pod_or_one_a_controller_replaces_is_not_final() -> None:
    from kubernetes.client import V1OwnerReference

    ending = pod(phase="Failed")
    ending.metadata.deletion_timestamp = "2026-11-27T00:00:00Z"
    assert stuck(ending) is None
    owned = pod(phase="Failed")
    owned.metadata.owner_references = [V1OwnerReference(api_version="apps/v1", kind="StatefulSet", name="s",
                                                        uid="u")]
    assert stuck(owned) is None
