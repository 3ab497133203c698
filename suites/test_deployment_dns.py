"""DNS for a Deployment behind the headless Service: pod IPs, IP-dashed names, SRV, IP churn."""

from __future__ import annotations

import time

import pytest

HELLO = "Hello from Busybox!"


@pytest.mark.spec
def test_a_records_are_exactly_the_ready_pod_ips(deployment_scenario, dns):
    expected = deployment_scenario.serving_ips()

    answer = dns.await_a(deployment_scenario.service_name(), expected).value

    assert answer.addresses("A") == expected
    assert len(answer.answer) == len(expected)


@pytest.mark.spec
def test_srv_has_one_record_per_ready_pod_with_ip_dashed_targets(deployment_scenario, dns):
    pods = deployment_scenario.serving_pods()
    targets = {deployment_scenario.ip_name(p.ip): p.ip for p in pods}

    answer = dns.await_srv_targets(deployment_scenario.srv_name(), set(targets)).value

    assert sorted(r.target for r in answer.srv()) == sorted(targets)
    assert {r.port for r in answer.srv()} == {80}
    assert answer.additional_addresses() == {name: frozenset({ip}) for name, ip in targets.items()}


@pytest.mark.coredns
def test_srv_priority_and_weight_are_coredns_equal_shares(deployment_scenario, dns):
    pods = deployment_scenario.serving_pods()
    targets = {deployment_scenario.ip_name(p.ip) for p in pods}

    answer = dns.await_srv_targets(deployment_scenario.srv_name(), targets).value

    # CoreDNS: priority 0, weight = floor(100 / records at that priority), at least 1
    assert [(r.priority, r.weight) for r in answer.srv()] == [(0, max(1, 100 // len(pods)))] * len(pods)


@pytest.mark.coredns
def test_answers_are_authoritative_with_the_corefile_ttl(cluster, deployment_scenario, dns):
    expected = deployment_scenario.serving_ips()

    answer = dns.await_a(deployment_scenario.service_name(), expected).value

    assert "aa" in answer.flags
    assert {r.ttl for r in answer.answer} == {cluster.facts.coredns_ttl}


@pytest.mark.spec
def test_each_ip_dashed_name_resolves_to_its_pod(deployment_scenario, dns):
    for pod in deployment_scenario.serving_pods():
        answer = dns.await_a(deployment_scenario.ip_name(pod.ip), {pod.ip}).value

        assert answer.addresses("A") == {pod.ip}


@pytest.mark.scenario
def test_wget_by_ip_dashed_name_returns_the_pod_body(deployment_scenario, probes, dns):
    for pod in deployment_scenario.serving_pods():
        url = f"http://{deployment_scenario.ip_name(pod.ip).rstrip('.')}:80"
        dns.await_a(deployment_scenario.ip_name(pod.ip), {pod.ip})

        result = probes.wget(url)

        assert result.exit_code == 0, f"wget {url}: {result.outcome()}"
        assert result.stdout.strip() == HELLO


def _settled(scenario, dns) -> set[str]:
    """DNS shows the current pods before a change (so the change, not a cold cache, is measured)."""
    current = scenario.serving_ips()
    dns.await_a(scenario.service_name(), current)
    dns.await_srv_targets(scenario.srv_name(), {scenario.ip_name(ip) for ip in current})
    for ip in current:
        dns.await_a(scenario.ip_name(ip), {ip})
    return current


def _converge(scenario, dns, transcript, change: str, started: float, removed_ips: set[str]) -> None:
    """After a change: A and SRV follow the ready pods; names of removed pods stop resolving."""
    ready_at = time.monotonic()
    expected = scenario.serving_ips()
    a = dns.await_a(scenario.service_name(), expected)
    srv = dns.await_srv_targets(scenario.srv_name(), {scenario.ip_name(ip) for ip in expected})
    for ip in removed_ips - expected:
        dns.await_nxdomain(scenario.ip_name(ip))
    dns_at = time.monotonic()
    transcript.figure(f"{change}: pods ready after", f"{ready_at - started:.1f}s")
    transcript.figure(f"{change}: DNS converged after pods ready", f"{dns_at - ready_at:.1f}s")
    assert a.value.addresses("A") == expected
    assert {r.target for r in srv.value.srv()} == {scenario.ip_name(ip) for ip in expected}


@pytest.mark.scenario
def test_deleting_a_pod_replaces_its_ip_in_dns(deployment_scenario, dns, transcript):
    before = _settled(deployment_scenario, dns)
    victim = deployment_scenario.serving_pods()[0]

    started = time.monotonic()
    deployment_scenario.workloads.delete_pod(victim.name)
    after = deployment_scenario.scale(3)

    assert victim.name not in {p.name for p in after}
    _converge(deployment_scenario, dns, transcript, "delete pod", started, before)


@pytest.mark.scenario
def test_scaling_up_adds_the_new_pod_ips(deployment_scenario, dns, transcript):
    before = _settled(deployment_scenario, dns)

    started = time.monotonic()
    after = deployment_scenario.scale(5)

    assert len(after) == 5 and before < {p.ip for p in after}
    _converge(deployment_scenario, dns, transcript, "scale 3→5", started, before)


@pytest.mark.scenario
def test_scaling_down_removes_ips_and_their_names(deployment_scenario, dns, transcript):
    deployment_scenario.scale(5)
    before = _settled(deployment_scenario, dns)

    started = time.monotonic()
    after = deployment_scenario.scale(2)

    assert len(after) == 2
    _converge(deployment_scenario, dns, transcript, "scale 5→2", started, before)
