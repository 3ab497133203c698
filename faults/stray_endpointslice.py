"""Until stopped, each Service in scope gets, as it appears, an EndpointSlice of its own whose one
ready address no pod has (the EndpointSlice controller leaves slices it does not manage alone, so
once per Service is enough). The API then shows the stray endpoint: checks that compare DNS with
the pods fail, and so do those that wait for the EndpointSlices to list exactly the ready pods."""

from __future__ import annotations

from kubernetes.client import ApiException, V1Service

from faults import Fault
from faults.scope import in_scope
from faults.watching import events, until_stopped
from headless_conformance.checking.kube import Kube

STRAY_ADDRESS = {"IPv4": "10.244.99.98", "IPv6": "fd00:10:244:99::98"}


def stray_slice(service: V1Service, family: str) -> dict[str, object]:
    """An EndpointSlice of the Service, not the controller's, whose one ready address no pod has."""
    ports = [{"name": p.name or "", "port": p.target_port if isinstance(p.target_port, int) else p.port,
              "protocol": p.protocol or "TCP"} for p in service.spec.ports or []]
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": f"stray-{family.lower()}-{service.metadata.name}"[:63], "labels": {
                "kubernetes.io/service-name": service.metadata.name,
                "endpointslice.kubernetes.io/managed-by": "faults"}},
            "addressType": family, "ports": ports,
            "endpoints": [{"addresses": [STRAY_ADDRESS[family]], "conditions": {"ready": True}}]}


def stray_endpointslice(kube: Kube, apply: bool, everywhere: bool) -> None:
    if not apply:
        return
    until_stopped(f"adding stray EndpointSlices to {'every namespace' if everywhere else 'the suite'}'s Services")
    done: set[tuple[str, str]] = set()
    for event in events(kube.core.list_service_for_all_namespaces):
        service = event["object"]
        key = (service.metadata.namespace, service.metadata.name)
        wanted = service.spec.selector and (everywhere or key[1] == "my-headless-service")
        if event["type"] != "ADDED" or key in done or not wanted or not in_scope(key[0], everywhere):
            continue
        done.add(key)
        for family in service.spec.ip_families or ["IPv4"]:
            try:
                kube.discovery.create_namespaced_endpoint_slice(key[0], stray_slice(service, family))
            except ApiException as err:
                if err.status not in (403, 404, 409):  # namespace already going away, or done
                    raise


FAULT = Fault("stray-endpointslice", "an extra EndpointSlice advertises an address no pod has",
              "every check of my-headless-service's records, and each change's wait for its EndpointSlices",
              ("cluster",), stray_endpointslice, until_stopped=True)
