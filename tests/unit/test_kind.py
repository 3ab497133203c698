"""The kind cluster config the suite writes, and how it tells its own leftover clusters apart."""

from __future__ import annotations

import yaml

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
