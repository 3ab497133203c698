"""The Kubernetes releases this project supports, the kind release it is pinned to, the IP families
a cluster may have, and how a requested version ('1.37', 'v1.37.2') is read. The one place the
default version and the families are written."""

from __future__ import annotations

import re
from dataclasses import dataclass

KIND_VERSION = "v0.33.0"
# kind's published node image for each supported minor (KIND_VERSION's release notes), pinned by
# digest; used where a registry is reachable
PUBLISHED_NODE_IMAGES = {
    34: "kindest/node:v1.34.11@sha256:44e222ee2132dab25ff87301682f89eb82c7880ea3a1bf543bfe9708fd08d67d",
    35: "kindest/node:v1.35.8@sha256:07b2536e30b803ed61d1677a79df6115f798ce64c80f9e22f6ed45afd09323c0",
    36: "kindest/node:v1.36.4@sha256:099e049362a1526b2db71494e1947aae99bd16290d7c895f2b7ea312e3cbfaed",
    37: "kindest/node:v1.37.0@sha256:a1ed56cfb0e7b93589bdf97c8cd566405a265939e3620fc4f5de89adff580ae5",
}

DEFAULT_KUBERNETES = "1.37"
SUPPORTED_MINORS = (34, 35, 36, 37)  # the minors KIND_VERSION supports
IP_FAMILIES = ("ipv4", "ipv6", "dual")  # a cluster's families, as kind's networking.ipFamily names them
FAMILY_NAMES = {"ipv4": "IPv4", "ipv6": "IPv6", "dual": "dual stack"}  # as tables print them

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
    """kind's published node image for a requested version ('1.NN', or exactly the patch kind
    publishes), or UnknownVersion saying what to do."""
    minor = check_supported(requested)
    image = PUBLISHED_NODE_IMAGES[minor]
    published = image.split(":", 1)[1].split("@", 1)[0]
    patch = _match(requested).group(3)
    if patch is not None and f"v1.{minor}.{patch}" != published:
        raise UnknownVersion(
            f"kind {KIND_VERSION} publishes {published} for 1.{minor}, not v1.{minor}.{patch}; pass --node-image, "
            f"or build one with `headless-conformance image build --kubernetes-version v1.{minor}.{patch}`")
    return image


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
