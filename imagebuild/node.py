"""The kind node image: a systemd base with the runtime and Kubernetes binaries, images preloaded.

kind v0.33.0 reads only /kind/version from the image; the rest is the contract its `create
cluster` relies on: entrypoint + systemd as PID 1 (no CMD), kubelet at /usr/bin/kubelet,
/kind/manifests/default-{cni,storage}.yaml, images in containerd's k8s.io namespace under /var.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import uuid
from pathlib import Path

from common import releases
from common.images import qualified
from common.wait import wait_for
from imagebuild import docker
from imagebuild.components import Binaries
from imagebuild.images import FILES, PREFIX, ImageSet
from imagebuild.progress import say, step
from imagebuild.rootfs import DEBIAN_IMAGE
from imagebuild.shell import BuildError, run, succeeds

NODE = FILES / "node"
ENTRYPOINT = '["/usr/local/bin/entrypoint", "/sbin/init"]'


def node_image_tag(kube: releases.KubernetesVersion) -> str:
    return f"{PREFIX}/node:{kube.tag}"


def render_manifests(images: ImageSet, dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    subst = {"@FLANNEL_IMAGE@": images.flannel, "@LOCAL_PATH_IMAGE@": images.local_path,
             "@HELPER_IMAGE@": images.busybox}
    for name in ("default-cni.yaml", "default-storage.yaml"):
        text = (NODE / "manifests" / name).read_text()
        for placeholder, value in subst.items():
            text = text.replace(placeholder, value)
        (dest / name).write_text(text)


def stage_context(kube: releases.KubernetesVersion, bins: Binaries, images: ImageSet, ctx: Path) -> dict[str, Path]:
    shutil.rmtree(ctx, ignore_errors=True)
    rootfs = ctx / "rootfs"
    shutil.copytree(NODE / "rootfs", rootfs, symlinks=True)
    config = rootfs / "etc/containerd/config.toml"
    config.write_text(config.read_text().replace("@SANDBOX_IMAGE@", images.kubeadm["pause"]))
    (rootfs / "kind").mkdir(exist_ok=True)
    (rootfs / "kind/version").write_text(kube.tag)  # one line, no newline: kind reads it with cat
    render_manifests(images, rootfs / "kind/manifests")
    files: dict[str, Path] = {"rootfs": rootfs}
    for name in ("containerd", "containerd-shim-runc-v2", "ctr"):
        files[f"bin/{name}"] = bins.containerd / name
    files["bin/crictl"] = bins.crictl / "crictl"
    files["sbin/runc.real"] = bins.runc / "runc"
    capfix = ctx / "runc-capfix"
    capfix.write_text((FILES / "runc-capfix").read_text().replace("@REAL_RUNC@", "/usr/local/sbin/runc.real"))
    capfix.chmod(0o755)
    files["sbin/runc"] = capfix
    for name in ("kubeadm", "kubelet", "kubectl"):
        files[f"kube/{name}"] = bins.kubernetes / name
    for plugin in ("bridge", "loopback", "ptp", "host-local", "portmap"):
        files[f"cni/{plugin}"] = bins.cni / plugin
    return files


def image_ids(images: list[str]) -> str:
    return "\n".join(run(["docker", "image", "inspect", "--format", "{{.Id}}", i]).strip() for i in images)


def build_node_image(kube: releases.KubernetesVersion, bins: Binaries, images: ImageSet, log: Path,
                     workdir: Path) -> str:
    base_tag = f"{PREFIX}/node-base:{kube.tag}"
    files = stage_context(kube, bins, images, workdir / "node-context")
    dockerfile = (NODE / "Dockerfile").read_text().replace("@DEBIAN_IMAGE@", DEBIAN_IMAGE)
    docker.build(base_tag, dockerfile, files, log)

    tag = node_image_tag(kube)
    preload = images.preloaded()
    key = hashlib.sha256((image_ids([base_tag]) + image_ids(preload)).encode()).hexdigest()[:20]
    if docker.image_key(tag) == key:
        return tag
    with step(f"node image {tag}: preload {len(preload)} images into containerd"):
        _preload_and_commit(base_tag, tag, preload, key, log)
    return tag


def _preload_and_commit(base: str, tag: str, preload: list[str], key: str, log: Path) -> None:
    name = f"imagebuild-node-{uuid.uuid4().hex[:8]}"
    try:
        run(["docker", "run", "-d", "--name", name, "--privileged", "--entrypoint", "sleep", base, "infinity"])
        run(["docker", "exec", "-d", name, "sh", "-c", "containerd >/var/log/containerd-build.log 2>&1"])
        wait_for(lambda: succeeds(["docker", "exec", name, "ctr", "version"]), bool,
                 expected="containerd answering in the build container", timeout=60, interval=0.3,
                 transcript=lambda: run(["docker", "exec", name, "cat", "/var/log/containerd-build.log"])[-2000:])
        for image in preload:
            say(f"  import {image}")
            save = subprocess.Popen(["docker", "save", image], stdout=subprocess.PIPE)
            run(["docker", "exec", "-i", name, "ctr", "--namespace=k8s.io", "images", "import", "--no-unpack",
                 "--all-platforms", "--digests", "--label=io.cri-containerd.pinned=pinned", "-"],
                stdin=save.stdout, log=log)
            if save.wait() != 0:
                raise BuildError(f"docker save {image} failed")
        listed = run(["docker", "exec", name, "ctr", "--namespace=k8s.io", "images", "list", "-q"])
        missing = [i for i in preload if qualified(i) not in listed.split()]
        if missing:
            raise BuildError(f"images missing from containerd after import: {missing}")
        run(["docker", "exec", name, "pkill", "containerd"])
        wait_for(lambda: succeeds(["docker", "exec", name, "pgrep", "-x", "containerd"]), lambda running: not running,
                 expected="containerd stopped in the build container", timeout=30, interval=0.3)
        run(["docker", "exec", name, "rm", "-f", "/var/log/containerd-build.log"])
        run(["docker", "commit", "--change", f"ENTRYPOINT {ENTRYPOINT}", "--change", 'CMD []',
             "--change", f"LABEL {docker.KEY_LABEL}={key}", name, tag])
    finally:
        docker.remove_container(name)
