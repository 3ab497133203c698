"""Image references as container runtimes spell them."""

from __future__ import annotations


def qualified(image: str) -> str:
    """containerd's (and the kubelet's) name for a Docker reference: 'busybox:1' ->
    'docker.io/library/busybox:1', 'headless-conformance/dig:x' -> 'docker.io/headless-conformance/dig:x'."""
    first = image.split("/", 1)[0]
    if "/" not in image:
        return f"docker.io/library/{image}"
    if "." in first or ":" in first or first == "localhost":
        return image
    return f"docker.io/{image}"
