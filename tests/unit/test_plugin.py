"""The pytest plugin's pure decisions: whether a run needs a cluster, namespace names."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from fixtures.cluster import wants_cluster
from fixtures.namespace import namespace_name

ROOT = Path(__file__).resolve().parents[2]


def run_of(args: list[str], collect_only: bool = False) -> SimpleNamespace:
    """A stand-in for pytest's Config with the two things wants_cluster reads."""
    return SimpleNamespace(args=args, getoption=lambda name, default=None: collect_only)


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
    assert len(name) <= 34
    assert "--" not in name


def test_namespace_names_are_unique() -> None:
    assert namespace_name("test_x") != namespace_name("test_x")


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
    assert wants_cluster(run_of(args)) is expected  # type: ignore[arg-type]


def test_wants_cluster_for_repository_root(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    assert wants_cluster(run_of([str(ROOT)])) is True  # type: ignore[arg-type]
    assert wants_cluster(run_of([str(ROOT / "suites")])) is True  # type: ignore[arg-type]
    assert wants_cluster(run_of([str(ROOT / "tests")])) is False  # type: ignore[arg-type]


def test_wants_cluster_for_dot_at_repository_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert wants_cluster(run_of(["."])) is True  # type: ignore[arg-type]


def test_collect_only_never_wants_a_cluster(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert wants_cluster(run_of(["suites"], collect_only=True)) is False  # type: ignore[arg-type]


def test_option_values_are_checked_when_parsed() -> None:
    import argparse

    from fixtures.options import _kubernetes_version, _non_negative_int, _positive_seconds

    assert _non_negative_int("0") == 0
    with pytest.raises(argparse.ArgumentTypeError, match="must be 0 or more, not -1"):
        _non_negative_int("-1")
    with pytest.raises(argparse.ArgumentTypeError, match="'banana' is not a Kubernetes version"):
        _kubernetes_version("banana")
    with pytest.raises(argparse.ArgumentTypeError, match="more than 0 seconds"):
        _positive_seconds("0")


def test_the_backstop_lies_above_every_wait_of_a_check() -> None:
    from fixtures.timeouts import backstop

    assert backstop(180, 60) == 3 * 180 + 4 * 60 + 120


def test_the_dns_server_is_named_by_its_image() -> None:
    from fixtures.divergences import dns_server

    assert dns_server("registry.k8s.io/coredns/coredns:v1.14.6") == "coredns"
    assert dns_server("docker.io/coredns/coredns@sha256:abc") == "coredns"
    assert dns_server("example.org/kube-dns:1.2") == "kube-dns"


def test_a_divergence_before_a_release_applies_to_older_releases_only() -> None:
    import pytest

    from fixtures.divergences import applies, server_version

    assert server_version("registry.k8s.io/coredns/coredns:v1.12.1") == (1, 12, 1)
    assert server_version("example.org:5000/coredns:1.14") == (1, 14)
    assert server_version("docker.io/coredns/coredns@sha256:abc") is None
    fixed = pytest.mark.diverges(server="coredns", before="1.12.3", reason="r").mark
    always = pytest.mark.diverges(server="coredns", reason="r").mark
    assert applies(fixed, "coredns", (1, 12, 1)) and not applies(fixed, "coredns", (1, 12, 3))
    assert not applies(fixed, "coredns", (1, 13, 1)) and not applies(fixed, "coredns", None)
    assert applies(always, "coredns", None) and not applies(always, "kube-dns", (1, 0))
    came_and_went = pytest.mark.diverges(server="coredns", since="1.11.4", before="1.12.1", reason="r").mark
    assert [applies(came_and_went, "coredns", v) for v in ((1, 11, 3), (1, 11, 4), (1, 12, 0), (1, 12, 1))] == [
        False, True, True, False]


PTR_MARK = pytest.mark.diverges(server="coredns", since="1.11.4", before="1.12.1", bug="coredns/coredns#6898",
                                seen=r"PTR .*NXDOMAIN", reason="no PTR record for an endpoint without a hostname").mark


def test_a_known_bug_names_the_releases_that_have_it_and_the_one_that_fixes_it() -> None:
    from fixtures.divergences import described

    assert described(PTR_MARK) == ("coredns/coredns#6898 (coredns v1.11.4 and later, before v1.12.1): no PTR record "
                                   "for an endpoint without a hostname; fixed in v1.12.1: upgrade to coredns v1.12.1 "
                                   "or later")


@pytest.mark.parametrize(("failure", "accept", "outcome", "known"), [
    ("no PTR for 10.244.1.5: NXDOMAIN", False, "failed", True),  # the bug: a violation all the same
    ("stopped waiting for: PTR 5.1.244.10.in-addr.arpa.\n3 of 3 servers: service: NXDOMAIN", False, "failed",
     True),  # the expectation's line, then what the servers said
    ("no PTR for 10.244.1.5: NXDOMAIN", True, "xfailed", True),  # accepted, and still named
    ("rollout of my-app-deployment timed out", False, "failed", False),  # another failure is itself
    ("rollout of my-app-deployment timed out", True, "failed", False),
    (None, False, "failed", False),  # a pass where the bug was expected: the mark is wrong
])
def test_only_a_failure_that_shows_the_known_bug_is_one(failure: str | None, accept: bool, outcome: str,
                                                         known: bool) -> None:
    from fixtures.divergences import judged

    found = judged(PTR_MARK, failure, accept)

    assert (found.outcome, bool(found.known_bug)) == (outcome, known)
    assert bool(found.why) == (not known)
