"""kind as an external binary: cluster config, create, delete, kubeconfig, log export, ownership.

A cluster this project creates is recorded (its node containers and the creating process) under
the cache directory, so that a later run can tell a leftover of a killed run of its own — which
it removes — from a cluster someone else made, which it never touches.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import yaml

from common.cache import cache_root
from common.releases import IP_FAMILIES
from common.signals import process_alive, run_to_completion, shielded
from common.wait import WaitTimeout, wait_for

KIND_API = "kind.x-k8s.io/v1alpha4"
CLUSTER_LABEL = "io.x-k8s.kind.cluster"
CREATE_WINDOW_S = 600  # kind creates every node container within this long of starting
QUIET_POLLS = 3  # after a deletion, this many polls (1 s apart) must find no node container


class KindError(RuntimeError):
    pass


def _detached(argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Run a kind or docker command in a session of its own: a Ctrl-C or SIGTERM sent to the run's
    process group must reach only the run, which then decides what to stop; a deletion it started
    as cleanup is not cut short by the very signal that asked for the cleanup."""
    return subprocess.run(argv, capture_output=True, text=True, start_new_session=True, **kwargs)  # type: ignore[call-overload]




POD_SECURITY_LEVELS = ("baseline", "restricted")
ADMISSION_DIR = "/etc/kubernetes/admission"  # in the control-plane node and its API server
# the cluster's own namespaces, whose pods (CNI, kube-proxy, provisioner helpers) need host access
POD_SECURITY_EXEMPT = ("kube-system", "kube-public", "kube-node-lease", "local-path-storage")


def pod_security_admission(level: str) -> str:
    """An AdmissionConfiguration whose PodSecurity default enforces `level` in every namespace
    but the cluster's own, as hardened clusters do."""
    if level not in POD_SECURITY_LEVELS:
        raise ValueError(f"pod security level must be one of {', '.join(POD_SECURITY_LEVELS)}, not {level!r}")
    return yaml.safe_dump({
        "apiVersion": "apiserver.config.k8s.io/v1", "kind": "AdmissionConfiguration",
        "plugins": [{"name": "PodSecurity", "configuration": {
            "apiVersion": "pod-security.admission.config.k8s.io/v1", "kind": "PodSecurityConfiguration",
            "defaults": {"enforce": level, "enforce-version": "latest", "audit": level, "audit-version": "latest",
                         "warn": level, "warn-version": "latest"},
            "exemptions": {"usernames": [], "runtimeClasses": [], "namespaces": list(POD_SECURITY_EXEMPT)}}}]},
        sort_keys=False)


def cluster_config(name: str, workers: int = 1, cgroup_v1: bool = False, ip_family: str = "ipv4",
                   max_endpoints_per_slice: int | None = None, cluster_domain: str | None = None,
                   admission_file: str | None = None, cluster_dns: str | None = None) -> str:
    """kind's Cluster config. kubelet ≥ 1.35 refuses cgroup v1 hosts unless told otherwise; kind
    picks the pod and Service subnets of each family (dual stack: IPv4 first); a low
    `max_endpoints_per_slice` spreads every Service of more endpoints over several EndpointSlices;
    `cluster_domain` replaces cluster.local (kubeadm gives it to the kubelets and CoreDNS);
    `admission_file` (an AdmissionConfiguration on this machine) goes to the API server;
    `cluster_dns` is the address the kubelets give pods as their name server."""
    if workers < 0:
        raise ValueError(f"workers must be 0 or more, not {workers}")
    if ip_family not in IP_FAMILIES:
        raise ValueError(f"ip family must be one of {', '.join(IP_FAMILIES)}, not {ip_family!r}")
    config: dict[str, object] = {"kind": "Cluster", "apiVersion": KIND_API, "name": name}
    if ip_family != "ipv4":
        config["networking"] = {"ipFamily": ip_family}
    control_plane: dict[str, object] = {"role": "control-plane"}
    if admission_file is not None:
        control_plane["extraMounts"] = [{"hostPath": admission_file, "containerPath": f"{ADMISSION_DIR}/config.yaml",
                                         "readOnly": True}]
    config["nodes"] = [control_plane] + [{"role": "worker"}] * workers
    patches = []
    kubelet: dict[str, object] = {}
    if cgroup_v1:
        kubelet["failCgroupV1"] = False
    if cluster_dns is not None:
        kubelet["clusterDNS"] = [cluster_dns]
    if kubelet:
        patches.append({"kind": "KubeletConfiguration", **kubelet})
    if max_endpoints_per_slice is not None:
        if max_endpoints_per_slice < 1:
            raise ValueError(f"max endpoints per slice must be 1 or more, not {max_endpoints_per_slice}")
        # kind writes kubeadm's v1beta3 config (extraArgs a map) before Kubernetes 1.35 and v1beta4
        # (a list) from then on; it applies a patch only to the config of the apiVersion it names
        patches.append({"apiVersion": "kubeadm.k8s.io/v1beta3", "kind": "ClusterConfiguration",
                        "controllerManager": {"extraArgs": {"max-endpoints-per-slice": str(max_endpoints_per_slice)}}})
        patches.append({"apiVersion": "kubeadm.k8s.io/v1beta4", "kind": "ClusterConfiguration",
                        "controllerManager": {"extraArgs": [
                            {"name": "max-endpoints-per-slice", "value": str(max_endpoints_per_slice)}]}})
    if cluster_domain is not None:
        for version in ("v1beta3", "v1beta4"):
            patches.append({"apiVersion": f"kubeadm.k8s.io/{version}", "kind": "ClusterConfiguration",
                            "networking": {"dnsDomain": cluster_domain}})
    if admission_file is not None:
        flag, mount = "admission-control-config-file", {"name": "admission", "hostPath": ADMISSION_DIR,
                                                        "mountPath": ADMISSION_DIR, "readOnly": True}
        patches.append({"apiVersion": "kubeadm.k8s.io/v1beta3", "kind": "ClusterConfiguration", "apiServer": {
            "extraArgs": {flag: f"{ADMISSION_DIR}/config.yaml"}, "extraVolumes": [mount]}})
        patches.append({"apiVersion": "kubeadm.k8s.io/v1beta4", "kind": "ClusterConfiguration", "apiServer": {
            "extraArgs": [{"name": flag, "value": f"{ADMISSION_DIR}/config.yaml"}], "extraVolumes": [mount]}})
    if patches:
        config["kubeadmConfigPatches"] = [yaml.safe_dump(p, sort_keys=False) for p in patches]
    return yaml.safe_dump(config, sort_keys=False)


def docker_cgroup_version() -> str:
    out = _detached(["docker", "info", "--format", "{{.CgroupVersion}}"])
    if out.returncode != 0:
        raise KindError("Docker does not answer (`docker info` failed): start Docker and retry")
    return out.stdout.strip()


def find_kind(explicit: str | None, built: str | None) -> str:
    for candidate in (explicit, built, shutil.which("kind")):
        if candidate and Path(candidate).exists():
            return candidate
    raise KindError("kind not found: install kind v0.33.0 on PATH, pass --kind-binary, "
                    "or run `headless-conformance image kind`")


def _tail(text: str | None, lines: int = 5) -> str:
    detail = (text or "").strip().splitlines()[-lines:]
    return (": " + " | ".join(detail)) if detail else ""


def _created_at(containers: list[str]) -> list[float]:
    """Creation times (epoch seconds) of containers; Docker prints RFC 3339 with nanoseconds."""
    proc = _detached(["docker", "inspect", "--format", "{{.Created}}", *containers])
    if proc.returncode != 0:
        return []
    times = []
    for text in proc.stdout.split():
        match = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.\d+)?Z$", text)
        if match:
            times.append(datetime.fromisoformat(match.group(1)).replace(tzinfo=timezone.utc).timestamp())
    return times


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


@dataclass
class KindCluster:
    """A kind cluster whose kubeconfig lives in its own file (the user's kubeconfig is left alone)."""

    name: str
    kind: str
    kubeconfig_path: Path

    def _env(self) -> dict[str, str]:
        return {**os.environ, "KUBECONFIG": str(self.kubeconfig_path)}

    def _run(self, *args: str, input_text: str | None = None) -> str:
        proc = _detached([self.kind, *args], input=input_text, env=self._env())
        if proc.returncode != 0:
            raise KindError(f"kind {args[0]} {' '.join(args[1:3])} failed (exit {proc.returncode})"
                            + _tail(proc.stderr))
        return proc.stdout or ""

    def exists(self) -> bool:
        return self.name in self._run("get", "clusters").split()

    def create(self, image: str, config: str, wait: str = "0s") -> None:
        """Create the cluster, streaming kind's progress; a failed or interrupted creation is deleted.

        kind runs in a process group of its own, so that when the run is stopped, the docker
        commands it started stop with it before the cluster is deleted."""
        self._record()  # before kind makes the first container, so a kill at any point leaves a record
        try:
            status = run_to_completion(
                [self.kind, "create", "cluster", "--name", self.name, "--image", image, "--config", str(
                    self._config_file(config)), "--wait", wait, "--kubeconfig", str(self.kubeconfig_path)],
                own_group=True, grace_s=10, stdout=sys.stderr, stderr=sys.stderr, env=self._env())
            if status != 0:
                raise KindError(f"kind create cluster {self.name} with {image} failed (exit {status})")
        except BaseException:
            with shielded():
                try:
                    self.delete(settle=True)
                except KindError as err:
                    print(f"[headless-conformance] {err}", file=sys.stderr, flush=True)
            raise

    def _config_file(self, config: str) -> Path:
        path = self.kubeconfig_path.parent / f"kind-config-{self.name}.yaml"
        path.write_text(config)
        return path

    def delete(self, settle: bool = False) -> None:
        """Delete the cluster; KindError says what failed. With `settle` (after kind was stopped while
        creating it), node containers docker was still creating appear late: wait for a quiet spell.
        This project's record of the cluster goes last, once no node container is left."""
        proc = _detached([self.kind, "delete", "cluster", "--name", self.name,
                          "--kubeconfig", str(self.kubeconfig_path)], env=self._env())
        # a failed `kind delete` (a busy daemon, a container already on its way out) still leaves only
        # node containers behind: the sweep removes them, and fails only if they stay
        kind_failed = f"kind delete cluster exited {proc.returncode}{_tail(proc.stderr)}" if proc.returncode else ""
        quiet: list[bool] = []

        def sweep() -> list[bool]:
            found = self.node_containers()
            if found:
                _detached(["docker", "rm", "--force", "--volumes", *found])
            quiet.append(not found)
            return quiet

        polls = QUIET_POLLS if settle else 1
        try:
            wait_for(sweep, lambda q: len(q) >= polls and all(q[-polls:]),
                     expected=f"no node containers of {self.name} left for {polls} poll(s)", timeout=60, interval=1,
                     describe=lambda q: f"containers found at {q.count(False)} of {len(q)} polls")
        except WaitTimeout as err:
            raise KindError(f"could not delete kind cluster {self.name}: " + (
                f"{kind_failed}, and its node containers stay" if kind_failed else
                f"node containers keep appearing: {err.args[0].splitlines()[0]}")
                + f"; remove it with `kind delete cluster --name {self.name}`") from None
        if kind_failed:
            print(f"[headless-conformance] {kind_failed}; removed the node containers of {self.name} with docker",
                  file=sys.stderr, flush=True)
        self.record_path().unlink(missing_ok=True)

    def kubeconfig(self) -> str:
        return self._run("get", "kubeconfig", "--name", self.name)

    def load_image(self, *images: str) -> None:
        """Copy local Docker images into every node (`kind load docker-image`): one archive for all,
        so that tags of one image travel once."""
        self._run("load", "docker-image", *images, "--name", self.name)

    def export_logs(self, dest: Path) -> None:
        """`kind export logs` into dest; KindError says what failed."""
        dest.mkdir(parents=True, exist_ok=True)
        proc = _detached([self.kind, "export", "logs", str(dest), "--name", self.name], env=self._env())
        if proc.returncode != 0:
            raise KindError(f"kind export logs for {self.name} failed (exit {proc.returncode}){_tail(proc.stderr)}")

    # -- ownership ----------------------------------------------------------------------------
    def record_path(self) -> Path:
        return cache_root() / "kind-clusters" / f"{self.name}.json"

    def node_containers(self) -> list[str]:
        proc = _detached(["docker", "ps", "-aq", "--no-trunc", "--filter", f"label={CLUSTER_LABEL}={self.name}"])
        return sorted(proc.stdout.split()) if proc.returncode == 0 else []

    def _record(self) -> None:
        path = self.record_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"pid": os.getpid(), "boot_id": _boot_id(), "containers": None}) + "\n")

    def record_nodes(self) -> None:
        """Note the node containers of the cluster just created (they identify it later)."""
        path = self.record_path()
        record = json.loads(path.read_text()) if path.exists() else {"pid": os.getpid(), "boot_id": _boot_id()}
        record["containers"] = self.node_containers()
        path.write_text(json.dumps(record) + "\n")

    def leftover_of_a_killed_run(self) -> bool:
        """True when this existing cluster was created by a run of this project that is gone:
        the record names its very node containers (or the run died while creating them) and the
        process that created it no longer exists."""
        path = self.record_path()
        if not path.exists():
            return False
        try:
            record = json.loads(path.read_text())
        except ValueError:
            return False
        if record.get("boot_id") == _boot_id() and process_alive(int(record.get("pid", 0))):
            return False
        recorded, current = record.get("containers"), self.node_containers()
        if recorded is not None:
            return sorted(recorded) == current
        # the run died while kind was creating the nodes: they must date from then
        started = path.stat().st_mtime
        return bool(current) and all(started <= t <= started + CREATE_WINDOW_S for t in _created_at(current))
