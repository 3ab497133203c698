"""DNS names per the Kubernetes DNS specification, as the suites expect them from CoreDNS."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from headless_conformance.checking.names import ip_pod_fqdn, pod_fqdn, pod_ip_label, service_fqdn, srv_fqdn


def test_service_fqdn() -> None:
    assert (
        service_fqdn("my-headless-service", "ns", "cluster.local")
        == "my-headless-service.ns.svc.cluster.local."
    )


@pytest.mark.parametrize("domain", ["cluster.local", "cluster.local.", "Cluster.LOCAL"])
def test_domain_trailing_dot_and_case(domain: str) -> None:
    assert service_fqdn("My-Headless-Service", "NS", domain) == "my-headless-service.ns.svc.cluster.local."


def test_default_domain() -> None:
    assert service_fqdn("s", "n") == "s.n.svc.cluster.local."


def test_custom_domain() -> None:
    assert service_fqdn("s", "n", "k8s.example.org") == "s.n.svc.k8s.example.org."


@pytest.mark.parametrize("protocol", ["tcp", "TCP"])
def test_srv_fqdn(protocol: str) -> None:
    assert (
        srv_fqdn("http", protocol, "my-headless-service", "ns", "cluster.local")
        == "_http._tcp.my-headless-service.ns.svc.cluster.local."
    )


def test_srv_fqdn_udp_and_sctp() -> None:
    assert srv_fqdn("dns", "UDP", "s", "n") == "_dns._udp.s.n.svc.cluster.local."
    assert srv_fqdn("x", "SCTP", "s", "n") == "_x._sctp.s.n.svc.cluster.local."


@pytest.mark.parametrize(
    ("ip", "label"),
    [
        ("10.42.0.138", "10-42-0-138"),
        ("192.168.1.1", "192-168-1-1"),
        ("fd00::1", "fd00--1"),
        ("FD00:0:0:0:0:0:0:1", "fd00--1"),
        ("fd00:10:244:1::5", "fd00-10-244-1--5"),
        ("2001:db8:0:1:1:1:1:1", "2001-db8-0-1-1-1-1-1"),
        ("2001:db8:5::", "2001-db8-5--0"),  # a label ends in a digit (CoreDNS v1.12.3 and later)
        ("fd00::", "fd00--0"),
        ("::1", "--1"),
    ],
)
def test_pod_ip_label(ip: str, label: str) -> None:
    assert pod_ip_label(ip) == label


@pytest.mark.parametrize(
    ("ip", "message"),
    [
        ("", "not an IP address"),
        ("10.42.0", "not an IP address"),
        ("10.42.0.256", "not an IP address"),
        ("my-pod", "not an IP address"),
        ("fe80::1%eth0", "scoped IPv6 address"),
        ("::ffff:10.0.0.1", "IPv4-mapped IPv6 address"),
    ],
)
def test_pod_ip_label_rejects(ip: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        pod_ip_label(ip)


def test_pod_fqdn() -> None:
    assert (
        pod_fqdn("my-app-statefulset-0", "my-headless-service", "ns", "cluster.local.")
        == "my-app-statefulset-0.my-headless-service.ns.svc.cluster.local."
    )


def test_ip_pod_fqdn() -> None:
    assert (
        ip_pod_fqdn("10.42.0.138", "my-headless-service", "default", "cluster.local")
        == "10-42-0-138.my-headless-service.default.svc.cluster.local."
    )
    assert ip_pod_fqdn("fd00::1", "s", "n") == "fd00--1.s.n.svc.cluster.local."


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: service_fqdn("", "ns"), "service must not be empty"),
        (lambda: service_fqdn("svc", ""), "namespace must not be empty"),
        (lambda: service_fqdn("svc", "ns", ""), "cluster domain must not be empty"),
        (lambda: service_fqdn("svc", "ns", "."), "cluster domain must not be empty"),
        (
            lambda: service_fqdn("svc", "ns", "cluster..local"),
            "cluster domain 'cluster..local' label must not",
        ),
        (lambda: service_fqdn("a" * 64, "ns"), "service 'a{64}' is 64 characters"),
        (lambda: service_fqdn("svc", "n" * 64), "namespace 'n{64}' is 64 characters"),
        (lambda: service_fqdn("svc", "ns", "x" * 64 + ".local"), "cluster domain .* label 'x{64}' is 64"),
        (lambda: service_fqdn("my.svc", "ns"), r"service 'my\.svc' is not a DNS label"),
        (lambda: service_fqdn("my_svc", "ns"), "service 'my_svc' is not a DNS label"),
        (lambda: srv_fqdn("", "tcp", "s", "n"), "port name must not be empty"),
        (lambda: srv_fqdn("_http", "tcp", "s", "n"), "port name '_http' is not a DNS label"),
        (lambda: srv_fqdn("http", "icmp", "s", "n"), "protocol 'icmp' is not one of TCP, UDP, SCTP"),
        (lambda: pod_fqdn("", "s", "n"), "pod label or hostname must not be empty"),
        (lambda: pod_fqdn("p" * 64, "s", "n"), "pod label or hostname 'p{64}' is 64 characters"),
        (lambda: service_fqdn("svc", "ns", ".".join(["a" * 63] * 4)), "is 266 characters, longer than 253"),
    ],
)
def test_invalid_parts_are_rejected(call: Callable[[], str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_longest_labels_are_accepted() -> None:
    assert service_fqdn("a" * 63, "n" * 63) == f"{'a' * 63}.{'n' * 63}.svc.cluster.local."


def test_error_message_names_the_part() -> None:
    with pytest.raises(ValueError, match=r"namespace 'n{64}' is 64 characters, longer than a DNS label's 63"):
        service_fqdn("svc", "n" * 64)
    with pytest.raises(ValueError, match="service must not be empty"):
        service_fqdn("", "ns")


def test_reverse_fqdn() -> None:
    from headless_conformance.checking.names import reverse_fqdn

    assert reverse_fqdn("10.244.1.5") == "5.1.244.10.in-addr.arpa."
    assert reverse_fqdn("fd00:10:244:1::5") == (
        "5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0.4.4.2.0.0.1.0.0.0.0.d.f.ip6.arpa.")
    with pytest.raises(ValueError, match="not an IP address"):
        reverse_fqdn("banana")


def test_pod_a_fqdn() -> None:
    from headless_conformance.checking.names import pod_a_fqdn

    assert pod_a_fqdn("10.244.1.5", "ns-1") == "10-244-1-5.ns-1.pod.cluster.local."
