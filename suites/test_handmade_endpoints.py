"""Headless Services without a selector, whose EndpointSlices the check writes itself: DNS answers
exactly those endpoints, names them by their `hostname`, merges several slices, and answers more
records than fit a UDP answer whole over TCP. The addresses are documentation ranges (RFC 5737,
RFC 3849) of the cluster's primary IP family: DNS never has to reach them. One more Service has a
single IPv6 endpoint ending in '::', on every cluster: an EndpointSlice's address type needs no pod
network of that family. Another has endpoints whose `ready` condition is unset, which the
EndpointSlice API tells consumers to count as ready."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import pytest

from fixtures.divergences import NO_PTR_WITHOUT_HOSTNAME
from headless_conformance.checking import names
from headless_conformance.checking.manifests import endpoint, endpoint_slice, headless_service
from headless_conformance.checking.rules import SINGLE_STACK

# documentation networks: the hand-made endpoints, and the large, crowded and sliced Services
NETWORKS = {"A": ("192.0.2.200/29", "198.51.100.0/24", "203.0.113.0/24", "192.0.2.0/26"),
            "AAAA": ("2001:db8:1::/64", "2001:db8:2::/64", "2001:db8:3::/64", "2001:db8:4::/64")}
TRAILING = "2001:db8:5::"  # its dashed name would end in '-' without CoreDNS's final '0'


def addresses(network: str, count: int, first: int = 1) -> list[str]:
    base = ipaddress.ip_network(network)
    return [str(base.network_address + i) for i in range(first, first + count)]


@dataclass(frozen=True)
class Handmade:
    namespace: str
    rdtype: str  # A or AAAA: the family of every address here
    own: list[str]  # alpha, beta, one without hostname, one not ready
    large: list[str]  # more records than fit a UDP answer of 1232 bytes (EDNS): about 75 A, 40 AAAA
    crowd: list[str]  # past 100 SRV records
    sliced: list[str]  # spread over three slices
    unset: list[str]  # one ready, one with `ready` unset, one with no conditions at all


@pytest.fixture(scope="module")
def handmade(cluster, module_workloads) -> Handmade:
    """The module's namespace, with every Service and EndpointSlice of this module written into it."""
    rdtype = cluster.facts.record_types[0]
    own_net, large_net, crowd_net, sliced_net = NETWORKS[rdtype]
    made = Handmade(module_workloads.namespace, rdtype, addresses(own_net, 4), addresses(large_net, 100),
                    addresses(crowd_net, 101), addresses(sliced_net, 30), addresses(own_net, 3, first=5))
    docs = [headless_service("handmade"), endpoint_slice("handmade", rdtype, [
        endpoint(made.own[0], "alpha"), endpoint(made.own[1], "beta"), endpoint(made.own[2]),
        endpoint(made.own[3], ready=False)], service="handmade")]
    docs += [headless_service("large"), endpoint_slice("large", rdtype, map(endpoint, made.large), service="large")]
    docs += [headless_service("crowd"), endpoint_slice("crowd", rdtype, map(endpoint, made.crowd), service="crowd")]
    docs += [headless_service("sliced"), *(endpoint_slice(f"sliced-{i}", rdtype, map(endpoint, made.sliced[i::3]),
                                                          service="sliced") for i in range(3))]
    docs += [headless_service("trailing"), endpoint_slice("trailing", "AAAA", [endpoint(TRAILING)], service="trailing")]
    docs += [headless_service("unready-only"),
             endpoint_slice("unready-only", rdtype, [endpoint(made.unset[0], ready=False)], service="unready-only")]
    docs += [headless_service("unset"), endpoint_slice("unset", rdtype, [
        endpoint(made.unset[0]), endpoint(made.unset[1], ready=None), {"addresses": [made.unset[2]]}], service="unset")]
    module_workloads.apply(docs)
    return made


def fqdn(service_name: str, namespace: str, domain: str) -> str:
    return names.service_fqdn(service_name, namespace, domain)


@pytest.mark.spec("2.4.1/service", kinds=(*SINGLE_STACK, "hostname", "no-hostname", "unready"))
def test_a_selectorless_service_answers_exactly_its_ready_handmade_endpoints(cluster, handmade, dns):
    dns.await_a(fqdn("handmade", handmade.namespace, cluster.domain), set(handmade.own[:3]))


@pytest.mark.spec("2.4.1/hostname", "2.4.2/srv", kinds=(*SINGLE_STACK, "hostname", "no-hostname"))
def test_handmade_endpoint_hostnames_name_their_endpoints(cluster, handmade, dns):
    alpha, beta = (names.pod_fqdn(h, "handmade", handmade.namespace, cluster.domain) for h in ("alpha", "beta"))
    alpha_ip, beta_ip = handmade.own[:2]

    with dns.together():
        dns.await_a(alpha, {alpha_ip})
        dns.await_a(beta, {beta_ip})
        dns.await_srv_endpoints(names.srv_fqdn("http", "tcp", "handmade", handmade.namespace, cluster.domain),
                                set(handmade.own[:3]), port=80, hostnames={alpha: {alpha_ip}, beta: {beta_ip}})


@pytest.mark.spec("2.4.3/ptr", kinds=(*SINGLE_STACK, "hostname", "no-hostname"))
@NO_PTR_WITHOUT_HOSTNAME
def test_each_ready_handmade_address_points_back_at_its_endpoint(cluster, handmade, dns):
    """alpha and beta by their hostnames, the endpoint without one by the identifier the server gave
    it (learnt from SRV): one PTR record each under this namespace's Service. Documentation
    addresses may be held by other namespaces' hand-made Services too (another test process's
    copy of this module): their records are theirs, and not counted here."""
    srv = names.srv_fqdn("http", "tcp", "handmade", handmade.namespace, cluster.domain)
    targets = dns.await_srv_endpoints(srv, set(handmade.own[:3]), port=80).value

    dns.await_ptr_each({ip: {target} for target, (ip,) in ((t, tuple(ips)) for t, ips in targets.items())},
                       within=names.service_fqdn("handmade", handmade.namespace, cluster.domain))


@pytest.mark.spec("2.4.1/service", kinds=(*SINGLE_STACK, "unready"))
def test_a_selectorless_service_with_no_ready_endpoint_has_no_address_record(cluster, handmade, dns):
    dns.await_a(fqdn("unready-only", handmade.namespace, cluster.domain), set())


@pytest.mark.spec("2.4.1/service", kinds=(*SINGLE_STACK, "ready-unset"))
def test_an_endpoint_whose_ready_condition_is_unset_counts_as_ready(cluster, handmade, dns):
    dns.await_a(fqdn("unset", handmade.namespace, cluster.domain), set(handmade.unset))


@pytest.mark.spec("2.4.1/service", kinds=(*SINGLE_STACK, "several-slices"))
def test_a_service_spread_over_several_endpointslices_answers_each_address_once(cluster, handmade, dns):
    dns.await_a(fqdn("sliced", handmade.namespace, cluster.domain), set(handmade.sliced))


@pytest.mark.spec("2.4.1/service", kinds=SINGLE_STACK)
def test_more_records_than_fit_udp_come_back_whole_over_tcp(cluster, handmade, dns):
    with dns.together():
        dns.await_a(fqdn("large", handmade.namespace, cluster.domain), set(handmade.large), transport="tcp")
        dns.await_a(fqdn("large", handmade.namespace, cluster.domain), set(handmade.large))  # dig's own retry over TCP


@pytest.mark.coredns("truncation")
def test_a_udp_answer_too_large_is_flagged_truncated(cluster, handmade, dns, probes):
    name = fqdn("large", handmade.namespace, cluster.domain)
    dns.await_a(name, set(handmade.large), transport="tcp")

    answer = probes.dig(name, handmade.rdtype, transport="udp-keep-truncated")

    got = len(answer.addresses(handmade.rdtype))
    assert answer.truncated and got < len(handmade.large), \
        f"UDP answer: flags {sorted(answer.flags)}, {got} of {len(handmade.large)} records"


@pytest.mark.coredns("srv-weights")
def test_srv_weight_is_one_past_a_hundred_records(cluster, handmade, dns):
    srv = names.srv_fqdn("http", "tcp", "crowd", handmade.namespace, cluster.domain)

    answer = dns.await_srv_targets(srv, {names.ip_pod_fqdn(ip, "crowd", handmade.namespace, cluster.domain)
                                         for ip in handmade.crowd}).value

    weights = sorted({(r.priority, r.weight) for r in answer.srv()})
    assert weights == [(0, 1)], f"{len(answer.srv())} records with (priority, weight) {weights}"


@pytest.mark.coredns("endpoint-names")
@pytest.mark.diverges(server="coredns", before="1.12.3", bug="coredns/coredns#7430", seen=r"2001-db8-5--\.",
                      reason="an IPv6 address ending in '::' is named by a label ending in '-' (2001-db8-5--), "
                             "not a valid host name (coredns/coredns#7430, fixed in v1.12.3)")
def test_an_ipv6_address_ending_in_double_colon_is_named_by_a_label_ending_in_a_digit(cluster, handmade, dns):
    target = names.pod_fqdn("2001-db8-5--0", "trailing", handmade.namespace, cluster.domain)

    with dns.together():
        dns.await_srv_targets(names.srv_fqdn("http", "tcp", "trailing", handmade.namespace, cluster.domain), {target})
        dns.await_a(target, {TRAILING})
