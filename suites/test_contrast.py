"""The same pods behind an ordinary ClusterIP Service: one address, no per-pod names."""

from __future__ import annotations

import pytest

from fixtures import names


@pytest.fixture
def clusterip_service(cluster, deployment_scenario):
    deployment_scenario.workloads.apply_manifest("clusterip-service")
    return cluster.kube.core.read_namespaced_service("my-clusterip-service", deployment_scenario.namespace)


@pytest.mark.spec
def test_clusterip_service_answers_its_one_service_ip(clusterip_service, deployment_scenario, dns):
    ns, domain = deployment_scenario.namespace, deployment_scenario.domain
    name = names.service_fqdn("my-clusterip-service", ns, domain)

    answer = dns.await_a(name, {clusterip_service.spec.cluster_ip}).value

    assert answer.addresses("A") == {clusterip_service.spec.cluster_ip}
    assert not answer.addresses("A") & deployment_scenario.serving_ips()


@pytest.mark.spec
def test_clusterip_srv_points_at_the_service_not_the_pods(clusterip_service, deployment_scenario, dns):
    ns, domain = deployment_scenario.namespace, deployment_scenario.domain
    service = names.service_fqdn("my-clusterip-service", ns, domain)
    pod_names = {names.ip_pod_fqdn(p.ip, "my-clusterip-service", ns, domain)
                 for p in deployment_scenario.serving_pods()}

    answer = dns.await_srv_targets(names.srv_fqdn("http", "tcp", "my-clusterip-service", ns, domain),
                                   {service}).value

    assert [(r.target, r.port) for r in answer.srv()] == [(service, 80)]
    assert not {r.target for r in answer.srv()} & pod_names
    assert set(answer.additional_addresses()) <= {service}


@pytest.mark.coredns
def test_coredns_also_answers_ip_dashed_names_under_a_clusterip_service(clusterip_service, deployment_scenario,
                                                                        dns):
    """The DNS specification defines per-pod records only for headless Services; CoreDNS answers
    `<a-b-c-d>.<service>` for any Service whose endpoints include that address (coredns#3686)."""
    ns, domain = deployment_scenario.namespace, deployment_scenario.domain
    for pod in deployment_scenario.serving_pods():
        name = names.ip_pod_fqdn(pod.ip, "my-clusterip-service", ns, domain)

        answer = dns.await_a(name, {pod.ip}).value

        assert answer.addresses("A") == {pod.ip}
