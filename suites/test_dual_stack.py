"""Dual stack: the Deployment's pods behind a headless Service that requires both IP families.
Every ready pod is answered under A with its IPv4 address and under AAAA with its IPv6 address;
each address is an endpoint of its own (EndpointSlices hold one family each), so SRV identifies
each one, and the IPv6 ones point back at their names in nibble form. Runs on a dual-stack
cluster only (`--ip-family dual`)."""

from __future__ import annotations

import pytest

from headless_conformance import names
from headless_conformance.dns import record_type

SERVICE = "my-dual-stack-service"


@pytest.fixture(scope="module")
def dual_stack(cluster, shared_deployment) -> str:
    """The Service's name, once the cluster gave it both families."""
    if cluster.facts.ip_family != "dual":
        pytest.skip(f"needs a dual-stack cluster (--ip-family dual); this one is {cluster.facts.ip_family}")
    shared_deployment.workloads.apply_manifest("dual-stack-service")
    service = cluster.kube.core.read_namespaced_service(SERVICE, shared_deployment.namespace)
    assert sorted(service.spec.ip_families or []) == ["IPv4", "IPv6"], \
        f"{SERVICE} got IP families {service.spec.ip_families} on a dual-stack cluster"
    return SERVICE


def every_address(scenario) -> set[str]:
    return {ip for pod in scenario.serving_pods() for ip in pod.ips}


@pytest.mark.cluster("dual-stack pods")
def test_every_pod_has_one_address_of_each_family(dual_stack, shared_deployment):
    families = {pod.name: sorted(record_type(ip) for ip in pod.ips) for pod in shared_deployment.serving_pods()}

    assert set(map(tuple, families.values())) == {("A", "AAAA")}, f"pods' address types: {families}"


@pytest.mark.spec("2.4.1")
def test_a_and_aaaa_records_are_exactly_each_ready_pods_two_addresses(dual_stack, shared_deployment, dns):
    dns.await_a(shared_deployment.service_name(dual_stack), every_address(shared_deployment))


@pytest.mark.spec("2.4.2")
def test_srv_targets_identify_each_address_of_each_ready_pod(dual_stack, shared_deployment, dns):
    dns.await_srv_endpoints(shared_deployment.srv_name(service=dual_stack), every_address(shared_deployment), port=80)


@pytest.mark.spec("2.4.3")
def test_each_ipv6_address_points_back_at_its_srv_target(dual_stack, shared_deployment, dns):
    """Only the IPv6 addresses: the IPv4 ones are also endpoints of the scenario's single-stack Service,
    so their PTR names both."""
    targets = dns.await_srv_endpoints(shared_deployment.srv_name(service=dual_stack),
                                      every_address(shared_deployment), port=80).value
    for target, (ip,) in ((t, tuple(ips)) for t, ips in targets.items()):
        if record_type(ip) == "AAAA":
            dns.await_ptr(ip, {target})


@pytest.mark.coredns("endpoint-names")
def test_each_address_has_its_own_dashed_name_of_its_family_only(dual_stack, shared_deployment, dns):
    for ip in sorted(every_address(shared_deployment)):
        dns.await_a(names.ip_pod_fqdn(ip, dual_stack, shared_deployment.namespace, shared_deployment.domain), {ip})
