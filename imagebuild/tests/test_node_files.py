"""Files that go into the node image: the runc front end, flannel's node script, the kind manifests."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from imagebuild.capabilities import lacks_sys_resource
from imagebuild.images import FILES, ImageSet
from imagebuild.node import NODE, render_manifests

# --- runc-capfix -------------------------------------------------------------------------------------

ALL_BUT_SYS_RESOURCE = ["CAP_CHOWN", "CAP_NET_ADMIN", "CAP_SYS_ADMIN"]
WITH_SYS_RESOURCE = ["CAP_CHOWN", "CAP_SYS_RESOURCE", "CAP_NET_ADMIN", "CAP_SYS_ADMIN"]


def own_oom_score_adj() -> int:
    return int(Path("/proc/self/oom_score_adj").read_text())


def capabilities() -> dict[str, list[str]]:
    return {"bounding": list(WITH_SYS_RESOURCE), "effective": list(WITH_SYS_RESOURCE),
            "permitted": list(WITH_SYS_RESOURCE), "inheritable": ["CAP_SYS_RESOURCE"], "ambient": ["CAP_CHOWN"]}


def stripped_capabilities() -> dict[str, list[str]]:
    return {"bounding": ALL_BUT_SYS_RESOURCE, "effective": ALL_BUT_SYS_RESOURCE, "permitted": ALL_BUT_SYS_RESOURCE,
            "inheritable": [], "ambient": ["CAP_CHOWN"]}


@pytest.fixture
def capfix(tmp_path: Path) -> Path:
    """runc-capfix whose real runc prints each argument it receives as <arg>."""
    if shutil.which("jq") is None:
        pytest.skip("jq is not installed")
    fake = tmp_path / "runc.real"
    fake.write_text('#!/bin/sh\nprintf "<%s>\\n" "$@"\n')
    fake.chmod(0o755)
    script = tmp_path / "runc"
    script.write_text((FILES / "runc-capfix").read_text().replace("@REAL_RUNC@", str(fake)))
    script.chmod(0o755)
    return script


@pytest.fixture
def lacking_host() -> None:
    if not lacks_sys_resource():
        pytest.skip("this host's capability bounding set has CAP_SYS_RESOURCE: runc-capfix changes nothing")


def run_runc(script: Path, *args: str, cwd: Path | None = None) -> str:
    proc = subprocess.run([str(script), *args], capture_output=True, text=True, cwd=cwd, timeout=10)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    return proc.stdout


def passed(*args: str) -> str:
    return "".join(f"<{a}>\n" for a in args)


def bundle(tmp_path: Path, process: dict[str, object]) -> Path:
    directory = tmp_path / "bundle"
    directory.mkdir()
    (directory / "config.json").write_text(json.dumps({"ociVersion": "1.2.0", "process": process,
                                                       "root": {"path": "rootfs"}}))
    return directory


def config(directory: Path) -> dict[str, object]:
    return json.loads((directory / "config.json").read_text())


@pytest.mark.usefixtures("lacking_host")
@pytest.mark.parametrize("command", ["create", "run"])
def test_capfix_strips_sys_resource_from_bundle_spec(capfix: Path, tmp_path: Path, command: str) -> None:
    directory = bundle(tmp_path, {"args": ["/sbin/init"], "capabilities": capabilities()})
    args = ("--root", "/run/containerd/runc/k8s.io", command, "--bundle", str(directory), "c1")
    assert run_runc(capfix, *args) == passed(*args)
    assert config(directory) == {"ociVersion": "1.2.0", "root": {"path": "rootfs"},
                                 "process": {"args": ["/sbin/init"], "capabilities": stripped_capabilities()}}


@pytest.mark.usefixtures("lacking_host")
def test_capfix_raises_oom_score_adj_below_own(capfix: Path, tmp_path: Path) -> None:
    directory = bundle(tmp_path, {"oomScoreAdj": -998, "capabilities": capabilities()})
    run_runc(capfix, "create", "--bundle", str(directory), "c1")
    assert config(directory)["process"] == {"oomScoreAdj": own_oom_score_adj(),
                                            "capabilities": stripped_capabilities()}


@pytest.mark.usefixtures("lacking_host")
def test_capfix_keeps_higher_oom_score_adj(capfix: Path, tmp_path: Path) -> None:
    higher = own_oom_score_adj() + 1
    if higher > 1000:
        pytest.skip("oom_score_adj is already 1000")
    directory = bundle(tmp_path, {"oomScoreAdj": higher})
    run_runc(capfix, "create", "--bundle", str(directory), "c1")
    assert config(directory)["process"] == {"oomScoreAdj": higher}


@pytest.mark.usefixtures("lacking_host")
def test_capfix_adds_no_oom_score_adj(capfix: Path, tmp_path: Path) -> None:
    directory = bundle(tmp_path, {"args": ["sh"]})
    run_runc(capfix, "create", "--bundle", str(directory), "c1")
    assert config(directory)["process"] == {"args": ["sh"]}


@pytest.mark.usefixtures("lacking_host")
@pytest.mark.parametrize("form", ["--bundle=", "-b"])
def test_capfix_other_bundle_flag_forms(capfix: Path, tmp_path: Path, form: str) -> None:
    directory = bundle(tmp_path, {"capabilities": capabilities()})
    flag = [f"--bundle={directory}"] if form == "--bundle=" else ["-b", str(directory)]
    args = ("--log", "/run/log with space.json", "create", *flag, "--pid-file", "/run/c1.pid", "c1")
    assert run_runc(capfix, *args) == passed(*args)
    assert config(directory)["process"] == {"capabilities": stripped_capabilities()}


@pytest.mark.usefixtures("lacking_host")
def test_capfix_uses_working_directory_without_bundle_flag(capfix: Path, tmp_path: Path) -> None:
    directory = bundle(tmp_path, {"oomScoreAdj": -998, "capabilities": capabilities()})
    assert run_runc(capfix, "create", "c1", cwd=directory) == passed("create", "c1")
    assert config(directory)["process"] == {"oomScoreAdj": own_oom_score_adj(),
                                            "capabilities": stripped_capabilities()}


@pytest.mark.usefixtures("lacking_host")
@pytest.mark.parametrize("form", ["--process", "--process=", "-p"])
def test_capfix_edits_exec_process_file(capfix: Path, tmp_path: Path, form: str) -> None:
    process = tmp_path / "process.json"
    process.write_text(json.dumps({"args": ["ls"], "oomScoreAdj": -998, "capabilities": capabilities()}))
    flag = [f"--process={process}"] if form == "--process=" else [form, str(process)]
    args = ("exec", *flag, "--detach", "c1")
    assert run_runc(capfix, *args) == passed(*args)
    assert json.loads(process.read_text()) == {"args": ["ls"], "oomScoreAdj": own_oom_score_adj(),
                                               "capabilities": stripped_capabilities()}


@pytest.mark.usefixtures("lacking_host")
def test_capfix_exec_leaves_bundle_config_alone(capfix: Path, tmp_path: Path) -> None:
    directory = bundle(tmp_path, {"capabilities": capabilities()})
    before = (directory / "config.json").read_text()
    assert run_runc(capfix, "exec", "c1", "ls", cwd=directory) == passed("exec", "c1", "ls")
    assert (directory / "config.json").read_text() == before


@pytest.mark.usefixtures("lacking_host")
@pytest.mark.parametrize("args", [("state", "c1"), ("delete", "--force", "c1"), ("--version",)])
def test_capfix_passes_other_commands_through(capfix: Path, tmp_path: Path, args: tuple[str, ...]) -> None:
    directory = bundle(tmp_path, {"capabilities": capabilities()})
    before = (directory / "config.json").read_text()
    assert run_runc(capfix, *args, cwd=directory) == passed(*args)
    assert (directory / "config.json").read_text() == before


@pytest.mark.usefixtures("lacking_host")
def test_capfix_tolerates_missing_config(capfix: Path, tmp_path: Path) -> None:
    args = ("create", "--bundle", str(tmp_path / "absent"), "c1")
    assert run_runc(capfix, *args) == passed(*args)


def test_capfix_changes_nothing_where_bounding_set_has_sys_resource(capfix: Path, tmp_path: Path) -> None:
    status = tmp_path / "status"
    status.write_text("Name:\trunc\nCapBnd:\t000001ffffffffff\n")
    capfix.write_text(capfix.read_text().replace("/proc/self/status", str(status)))
    directory = bundle(tmp_path, {"oomScoreAdj": -998, "capabilities": capabilities()})
    before = (directory / "config.json").read_text()
    args = ("create", "--bundle", str(directory), "c1")
    assert run_runc(capfix, *args) == passed(*args)
    assert (directory / "config.json").read_text() == before


# --- flannel-node: network() ---------------------------------------------------------------------------

FLANNEL_NODE = FILES / "images" / "flannel" / "flannel-node"


@pytest.fixture(scope="module")
def network_function() -> str:
    text = subprocess.run(["sed", "-n", "/^network()/,/^}/p", str(FLANNEL_NODE)], capture_output=True,
                          text=True, check=True).stdout
    assert text.startswith("network() {\n")
    assert text.endswith("\n}\n")
    return text


@pytest.mark.parametrize(("cidr", "network"), [
    ("10.244.1.1/24", "10.244.1.0/24"),
    ("10.244.3.77/20", "10.244.0.0/20"),
    ("192.168.5.9/32", "192.168.5.9/32"),
    ("10.1.2.3/0", "0.0.0.0/0"),
    ("fd00:10:244:1::1/64", "fd00:10:244:1:0:0:0:0/64"),
    ("fd00::1/56", "fd00:0:0:0:0:0:0:0/56"),
    ("fd00:10:244:1ff::1/56", "fd00:10:244:100:0:0:0:0/56"),
    ("2001:db8:a:b:c:d:e:f/48", "2001:db8:a:0:0:0:0:0/48"),
    ("::1/128", "0:0:0:0:0:0:0:1/128"),
    ("FD00:ABCD::1/32", "fd00:abcd:0:0:0:0:0:0/32"),
])
def test_flannel_network_address(network_function: str, cidr: str, network: str) -> None:
    proc = subprocess.run(["sh", "-c", network_function + 'network "$1"', "sh", cidr], capture_output=True,
                          text=True, timeout=10)
    assert (proc.returncode, proc.stderr, proc.stdout) == (0, "", network + "\n")


# --- kind manifests --------------------------------------------------------------------------------------

IMAGES = ImageSet(
    kubeadm={"pause": "registry.k8s.io/pause:3.10.1", "coredns": "registry.k8s.io/coredns/coredns:v1.14.6"},
    flannel="headless-conformance/flannel:v0.28.10",
    local_path="headless-conformance/local-path-provisioner:v0.0.30",
    busybox="headless-conformance/busybox:1.37.0",
    dig="headless-conformance/dig:bookworm",
)


def test_cni_manifest_asks_kind_to_template_and_patch() -> None:
    lines = (NODE / "manifests" / "default-cni.yaml").read_text().splitlines()
    assert "# would you kindly template this file" in lines
    assert "# would you kindly patch this file" in lines
    assert sum("{{ .PodSubnet }}" in line for line in lines) == 1


def test_render_manifests_writes_both_without_placeholders(tmp_path: Path) -> None:
    dest = tmp_path / "kind" / "manifests"
    render_manifests(IMAGES, dest)
    assert sorted(p.name for p in dest.iterdir()) == ["default-cni.yaml", "default-storage.yaml"]
    for name in ("default-cni.yaml", "default-storage.yaml"):
        assert "@" not in (dest / name).read_text(), name


def containers(doc: dict) -> list[dict]:
    return doc["spec"]["template"]["spec"]["containers"]


def test_rendered_cni_manifest(tmp_path: Path) -> None:
    render_manifests(IMAGES, tmp_path)
    text = (tmp_path / "default-cni.yaml").read_text().replace("{{ .PodSubnet }}", "10.244.0.0/16")
    docs = list(yaml.safe_load_all(text))
    assert [d["kind"] for d in docs] == ["ServiceAccount", "ClusterRole", "ClusterRoleBinding", "DaemonSet"]
    [flannel] = containers(docs[3])
    assert flannel["image"] == IMAGES.flannel
    assert {"name": "POD_SUBNET", "value": "10.244.0.0/16"} in flannel["env"]


def test_rendered_storage_manifest(tmp_path: Path) -> None:
    render_manifests(IMAGES, tmp_path)
    docs = list(yaml.safe_load_all((tmp_path / "default-storage.yaml").read_text()))
    kinds = [d["kind"] for d in docs]
    assert kinds == ["Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Deployment",
                     "StorageClass", "ConfigMap"]
    [provisioner] = containers(docs[kinds.index("Deployment")])
    assert provisioner["image"] == IMAGES.local_path
    command = provisioner["command"]
    assert command[command.index("--helper-image") + 1] == IMAGES.busybox
    storage_class = docs[kinds.index("StorageClass")]
    assert storage_class["metadata"]["name"] == "standard"
    helper = yaml.safe_load(docs[kinds.index("ConfigMap")]["data"]["helperPod.yaml"])
    assert [c["image"] for c in helper["spec"]["containers"]] == [IMAGES.busybox]
