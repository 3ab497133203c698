"""Multi-cluster headless DNS in one cluster: a headless ServiceImport and EndpointSlices labelled for
two cluster ids, written here as an MCS controller would, and what the cluster's DNS serves under
clusterset.local (the multi-cluster DNS specification, KEP-1645, schema 1.0.0). Each cluster's
endpoints are named as the article's StatefulSet pods: the same hostnames in both clusters, told
apart by the cluster id in their names. A cluster-local headless Service of the same name keeps its
own endpoint, and its own only. The addresses are documentation ranges (RFC 5737, RFC 3849) of every
family of the cluster.

The specification lets a server answer a subset of the ready endpoints at the Service's name
(2.4.1) yet asks an SRV record for each of them (2.4.2): each check holds servers to its own
section's words (docs/errata.md); that CoreDNS answers every one is a `coredns` check."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import pytest

from headless_conformance.checking import names
from headless_conformance.checking.manifests import endpoint, endpoint_slice, headless_service
from headless_conformance.checking.records import record_type, some_of
from headless_conformance.checking.rules import SINGLE_STACK

SERVICE = "my-headless-service"
EMPTY = "no-ready-endpoints"
CLUSTERS = {"cluster-a": ("my-app-statefulset-0", "my-app-statefulset-1"),
            "cluster-b": ("my-app-statefulset-0", "my-app-statefulset-1", "my-app-statefulset-2")}
PORTS = (("http", 80), ("metrics", 9090))
NETWORKS = {"A": {"cluster-a": "192.0.2.96/28", "cluster-b": "203.0.113.64/28", "local": "192.0.2.112/28"},
            "AAAA": {"cluster-a": "2001:db8:9::/64", "cluster-b": "2001:db8:a::/64", "local": "2001:db8:b::/64"}}
SERVICE_NAME = "multicluster.kubernetes.io/service-name"
SOURCE_CLUSTER = "multicluster.kubernetes.io/source-cluster"

# one process runs them all: their module's pods and objects are made once
pytestmark = pytest.mark.xdist_group("multicluster")


@dataclass(frozen=True)
class Imported:
    namespace: str
    zone: str
    domain: str
    endpoints: dict[tuple[str, str], set[str]]  # (cluster id, hostname) -> its addresses, one a family
    local: set[str]  # the cluster-local Service's own endpoint

    def fqdn(self, service: str = SERVICE) -> str:
        return names.service_fqdn(service, self.namespace, self.zone)

    def endpoint_fqdn(self, cluster: str, hostname: str) -> str:
        return f"{hostname}.{cluster}.{self.fqdn()}"

    def every_address(self) -> set[str]:
        return {ip for ips in self.endpoints.values() for ip in ips}


def service_import(name: str) -> dict:
    return {"apiVersion": "multicluster.x-k8s.io/v1alpha1", "kind": "ServiceImport", "metadata": {"name": name},
            "spec": {"type": "Headless", "ports": [{"name": n, "protocol": "TCP", "port": p} for n, p in PORTS]}}


@pytest.fixture(scope="module")
def imported(cluster, clusterset, module_workloads) -> Imported:
    types = cluster.facts.record_types
    endpoints: dict[tuple[str, str], set[str]] = {}
    docs = [service_import(SERVICE), service_import(EMPTY), headless_service(SERVICE, PORTS)]
    local: set[str] = set()
    for t in types:
        for cluster_id, hostnames in CLUSTERS.items():
            base = ipaddress.ip_network(NETWORKS[t][cluster_id]).network_address
            ips = {h: str(base + 1 + i) for i, h in enumerate(hostnames)}
            for h, ip in ips.items():
                endpoints.setdefault((cluster_id, h), set()).add(ip)
            docs.append(endpoint_slice(f"{SERVICE}-{cluster_id}-{t.lower()}", t,
                                       [endpoint(ip, h) for h, ip in ips.items()], ports=PORTS,
                                       labels={SERVICE_NAME: SERVICE, SOURCE_CLUSTER: cluster_id}))
        unready = str(ipaddress.ip_network(NETWORKS[t]["cluster-a"]).network_address + 9)
        docs.append(endpoint_slice(f"{EMPTY}-{t.lower()}", t, [endpoint(unready, "unready", ready=False)],
                                   ports=PORTS, labels={SERVICE_NAME: EMPTY, SOURCE_CLUSTER: "cluster-a"}))
        own = str(ipaddress.ip_network(NETWORKS[t]["local"]).network_address + 1)
        local.add(own)
        docs.append(endpoint_slice(f"{SERVICE}-local-{t.lower()}", t, [endpoint(own, "local-0")], service=SERVICE,
                                   ports=PORTS))
    module_workloads.apply(docs)
    return Imported(module_workloads.namespace, clusterset, cluster.domain, endpoints, local)


@pytest.mark.mcs("mcs-2.2/txt", kinds=("any",))
@pytest.mark.diverges(server="coredns", since="1.12.2", bug="no issue filed", seen=r'TXT "1\.1\.0"',
                      reason="dns-version.clusterset.local answers the cluster-local schema's version, 1.1.0: the "
                             "kubernetes plugin answers its one DNSSchemaVersion in every zone it serves")
def test_dns_version_of_clusterset_local_carries_the_multicluster_schema_version(imported, dns):
    name = f"dns-version.{imported.zone}."

    answer = dns.await_answer(name, "TXT", lambda a: a.rcode == "NOERROR" and len(a.records("TXT")) == 1,
                              f"one TXT record for {name}").value

    (record,) = answer.records("TXT")
    assert record.text == ("1.0.0",), f"{record}: not the multi-cluster DNS schema's version, 1.0.0"


@pytest.mark.mcs("mcs-2.4.1/service", kinds=(*SINGLE_STACK, "several-clusters"))
def test_a_headless_serviceimport_answers_some_of_its_ready_endpoints_across_clusters_and_no_other(imported, dns):
    with dns.together():
        for rdtype in ("A", "AAAA"):
            dns.await_answer(imported.fqdn(), rdtype, some_of(imported.every_address(), rdtype),
                             f"{rdtype} {imported.fqdn()}: some of {sorted(imported.every_address())}, each once")


@pytest.mark.coredns("multicluster-every-endpoint")
def test_coredns_answers_every_ready_endpoint_of_every_cluster(imported, dns):
    dns.await_a(imported.fqdn(), imported.every_address())


@pytest.mark.mcs("mcs-2.4.1/hostname", kinds=("hostname", "several-clusters"))
def test_each_endpoint_is_named_by_its_hostname_and_cluster_id(imported, dns):
    """The endpoints the Service's name answers (the subset a server chose) each answer at
    <hostname>.<clusterid>.<service>: the same hostname in two clusters names two endpoints."""
    answered = set()
    for rdtype in sorted({record_type(ip) for ip in imported.every_address()}):
        answered |= dns.await_answer(imported.fqdn(), rdtype, some_of(imported.every_address(), rdtype),
                                     f"{rdtype} {imported.fqdn()}").value.addresses(rdtype)
    chosen = {key: ips for key, ips in imported.endpoints.items() if ips & answered}
    assert chosen, f"{imported.fqdn()} answered none of the ready endpoints: nothing to name"

    dns.await_a_each({imported.endpoint_fqdn(cluster, hostname): ips for (cluster, hostname), ips in chosen.items()})


@pytest.mark.mcs("mcs-2.4.2/srv", kinds=("hostname", "several-clusters", "several-ports"))
def test_srv_records_are_every_ready_endpoint_of_every_cluster_times_every_port(imported, dns):
    with dns.together():
        for port_name, port in PORTS:
            dns.await_srv(names.srv_fqdn(port_name, "tcp", SERVICE, imported.namespace, imported.zone),
                          {(imported.endpoint_fqdn(c, hostname), port) for c, hostname in imported.endpoints})


@pytest.mark.mcs("mcs-2.4.1/no-ready", kinds=("unready",))
def test_a_serviceimport_with_no_ready_endpoint_is_nxdomain(imported, dns):
    dns.await_nxdomain(imported.fqdn(EMPTY))


@pytest.mark.mcs("mcs-2.4.4/no-cluster-name", kinds=("several-clusters",))
def test_no_name_disambiguates_to_one_clusters_endpoints(imported, dns):
    with dns.together():
        for cluster in CLUSTERS:
            for rdtype in ("A", "AAAA"):
                dns.await_no_records(f"{cluster}.{imported.fqdn()}", rdtype)


@pytest.mark.spec("2.4.1/service", kinds=(*SINGLE_STACK, "hostname"))
def test_the_cluster_local_service_of_the_same_name_answers_its_own_endpoint_alone(imported, dns):
    dns.await_a(names.service_fqdn(SERVICE, imported.namespace, imported.domain), imported.local)
