"""DNS for a Deployment behind the headless Service: pod IPs, IP-dashed names, SRV, IP churn."""

from __future__ import annotations

import time

import pytest

from fixtures.divergences import NO_PTR_WITHOUT_HOSTNAME
from headless_conformance.checking import names
from headless_conformance.checking.records import record_type
from headless_conformance.checking.rules import SINGLE_STACK

HELLO = "Hello from Busybox!"


@pytest.mark.spec("2.4.1/service", kinds=(*SINGLE_STACK, "no-hostname"))
def test_a_records_are_exactly_the_ready_pod_ips(shared_deployment, dns):
    dns.await_a(shared_deployment.service_name(), shared_deployment.serving_ips())


@pytest.mark.spec("2.4.1/service", "2.4.2/srv", kinds=(*SINGLE_STACK, "several-slices"))
def test_endpoints_spread_over_several_endpointslices_are_each_answered_once(shared_deployment, dns):
    """Suite-made kind clusters cap EndpointSlices at 2 endpoints (`--max-endpoints-per-slice`), so
    the three pods' addresses come in two slices that DNS must merge, no address missing or twice."""
    view = shared_deployment.workloads.endpoints(shared_deployment.service)
    if view.slices < 2:
        pytest.skip(f"this cluster keeps the {len(view.ready_addresses)} endpoints of {shared_deployment.service} in "
                    "one EndpointSlice (its controller-manager's --max-endpoints-per-slice is above that)")

    with dns.together():
        dns.await_a(shared_deployment.service_name(), shared_deployment.serving_ips())
        dns.await_srv_endpoints(shared_deployment.srv_name(), shared_deployment.serving_ips(), port=80)


@pytest.mark.spec("2.4.1/service", kinds=SINGLE_STACK)
def test_answers_agree_over_udp_and_tcp(shared_deployment, dns):
    with dns.together():
        for transport in ("udp", "tcp"):
            dns.await_a(shared_deployment.service_name(), shared_deployment.serving_ips(), transport=transport)


@pytest.mark.spec("2.4.1/service", "2.4.2/srv", kinds=(*SINGLE_STACK, "no-hostname"))
def test_every_node_gets_the_same_answers(shared_deployment, dns_on_each_node):
    for _node, dns in dns_on_each_node:
        with dns.together():
            dns.await_a(shared_deployment.service_name(), shared_deployment.serving_ips())
            dns.await_srv_endpoints(shared_deployment.srv_name(), shared_deployment.serving_ips(), port=80)


@pytest.mark.coredns("pod-records")
def test_each_pod_has_a_dashed_pod_record(shared_deployment, dns):
    dns.await_a_each({names.pod_a_fqdn(pod.ip, shared_deployment.namespace, shared_deployment.domain): {pod.ip}
                      for pod in shared_deployment.serving_pods()})


def mixed_case(name: str) -> str:
    """Every other letter upper-case: 'my-svc.ns' -> 'mY-SvC.Ns'."""
    return "".join(c.upper() if i % 2 else c for i, c in enumerate(name))


@pytest.mark.spec("2.1/case-service", kinds=SINGLE_STACK)
def test_service_names_compare_case_insensitively(shared_deployment, dns):
    name = shared_deployment.service_name()

    with dns.together():
        dns.await_a(name, shared_deployment.serving_ips())
        dns.await_a(mixed_case(name), shared_deployment.serving_ips())


@pytest.mark.spec("2.1/case-srv", kinds=SINGLE_STACK)
def test_srv_port_and_protocol_labels_compare_case_insensitively(shared_deployment, dns):
    ips = shared_deployment.serving_ips()

    with dns.together():
        for name in ("_HTTP._TCP." + shared_deployment.service_name(),
                     "_Http._Tcp." + shared_deployment.service_name()):
            dns.await_srv_endpoints(name, ips, port=80)


@pytest.mark.spec("2.1/case-hostname", kinds=("no-hostname",))
def test_endpoint_identifiers_compare_case_insensitively(shared_deployment, dns):
    """The server's own identifier of each pod (learnt from SRV), asked in upper case."""
    targets = dns.await_srv_endpoints(shared_deployment.srv_name(), shared_deployment.serving_ips(), port=80).value

    dns.await_a_each({target.upper(): set(ips) for target, ips in targets.items()})


@pytest.mark.spec("2.1/case-reverse", kinds=SINGLE_STACK)
@NO_PTR_WITHOUT_HOSTNAME
def test_reverse_names_compare_case_insensitively(shared_deployment, dns):
    """in-addr.arpa and ip6.arpa (and an IPv6 address's hexadecimal nibbles) in upper case."""
    targets = dns.await_srv_endpoints(shared_deployment.srv_name(), shared_deployment.serving_ips(), port=80).value
    target, (ip,) = sorted(targets.items())[0]

    dns.await_ptr(ip, {target}, reverse=names.reverse_fqdn(ip).upper())


@pytest.mark.spec("2.4.2/srv", "2.4.1/hostname", kinds=(*SINGLE_STACK, "no-hostname", "tcp"))
def test_srv_targets_identify_each_ready_pod(shared_deployment, dns):
    """One SRV record per ready pod, each with its own target resolving to exactly that pod: what
    the specification promises, whatever identifier the DNS server gives pods without a hostname."""
    dns.await_srv_endpoints(shared_deployment.srv_name(), shared_deployment.serving_ips(), port=80)


@pytest.mark.spec("2.4.3/ptr", kinds=(*SINGLE_STACK, "no-hostname"))
@NO_PTR_WITHOUT_HOSTNAME
def test_each_pod_address_points_back_at_the_servers_identifier_of_it(shared_deployment, dns):
    """Only my-headless-service selects the pods in this module's namespace: one PTR record each,
    naming the identifier the server gave the endpoint (learnt from SRV)."""
    targets = dns.await_srv_endpoints(shared_deployment.srv_name(), shared_deployment.serving_ips(), port=80).value

    dns.await_ptr_each({ip: {target} for target, (ip,) in ((t, tuple(ips)) for t, ips in targets.items())})


@pytest.mark.rfc("rfc2308/nodata", kinds=SINGLE_STACK)
def test_the_family_the_service_lacks_is_nodata_not_nxdomain(shared_deployment, dns):
    """The single-stack Service's name exists: asked for the other family's records it answers
    NOERROR with none (an NXDOMAIN would tell a resolver the name has no records of any type)."""
    (family,) = {record_type(ip) for ip in shared_deployment.serving_ips()}
    other = "AAAA" if family == "A" else "A"

    with dns.together():
        dns.await_a(shared_deployment.service_name(), shared_deployment.serving_ips(), rdtype=family)
        dns.await_nodata(shared_deployment.service_name(), other)


@pytest.mark.rfc("rfc2181/duplicates", kinds=(*SINGLE_STACK, "no-hostname"))
def test_answers_repeat_no_record(shared_deployment, dns):
    """The Service's addresses, its SRV records (with their targets' addresses alongside) and each
    address's PTR record: no answer holds a record twice. The specification's checks let repeats
    pass (the records are there); this one holds servers to what RFC 2181 says they should do,
    whatever else the answers say."""
    (family,) = {record_type(ip) for ip in shared_deployment.serving_ips()}

    with dns.together():
        for name, rdtype in ((shared_deployment.service_name(), family), (shared_deployment.srv_name(), "SRV"),
                             *((names.reverse_fqdn(ip), "PTR") for ip in shared_deployment.serving_ips())):
            dns.await_answer(name, rdtype, lambda a: not a.duplicates(), f"{rdtype} {name}: no record twice")


@pytest.mark.coredns("endpoint-names")
def test_srv_targets_are_the_pods_ip_dashed_names(shared_deployment, dns):
    targets = {shared_deployment.ip_name(p.ip) for p in shared_deployment.serving_pods()}

    dns.await_srv_targets(shared_deployment.srv_name(), targets)


@pytest.mark.coredns("endpoint-names")
def test_each_ip_dashed_name_resolves_to_its_pod(shared_deployment, dns):
    dns.await_a_each({shared_deployment.ip_name(pod.ip): {pod.ip} for pod in shared_deployment.serving_pods()})


@pytest.mark.coredns("srv-glue")
def test_srv_additional_section_holds_each_targets_address(shared_deployment, dns):
    targets = {shared_deployment.ip_name(p.ip): p.ip for p in shared_deployment.serving_pods()}

    answer = dns.await_srv_targets(shared_deployment.srv_name(), set(targets)).value

    assert answer.additional_addresses() == {name: frozenset({ip}) for name, ip in targets.items()}


@pytest.mark.coredns("srv-weights")
def test_srv_priority_and_weight_are_coredns_equal_shares(shared_deployment, dns):
    pods = shared_deployment.serving_pods()

    answer = dns.await_srv_targets(shared_deployment.srv_name(),
                                   {shared_deployment.ip_name(p.ip) for p in pods}).value

    # CoreDNS: priority 0, weight = floor(100 / records at that priority), at least 1
    assert [(r.priority, r.weight) for r in answer.srv()] == [(0, max(1, 100 // len(pods)))] * len(pods)


@pytest.mark.coredns("ttl")
def test_answers_are_authoritative_with_the_corefile_ttl(cluster, shared_deployment, dns):
    answer = dns.await_a(shared_deployment.service_name(), shared_deployment.serving_ips()).value

    assert "aa" in answer.flags, f"flags {sorted(answer.flags)}: the answer is not authoritative"
    ttls = {r.ttl for r in answer.answer}
    assert ttls == {cluster.facts.coredns_ttl}, (
        f"answers carry TTL {sorted(ttls)}, the Corefile's kubernetes plugin says {cluster.facts.coredns_ttl} "
        "(a TTL below it is a cached answer counting down)")


@pytest.mark.scenario("each pod is reached by its dashed name")
def test_wget_by_ip_dashed_name_returns_the_pod_body(shared_deployment, probes, dns):
    dns.await_a_each({shared_deployment.ip_name(pod.ip): {pod.ip} for pod in shared_deployment.serving_pods()})
    for pod in shared_deployment.serving_pods():
        url = names.http_url(shared_deployment.ip_name(pod.ip), 80)

        result = probes.wget(url)

        assert (result.exit_code, result.stdout.strip()) == (0, HELLO), f"wget {url}: {result.outcome()}"


def _settled(scenario, dns) -> set[str]:
    """DNS shows the current pods before a change (so the change, not a cold cache, is measured)."""
    current = scenario.serving_ips()
    with dns.together():
        dns.await_a(scenario.service_name(), current)
        dns.await_srv_targets(scenario.srv_name(), {scenario.ip_name(ip) for ip in current})
        dns.await_a_each({scenario.ip_name(ip): {ip} for ip in current})
    return current


def _converge(scenario, dns, transcript, change: str, started: float, removed_ips: set[str]) -> None:
    """After a change: A and SRV follow the ready pods within the propagation budget; names of
    removed pods stop resolving."""
    transcript.figure(f"{change}: pods ready after", f"{time.monotonic() - started:.1f}s")
    expected = scenario.serving_ips()
    dns.changed(scenario.service, expected, change)
    with dns.together():
        dns.await_a(scenario.service_name(), expected)
        dns.await_srv_targets(scenario.srv_name(), {scenario.ip_name(ip) for ip in expected})
        for ip in removed_ips - expected:
            dns.await_nxdomain(scenario.ip_name(ip), address=ip)


@pytest.mark.scenario("IP churn: a deleted pod's address and name go")
def test_deleting_a_pod_replaces_its_ip_in_dns(deployment, dns, transcript):
    before = _settled(deployment, dns)
    victim = deployment.serving_pods()[0]

    started = time.monotonic()
    deployment.workloads.delete_pod(victim.name)
    after = deployment.scale(3)

    assert victim.name not in {p.name for p in after}, "the deleted pod is still serving"
    _converge(deployment, dns, transcript, "delete pod", started, before)


@pytest.mark.scenario("IP churn: scaling up adds addresses")
def test_scaling_up_adds_the_new_pod_ips(deployment, dns, transcript):
    before = _settled(deployment, dns)

    started = time.monotonic()
    after = deployment.scale(5)

    assert before < {p.ip for p in after}, "scaling up replaced pods that should have kept running"
    _converge(deployment, dns, transcript, "scale 3→5", started, before)


@pytest.mark.scenario("IP churn: scaling down removes addresses and names")
def test_scaling_down_removes_ips_and_their_names(deployment, dns, transcript):
    deployment.scale(5)
    before = _settled(deployment, dns)

    started = time.monotonic()
    deployment.scale(2)

    _converge(deployment, dns, transcript, "scale 5→2", started, before)
