"""The one way a child process is stopped: SIGTERM, a grace period, then SIGKILL."""

from __future__ import annotations

import subprocess
import sys

from common.signals import stop

# each child blocks reading its stdin (kept open) until a signal ends it
POLITE = ("import signal, sys; signal.signal(signal.SIGTERM, lambda *_: sys.exit(7)); "
          "print('up', flush=True); sys.stdin.read()")
STUBBORN = ("import signal, sys; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
            "print('up', flush=True); sys.stdin.read()")


def _started(code: str, **popen: object) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            **popen)  # type: ignore[call-overload]
    assert proc.stdout is not None and proc.stdout.readline() == "up\n"  # its handler is set
    return proc


def test_a_child_that_cleans_up_on_sigterm_exits_its_own_way() -> None:
    killed: list[bool] = []
    assert stop(_started(POLITE), grace_s=10, killed=lambda: killed.append(True)) == 7
    assert not killed


def test_a_child_that_ignores_sigterm_is_killed_after_the_grace() -> None:
    killed: list[bool] = []
    assert stop(_started(STUBBORN), grace_s=0.2, killed=lambda: killed.append(True)) == -9
    assert killed == [True]


def test_a_group_is_stopped_as_a_whole() -> None:
    assert stop(_started(POLITE, start_new_session=True), group=True, grace_s=10) == 7


def test_a_child_already_gone_gives_its_status() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    proc.wait()
    assert stop(proc) == 3
