"""Benchmark: warm image build, and a 2-node kind cluster from the built image until usable.

Run with `.venv/bin/tox -e bench` (after `python3 -m imagebuild build`). Prints min / median / max
of several runs; figures vary with the machine, so compare medians measured in one run.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fixtures.kube import connect  # noqa: E402

from fixtures import kind as kindcli  # noqa: E402
from fixtures.cluster import wait_usable  # noqa: E402
from imagebuild import build  # noqa: E402


def timed(fn) -> float:  # noqa: ANN001
    started = time.monotonic()
    fn()
    return time.monotonic() - started


def row(name: str, values: list[float]) -> str:
    return (f"{name:38s} min {min(values):7.1f}s  median {statistics.median(values):7.1f}s  "
            f"max {max(values):7.1f}s  (n={len(values)})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--kubernetes-version", default="v1.37")
    args = parser.parse_args()
    result = build.load_result(args.kubernetes_version)
    if result is None:
        print(f"bench: no build for {args.kubernetes_version}: run `python3 -m imagebuild build` first")
        return 2
    warm, create, delete = [], [], []
    for i in range(args.runs):
        warm.append(timed(lambda: subprocess.run([sys.executable, "-m", "imagebuild", "build", "--kubernetes-version",
                                                  args.kubernetes_version], check=True, capture_output=True)))
        with tempfile.TemporaryDirectory() as tmp:
            kubeconfig = Path(tmp) / "kubeconfig"
            cluster = kindcli.KindCluster(f"bench-{i}", result.kind, kubeconfig)
            config = kindcli.cluster_config(cluster.name, 1, kindcli.docker_cgroup_version() == "1")

            def up(cluster: kindcli.KindCluster = cluster, config: str = config,
                   kubeconfig: Path = kubeconfig) -> None:
                cluster.create(result.node_image, config)
                kubeconfig.write_text(cluster.kubeconfig())
                wait_usable(connect(kubeconfig), 300)

            try:
                create.append(timed(up))
            finally:
                delete.append(timed(cluster.delete))
    print(row("warm image build (nothing changed)", warm))
    print(row("2-node cluster until nodes+CoreDNS Ready", create))
    print(row("cluster deletion", delete))
    return 0


if __name__ == "__main__":
    sys.exit(main())
