"""The headless Service object and its EndpointSlices, as the API reports them."""

from __future__ import annotations

import pytest


@pytest.mark.scenario("kubectl get svc shows CLUSTER-IP None")
def test_cluster_ip_is_none(shared_deployment):
    svc = shared_deployment.workloads.service("my-headless-service")

    # what `kubectl get svc` shows as TYPE ClusterIP, CLUSTER-IP None
    assert svc.type == "ClusterIP"
    assert (svc.cluster_ip, svc.cluster_ips) == ("None", ("None",)), \
        f"clusterIP {svc.cluster_ip} (clusterIPs {list(svc.cluster_ips)}): the Service is not headless"


@pytest.mark.scenario("the Service's endpoints are exactly the ready pods")
def test_endpointslices_list_exactly_the_ready_pods(shared_deployment):
    slices = shared_deployment.workloads.await_endpoints(
        "my-headless-service", shared_deployment.serving_ips(), {("http", 80, "TCP")}).value

    assert slices.headless_label, "EndpointSlices of a headless Service carry service.kubernetes.io/headless"
