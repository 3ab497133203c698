"""Only ready endpoints are published: a pod that turns unready, or starts terminating, leaves every
answer while it still runs; publishNotReadyAddresses publishes it anyway; no ready endpoint at all
means NXDOMAIN. `gated` pods are Ready while /tmp/ready exists and take 30 s to stop."""

from __future__ import annotations

import pytest

UNREADY = "rm /tmp/ready"
READY = "touch /tmp/ready"


def _names_by_ip(gated, dns) -> dict[str, str]:
    """Each ready pod's own DNS name, as the server names it (learnt from SRV, per the specification)."""
    mapping = dns.await_srv_endpoints(gated.srv_name(), gated.serving_ips(), port=80).value
    return {next(iter(ips)): target for target, ips in mapping.items()}


@pytest.mark.spec("2.4.1")
def test_an_unready_pod_leaves_every_answer_while_running_and_returns(gated, probes, dns):
    name_of = _names_by_ip(gated, dns)
    pod = gated.serving_pods()[0]
    others = gated.serving_ips() - {pod.ip}

    probes.shell(pod.name, UNREADY)
    gated.workloads.wait(lambda: gated.workloads.pod(pod.name), lambda p: not p.ready and not p.terminating,
                         expected=f"{pod.name} running but not Ready")
    dns.changed(gated.service, others, f"{pod.name} turning unready")
    dns.await_a(gated.service_name(), others)
    dns.await_srv_endpoints(gated.srv_name(), others, port=80)
    dns.await_no_records(name_of[pod.ip])

    probes.shell(pod.name, READY)
    dns.changed(gated.service, others | {pod.ip}, f"{pod.name} turning ready again")
    dns.await_a(gated.service_name(), others | {pod.ip})
    dns.await_srv_endpoints(gated.srv_name(), others | {pod.ip}, port=80)
    dns.await_a(name_of[pod.ip], {pod.ip})


@pytest.mark.spec("2.4.1")
def test_a_terminating_pod_leaves_every_answer_before_it_is_gone(gated, dns):
    name_of = _names_by_ip(gated, dns)
    pod = gated.serving_pods()[0]
    others = gated.serving_ips() - {pod.ip}

    gated.workloads.kube.core.delete_namespaced_pod(pod.name, gated.namespace)
    dns.changed(gated.service, others, f"{pod.name} starting to terminate")
    dns.await_a(gated.service_name(), others)
    dns.await_srv_endpoints(gated.srv_name(), others, port=80)
    dns.await_no_records(name_of[pod.ip])

    still = {p.name: p for p in gated.pods()}.get(pod.name)
    assert still is not None and still.terminating, \
        f"{pod.name} was already gone when DNS dropped it: the check shows nothing about terminating pods"


@pytest.mark.spec("2.1")
def test_publish_not_ready_addresses_keeps_unready_pods_in_every_answer(gated, probes, dns):
    everyone = gated.serving_ips()
    pod = gated.serving_pods()[0]

    probes.shell(pod.name, UNREADY)
    gated.workloads.wait(lambda: gated.workloads.pod(pod.name), lambda p: not p.ready,
                         expected=f"{pod.name} not Ready")
    dns.changed(gated.service, everyone - {pod.ip}, f"{pod.name} turning unready")
    dns.await_a(gated.service_name(), everyone - {pod.ip})  # the ready-only Service has dropped it

    dns.await_a(gated.service_name("gated-unready"), everyone)
    dns.await_srv_endpoints(gated.srv_name(service="gated-unready"), everyone, port=80)


@pytest.mark.spec("2.4.1")
def test_no_ready_endpoint_means_nxdomain_and_answers_return_with_the_pods(gated, probes, dns):
    everyone = gated.serving_ips()
    pods = gated.serving_pods()

    for pod in pods:
        probes.shell(pod.name, UNREADY)
    dns.changed(gated.service, set(), "every pod turning unready")
    dns.await_nxdomain(gated.service_name(), "A")
    dns.await_nxdomain(gated.srv_name(), "SRV")

    for pod in pods:
        probes.shell(pod.name, READY)
    dns.changed(gated.service, everyone, "every pod turning ready again")
    dns.await_a(gated.service_name(), everyone)
    dns.await_srv_endpoints(gated.srv_name(), everyone, port=80)
