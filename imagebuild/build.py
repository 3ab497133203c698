"""Everything for one Kubernetes version, in dependency order; each step reuses what is current."""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from imagebuild import components, docker, engine, images, node, rootfs, versions
from imagebuild.cache import cache_root
from imagebuild.gobuild import build as go_build
from imagebuild.progress import say, step
from imagebuild.shell import run


class BuildError(RuntimeError):
    pass


@dataclass(frozen=True)
class BuildResult:
    """What the suite needs from a build: the node image, the probe images, the kind binary."""

    kubernetes: str
    node_image: str
    dig_image: str
    busybox_image: str
    kind: str

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2) + "\n")


def result_path(kubernetes: str) -> Path:
    return cache_root() / f"build-{kubernetes}.json"


def load_result(kubernetes: str) -> BuildResult | None:
    path = result_path(kubernetes)
    return BuildResult(**json.loads(path.read_text())) if path.exists() else None


def served_kubernetes_versions() -> list[str]:
    return run(["go", "list", "-m", "-versions", "k8s.io/kubernetes"]).split()[1:]


def check_tools() -> None:
    if shutil.which("go") is None:
        raise BuildError("the offline build needs Go >= 1.21 on PATH (it fetches newer toolchains itself)")


def build_kind() -> Path:
    """The pinned kind CLI, also used with published images online."""
    check_tools()
    return go_build(components.kind()) / "kind"


def build_all(requested: str) -> BuildResult:
    check_tools()
    kube = versions.resolve_kubernetes(requested, served_kubernetes_versions())
    say(f"Kubernetes {kube.tag}, kind {versions.KIND_VERSION}; cache {cache_root()}")
    engine.ensure_engine()
    log = cache_root() / "logs" / f"build-{kube.tag}.log"
    work = cache_root() / "work" / kube.tag
    work.mkdir(parents=True, exist_ok=True)
    kind = build_kind()
    kube_dir = go_build(components.kubernetes(kube))
    tags = images.kubeadm_images(kube_dir / "kubeadm", kube)
    with step("binaries"):
        bins = components.build_all(kube, {k: images.image_tag(v) for k, v in tags.items()})
    rootfs.ensure_debian_image(log)
    image_set = images.build_images(kube, bins, tags, log, work)
    node_image = node.build_node_image(kube, bins, image_set, log, work)
    # superseded builds of our own images, now untagged
    run(["docker", "image", "prune", "--force", "--filter", f"label={docker.KEY_LABEL}"])
    result = BuildResult(kubernetes=kube.tag, node_image=node_image, dig_image=image_set.dig,
                         busybox_image=image_set.busybox, kind=str(kind))
    result.write(result_path(kube.tag))
    result.write(result_path(f"v1.{kube.minor}"))
    return result
