"""A Docker engine that answers: reuse a running one, else install Debian's docker.io and start it.

An engine started here keeps container traffic on this machine (see keep_containers_local).

Where the capability bounding set lacks CAP_SYS_RESOURCE, dockerd's default runtime becomes the
runc-capfix front end; elsewhere the daemon's configuration is left untouched.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from common.wait import WaitTimeout, wait_for
from imagebuild import capabilities
from imagebuild.progress import say, step
from imagebuild.shell import BuildError, run, succeeds

FILES = Path(__file__).parent / "files"
WRAPPER = Path("/usr/local/libexec/headless-conformance/runc-capfix")
DAEMON_JSON = Path("/etc/docker/daemon.json")
DOCKERD_LOG = Path("/var/log/headless-conformance-dockerd.log")


class EngineError(BuildError):
    pass


def daemon_answers() -> bool:
    return succeeds(["docker", "info", "--format", "{{.ServerVersion}}"])


def ensure_engine(deadline_s: float = 60) -> None:
    """Make `docker info` succeed, starting (and if needed installing) dockerd."""
    if WRAPPER.exists():
        _write_wrapper()  # keep the front end current; dockerd runs it afresh for every container
    if daemon_answers():
        return
    if os.geteuid() != 0:
        raise EngineError("no Docker daemon answers and starting one needs root (or start Docker yourself)")
    with step("Docker engine: starting dockerd"):
        if shutil.which("dockerd") is None:
            _apt_install(["docker.io"])
        if capabilities.lacks_sys_resource():
            _install_capfix_runtime()
        DOCKERD_LOG.parent.mkdir(parents=True, exist_ok=True)
        with DOCKERD_LOG.open("ab") as log:
            subprocess.Popen(["dockerd"], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             start_new_session=True)
        try:
            wait_for(daemon_answers, bool, expected="dockerd answering `docker info`", timeout=deadline_s,
                     transcript=lambda: "\n".join(DOCKERD_LOG.read_text(errors="replace").splitlines()[-10:]))
        except WaitTimeout as err:
            raise EngineError(str(err)) from None
        keep_containers_local()


def keep_containers_local() -> None:
    """Drop whatever containers would send past this machine (the engines this module starts are
    on machines whose only permitted peers are local). Cluster traffic stays on the bridges; DNS
    is answered by dockerd itself on the host, so names still resolve through the host's resolver."""
    for tool in ("iptables", "ip6tables"):
        if not succeeds([tool, "-S", "DOCKER-USER"]):
            continue
        for bridge in ("br-+", "docker0"):
            rule = ["DOCKER-USER", "-i", bridge, "!", "-o", bridge, "-j", "DROP"]
            if not succeeds([tool, "-C", *rule]):
                run([tool, "-I", *rule])
    say("containers may reach only each other and this host (DOCKER-USER drops the rest)")


def _apt_install(packages: list[str]) -> None:
    say(f"installing Debian packages: {' '.join(packages)}")
    env = {"DEBIAN_FRONTEND": "noninteractive"}
    run(["apt-get", "update"], env=env, log=Path("/var/log/headless-conformance-apt.log"))
    run(["apt-get", "install", "-y", "--no-install-recommends", *packages], env=env,
        log=Path("/var/log/headless-conformance-apt.log"))


def _write_wrapper() -> None:
    real = shutil.which("runc")
    if real is None:
        raise EngineError("runc not found (Debian's docker.io should have brought it)")
    text = (FILES / "runc-capfix").read_text().replace("@REAL_RUNC@", real)
    if not WRAPPER.exists() or WRAPPER.read_text() != text:
        WRAPPER.parent.mkdir(parents=True, exist_ok=True)
        WRAPPER.write_text(text)
        WRAPPER.chmod(0o755)


def _install_capfix_runtime() -> None:
    if shutil.which("jq") is None:
        _apt_install(["jq"])
    _write_wrapper()
    config = json.loads(DAEMON_JSON.read_text()) if DAEMON_JSON.exists() else {}
    config.setdefault("runtimes", {})["capfix"] = {"path": str(WRAPPER)}
    config["default-runtime"] = "capfix"
    DAEMON_JSON.parent.mkdir(parents=True, exist_ok=True)
    DAEMON_JSON.write_text(json.dumps(config, indent=2) + "\n")
    say(f"CAP_SYS_RESOURCE is outside the bounding set: runtime 'capfix' ({WRAPPER}) is the default")
