from __future__ import annotations

from faults.hidden_cache import cached_cluster_zone
from faults.no_pod_records import no_pod_records
from faults.pod_named_endpoints import pod_named_endpoints
from faults.stale_cache import stale_cache
from faults.wrong_records import wrong_records

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
    assert text.count('match "^([_a-z0-9-]+\\.)*[a-z0-9-]+\\.hc-[a-z0-9-]+\\.svc\\."') == 3
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
    assert "pods disabled" in no_pod_records(COREFILE) and "pods insecure" not in no_pod_records(COREFILE)


def test_hidden_cache_runs_a_corefile_that_caches_the_cluster_zone() -> None:
    visible = COREFILE.replace("disable success example.org", "disable success example.org\n"
                                                              "       disable denial example.org")
    cached = cached_cluster_zone(visible)
    assert "disable" not in cached and "    cache 30 {\n    }\n" in cached


def test_wrong_records_with_all_namespaces_matches_every_service_name() -> None:
    import re

    text = wrong_records(COREFILE, everywhere=True)
    names, names6, _, srv = re.findall(r'match "([^"]+)"', text)
    assert names == srv
    assert names == names6
    for name in ("kubernetes.default.svc.example.org.", "dns-test-service.dns-8112.svc.example.org.",
                 "dns-querier-1.dns-test-service.dns-8112.svc.example.org.", "my-headless-service.hc-ab12.svc."):
        assert re.match(names, name), name
    for name in ("10-244-1-5.dns-8112.pod.example.org.", "dns-version.example.org."):
        assert not re.match(names, name), name
    assert re.match(srv, "_http._tcp.dns-test-service.dns-8112.svc.example.org.")
    assert "hc-" not in text


def test_faults_act_on_the_suites_namespaces_or_every_one_but_the_clusters_own() -> None:
    from faults.scope import in_scope

    assert [in_scope(ns, False) for ns in ("hc-ab12", "dns-8112", "kube-system")] == [True, False, False]
    assert [in_scope(ns, True) for ns in ("hc-ab12", "dns-8112", "statefulset-1", "kube-system", "default",
                                          "local-path-storage")] == [True, True, True, False, False, False]


def test_a_stray_slice_serves_the_services_target_ports_in_its_family() -> None:
    from kubernetes.client import V1ObjectMeta, V1Service, V1ServicePort, V1ServiceSpec

    from faults.stray_endpointslice import stray_slice

    service = V1Service(metadata=V1ObjectMeta(name="dns-test-service", namespace="dns-1"), spec=V1ServiceSpec(
        ports=[V1ServicePort(name="http", port=80, target_port=8080), V1ServicePort(port=53, target_port="dns",
                                                                                     protocol="UDP")]))
    piece = stray_slice(service, "IPv6")
    assert piece["metadata"]["name"] == "stray-ipv6-dns-test-service"
    assert piece["metadata"]["labels"]["kubernetes.io/service-name"] == "dns-test-service"
    assert piece["ports"] == [{"name": "http", "port": 8080, "protocol": "TCP"},
                              {"name": "", "port": 53, "protocol": "UDP"}]
    assert piece["endpoints"] == [{"addresses": ["fd00:10:244:99::98"], "conditions": {"ready": True}}]


def test_a_query_is_in_scope_by_the_namespace_of_its_service() -> None:
    from faults.scope import name_in_scope

    for name in ("my-headless-service.hc-ab12.svc.cluster.local.", "_http._tcp.multi-port.hc-ab12.svc.cluster.local.",
                 "10-244-1-5.my-headless-service.hc-ab12.svc.cluster.local.", "MY-HEADLESS-SERVICE.HC-AB12.SVC.X."):
        assert name_in_scope(name, False), name
    for name in ("kubernetes.default.svc.cluster.local.", "10-244-1-5.hc-ab12.pod.cluster.local.",
                 "dns-version.cluster.local.", "x.dns-8112.svc.cluster.local."):
        assert not name_in_scope(name, False), name
    assert name_in_scope("x.dns-8112.svc.cluster.local.", True)
    assert not name_in_scope("kube-dns.kube-system.svc.cluster.local.", True)


def test_the_docs_carry_the_table_the_faults_make() -> None:
    import re
    from pathlib import Path

    from common.markdown import page_of
    from faults.__main__ import table

    page = page_of(Path(__file__).resolve().parents[2], "faults").read_text()
    found = re.search(r"<!-- faults:start -->\n(.*?)<!-- faults:end -->", page, re.DOTALL)
    assert found and found.group(1) == table(), \
        "the fault table of docs/faults.md is stale: headless-conformance fault --table"


def test_every_fault_says_what_it_must_fail_and_what_stays_green() -> None:
    from faults.registry import FAULTS
    from headless_conformance.checking.rules import LEVELS

    levels = set(LEVELS)
    for fault in FAULTS.values():
        assert fault.does and fault.fails and set(fault.green) <= levels, fault.name
        assert not fault.conformant or {"spec", "rfc"} <= set(fault.green), fault.name


def test_a_run_bears_out_a_faults_claims_or_says_which_it_broke() -> None:
    from faults.claims import broken_claims
    from faults.registry import FAULTS
    from headless_conformance.results.cells import Cell, Check

    def run(**outcomes: tuple[str, str]) -> Cell:
        return Cell(name="x", kubernetes="v1.37.2", ip_family="ipv4", node_image="", kind="", coredns="",
                    report="", checks={f"suites/t.py::test_{n}": Check(level, outcome=o)
                                       for n, (level, o) in outcomes.items()})

    rfc_only = FAULTS["nxdomain-for-nodata"]
    assert broken_claims(rfc_only, run(a=("rfc", "failed"), b=("spec", "passed"))) == []
    assert broken_claims(rfc_only, run(a=("rfc", "failed"), b=("spec", "failed"))) == [
        "1 spec failed, a level nxdomain-for-nodata keeps green: test_b"]
    assert broken_claims(rfc_only, run(a=("rfc", "passed"))) == ["no check failed under nxdomain-for-nodata"]
    assert broken_claims(FAULTS["more-replicas"], run(a=("spec", "passed"))) == []
    late = run(a=("spec", "passed"))
    late.freshness = {"budget": 5.0, "reflected": [{"check": "suites/t.py::test_a", "what": "x",
                                                    "servers": {"service": 30.0}}]}
    assert broken_claims(FAULTS["hidden-cache"], late) == []  # it fails freshness alone, as it says
