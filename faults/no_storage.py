"""The volume provisioner is scaled to zero, so claims never bind."""

from __future__ import annotations

from faults import Fault
from headless_conformance.checking.kube import Kube


def no_storage(kube: Kube, apply: bool, everywhere: bool = False) -> None:
    kube.apps.patch_namespaced_deployment_scale("local-path-provisioner", "local-path-storage",
                                                {"spec": {"replicas": 0 if apply else 1}})


FAULT = Fault("no-storage", "the volume provisioner is scaled to zero, so claims never bind",
              "claim binding and every StatefulSet check with a volume (the rollout stops naming the pending "
              "claim)", ("rfc", "coredns"), no_storage)
