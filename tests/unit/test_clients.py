"""The client pods' DNS settings and counting forwarder, and clusterset.local's Corefile: pure logic."""

from __future__ import annotations

from headless_conformance.checking.clients import dnsmasq_argv, options_given, parse_resolv_conf
from headless_conformance.provisioning.multicluster import served, supported, with_multicluster

KIND_COREFILE = """.:53 {
    errors
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
    loop
}
"""


def test_resolv_conf_gives_nameservers_the_last_search_line_and_ndots() -> None:
    conf = parse_resolv_conf("search a b\nnameserver 10.96.0.10\nsearch ns.svc.cluster.local svc.cluster.local\n"
                             "options ndots:5 timeout:1 # comment\n")

    assert conf.nameservers == ("10.96.0.10",)
    assert conf.search == ("ns.svc.cluster.local", "svc.cluster.local")
    assert conf.ndots == 5
    assert parse_resolv_conf("nameserver ::1\n").ndots == 1


def test_dns_config_options_leave_the_default_ndots_alone_and_let_given_options_replace_it() -> None:
    assert options_given(5, ()) == []
    assert options_given(2, ()) == [{"name": "ndots", "value": "2"}]
    assert options_given(5, ("ndots:1", "edns0")) == [{"name": "ndots", "value": "1"}, {"name": "edns0"}]
    assert options_given(2, ("ndots:1",)) == [{"name": "ndots", "value": "1"}]
    assert options_given(5, (), always=("timeout:1",)) == [{"name": "ndots", "value": "5"},
                                                           {"name": "timeout", "value": "1"}]


def test_the_counting_forwarder_keeps_nothing_and_logs_every_query() -> None:
    argv = dnsmasq_argv(("10.96.0.10", "fd00::a"))

    assert {"--cache-size=0", "--no-negcache", "--log-queries", "--server=10.96.0.10", "--server=fd00::a"} <= set(argv)


def test_clusterset_local_joins_the_kubernetes_zones_served_from_serviceimports_and_uncached() -> None:
    changed = with_multicluster(KIND_COREFILE)

    zones = "    kubernetes cluster.local clusterset.local in-addr.arpa ip6.arpa {\n"
    assert zones + "       multicluster clusterset.local\n" in changed
    assert "disable success clusterset.local" in changed and "disable denial clusterset.local" in changed
    assert served(changed) and not served(KIND_COREFILE)
    assert with_multicluster(changed) == changed


def test_the_multicluster_option_comes_with_coredns_1_12_2() -> None:
    assert supported("1.14.6") and supported("v1.12.2")
    assert not supported("v1.12.1") and not supported(None) and not supported("unknown")
