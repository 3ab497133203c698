"""A name asked before it exists: a StatefulSet pod's name looked up before the pod is Ready is
denied (kubernetes/kubernetes#92559, #74092), and a cache on the path may keep that denial for the
negative TTL the server gave with it (RFC 2308 §5: the lesser of its SOA's TTL and minimum). Here the
endpoint is written by the check — a selector-less headless Service whose slice gains the second
ordinal's endpoint, named as the article's pods — so that the moment the API shows it is exact.

Every server is asked apart, and the pods' own nameserver (a node-local cache where the cluster has
one): the records are judged apart from time (a denial still within its negative TTL at the timeout
leaves them undecided), and how long each took to follow the API is the run's freshness."""

from __future__ import annotations

import ipaddress

import pytest

from headless_conformance.checking import names
from headless_conformance.checking.manifests import endpoint, endpoint_slice, headless_service
from headless_conformance.checking.rules import SINGLE_STACK

SERVICE = "my-headless-service"
PODS = ("my-app-statefulset-0", "my-app-statefulset-1")
NETWORKS = {"A": "192.0.2.80/28", "AAAA": "2001:db8:8::/64"}


def served(rdtype: str, endpoints: dict[str, str]) -> dict:
    return endpoint_slice(SERVICE, rdtype, [endpoint(ip, pod) for pod, ip in endpoints.items()], service=SERVICE)


@pytest.mark.spec("2.4.1/hostname", kinds=(*SINGLE_STACK, "hostname"))
def test_a_name_denied_before_its_endpoint_exists_resolves_once_it_is_ready(cluster, workloads, dns, transcript):
    rdtype = cluster.facts.record_types[0]
    base = ipaddress.ip_network(NETWORKS[rdtype]).network_address
    ips = {pod: str(base + 1 + i) for i, pod in enumerate(PODS)}
    first, second = (names.pod_fqdn(pod, SERVICE, workloads.namespace, cluster.domain) for pod in PODS)
    workloads.apply([headless_service(SERVICE), served(rdtype, {PODS[0]: ips[PODS[0]]})])
    dns.await_a(first, {ips[PODS[0]]})

    denial = dns.await_no_records(second, rdtype).value
    transcript.figure("negative TTL", f"{denial.cache_ttl} s ({denial.rcode}, SOA TTL and minimum of the answer)")
    workloads.apply([served(rdtype, ips)])
    dns.changed(SERVICE, set(ips.values()), f"{PODS[1]}'s endpoint added, ready")

    dns.await_a(second, {ips[PODS[1]]})

    transcript.figure("resolved after the API showed it", "; ".join(", ".join(
        f"{server} {lag:.2f} s" for server, lag in change.items() if server != "what")
        for change in dns.lags_by_server) or "every server at its first answer after the change")
