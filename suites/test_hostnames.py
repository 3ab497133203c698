"""Plain pods named by `hostname` and `subdomain`: a name under the headless Service of that name,
which is also their SRV target; none without such a Service; and setHostnameAsFQDN."""

from __future__ import annotations

import pytest

from headless_conformance import names

SUBDOMAIN_SERVICE = {
    "apiVersion": "v1", "kind": "Service", "metadata": {"name": "sub"},
    "spec": {"clusterIP": "None", "selector": {"app": "sub"},
             "ports": [{"name": "http", "protocol": "TCP", "port": 80, "targetPort": 80}]},
}


@pytest.mark.spec("2.4.1")
def test_hostname_and_subdomain_name_the_pod_under_the_service(cluster, workloads, dns):
    workloads.apply([{**SUBDOMAIN_SERVICE, "metadata": {"name": "sub", "namespace": workloads.namespace}}])
    pod = workloads.start_pod("p1", hostname="h1", subdomain="sub", labels={"app": "sub"})
    name = names.pod_fqdn("h1", "sub", workloads.namespace, cluster.domain)

    dns.await_a(name, {pod.ip})
    dns.await_srv_targets(names.srv_fqdn("http", "tcp", "sub", workloads.namespace, cluster.domain), {name})


@pytest.mark.spec("2.4.1")
def test_a_subdomain_naming_no_service_gives_no_record(cluster, workloads, dns):
    workloads.start_pod("p2", hostname="h2", subdomain="nosuch", labels={"app": "nosuch"})

    dns.await_no_records(names.pod_fqdn("h2", "nosuch", workloads.namespace, cluster.domain))


@pytest.mark.scenario("setHostnameAsFQDN makes the pod's own hostname its DNS name")
def test_set_hostname_as_fqdn_shows_in_the_pods_own_hostname(cluster, workloads, probes):
    workloads.apply([{**SUBDOMAIN_SERVICE, "metadata": {"name": "sub", "namespace": workloads.namespace}}])
    pod = workloads.start_pod("p3", hostname="h3", subdomain="sub", labels={"app": "sub"}, hostname_as_fqdn=True)
    fqdn = names.pod_fqdn("h3", "sub", workloads.namespace, cluster.domain).rstrip(".")

    hostname = probes.shell("p3", "hostname").stdout.strip()
    hosts = probes.shell("p3", "cat /etc/hosts").stdout

    # `hostname -f` is the name /etc/hosts gives the pod's own address (busybox's asks IPv4 only,
    # so it is read here directly, the same on every IP family)
    own = [line.split()[1:] for line in hosts.splitlines() if line.split()[:1] == [pod.ip]]
    assert hostname == fqdn, f"hostname: {hostname!r}"
    assert own and own[0][0] == fqdn, f"/etc/hosts names {pod.ip} {own}, not first {fqdn}:\n{hosts}"
