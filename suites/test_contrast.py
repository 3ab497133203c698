"""The same pods behind ordinary Services: a ClusterIP Service answers one address, its SRV records
name the Service with the Service's own port numbers, and its address points back at it; an
ExternalName Service is a CNAME to its external name."""

from __future__ import annotations

import pytest

from headless_conformance.checking import names
from headless_conformance.checking.rules import SINGLE_STACK

# (port name, protocol, the Service's port) of clusterip-ports: one port whose target port is 80
CLUSTERIP_PORTS = (("http", "tcp", 80), ("alt", "tcp", 8080), ("syslog", "udp", 514))


@pytest.fixture(scope="module")
def clusterip_service(shared_deployment):
    shared_deployment.workloads.apply_manifest("clusterip-service")
    return shared_deployment.workloads.service("my-clusterip-service")


@pytest.fixture(scope="module")
def clusterip_ports(shared_deployment) -> str:
    shared_deployment.workloads.apply_manifest("clusterip-ports")
    return shared_deployment.service_name("clusterip-ports")


@pytest.mark.spec("2.3.1/address", kinds=SINGLE_STACK)
def test_clusterip_service_answers_its_one_service_ip(clusterip_service, shared_deployment, dns):
    name = names.service_fqdn("my-clusterip-service", shared_deployment.namespace, shared_deployment.domain)

    dns.await_a(name, {clusterip_service.cluster_ip})


@pytest.mark.spec("2.3.2/srv", kinds=("tcp",))
def test_clusterip_srv_points_at_the_service_not_the_pods(clusterip_service, shared_deployment, dns):
    ns, domain = shared_deployment.namespace, shared_deployment.domain
    service = names.service_fqdn("my-clusterip-service", ns, domain)

    dns.await_srv(names.srv_fqdn("http", "tcp", "my-clusterip-service", ns, domain), {(service, 80)})


@pytest.mark.spec("2.3.2/srv", kinds=("tcp", "udp", "several-ports", "port-differs"))
def test_each_named_port_of_a_clusterip_service_has_its_service_port(clusterip_ports, shared_deployment, dns):
    with dns.together():
        for port, protocol, number in CLUSTERIP_PORTS:
            dns.await_srv(shared_deployment.srv_name(port, protocol, service="clusterip-ports"),
                          {(clusterip_ports, number)})


@pytest.mark.spec("2.3.2/unnamed", kinds=("unnamed-port",))
def test_an_unnamed_port_of_a_clusterip_service_has_no_srv_record(clusterip_ports, shared_deployment, dns):
    """The server answers the Service (so it has seen it), yet no SRV name reaches its one port."""
    service = shared_deployment.workloads.service("clusterip-unnamed")
    with dns.together():
        dns.await_a(shared_deployment.service_name("clusterip-unnamed"), {service.cluster_ip})

        for label in ("http", "80"):
            dns.await_no_records(shared_deployment.srv_name(label, "tcp", service="clusterip-unnamed"), "SRV")


@pytest.mark.coredns("srv-glue")
def test_coredns_glues_a_clusterip_srv_answer_with_the_service_address(clusterip_service, shared_deployment, dns):
    ns, domain = shared_deployment.namespace, shared_deployment.domain
    service = names.service_fqdn("my-clusterip-service", ns, domain)

    answer = dns.await_srv(names.srv_fqdn("http", "tcp", "my-clusterip-service", ns, domain), {(service, 80)}).value

    assert answer.additional_addresses() == {service: frozenset({clusterip_service.cluster_ip})}


@pytest.mark.spec("2.3.3/ptr", kinds=SINGLE_STACK)
def test_clusterip_points_back_at_the_service(clusterip_service, shared_deployment, dns):
    dns.await_ptr(clusterip_service.cluster_ip,
                  {names.service_fqdn("my-clusterip-service", shared_deployment.namespace, shared_deployment.domain)})


@pytest.mark.coredns("endpoint-names-under-clusterip")
def test_coredns_also_answers_ip_dashed_names_under_a_clusterip_service(clusterip_service, shared_deployment,
                                                                        dns):
    """The DNS specification defines per-pod records only for headless Services; CoreDNS answers
    `<a-b-c-d>.<service>` for any Service whose endpoints include that address (coredns#3686)."""
    ns, domain = shared_deployment.namespace, shared_deployment.domain
    dns.await_a_each({names.ip_pod_fqdn(pod.ip, "my-clusterip-service", ns, domain): {pod.ip}
                      for pod in shared_deployment.serving_pods()})


@pytest.mark.spec("2.5/cname", kinds=SINGLE_STACK)
def test_an_external_name_service_is_a_cname_to_its_external_name(cluster, workloads, dns):
    """Asked for the cluster's own family, as the specification words it (A where the Service is IPv4,
    AAAA where it is IPv6). Its external name is the API Service's, inside the cluster, so that
    nothing is asked outside."""
    target = names.service_fqdn("kubernetes", "default", cluster.domain)
    workloads.apply([{"apiVersion": "v1", "kind": "Service",
                      "metadata": {"name": "elsewhere", "namespace": workloads.namespace},
                      "spec": {"type": "ExternalName", "externalName": target.rstrip(".")}}])
    name = names.service_fqdn("elsewhere", workloads.namespace, cluster.domain)

    dns.await_cname(name, target, cluster.facts.record_types[0])
