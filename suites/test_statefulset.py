"""A StatefulSet behind the headless Service: ordinal names, ordered scaling, stable identity."""

from __future__ import annotations

import pytest

from headless_conformance.checking import ordering
from headless_conformance.checking.rules import SINGLE_STACK

SET = "my-app-statefulset"


def ordinal_pods(n: int) -> list[str]:
    return [f"{SET}-{i}" for i in range(n)]


def by_hostname(scenario) -> dict[str, set[str]]:
    """Each serving pod's name under the Service (its hostname) -> its address."""
    return {scenario.pod_name(p.name): {p.ip} for p in scenario.serving_pods()}


@pytest.mark.spec("2.4.2/srv", kinds=(*SINGLE_STACK, "hostname"))
def test_srv_targets_are_the_ordinal_hostnames(shared_statefulset, dns):
    assert sorted(by_hostname(shared_statefulset)) == sorted(shared_statefulset.pod_name(p) for p in ordinal_pods(3))

    dns.await_srv_endpoints(shared_statefulset.srv_name(), shared_statefulset.serving_ips(), port=80,
                            hostnames=by_hostname(shared_statefulset))


@pytest.mark.spec("2.4.1/hostname", kinds=(*SINGLE_STACK, "hostname"))
def test_each_ordinal_name_resolves_to_its_pod(shared_statefulset, dns):
    pods = {p.name: p for p in shared_statefulset.serving_pods()}
    assert sorted(pods) == ordinal_pods(3), "the StatefulSet's pods are named by ordinal"

    dns.await_a_each({shared_statefulset.pod_name(name): {pod.ip} for name, pod in pods.items()})


@pytest.mark.spec("2.1/case-hostname", kinds=("hostname",))
def test_ordinal_names_compare_case_insensitively(shared_statefulset, dns):
    dns.await_a_each({name.upper(): ips for name, ips in by_hostname(shared_statefulset).items()})


@pytest.mark.spec("2.4.1/service", kinds=(*SINGLE_STACK, "hostname"))
def test_the_service_name_answers_exactly_the_ready_pods(shared_statefulset, dns):
    dns.await_a(shared_statefulset.service_name(), shared_statefulset.serving_ips())


@pytest.mark.scenario("ordinals from .spec.ordinals.start name the pods and their SRV targets")
def test_srv_targets_follow_ordinals_that_start_at_five(shared_ordinals, dns):
    assert sorted(by_hostname(shared_ordinals)) == sorted(shared_ordinals.pod_name(f"ordinals-{i}") for i in (5, 6))

    dns.await_srv_endpoints(shared_ordinals.srv_name(), shared_ordinals.serving_ips(), port=80,
                            hostnames=by_hostname(shared_ordinals))


@pytest.mark.scenario("pods started in parallel get their ordinal names, in DNS too")
def test_pods_started_in_parallel_each_have_their_ordinal_name(shared_ordinals, dns):
    pods = {p.name: p for p in shared_ordinals.serving_pods()}
    assert sorted(pods) == ["ordinals-5", "ordinals-6"], "the pods are named from the first ordinal"

    dns.await_a_each({shared_ordinals.pod_name(name): {pod.ip} for name, pod in pods.items()})


@pytest.mark.scenario("the pod-index label is the ordinal")
def test_pod_index_label_is_the_ordinal(shared_ordinals):
    assert {p.name: p.index for p in shared_ordinals.serving_pods()} == {"ordinals-5": "5", "ordinals-6": "6"}


@pytest.mark.spec("2.4.3/ptr", kinds=(*SINGLE_STACK, "hostname"))
def test_each_pod_ip_points_back_at_its_ordinal_hostname(shared_statefulset, dns):
    dns.await_ptr_each({pod.ip: {shared_statefulset.pod_name(pod.name)} for pod in shared_statefulset.serving_pods()})


@pytest.mark.scenario("ordered start")
def test_pods_start_in_ordinal_order(shared_statefulset, transcript):
    events = shared_statefulset.rollout_events
    transcript.add("pod watch events while it rolled out", ordering.describe(events))

    created_out_of_order = ordering.creation_violations(events, ordinal_pods(3))
    assert not created_out_of_order, "\n".join(created_out_of_order)


@pytest.mark.scenario("stable identity across a restart")
def test_deleted_pod_returns_with_its_name_dns_name_and_volume(statefulset, probes, dns):
    name = f"{SET}-1"
    workloads = statefulset.workloads
    dns.await_a(statefulset.pod_name(name), {workloads.pod(name).ip})
    claim_before = workloads.claim(f"data-{name}")
    token = workloads.pod(name).uid
    probes.shell(name, f"echo {token} > /data/identity")

    workloads.delete_pod(name)
    pod = workloads.await_replaced(name, token)
    statefulset.scale(3)
    dns.changed(statefulset.service, statefulset.serving_ips(), f"{name} replaced")
    dns.await_a(statefulset.pod_name(name), {workloads.pod(name).ip})
    content = probes.shell(name, "cat /data/identity")
    claim_after = workloads.claim(f"data-{name}")

    assert (pod.hostname, pod.subdomain) == (name, "my-headless-service")
    assert content.stdout.strip() == token, f"{name} lost the file written to its volume before deletion"
    assert (claim_after.status, claim_after.volume) == ("Bound", claim_before.volume)


@pytest.mark.scenario("reverse stop, and stable identity across scaling")
def test_scaling_to_zero_stops_in_reverse_and_back_keeps_names_and_volumes(statefulset, probes, dns, transcript):
    workloads = statefulset.workloads
    claims = {n: workloads.claim(f"data-{n}").volume for n in ordinal_pods(3)}
    for name in ordinal_pods(3):
        probes.shell(name, f"echo {name} > /data/identity")

    with workloads.pod_events(statefulset.selector) as log:
        statefulset.scale(0)
        workloads.await_pods_gone(ordinal_pods(3))
    transcript.add("pod watch events while it scaled to 0", ordering.describe(log.events))
    removed_out_of_order = ordering.deletion_violations(log.events, ordinal_pods(3)[::-1])
    assert not removed_out_of_order, "\n".join(removed_out_of_order)
    dns.changed(statefulset.service, set(), "scaling to 0")
    with dns.together():
        for name in ordinal_pods(3):
            dns.await_nxdomain(statefulset.pod_name(name))
    pods = {p.name: p for p in statefulset.scale(3)}
    dns.changed(statefulset.service, {p.ip for p in pods.values()}, "scaling back to 3")

    assert sorted(pods) == ordinal_pods(3), "the pods came back under their ordinal names"
    dns.await_a_each({statefulset.pod_name(name): {pod.ip} for name, pod in pods.items()})
    for name in pods:
        assert probes.shell(name, "cat /data/identity").stdout.strip() == name, f"{name} lost its volume's file"
        assert workloads.claim(f"data-{name}").volume == claims[name], f"{name} got a different volume"
