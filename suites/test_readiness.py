"""Only ready endpoints are published: a pod that turns unready, or starts terminating, leaves every
answer while it still runs; publishNotReadyAddresses publishes it anyway, and keeps doing so; no
ready endpoint at all leaves no record (and should be NXDOMAIN). `gated` pods are Ready while
/tmp/ready exists and take 175 s to stop; as a StatefulSet's pods under `gated`, each endpoint of
that Service has its pod's name as hostname (gated-<i>)."""

from __future__ import annotations

import pytest

from headless_conformance.checking.rules import SINGLE_STACK

UNREADY = "rm /tmp/ready"
READY = "touch /tmp/ready"


def _turn_unready(gated, probes, dns, pod, serving: set[str]) -> None:
    """`pod` turns unready while it runs; from then on DNS is timed from when the API showed it."""
    probes.shell(pod.name, UNREADY)
    gated.workloads.await_unready(pod.name)
    dns.changed(gated.service, serving - {pod.ip}, f"{pod.name} turning unready")


def _hostnames(gated, ips: set[str]) -> dict[str, set[str]]:
    """Each ready pod's own name under `gated`: its hostname, the pod's name."""
    return {gated.pod_name(p.name): {p.ip} for p in gated.pods() if p.ip in ips}


@pytest.mark.spec("2.4.1/service", "2.4.1/hostname", "2.4.2/srv", kinds=(*SINGLE_STACK, "hostname", "unready"))
def test_an_unready_pod_leaves_every_answer_while_running_and_returns(gated, probes, dns):
    pod = gated.serving_pods()[0]
    others = gated.serving_ips() - {pod.ip}
    everyone = others | {pod.ip}
    dns.await_srv_endpoints(gated.srv_name(), everyone, port=80, hostnames=_hostnames(gated, everyone))

    _turn_unready(gated, probes, dns, pod, everyone)
    with dns.together():
        dns.await_a(gated.service_name(), others)
        dns.await_srv_endpoints(gated.srv_name(), others, port=80, hostnames=_hostnames(gated, others))
        dns.await_no_records(gated.pod_name(pod.name))

    probes.shell(pod.name, READY)
    dns.changed(gated.service, everyone, f"{pod.name} turning ready again")
    with dns.together():
        dns.await_a(gated.service_name(), everyone)
        dns.await_srv_endpoints(gated.srv_name(), everyone, port=80, hostnames=_hostnames(gated, everyone))
        dns.await_a(gated.pod_name(pod.name), {pod.ip})


@pytest.mark.spec("2.4.1/service", "2.4.1/hostname", "2.4.2/srv", kinds=(*SINGLE_STACK, "hostname", "terminating"))
def test_a_terminating_pod_leaves_every_answer_before_it_is_gone(gated, dns):
    pod = gated.serving_pods()[0]
    others = gated.serving_ips() - {pod.ip}
    dns.await_a(gated.pod_name(pod.name), {pod.ip})

    gated.workloads.delete_pod(pod.name)
    dns.changed(gated.service, others, f"{pod.name} starting to terminate")
    dns.await_no_records(gated.pod_name(pod.name))  # first: once the pod is gone, its successor takes the name
    with dns.together():
        dns.await_a(gated.service_name(), others)
        dns.await_srv_endpoints(gated.srv_name(), others, port=80, hostnames=_hostnames(gated, others))

    still = {p.name: p for p in gated.pods()}.get(pod.name)
    assert still is not None and still.terminating, \
        f"{pod.name} was already gone when DNS dropped it: the check shows nothing about terminating pods"


@pytest.mark.spec("2.4.1/service", "2.4.2/srv", kinds=(*SINGLE_STACK, "no-hostname", "unready", "publish-not-ready"))
def test_publish_not_ready_addresses_keeps_unready_pods_in_every_answer(gated, probes, dns):
    """The unready pod is in gated-unready's answers before the change and must stay there: held
    past the deadline of the change, not merely seen once (a poll from before the server saw the
    change would pass otherwise)."""
    everyone = gated.serving_ips()
    pod = gated.serving_pods()[0]
    dns.await_a(gated.service_name("gated-unready"), everyone)

    _turn_unready(gated, probes, dns, pod, everyone)
    with dns.together():
        dns.await_a(gated.service_name(), everyone - {pod.ip})  # the ready-only Service has dropped it
        dns.await_a(gated.service_name("gated-unready"), everyone, stays=True)
        dns.await_srv_endpoints(gated.srv_name(service="gated-unready"), everyone, port=80, stays=True)


@pytest.mark.spec("2.4.1/service", kinds=(*SINGLE_STACK, "no-hostname", "tolerate-unready"))
def test_the_tolerate_unready_annotation_keeps_no_unready_pod_in_the_answers(gated, probes, dns):
    """Ready is what the EndpointSlices say; the annotation the specification's definition of ready
    still names is ignored by every controller since Kubernetes 1.24, and never reached
    EndpointSlices (docs/errata.md, "Ready and the tolerate-unready-endpoints annotation")."""
    everyone = gated.serving_ips()
    pod = gated.serving_pods()[0]
    dns.await_a(gated.service_name("gated-tolerant"), everyone)

    _turn_unready(gated, probes, dns, pod, everyone)

    dns.await_a(gated.service_name("gated-tolerant"), everyone - {pod.ip})


@pytest.mark.spec("2.4.1/service", "2.4.2/srv", kinds=(*SINGLE_STACK, "hostname", "unready"))
def test_no_ready_endpoint_leaves_no_record_and_answers_return_with_the_pods(gated, probes, dns):
    """With no ready endpoint there is no address and no SRV record (N × M = 0), whatever the
    rcode; the records return with the pods."""
    everyone = gated.serving_ips()
    pods = gated.serving_pods()

    for pod in pods:
        probes.shell(pod.name, UNREADY)
    dns.changed(gated.service, set(), "every pod turning unready")
    with dns.together():
        for rdtype in ("A", "AAAA"):
            dns.await_no_records(gated.service_name(), rdtype)
        dns.await_no_records(gated.srv_name(), "SRV")

    for pod in pods:
        probes.shell(pod.name, READY)
    dns.changed(gated.service, everyone, "every pod turning ready again")
    with dns.together():
        dns.await_a(gated.service_name(), everyone)
        dns.await_srv_endpoints(gated.srv_name(), everyone, port=80, hostnames=_hostnames(gated, everyone))


@pytest.mark.spec("2.4.1/no-ready", kinds=SINGLE_STACK)
def test_no_ready_endpoint_should_make_the_service_name_nxdomain(gated, probes, dns):
    for pod in gated.serving_pods():
        probes.shell(pod.name, UNREADY)
    dns.changed(gated.service, set(), "every pod turning unready")

    with dns.together():
        for rdtype in ("A", "AAAA"):
            dns.await_nxdomain(gated.service_name(), rdtype)
