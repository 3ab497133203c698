"""The NodeLocal DNSCache a kind cluster gets with --dns-path node-local, built without a cluster."""

from __future__ import annotations

import pytest
import yaml

from headless_conformance.provisioning import node_local
from headless_conformance.provisioning.kind import cluster_config
from headless_conformance.provisioning.request import ProviderError


def test_the_cache_runs_the_clusters_coredns_at_the_link_local_address_and_asks_the_cluster_dns_over_tcp() -> None:
    docs = {d["kind"]: d for d in node_local.documents("example.org", "10.96.0.20", "coredns:v1", "busybox:1")}

    corefile = docs["ConfigMap"]["data"]["Corefile"]
    pod = docs["DaemonSet"]["spec"]["template"]["spec"]
    assert corefile.startswith("example.org:53 {") and "bind 169.254.20.10" in corefile
    assert "forward . 10.96.0.20 {\n        force_tcp" in corefile
    assert "success 9984 30" in corefile and "denial 9984 5" in corefile
    assert "__" not in yaml.safe_dump(list(docs.values()))
    assert pod["hostNetwork"] and pod["containers"][0]["image"] == "coredns:v1"
    assert pod["initContainers"][0]["image"] == "busybox:1"
    assert docs["Service"]["metadata"]["name"] == "kube-dns-upstream"
    assert docs["Service"]["spec"]["selector"] == {"k8s-app": "kube-dns"}


def test_the_kubelets_point_pods_at_the_cache() -> None:
    config = yaml.safe_load(cluster_config("c", cgroup_v1=True, cluster_dns=node_local.LOCAL_IP))
    (patch,) = [yaml.safe_load(p) for p in config["kubeadmConfigPatches"]]
    assert patch == {"kind": "KubeletConfiguration", "failCgroupV1": False, "clusterDNS": ["169.254.20.10"]}


def test_ipv6_only_pods_cannot_reach_an_ipv4_cache() -> None:
    node_local.refuse_unsupported("node-local", "dual")
    with pytest.raises(ProviderError, match="IPv6-only pods cannot reach"):
        node_local.refuse_unsupported("node-local", "ipv6")
