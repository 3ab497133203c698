"""`python -m faults NAME apply|restore --kind-cluster NAME`: make a cluster misbehave, then undo it.

Each fault is the misbehaviour one group of checks guards against; run the suite (with a short
--dns-timeout / --ready-timeout) while it is applied and watch those checks fail, then restore.
Faults change only a kind cluster made for this (its DNS config, a node's iptables, the
local-path provisioner's replicas, or stray objects in the suite's own namespaces). They talk to
the cluster with the suite's own client; `--kubeconfig`/`--context` name a cluster another way.
`--all-namespaces` widens the faults aimed at the suite's Services (wrong-records,
stray-endpointslice, sticky-endpoints) to the Services of every namespace but the cluster's own
(kube-*, default, local-path-storage), so that another suite on the same cluster meets them too.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from kubernetes import watch
from kubernetes.client import ApiException, V1Service

from common import builds
from common.signals import interrupt_on_termination
from common.wait import WaitTimeout, wait_for
from headless_conformance.kind import KindCluster, KindError, find_kind
from headless_conformance.kube import ClusterUnusable, Kube, connect, is_transient
from headless_conformance.workloads import Workloads

# the names of every Service the checks make, in the suite's namespaces (hc-...), and their SRV names
SUITE_NAMES = r"^([a-z0-9-]+\\.)?(my-headless-service|my-dual-stack-service|no-ports|sub|nosuch|ordinals|handmade|" \
              r"large|crowd|sliced)\\.hc-"
SUITE_SRV = r"^_[a-z0-9-]+\\._(tcp|udp)\\.[a-z0-9-]+\\.hc-"
# with --all-namespaces: every name under some namespace's `svc` (the Service, or one endpoint of it)
EVERY_SERVICE = r"^([a-z0-9-]+\\.)?[a-z0-9-]+\\.[a-z0-9-]+\\.svc\\."
EVERY_SRV = r"^_[a-z0-9-]+\\._(tcp|udp)\\.[a-z0-9-]+\\.[a-z0-9-]+\\.svc\\."
# the cluster's own namespaces, which no fault touches even with --all-namespaces
SYSTEM_NAMESPACES = ("default", "local-path-storage")
WRONG_RECORDS = '''    template IN A {domain} {{
       match "NAMES"
       answer "{{{{ .Name }}}} 99 IN A 10.244.99.99"
       fallthrough
    }}
    template IN AAAA {domain} {{
       match "NAMES"
       answer "{{{{ .Name }}}} 99 IN AAAA fd00:10:244:99::99"
       fallthrough
    }}
    template IN PTR in-addr.arpa ip6.arpa {{
       answer "{{{{ .Name }}}} 99 IN PTR stray.my-headless-service.invalid."
       fallthrough
    }}
    template IN TXT {domain} {{
       match "^dns-version\\\\."
       answer "{{{{ .Name }}}} 99 IN TXT \\"not-a-version\\""
       fallthrough
    }}
    template IN SRV {domain} {{
       match "SRV_NAMES"
       answer "{{{{ .Name }}}} 99 IN SRV 10 10 8080 stray.my-headless-service.invalid."
       fallthrough
    }}
'''
STRAY_ADDRESS = {"IPv4": "10.244.99.98", "IPv6": "fd00:10:244:99::98"}
# the Corefile as it was before the first fault: a ConfigMap of its own, because other tests rewrite
# the `coredns` one whole (upstream's DNS configMap specs put back its data, not its annotations)
SAVED = "coredns-before-faults"
RUN_DIR: list[Path] = []  # this invocation's temporary directory (kubeconfig, API discovery cache)


class FaultError(RuntimeError):
    pass


# -- CoreDNS's configuration ------------------------------------------------------------------
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


def set_corefile(kube: Kube, text: str, original: str | None) -> None:
    """Write the Corefile (keeping the original aside while faulted), restart CoreDNS and wait until
    every replica runs with it."""
    if original is not None:
        body = {"metadata": {"name": SAVED, "namespace": "kube-system"}, "data": {"Corefile": original}}
        try:
            kube.core.create_namespaced_config_map("kube-system", body)
        except ApiException as err:
            if err.status != 409:
                raise
    kube.core.patch_namespaced_config_map("coredns", "kube-system", {"data": {"Corefile": text}})
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    kube.apps.patch_namespaced_deployment("coredns", "kube-system", {"spec": {"template": {"metadata": {
        "annotations": {"kubectl.kubernetes.io/restartedAt": stamp}}}}})
    await_coredns(kube)


def await_coredns(kube: Kube) -> None:
    """Until every CoreDNS replica runs the Deployment's current template."""

    def state():  # noqa: ANN202 - V1Deployment
        return kube.apps.read_namespaced_deployment("coredns", "kube-system")

    def rolled_out(d) -> bool:  # noqa: ANN001
        s = d.status
        return ((s.observed_generation or 0) >= d.metadata.generation and s.updated_replicas == d.spec.replicas
                and s.ready_replicas == d.spec.replicas and (s.replicas or 0) == d.spec.replicas)

    wait_for(state, rolled_out, expected="CoreDNS restarted with the new Corefile", timeout=180,
             describe=lambda d: f"updated {d.status.updated_replicas}, ready {d.status.ready_replicas} "
                                f"of {d.spec.replicas}", retry_on=is_transient)


def patch_corefile(kube: Kube, change: Callable[[str], str]) -> None:
    current, saved = corefile(kube)
    original = saved or current
    set_corefile(kube, change(original), original)


def restore_corefile(kube: Kube) -> None:
    _, saved = corefile(kube)
    if saved is not None:
        set_corefile(kube, saved, None)
        kube.core.delete_namespaced_config_map(SAVED, "kube-system")


def wrong_records(original: str, everywhere: bool = False) -> str:
    match = re.search(r"^\s*kubernetes\s+(\S+)", original, re.MULTILINE)
    if match is None:
        raise FaultError("the Corefile has no kubernetes plugin")
    names, srv = (EVERY_SERVICE, EVERY_SRV) if everywhere else (SUITE_NAMES, SUITE_SRV)
    templates = WRONG_RECORDS.format(domain=match.group(1)).replace("SRV_NAMES", srv).replace("NAMES", names)
    return re.sub(r"^(\s*kubernetes\s)", templates + r"\1", original, count=1, flags=re.MULTILINE)


def pod_named_endpoints(original: str) -> str:
    """CoreDNS's `endpoint_pod_names`: endpoints without a hostname are named after their pod. Not a
    misbehaviour by the specification (it leaves that identifier to the server): spec checks must
    still pass while the checks of CoreDNS's default dashed names fail."""
    return re.sub(r"(^\s*kubernetes\s[^{\n]*\{)", r"\1\n       endpoint_pod_names", original, count=1,
                  flags=re.MULTILINE)


def no_pod_records(original: str) -> str:
    """`pods disabled`: CoreDNS stops answering `a-b-c-d.<ns>.pod.<zone>`, which the specification
    (2.6) still requires although it calls it deprecated."""
    return re.sub(r"(\n\s*pods\s+)\w+", r"\g<1>disabled", original, count=1)


def stale_cache(original: str) -> str:
    text = re.sub(r"(\n\s*ttl\s+)\d+", r"\g<1>3600", original)
    return re.sub(r"\n\s*cache\s+\d+\s*(\{[^}]*\})?", "\n    cache 3600", text, count=1)


HIDDEN = "coredns-hidden-cache"


def cached_cluster_zone(original: str) -> str:
    """The Corefile with the cache plugin no longer exempting any zone (the cluster zone included)."""
    return re.sub(r"\n\s*disable\s+(success|denial)\b[^\n]*", "", original)


def hidden_cache(kube: Kube, apply: bool) -> None:
    """CoreDNS runs a Corefile that caches the cluster zone for 30 s, from a ConfigMap of its own,
    while the `coredns` ConfigMap the suite reads still says it is not cached: a server that lags
    behind the EndpointSlices longer than the cluster's visible DNS config allows (as a node-local
    cache in front of it would)."""
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


# -- nodes, storage, stray objects ----------------------------------------------------------------
def node_by_role(kube: Kube, role: str) -> tuple[str, str]:
    """(name, pod CIDR) of the first control-plane or worker node."""
    label = "node-role.kubernetes.io/control-plane"
    for node in sorted(kube.core.list_node().items, key=lambda n: n.metadata.name):
        if (label in (node.metadata.labels or {})) == (role == "control-plane"):
            return node.metadata.name, node.spec.pod_cidr
    raise FaultError(f"the cluster has no {role} node")


def cross_node_drop(kube: Kube, apply: bool) -> None:
    """Drop pod traffic from the worker's pod CIDR to the control plane's, on the control plane."""
    (control, control_cidr), (_, worker_cidr) = node_by_role(kube, "control-plane"), node_by_role(kube, "worker")
    rule = ["FORWARD", "-s", worker_cidr, "-d", control_cidr, "-j", "DROP"]
    exists = subprocess.run(["docker", "exec", control, "iptables", "-C", *rule], capture_output=True).returncode == 0
    if apply != exists:
        subprocess.run(["docker", "exec", control, "iptables", "-I" if apply else "-D", *rule], check=True)


def no_storage(kube: Kube, apply: bool) -> None:
    kube.apps.patch_namespaced_deployment_scale("local-path-provisioner", "local-path-storage",
                                                {"spec": {"replicas": 0 if apply else 1}})


def in_scope(namespace: str, everywhere: bool) -> bool:
    """The suite's namespaces, or with --all-namespaces every namespace but the cluster's own."""
    if everywhere:
        return not namespace.startswith("kube-") and namespace not in SYSTEM_NAMESPACES
    return namespace.startswith("hc-")


def stray_slice(service: V1Service, family: str) -> dict[str, object]:
    """An EndpointSlice of the Service, not the controller's, whose one ready address no pod has."""
    ports = [{"name": p.name or "", "port": p.target_port if isinstance(p.target_port, int) else p.port,
              "protocol": p.protocol or "TCP"} for p in service.spec.ports or []]
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": f"stray-{family.lower()}-{service.metadata.name}"[:63], "labels": {
                "kubernetes.io/service-name": service.metadata.name,
                "endpointslice.kubernetes.io/managed-by": "faults"}},
            "addressType": family, "ports": ports,
            "endpoints": [{"addresses": [STRAY_ADDRESS[family]], "conditions": {"ready": True}}]}


def stray_endpointslice(kube: Kube, apply: bool, everywhere: bool) -> None:
    """Until interrupted, add a slice with a stray ready address to each Service in scope as it appears
    (the suite's `my-headless-service`, or with --all-namespaces every Service with a selector): the
    EndpointSlice controller leaves slices it does not manage alone, so once per Service is enough."""
    if not apply:
        return
    print(f"faults: adding stray EndpointSlices to {'every namespace' if everywhere else 'the suite'}'s "
          "Services until Ctrl-C", file=sys.stderr)
    done: set[tuple[str, str]] = set()
    try:
        while True:
            w = watch.Watch()
            for event in w.stream(kube.core.list_service_for_all_namespaces, timeout_seconds=30,
                                  _request_timeout=(10, 40)):
                service = event["object"]
                key = (service.metadata.namespace, service.metadata.name)
                wanted = service.spec.selector and (everywhere or key[1] == "my-headless-service")
                if event["type"] != "ADDED" or key in done or not wanted or not in_scope(key[0], everywhere):
                    continue
                done.add(key)
                for family in service.spec.ip_families or ["IPv4"]:
                    try:
                        kube.discovery.create_namespaced_endpoint_slice(key[0], stray_slice(service, family))
                    except ApiException as err:
                        if err.status not in (403, 404, 409):  # namespace already going away, or done
                            raise
    except KeyboardInterrupt:
        pass


def sticky_endpoints(kube: Kube, apply: bool, everywhere: bool) -> None:
    """Until interrupted, publish every address a Service in scope ever had as ready, in an extra
    EndpointSlice: DNS then keeps unready and terminating pods, as CoreDNS 1.8.1–1.8.3 did (the
    EndpointSlice controller leaves slices it does not manage alone)."""
    if not apply:
        return
    print(f"faults: keeping every address {'every namespace' if everywhere else 'the suite'}'s Services ever "
          "had, as ready, until Ctrl-C", file=sys.stderr)
    seen: dict[tuple[str, str], dict[str, object]] = {}
    writers: dict[str, Workloads] = {}
    managed = "endpointslice.kubernetes.io/managed-by=endpointslice-controller.k8s.io"
    try:
        while True:
            w = watch.Watch()
            for event in w.stream(kube.discovery.list_endpoint_slice_for_all_namespaces, label_selector=managed,
                                  timeout_seconds=30, _request_timeout=(10, 40)):
                piece = event["object"]
                namespace, service = piece.metadata.namespace, (piece.metadata.labels or {}).get(
                    "kubernetes.io/service-name", "")
                if not in_scope(namespace, everywhere) or not service or event["type"] == "DELETED":
                    continue
                key = (namespace, f"{service}/{piece.address_type}")
                record = seen.setdefault(key, {"addresses": set(), "ports": []})
                record["addresses"] |= {a for e in piece.endpoints or [] for a in e.addresses}  # type: ignore[operator]
                record["ports"] = [{"name": p.name, "port": p.port, "protocol": p.protocol} for p in piece.ports or []]
                body = {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                        "metadata": {"name": f"sticky-{piece.address_type.lower()}-{service}"[:63], "labels": {
                            "kubernetes.io/service-name": service,
                            "endpointslice.kubernetes.io/managed-by": "faults"}},
                        "addressType": piece.address_type, "ports": record["ports"],
                        "endpoints": [{"addresses": [a], "conditions": {"ready": True}}
                                      for a in sorted(record["addresses"])]}  # type: ignore[arg-type]
                if namespace not in writers:
                    writers[namespace] = Workloads(kube, namespace, {}, timeout=30,
                                                   discovery_cache=RUN_DIR[0] / "discovery.json")
                try:
                    writers[namespace].apply([body])
                except ApiException as err:
                    if err.status not in (403, 404, 409):  # namespace going away, or a race with ourselves
                        raise
    except KeyboardInterrupt:
        pass


def corefile_fault(change: Callable[[str], str]) -> Callable[[Kube, bool, bool], None]:
    return lambda kube, on, _: patch_corefile(kube, change) if on else restore_corefile(kube)


def ignoring_scope(fault: Callable[[Kube, bool], None]) -> Callable[[Kube, bool, bool], None]:
    """A fault on the cluster itself (CoreDNS, nodes, storage): the same with or without --all-namespaces."""
    return lambda kube, on, _: fault(kube, on)


# name: (what it does, fault(kube, apply, every namespace))
FAULTS: dict[str, tuple[str, Callable[[Kube, bool, bool], None]]] = {
    "wrong-records": ("CoreDNS answers the scenario's names with records that match no pod",
                      lambda kube, on, everywhere: patch_corefile(kube, lambda text: wrong_records(text, everywhere))
                      if on else restore_corefile(kube)),
    "stale-cache": ("CoreDNS caches answers for an hour, so DNS stops following pods", corefile_fault(stale_cache)),
    "pod-named-endpoints": ("CoreDNS names endpoints after their pods (allowed by the specification)",
                            corefile_fault(pod_named_endpoints)),
    "no-pod-records": ("CoreDNS stops answering the deprecated a-b-c-d.<ns>.pod records",
                       corefile_fault(no_pod_records)),
    "hidden-cache": ("CoreDNS caches the cluster zone for 30 s, which the Corefile the cluster shows does not say",
                     ignoring_scope(hidden_cache)),
    "cross-node-drop": ("pod traffic from the worker to the control plane is dropped", ignoring_scope(cross_node_drop)),
    "no-storage": ("the volume provisioner is scaled to zero, so claims never bind", ignoring_scope(no_storage)),
    "stray-endpointslice": ("an extra EndpointSlice advertises an address no pod has", stray_endpointslice),
    "sticky-endpoints": ("every address a Service ever had stays published as ready", sticky_endpoints),
}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m faults", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(f"  {k}: {v[0]}" for k, v in FAULTS.items()))
    parser.add_argument("fault", choices=sorted(FAULTS))
    parser.add_argument("action", choices=("apply", "restore"))
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--kind-cluster", help="name of a kind cluster made for this")
    target.add_argument("--kubeconfig", help="kubeconfig of the cluster (with --context)")
    parser.add_argument("--context", default=None)
    parser.add_argument("--all-namespaces", action="store_true",
                        help="wrong-records, stray-endpointslice, sticky-endpoints: every namespace's Services")
    args = parser.parse_args()
    interrupt_on_termination()  # the faults that run until stopped end on SIGTERM as on Ctrl-C, and clean up
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started with SIGINT ignored
    tmp = Path(tempfile.mkdtemp(prefix="headless-conformance-faults-"))
    RUN_DIR[:] = [tmp]
    try:
        if args.kind_cluster:
            kubeconfig = tmp / "kubeconfig"
            built = builds.any_build()
            kind = find_kind(None, built.kind if built else None)
            kubeconfig.write_text(KindCluster(args.kind_cluster, kind, kubeconfig).kubeconfig())
        else:
            kubeconfig = Path(args.kubeconfig).expanduser()
        FAULTS[args.fault][1](connect(kubeconfig, args.context), args.action == "apply", args.all_namespaces)
    except (FaultError, KindError, ClusterUnusable, WaitTimeout, ApiException, subprocess.CalledProcessError) as err:
        print(f"faults: error: {str(err).strip().splitlines()[0]}", file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"faults: {args.fault} {'applied' if args.action == 'apply' else 'restored'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
