"""Image references as container runtimes spell them."""

from __future__ import annotations

import re

COREDNS_RELEASE = re.compile(r"^v\d+\.\d+\.\d+$")


def qualified(image: str) -> str:
    """containerd's (and the kubelet's) name for a Docker reference: 'busybox:1' ->
    'docker.io/library/busybox:1', 'headless-conformance/dig:x' -> 'docker.io/headless-conformance/dig:x'."""
    first = image.split("/", 1)[0]
    if "/" not in image:
        return f"docker.io/library/{image}"
    if "." in first or ":" in first or first == "localhost":
        return image
    return f"docker.io/{image}"


def coredns_release(text: str) -> str:
    """A CoreDNS release as this project names it: '1.12.0' or 'v1.12.0' -> 'v1.12.0'; ValueError else."""
    release = text if text.startswith("v") else f"v{text}"
    if not COREDNS_RELEASE.match(release):
        raise ValueError(f"a CoreDNS release is X.Y.Z (e.g. 1.12.0), not {text!r}")
    return release


def coredns_release_image(version: str) -> str:
    """The image of a CoreDNS release built here ('v1.12.0' -> 'headless-conformance/coredns:v1.12.0')."""
    if not COREDNS_RELEASE.match(version):
        raise ValueError(f"a CoreDNS release is vX.Y.Z (e.g. v1.12.0), not {version!r}")
    return f"headless-conformance/coredns:{version}"
