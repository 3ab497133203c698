"""A StatefulSet behind the headless Service: ordinal names, ordered scaling, stable identity."""

from __future__ import annotations

import pytest

from fixtures import ordering

SET = "my-app-statefulset"


def ordinal_pods(n: int) -> list[str]:
    return [f"{SET}-{i}" for i in range(n)]


@pytest.mark.spec
def test_srv_targets_are_the_ordinal_hostnames(statefulset_scenario, dns):
    targets = {statefulset_scenario.pod_name(p) for p in ordinal_pods(3)}

    answer = dns.await_srv_targets(statefulset_scenario.srv_name(), targets).value

    assert sorted(r.target for r in answer.srv()) == sorted(targets)
    assert {r.port for r in answer.srv()} == {80}


@pytest.mark.spec
def test_each_ordinal_name_resolves_to_its_pod(statefulset_scenario, dns):
    pods = {p.name: p for p in statefulset_scenario.serving_pods()}
    assert sorted(pods) == ordinal_pods(3)

    for name, pod in pods.items():
        answer = dns.await_a(statefulset_scenario.pod_name(name), {pod.ip}).value

        assert answer.addresses("A") == {pod.ip}


@pytest.mark.scenario
def test_pods_start_in_order_and_stop_in_reverse(cluster, workloads, transcript):
    workloads.apply_manifest("headless-service")
    with ordering.PodEventLog(cluster.kube, workloads.namespace, "app=my-app") as log:
        workloads.apply_manifest("statefulset")
        workloads.wait_rollout("StatefulSet", SET)
        workloads.scale("StatefulSet", SET, 1)
        workloads.wait_rollout("StatefulSet", SET)
        workloads.await_pods_gone(ordinal_pods(3)[1:])
    transcript.add("pod watch events", ordering.describe(log.events))

    created_out_of_order = ordering.creation_violations(log.events, ordinal_pods(3))
    removed_out_of_order = ordering.deletion_violations(log.events, [f"{SET}-2", f"{SET}-1"])
    assert not created_out_of_order, "\n".join(created_out_of_order)
    assert not removed_out_of_order, "\n".join(removed_out_of_order)


@pytest.mark.scenario
def test_deleted_pod_returns_with_its_name_dns_name_and_volume(cluster, statefulset_scenario, probes, dns):
    name = f"{SET}-1"
    dns.await_a(statefulset_scenario.pod_name(name), {statefulset_scenario.workloads.pod(name).ip})
    claim_before = statefulset_scenario.workloads.claim(f"data-{name}")
    token = statefulset_scenario.workloads.pod(name).uid
    probes.shell(name, f"echo {token} > /data/identity")

    old_uid = statefulset_scenario.workloads.delete_pod(name)
    statefulset_scenario.workloads.await_replaced(name, old_uid)
    statefulset_scenario.scale(3)
    pod = statefulset_scenario.workloads.pod(name)
    answer = dns.await_a(statefulset_scenario.pod_name(name), {pod.ip}).value
    content = probes.shell(name, "cat /data/identity")
    claim_after = statefulset_scenario.workloads.claim(f"data-{name}")

    assert pod.uid != old_uid
    assert (pod.hostname, pod.subdomain) == (name, "my-headless-service")
    assert answer.addresses("A") == {pod.ip}
    assert content.stdout.strip() == token, f"{name} lost the file written to its volume before deletion"
    assert (claim_after.status, claim_after.volume) == ("Bound", claim_before.volume)


@pytest.mark.scenario
def test_scaling_to_zero_and_back_keeps_names_and_volumes(statefulset_scenario, probes, dns):
    workloads = statefulset_scenario.workloads
    claims = {n: workloads.claim(f"data-{n}").volume for n in ordinal_pods(3)}
    for name in ordinal_pods(3):
        probes.shell(name, f"echo {name} > /data/identity")

    statefulset_scenario.scale(0)
    workloads.await_pods_gone(ordinal_pods(3))
    for name in ordinal_pods(3):
        dns.await_nxdomain(statefulset_scenario.pod_name(name))
    pods = {p.name: p for p in statefulset_scenario.scale(3)}

    assert sorted(pods) == ordinal_pods(3)
    for name, pod in pods.items():
        answer = dns.await_a(statefulset_scenario.pod_name(name), {pod.ip}).value
        assert answer.addresses("A") == {pod.ip}
        assert probes.shell(name, "cat /data/identity").stdout.strip() == name, f"{name} lost its volume's file"
        assert workloads.claim(f"data-{name}").volume == claims[name], f"{name} got a different volume"
