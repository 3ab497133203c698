"""Multi-cluster DNS in one cluster: the multi-cluster Services API's CRDs (ServiceImport,
ServiceExport) and CoreDNS's kubernetes plugin told to serve `clusterset.local` from ServiceImports
and the EndpointSlices labelled with a source cluster (its `multicluster` option, CoreDNS v1.12.2 and
later: coredns/coredns#7266). The checks then play the MCS controller: they write ServiceImports and
EndpointSlices of two cluster ids themselves.

`enable` does it on a kind cluster the suite made, where the running CoreDNS has the option; an
existing cluster's is found (`served`), never set.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

import yaml
from kubernetes.client import ApiException
from kubernetes.dynamic import DynamicClient

from common.wait import wait_for
from headless_conformance.checking.kube import Kube
from headless_conformance.checking.workloads import apply
from headless_conformance.provisioning import dns_server
from headless_conformance.provisioning.request import Say

ZONE = "clusterset.local"
FIRST_RELEASE = (1, 12, 2)
GROUP = "multicluster.x-k8s.io"
CRD = f"serviceimports.{GROUP}"
RULE = {"apiGroups": [GROUP], "resources": ["serviceimports"], "verbs": ["list", "watch"]}
_KUBERNETES = re.compile(r"^(?P<indent>\s*)kubernetes (?P<zones>[^{\n]*)\{\s*$", re.MULTILINE)
_CACHE = re.compile(r"^(?P<indent>\s*)cache (?P<args>[^{\n]*)\{\s*$", re.MULTILINE)


def supported(release: str | None) -> bool:
    """Whether a CoreDNS release ('1.14.6', 'v1.12.1') has the kubernetes plugin's multicluster option."""
    found = re.match(r"v?(\d+)\.(\d+)\.(\d+)", release or "")
    return found is not None and tuple(int(p) for p in found.groups()) >= FIRST_RELEASE


def with_multicluster(corefile: str) -> str:
    """The Corefile with `clusterset.local` among the kubernetes plugin's zones, served from
    ServiceImports (`multicluster`), and kept out of the cache as the cluster zone is (where the
    cache already leaves that out): unchanged where it already says so."""
    if f"multicluster {ZONE}" in corefile:
        return corefile
    found = _KUBERNETES.search(corefile)
    if found is None:
        raise ValueError("the Corefile has no `kubernetes ZONES {` block to serve clusterset.local from")
    zones = found.group("zones").split()
    indent = found.group("indent")
    line = f"{indent}kubernetes {' '.join([zones[0], ZONE, *zones[1:]])} {{\n{indent}   multicluster {ZONE}"
    changed = corefile[:found.start()] + line + corefile[found.end():]
    cache = _CACHE.search(changed)
    if cache is not None and f"disable success {zones[0]}" in changed:
        inner = cache.group("indent") + "   "
        changed = (changed[:cache.end()] + f"\n{inner}disable success {ZONE}\n{inner}disable denial {ZONE}"
                   + changed[cache.end():])
    return changed


def enable(kube: Kube, crds: Path, timeout: float, say: Say) -> None:
    """The CRDs, CoreDNS's right to read ServiceImports, and the Corefile; CoreDNS restarted and Ready."""
    say(f"serving {ZONE}: the mcs-api CRDs from {crds}, and CoreDNS's multicluster option")
    docs = [d for path in sorted(crds.glob("*.yaml")) for d in yaml.safe_load_all(path.read_text()) if d]
    with tempfile.TemporaryDirectory(prefix="headless-conformance-") as tmp:
        dynamic = DynamicClient(kube.api, cache_file=str(Path(tmp) / "discovery.json"))
        apply(dynamic, docs)
        definitions = dynamic.resources.get(api_version="apiextensions.k8s.io/v1", kind="CustomResourceDefinition")
        wait_for(lambda: _established(definitions.get(name=CRD).to_dict()), bool,
                 expected=f"CRD {CRD} Established", timeout=timeout, interval=0.5,
                 describe=lambda s: "not yet", retry_on=(ApiException,))
        roles = dynamic.resources.get(api_version="rbac.authorization.k8s.io/v1", kind="ClusterRole")
        if RULE not in (roles.get(name="system:coredns").to_dict().get("rules") or []):
            roles.patch(name="system:coredns", body=[{"op": "add", "path": "/rules/-", "value": RULE}],
                        content_type="application/json-patch+json")
    config = kube.core.read_namespaced_config_map("coredns", "kube-system")
    corefile = config.data.get("Corefile", "")
    changed = with_multicluster(corefile)
    if changed != corefile:
        kube.core.patch_namespaced_config_map("coredns", "kube-system", {"data": {"Corefile": changed}})
        dns_server.restart(kube, timeout)


def _established(crd: dict[str, Any]) -> bool:
    return any(c.get("type") == "Established" and c.get("status") == "True"
               for c in (crd.get("status") or {}).get("conditions") or [])


def served(corefile: str) -> bool:
    """Whether a Corefile tells the kubernetes plugin to serve clusterset.local from ServiceImports."""
    return re.search(rf"^\s*multicluster\b[^\n]*\b{re.escape(ZONE)}\b", corefile, re.MULTILINE) is not None
