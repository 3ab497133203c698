"""Pinned versions of the components the builder fetches besides Kubernetes itself."""

from __future__ import annotations

CONTAINERD_VERSION = "v2.2.9"  # the 2.2 branch keeps cgroup v1 support
RUNC_VERSION = "v1.3.6"
CRI_TOOLS_VERSION = "v1.37.0"
CNI_PLUGINS_VERSION = "v1.10.0"
FLANNEL_VERSION = "v0.28.10"
LOCAL_PATH_PROVISIONER_VERSION = "v0.0.30"
DEBIAN_SUITE = "bookworm"
MCS_API_VERSION = "v0.5.2"  # the multi-cluster Services API: its CRDs, for clusterset.local


def module_version_of_image_tag(tag: str) -> str:
    """'3.7.0-0' (etcd's image tag) -> 'v3.7.0'; 'v1.14.6' -> 'v1.14.6'."""
    core = tag.split("-", 1)[0]
    return core if core.startswith("v") else f"v{core}"
