"""Facts read from a cluster's Corefile."""

from __future__ import annotations

from headless_conformance.provisioning.facts import corefile_domain, corefile_ttl

KUBEADM_COREFILE = """\
.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30
    loop
    reload
    loadbalance
}
"""

COREFILE_WITHOUT_TTL = KUBEADM_COREFILE.replace("       ttl 30\n", "")


def test_corefile_domain() -> None:
    assert corefile_domain(KUBEADM_COREFILE) == "cluster.local"


def test_corefile_domain_drops_trailing_dot() -> None:
    assert corefile_domain(KUBEADM_COREFILE.replace("cluster.local in", "k8s.example.org. in")) == "k8s.example.org"


def test_corefile_domain_without_kubernetes_plugin() -> None:
    assert corefile_domain(".:53 {\n    forward . /etc/resolv.conf\n}\n") is None


def test_corefile_ttl() -> None:
    assert corefile_ttl(KUBEADM_COREFILE, "cluster.local") == 30


def test_corefile_ttl_defaults_to_five() -> None:
    assert "ttl" not in COREFILE_WITHOUT_TTL
    assert corefile_ttl(COREFILE_WITHOUT_TTL, "cluster.local") == 5


HOSTS = "    hosts /etc/coredns/NodeHosts {\n       ttl 60\n       reload 15s\n       fallthrough\n    }\n"


def test_corefile_ttl_ignores_ttl_of_later_plugin() -> None:
    corefile = COREFILE_WITHOUT_TTL.replace("    prometheus :9153\n", HOSTS + "    prometheus :9153\n")
    assert corefile_ttl(corefile, "cluster.local") == 5


def test_corefile_ttl_of_kubernetes_plugin_without_block() -> None:
    corefile = ".:53 {\n    kubernetes cluster.local in-addr.arpa ip6.arpa\n" + HOSTS + "    cache 30\n}\n"
    assert corefile_domain(corefile) == "cluster.local"
    assert corefile_ttl(corefile, "cluster.local") == 5
