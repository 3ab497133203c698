"""Pure logic of the suite's fixtures: kind config, Corefile facts, event ordering, names, waiting."""

from __future__ import annotations

import re
from itertools import count
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from fixtures.cluster import wants_cluster
from fixtures.facts import corefile_domain, corefile_ttl
from fixtures.kind import cluster_config
from fixtures.namespace import namespace_name
from fixtures.ordering import PodEvent, creation_violations, deletion_violations, first
from fixtures.wait import Outcome, WaitTimeout, wait_for

ROOT = Path(__file__).resolve().parents[2]

# --- kind cluster config -----------------------------------------------------------------------------


def test_cluster_config_nodes() -> None:
    config = yaml.safe_load(cluster_config("hc", workers=2))
    assert config == {"kind": "Cluster", "apiVersion": "kind.x-k8s.io/v1alpha4", "name": "hc",
                      "nodes": [{"role": "control-plane"}, {"role": "worker"}, {"role": "worker"}]}


def test_cluster_config_without_workers() -> None:
    assert yaml.safe_load(cluster_config("hc", workers=0))["nodes"] == [{"role": "control-plane"}]


def test_cluster_config_defaults_to_one_worker_on_cgroup_v2() -> None:
    config = yaml.safe_load(cluster_config("hc"))
    assert config["nodes"] == [{"role": "control-plane"}, {"role": "worker"}]
    assert "kubeadmConfigPatches" not in config


def test_cluster_config_allows_cgroup_v1() -> None:
    config = yaml.safe_load(cluster_config("hc", workers=1, cgroup_v1=True))
    assert config["nodes"] == [{"role": "control-plane"}, {"role": "worker"}]
    assert [yaml.safe_load(p) for p in config["kubeadmConfigPatches"]] == [
        {"kind": "KubeletConfiguration", "failCgroupV1": False}]


# --- Corefile facts ----------------------------------------------------------------------------------------

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


# --- pod event ordering ----------------------------------------------------------------------------------


def added(pod: str) -> PodEvent:
    return PodEvent("ADDED", pod, ready=False, terminating=False)


def ready(pod: str) -> PodEvent:
    return PodEvent("MODIFIED", pod, ready=True, terminating=False)


def terminating(pod: str) -> PodEvent:
    return PodEvent("MODIFIED", pod, ready=True, terminating=True)


def deleted(pod: str) -> PodEvent:
    return PodEvent("DELETED", pod, ready=False, terminating=True)


PODS = ["web-0", "web-1", "web-2"]


def test_first_positions() -> None:
    events = [added("web-0"), ready("web-0"), terminating("web-0"), deleted("web-0")]
    assert [first(events, "web-0", what) for what in ("seen", "ready", "terminating", "deleted")] == [0, 1, 2, 3]
    assert first(events, "web-1", "seen") is None


def test_first_ready_ignores_terminating_ready_pod() -> None:
    assert first([terminating("web-0")], "web-0", "ready") is None


def test_first_terminating_counts_deletion() -> None:
    assert first([added("web-0"), deleted("web-0")], "web-0", "terminating") == 1


def test_ordered_creation_has_no_violations() -> None:
    events = [added("web-0"), ready("web-0"), added("web-1"), ready("web-1"), added("web-2"), ready("web-2")]
    assert creation_violations(events, PODS) == []


def test_pod_seen_before_predecessor_ready() -> None:
    events = [added("web-0"), added("web-1"), ready("web-0"), ready("web-1"), added("web-2"), ready("web-2")]
    assert creation_violations(events, PODS) == ["web-1 appeared (event 1) before web-0 was Ready (event 2)"]


def test_creation_with_unobserved_pod() -> None:
    events = [added("web-0"), ready("web-0"), added("web-1"), ready("web-1")]
    assert creation_violations(events, PODS) == ["web-2 seen at None, web-1 ready at 3: not both observed"]


def test_ordered_deletion_has_no_violations() -> None:
    events = [terminating("web-2"), deleted("web-2"), terminating("web-1"), deleted("web-1")]
    assert deletion_violations(events, ["web-2", "web-1"]) == []


def test_pod_terminating_before_successor_deleted() -> None:
    events = [terminating("web-2"), terminating("web-1"), deleted("web-2"), deleted("web-1")]
    assert deletion_violations(events, ["web-2", "web-1"]) == [
        "web-1 began terminating (event 1) before web-2 was gone (event 2)"]


def test_deletion_with_unobserved_pod() -> None:
    events = [terminating("web-2"), terminating("web-1"), deleted("web-1")]
    assert deletion_violations(events, ["web-2", "web-1"]) == [
        "web-2 deleted at None, web-1 terminating at 1: not both observed"]


# --- namespace names -------------------------------------------------------------------------------------

NAMESPACE = re.compile(r"^hc-[a-z0-9-]+-[0-9a-f]{6}$")


@pytest.mark.parametrize(("test_name", "base"), [
    ("test_srv_records", "srv-records"),
    ("test_x[a/b]", "x-a-b"),
    ("test_pod_fqdn[IPv6-web_0]", "pod-fqdn-ipv6-web-0"),
    ("check_test_thing", "check-test-thing"),
])
def test_namespace_name(test_name: str, base: str) -> None:
    name = namespace_name(test_name)
    assert NAMESPACE.match(name), name
    assert name[:-7] == f"hc-{base}"


def test_namespace_name_is_short_enough_for_a_label() -> None:
    name = namespace_name("test_" + "very_long_parametrized_name-" * 5 + "[case/with/many/parts]")
    assert NAMESPACE.match(name), name
    assert len(name) <= 63
    assert "--" not in name


def test_namespace_names_are_unique() -> None:
    assert namespace_name("test_x") != namespace_name("test_x")


# --- wait_for ----------------------------------------------------------------------------------------------


def test_wait_for_returns_when_condition_holds() -> None:
    polls = count(1)
    outcome = wait_for(lambda: next(polls), lambda n: n >= 3, expected="three polls", timeout=2, interval=0.01)
    assert isinstance(outcome, Outcome)
    assert (outcome.value, outcome.polls) == (3, 3)
    assert 0 <= outcome.elapsed < 1


def test_wait_for_counts_probe_errors_as_not_yet() -> None:
    polls = count(1)

    def probe() -> int:
        n = next(polls)
        if n < 3:
            raise RuntimeError("not yet")
        return n

    outcome = wait_for(probe, lambda n: True, expected="a value", timeout=2, interval=0.01)
    assert (outcome.value, outcome.polls) == (3, 3)


def test_wait_timeout_is_an_assertion_error() -> None:
    assert issubclass(WaitTimeout, AssertionError)


def test_wait_for_timeout_message() -> None:
    with pytest.raises(WaitTimeout) as err:
        wait_for(lambda: [1, 2], lambda v: len(v) == 3, expected="three endpoints", timeout=0.05, interval=0.01,
                 describe=lambda v: f"{len(v)} endpoints", transcript=lambda: ";; ANSWER SECTION:\nweb-0")
    lines = str(err.value).splitlines()
    assert re.fullmatch(r"timed out after 0s \(\d+ polls\) waiting for: three endpoints", lines[0])
    assert lines[1:] == ["last seen: 2 endpoints", "last probe output:", ";; ANSWER SECTION:", "web-0"]


def test_wait_for_timeout_reports_last_probe_error() -> None:
    polls = count(1)

    def probe() -> str:
        if next(polls) == 1:
            return "partial"
        raise RuntimeError("connection refused")

    with pytest.raises(WaitTimeout) as err:
        wait_for(probe, lambda v: v == "complete", expected="complete", timeout=0.05, interval=0.01)
    lines = str(err.value).splitlines()
    assert "waiting for: complete" in lines[0]
    assert lines[1:] == ["last seen: 'partial'", "last probe error: RuntimeError: connection refused"]


def test_wait_for_timeout_when_probe_never_answers() -> None:
    def probe() -> str:
        raise TimeoutError("no answer")

    with pytest.raises(WaitTimeout) as err:
        wait_for(probe, bool, expected="an answer", timeout=0.03, interval=0.01, transcript=lambda: "")
    assert str(err.value).splitlines()[1:] == ["last probe error: TimeoutError: no answer"]


# --- whether a run needs a cluster -----------------------------------------------------------------------


@pytest.mark.parametrize(("args", "expected"), [
    (["suites"], True),
    (["suites/test_statefulset.py::test_y"], True),
    (["suites/test_statefulset.py::test_y[a::b]"], True),
    (["tests/unit"], False),
    (["tests/unit/test_names.py", "imagebuild/tests"], False),
    (["tests/unit", "suites"], True),
])
def test_wants_cluster(monkeypatch: pytest.MonkeyPatch, args: list[str], expected: bool) -> None:
    monkeypatch.chdir(ROOT)
    assert wants_cluster(SimpleNamespace(args=args)) is expected  # type: ignore[arg-type]


def test_wants_cluster_for_repository_root(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    assert wants_cluster(SimpleNamespace(args=[str(ROOT)])) is True  # type: ignore[arg-type]
    assert wants_cluster(SimpleNamespace(args=[str(ROOT / "suites")])) is True  # type: ignore[arg-type]
    assert wants_cluster(SimpleNamespace(args=[str(ROOT / "tests")])) is False  # type: ignore[arg-type]


def test_wants_cluster_for_dot_at_repository_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert wants_cluster(SimpleNamespace(args=["."])) is True  # type: ignore[arg-type]
