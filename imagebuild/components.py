"""What gets built for one Kubernetes version: Go programs, the pause binary, their pins."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from common import releases
from common.cache import cache_root
from imagebuild import versions
from imagebuild.gobuild import GoBuild, build
from imagebuild.progress import step
from imagebuild.shell import run

KUBE_COMMANDS = ("kubeadm", "kubelet", "kubectl", "kube-apiserver", "kube-controller-manager",
                 "kube-scheduler", "kube-proxy")
CNI_PLUGINS = ("main/bridge", "main/loopback", "main/ptp", "ipam/host-local", "meta/portmap")


def kubernetes_ldflags(version: releases.KubernetesVersion) -> str:
    """Stamp the version kubeadm and kubelet report (plain `go build` leaves v0.0.0-master)."""
    flags = ["-s", "-w"]
    for pkg in ("k8s.io/component-base/version", "k8s.io/client-go/pkg/version"):
        flags += [f"-X {pkg}.{k}={v}" for k, v in (
            ("gitVersion", version.tag), ("gitMajor", str(version.major)), ("gitMinor", str(version.minor)),
            ("gitTreeState", "clean"), ("buildDate", "1970-01-01T00:00:00Z"))]
    return " ".join(flags)


def kubernetes(version: releases.KubernetesVersion) -> GoBuild:
    return GoBuild(
        module="k8s.io/kubernetes", version=version.tag,
        packages=tuple(f"k8s.io/kubernetes/cmd/{c}" for c in KUBE_COMMANDS),
        ldflags=kubernetes_ldflags(version), sibling_version=lambda _mod: version.staging)


def etcd(version: str) -> GoBuild:
    return GoBuild(module="go.etcd.io/etcd/server/v3", version=version,
                   packages=("go.etcd.io/etcd/server/v3",), sibling_version=lambda _mod: version)


def coredns(version: str) -> GoBuild:
    return GoBuild(module="github.com/coredns/coredns", version=version,
                   packages=("github.com/coredns/coredns",))


def containerd() -> GoBuild:
    base = "github.com/containerd/containerd/v2/cmd/"
    return GoBuild(module="github.com/containerd/containerd/v2", version=versions.CONTAINERD_VERSION,
                   packages=(base + "containerd", base + "containerd-shim-runc-v2", base + "ctr"),
                   tags=("no_btrfs", "no_devmapper", "no_zfs"))


def runc() -> GoBuild:
    # static, with seccomp, as runc's own release binaries are
    return GoBuild(module="github.com/opencontainers/runc", version=versions.RUNC_VERSION,
                   packages=("github.com/opencontainers/runc",), cgo=True,
                   tags=("seccomp", "netgo", "osusergo"), ldflags="-s -w -extldflags -static")


def crictl() -> GoBuild:
    return GoBuild(module="sigs.k8s.io/cri-tools", version=versions.CRI_TOOLS_VERSION,
                   packages=("sigs.k8s.io/cri-tools/cmd/crictl",))


def cni_plugins() -> GoBuild:
    return GoBuild(module="github.com/containernetworking/plugins", version=versions.CNI_PLUGINS_VERSION,
                   packages=tuple(f"github.com/containernetworking/plugins/plugins/{p}" for p in CNI_PLUGINS))


def flannel() -> GoBuild:
    # flannel's main links every backend; the Tencent VPC one needs an SDK module the proxy does not
    # serve, so its import is left out (host-gw is the backend used here)
    return GoBuild(module="github.com/flannel-io/flannel", version=versions.FLANNEL_VERSION,
                   packages=("github.com/flannel-io/flannel",), main_file="main.go", cgo=True,
                   drop_imports=("flannel/pkg/backend/tencentvpc",), output="flanneld",
                   ldflags=f"-s -w -X github.com/flannel-io/flannel/pkg/version.Version={versions.FLANNEL_VERSION}")


def local_path_provisioner() -> GoBuild:
    return GoBuild(module="github.com/rancher/local-path-provisioner",
                   version=versions.LOCAL_PATH_PROVISIONER_VERSION,
                   packages=("github.com/rancher/local-path-provisioner",))


def kind() -> GoBuild:
    return GoBuild(module="sigs.k8s.io/kind", version=releases.KIND_VERSION, packages=("sigs.k8s.io/kind",))


def pause(kube: releases.KubernetesVersion, pause_version: str) -> Path:
    """kubeadm's pause binary, compiled statically from the C source in the Kubernetes module."""
    out = cache_root() / "pause" / pause_version / "pause"
    if out.exists():
        return out
    with step(f"pause {pause_version}: compile"):
        module = json.loads(run(["go", "mod", "download", "-json", f"k8s.io/kubernetes@{kube.tag}"]))
        src = Path(module["Dir"]) / "build" / "pause" / "linux" / "pause.c"
        out.parent.mkdir(parents=True, exist_ok=True)
        cc = shutil.which("cc") or "gcc"
        run([cc, "-Os", "-static", f'-DVERSION="{pause_version}"', "-o", str(out), str(src)])
    return out


@dataclass(frozen=True)
class Binaries:
    """Directories of built binaries, by component."""

    kubernetes: Path
    etcd: Path
    coredns: Path
    containerd: Path
    runc: Path
    crictl: Path
    cni: Path
    flannel: Path
    local_path: Path
    pause: Path


def build_all(kube: releases.KubernetesVersion, image_tags: dict[str, str]) -> Binaries:
    """Build every binary; `image_tags` are kubeadm's expected tags (etcd, coredns, pause)."""
    return Binaries(
        kubernetes=build(kubernetes(kube)),
        etcd=build(etcd(versions.module_version_of_image_tag(image_tags["etcd"]))),
        coredns=build(coredns(versions.module_version_of_image_tag(image_tags["coredns"]))),
        containerd=build(containerd()),
        runc=build(runc()),
        crictl=build(crictl()),
        cni=build(cni_plugins()),
        flannel=build(flannel()),
        local_path=build(local_path_provisioner()),
        pause=pause(kube, image_tags["pause"]),
    )
