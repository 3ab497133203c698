"""Runs of the suite one after another on one kind cluster (the soak's runs, the bisect's steps): the
first run makes the cluster and keeps it, the others reuse it, and `close` deletes it, whatever
ended the runs."""

from __future__ import annotations

import time
from pathlib import Path

from cli.suite import run_suite
from headless_conformance.provisioning import kind as kindcli
from headless_conformance.provisioning.providers import Provisioned, clean_up, provision
from headless_conformance.provisioning.request import Request, Say
from headless_conformance.results.cells import Cell

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports"


class OneCluster:
    def __init__(self, name: str, kind: str, kubernetes_version: str, logs: Path, say: Say,
                 ip_family: str = "ipv4") -> None:
        self.name, self.kubernetes_version, self.logs, self.say = name, kubernetes_version, logs, say
        self.ip_family = ip_family
        self.cluster = kindcli.KindCluster(name, kind, REPORTS / f"{name}-kubeconfig")
        self.runs = 0
        logs.mkdir(parents=True, exist_ok=True)

    def create(self) -> float:
        """Make the cluster (kept) before the first run, as a run's provider makes it; its seconds
        until nodes and DNS are Ready. Later runs reuse it."""
        state, started = Provisioned(), time.monotonic()
        try:
            provision(Request(kubernetes_version=self.kubernetes_version, cluster_name=self.name, keep_cluster=True,
                              ip_family=self.ip_family),
                      state, self.say)
        finally:
            clean_up(state, failed=False, logs_dir=REPORTS, say=self.say)
        self.runs += 1
        return time.monotonic() - started

    def kubeconfig(self) -> Path:
        """The cluster's kubeconfig, written next to the reports (for tools that take one)."""
        path = REPORTS / f"{self.name}-kubeconfig"
        path.write_text(self.cluster.kubeconfig())
        return path

    def run(self, report_name: str, options: list[str]) -> tuple[int, Cell, float]:
        """The suite with `options` (its output in the logs folder); its exit status, cell and seconds."""
        keep = ["--keep-cluster"] if self.runs == 0 else ["--reuse-cluster"]
        self.runs += 1
        result = run_suite(report_name, ["-q", "--cluster-name", self.name, "--kubernetes-version",
                                         self.kubernetes_version, "--ip-family", self.ip_family, *keep, *options],
                           self.logs / f"{report_name}.log", self.say, report_name)
        cell = result.cell or Cell.missing(self.kubernetes_version, "?", result.error)
        cell.name = report_name
        return result.status, cell, result.seconds

    def close(self) -> None:
        if self.cluster.exists():
            self.say(f"deleting kind cluster {self.name}")
            self.cluster.delete()
        (REPORTS / f"{self.name}-kubeconfig").unlink(missing_ok=True)
