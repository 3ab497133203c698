"""CoreDNS runs a Corefile that caches the cluster zone for 30 s, from a ConfigMap of its own,
while the `coredns` ConfigMap the suite reads still says it is not cached (as a node-local cache in
front of it would be). Its answers carry TTL 30, so a cached answer outliving a change by up to 30 s
is ordinary DNS: the records stay right and only freshness fails, exactly as under `cached-zone`,
whose Corefile says so. What the cluster shows of its config changes no verdict."""

from __future__ import annotations

import contextlib
import re

from kubernetes.client import ApiException

from faults import Fault
from faults.corefile import await_coredns, corefile
from headless_conformance.checking.kube import Kube

HIDDEN = "coredns-hidden-cache"


def cached_cluster_zone(original: str) -> str:
    """The Corefile with the cache plugin no longer exempting any zone (the cluster zone included)."""
    return re.sub(r"\n\s*disable\s+(success|denial)\b[^\n]*", "", original)


def hidden_cache(kube: Kube, apply: bool, everywhere: bool = False) -> None:
    if apply:
        current, saved = corefile(kube)
        body = {"metadata": {"name": HIDDEN, "namespace": "kube-system"},
                "data": {"Corefile": cached_cluster_zone(saved or current)}}
        try:
            kube.core.create_namespaced_config_map("kube-system", body)
        except ApiException as err:
            if err.status != 409:
                raise
            kube.core.replace_namespaced_config_map(HIDDEN, "kube-system", body)
    name = HIDDEN if apply else "coredns"
    kube.apps.patch_namespaced_deployment("coredns", "kube-system", {"spec": {"template": {"spec": {"volumes": [
        {"name": "config-volume", "configMap": {"name": name, "items": [{"key": "Corefile", "path": "Corefile"}]}}]}}}})
    await_coredns(kube)
    if not apply:
        with contextlib.suppress(ApiException):
            kube.core.delete_namespaced_config_map(HIDDEN, "kube-system")


FAULT = Fault("hidden-cache", "CoreDNS caches the cluster zone for 30 s, which the Corefile the cluster shows does "
                              "not say", "freshness alone: changes lag up to the 30 s TTL the answers carry",
              ("spec", "rfc", "scenario", "cluster"), hidden_cache)
