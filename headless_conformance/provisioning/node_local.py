"""The DNS path pods use, as an axis: a NodeLocal DNSCache in front of the cluster DNS.

Many production clusters point pods not at the kube-dns Service but at a cache on their own node
(a link-local address), which asks the cluster DNS over TCP and keeps its answers up to 30 s
(5 s for names that do not exist). `deploy` puts one on a kind cluster whose kubelets were told
to point pods at `LOCAL_IP` (`kubelet_patch`), running the cluster's own CoreDNS image with the
Corefile of manifests/dns-path/node-local-dns.yaml. `found` tells an existing cluster's path.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from kubernetes.client import ApiException
from kubernetes.dynamic import DynamicClient

from common.wait import wait_for
from headless_conformance.checking.kube import Kube
from headless_conformance.checking.manifests import MANIFEST_DIR
from headless_conformance.checking.workloads import apply
from headless_conformance.provisioning import dns_server
from headless_conformance.provisioning.request import ProviderError, Say

PATHS = ("cluster-dns", "node-local")
LOCAL_IP = "169.254.20.10"
NAMESPACE = "kube-system"
NAME = "node-local-dns"
UPSTREAM = "kube-dns-upstream"
MANIFEST = MANIFEST_DIR / "dns-path" / f"{NAME}.yaml"


def kubelet_patch() -> dict[str, Any]:
    """The kubelets' configuration that points every pod's resolv.conf at the node-local cache."""
    return {"kind": "KubeletConfiguration", "clusterDNS": [LOCAL_IP]}


def documents(domain: str, upstream: str, coredns_image: str, busybox_image: str) -> list[dict[str, Any]]:
    """The manifest's objects with its blanks filled in."""
    text = MANIFEST.read_text(encoding="utf-8")
    for blank, value in (("__DOMAIN__", domain), ("__UPSTREAM__", upstream), ("__LOCAL_IP__", LOCAL_IP),
                         ("__COREDNS__", coredns_image), ("__BUSYBOX__", busybox_image)):
        text = text.replace(blank, value)
    return [doc for doc in yaml.safe_load_all(text) if doc]


def deploy(kube: Kube, domain: str, busybox_image: str, timeout: float, say: Say) -> str:
    """The cache on every node, Ready; returns what it is, for the environment table."""
    coredns_image = dns_server.find(kube).image
    say(f"putting a NodeLocal DNSCache on every node ({LOCAL_IP}, CoreDNS {coredns_image})")
    docs = documents(domain, "UPSTREAM", coredns_image, busybox_image)
    service = next(d for d in docs if d["kind"] == "Service")
    with tempfile.TemporaryDirectory(prefix="headless-conformance-") as tmp:
        dynamic = DynamicClient(kube.api, cache_file=str(Path(tmp) / "discovery.json"))
        apply(dynamic, [service])
        upstream = kube.core.read_namespaced_service(UPSTREAM, NAMESPACE).spec.cluster_ip
        apply(dynamic, [d for d in documents(domain, upstream, coredns_image, busybox_image) if d["kind"] != "Service"])

    def state() -> tuple[int, int]:
        status = kube.apps.read_namespaced_daemon_set(NAME, NAMESPACE).status
        return status.number_ready or 0, status.desired_number_scheduled or 0

    ready = wait_for(state, lambda s: s[1] > 0 and s[0] == s[1], timeout=timeout, interval=0.5,
                     expected=f"DaemonSet {NAMESPACE}/{NAME} Ready on every node",
                     describe=lambda s: f"{s[0]} of {s[1]} Ready", retry_on=(ApiException,))
    say(f"NodeLocal DNSCache Ready on {ready.value[1]} nodes")
    return described(upstream)


def described(upstream: str | None = None) -> str:
    to = f" (Service {UPSTREAM}{f', {upstream}' if upstream else ''})" if upstream is not None else ""
    return (f"node-local: pods ask a NodeLocal DNSCache at {LOCAL_IP} on their node (DaemonSet {NAMESPACE}/{NAME}: "
            f"cluster zone cached success 30 s, denial 5 s), which asks the cluster DNS over TCP{to}")


def found(kube: Kube) -> str:
    """An existing cluster's path, as far as the API tells it: a node-local DaemonSet, or the Service."""
    try:
        sets = kube.apps.list_namespaced_daemon_set(NAMESPACE).items
    except ApiException:
        return "not known (kube-system's DaemonSets cannot be listed)"
    local = [s.metadata.name for s in sets if "node-local" in s.metadata.name or "nodelocal" in s.metadata.name]
    if local:
        return f"node-local: a NodeLocal DNSCache DaemonSet runs ({NAMESPACE}/{local[0]}); pods may ask it first"
    return "cluster-dns: pods ask the kube-dns Service"


def refuse_unsupported(path: str, ip_family: str) -> None:
    if path == "node-local" and ip_family == "ipv6":
        raise ProviderError(f"--dns-path node-local puts the cache at {LOCAL_IP}, which IPv6-only pods cannot reach: "
                            "use --ip-family ipv4 or dual")
