"""`headless-conformance fault NAME apply|restore --kind-cluster NAME`: make a cluster misbehave, then undo it.

Each fault is the misbehaviour one group of checks guards against (its module says which checks it
must fail and which levels must stay green); run the suite while it is applied and watch those
checks fail, then restore. Faults that act until stopped run in the foreground until Ctrl-C or
SIGTERM and then undo themselves. They talk to the cluster with the suite's own client;
`--kubeconfig`/`--context` name a cluster another way. `--all-namespaces` widens the faults aimed at
Services to the Services of every namespace but the cluster's own (kube-*, default,
local-path-storage), so that another suite on the same cluster meets them too.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from kubernetes.client import ApiException

from common import builds
from common.signals import interrupt_on_termination
from common.wait import WaitTimeout
from faults import FaultError
from faults.registry import FAULTS
from headless_conformance.checking.kube import ClusterUnusable, connect
from headless_conformance.provisioning.kind import KindCluster, KindError, find_kind


def table() -> str:
    """Every fault as a Markdown row: what it does, which checks it must fail, which levels stay green."""
    lines = ["| fault | what it does | must fail | levels that must stay green |", "| --- | --- | --- | --- |"]
    for fault in FAULTS.values():
        kind = " (conformant variant)" if fault.conformant else ""
        lines.append(f"| `{fault.name}`{kind} | {fault.does} | {fault.fails} | "
                     f"{', '.join(fault.green) or 'none'} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="headless-conformance fault", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(f"  {f.name}: {f.does}" for f in FAULTS.values()))
    if argv[:1] == ["--table"]:
        sys.stdout.write(table())
        return 0
    parser.add_argument("fault", choices=sorted(FAULTS))
    parser.add_argument("action", choices=("apply", "restore"))
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--kind-cluster", help="name of a kind cluster made for this")
    target.add_argument("--kubeconfig", help="kubeconfig of the cluster (with --context)")
    parser.add_argument("--context", default=None)
    parser.add_argument("--all-namespaces", action="store_true",
                        help="the faults aimed at Services: every namespace's Services")
    parser.add_argument("--table", action="store_true", help="print every fault as a Markdown table (alone)")
    args = parser.parse_args(argv)
    interrupt_on_termination()  # the faults that run until stopped end on SIGTERM as on Ctrl-C, and clean up
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started with SIGINT ignored
    tmp = Path(tempfile.mkdtemp(prefix="headless-conformance-faults-"))
    try:
        if args.kind_cluster:
            kubeconfig = tmp / "kubeconfig"
            built = builds.any_build()
            kind = find_kind(None, built.kind if built else None)
            kubeconfig.write_text(KindCluster(args.kind_cluster, kind, kubeconfig).kubeconfig())
        else:
            kubeconfig = Path(args.kubeconfig).expanduser()
        FAULTS[args.fault].act(connect(kubeconfig, args.context), args.action == "apply", args.all_namespaces)
    except KeyboardInterrupt:
        pass
    except (FaultError, KindError, ClusterUnusable, WaitTimeout, ApiException, OSError,
            subprocess.CalledProcessError) as err:
        print(f"faults: error: {str(err).strip().splitlines()[0]}", file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"faults: {args.fault} {'applied' if args.action == 'apply' else 'restored'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
