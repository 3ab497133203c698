"""Dual stack: the Deployment's pods behind a headless Service that requires both IP families.
Every ready pod is answered under A with its IPv4 address and under AAAA with its IPv6 address;
each address is an endpoint of its own (EndpointSlices hold one family each), so SRV identifies
each one, and each points back at its names in its own reverse form — an IPv4 address under both
headless Services that hold it. A dual-stack StatefulSet's pod has one hostname on both of its
endpoints, so its one name and SRV target carry both addresses. A dual-stack ClusterIP Service has
one address record and one reverse record per family. Runs on a dual-stack cluster only
(`--ip-family dual`)."""

from __future__ import annotations

import pytest

from fixtures.divergences import NO_PTR_WITHOUT_HOSTNAME
from headless_conformance.checking import names
from headless_conformance.checking.records import record_type

SERVICE = "my-dual-stack-service"


@pytest.fixture(scope="module", autouse=True)
def _dual_stack_cluster(cluster) -> None:
    """Every check here needs both families: skipped before anything is rolled out otherwise."""
    if cluster.facts.ip_family != "dual":
        pytest.skip(f"needs a dual-stack cluster (--ip-family dual); this one is {cluster.facts.ip_family}")


def _dual_service(scenario, name: str):  # noqa: ANN202 - ServiceInfo
    service = scenario.workloads.service(name)
    assert sorted(service.ip_families) == ["IPv4", "IPv6"], \
        f"{name} got IP families {list(service.ip_families)} on a dual-stack cluster"
    return service


@pytest.fixture(scope="module")
def dual_stack(shared_deployment) -> str:
    """The Service's name, once the cluster gave it both families."""
    shared_deployment.workloads.apply_manifest("dual-stack-service")
    _dual_service(shared_deployment, SERVICE)
    return SERVICE


@pytest.fixture(scope="module")
def twins(shared_deployment) -> dict[str, set[str]]:
    """The dual-stack StatefulSet `twins`, rolled out: each pod's name under `twins` -> both its addresses."""
    workloads = shared_deployment.workloads
    workloads.apply_manifest("dual-stack-twins")
    _dual_service(shared_deployment, "twins")
    pods = workloads.wait_rollout("StatefulSet", "twins", "app=twins")
    return {names.pod_fqdn(p.name, "twins", shared_deployment.namespace, shared_deployment.domain): set(p.ips)
            for p in pods}


def every_address(scenario) -> set[str]:
    return {ip for pod in scenario.serving_pods() for ip in pod.ips}


@pytest.mark.cluster("dual-stack pods")
def test_every_pod_has_one_address_of_each_family(dual_stack, shared_deployment):
    families = {pod.name: sorted(record_type(ip) for ip in pod.ips) for pod in shared_deployment.serving_pods()}

    assert set(map(tuple, families.values())) == {("A", "AAAA")}, f"pods' address types: {families}"


@pytest.mark.spec("2.4.1/service", kinds=("dual", "no-hostname"))
def test_a_and_aaaa_records_are_exactly_each_ready_pods_two_addresses(dual_stack, shared_deployment, dns):
    dns.await_a(shared_deployment.service_name(dual_stack), every_address(shared_deployment))


@pytest.mark.spec("2.4.2/srv", "2.4.1/hostname", kinds=("dual", "no-hostname"))
def test_srv_targets_identify_each_address_of_each_ready_pod(dual_stack, shared_deployment, dns):
    dns.await_srv_endpoints(shared_deployment.srv_name(service=dual_stack), every_address(shared_deployment), port=80)


@pytest.mark.spec("2.4.3/ptr", kinds=("dual", "no-hostname", "several-services"))
@NO_PTR_WITHOUT_HOSTNAME
def test_each_address_points_back_under_every_headless_service_holding_it(dual_stack, shared_deployment, dns):
    """An IPv6 address is held by the dual-stack Service alone; an IPv4 one by it and by the
    scenario's single-stack Service: one PTR record per Service, naming its identifier (from SRV)."""
    learnt = [dns.await_srv_endpoints(shared_deployment.srv_name(service=service), addresses, port=80).value
              for service, addresses in ((dual_stack, every_address(shared_deployment)),
                                         (shared_deployment.service, shared_deployment.serving_ips()))]

    dns.await_ptr_each({ip: {target for mapping in learnt for target, held in mapping.items() if ip in held}
                        for ip in every_address(shared_deployment)})


@pytest.mark.spec("2.4.1/hostname", "2.4.2/srv", kinds=("dual", "hostname", "shared-hostname"))
def test_a_statefulset_pods_one_name_has_both_its_addresses(twins, shared_deployment, dns):
    """Each pod's hostname is on its IPv4 and its IPv6 endpoint: one name, both addresses, one SRV target."""
    dns.await_a_each(twins)
    dns.await_srv_endpoints(shared_deployment.srv_name(service="twins"), set().union(*twins.values()), port=80,
                            hostnames=twins)


@pytest.mark.spec("2.4.3/ptr", kinds=("dual", "hostname"))
def test_both_addresses_of_a_statefulset_pod_point_back_at_its_one_name(twins, dns):
    """A hostname names the pod's IPv4 and IPv6 endpoints alike: each address, IPv6 in nibble form,
    points back at that one name (only `twins` selects these pods)."""
    dns.await_ptr_each({ip: {name} for name, ips in twins.items() for ip in ips})


@pytest.mark.spec("2.3.1/address", "2.3.3/ptr", kinds=("dual",))
def test_a_dual_stack_clusterip_service_answers_and_points_back_from_both_cluster_ips(shared_deployment, dns):
    shared_deployment.workloads.apply_manifest("dual-stack-clusterip")
    service = _dual_service(shared_deployment, "my-dual-stack-clusterip")
    name = shared_deployment.service_name("my-dual-stack-clusterip")

    dns.await_a(name, set(service.cluster_ips))
    dns.await_ptr_each({ip: {name} for ip in service.cluster_ips})


@pytest.mark.coredns("endpoint-names")
def test_each_address_has_its_own_dashed_name_of_its_family_only(dual_stack, shared_deployment, dns):
    dns.await_a_each({names.ip_pod_fqdn(ip, dual_stack, shared_deployment.namespace, shared_deployment.domain): {ip}
                      for ip in every_address(shared_deployment)})
