"""The cluster's DNS server: which CoreDNS answers, and another image swapped in for a run.

A swap changes only the image of the kube-dns Deployment's `coredns` container (the Corefile, the
ConfigMap and everything else stay) and waits until every kube-dns pod runs it and is Ready, old
replicas gone, so that no answer of the run comes from the server it replaced. A release that
cannot serve the cluster (one watching an API the server no longer serves, one that crashes) ends
the wait at once with its own log line. On a cluster that is not the suite's, `restore` puts the
Deployment's original image and pull policy back.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from kubernetes.client import ApiException

from common.wait import StopWaiting, WaitStopped, WaitTimeout, wait_for
from headless_conformance.checking.kube import Kube, is_transient
from headless_conformance.provisioning.request import Say

NAMESPACE = "kube-system"
SELECTOR = "k8s-app=kube-dns"
RELEASE_LINE = re.compile(r"^CoreDNS-(\d+\.\d+\.\d+\S*)\s*$", re.MULTILINE)
# what a release says when the API server does not serve what it watches: waiting cannot help
UNSERVED_API = re.compile(r"^.*Failed to (?:list|watch) \S+: the server could not find the requested resource.*$",
                          re.MULTILINE)
STUCK = ("CrashLoopBackOff", "ErrImagePull", "ImagePullBackOff", "ErrImageNeverPull", "InvalidImageName",
         "CreateContainerConfigError", "CreateContainerError")


class SwapFailed(RuntimeError):
    """The requested DNS server could not serve the cluster: one line saying why."""


@dataclass(frozen=True)
class DnsDeployment:
    """The kube-dns Deployment's server container as it was found (what `restore` puts back)."""

    name: str
    container: str
    image: str
    pull_policy: str | None


def find(kube: Kube) -> DnsDeployment:
    items = kube.apps.list_namespaced_deployment(NAMESPACE, label_selector=SELECTOR).items
    if not items:
        raise SwapFailed(f"no Deployment labelled {SELECTOR} in {NAMESPACE}: this cluster's DNS cannot be swapped")
    containers = items[0].spec.template.spec.containers
    server = next((c for c in containers if c.name == "coredns"), containers[0])
    return DnsDeployment(items[0].metadata.name, server.name, server.image, server.image_pull_policy)


def release_in_log(log: str) -> str | None:
    """'v1.12.0' from CoreDNS's start-up banner ('CoreDNS-1.12.0'), None when the log has none."""
    found = RELEASE_LINE.search(log)
    return f"v{found.group(1)}" if found else None


def unserved_api(log: str) -> str | None:
    """The log line saying the server does not serve an API this release watches, if any."""
    found = UNSERVED_API.search(log)
    return found.group(0).strip() if found else None


def last_line(log: str) -> str | None:
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    return lines[-1] if lines else None


def _log(kube: Kube, pod: str, container: str, *, head: bool = False, previous: bool = False) -> str:
    """The log's last 200 lines, or (`head`) its first 64 KiB, where the start-up banner is
    (`previous`: of the run that ended, for a container that crashed)."""
    try:
        return (kube.pod_log(NAMESPACE, pod, container, limit_bytes=65536) if head else
                kube.pod_log(NAMESPACE, pod, container, tail_lines=200, previous=previous))
    except ApiException:
        return ""  # not started yet, or the logs are not ours to read


def running_release(kube: Kube) -> str | None:
    """The release the kube-dns pods announce in their logs (the server that answers); None when
    none can be read."""
    try:
        pods = kube.core.list_namespaced_pod(NAMESPACE, label_selector=SELECTOR).items
    except ApiException:
        return None  # credentials that may not list kube-system's pods: the image's tag names the release
    for pod in pods:
        for container in pod.spec.containers:
            release = release_in_log(_log(kube, pod.metadata.name, container.name, head=True))
            if release:
                return release
    return None


@dataclass(frozen=True)
class Rollout:
    ready: int
    wanted: int
    others: int
    """kube-dns pods that run another image, or are still going away"""

    def done(self) -> bool:
        return self.wanted > 0 and self.ready == self.wanted and self.others == 0

    def __str__(self) -> str:
        return f"{self.ready} of {self.wanted} kube-dns pods Ready on the new image, {self.others} others left"


def _rollout(kube: Kube, deployment: DnsDeployment, image: str) -> Rollout:
    wanted = kube.apps.read_namespaced_deployment(deployment.name, NAMESPACE).spec.replicas or 0
    ready = others = 0
    for pod in kube.core.list_namespaced_pod(NAMESPACE, label_selector=SELECTOR).items:
        server = next((c for c in pod.spec.containers if c.name == deployment.container), None)
        if server is None or server.image != image or pod.metadata.deletion_timestamp is not None:
            others += 1
            continue
        for status in pod.status.container_statuses or []:
            waiting = status.state.waiting if status.state else None
            if status.name == deployment.container and waiting is not None and waiting.reason in STUCK:
                log = _log(kube, pod.metadata.name, deployment.container, previous=status.restart_count > 0)
                line = unserved_api(log) or last_line(log)
                said = f"; its last run's log ends: {line}" if line else (f" ({waiting.message})" if waiting.message
                                                                          else "")
                raise StopWaiting(f"{image} cannot serve this cluster: pod {pod.metadata.name} is {waiting.reason}"
                                  f"{said}")
        if any(c.type == "Ready" and c.status == "True" for c in pod.status.conditions or []):
            ready += 1
        else:
            line = unserved_api(_log(kube, pod.metadata.name, deployment.container))
            if line:
                raise StopWaiting(f"{image} cannot run against this cluster's API: pod {pod.metadata.name} says: "
                                  f"{line}")
    return Rollout(ready, wanted, others)


def _set(kube: Kube, deployment: DnsDeployment, image: str, pull_policy: str | None) -> None:
    container: dict[str, object] = {"name": deployment.container, "image": image}
    if pull_policy:
        container["imagePullPolicy"] = pull_policy
    kube.apps.patch_namespaced_deployment(deployment.name, NAMESPACE,
                                          {"spec": {"template": {"spec": {"containers": [container]}}}})


def _roll(kube: Kube, deployment: DnsDeployment, image: str, timeout: float) -> None:
    try:
        wait_for(lambda: _rollout(kube, deployment, image), Rollout.done,
                 expected=f"every kube-dns pod Ready on {image}, the old ones gone", timeout=timeout, interval=1,
                 describe=str, retry_on=is_transient)
    except (WaitTimeout, WaitStopped) as err:
        raise SwapFailed("; ".join(str(err).splitlines()[:2])) from None


def swap(kube: Kube, original: DnsDeployment, image: str, pull_policy: str | None, timeout: float,
         say: Say) -> None:
    """Run `image` as the cluster's DNS server (`original`: the Deployment as `find` saw it)."""
    if original.image == image:
        say(f"the cluster's DNS already runs {image}")
    else:
        say(f"swapping the cluster's DNS server: {original.image} -> {image} (Corefile unchanged)")
        _set(kube, original, image, pull_policy)
    _roll(kube, original, image, timeout)


def restore(kube: Kube, original: DnsDeployment, timeout: float, say: Say) -> None:
    """Put the original DNS server back (an existing cluster after a run that swapped it)."""
    say(f"restoring the cluster's DNS server {original.image}")
    _set(kube, original, original.image, original.pull_policy)
    _roll(kube, original, original.image, timeout)


def restart(kube: Kube, timeout: float = 180.0) -> None:
    """Restart the cluster's CoreDNS (to read a changed Corefile at once) and wait for it."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    kube.apps.patch_namespaced_deployment("coredns", NAMESPACE, {"spec": {"template": {"metadata": {
        "annotations": {"kubectl.kubernetes.io/restartedAt": stamp}}}}})
    await_rolled_out(kube, timeout)


def await_rolled_out(kube: Kube, timeout: float = 180.0) -> None:
    """Until every CoreDNS replica runs the Deployment's current template."""

    def state():  # noqa: ANN202 - V1Deployment
        return kube.apps.read_namespaced_deployment("coredns", NAMESPACE)

    def rolled_out(d) -> bool:  # noqa: ANN001
        s = d.status
        return ((s.observed_generation or 0) >= d.metadata.generation and s.updated_replicas == d.spec.replicas
                and s.ready_replicas == d.spec.replicas and (s.replicas or 0) == d.spec.replicas)

    wait_for(state, rolled_out, expected="CoreDNS rolled out with its current template and Corefile",
             timeout=timeout, describe=lambda d: f"updated {d.status.updated_replicas}, ready "
                                                 f"{d.status.ready_replicas} of {d.spec.replicas}",
             retry_on=is_transient)
