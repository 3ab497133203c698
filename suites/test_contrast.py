"""The same pods behind an ordinary ClusterIP Service: one address, no per-pod names."""

from __future__ import annotations

import pytest

from headless_conformance import names


@pytest.fixture(scope="module")
def clusterip_service(cluster, shared_deployment):
    shared_deployment.workloads.apply_manifest("clusterip-service")
    return cluster.kube.core.read_namespaced_service("my-clusterip-service", shared_deployment.namespace)


@pytest.mark.spec("2.3.1")
def test_clusterip_service_answers_its_one_service_ip(clusterip_service, shared_deployment, dns):
    name = names.service_fqdn("my-clusterip-service", shared_deployment.namespace, shared_deployment.domain)

    dns.await_a(name, {clusterip_service.spec.cluster_ip})


@pytest.mark.spec("2.3.2")
def test_clusterip_srv_points_at_the_service_not_the_pods(clusterip_service, shared_deployment, dns):
    ns, domain = shared_deployment.namespace, shared_deployment.domain
    service = names.service_fqdn("my-clusterip-service", ns, domain)

    answer = dns.await_srv_targets(names.srv_fqdn("http", "tcp", "my-clusterip-service", ns, domain),
                                   {service}).value

    assert [r.port for r in answer.srv()] == [80]
    assert set(answer.additional_addresses()) <= {service}, "glue may only name the Service itself"


@pytest.mark.spec("2.3.3")
def test_clusterip_points_back_at_the_service(clusterip_service, shared_deployment, dns):
    dns.await_ptr(clusterip_service.spec.cluster_ip,
                  {names.service_fqdn("my-clusterip-service", shared_deployment.namespace, shared_deployment.domain)})


@pytest.mark.coredns("endpoint-names-under-clusterip")
def test_coredns_also_answers_ip_dashed_names_under_a_clusterip_service(clusterip_service, shared_deployment,
                                                                        dns):
    """The DNS specification defines per-pod records only for headless Services; CoreDNS answers
    `<a-b-c-d>.<service>` for any Service whose endpoints include that address (coredns#3686)."""
    ns, domain = shared_deployment.namespace, shared_deployment.domain
    for pod in shared_deployment.serving_pods():
        dns.await_a(names.ip_pod_fqdn(pod.ip, "my-clusterip-service", ns, domain), {pod.ip})
