"""Plain pods named by `hostname` and `subdomain`: a name under the headless Service of that name,
which is also their SRV target, in any letter case; two pods sharing one hostname share the name
and its one SRV target; none without such a Service; and setHostnameAsFQDN."""

from __future__ import annotations

import pytest

from headless_conformance.checking import names
from headless_conformance.checking.rules import SINGLE_STACK

SUBDOMAIN_SERVICE = {
    "apiVersion": "v1", "kind": "Service", "metadata": {"name": "sub"},
    "spec": {"clusterIP": "None", "selector": {"app": "sub"},
             "ports": [{"name": "http", "protocol": "TCP", "port": 80, "targetPort": 80}]},
}


def _subdomain_service(workloads) -> None:
    workloads.apply([{**SUBDOMAIN_SERVICE, "metadata": {"name": "sub", "namespace": workloads.namespace}}])


@pytest.mark.spec("2.4.1/service", "2.4.1/hostname", "2.4.2/srv", "2.4.3/ptr", kinds=(*SINGLE_STACK, "hostname"))
def test_hostname_and_subdomain_name_the_pod_under_the_service(cluster, workloads, dns):
    """The Service answers the pod, its hostname names it, SRV targets that name, and the pod's
    address points back at it."""
    _subdomain_service(workloads)
    pod = workloads.start_pod("p1", hostname="h1", subdomain="sub", labels={"app": "sub"})
    name = names.pod_fqdn("h1", "sub", workloads.namespace, cluster.domain)

    with dns.together():
        dns.await_a(names.service_fqdn("sub", workloads.namespace, cluster.domain), {pod.ip})
        dns.await_a(name, {pod.ip})
        dns.await_srv_endpoints(names.srv_fqdn("http", "tcp", "sub", workloads.namespace, cluster.domain), {pod.ip},
                                port=80, hostnames={name: {pod.ip}})
        dns.await_ptr(pod.ip, {name})


@pytest.mark.spec("2.1/case-hostname", kinds=("hostname",))
def test_a_hostname_compares_case_insensitively(cluster, workloads, dns):
    _subdomain_service(workloads)
    pod = workloads.start_pod("p6", hostname="h6", subdomain="sub", labels={"app": "sub"})
    name = names.pod_fqdn("h6", "sub", workloads.namespace, cluster.domain)

    with dns.together():
        dns.await_a(name, {pod.ip})
        dns.await_a(name.replace("h6.sub.", "H6.Sub.", 1), {pod.ip})


@pytest.mark.spec("2.4.1/hostname", "2.4.2/srv", kinds=(*SINGLE_STACK, "hostname", "shared-hostname"))
def test_two_pods_sharing_a_hostname_share_its_name_and_srv_target(cluster, workloads, dns):
    """One hostname, two endpoints: the name has both addresses, and SRV one record naming it (an
    RRset holds no two identical records)."""
    _subdomain_service(workloads)
    pods = [workloads.start_pod(pod, hostname="twin", subdomain="sub", labels={"app": "sub"}) for pod in ("p4", "p5")]
    name = names.pod_fqdn("twin", "sub", workloads.namespace, cluster.domain)
    ips = {pod.ip for pod in pods}

    with dns.together():
        dns.await_a(name, ips)
        dns.await_srv_endpoints(names.srv_fqdn("http", "tcp", "sub", workloads.namespace, cluster.domain), ips, port=80,
                                hostnames={name: ips})


@pytest.mark.coredns("nxdomain-elsewhere")
def test_a_subdomain_naming_no_service_gives_no_record(cluster, workloads, dns):
    workloads.start_pod("p2", hostname="h2", subdomain="nosuch", labels={"app": "nosuch"})

    dns.await_nxdomain(names.pod_fqdn("h2", "nosuch", workloads.namespace, cluster.domain))


@pytest.mark.scenario("setHostnameAsFQDN makes the pod's own hostname its DNS name")
def test_set_hostname_as_fqdn_shows_in_the_pods_own_hostname(cluster, workloads, probes):
    _subdomain_service(workloads)
    pod = workloads.start_pod("p3", hostname="h3", subdomain="sub", labels={"app": "sub"}, hostname_as_fqdn=True)
    fqdn = names.pod_fqdn("h3", "sub", workloads.namespace, cluster.domain).rstrip(".")

    hostname = probes.shell("p3", "hostname").stdout.strip()
    hosts = probes.shell("p3", "cat /etc/hosts").stdout

    # `hostname -f` is the name /etc/hosts gives the pod's own address (busybox's asks IPv4 only,
    # so it is read here directly, the same on every IP family)
    own = [line.split()[1:] for line in hosts.splitlines() if line.split()[:1] == [pod.ip]]
    assert hostname == fqdn, f"hostname: {hostname!r}"
    assert own and own[0][0] == fqdn, f"/etc/hosts names {pod.ip} {own}, not first {fqdn}:\n{hosts}"
