"""The kind cluster config the suite writes, and how it tells its own leftover clusters apart."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from headless_conformance.provisioning import kind
from headless_conformance.provisioning.kind import cluster_config


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


def test_cluster_config_ip_family_and_small_endpoint_slices() -> None:
    config = yaml.safe_load(cluster_config("hc", workers=1, ip_family="dual", max_endpoints_per_slice=2))
    assert config["networking"] == {"ipFamily": "dual"}
    assert [yaml.safe_load(p) for p in config["kubeadmConfigPatches"]] == [
        {"apiVersion": "kubeadm.k8s.io/v1beta3", "kind": "ClusterConfiguration",
         "controllerManager": {"extraArgs": {"max-endpoints-per-slice": "2"}}},
        {"apiVersion": "kubeadm.k8s.io/v1beta4", "kind": "ClusterConfiguration",
         "controllerManager": {"extraArgs": [{"name": "max-endpoints-per-slice", "value": "2"}]}}]
    assert "networking" not in yaml.safe_load(cluster_config("hc", ip_family="ipv4"))


def test_a_cluster_domain_goes_to_kubeadm_in_both_config_versions() -> None:
    import yaml

    from headless_conformance.provisioning.kind import cluster_config

    patches = [yaml.safe_load(p) for p in yaml.safe_load(cluster_config("x", cluster_domain="example.internal"))[
        "kubeadmConfigPatches"]]
    assert [(p["apiVersion"], p["networking"]["dnsDomain"]) for p in patches] == [
        ("kubeadm.k8s.io/v1beta3", "example.internal"), ("kubeadm.k8s.io/v1beta4", "example.internal")]


def test_a_pod_security_default_reaches_the_api_server_of_either_kubeadm_config() -> None:
    config = yaml.safe_load(kind.cluster_config("c", admission_file="/cache/pod-security-restricted.yaml"))
    assert config["nodes"][0]["extraMounts"] == [{"hostPath": "/cache/pod-security-restricted.yaml",
                                                  "containerPath": "/etc/kubernetes/admission/config.yaml",
                                                  "readOnly": True}]
    patches = [yaml.safe_load(p) for p in config["kubeadmConfigPatches"]]
    flags = {p["apiVersion"]: p["apiServer"]["extraArgs"] for p in patches if "apiServer" in p}
    assert flags["kubeadm.k8s.io/v1beta3"] == {"admission-control-config-file": "/etc/kubernetes/admission/config.yaml"}
    assert flags["kubeadm.k8s.io/v1beta4"] == [{"name": "admission-control-config-file",
                                                "value": "/etc/kubernetes/admission/config.yaml"}]


def test_the_pod_security_default_spares_only_the_clusters_own_namespaces() -> None:
    (plugin,) = yaml.safe_load(kind.pod_security_admission("restricted"))["plugins"]
    configuration = plugin["configuration"]
    assert plugin["name"] == "PodSecurity"
    assert configuration["defaults"]["enforce"] == "restricted"
    assert configuration["exemptions"]["namespaces"] == ["kube-system", "kube-public", "kube-node-lease",
                                                         "local-path-storage"]
    with pytest.raises(ValueError, match="baseline, restricted"):
        kind.pod_security_admission("privileged")


def _fake_docker(monkeypatch: pytest.MonkeyPatch, kind_exit: int, polls_with_containers: int) -> list[list[str]]:
    """kind delete exits `kind_exit`; `docker ps` finds the node container that many times."""
    calls: list[list[str]] = []
    left = [polls_with_containers]

    def detached(argv: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        calls.append(argv)
        if argv[1] == "delete":
            return subprocess.CompletedProcess(argv, kind_exit, "", "ERROR: removal already in progress")
        if argv[1] == "ps":
            found = "abc\n" if left[0] > 0 else ""
            left[0] -= 1
            return subprocess.CompletedProcess(argv, 0, found, "")
        return subprocess.CompletedProcess(argv, 0, "", "")

    monkeypatch.setattr(kind, "_detached", detached)
    monkeypatch.setattr(kind.KindCluster, "record_path", lambda self: Path("/nonexistent/record.json"))
    return calls


def test_a_failed_kind_delete_is_finished_by_removing_the_node_containers(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    calls = _fake_docker(monkeypatch, kind_exit=1, polls_with_containers=1)
    kind.KindCluster("hc-x", "kind", Path("/tmp/kubeconfig")).delete()
    assert ["docker", "rm", "--force", "--volumes", "abc"] in calls
    assert "kind delete cluster exited 1: ERROR: removal already in progress" in capsys.readouterr().err


def test_node_containers_that_stay_after_a_failed_kind_delete_fail_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_docker(monkeypatch, kind_exit=1, polls_with_containers=10**6)
    monkeypatch.setattr(kind, "wait_for", _times_out)
    with pytest.raises(kind.KindError, match=r"^could not delete kind cluster hc-x: kind delete cluster exited 1: "
                                             r"ERROR: removal already in progress, and its node containers stay; "):
        kind.KindCluster("hc-x", "kind", Path("/tmp/kubeconfig")).delete()


def _times_out(probe, done, **_: object) -> None:  # noqa: ANN001 - wait_for's own signature
    probe()
    raise kind.WaitTimeout("timed out\nlast seen")
