"""SRV records per port: N ready endpoints × M named ports, the Service's port numbers, UDP under
`_udp`, none for an unnamed port, and A records for a headless Service without ports."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def port_services(shared_deployment):
    shared_deployment.workloads.apply_manifest("port-services")
    for service in ("multi-port", "unnamed-port", "no-ports"):
        shared_deployment.workloads.wait(lambda s=service: shared_deployment.workloads.endpoints(s),
                                         lambda view: view.ready_addresses == shared_deployment.serving_ips(),
                                         expected=f"EndpointSlices of {service} list the ready pods")
    return shared_deployment


@pytest.mark.spec("2.4.2")
def test_each_named_port_has_one_srv_record_per_ready_endpoint(port_services, dns):
    ips = port_services.serving_ips()

    for port, protocol, number in (("http", "tcp", 80), ("syslog", "udp", 514)):
        dns.await_srv_endpoints(port_services.srv_name(port, protocol, service="multi-port"), ips, port=number)


@pytest.mark.spec("2.4.2")
@pytest.mark.diverges(server="coredns", reason="CoreDNS answers the endpoints' (target) port, 80, where the "
                                               "specification names the Service's port, 8080")
def test_srv_port_is_the_service_port_where_it_differs_from_the_target_port(port_services, dns):
    dns.await_srv_endpoints(port_services.srv_name("alt", "tcp", service="multi-port"), port_services.serving_ips(),
                            port=8080)


@pytest.mark.spec("2.4.2")
def test_a_udp_port_answers_under_udp_and_not_tcp(port_services, dns):
    dns.await_srv_endpoints(port_services.srv_name("syslog", "udp", service="multi-port"),
                            port_services.serving_ips(), port=514)
    dns.await_no_records(port_services.srv_name("syslog", "tcp", service="multi-port"), "SRV")


@pytest.mark.spec("2.4.2")
def test_an_unnamed_port_has_no_srv_record(port_services, dns):
    dns.await_no_records(port_services.srv_name("http", "tcp", service="unnamed-port"), "SRV")


@pytest.mark.spec("2.4.1")
def test_a_headless_service_without_ports_answers_its_ready_pods(port_services, dns):
    dns.await_a(port_services.service_name("no-ports"), port_services.serving_ips())
