"""What every pod of the suite carries to meet the `restricted` Pod Security Standard, and the check
that a pod spec does.

The scenarios' servers listen on port 80, as in the article; a non-root process may bind it once
`net.ipv4.ip_unprivileged_port_start` is 0 in the pod's network namespace, a sysctl the standard
allows. The UID is fixed (so that `runAsNonRoot` holds for an image that names none) and may be
replaced by one the cluster assigns, as OpenShift does: nothing a pod runs writes where only its
own UID may (its files go to /tmp and to volumes the provisioner makes world-writable).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

__all__ = ["ENFORCE_LABELS", "UID", "container_context", "pod_context", "secure", "violations", "with_uid"]

UID = 1000
# on each namespace the suite creates: the cluster itself refuses any pod of the suite's that would not comply
ENFORCE_LABELS = {"pod-security.kubernetes.io/enforce": "restricted",
                  "pod-security.kubernetes.io/enforce-version": "latest"}
UNPRIVILEGED_PORTS = {"name": "net.ipv4.ip_unprivileged_port_start", "value": "0"}
# the sysctls the standard allows (Baseline's "Sysctls", which Restricted includes)
SAFE_SYSCTLS = frozenset({
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
})
_CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")


def pod_context(uid: int = UID) -> dict[str, Any]:
    return {"runAsNonRoot": True, "runAsUser": uid, "runAsGroup": uid, "fsGroup": uid,
            "seccompProfile": {"type": "RuntimeDefault"}, "sysctls": [dict(UNPRIVILEGED_PORTS)]}


def container_context() -> dict[str, Any]:
    return {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}


def secure(pod_spec: dict[str, Any], uid: int | None = None) -> dict[str, Any]:
    """`pod_spec` with the suite's security contexts (for the pods built in code, not in manifests/),
    run as `uid` where a cluster would assign one."""
    pod_spec["securityContext"] = pod_context()
    for list_name in _CONTAINER_LISTS:
        for container in pod_spec.get(list_name) or []:
            container["securityContext"] = container_context()
    return pod_spec if uid is None else with_uid(pod_spec, uid)


def with_uid(pod_spec: Mapping[str, Any], uid: int) -> dict[str, Any]:
    """A copy that runs as `uid` with group 0 and `uid` as its fsGroup, as OpenShift's restricted
    policy assigns them; every container's own UID or group goes, so the pod's hold."""
    if isinstance(uid, bool) or not isinstance(uid, int) or uid < 1:
        raise ValueError(f"a non-root UID is 1 or more, not {uid!r}")
    spec = copy.deepcopy(dict(pod_spec))
    context = spec.setdefault("securityContext", {})
    context.update({"runAsUser": uid, "fsGroup": uid})
    context.pop("runAsGroup", None)
    for list_name in _CONTAINER_LISTS:
        for container in spec.get(list_name) or []:
            for key in ("runAsUser", "runAsGroup"):
                (container.get("securityContext") or {}).pop(key, None)
    return spec


def violations(pod_spec: Mapping[str, Any]) -> list[str]:
    """What the `restricted` standard (and Baseline under it) would refuse in `pod_spec`, one line each;
    an empty list where the pod complies. Checks the controls a pod of this suite could touch."""
    found: list[str] = []
    pod = pod_spec.get("securityContext") or {}
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        if pod_spec.get(key):
            found.append(f"{key} is true")
    for volume in pod_spec.get("volumes") or []:
        allowed = ("configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
                   "projected", "secret")
        kinds = [k for k in volume if k != "name"]
        if any(k not in allowed for k in kinds):
            found.append(f"volume {volume.get('name')} is of type {', '.join(kinds)}")
    if pod.get("seccompProfile", {}).get("type") not in ("RuntimeDefault", "Localhost"):
        found.append("pod: seccompProfile.type is not RuntimeDefault or Localhost")
    for sysctl in pod.get("sysctls") or []:
        if sysctl.get("name") not in SAFE_SYSCTLS:
            found.append(f"pod: sysctl {sysctl.get('name')} is not one the standard allows")
    if pod.get("runAsUser") == 0:
        found.append("pod: runAsUser is 0")
    for list_name in _CONTAINER_LISTS:
        for container in pod_spec.get(list_name) or []:
            name = f"container {container.get('name')}"
            own = container.get("securityContext") or {}
            if own.get("privileged"):
                found.append(f"{name}: privileged")
            if own.get("allowPrivilegeEscalation") is not False:
                found.append(f"{name}: allowPrivilegeEscalation is not false")
            capabilities = own.get("capabilities") or {}
            if "ALL" not in (capabilities.get("drop") or []):
                found.append(f"{name}: capabilities do not drop ALL")
            if set(capabilities.get("add") or []) - {"NET_BIND_SERVICE"}:
                found.append(f"{name}: adds capabilities other than NET_BIND_SERVICE")
            if own.get("runAsNonRoot", pod.get("runAsNonRoot")) is not True:
                found.append(f"{name}: runAsNonRoot is not true")
            if own.get("runAsUser") == 0:
                found.append(f"{name}: runAsUser is 0")
            profile = (own.get("seccompProfile") or {}).get("type")
            if profile is not None and profile not in ("RuntimeDefault", "Localhost"):
                found.append(f"{name}: seccompProfile.type is {profile}")
            for port in container.get("ports") or []:
                if port.get("hostPort"):
                    found.append(f"{name}: hostPort {port['hostPort']}")
    return found
