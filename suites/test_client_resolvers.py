"""What applications see: a headless Service's names looked up by glibc's and musl's `getaddrinfo`
from pods in its namespace — with the pod's default `ndots:5`, and `ndots:1` and `ndots:2` set through
dnsConfig — beside what dig proves the server answers every name each resolver may ask. The Service
has no selector: its endpoints are written here, named as the article's StatefulSet pods, in
documentation addresses (RFC 5737, RFC 3849) of every family of the cluster; a second one has more
endpoints than a 512-byte UDP answer or musl's 48 addresses hold."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import pytest

from headless_conformance.checking import names
from headless_conformance.checking.manifests import endpoint, endpoint_slice, headless_service

SERVICE = "my-headless-service"
PODS = [f"my-app-statefulset-{i}" for i in range(3)]
LARGE = "many-endpoints"
LARGE_COUNT = 100
NETWORKS = {"A": ("192.0.2.64/28", "198.51.100.0/24"), "AAAA": ("2001:db8:6::/64", "2001:db8:7::/64")}
NDOTS = (5, 1, 2)
TRIES = 4  # lookups of the large Service by each resolver: each may meet any server behind the Service


def addresses(network: str, count: int) -> list[str]:
    base = ipaddress.ip_network(network)
    return [str(base.network_address + i) for i in range(1, count + 1)]

# one process runs them all: their module's pods and objects are made once
pytestmark = pytest.mark.xdist_group("client-resolvers")


@dataclass(frozen=True)
class Served:
    namespace: str
    domain: str
    types: tuple[str, ...]  # the cluster's families: the endpoints' addresses
    pods: dict[str, set[str]]  # hostname -> its addresses, one of each family
    large: set[str]

    def fqdn(self, service: str = SERVICE) -> str:
        return names.service_fqdn(service, self.namespace, self.domain)

    def pod_fqdn(self, pod: str) -> str:
        return names.pod_fqdn(pod, SERVICE, self.namespace, self.domain)

    def every_form(self) -> list[str]:
        """The Service and one pod, by every name an application in the namespace may use."""
        pod = PODS[0]
        return [SERVICE, f"{SERVICE}.{self.namespace}", f"{pod}.{SERVICE}", f"{pod}.{SERVICE}.{self.namespace}",
                self.fqdn().rstrip("."), self.pod_fqdn(pod).rstrip("."), self.fqdn()]


@pytest.fixture(scope="module")
def served(cluster, module_workloads) -> Served:
    types = cluster.facts.record_types
    own = {t: addresses(NETWORKS[t][0], len(PODS)) for t in types}
    many = {t: addresses(NETWORKS[t][1], LARGE_COUNT) for t in types}
    docs = [headless_service(SERVICE), headless_service(LARGE)]
    for t in types:
        named = [endpoint(ip, pod) for pod, ip in zip(PODS, own[t], strict=True)]
        docs.append(endpoint_slice(f"{SERVICE}-{t.lower()}", t, named, service=SERVICE))
        docs.append(endpoint_slice(f"{LARGE}-{t.lower()}", t, map(endpoint, many[t]), service=LARGE))
    module_workloads.apply(docs)
    return Served(module_workloads.namespace, cluster.domain, types,
                  {pod: {own[t][i] for t in types} for i, pod in enumerate(PODS)},
                  {ip for t in types for ip in many[t]})


@pytest.fixture
def settled(served, dns) -> Served:
    """The Service's records, as the server must hold them before a client asks."""
    with dns.together():
        dns.await_a(served.fqdn(), {ip for ips in served.pods.values() for ip in ips})
        dns.await_a(served.pod_fqdn(PODS[0]), served.pods[PODS[0]])
    return served


@pytest.mark.client("search-walk")
@pytest.mark.parametrize("ndots", NDOTS, ids=[f"ndots{n}" for n in NDOTS])
def test_each_resolver_gets_what_its_search_walk_finds(ndots, settled, clients):
    seen = clients.judge(ndots, settled.every_form())

    clients.probes.transcript.figure("lookups", "\n".join(map(str, seen)))
    wrong = [s for s in seen if not s.right]
    assert not wrong, f"{len(wrong)} of {len(seen)} lookups differ from their resolver's walk for ndots:{ndots} " \
        f"({clients.configured(ndots)}):\n" + "\n".join(map(str, wrong))


@pytest.mark.client("large-answer")
def test_an_answer_too_large_for_udp_reaches_each_resolver_as_documented(settled, clients, dns):
    dns.await_a(settled.fqdn(LARGE), settled.large, transport="tcp")

    seen = clients.judge(5, [settled.fqdn(LARGE)] * TRIES)

    clients.probes.transcript.figure("lookups", "\n".join(map(str, seen)))
    wrong = [s for s in seen if not s.right]
    assert not wrong, "\n".join(map(str, wrong))


@pytest.mark.client("questions")
@pytest.mark.parametrize("ndots", NDOTS, ids=[f"ndots{n}" for n in NDOTS])
def test_each_lookup_asks_exactly_the_questions_of_its_walk(ndots, settled, clients):
    clients.start_counting()

    seen = clients.judge(ndots, settled.every_form(), counted=True)

    clients.probes.transcript.figure("questions per lookup", "\n".join(
        f"{s.resolver.name} {s.name}: {len(s.lookup.asked)} questions, {s.lookup.seconds:.3f} s" for s in seen))
    wrong = [s for s in seen if not s.prediction.asks(s.lookup.asked)]
    assert not wrong, f"{len(wrong)} of {len(seen)} lookups sent other questions than their walk for ndots:{ndots} " \
        f"({clients.configured(ndots, counting=True)}):\n" + "\n".join(
        f"{s.resolver.name} {s.name} [{s.walk}]: asked {list(s.lookup.asked)}; its walk asks {list(s.prediction.asked)}"
        for s in wrong)
