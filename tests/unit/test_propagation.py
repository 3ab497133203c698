"""The propagation budget a Corefile allows."""

from __future__ import annotations

import pytest

from headless_conformance.propagation import Lags, budget_from_corefile, parse_corefile

# kubeadm's Corefile since the cluster zone stopped being cached
KUBEADM = """\
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
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
    loop
    reload
    loadbalance
}
"""
CACHING = KUBEADM.replace("       disable success cluster.local\n       disable denial cluster.local\n", "")


def test_parse_keeps_directives_and_their_blocks() -> None:
    (server,) = parse_corefile(KUBEADM)
    cache = server.first("cache")

    assert server.zones == [".:53"]
    assert cache is not None and cache.args == ["30"]
    assert cache.block == [["disable", "success", "cluster.local"], ["disable", "denial", "cluster.local"]]
    assert server.first("loadbalance") is not None


def test_an_uncached_cluster_zone_gets_the_margin_alone() -> None:
    budget = budget_from_corefile(KUBEADM, "cluster.local")

    assert budget.seconds == 5
    assert "not cached" in budget.reason


def test_a_cached_cluster_zone_adds_the_shorter_of_record_ttl_and_cache_cap() -> None:
    assert budget_from_corefile(CACHING, "cluster.local").seconds == 30 + 5
    assert budget_from_corefile(CACHING.replace("ttl 30", "ttl 7"), "cluster.local").seconds == 7 + 5
    assert budget_from_corefile(CACHING.replace("cache 30", "cache 2"), "cluster.local").seconds == 2 + 5


def test_without_a_ttl_option_the_kubernetes_plugin_default_counts() -> None:
    assert budget_from_corefile(CACHING.replace("       ttl 30\n", ""), "cluster.local").seconds == 5 + 5


def test_disabling_only_success_leaves_denial_cached() -> None:
    corefile = KUBEADM.replace("       disable denial cluster.local\n", "")

    assert budget_from_corefile(corefile, "cluster.local").seconds == 30 + 5


def test_a_cache_for_other_zones_or_none_does_not_count() -> None:
    assert budget_from_corefile(CACHING.replace("cache 30 {", "cache 30 example.org {"), "cluster.local").seconds == 5
    no_cache = KUBEADM.replace("    cache 30 {\n       disable success cluster.local\n"
                               "       disable denial cluster.local\n    }\n", "")
    assert "cache" not in [d.name for d in parse_corefile(no_cache)[0].directives]
    assert budget_from_corefile(no_cache, "cluster.local").seconds == 5


def test_the_margin_and_another_domain() -> None:
    corefile = CACHING.replace("cluster.local", "example.internal")

    assert budget_from_corefile(corefile, "example.internal", margin=1).seconds == 31
    assert budget_from_corefile(corefile, "cluster.local").reason.startswith("no kubernetes plugin")


@pytest.mark.parametrize(("values", "summary"), [
    ((), "no change measured"),
    ((0.5, 1.5, 4.0), "median 1.5 s, max 4.0 s over 3 changes where a stale answer was seen"),
])
def test_lags_summary(values: tuple[float, ...], summary: str) -> None:
    assert Lags(values).summary() == summary


def test_kubeadm_caches_the_reverse_zones_for_30_s_while_it_exempts_the_cluster_zone() -> None:
    from headless_conformance.propagation import budgets_from_corefile

    budgets = budgets_from_corefile(KUBEADM, "cluster.local")

    assert (budgets.zone.seconds, budgets.reverse.seconds) == (5, 30 + 5)
    assert budgets.for_name("5.1.244.10.IN-ADDR.ARPA.") is budgets.reverse
    assert budgets.for_name("my-svc.ns.svc.cluster.local.") is budgets.zone
    assert "the reverse zones cached up to 30 s" in budgets.reverse.reason


def test_the_cache_keeps_an_answer_at_least_its_minimum_ttl() -> None:
    assert budget_from_corefile(CACHING.replace("ttl 30", "ttl 0"), "cluster.local").seconds == 5 + 5
    raised = CACHING.replace("cache 30 {\n", "cache 30 {\n       success 9984 30 20\n").replace("ttl 30", "ttl 0")
    assert budget_from_corefile(raised, "cluster.local").seconds == 20 + 5


def test_serve_stale_serves_an_expired_answer_once_more_unless_it_verifies_first() -> None:
    stale = CACHING.replace("cache 30 {\n", "cache 30 {\n       serve_stale 1h\n")
    assert budget_from_corefile(stale, "cluster.local").seconds == 30 + 5 + 5
    verified = CACHING.replace("cache 30 {\n", "cache 30 {\n       serve_stale 1h verify\n")
    assert budget_from_corefile(verified, "cluster.local").seconds == 30 + 5


def test_changes_already_reflected_when_first_asked_are_counted_apart() -> None:
    assert Lags((0.5,), already=4).summary() == ("median 0.5 s, max 0.5 s over 1 changes where a stale answer was "
                                                 "seen; 4 more already reflected when first asked")
    assert Lags((), already=2).summary() == "no stale answer seen; 2 more already reflected when first asked"


def test_lag_figures_for_a_column_of_the_matrix() -> None:
    assert Lags(()).figures() == {}
    assert Lags((), 3).figures() == {"changes": 3, "stale": 0}
    assert Lags((2.0,), 1).figures() == {"median": 2.0, "p95": 2.0, "max": 2.0, "changes": 2, "stale": 1}
    figures = Lags(tuple(float(s) for s in range(1, 21))).figures()
    assert figures == {"median": 10.5, "p95": 19.05, "max": 20.0, "changes": 20, "stale": 20}


def test_poll_figures_give_the_round_trip_in_ms_and_the_polls_per_expectation() -> None:
    from headless_conformance.propagation import PollFigures

    figures = PollFigures((0.03, 0.05, 0.04, 0.2), (6, 9, 7)).figures()
    assert figures == {"batches": 4, "round_trip_median_ms": 45, "round_trip_p95_ms": 178, "expectations": 3,
                       "polls_median": 7, "polls_max": 9}
    assert PollFigures((), ()).figures() == {} and PollFigures((), ()).summary() == "nothing polled"
    assert PollFigures((0.05,), (5,)).summary() == ("round trip median 50 ms, 95th percentile 50 ms over 1 batches; "
                                                    "5 polls per expectation (median; max 5) over 1")
