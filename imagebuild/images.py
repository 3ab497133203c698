"""Container images for one Kubernetes version, tagged exactly as kubeadm and the manifests expect."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from common import releases
from common.images import coredns_release_image
from imagebuild import components, docker, versions
from imagebuild.components import Binaries
from imagebuild.gobuild import build as go_build
from imagebuild.rootfs import DEBIAN_IMAGE
from imagebuild.shell import run

FILES = Path(__file__).parent / "files"
IMAGES = FILES / "images"
PREFIX = "headless-conformance"


@dataclass(frozen=True)
class ImageSet:
    """Every image a node preloads, plus the suite's probe images."""

    kubeadm: dict[str, str]  # short name (kube-apiserver, etcd, coredns, pause, ...) -> tag
    flannel: str
    local_path: str
    busybox: str
    dig: str

    def preloaded(self) -> list[str]:
        return [*self.kubeadm.values(), self.flannel, self.local_path, self.busybox, self.dig]


def short_name(image: str) -> str:
    """'registry.k8s.io/coredns/coredns:v1.14.6' -> 'coredns'."""
    return image.rsplit("/", 1)[-1].split(":", 1)[0]


def kubeadm_images(kubeadm: Path, kube: releases.KubernetesVersion) -> dict[str, str]:
    listing = run([kubeadm, "config", "images", "list", "--kubernetes-version", kube.tag])
    return {short_name(line): line.strip() for line in listing.splitlines() if line.strip()}


def image_tag(image: str) -> str:
    return image.rsplit(":", 1)[1]


def _static(binary: Path, name: str, *, entrypoint: str, user: str = "0") -> tuple[str, dict[str, Path]]:
    dockerfile = "\n".join([
        "# One static binary and nothing else, as Kubernetes' own images.",
        "FROM scratch",
        f"COPY bin/{name} {entrypoint}",
        "ENV PATH=/usr/local/bin:/usr/bin:/bin",
        f"USER {user}",
        f'ENTRYPOINT ["{entrypoint}"]',
    ])
    return dockerfile, {f"bin/{name}": binary}


def from_debian(template: Path) -> str:
    """A Dockerfile template of files/images/ made to start FROM the Debian base image."""
    return template.read_text().replace("@DEBIAN_IMAGE@", DEBIAN_IMAGE)


def busybox_rootfs(dest: Path) -> None:
    """Debian's static busybox with a link for every applet, and a /tmp as every image has."""
    busybox = Path("/bin/busybox")
    if not busybox.exists():
        run(["apt-get", "install", "-y", "--no-install-recommends", "busybox-static"],
            env={"DEBIAN_FRONTEND": "noninteractive"})
    (dest / "bin").mkdir(parents=True, exist_ok=True)
    shutil.copy2(busybox, dest / "bin" / "busybox")
    for applet in run([str(busybox), "--list-full"]).split():
        link = dest / applet
        if link.exists() or link.is_symlink():
            continue
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to("/bin/busybox")
    (dest / "tmp").mkdir(exist_ok=True)
    (dest / "tmp").chmod(0o1777)


def busybox_version() -> str:
    first = subprocess.run(["/bin/busybox"], capture_output=True, text=True).stdout.split("\n", 1)[0]
    return first.split()[1].lstrip("v") if first.startswith("BusyBox") else "local"


def build_images(kube: releases.KubernetesVersion, bins: Binaries, tags: dict[str, str], log: Path,
                 workdir: Path) -> ImageSet:
    k = bins.kubernetes
    for name in ("kube-apiserver", "kube-controller-manager", "kube-scheduler"):
        dockerfile, files = _static(k / name, name, entrypoint=f"/usr/local/bin/{name}")
        docker.build(tags[name], dockerfile, files, log)
    dockerfile, files = _static(bins.etcd / "server", "etcd", entrypoint="/usr/local/bin/etcd")
    docker.build(tags["etcd"], dockerfile, files, log)
    dockerfile, files = _static(bins.coredns / "coredns", "coredns", entrypoint="/coredns")
    docker.build(tags["coredns"], dockerfile, files, log)
    dockerfile, files = _static(bins.pause, "pause", entrypoint="/pause", user="65535:65535")
    docker.build(tags["pause"], dockerfile, files, log)

    tools = from_debian(IMAGES / "debian-tools.Dockerfile")
    docker.build(tags["kube-proxy"], tools, {"bin/kube-proxy": k / "kube-proxy"}, log)
    flannel = f"{PREFIX}/flannel:{versions.FLANNEL_VERSION}"
    docker.build(flannel, tools, {"bin/flanneld": bins.flannel / "flanneld",
                                  "bin/flannel-node": IMAGES / "flannel" / "flannel-node"}, log)

    local_path = f"{PREFIX}/local-path-provisioner:{versions.LOCAL_PATH_PROVISIONER_VERSION}"
    dockerfile, files = _static(bins.local_path / "local-path-provisioner", "local-path-provisioner",
                                entrypoint="/usr/local/bin/local-path-provisioner")
    docker.build(local_path, dockerfile, files, log)

    rootfs = workdir / "busybox-rootfs"
    shutil.rmtree(rootfs, ignore_errors=True)
    busybox_rootfs(rootfs)
    busybox = f"{PREFIX}/busybox:{busybox_version()}"
    docker.build(busybox, (IMAGES / "busybox.Dockerfile").read_text(), {"rootfs": rootfs}, log)

    dig = f"{PREFIX}/dig:{versions.DEBIAN_SUITE}"
    docker.build(dig, from_debian(IMAGES / "dig.Dockerfile"), {"resolve.c": IMAGES / "resolve.c"}, log)
    return ImageSet(kubeadm=tags, flannel=flannel, local_path=local_path, busybox=busybox, dig=dig)


def build_coredns_image(version: str, log: Path) -> str:
    """Any CoreDNS release from the Go module proxy, as an image like kubeadm's (one static binary)."""
    image = coredns_release_image(version)
    binary = go_build(components.coredns(version)) / "coredns"
    dockerfile, files = _static(binary, "coredns", entrypoint="/coredns")
    docker.build(image, dockerfile, files, log)
    return image
