"""Large headless Services: no selector, 100, 101, 1000 and 1001 ready endpoints written here over
EndpointSlices of 100 (as the EndpointSlice controller cuts them), two ports each, and one Service
whose two slices both list one address. Their answers hold more than a UDP answer can: over TCP
every record, over UDP the TC flag; past 100 SRV records CoreDNS's weight stays at least 1. The
addresses are the cluster's primary family, in ranges no cluster uses (RFC 2544's benchmarking
198.18.0.0/15, RFC 3849's 2001:db8::/32): DNS never has to reach them. Each answer's size and time
are shown with the check."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import pytest

from headless_conformance.checking import names
from headless_conformance.checking.manifests import endpoint, endpoint_slice, headless_service
from headless_conformance.checking.probes import Query
from headless_conformance.checking.rules import SINGLE_STACK

SIZES = (100, 101, 1000, 1001)
PER_SLICE = 100
PORTS = (("http", 80), ("metrics", 9090))
NETWORKS = {"A": "198.18.0.0/15", "AAAA": "2001:db8:100::/64"}
REPEATED = "repeated"  # 150 endpoints over two slices, the 100th in both

# one process runs them all: their module's pods and objects are made once
pytestmark = pytest.mark.xdist_group("large-services")


@dataclass(frozen=True)
class Large:
    namespace: str
    domain: str
    rdtype: str
    members: dict[str, list[str]]  # Service -> its endpoints' addresses, each once

    def fqdn(self, service: str) -> str:
        return names.service_fqdn(service, self.namespace, self.domain)


def service_name(size: int) -> str:
    return f"endpoints-{size}"


def addresses(rdtype: str, first: int, count: int) -> list[str]:
    base = ipaddress.ip_network(NETWORKS[rdtype])
    return [str(base.network_address + first + i) for i in range(count)]


@pytest.fixture(scope="module")
def large(cluster, module_workloads) -> Large:
    rdtype = cluster.facts.record_types[0]
    members, docs, first = {}, [], 1
    for size in SIZES:
        ips = addresses(rdtype, first, size)
        first += 2048
        members[service_name(size)] = ips
        docs += [headless_service(service_name(size), PORTS), *(
            endpoint_slice(f"{service_name(size)}-{i // PER_SLICE}", rdtype, map(endpoint, ips[i:i + PER_SLICE]),
                           service=service_name(size), ports=PORTS) for i in range(0, size, PER_SLICE))]
    ips = addresses(rdtype, first, 150)
    members[REPEATED] = ips
    docs += [headless_service(REPEATED, PORTS),
             endpoint_slice(f"{REPEATED}-0", rdtype, map(endpoint, ips[:100]), service=REPEATED, ports=PORTS),
             endpoint_slice(f"{REPEATED}-1", rdtype, map(endpoint, ips[99:]), service=REPEATED, ports=PORTS)]
    module_workloads.apply(docs)
    return Large(module_workloads.namespace, cluster.domain, rdtype, members)


def show_size(transcript, label: str, answer) -> None:  # noqa: ANN001 - DigAnswer
    records = len(answer.srv()) if answer.qtype == "SRV" else len(answer.addresses(answer.qtype))
    took = f", {answer.seconds:.3f} s" if answer.seconds is not None else ""
    transcript.figure(label, f"{records} records, {answer.size} bytes{took}")


@pytest.mark.spec("2.4.1/service", kinds=(*SINGLE_STACK, "several-slices"))
@pytest.mark.parametrize("size", SIZES)
def test_every_ready_endpoint_of_a_large_service_answers_over_tcp(size, large, dns, transcript):
    name = large.fqdn(service_name(size))

    answer = dns.await_a(name, set(large.members[service_name(size)]), rdtype=large.rdtype, transport="tcp").value

    show_size(transcript, f"{large.rdtype} over TCP", answer)


@pytest.mark.coredns("truncation")
@pytest.mark.parametrize("size", (101, 1001))  # what a UDP answer holds does not depend on the size past it
def test_every_server_flags_a_large_udp_answer_truncated(size, large, dns, probes, transcript):
    """Asked without EDNS (512 bytes, as the C libraries ask) and with dig's EDNS (1232 bytes), every
    server and the Service answer part of the records, with the TC flag; what they hold is sized."""
    name, members = large.fqdn(service_name(size)), set(large.members[service_name(size)])
    dns.await_a(name, members, rdtype=large.rdtype, transport="tcp")
    servers = [None, *dns.servers()]

    queries = [Query(name, large.rdtype, s[0] if s else None, transport, s[1] if s else 53)
               for s in servers for transport in ("udp-512", "udp-keep-truncated")]
    answers = probes.dig_all(queries)

    wrong = []
    for q, answer in zip(queries, answers, strict=True):
        held = answer.addresses(large.rdtype)
        where = f"{q.server or 'the Service'} {'no EDNS' if q.transport == 'udp-512' else 'EDNS'}"
        transcript.figure(where, f"{len(held)} of {size} records, {answer.size} bytes")
        if not answer.truncated or not held < members:
            wrong.append(f"{where}: flags {sorted(answer.flags)}, {len(held)} of {size} records, "
                         f"{len(held - members)} not of the Service")
    assert not wrong, "\n".join(wrong)


@pytest.mark.coredns("srv-weights")
@pytest.mark.parametrize("size", (100, 101, 1001))  # 1000 and 1001 both outgrow one TCP message
def test_each_port_of_a_large_service_has_a_weighted_srv_record_per_endpoint(size, large, dns, probes, transcript):
    """N endpoints × M ports, asked of every server over TCP: each port's SRV name answers a record
    per endpoint with its port, each target an endpoint's dashed name, priority 0 and weight at
    least 1 (coredns/coredns#3930). Where the records outgrow one TCP message (64 KB), the answer is
    flagged truncated and holds as many as fit: those are judged, and their count shown."""
    service = service_name(size)
    dns.await_a(large.fqdn(service), set(large.members[service]), rdtype=large.rdtype, transport="tcp")
    expected = {port: {(names.ip_pod_fqdn(ip, service, large.namespace, large.domain), port)
                       for ip in large.members[service]} for _, port in PORTS}
    queries = [(port, Query(names.srv_fqdn(port_name, "tcp", service, large.namespace, large.domain), "SRV",
                            s[0] if s else None, "tcp", s[1] if s else 53))
               for port_name, port in PORTS for s in (None, *dns.servers())]

    answers = probes.dig_all([q for _, q in queries])

    wrong = []
    for (port, q), answer in zip(queries, answers, strict=True):
        got = {(r.target, r.port) for r in answer.srv()}
        weights = sorted({(r.priority, r.weight) for r in answer.srv()})
        where = f"port {port} from {q.server or 'the Service'}"
        transcript.figure(where, f"{len(got)} of {size} records{' (TC)' if answer.truncated else ''}, "
                                 f"{answer.size} bytes, (priority, weight) {weights}")
        if not (got < expected[port] if answer.truncated else got == expected[port]) or \
                any(p != 0 or w < 1 for p, w in weights):
            wrong.append(f"{where}: {len(got)} of {size} records{' (TC)' if answer.truncated else ''}, "
                         f"{len(got - expected[port])} not an endpoint's, (priority, weight) {weights}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.rfc("rfc2181/duplicates", kinds=(*SINGLE_STACK, "no-hostname"))
def test_an_address_listed_by_two_slices_is_answered_once(large, dns):
    name = large.fqdn(REPEATED)

    dns.await_answer(name, large.rdtype, lambda a: not a.duplicates() and a.addresses(large.rdtype) == set(
        large.members[REPEATED]), f"{large.rdtype} {name}: each of the 150 addresses once", transport="tcp")
