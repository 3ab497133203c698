"""Upstream's own e2e tests for one Kubernetes release, built without a registry: `e2e.test` (the
compiled k8s.io/kubernetes/test/e2e suite), the ginkgo CLI that runs it in parallel, and the test
images its DNS and StatefulSet specs use. Those are stand-ins built here (agnhost from the same
module's source, Debian's dig, the node build's busybox and pause), tagged with exactly the names
`e2e.test --list-images` prints, so that the specs run unchanged and nothing is pulled."""

from __future__ import annotations

import json
import re
from pathlib import Path

from common import builds, releases
from common.cache import cache_root
from imagebuild import build, components, docker, images, versions
from imagebuild.gobuild import GoBuild
from imagebuild.gobuild import build as go_build
from imagebuild.progress import say, step
from imagebuild.shell import BuildError, run

DNSUTILS_NAMES = ("glibc-dns-testing", "jessie-dnsutils")  # the name changed across releases
PULL_TESTS = ("k8s-authenticated-test", "invalid.registry")  # registries specs expect pulls from to fail


def kubernetes_module(kube: releases.KubernetesVersion, packages: tuple[str, ...], **kwargs: object) -> GoBuild:
    return GoBuild(module="k8s.io/kubernetes", version=kube.tag, packages=packages,
                   sibling_version=lambda _mod: kube.staging, **kwargs)  # type: ignore[arg-type]


def ginkgo_version(module_dir: Path) -> str:
    found = re.search(r"^\s*github\.com/onsi/ginkgo/v2 (v\S+)", (module_dir / "go.mod").read_text(), re.M)
    if not found:
        raise BuildError("k8s.io/kubernetes does not require github.com/onsi/ginkgo/v2")
    return found.group(1)


def build_upstream(requested: str) -> builds.UpstreamRecord:
    node = build.build_all(requested)  # the release's own build first: kubectl, CoreDNS, busybox, pause
    kube = releases.resolve_kubernetes(node.kubernetes, [node.kubernetes])  # already resolved against the proxy
    log = cache_root() / "logs" / f"upstream-{kube.tag}.log"
    module_dir = Path(json.loads(run(["go", "mod", "download", "-json", f"k8s.io/kubernetes@{kube.tag}"]))["Dir"])
    kube_dir = go_build(components.kubernetes(kube))
    e2e = go_build(kubernetes_module(kube, ("k8s.io/kubernetes/test/e2e",), test_binary=True, output="e2e.test"))
    agnhost = go_build(kubernetes_module(kube, ("k8s.io/kubernetes/test/images/agnhost",)))
    ginkgo = go_build(GoBuild(module="github.com/onsi/ginkgo/v2", version=ginkgo_version(module_dir),
                              packages=("github.com/onsi/ginkgo/v2/ginkgo",)))
    tags = images.kubeadm_images(kube_dir / "kubeadm", kube)
    coredns_version = versions.module_version_of_image_tag(images.image_tag(tags["coredns"]))
    coredns = go_build(components.coredns(coredns_version)) / "coredns"

    porter = module_dir / "test" / "images" / "agnhost" / "porter"
    agnhost_image = f"{images.PREFIX}/upstream-agnhost:{kube.tag}"
    docker.build(agnhost_image, images.from_debian(images.IMAGES / "upstream-agnhost.Dockerfile"),
                 {"bin/agnhost": agnhost / "agnhost", "bin/coredns": coredns,
                  "bin/localhost.crt": porter / "localhost.crt", "bin/localhost.key": porter / "localhost.key"}, log)
    dnsutils_image = f"{images.PREFIX}/upstream-dnsutils:{kube.tag}"
    docker.build(dnsutils_image, images.from_debian(images.IMAGES / "upstream-dnsutils.Dockerfile"),
                 {"bin/coredns": coredns}, log)

    stand_ins = {"agnhost": agnhost_image, "busybox": node.busybox_image, "pause": tags["pause"],
                 **{name: dnsutils_image for name in DNSUTILS_NAMES}}
    listed = run([str(e2e / "e2e.test"), "--list-images"]).split()
    tagged = []
    with step("tagging the stand-ins under the names e2e.test uses"):
        for image in listed:
            source = stand_ins.get(images.short_name(image))
            if source is not None and not any(r in image for r in PULL_TESTS):
                run(["docker", "tag", source, image])
                tagged.append(image)
    if not any(images.short_name(i) == "agnhost" for i in tagged):
        raise BuildError(f"e2e.test --list-images names no agnhost image: {' '.join(listed)[:300]}")
    say(f"upstream images: {' '.join(tagged)}")
    record = builds.UpstreamRecord(kubernetes=kube.tag, e2e_test=str(e2e / "e2e.test"),
                                   ginkgo=str(ginkgo / "ginkgo"), kubectl=str(kube_dir / "kubectl"),
                                   images=tuple(tagged))
    builds.save_upstream(record, kube.minor)
    return record

