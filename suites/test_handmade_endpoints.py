"""Headless Services without a selector, whose EndpointSlices the check writes itself: DNS answers
exactly those endpoints, names them by their `hostname`, merges several slices, and answers more
records than fit a UDP answer whole over TCP. The addresses are documentation ranges (RFC 5737):
DNS never has to reach them."""

from __future__ import annotations

import pytest

from headless_conformance import names


def addresses(prefix: str, count: int) -> list[str]:
    return [f"{prefix}.{i}" for i in range(1, count + 1)]


def service(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
            "spec": {"clusterIP": "None", "ports": [{"name": "http", "protocol": "TCP", "port": 80}]}}


def endpoint_slice(name: str, service_name: str, endpoints: list[dict]) -> dict:
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": name, "labels": {"kubernetes.io/service-name": service_name,
                                                  "endpointslice.kubernetes.io/managed-by": "headless-conformance"}},
            "addressType": "IPv4", "ports": [{"name": "http", "protocol": "TCP", "port": 80}],
            "endpoints": endpoints}


def ready(ip: str, hostname: str | None = None, is_ready: bool = True) -> dict:
    return {"addresses": [ip], "conditions": {"ready": is_ready}, **({"hostname": hostname} if hostname else {})}


LARGE = addresses("198.51.100", 100)  # more A records than fit a UDP answer of 1232 bytes (EDNS), about 75
CROWD = addresses("203.0.113", 101)  # past 100 SRV records
SLICED = addresses("192.0.2", 30)  # spread over three slices


@pytest.fixture(scope="module")
def handmade(module_workloads):
    """The module's namespace, with every Service and EndpointSlice of this module written into it."""
    namespace = module_workloads.namespace
    docs = [service("handmade"), endpoint_slice("handmade", "handmade", [
        ready("192.0.2.201", "alpha"), ready("192.0.2.202", "beta"), ready("192.0.2.203"),
        ready("192.0.2.204", is_ready=False)])]
    docs += [service("large"), endpoint_slice("large", "large", [ready(ip) for ip in LARGE])]
    docs += [service("crowd"), endpoint_slice("crowd", "crowd", [ready(ip) for ip in CROWD])]
    docs += [service("sliced")] + [endpoint_slice(f"sliced-{i}", "sliced", [ready(ip) for ip in SLICED[i::3]])
                                   for i in range(3)]
    module_workloads.apply([{**doc, "metadata": {**doc["metadata"], "namespace": namespace}} for doc in docs])
    return namespace


def fqdn(service_name: str, namespace: str, domain: str) -> str:
    return names.service_fqdn(service_name, namespace, domain)


@pytest.mark.spec("2.4.1")
def test_a_selectorless_service_answers_exactly_its_ready_handmade_endpoints(cluster, handmade, dns):
    dns.await_a(fqdn("handmade", handmade, cluster.domain), {"192.0.2.201", "192.0.2.202", "192.0.2.203"})


@pytest.mark.spec("2.4.2")
def test_handmade_endpoint_hostnames_name_their_endpoints(cluster, handmade, dns):
    alpha, beta = (names.pod_fqdn(h, "handmade", handmade, cluster.domain) for h in ("alpha", "beta"))

    dns.await_a(alpha, {"192.0.2.201"})
    dns.await_a(beta, {"192.0.2.202"})
    mapping = dns.await_srv_endpoints(names.srv_fqdn("http", "tcp", "handmade", handmade, cluster.domain),
                                      {"192.0.2.201", "192.0.2.202", "192.0.2.203"}, port=80).value
    assert {alpha: frozenset({"192.0.2.201"}), beta: frozenset({"192.0.2.202"})}.items() <= mapping.items(), \
        f"endpoints with a hostname are not the SRV targets of that name: {mapping}"


@pytest.mark.spec("2.4.1")
def test_a_service_spread_over_several_endpointslices_answers_each_address_once(cluster, handmade, dns):
    dns.await_a(fqdn("sliced", handmade, cluster.domain), set(SLICED))


@pytest.mark.spec("2.4.1")
def test_more_records_than_fit_udp_come_back_whole_over_tcp(cluster, handmade, dns):
    dns.await_a(fqdn("large", handmade, cluster.domain), set(LARGE), transport="tcp")
    dns.await_a(fqdn("large", handmade, cluster.domain), set(LARGE))  # dig's own retry over TCP


@pytest.mark.coredns("truncation")
def test_a_udp_answer_too_large_is_flagged_truncated(cluster, handmade, dns, probes):
    name = fqdn("large", handmade, cluster.domain)
    dns.await_a(name, set(LARGE), transport="tcp")

    answer = probes.dig(name, "A", transport="udp-keep-truncated")

    assert answer.truncated and len(answer.addresses()) < len(LARGE), \
        f"UDP answer: flags {sorted(answer.flags)}, {len(answer.addresses())} of {len(LARGE)} records"


@pytest.mark.coredns("srv-weights")
def test_srv_weight_is_one_past_a_hundred_records(cluster, handmade, dns):
    srv = names.srv_fqdn("http", "tcp", "crowd", handmade, cluster.domain)

    answer = dns.await_srv_targets(srv, {names.ip_pod_fqdn(ip, "crowd", handmade, cluster.domain)
                                         for ip in CROWD}).value

    weights = sorted({(r.priority, r.weight) for r in answer.srv()})
    assert weights == [(0, 1)], f"{len(answer.srv())} records with (priority, weight) {weights}"
