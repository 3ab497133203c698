"""CoreDNS's own DNS programming latency, read from its Prometheus exposition."""

from __future__ import annotations

from headless_conformance.checking.coredns_metrics import parse

EXPOSITION = """\
# HELP coredns_kubernetes_dns_programming_duration_seconds Histogram of the time it took to program a dns instance.
# TYPE coredns_kubernetes_dns_programming_duration_seconds histogram
coredns_kubernetes_dns_programming_duration_seconds_bucket{service_kind="headless_with_selector",le="0.001"} 0
coredns_kubernetes_dns_programming_duration_seconds_bucket{service_kind="headless_with_selector",le="0.5"} 6
coredns_kubernetes_dns_programming_duration_seconds_bucket{service_kind="headless_with_selector",le="1"} 9
coredns_kubernetes_dns_programming_duration_seconds_bucket{service_kind="headless_with_selector",le="+Inf"} 10
coredns_kubernetes_dns_programming_duration_seconds_sum{service_kind="headless_with_selector"} 4.5
coredns_kubernetes_dns_programming_duration_seconds_count{service_kind="headless_with_selector"} 10
coredns_kubernetes_dns_programming_duration_seconds_count{service_kind="cluster_ip"} 99
"""


def test_the_headless_histogram_gives_its_mean_and_bucketed_quantiles() -> None:
    found = parse(EXPOSITION + EXPOSITION)  # two pods: their counts add up

    assert (found.count, found.total) == (20, 9.0)
    assert found.quantile(0.5) == 0.5 and found.quantile(0.95) == float("inf")
    assert found.summary().startswith("mean 0.45 s over 20 changes programmed (each DNS pod counts each)")
    assert parse("").summary() == "no headless Service change recorded"
