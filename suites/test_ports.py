"""SRV records per port: N ready endpoints × M named ports, the endpoints' port numbers, UDP under
`_udp` and SCTP under `_sctp`, none for an unnamed port, A records for a headless Service without
ports; and the pods' addresses, behind four headless Services here, point back under each."""

from __future__ import annotations

import pytest

from fixtures.divergences import NO_PTR_WITHOUT_HOSTNAME
from headless_conformance.checking.rules import SINGLE_STACK

SERVICES = ("multi-port", "unnamed-port", "no-ports")


@pytest.fixture(scope="module")
def port_services(shared_deployment):
    shared_deployment.workloads.apply_manifest("port-services")
    for service in SERVICES:
        shared_deployment.workloads.await_endpoints(service, shared_deployment.serving_ips())
    return shared_deployment


@pytest.mark.spec("2.4.2/srv", kinds=(*SINGLE_STACK, "no-hostname", "tcp", "udp", "sctp", "several-ports"))
def test_each_named_port_has_one_srv_record_per_ready_endpoint(port_services, dns):
    ips = port_services.serving_ips()

    with dns.together():
        for port, protocol, number in (("http", "tcp", 80), ("syslog", "udp", 514), ("assoc", "sctp", 9899)):
            dns.await_srv_endpoints(port_services.srv_name(port, protocol, service="multi-port"), ips, port=number)


@pytest.mark.spec("2.4.2/srv", kinds=(*SINGLE_STACK, "port-differs"))
def test_srv_port_is_the_endpoints_port_where_the_service_port_differs(port_services, dns):
    """The endpoint's port, 80 (the Service port 8080's targetPort): the specification's text names
    the Service's port, an erratum (docs/errata.md, "SRV port of a headless Service")."""
    dns.await_srv_endpoints(port_services.srv_name("alt", "tcp", service="multi-port"), port_services.serving_ips(),
                            port=80)


@pytest.mark.coredns("srv-protocol")
def test_a_udp_port_answers_under_udp_and_not_tcp(port_services, dns):
    """The specification asks for the record under the port's protocol, and says nothing of others."""
    with dns.together():
        dns.await_srv_endpoints(port_services.srv_name("syslog", "udp", service="multi-port"),
                                port_services.serving_ips(), port=514)
        dns.await_no_records(port_services.srv_name("syslog", "tcp", service="multi-port"), "SRV")


@pytest.mark.spec("2.4.2/unnamed", kinds=("unnamed-port",))
def test_an_unnamed_port_has_no_srv_record(port_services, dns):
    """The server answers the Service (so it has seen it), yet no SRV name reaches its port: not
    under the name a named port 80 would have, nor under the port's number."""
    with dns.together():
        dns.await_a(port_services.service_name("unnamed-port"), port_services.serving_ips())

        for label in ("http", "80"):
            dns.await_no_records(port_services.srv_name(label, "tcp", service="unnamed-port"), "SRV")


@pytest.mark.spec("2.4.1/service", kinds=(*SINGLE_STACK, "several-services"))
def test_a_headless_service_without_ports_answers_its_ready_pods(port_services, dns):
    """The pods are behind three more headless Services here: each Service's name has them all."""
    dns.await_a(port_services.service_name("no-ports"), port_services.serving_ips())


@pytest.mark.spec("2.4.3/ptr", kinds=(*SINGLE_STACK, "no-hostname", "several-services"))
@NO_PTR_WITHOUT_HOSTNAME
def test_an_address_behind_several_headless_services_points_back_under_each(port_services, dns):
    """Four headless Services select the pods here: each address has one PTR record per Service,
    naming that Service's identifier of it — learnt from SRV where the Service has a named port,
    otherwise any one name under that Service."""
    ips = port_services.serving_ips()
    learnt = [dns.await_srv_endpoints(port_services.srv_name(service=service), ips, port=80).value
              for service in (port_services.service, "multi-port")]
    unknown = [port_services.service_name(s) for s in ("unnamed-port", "no-ports")]

    for ip in sorted(ips):
        names = {target for mapping in learnt for target, held in mapping.items() if ip in held}
        dns.await_ptr(ip, names, also_under=unknown)
