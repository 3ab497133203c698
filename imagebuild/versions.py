"""Pinned versions of everything the builder fetches, and Kubernetes version resolution."""

from __future__ import annotations

import re
from dataclasses import dataclass

KIND_VERSION = "v0.33.0"
# kind's published node image for KIND_VERSION (its default), used where a registry is reachable
KIND_PUBLISHED_IMAGE = (
    "kindest/node:v1.37.0@sha256:a1ed56cfb0e7b93589bdf97c8cd566405a265939e3620fc4f5de89adff580ae5")

DEFAULT_KUBERNETES = "1.37"
SUPPORTED_MINORS = (34, 35, 36, 37)

CONTAINERD_VERSION = "v2.2.9"  # the 2.2 branch keeps cgroup v1 support
RUNC_VERSION = "v1.3.6"
CRI_TOOLS_VERSION = "v1.37.0"
CNI_PLUGINS_VERSION = "v1.10.0"
FLANNEL_VERSION = "v0.28.10"
LOCAL_PATH_PROVISIONER_VERSION = "v0.0.30"
DEBIAN_SUITE = "bookworm"

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


def release_key(requested: str) -> str:
    """'1.37' / 'v1.37' -> 'v1.37'; 'v1.37.2' -> 'v1.37.2': how build results are filed."""
    match = KUBERNETES_SEMVER.match(requested.strip())
    if not match:
        raise UnknownVersion(f"'{requested}' is not a Kubernetes version (expected e.g. 1.37 or v1.37.2)")
    return f"v1.{match.group(2)}" + (f".{match.group(3)}" if match.group(3) else "")


def check_supported(requested: str) -> int:
    """The minor version of '1.NN' / 'v1.NN.P', or UnknownVersion with the supported list."""
    match = KUBERNETES_SEMVER.match(requested.strip())
    if not match:
        raise UnknownVersion(f"'{requested}' is not a Kubernetes version (expected e.g. 1.37 or v1.37.2)")
    minor = int(match.group(2))
    if minor not in SUPPORTED_MINORS:
        raise UnknownVersion(f"Kubernetes 1.{minor} is not supported (supported: "
                             + ", ".join(f"1.{m}" for m in SUPPORTED_MINORS) + ")")
    return minor


def resolve_kubernetes(requested: str, served: list[str]) -> KubernetesVersion:
    """Turn '1.37', 'v1.37' or 'v1.37.2' into a served release (newest patch for a minor)."""
    minor = check_supported(requested)
    match = KUBERNETES_SEMVER.match(requested.strip())
    assert match is not None
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


def module_version_of_image_tag(tag: str) -> str:
    """'3.7.0-0' (etcd's image tag) -> 'v3.7.0'; 'v1.14.6' -> 'v1.14.6'."""
    core = tag.split("-", 1)[0]
    return core if core.startswith("v") else f"v{core}"
