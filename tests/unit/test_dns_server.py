"""Swapping the cluster's DNS server: the release a server announces, the rollout it waits for, the
refusals, and the restore of an existing cluster's Deployment."""

from __future__ import annotations

from types import SimpleNamespace as NS
from typing import Any

import pytest

from common.wait import StopWaiting
from headless_conformance.checking.kube import Kube
from headless_conformance.provisioning import dns_server, providers
from headless_conformance.provisioning.request import ProviderError, Request

BANNER = (".:53\n[INFO] plugin/reload: Running configuration SHA512 = 1f2e\n"
          "CoreDNS-1.12.0\nlinux/amd64, go1.23.3, 51e11f1\n")
UNSERVED = ("[ERROR] plugin/kubernetes: pkg/mod/k8s.io/client-go@v0.20.2/tools/cache/reflector.go:167: Failed to "
            "list *v1beta1.EndpointSlice: the server could not find the requested resource\n")


def test_the_release_is_read_from_the_start_up_banner() -> None:
    assert dns_server.release_in_log(BANNER) == "v1.12.0"
    assert dns_server.release_in_log("CoreDNS-1.15.0-rc.1\n") == "v1.15.0-rc.1"
    assert dns_server.release_in_log("[INFO] plugin/ready: Still waiting on: \"kubernetes\"\n") is None


def test_an_api_the_server_no_longer_serves_is_named_by_the_log_line() -> None:
    assert dns_server.unserved_api(BANNER + UNSERVED) == UNSERVED.strip()
    assert dns_server.unserved_api(BANNER) is None


class FakeCluster:
    """The kube-dns Deployment and its pods; patching the image rolls the pods at once."""

    pod_log = Kube.pod_log  # the real reading of a log, over the fake API

    def __init__(self, image: str, replicas: int = 2, ready: bool = True, log: str = BANNER,
                 waiting: str | None = None) -> None:
        self.image, self.replicas, self.ready, self.log, self.waiting = image, replicas, ready, log, waiting
        self.pull_policy = "IfNotPresent"
        self.patches: list[dict[str, Any]] = []
        self.apps = NS(list_namespaced_deployment=self._deployments, read_namespaced_deployment=self._deployment,
                       patch_namespaced_deployment=self._patch)
        self.core = NS(list_namespaced_pod=self._pods,
                       read_namespaced_pod_log=lambda *a, **k: NS(data=self.log.encode()))

    def _deployment(self, *_: object) -> NS:
        container = NS(name="coredns", image=self.image, image_pull_policy=self.pull_policy)
        return NS(metadata=NS(name="coredns"), spec=NS(replicas=self.replicas, template=NS(spec=NS(
            containers=[container]))))

    def _deployments(self, *_: object, **__: object) -> NS:
        return NS(items=[self._deployment()])

    def _patch(self, name: str, namespace: str, body: dict[str, Any]) -> None:
        assert (name, namespace) == ("coredns", "kube-system")
        self.patches.append(body)
        container = body["spec"]["template"]["spec"]["containers"][0]
        self.image = container["image"]
        self.pull_policy = container.get("imagePullPolicy", self.pull_policy)

    def _pods(self, *_: object, **__: object) -> NS:
        waiting = NS(reason=self.waiting, message="back-off 10s") if self.waiting else None
        return NS(items=[NS(
            metadata=NS(name=f"coredns-{i}", deletion_timestamp=None),
            spec=NS(containers=[NS(name="coredns", image=self.image)]),
            status=NS(conditions=[NS(type="Ready", status=str(self.ready))],
                      container_statuses=[NS(name="coredns", state=NS(waiting=waiting),
                                             restart_count=1 if self.waiting else 0)]))
            for i in range(self.replicas)])


def quiet(_: str) -> None:
    pass


def test_a_swap_changes_only_the_image_and_waits_for_every_pod() -> None:
    cluster = FakeCluster("registry.k8s.io/coredns/coredns:v1.14.6")
    original = dns_server.find(cluster)  # type: ignore[arg-type]
    dns_server.swap(cluster, original, "headless-conformance/coredns:v1.12.0", "IfNotPresent", 5, quiet)  # type: ignore[arg-type]
    assert cluster.patches == [{"spec": {"template": {"spec": {"containers": [
        {"name": "coredns", "image": "headless-conformance/coredns:v1.12.0", "imagePullPolicy": "IfNotPresent"}]}}}}]
    assert dns_server.running_release(cluster) == "v1.12.0"  # type: ignore[arg-type]
    dns_server.restore(cluster, original, 5, quiet)  # type: ignore[arg-type]
    assert (cluster.image, cluster.pull_policy) == ("registry.k8s.io/coredns/coredns:v1.14.6", "IfNotPresent")


def test_old_replicas_still_there_are_not_a_finished_rollout() -> None:
    assert not dns_server.Rollout(ready=2, wanted=2, others=1).done()
    assert not dns_server.Rollout(ready=1, wanted=2, others=0).done()
    assert dns_server.Rollout(ready=2, wanted=2, others=0).done()


def test_a_release_that_cannot_watch_the_api_stops_the_wait_with_its_log_line() -> None:
    cluster = FakeCluster("headless-conformance/coredns:v1.8.3", ready=False, log=BANNER + UNSERVED)
    with pytest.raises(StopWaiting, match="cannot run against this cluster's API: pod coredns-0 says: .*Failed to "
                                          "list \\*v1beta1.EndpointSlice"):
        dns_server._rollout(cluster, dns_server.find(cluster), cluster.image)  # type: ignore[arg-type]
    with pytest.raises(dns_server.SwapFailed, match="cannot run against this cluster's API"):
        dns_server.swap(cluster, dns_server.find(cluster), cluster.image, None, 5, quiet)  # type: ignore[arg-type]


def test_a_crashing_or_unpullable_server_stops_the_wait_with_its_last_words() -> None:
    cluster = FakeCluster("my/coredns:broken", ready=False, waiting="ErrImageNeverPull", log="")
    with pytest.raises(dns_server.SwapFailed, match="my/coredns:broken cannot serve this cluster: pod coredns-0 is "
                                                    "ErrImageNeverPull \\(back-off 10s\\)"):
        dns_server.swap(cluster, dns_server.find(cluster), cluster.image, None, 5, quiet)  # type: ignore[arg-type]
    parse_error = ("plugin/cache: /etc/coredns/Corefile:17 - Error during parsing: Wrong argument count or "
                   "unexpected line ending after 'disable'\n")
    cluster = FakeCluster("headless-conformance/coredns:v1.8.3", ready=False, waiting="CrashLoopBackOff",
                          log=parse_error)
    with pytest.raises(dns_server.SwapFailed, match="is CrashLoopBackOff; its last run's log ends: plugin/cache: "
                                                    "/etc/coredns/Corefile:17 - Error during parsing"):
        dns_server.swap(cluster, dns_server.find(cluster), cluster.image, None, 5, quiet)  # type: ignore[arg-type]


@pytest.mark.parametrize(("request_", "message"), [
    (Request(coredns_version="v1.12.0", coredns_image="my/coredns:1"), "not both"),
    (Request(provider="existing", coredns_version="v1.12.0"), "an existing cluster cannot pull"),
    (Request(provider="existing", coredns_image="my/coredns:1"), "pass --allow-dns-swap"),
])
def test_swaps_that_cannot_be_done_are_refused_in_one_line(request_: Request, message: str) -> None:
    with pytest.raises(ProviderError, match=message):
        providers._dns_image(request_, quiet)


def test_an_allowed_swap_of_an_existing_cluster_is_restored_at_the_end(tmp_path: Any) -> None:
    cluster = FakeCluster("registry.k8s.io/coredns/coredns:v1.14.6")
    state = providers.Provisioned()
    request = Request(provider="existing", coredns_image="my/coredns:patched", allow_dns_swap=True)
    providers._swap_dns(cluster, "my/coredns:patched", request, state, quiet)  # type: ignore[arg-type]
    assert cluster.image == "my/coredns:patched" and state.dns_original is not None
    assert providers.clean_up(state, failed=False, logs_dir=tmp_path, say=quiet) == []
    assert cluster.image == "registry.k8s.io/coredns/coredns:v1.14.6" and state.dns_original is None
