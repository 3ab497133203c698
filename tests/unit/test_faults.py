from __future__ import annotations

from faults.__main__ import cached_cluster_zone, pod_named_endpoints, stale_cache, wrong_records
from headless_conformance.propagation import budget_from_corefile

COREFILE = """.:53 {
    errors
    kubernetes example.org in-addr.arpa ip6.arpa {
       pods insecure
       ttl 30
    }
    forward . /etc/resolv.conf
    cache 30 {
       disable success example.org
    }
    loop
}
"""


def test_wrong_records_puts_templates_for_the_cluster_domain_before_kubernetes() -> None:
    text = wrong_records(COREFILE)
    assert text.index("template IN A example.org {") < text.index("template IN AAAA example.org {") \
        < text.index("template IN PTR in-addr.arpa ip6.arpa {") \
        < text.index("template IN TXT example.org {") < text.index("template IN SRV example.org {") \
        < text.index("    kubernetes example.org")
    assert text.count("fallthrough\n    }") == 5
    assert text.count('match "^([a-z0-9-]+\\.)?(my-headless-service|my-dual-stack-service|') == 2
    assert 'answer "{{ .Name }} 99 IN TXT \\"not-a-version\\""' in text
    assert text.replace(text[text.index("    template IN A"):text.index("    kubernetes")], "") == COREFILE


def test_stale_cache_raises_ttl_and_caches_the_cluster_zone() -> None:
    text = stale_cache(COREFILE)
    assert "ttl 3600" in text and "ttl 30\n" not in text
    assert "    cache 3600\n    loop" in text and "disable success" not in text


def test_pod_named_endpoints_goes_into_the_kubernetes_block() -> None:
    changed = pod_named_endpoints(COREFILE)
    assert "kubernetes example.org in-addr.arpa ip6.arpa {\n       endpoint_pod_names\n       pods insecure" in changed


def test_no_pod_records_disables_the_pods_option() -> None:
    from faults.__main__ import no_pod_records

    assert "pods disabled" in no_pod_records(COREFILE) and "pods insecure" not in no_pod_records(COREFILE)


def test_hidden_cache_runs_a_corefile_that_caches_the_cluster_zone() -> None:
    visible = COREFILE.replace("disable success example.org", "disable success example.org\n"
                                                              "       disable denial example.org")
    cached = cached_cluster_zone(visible)
    assert "disable" not in cached and "    cache 30 {\n    }\n" in cached
    assert (budget_from_corefile(visible, "example.org").seconds,
            budget_from_corefile(cached, "example.org").seconds) == (5, 5 + 30)
