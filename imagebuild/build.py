"""Everything for one Kubernetes version, in dependency order; each step reuses what is current."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from common import builds, releases
from common.cache import cache_root
from common.images import coredns_release_image
from imagebuild import components, docker, engine, images, node, rootfs, versions
from imagebuild.gobuild import build as go_build
from imagebuild.progress import say, step
from imagebuild.shell import BuildError, run


def served_kubernetes_versions() -> list[str]:
    return run(["go", "list", "-m", "-versions", "k8s.io/kubernetes"]).split()[1:]


def check_tools() -> None:
    if shutil.which("go") is None:
        raise BuildError("the offline build needs Go >= 1.21 on PATH (it fetches newer toolchains itself)")


def build_kind() -> Path:
    """The pinned kind CLI, also used with published images online."""
    check_tools()
    return go_build(components.kind()) / "kind"


def build_all(requested: str) -> builds.BuildRecord:
    check_tools()
    kube = releases.resolve_kubernetes(requested, served_kubernetes_versions())
    say(f"Kubernetes {kube.tag}, kind {releases.KIND_VERSION}; cache {cache_root()}")
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
    record = builds.BuildRecord(kubernetes=kube.tag, node_image=node_image, dig_image=image_set.dig,
                                busybox_image=image_set.busybox, kind=str(kind), mcs_crds=str(mcs_crds()))
    builds.save(record, kube.minor)
    return record


def mcs_crds() -> Path:
    """The multi-cluster Services API's CRDs, from its Go module (config/crd), copied into the cache."""
    info = json.loads(run(["go", "mod", "download", "-json", f"sigs.k8s.io/mcs-api@{versions.MCS_API_VERSION}"]))
    target = cache_root() / f"mcs-api-{versions.MCS_API_VERSION}"
    target.mkdir(parents=True, exist_ok=True)
    for crd in sorted((Path(info["Dir"]) / "config" / "crd").glob("*.yaml")):
        shutil.copyfile(crd, target / crd.name)
    return target


def build_coredns(version: str) -> str:
    """A CoreDNS release as an image, for a cluster's DNS server; returns the image's name."""
    check_tools()
    coredns_release_image(version)  # a malformed version fails before anything is fetched
    engine.ensure_engine()
    return images.build_coredns_image(version, cache_root() / "logs" / f"coredns-{version}.log")
