"""CoreDNS's configuration, changed by a fault and put back: the Corefile as it was before the
first fault is kept in a ConfigMap of its own (other tests rewrite the `coredns` one whole, and
upstream's DNS configMap specs put back its data, not its annotations)."""

from __future__ import annotations

import re
from collections.abc import Callable

from kubernetes.client import ApiException

from faults import FaultError
from headless_conformance.checking.kube import Kube
from headless_conformance.provisioning import dns_server

SAVED = "coredns-before-faults"


def corefile(kube: Kube) -> tuple[str, str | None]:
    """The Corefile now, and the original one saved when a fault was first applied (if any)."""
    current = kube.core.read_namespaced_config_map("coredns", "kube-system").data.get("Corefile", "")
    try:
        saved = kube.core.read_namespaced_config_map(SAVED, "kube-system").data.get("Corefile")
    except ApiException as err:
        if err.status != 404:
            raise
        saved = None
    return current, saved


def original(kube: Kube) -> str:
    current, saved = corefile(kube)
    return saved or current


def cluster_zone(text: str) -> str:
    match = re.search(r"^\s*kubernetes\s+(\S+)", text, re.MULTILINE)
    if match is None:
        raise FaultError("the Corefile has no kubernetes plugin")
    return match.group(1)


def set_corefile(kube: Kube, text: str, before: str | None) -> None:
    """Write the Corefile (keeping `before` aside while faulted), restart CoreDNS and wait until
    every replica runs with it."""
    if before is not None:
        body = {"metadata": {"name": SAVED, "namespace": "kube-system"}, "data": {"Corefile": before}}
        try:
            kube.core.create_namespaced_config_map("kube-system", body)
        except ApiException as err:
            if err.status != 409:
                raise
    kube.core.patch_namespaced_config_map("coredns", "kube-system", {"data": {"Corefile": text}})
    restart_coredns(kube)


def restart_coredns(kube: Kube) -> None:
    dns_server.restart(kube)


def await_coredns(kube: Kube) -> None:
    """Until every CoreDNS replica runs the Deployment's current template."""
    dns_server.await_rolled_out(kube)


def patch_corefile(kube: Kube, change: Callable[[str], str]) -> None:
    before = original(kube)
    set_corefile(kube, change(before), before)


def restore_corefile(kube: Kube) -> None:
    _, saved = corefile(kube)
    if saved is not None:
        set_corefile(kube, saved, None)
        kube.core.delete_namespaced_config_map(SAVED, "kube-system")


def corefile_fault(change: Callable[[str, bool], str]) -> Callable[[Kube, bool, bool], None]:
    """A fault that rewrites the Corefile (`change(original, every namespace)`), or puts it back."""
    return lambda kube, on, everywhere: (patch_corefile(kube, lambda text: change(text, everywhere)) if on
                                         else restore_corefile(kube))
