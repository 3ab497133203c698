"""Every pod the suite makes meets the `restricted` Pod Security Standard, with one definition of how."""

from __future__ import annotations

from typing import Any

import pytest

from headless_conformance.checking import manifests, pod_security
from headless_conformance.checking.kube import Refused, refusal
from headless_conformance.checking.probes import Probes
from headless_conformance.checking.transcript import Transcript
from headless_conformance.checking.workloads import Workloads


def _pod_specs() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for name in manifests.known():
        for doc in manifests.load(name):
            found += [(f"{name}: {doc['kind']} {doc['metadata']['name']}", spec) for spec in manifests._pod_specs(doc)]
    return found


POD_SPECS = _pod_specs()


def test_the_manifests_have_pods() -> None:
    assert len(POD_SPECS) >= 5


@pytest.mark.parametrize(("where", "spec"), POD_SPECS, ids=[w for w, _ in POD_SPECS])
def test_every_manifest_pod_carries_the_suites_security_contexts(where: str, spec: dict[str, Any]) -> None:
    assert spec.get("securityContext") == pod_security.pod_context(), where
    for container in spec["containers"]:
        assert container.get("securityContext") == pod_security.container_context(), f"{where}: {container['name']}"
    assert pod_security.violations(spec) == []


def _probes(**kwargs: Any) -> Probes:
    return Probes(None, "ns", "dig:1", "busybox:1", Transcript(), timeout=5, **kwargs)  # type: ignore[arg-type]


def _workloads(**kwargs: Any) -> Workloads:
    return Workloads(None, "ns", {"busybox:latest": "busybox:1"}, timeout=5, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("pod", ["dig-probe", "http-probe"])
def test_probe_pods_comply(pod: str) -> None:
    spec = _probes().pod_manifest(pod)["spec"]
    assert spec["securityContext"] == pod_security.pod_context()
    assert pod_security.violations(spec) == []


def test_single_pods_comply_with_every_option() -> None:
    doc = _workloads().pod_manifest("p", node="n1", args=["nc", "-l", "-p", "80"], ready_on_port=80,
                                    hostname="h", subdomain="s", hostname_as_fqdn=True)
    assert pod_security.violations(doc["spec"]) == []


def test_a_uid_the_cluster_assigns_replaces_the_manifests_one_everywhere() -> None:
    for spec in [_probes(run_as_user=1000680000).pod_manifest("dig-probe")["spec"],
                 _workloads(run_as_user=1000680000).pod_manifest("p")["spec"],
                 *[s for d in manifests.prepare(manifests.load("statefulset"), namespace="ns", images={},
                                                run_as_user=1000680000) for s in manifests._pod_specs(d)]]:
        context = spec["securityContext"]
        assert (context["runAsUser"], context["fsGroup"], "runAsGroup" in context) == (1000680000, 1000680000, False)
        assert context["runAsNonRoot"] is True
        assert pod_security.violations(spec) == []


def test_prepare_leaves_the_loaded_manifest_alone() -> None:
    docs = manifests.load("deployment")
    manifests.prepare(docs, namespace="ns", images={}, run_as_user=5)
    assert next(manifests._pod_specs(docs[0]))["securityContext"]["runAsUser"] == pod_security.UID


@pytest.mark.parametrize("uid", [0, -1, True])
def test_root_is_no_uid_to_assign(uid: int) -> None:
    with pytest.raises(ValueError, match="non-root"):
        pod_security.with_uid({}, uid)


def test_violations_name_each_control() -> None:
    spec = {"hostNetwork": True, "volumes": [{"name": "h", "hostPath": {"path": "/"}}],
            "securityContext": {"sysctls": [{"name": "kernel.msgmax", "value": "1"}]},
            "containers": [{"name": "c", "securityContext": {"privileged": True, "capabilities": {"add": ["NET_ADMIN"]},
                                                             "runAsUser": 0}, "ports": [{"hostPort": 80}]}]}
    assert pod_security.violations(spec) == [
        "hostNetwork is true", "volume h is of type hostPath",
        "pod: seccompProfile.type is not RuntimeDefault or Localhost",
        "pod: sysctl kernel.msgmax is not one the standard allows",
        "container c: privileged", "container c: allowPrivilegeEscalation is not false",
        "container c: capabilities do not drop ALL", "container c: adds capabilities other than NET_BIND_SERVICE",
        "container c: runAsNonRoot is not true", "container c: runAsUser is 0", "container c: hostPort 80"]


def test_the_namespaces_enforce_restricted() -> None:
    assert pod_security.ENFORCE_LABELS["pod-security.kubernetes.io/enforce"] == "restricted"


class _Forbidden(Exception):
    status = 403
    reason = "Forbidden"
    body = (b'{"kind":"Status","message":"pods \\"dig-probe\\" is forbidden: exceeded quota: none, '
            b'requested: pods=1, used: pods=0, limited: pods=0","reason":"Forbidden","code":403}')


def test_a_refusal_is_told_in_the_api_servers_words() -> None:
    assert refusal(_Forbidden()) == ('pods "dig-probe" is forbidden: exceeded quota: none, requested: pods=1, '
                                     'used: pods=0, limited: pods=0')
    missing = type("NotFound", (Exception,), {"status": 404, "body": None})()
    assert refusal(missing) is None
    assert issubclass(Refused, AssertionError)  # a check's failure, not an error of the suite


class _Events:
    def __init__(self, events: list[Any]) -> None:
        self.events = events

    def list_namespaced_event(self, namespace: str, field_selector: str) -> Any:
        kind = dict(p.split("=") for p in field_selector.split(","))["involvedObject.kind"]
        return type("L", (), {"items": [e for e in self.events if e.involved_object.kind == kind]})()


def _event(uid: str, kind: str, name: str, message: str, count: int = 1) -> Any:
    from kubernetes.client import CoreV1Event, V1ObjectMeta, V1ObjectReference
    return CoreV1Event(metadata=V1ObjectMeta(uid=uid), involved_object=V1ObjectReference(kind=kind, name=name),
                   message=message, count=count, reason="FailedCreate")


def _refusals(events: list[Any], kind: str, name: str, seen: dict[str, int] | None = None) -> str | None:
    from common.wait import StopWaiting
    workloads = _workloads()
    workloads.kube = type("K", (), {"core": _Events(events)})()  # type: ignore[assignment]
    try:
        workloads._check_refusals(kind, name, seen or {})
    except StopWaiting as err:
        return str(err)
    return None


PSA = 'pods "my-app-deployment-5d-x" is forbidden: violates PodSecurity "restricted:latest": runAsNonRoot != true'


def test_a_refused_pod_stops_the_rollout_wait_with_the_refusal() -> None:
    assert _refusals([_event("1", "ReplicaSet", "my-app-deployment-5d", f"Error creating: {PSA}")],
                     "Deployment", "my-app-deployment") == (
        f"Deployment my-app-deployment: the API refuses its pods: Error creating: {PSA}")
    claim = ('create Claim data-s-0 for Pod s-0 in StatefulSet s failed error: '
             'persistentvolumeclaims "data-s-0" is forbidden: exceeded quota')
    assert _refusals([_event("2", "StatefulSet", "s", claim)], "StatefulSet", "s") is not None


def test_refusals_from_before_the_wait_other_workloads_and_the_default_account_do_not_stop_it() -> None:
    old = _event("1", "ReplicaSet", "my-app-deployment-5d", PSA, count=3)
    other = _event("2", "ReplicaSet", "other-5d", PSA)
    early = _event("3", "ReplicaSet", "my-app-deployment-5d", 'pods "x" is forbidden: error looking up service '
                   'account ns/default: serviceaccount "default" not found')
    assert _refusals([old, other, early], "Deployment", "my-app-deployment", seen={"1": 3}) is None
    old.count = 4
    assert _refusals([old], "Deployment", "my-app-deployment", seen={"1": 3}) is not None
