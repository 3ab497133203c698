"""The kind cluster config the suite writes, and how it tells its own leftover clusters apart."""

from __future__ import annotations

import pytest
import yaml

from headless_conformance import kind
from headless_conformance.kind import cluster_config


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

    from headless_conformance.kind import cluster_config

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
