"""A conformant variant, not a fault: CoreDNS runs three replicas instead of two, so every check
asks one more server directly and the Service spreads queries over three."""

from __future__ import annotations

from faults import Fault
from faults.corefile import await_coredns
from headless_conformance.checking.kube import Kube

ANNOTATION = "headless-conformance/replicas-before-faults"


def more_replicas(kube: Kube, apply: bool, everywhere: bool = False) -> None:
    deployment = kube.apps.read_namespaced_deployment("coredns", "kube-system")
    saved = (deployment.metadata.annotations or {}).get(ANNOTATION)
    if apply:
        before = saved or str(deployment.spec.replicas)
        patch = {"metadata": {"annotations": {ANNOTATION: before}}, "spec": {"replicas": int(before) + 1}}
    elif saved is None:
        return
    else:
        patch = {"metadata": {"annotations": {ANNOTATION: None}}, "spec": {"replicas": int(saved)}}
    kube.apps.patch_namespaced_deployment("coredns", "kube-system", patch)
    await_coredns(kube)


FAULT = Fault("more-replicas", "CoreDNS runs one replica more (conformant)", "nothing",
              ("spec", "rfc", "coredns", "scenario", "cluster"), more_replicas, conformant=True)
