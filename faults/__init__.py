"""Misbehaviours to see checks fail: one module per fault, each saying which checks it must fail
and which levels must stay green (`Fault`), gathered in `registry.FAULTS`; `headless-conformance fault` runs one.

A fault changes only a kind cluster made for this: its DNS configuration (`corefile`), a node's
iptables, the volume provisioner, objects in the suite's own namespaces, or one more DNS server
behind kube-dns that misbehaves (`replica`). Faults aimed at Services act on the suite's namespaces
(hc-…), or with `--all-namespaces` on every namespace but the cluster's own (`scope`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from headless_conformance.checking.kube import Kube


class FaultError(RuntimeError):
    pass


@dataclass(frozen=True)
class Fault:
    name: str
    does: str  # what it does to the cluster
    fails: str  # which checks it must fail
    green: tuple[str, ...]  # levels whose checks must all stay green under it
    act: Callable[[Kube, bool, bool], None]  # (client, apply (else restore), every namespace)
    until_stopped: bool = False  # acts until interrupted (SIGINT or SIGTERM), then undoes itself
    suite_options: tuple[str, ...] = ()  # what the suite needs to see it (a budget shorter than the Corefile's)
    conformant: bool = False  # a variant every conformant check must pass, not a misbehaviour
