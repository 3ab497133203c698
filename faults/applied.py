"""A fault applied while a block of work runs, then restored: the one way the benchmark and the
comparison with upstream run something under a fault."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from common.signals import run_to_completion, shielded, stop

ROOT = Path(__file__).resolve().parent.parent


class FaultNotApplied(RuntimeError):
    pass


@contextlib.contextmanager
def applied(name: str, target: list[str], everywhere: bool = False) -> Iterator[None]:
    """Fault `name` applied to the cluster `target` names (`--kind-cluster X` or `--kubeconfig F`)
    while the block runs, then restored. Faults that act until stopped (they say "until Ctrl-C")
    run alongside and get SIGTERM after, which they take as Ctrl-C (a SIGINT could be ignored: a
    shell's background jobs inherit SIGINT ignored). Their words go on being relayed while they act
    (an unread pipe would stall them once full), and one that ended before the block did raises
    FaultNotApplied: the block's results then say nothing about the fault."""
    faults = [sys.executable, "-m", "faults", name]
    scope = ["--all-namespaces"] if everywhere else []
    proc = subprocess.Popen([*faults, "apply", *target, *scope], cwd=ROOT, text=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)
    assert proc.stderr is not None
    acting = False
    try:
        for line in proc.stderr:
            sys.stderr.write(line)
            if "until Ctrl-C" in line:
                acting = True
                threading.Thread(target=_relay, args=(proc.stderr,), daemon=True).start()
                break
        else:
            if proc.wait() != 0:
                raise FaultNotApplied(f"fault {name}: apply failed (exit {proc.returncode})")
        yield
        if acting and proc.poll() is not None:
            raise FaultNotApplied(f"fault {name}: stopped acting before the run ended (exit {proc.returncode})")
    finally:
        with shielded():
            if proc.poll() is None:
                stop(proc, group=True, grace_s=60, killed=lambda: print(
                    f"fault {name}: still acting 60 s after SIGTERM; killed", file=sys.stderr))
            status = run_to_completion([*faults, "restore", *target], cwd=ROOT, stdout=sys.stderr, stderr=sys.stderr)
            if status != 0:
                print(f"fault {name}: restore failed (exit {status})", file=sys.stderr)


def _relay(stream: IO[str]) -> None:
    for line in stream:
        sys.stderr.write(line)
