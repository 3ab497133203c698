"""`python -m faults NAME apply|restore --context CTX`: make a cluster misbehave, then undo it.

Each fault is the misbehaviour one group of checks guards against; run the suite (with a short
--dns-timeout / --ready-timeout) while it is applied and watch those checks fail, then restore.
Faults change only a kind cluster made for this (CoreDNS config, a node's iptables, the
local-path provisioner's replicas, or stray objects in the suite's own namespaces).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys

WRONG_RECORDS = '''    template IN A {domain} {{
       match "^my-headless-service\\\\.hc-[^.]+\\\\.svc\\\\."
       match "^[0-9]+-[0-9]+-[0-9]+-[0-9]+\\\\.my-headless-service\\\\."
       match "^my-app-statefulset-[0-9]+\\\\.my-headless-service\\\\."
       answer "{{{{ .Name }}}} 99 IN A 10.244.99.99"
       fallthrough
    }}
    template IN SRV {domain} {{
       match "^_http\\\\._tcp\\\\.my-headless-service\\\\."
       answer "{{{{ .Name }}}} 99 IN SRV 10 10 8080 stray.my-headless-service.invalid."
       fallthrough
    }}
'''
STRAY_SLICE = """apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: stray
  labels: {kubernetes.io/service-name: my-headless-service, endpointslice.kubernetes.io/managed-by: faults}
addressType: IPv4
ports: [{name: http, port: 80, protocol: TCP}]
endpoints: [{addresses: ["10.244.99.98"], conditions: {ready: true}}]
"""
SAVED = "faults.headless-conformance/original-corefile"


def kubectl(ctx: str, *args: str, stdin: str | None = None) -> str:
    proc = subprocess.run(["kubectl", "--context", ctx, *args], input=stdin, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"faults: kubectl {' '.join(args[:3])} failed: {proc.stderr.strip()}")
    return proc.stdout


def corefile(ctx: str) -> str:
    return kubectl(ctx, "-n", "kube-system", "get", "configmap", "coredns", "-o", "jsonpath={.data.Corefile}")


def set_corefile(ctx: str, text: str, original: str | None) -> None:
    import json

    patch = {"data": {"Corefile": text}, "metadata": {"annotations": {SAVED: original}}}
    kubectl(ctx, "-n", "kube-system", "patch", "configmap", "coredns", "--type", "merge", "-p", json.dumps(patch))
    kubectl(ctx, "-n", "kube-system", "rollout", "restart", "deployment", "coredns")
    kubectl(ctx, "-n", "kube-system", "rollout", "status", "deployment", "coredns", "--timeout=180s")


def patch_corefile(ctx: str, change) -> None:  # noqa: ANN001
    current = corefile(ctx)
    saved = kubectl(ctx, "-n", "kube-system", "get", "configmap", "coredns", "-o",
                    "jsonpath={.metadata.annotations.faults\\.headless-conformance/original-corefile}")
    original = saved or current
    set_corefile(ctx, change(original), original)


def restore_corefile(ctx: str) -> None:
    saved = kubectl(ctx, "-n", "kube-system", "get", "configmap", "coredns", "-o",
                    "jsonpath={.metadata.annotations.faults\\.headless-conformance/original-corefile}")
    if saved:
        set_corefile(ctx, saved, None)


def wrong_records(original: str) -> str:
    domain = re.search(r"^\s*kubernetes\s+(\S+)", original, re.MULTILINE).group(1)
    return re.sub(r"^(\s*kubernetes\s)", WRONG_RECORDS.format(domain=domain) + r"\1", original, count=1,
                  flags=re.MULTILINE)


def stale_cache(original: str) -> str:
    text = re.sub(r"(\n\s*ttl\s+)\d+", r"\g<1>3600", original)
    return re.sub(r"\n\s*cache\s+\d+\s*(\{[^}]*\})?", "\n    cache 3600", text, count=1)


def node(ctx: str, role: str) -> str:
    cluster = ctx.removeprefix("kind-")
    return f"{cluster}-control-plane" if role == "control-plane" else f"{cluster}-worker"


def cross_node_drop(ctx: str, apply: bool) -> None:
    """Drop pod traffic from the worker's pod CIDR to the control plane's, on the control plane."""
    cidrs = dict(line.split() for line in kubectl(
        ctx, "get", "nodes", "-o", "jsonpath={range .items[*]}{.metadata.name} {.spec.podCIDR}{\"\\n\"}{end}"
    ).splitlines() if line.strip())
    rule = ["FORWARD", "-s", cidrs[node(ctx, "worker")], "-d", cidrs[node(ctx, "control-plane")], "-j", "DROP"]
    exists = subprocess.run(["docker", "exec", node(ctx, "control-plane"), "iptables", "-C", *rule],
                            capture_output=True).returncode == 0
    if apply and not exists:
        subprocess.run(["docker", "exec", node(ctx, "control-plane"), "iptables", "-I", *rule], check=True)
    if not apply and exists:
        subprocess.run(["docker", "exec", node(ctx, "control-plane"), "iptables", "-D", *rule], check=True)


def no_storage(ctx: str, apply: bool) -> None:
    kubectl(ctx, "-n", "local-path-storage", "scale", "deployment", "local-path-provisioner",
            f"--replicas={0 if apply else 1}")


def stray_endpointslice(ctx: str, apply: bool) -> None:
    """Until interrupted, add a slice with a stray ready address to every suite namespace as it appears
    (the EndpointSlice controller leaves slices it does not manage alone, so once per namespace is enough)."""
    if not apply:
        return
    print("faults: adding stray EndpointSlices to hc-* namespaces until Ctrl-C", file=sys.stderr)
    watch = subprocess.Popen(["kubectl", "--context", ctx, "get", "namespaces", "--watch", "-o", "name"],
                             stdout=subprocess.PIPE, text=True)
    done: set[str] = set()
    try:
        assert watch.stdout is not None
        for line in watch.stdout:
            name = line.strip().removeprefix("namespace/")
            if name.startswith("hc-") and name not in done:
                done.add(name)
                subprocess.run(["kubectl", "--context", ctx, "-n", name, "apply", "-f", "-"], input=STRAY_SLICE,
                               text=True, capture_output=True)
    except KeyboardInterrupt:
        pass
    finally:
        watch.terminate()


FAULTS = {
    "wrong-records": ("CoreDNS answers the scenario's names with records that match no pod",
                      lambda ctx, on: patch_corefile(ctx, wrong_records) if on else restore_corefile(ctx)),
    "stale-cache": ("CoreDNS caches answers for an hour, so DNS stops following pods",
                    lambda ctx, on: patch_corefile(ctx, stale_cache) if on else restore_corefile(ctx)),
    "cross-node-drop": ("pod traffic from the worker to the control plane is dropped", cross_node_drop),
    "no-storage": ("the volume provisioner is scaled to zero, so claims never bind", no_storage),
    "stray-endpointslice": ("an extra EndpointSlice advertises an address no pod has", stray_endpointslice),
}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m faults", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(f"  {k}: {v[0]}" for k, v in FAULTS.items()))
    parser.add_argument("fault", choices=sorted(FAULTS))
    parser.add_argument("action", choices=("apply", "restore"))
    parser.add_argument("--context", required=True, help="kubeconfig context of a kind cluster made for this")
    args = parser.parse_args()
    FAULTS[args.fault][1](args.context, args.action == "apply")
    print(f"faults: {args.fault} {args.action}d on {args.context}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
