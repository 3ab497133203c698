"""CoreDNS's own figure of DNS programming latency, beside the suite's: the kubernetes plugin's
`coredns_kubernetes_dns_programming_duration_seconds` histogram (from an endpoint's change in the
API to the server's answering it), read from each kube-dns pod's metrics where they expose them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kubernetes.client import ApiException

from headless_conformance.checking.kube import Kube

METRIC = "coredns_kubernetes_dns_programming_duration_seconds"
PORT = 9153  # the prometheus plugin's port in kubeadm's Corefile
_SAMPLE = re.compile(rf'^{METRIC}_(bucket|sum|count)\{{([^}}]*)\}}\s+(\S+)$')


@dataclass(frozen=True)
class Programming:
    """One histogram, summed over the pods that gave one (headless Services with a selector only)."""

    buckets: tuple[tuple[float, float], ...]  # (upper bound, cumulative count), ascending
    total: float
    count: float

    def quantile(self, q: float) -> float | None:
        """The upper bound of the bucket holding the q-quantile (None without samples)."""
        if not self.count:
            return None
        wanted = q * self.count
        return next((bound for bound, seen in self.buckets if seen >= wanted), float("inf"))

    def summary(self) -> str:
        if not self.count:
            return "no headless Service change recorded"
        p50, p95 = self.quantile(0.5), self.quantile(0.95)
        return (f"mean {self.total / self.count:.2f} s over {self.count:g} changes programmed (each DNS pod counts "
                f"each); median ≤ {p50:g} s, 95th percentile ≤ {p95:g} s (histogram buckets)")


def parse(text: str, kind: str = "headless_with_selector") -> Programming:
    """The histogram of `kind` Services from a Prometheus text exposition (zero where it is absent)."""
    buckets: dict[float, float] = {}
    total = count = 0.0
    for line in text.splitlines():
        found = _SAMPLE.match(line.strip())
        if not found or f'service_kind="{kind}"' not in found.group(2):
            continue
        part, labels, value = found.groups()
        if part == "bucket":
            bound = re.search(r'le="([^"]+)"', labels)
            if bound:
                le = float("inf") if bound.group(1) == "+Inf" else float(bound.group(1))
                buckets[le] = buckets.get(le, 0.0) + float(value)
        elif part == "sum":
            total += float(value)
        else:
            count += float(value)
    return Programming(tuple(sorted(buckets.items())), total, count)


def read(kube: Kube, namespace: str = "kube-system", selector: str = "k8s-app=kube-dns") -> Programming | str:
    """The histogram over every kube-dns pod (through the API server's pod proxy), or why it cannot be read."""
    texts = []
    try:
        pods = kube.core.list_namespaced_pod(namespace, label_selector=selector).items
        for pod in pods:
            response = kube.core.connect_get_namespaced_pod_proxy_with_path(  # raw: the client would str() bytes
                f"{pod.metadata.name}:{PORT}", namespace, "metrics", _preload_content=False)
            texts.append(response.data.decode("utf-8", errors="replace"))
    except ApiException as err:
        return f"not read ({err.status} {err.reason}: the metrics of {namespace}'s DNS pods)"
    if not texts:
        return "not read (no DNS pods)"
    return parse("\n".join(texts))
