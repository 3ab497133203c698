"""The one way the builder runs external commands."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

from common.signals import stop
from imagebuild.progress import say


class BuildError(RuntimeError):
    """The build cannot go on; the message's first line says why."""


class CommandFailed(BuildError):
    """A command exited non-zero; the message carries its tail of output."""


def run(
    argv: Sequence[str | os.PathLike[str]],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    log: Path | None = None,
    input_text: str | None = None,
    stdin: IO[bytes] | None = None,
) -> str:
    """Run argv; return stdout. With `log`, output goes to that file instead (long builds)."""
    full_env = {**os.environ, **(env or {})}
    args = [str(a) for a in argv]
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("ab") as sink:
            sink.write(f"$ {' '.join(args)}\n".encode())
            sink.flush()
            proc = subprocess.Popen(args, cwd=cwd, env=full_env, stdout=sink, stderr=subprocess.STDOUT,
                                    stdin=stdin if stdin is not None else
                                    (subprocess.PIPE if input_text else subprocess.DEVNULL))
            if input_text:
                assert proc.stdin is not None
                proc.stdin.write(input_text.encode())
                proc.stdin.close()
            try:
                _wait_with_heartbeat(proc, args, log)
            except BaseException:  # interrupted: stop the command before leaving (it may hold files)
                stop(proc, grace_s=30)
                raise
        if proc.returncode != 0:
            tail = log.read_text(errors="replace").splitlines()[-25:]
            raise CommandFailed(f"{args[0]} exited {proc.returncode} (log: {log})\n" + "\n".join(tail))
        return ""
    if stdin is not None:
        proc_b = subprocess.run(args, cwd=cwd, env=full_env, capture_output=True, stdin=stdin)
        if proc_b.returncode != 0:
            raise CommandFailed(f"{' '.join(args[:3])} exited {proc_b.returncode}: "
                                f"{proc_b.stderr.decode(errors='replace').strip()[-2000:]}")
        return proc_b.stdout.decode(errors="replace")
    proc = subprocess.run(args, cwd=cwd, env=full_env, capture_output=True, text=True, input=input_text)
    if proc.returncode != 0:
        raise CommandFailed(f"{' '.join(args[:3])} exited {proc.returncode}: {proc.stderr.strip()[-2000:]}")
    return proc.stdout


HEARTBEAT_S = 30


def _wait_with_heartbeat(proc: subprocess.Popen[bytes], args: list[str], log: Path) -> None:
    """Wait, saying every HEARTBEAT_S seconds that the command still runs (a Go build of Kubernetes
    prints nothing for minutes)."""
    started = time.monotonic()
    while True:
        try:
            proc.wait(timeout=HEARTBEAT_S)
            return
        except subprocess.TimeoutExpired:
            tail = log.read_text(errors="replace").rstrip().rsplit("\n", 1)[-1][:100]
            say(f"  still running after {time.monotonic() - started:.0f}s: {' '.join(args[:3])} ... | {tail}")


def succeeds(argv: Sequence[str]) -> bool:
    """True when the command exits 0 (its output is discarded)."""
    try:
        return subprocess.run(list(argv), capture_output=True).returncode == 0
    except FileNotFoundError:
        return False
