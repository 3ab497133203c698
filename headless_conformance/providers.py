"""Where a run's cluster comes from, which images it runs, and how everything made for it goes away.

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
import sys
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kubernetes.client import ApiException

from common import builds, cache, releases
from common.images import qualified
from common.signals import process_alive, run_to_completion
from common.wait import WaitStopped, WaitTimeout, wait_for
from headless_conformance import access
from headless_conformance import kind as kindcli
from headless_conformance.facts import ClusterFacts, discover
from headless_conformance.kube import ClusterUnusable, Kube, connect, is_transient

# Pinned by digest, so that a retagged image cannot change a night's run: jessie-dnsutils as
# registry.k8s.io's promoter manifest (kubernetes/k8s.io) maps 1.7, busybox as Docker Hub's index.
PUBLISHED_DIG = ("registry.k8s.io/e2e-test-images/jessie-dnsutils:1.7"
                 "@sha256:24aaf2626d6b27864c29de2097e8bbb840b3a414271bf7c8995e431e47d8408e")
PUBLISHED_BUSYBOX = "busybox:1.36.1@sha256:73aaf090f3d85aa34ee199857f03fa3a95c8ede2ffd4cc2cdb5b94e566b11662"
RUN_DIR_PREFIX = "headless-conformance-run-"
ROOT = Path(__file__).resolve().parent.parent

Say = Callable[[str], None]


class ProviderError(RuntimeError):
    """The run cannot get a cluster: one line saying why and what to do."""


@dataclass(frozen=True)
class Request:
    """What the command line asks of the provider."""

    provider: str = "kind"
    kubernetes_version: str = releases.DEFAULT_KUBERNETES
    image_source: str = "auto"
    node_image: str | None = None
    dig_image: str | None = None
    busybox_image: str | None = None
    kind_binary: str | None = None
    cluster_name: str = "headless-conformance"
    workers: int = 1
    ip_family: str = "ipv4"
    max_endpoints_per_slice: int = 2
    cluster_domain: str | None = None
    pod_security_default: str | None = None
    least_privilege: bool = False
    reuse_cluster: bool = False
    keep_cluster: bool = False
    kubeconfig: str | None = None
    context: str | None = None
    ready_timeout: float = 180.0


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


# -- the run directory ------------------------------------------------------------------------
def new_run_dir() -> Path:
    """A private directory for this run's files; those of killed runs (dead PIDs) are removed."""
    tmp = Path(tempfile.gettempdir())
    for old in tmp.glob(f"{RUN_DIR_PREFIX}*"):
        match = re.match(rf"{RUN_DIR_PREFIX}(\d+)-", old.name)
        if match and not process_alive(int(match.group(1))) and old.stat().st_uid == os.getuid():
            shutil.rmtree(old, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{RUN_DIR_PREFIX}{os.getpid()}-"))


# -- images -----------------------------------------------------------------------------------
def ensure_build(version: str, say: Say) -> builds.BuildRecord:
    """Build (or confirm current) the local images for `version` with the offline builder."""
    say(f"building (or checking) local images for Kubernetes {version}: headless-conformance image build")
    status = run_to_completion([sys.executable, "-m", "imagebuild", "build", "--kubernetes-version", version],
                               cwd=ROOT, stdout=sys.stderr, stderr=sys.stderr)
    record = builds.load(version)
    if status != 0 or record is None:
        raise ProviderError(f"the local image build for Kubernetes {version} failed (exit {status}); see above")
    return record


def local_build(request: Request, say: Say) -> builds.BuildRecord | None:
    """The local build the run should use, building it where that is what was asked for."""
    if request.image_source == "published":
        return None
    builds_here = request.provider == "kind" and shutil.which("go") is not None
    if request.image_source == "local" or builds_here:
        if builds_here:
            return ensure_build(request.kubernetes_version, say)
        record = builds.load(request.kubernetes_version)
        if record is None:
            raise ProviderError(f"no local images for Kubernetes {request.kubernetes_version}: run `python -m "
                                f"imagebuild build --kubernetes-version {request.kubernetes_version}` first")
        return record
    return builds.load(request.kubernetes_version) or builds.any_build()


def node_image(request: Request, built: builds.BuildRecord | None) -> str:
    if request.node_image:
        return request.node_image
    if built is not None:
        return built.node_image
    try:
        return releases.published_node_image(request.kubernetes_version)
    except releases.UnknownVersion as err:
        raise ProviderError(str(err)) from None


def node_images(kube: Kube) -> list[set[str]]:
    """The images each node holds, as the kubelet names them."""
    return [{name for image in node.status.images or [] for name in image.names or []}
            for node in kube.core.list_node().items]


def probe_images(request: Request, built: builds.BuildRecord | None, on_nodes: list[set[str]],
                 can_load: bool) -> tuple[str, str, str]:
    """(dig image, busybox image, why these): explicit ones first; the local build's where every node
    already has them (or they can be loaded, on kind); else the published ones."""
    if built is not None and request.image_source != "published":
        local = (built.dig_image, built.busybox_image)
        everywhere = bool(on_nodes) and all(qualified(i) in names for i in local for names in on_nodes)
        if everywhere or can_load:
            dig, busybox, why = *local, "built here" + ("" if everywhere else ", loaded into the nodes")
        elif request.image_source == "local":
            raise ProviderError(f"the cluster's nodes do not have the local probe images {', '.join(local)}: "
                                "load them into every node, or pass --dig-image/--busybox-image")
        else:
            dig, busybox, why = PUBLISHED_DIG, PUBLISHED_BUSYBOX, "published (the nodes lack the local ones)"
    else:
        dig, busybox, why = PUBLISHED_DIG, PUBLISHED_BUSYBOX, "published"
    if request.dig_image or request.busybox_image:
        why = "given on the command line" if request.dig_image and request.busybox_image else why + ", partly given"
    return request.dig_image or dig, request.busybox_image or busybox, why


def _pull_policy(built: builds.BuildRecord | None, dig: str, busybox: str) -> str:
    local = built is not None and (dig, busybox) == (built.dig_image, built.busybox_image)
    return "Never" if local else "IfNotPresent"


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


def _existing(request: Request, state: Provisioned, say: Say) -> tuple[ClusterSpec, Kube]:
    kube = existing_cluster(request)
    check_access(kube, say)
    kubeconfig = kube.kubeconfig
    built = local_build(request, say)
    dig, busybox, why = probe_images(request, built, node_images(kube), can_load=False)
    say(f"probe images ({why}): {dig}, {busybox}; override with --dig-image/--busybox-image")
    assert state.run_dir is not None
    spec = ClusterSpec("existing", request.context or "current-context", str(kubeconfig), request.context,
                       dig, busybox, "n/a (existing cluster)", str(state.run_dir), _pull_policy(built, dig, busybox))
    return spec, kube


def _kind(request: Request, state: Provisioned, say: Say) -> tuple[ClusterSpec, Kube]:
    if shutil.which("docker") is None:
        raise ProviderError("docker not found: the kind provider needs Docker (or use --provider existing)")
    try:
        cgroup_v1 = kindcli.docker_cgroup_version() == "1"
    except kindcli.KindError as err:
        raise ProviderError(str(err)) from None
    built = local_build(request, say)
    image = node_image(request, built)
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
                                                     _admission_file(request.pod_security_default)))
        cluster.record_nodes()
    else:
        state.kind = cluster
    kubeconfig.write_text(cluster.kubeconfig())
    kube = connect(kubeconfig)
    on_nodes = node_images(kube)
    dig, busybox, why = probe_images(request, built, on_nodes, can_load=True)
    for missing in [i for i in (dig, busybox) if any(qualified(i) not in names for names in on_nodes)]:
        if subprocess.run(["docker", "image", "inspect", missing], capture_output=True).returncode == 0:
            say(f"loading {missing} into the cluster's nodes")
            cluster.load_image(missing)
    say(f"probe images ({why}): {dig}, {busybox}")
    if request.least_privilege:
        say(f"setting up the least-privilege ServiceAccount ({access.RBAC_MANIFEST.name}); the checks run as it")
        access.set_up_account(kube)
        kubeconfig = state.run_dir / "kubeconfig-least-privilege"
        kubeconfig.write_text(access.kubeconfig_for(kube))
        kube = connect(kubeconfig)
        check_access(kube, say)
    spec = ClusterSpec("kind", cluster.name, str(kubeconfig), None, dig, busybox, image, str(state.run_dir),
                       _pull_policy(built, dig, busybox))
    return spec, kube


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
