"""What the command line asks of a run's provider, and the one-line error when it cannot be had."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from common import releases

Say = Callable[[str], None]


class ProviderError(RuntimeError):
    """The run cannot get a cluster: one line saying why and what to do."""


@dataclass(frozen=True)
class Request:
    """What the command line asks of the provider."""

    provider: str = "kind"
    kubernetes_version: str = releases.DEFAULT_KUBERNETES
    image_source: str = "auto"
    node_image: str | None = None
    dig_image: str | None = None
    busybox_image: str | None = None
    kind_binary: str | None = None
    cluster_name: str = "headless-conformance"
    workers: int = 1
    ip_family: str = "ipv4"
    max_endpoints_per_slice: int = 2
    cluster_domain: str | None = None
    pod_security_default: str | None = None
    least_privilege: bool = False
    reuse_cluster: bool = False
    keep_cluster: bool = False
    kubeconfig: str | None = None
    context: str | None = None
    ready_timeout: float = 180.0
    coredns_version: str | None = None
    """a CoreDNS release (vX.Y.Z) to build here and swap in as the kind cluster's DNS server"""
    coredns_image: str | None = None
    """an image to swap in as the cluster's DNS server"""
    allow_dns_swap: bool = False
    """an existing cluster's DNS may be swapped (and is restored at the end)"""
    dns_path: str = "cluster-dns"
    multicluster: bool = False  # serve clusterset.local (a kind cluster whose CoreDNS can)
    """what pods ask: the kube-dns Service (cluster-dns), or a NodeLocal DNSCache in front of it (node-local)"""
