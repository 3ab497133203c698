"""The headless Service object and its EndpointSlices, as the API reports them."""

from __future__ import annotations

import pytest


@pytest.mark.spec
def test_cluster_ip_is_none(cluster, deployment_scenario):
    svc = cluster.kube.core.read_namespaced_service("my-headless-service", deployment_scenario.namespace)

    # what `kubectl get svc` shows as TYPE ClusterIP, CLUSTER-IP None
    assert svc.spec.type == "ClusterIP"
    assert svc.spec.cluster_ip == "None"
    assert svc.spec.cluster_ips == ["None"]


@pytest.mark.spec
def test_endpointslices_list_exactly_the_ready_pods(deployment_scenario):
    workloads = deployment_scenario.workloads
    expected = deployment_scenario.serving_ips()

    slices = workloads.await_ready_endpoints("my-headless-service", expected).value

    assert slices.ready_addresses == expected
    assert slices.ports == {("http", 80, "TCP")}
    assert slices.headless_label
