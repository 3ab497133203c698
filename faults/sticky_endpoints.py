"""Until stopped, every address a Service in scope ever had stays published as ready, in an extra
EndpointSlice: DNS then keeps unready and terminating pods, as CoreDNS 1.8.1–1.8.3 did."""

from __future__ import annotations

import tempfile
from pathlib import Path

from kubernetes.client import ApiException

from faults import Fault
from faults.scope import in_scope
from faults.watching import events, until_stopped
from headless_conformance.checking.kube import Kube, Refused
from headless_conformance.checking.workloads import Workloads

MANAGED = "endpointslice.kubernetes.io/managed-by=endpointslice-controller.k8s.io"


def sticky_slice(service: str, family: str, addresses: set[str], ports: list[dict]) -> dict[str, object]:
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": f"sticky-{family.lower()}-{service}"[:63], "labels": {
                "kubernetes.io/service-name": service, "endpointslice.kubernetes.io/managed-by": "faults"}},
            "addressType": family, "ports": ports,
            "endpoints": [{"addresses": [a], "conditions": {"ready": True}} for a in sorted(addresses)]}


def sticky_endpoints(kube: Kube, apply: bool, everywhere: bool) -> None:
    if not apply:
        return
    until_stopped(f"keeping every address {'every namespace' if everywhere else 'the suite'}'s Services ever had, "
                  "as ready,")
    seen: dict[tuple[str, str, str], set[str]] = {}
    writers: dict[str, Workloads] = {}
    with tempfile.TemporaryDirectory(prefix="headless-conformance-faults-") as tmp:
        for event in events(kube.discovery.list_endpoint_slice_for_all_namespaces, label_selector=MANAGED):
            piece = event["object"]
            namespace = piece.metadata.namespace
            service = (piece.metadata.labels or {}).get("kubernetes.io/service-name", "")
            if not in_scope(namespace, everywhere) or not service or event["type"] == "DELETED":
                continue
            addresses = seen.setdefault((namespace, service, piece.address_type), set())
            addresses |= {a for e in piece.endpoints or [] for a in e.addresses}
            ports = [{"name": p.name, "port": p.port, "protocol": p.protocol} for p in piece.ports or []]
            if namespace not in writers:
                writers[namespace] = Workloads(kube, namespace, {}, timeout=30,
                                               discovery_cache=Path(tmp) / "discovery.json")
            try:
                writers[namespace].apply([sticky_slice(service, piece.address_type, addresses, ports)])
            except ApiException as err:
                if err.status not in (403, 404, 409):  # namespace going away, or a race with ourselves
                    raise
            except Refused as err:
                if "being terminated" not in str(err):  # a check's namespace going away is no reason to stop
                    raise


FAULT = Fault("sticky-endpoints", "every address a Service ever had stays published as ready",
              "every check that turns a pod unready, terminates, deletes or scales one down",
              ("cluster",), sticky_endpoints, until_stopped=True)
