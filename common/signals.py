"""Termination requests handled like Ctrl-C, so that cleanup runs whatever stopped a run; child
processes that get to clean up too; and whether a run's process still exists.

CI runners cancel with SIGTERM, `timeout` sends SIGTERM, a closed terminal sends SIGHUP: by
default each ends Python at once, skipping every `finally`. Here the first of them raises
KeyboardInterrupt in the main thread instead; while cleanup runs (`shielded`), further requests
are noted and ignored so that the cleanup itself is not cut short.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
from collections.abc import Callable, Iterator, Sequence
from types import FrameType

REQUESTS = (signal.SIGTERM, signal.SIGHUP)
STOP_GRACE_S = 60.0  # how long a child process gets to clean up after it was asked to stop


def _interrupt(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"{signal.Signals(signum).name} received")


def interrupt_on_termination() -> None:
    """From now on SIGTERM and SIGHUP raise KeyboardInterrupt in the main thread, like Ctrl-C."""
    for signum in REQUESTS:
        signal.signal(signum, _interrupt)


def _note(signum: int, _frame: FrameType | None) -> None:
    # os.write, not print: the signal may arrive while this thread is inside a write to stderr, and
    # print would then wait for the lock that write holds, for ever
    os.write(2, f"{signal.Signals(signum).name} received while cleaning up: finishing the cleanup first\n".encode())


@contextlib.contextmanager
def shielded() -> Iterator[None]:
    """Cleanup that must not be interrupted: SIGINT, SIGTERM and SIGHUP only print a note."""
    if threading.current_thread() is not threading.main_thread():  # only the main thread sets handlers
        yield
        return
    previous = {s: signal.getsignal(s) for s in (signal.SIGINT, *REQUESTS)}
    for signum in previous:
        signal.signal(signum, _note)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def stop(proc: subprocess.Popen, *, group: bool = False, grace_s: float = STOP_GRACE_S,  # type: ignore[type-arg]
         killed: Callable[[], None] | None = None) -> int:
    """The one way a child is stopped: SIGTERM (to its whole process group with `group`, which
    reaches what it started even after it exited), `grace_s` to clean up, then SIGKILL, calling
    `killed` first. Runs shielded; returns the child's exit status."""

    def send(signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            if group:
                os.killpg(proc.pid, signum)
            else:
                proc.send_signal(signum)

    with shielded():
        if proc.poll() is None or group:
            send(signal.SIGTERM)
            try:
                proc.wait(grace_s)
            except subprocess.TimeoutExpired:
                if killed is not None:
                    killed()
                send(signal.SIGKILL)
        return proc.wait()


def run_to_completion(argv: Sequence[str], *, own_group: bool = False, grace_s: float = STOP_GRACE_S,
                      **popen: object) -> int:
    """Run a child process; if this process is interrupted, stop the child (`stop`) and only then
    re-raise. Returns the child's exit status.

    With `own_group` the child runs in a process group of its own and the whole group is stopped:
    for a child that runs children of its own (kind runs docker), which would otherwise go on."""
    proc = subprocess.Popen(list(argv), start_new_session=own_group, **popen)  # type: ignore[call-overload]
    try:
        return proc.wait()
    except BaseException:
        stop(proc, group=own_group, grace_s=grace_s)
        raise


def process_alive(pid: int) -> bool:
    """Whether a process of that ID exists (a run that left files behind may have been killed)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
