"""Pod traffic from the worker's pod CIDR to the control plane's is dropped, on the control plane."""

from __future__ import annotations

import subprocess

from faults import Fault, FaultError
from headless_conformance.checking.kube import Kube


def node_by_role(kube: Kube, role: str) -> tuple[str, str]:
    """(name, pod CIDR) of the first control-plane or worker node."""
    label = "node-role.kubernetes.io/control-plane"
    for node in sorted(kube.core.list_node().items, key=lambda n: n.metadata.name):
        if (label in (node.metadata.labels or {})) == (role == "control-plane"):
            return node.metadata.name, node.spec.pod_cidr
    raise FaultError(f"the cluster has no {role} node")


def cross_node_drop(kube: Kube, apply: bool, everywhere: bool = False) -> None:
    (control, control_cidr), (_, worker_cidr) = node_by_role(kube, "control-plane"), node_by_role(kube, "worker")
    rule = ["FORWARD", "-s", worker_cidr, "-d", control_cidr, "-j", "DROP"]
    exists = subprocess.run(["docker", "exec", control, "iptables", "-C", *rule], capture_output=True).returncode == 0
    if apply != exists:
        subprocess.run(["docker", "exec", control, "iptables", "-I" if apply else "-D", *rule], check=True)


FAULT = Fault("cross-node-drop", "pod traffic from the worker to the control plane is dropped",
              "cross-node reachability, wget, and every DNS check asked from the worker (CoreDNS runs on the "
              "control plane)", (), cross_node_drop)
