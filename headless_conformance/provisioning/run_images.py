"""Which images a run uses: the local build (made here with the offline builder) or the published
ones, for the nodes and the probes, and whether the kubelet may pull them."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from common import builds, releases
from common.images import coredns_release_image, qualified
from common.signals import run_to_completion
from headless_conformance.checking.kube import Kube
from headless_conformance.provisioning.request import ProviderError, Request, Say

# Pinned by digest, so that a retagged image cannot change a night's run: jessie-dnsutils as
# registry.k8s.io's promoter manifest (kubernetes/k8s.io) maps 1.7, busybox as Docker Hub's index.
PUBLISHED_DIG = ("registry.k8s.io/e2e-test-images/jessie-dnsutils:1.7"
                 "@sha256:24aaf2626d6b27864c29de2097e8bbb840b3a414271bf7c8995e431e47d8408e")
PUBLISHED_BUSYBOX = "busybox:1.36.1@sha256:73aaf090f3d85aa34ee199857f03fa3a95c8ede2ffd4cc2cdb5b94e566b11662"
ROOT = Path(__file__).resolve().parents[2]


def run_builder(args: list[str], what: str, say: Say) -> None:
    """`headless-conformance image ARGS` (building or confirming current `what`), its progress on
    stderr; ProviderError when it fails."""
    say(f"building (or checking) {what}: headless-conformance image {' '.join(args)}")
    status = run_to_completion([sys.executable, "-m", "imagebuild", *args], cwd=ROOT, stdout=sys.stderr,
                               stderr=sys.stderr)
    if status != 0:
        raise ProviderError(f"the build of {what} failed (exit {status}); see above")


def ensure_build(version: str, say: Say) -> builds.BuildRecord:
    """Build (or confirm current) the local images for `version` with the offline builder."""
    run_builder(["build", "--kubernetes-version", version], f"local images for Kubernetes {version}", say)
    record = builds.load(version)
    if record is None:
        raise ProviderError(f"the local image build for Kubernetes {version} left no build record")
    return record


def ensure_coredns(version: str, say: Say) -> str:
    """Build (or confirm current) the image of CoreDNS `version` (vX.Y.Z); returns its name."""
    run_builder(["coredns", "--version", version], f"CoreDNS {version}", say)
    return coredns_release_image(version)


def local_build(request: Request, say: Say) -> builds.BuildRecord | None:
    """The local build the run should use, building it where that is what was asked for."""
    if request.image_source == "published":
        return None
    builds_here = request.provider == "kind" and shutil.which("go") is not None
    if request.image_source == "local" or builds_here:
        if builds_here:
            return ensure_build(request.kubernetes_version, say)
        record = builds.load(request.kubernetes_version)
        if record is None:
            raise ProviderError(f"no local images for Kubernetes {request.kubernetes_version}: run `headless-"
                                f"conformance image build --kubernetes-version {request.kubernetes_version}` first")
        return record
    return builds.load(request.kubernetes_version) or builds.any_build()


def node_image(request: Request, built: builds.BuildRecord | None) -> str:
    if request.node_image:
        return request.node_image
    if built is not None:
        return built.node_image
    try:
        return releases.published_node_image(request.kubernetes_version)
    except releases.UnknownVersion as err:
        raise ProviderError(str(err)) from None


def node_images(kube: Kube) -> list[set[str]]:
    """The images each node holds, as the kubelet names them."""
    return [{name for image in node.status.images or [] for name in image.names or []}
            for node in kube.core.list_node().items]


def probe_images(request: Request, built: builds.BuildRecord | None, on_nodes: list[set[str]],
                 can_load: bool) -> tuple[str, str, str]:
    """(dig image, busybox image, why these): explicit ones first; the local build's where every node
    already has them (or they can be loaded, on kind); else the published ones."""
    if built is not None and request.image_source != "published":
        local = (built.dig_image, built.busybox_image)
        everywhere = bool(on_nodes) and all(qualified(i) in names for i in local for names in on_nodes)
        if everywhere or can_load:
            dig, busybox, why = *local, "built here" + ("" if everywhere else ", loaded into the nodes")
        elif request.image_source == "local":
            raise ProviderError(f"the cluster's nodes do not have the local probe images {', '.join(local)}: "
                                "load them into every node, or pass --dig-image/--busybox-image")
        else:
            dig, busybox, why = PUBLISHED_DIG, PUBLISHED_BUSYBOX, "published (the nodes lack the local ones)"
    else:
        dig, busybox, why = PUBLISHED_DIG, PUBLISHED_BUSYBOX, "published"
    if request.dig_image or request.busybox_image:
        why = "given on the command line" if request.dig_image and request.busybox_image else why + ", partly given"
    return request.dig_image or dig, request.busybox_image or busybox, why


def pull_policy(built: builds.BuildRecord | None, dig: str, busybox: str) -> str:
    """'Never' for images built here: the nodes hold them, and a missing one must fail, not be pulled."""
    local = built is not None and (dig, busybox) == (built.dig_image, built.busybox_image)
    return "Never" if local else "IfNotPresent"
