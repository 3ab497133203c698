"""Where a run's cluster comes from and how everything made for it goes away (which images it runs:
`run_images`; what the command line asks: `request`).

Two providers: `kind` creates (or, when asked, reuses) a kind cluster and deletes what it created;
`existing` connects to a kubeconfig and never deletes or changes anything but the namespaces the
suite creates. Everything a run makes on this machine lives in one run directory (the kind
kubeconfig, the API discovery cache), removed at the end; directories of runs that were killed are
removed by the next run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kubernetes.client import ApiException

from common import builds, cache, releases
from common.images import qualified
from common.signals import process_alive
from common.wait import WaitStopped, WaitTimeout, wait_for
from headless_conformance.checking.kube import ClusterUnusable, Kube, connect, is_transient
from headless_conformance.provisioning import access, dns_server, multicluster, node_local
from headless_conformance.provisioning import kind as kindcli
from headless_conformance.provisioning.facts import ClusterFacts, discover
from headless_conformance.provisioning.request import ProviderError, Request, Say
from headless_conformance.provisioning.run_images import (
    ensure_coredns,
    local_build,
    node_image,
    node_images,
    probe_images,
    pull_policy,
)

RUN_DIR_PREFIX = "headless-conformance-run-"

@dataclass
class ClusterSpec:
    """What every process needs to use the cluster (JSON-serialisable, for xdist workers)."""

    provider: str
    name: str
    kubeconfig: str
    context: str | None
    dig_image: str
    busybox_image: str
    node_image: str
    run_dir: str
    pull_policy: str = "IfNotPresent"
    """'Never' for images built here (in the nodes already; a missing one fails at once, never pulled)."""
    dns_swapped: bool = False
    """the run swapped the cluster's DNS server (--coredns-version, --coredns-image)"""
    dns_path: str = ""
    """what pods ask, in words (headless_conformance.provisioning.node_local)"""
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:10])
    """Labels every namespace of this run, so the run can find (and sweep) exactly its own."""
    facts: dict[str, object] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def cluster_facts(self) -> ClusterFacts:
        """The facts as learnt (they cross process boundaries as a dict)."""
        return ClusterFacts(**{**self.facts, "nodes": tuple(self.facts["nodes"]),  # type: ignore[arg-type]
                               "pod_cidrs": tuple(self.facts.get("pod_cidrs", ()))})  # type: ignore[arg-type]


@dataclass
class Cluster:
    spec: ClusterSpec
    kube: Kube
    facts: ClusterFacts

    @property
    def domain(self) -> str:
        return self.facts.dns_domain

    @classmethod
    def attach(cls, spec: ClusterSpec) -> Cluster:
        """Connect to a provisioned cluster (in any process of the run)."""
        kube = connect(Path(spec.kubeconfig), spec.context)
        return cls(spec, kube, spec.cluster_facts())


@dataclass
class Provisioned:
    """What the run made and must remove."""

    spec: ClusterSpec | None = None
    kind: kindcli.KindCluster | None = None
    delete_at_end: bool = False
    run_dir: Path | None = None
    dns_original: tuple[Kube, dns_server.DnsDeployment] | None = None
    """an existing cluster's DNS Deployment as it was before the run swapped it: put back at the end"""


# -- the run directory ------------------------------------------------------------------------
def new_run_dir() -> Path:
    """A private directory for this run's files; those of killed runs (dead PIDs) are removed."""
    tmp = Path(tempfile.gettempdir())
    for old in tmp.glob(f"{RUN_DIR_PREFIX}*"):
        match = re.match(rf"{RUN_DIR_PREFIX}(\d+)-", old.name)
        if match and not process_alive(int(match.group(1))) and old.stat().st_uid == os.getuid():
            shutil.rmtree(old, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{RUN_DIR_PREFIX}{os.getpid()}-"))


# -- readiness --------------------------------------------------------------------------------
def wait_usable(kube: Kube, timeout: float, say: Say) -> None:
    """Nodes Ready, CoreDNS available, the default ServiceAccount present: checks can start."""
    def wait(probe, condition, expected, describe=repr):  # noqa: ANN001, ANN202
        return wait_for(probe, condition, expected=expected, timeout=timeout, interval=1, describe=describe,
                        retry_on=is_transient)

    def node_states() -> dict[str, bool]:
        return {n.metadata.name: any(c.type == "Ready" and c.status == "True" for c in n.status.conditions or [])
                for n in kube.core.list_node().items}

    say("waiting for nodes to be Ready")
    wait(node_states, lambda s: bool(s) and all(s.values()), "every node Ready")

    def coredns() -> tuple[int, int]:
        items = kube.apps.list_namespaced_deployment("kube-system", label_selector="k8s-app=kube-dns").items
        if not items:
            return (0, -1)
        return (items[0].status.ready_replicas or 0, items[0].spec.replicas)

    say("waiting for the cluster DNS to be Ready")
    wait(coredns, lambda r: r[1] > 0 and r[0] == r[1], "all cluster DNS replicas ready",
         describe=lambda r: f"{r[0]} of {r[1]} ready" if r[1] >= 0 else "no kube-dns Deployment")
    names = {a.metadata.name for a in kube.core.list_namespaced_service_account("default").items}
    if "default" not in names:
        wait(lambda: {a.metadata.name for a in kube.core.list_namespaced_service_account("default").items},
             lambda found: "default" in found, "ServiceAccount default/default")


# -- providers --------------------------------------------------------------------------------
def existing_cluster(request: Request) -> Kube:
    """The existing cluster's API, reached (or ClusterUnusable) before any slow work."""
    if not request.kubeconfig:
        raise ProviderError("--provider existing needs --kubeconfig")
    return connect(Path(request.kubeconfig).expanduser(), request.context)


def check_access(kube: Kube, say: Say) -> None:
    """ProviderError naming every permission the suite needs that these credentials lack."""
    say("checking the credentials' permissions")
    try:
        missing = access.lacking(kube)
    except ApiException as err:
        raise ProviderError(f"could not review the credentials' permissions: {err.status} {err.reason}") from None
    if missing:
        raise ProviderError(f"the credentials lack {len(missing)} permission{'s' * (len(missing) > 1)} the suite "
                            f"needs ({access.RBAC_MANIFEST.relative_to(access.RBAC_MANIFEST.parents[2])} "
                            f"grants them all): {', '.join(map(str, missing))}")


# -- the DNS server ---------------------------------------------------------------------------
def _dns_image(request: Request, say: Say) -> str | None:
    """The image to run as the cluster's DNS server, built first for --coredns-version; None: keep it."""
    if request.coredns_version and request.coredns_image:
        raise ProviderError("give --coredns-version or --coredns-image, not both")
    if request.provider == "existing":
        if request.coredns_version:
            raise ProviderError("--coredns-version builds its image on this machine, which an existing cluster cannot "
                                "pull: push it to a registry the cluster pulls from and pass --coredns-image")
        if request.coredns_image and not request.allow_dns_swap:
            raise ProviderError("--coredns-image changes the DNS server of everything on this existing cluster: pass "
                                "--allow-dns-swap to allow it (the original Deployment is restored at the end)")
        return request.coredns_image
    if request.coredns_image:
        if subprocess.run(["docker", "image", "inspect", request.coredns_image], capture_output=True).returncode:
            raise ProviderError(f"--coredns-image {request.coredns_image} is not in this machine's Docker, from which "
                                f"kind loads it into the nodes: build or pull it first")
        return request.coredns_image
    return ensure_coredns(request.coredns_version, say) if request.coredns_version else None


def _swap_dns(kube: Kube, image: str, request: Request, state: Provisioned, say: Say) -> None:
    """Run `image` as the DNS server before the first check; an existing cluster's is put back at the end."""
    try:  # no wait for the old server first: a reused cluster's may be the broken one being replaced
        original = dns_server.find(kube)
        if request.provider == "existing":
            state.dns_original = (kube, original)  # recorded first: a run stopped mid-swap restores it too
        dns_server.swap(kube, original, image, "IfNotPresent" if request.provider == "kind" else None,
                        request.ready_timeout, say)
    except dns_server.SwapFailed as err:
        raise ProviderError(str(err)) from None
    except ApiException as err:
        raise ProviderError(f"could not swap the cluster's DNS server: {err.status} {err.reason}") from None


def _existing(request: Request, state: Provisioned, say: Say) -> tuple[ClusterSpec, Kube]:
    if request.dns_path != "cluster-dns":
        raise ProviderError("--dns-path sets up a kind cluster's DNS path; an existing cluster's is found, not set")
    kube = existing_cluster(request)
    dns_image = _dns_image(request, say)
    check_access(kube, say)
    kubeconfig = kube.kubeconfig
    built = local_build(request, say)
    dig, busybox, why = probe_images(request, built, node_images(kube), can_load=False)
    say(f"probe images ({why}): {dig}, {busybox}; override with --dig-image/--busybox-image")
    assert state.run_dir is not None
    if dns_image:
        _swap_dns(kube, dns_image, request, state, say)
    spec = ClusterSpec("existing", request.context or "current-context", str(kubeconfig), request.context,
                       dig, busybox, "n/a (existing cluster)", str(state.run_dir), pull_policy(built, dig, busybox),
                       dns_swapped=bool(dns_image), dns_path=node_local.found(kube))
    return spec, kube


def _kind(request: Request, state: Provisioned, say: Say) -> tuple[ClusterSpec, Kube]:
    if shutil.which("docker") is None:
        raise ProviderError("docker not found: the kind provider needs Docker (or use --provider existing)")
    node_local.refuse_unsupported(request.dns_path, request.ip_family)
    try:
        cgroup_v1 = kindcli.docker_cgroup_version() == "1"
    except kindcli.KindError as err:
        raise ProviderError(str(err)) from None
    built = local_build(request, say)
    image = node_image(request, built)
    dns_image = _dns_image(request, say)
    assert state.run_dir is not None
    kubeconfig = state.run_dir / "kubeconfig"
    cluster = kindcli.KindCluster(request.cluster_name, kindcli.find_kind(request.kind_binary,
                                                                         built.kind if built else None), kubeconfig)
    if cluster.exists():
        if request.reuse_cluster:
            say(f"reusing kind cluster {cluster.name}")
        elif cluster.leftover_of_a_killed_run():
            say(f"kind cluster {cluster.name} was left by a run of this suite that was killed: deleting it")
            cluster.delete()
        else:
            raise ProviderError(f"kind cluster '{cluster.name}' already exists: pass --reuse-cluster to use it, "
                                f"--cluster-name for another, or remove it with `{cluster.kind} delete cluster "
                                f"--name {cluster.name}`")
    if not cluster.exists():
        say(f"creating kind cluster {cluster.name} from {image}")
        state.kind, state.delete_at_end = cluster, not request.keep_cluster
        cluster.create(image, kindcli.cluster_config(cluster.name, request.workers, cgroup_v1, request.ip_family,
                                                     request.max_endpoints_per_slice, request.cluster_domain,
                                                     _admission_file(request.pod_security_default),
                                                     node_local.LOCAL_IP if request.dns_path == "node-local" else None))
        cluster.record_nodes()
    else:
        state.kind = cluster
    kubeconfig.write_text(cluster.kubeconfig())
    kube = connect(kubeconfig)
    on_nodes = node_images(kube)
    dig, busybox, why = probe_images(request, built, on_nodes, can_load=True)
    for missing in [i for i in (dig, busybox, dns_image) if i and any(qualified(i) not in names for names in on_nodes)]:
        if subprocess.run(["docker", "image", "inspect", missing], capture_output=True).returncode == 0:
            say(f"loading {missing} into the cluster's nodes")
            cluster.load_image(missing)
    say(f"probe images ({why}): {dig}, {busybox}")
    if dns_image:
        _swap_dns(kube, dns_image, request, state, say)
    path = "cluster-dns: pods ask the kube-dns Service"
    if request.dns_path == "node-local":
        path = node_local.deploy(kube, request.cluster_domain or "cluster.local", busybox, request.ready_timeout, say)
    if request.multicluster:
        _serve_clusterset(kube, built, request, say)
    if request.least_privilege:
        say(f"setting up the least-privilege ServiceAccount ({access.RBAC_MANIFEST.name}); the checks run as it")
        access.set_up_account(kube)
        kubeconfig = state.run_dir / "kubeconfig-least-privilege"
        kubeconfig.write_text(access.kubeconfig_for(kube))
        kube = connect(kubeconfig)
        check_access(kube, say)
    spec = ClusterSpec("kind", cluster.name, str(kubeconfig), None, dig, busybox, image, str(state.run_dir),
                       pull_policy(built, dig, busybox), dns_swapped=bool(dns_image), dns_path=path)
    return spec, kube


def _serve_clusterset(kube: Kube, built: builds.BuildRecord | None, request: Request, say: Say) -> None:
    """clusterset.local on a kind cluster the suite made, where its CoreDNS can serve it and the build
    fetched the mcs-api CRDs; the multi-cluster checks say why they skip otherwise."""
    # a cluster just made: its DNS pods may not have logged their release yet, their image's tag names it
    release = dns_server.running_release(kube) or dns_server.find(kube).image.rsplit(":", 1)[-1]
    if built is None or not built.mcs_crds:
        say(f"not serving {multicluster.ZONE}: no local build with the mcs-api CRDs")
        return
    if not multicluster.supported(release):
        say(f"not serving {multicluster.ZONE}: CoreDNS {release} has no multicluster option (from v1.12.2)")
        return
    multicluster.enable(kube, Path(built.mcs_crds), request.ready_timeout, say)


def _admission_file(level: str | None) -> str | None:
    """Where the API server's AdmissionConfiguration for `level` lives on this machine: in the cache,
    not the run's directory, so that a kept cluster's API server can still read it when it restarts."""
    if level is None:
        return None
    path = cache.cache_root() / "admission" / f"pod-security-{level}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(kindcli.pod_security_admission(level))
    return str(path)


def provision(request: Request, state: Provisioned, say: Say) -> ClusterSpec:
    """Make (or find) the cluster, wait until checks can run, and learn its facts."""
    state.run_dir = new_run_dir()
    try:
        releases.release_key(request.kubernetes_version)
        if request.provider == "kind" and not request.node_image:
            releases.check_supported(request.kubernetes_version)
    except releases.UnknownVersion as err:
        raise ProviderError(str(err)) from None
    if request.workers < 0:
        raise ProviderError(f"--workers must be 0 or more, not {request.workers}")
    spec, kube = (_existing if request.provider == "existing" else _kind)(request, state, say)
    try:
        wait_usable(kube, request.ready_timeout, say)
    except (WaitTimeout, WaitStopped) as err:
        raise ProviderError(f"the cluster did not become usable: {err}") from None
    facts = discover(kube)
    if request.provider == "kind" and facts.ip_family != request.ip_family:
        raise ProviderError(f"kind cluster {spec.name} is {facts.ip_family}, not {request.ip_family} as "
                            f"--ip-family asks (nodes' pod CIDRs: {', '.join(facts.pod_cidrs) or 'none'})")
    spec.facts = facts.as_dict()
    state.spec = spec
    return spec


def clean_up(state: Provisioned, failed: bool, logs_dir: Path, say: Say) -> list[str]:
    """Remove what the run made (export kind logs first when it failed); returns what could not be done."""
    problems = []
    if state.dns_original is not None:
        kube, original = state.dns_original
        try:
            dns_server.restore(kube, original, 180.0, say)
            state.dns_original = None
        except (dns_server.SwapFailed, ApiException, OSError) as err:
            problems.append(f"could not restore the cluster's DNS server {original.image}: {err}")
    if state.kind is not None and failed and state.spec is not None:
        dest = logs_dir / f"kind-logs-{state.kind.name}"
        say(f"exporting kind logs to {dest}")
        try:
            state.kind.export_logs(dest)
        except kindcli.KindError as err:
            problems.append(str(err))
    if state.kind is not None and state.delete_at_end:
        say(f"deleting kind cluster {state.kind.name}")
        try:
            state.kind.delete()
            state.delete_at_end = False
        except kindcli.KindError as err:
            problems.append(str(err))
    elif state.kind is not None and state.spec is not None:
        say(f"kept kind cluster {state.kind.name} (remove it with `kind delete cluster --name {state.kind.name}`)")
    if state.run_dir is not None:
        shutil.rmtree(state.run_dir, ignore_errors=True)
        state.run_dir = None
    return problems


ERRORS = (ProviderError, ClusterUnusable, kindcli.KindError)
