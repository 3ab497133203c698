"""The Kubernetes releases this project supports, the kind release it is pinned to, and how a
requested version ('1.37', 'v1.37.2') is read. The one place the default version is written."""

from __future__ import annotations

import re
from dataclasses import dataclass

KIND_VERSION = "v0.33.0"
# kind's published node image for KIND_VERSION (its default), used where a registry is reachable
KIND_PUBLISHED_IMAGE = (
    "kindest/node:v1.37.0@sha256:a1ed56cfb0e7b93589bdf97c8cd566405a265939e3620fc4f5de89adff580ae5")

DEFAULT_KUBERNETES = "1.37"
SUPPORTED_MINORS = (34, 35, 36, 37)  # the minors KIND_VERSION supports

KUBERNETES_SEMVER = re.compile(r"^v?(1)\.(\d+)(?:\.(\d+))?$")


class UnknownVersion(ValueError):
    pass


@dataclass(frozen=True)
class KubernetesVersion:
    major: int
    minor: int
    patch: int

    @property
    def tag(self) -> str:
        return f"v{self.major}.{self.minor}.{self.patch}"

    @property
    def staging(self) -> str:
        """Version of the k8s.io/* staging modules released with this Kubernetes version."""
        return f"v0.{self.minor}.{self.patch}"


def _match(requested: str) -> re.Match[str]:
    match = KUBERNETES_SEMVER.match((requested or "").strip())
    if not match:
        raise UnknownVersion(f"'{requested}' is not a Kubernetes version (expected e.g. 1.37 or v1.37.2)")
    return match


def release_key(requested: str) -> str:
    """'1.37' / 'v1.37' -> 'v1.37'; 'v1.37.2' -> 'v1.37.2': how build results are filed."""
    match = _match(requested)
    return f"v1.{match.group(2)}" + (f".{match.group(3)}" if match.group(3) else "")


def check_supported(requested: str) -> int:
    """The minor version of '1.NN' / 'v1.NN.P', or UnknownVersion with the supported list."""
    minor = int(_match(requested).group(2))
    if minor not in SUPPORTED_MINORS:
        raise UnknownVersion(f"Kubernetes 1.{minor} is not supported (supported: "
                             + ", ".join(f"1.{m}" for m in SUPPORTED_MINORS) + ")")
    return minor


def published_node_image(requested: str) -> str:
    """kind's published node image for a requested version, or UnknownVersion saying what to do."""
    check_supported(requested)
    published_minor = KIND_PUBLISHED_IMAGE.split(":v", 1)[1].rsplit(".", 1)[0]
    if not requested.strip().lstrip("v").startswith(published_minor):
        raise UnknownVersion(
            f"kind {KIND_VERSION} publishes v{published_minor} by default; for Kubernetes {requested} "
            f"pass --node-image, or build one with `python -m imagebuild build --kubernetes-version {requested}`")
    return KIND_PUBLISHED_IMAGE


def resolve_kubernetes(requested: str, served: list[str]) -> KubernetesVersion:
    """Turn '1.37', 'v1.37' or 'v1.37.2' into a served release (newest patch for a minor)."""
    minor = check_supported(requested)
    match = _match(requested)
    releases = []
    for tag in served:
        m = re.fullmatch(r"v1\.(\d+)\.(\d+)", tag)
        if m and int(m.group(1)) == minor:
            releases.append(int(m.group(2)))
    if match.group(3) is not None:
        patch = int(match.group(3))
        if patch not in releases:
            raise UnknownVersion(f"Kubernetes v1.{minor}.{patch} is not served (served: "
                                 + ", ".join(f"v1.{minor}.{p}" for p in sorted(releases)) + ")")
    elif releases:
        patch = max(releases)
    else:
        raise UnknownVersion(f"no Kubernetes 1.{minor} release is served by the Go module proxy")
    return KubernetesVersion(1, minor, patch)
