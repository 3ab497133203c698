"""One long-lived exec per probe pod: commands written to its stdin in batches, answers framed on stdout.

A new exec per poll costs a websocket through the API server and the kubelet and a `runc exec` on
the node — over a second on a loaded two-core machine, and the reason polls were seconds apart. A
stream opens that path once: a small shell loop in the pod reads one command a line, stamps it with
the pod's clock, runs it and closes its output with a delimiter naming the command's number and exit
status. The client writes a whole batch at once and reads until every command of it has ended.

The framing (`Framer`) is pure and tested without a cluster. A stream that breaks or stalls
mid-batch raises `StreamBroken` and is closed: the caller's poll failed (it heard no server), and
the next batch opens a new stream.
"""

from __future__ import annotations

import contextlib
import re
import shlex
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

# The loop run in the probe pod (any POSIX sh: Debian's dash, busybox). A line is "<seq> <command>",
# the command shell-quoted by the client; stdin of the command is closed so that it cannot eat the
# batch. Each output: the stamp line, what the command printed, a newline (so that the end line
# starts a line whatever the command printed last) and the end line with its exit status.
LOOP = r"""set -f
while IFS= read -r line; do
  echo ";; asked at $(date +%s.%N)"
  eval "${line#* }" </dev/null
  printf '\n;; ==== end %s %s ====\n' "${line%% *}" "$?"
done"""

ASKED_AT = ";; asked at "
_END = re.compile(r"^;; ==== end (?P<seq>\d+) (?P<code>\d+) ====$", re.MULTILINE)

STDOUT, STDERR, ERROR = 1, 2, 3  # the exec's channels


class StreamBroken(Exception):
    """The stream closed or stalled before a batch had ended: no answer to anything in it."""


@dataclass(frozen=True)
class Frame:
    """One command's output, as the loop framed it."""

    seq: int
    stamp: float | None  # the pod's clock when the command started (epoch seconds)
    output: str  # what it printed on stdout, stamp and end lines removed
    exit_code: int


class Framer:
    """Cuts the loop's stdout into frames as chunks arrive (a chunk may end anywhere, mid-line too)."""

    def __init__(self) -> None:
        self._pending = ""

    @property
    def pending(self) -> str:
        """Output received that no end line has closed yet."""
        return self._pending

    def feed(self, chunk: str) -> list[Frame]:
        self._pending += chunk
        frames = []
        while (end := _END.search(self._pending)) is not None and self._pending[end.end():end.end() + 1] == "\n":
            body, self._pending = self._pending[:end.start()], self._pending[end.end() + 1:]
            frames.append(_frame(int(end["seq"]), int(end["code"]), body))
        return frames


def _frame(seq: int, code: int, body: str) -> Frame:
    body = body[:-1] if body.endswith("\n") else body  # the newline the loop wrote before the end line
    stamp = None
    first, _, rest = body.partition("\n")
    if first.startswith(ASKED_AT):
        body = rest
        try:
            stamp = float(first[len(ASKED_AT):])
        except ValueError:  # a date without %N (some busybox builds): no stamp rather than a wrong one
            stamp = None
    return Frame(seq, stamp, body, code)


class Channels(Protocol):
    """What a stream needs of kubernetes.stream's WSClient (a fake in unit tests)."""

    def write_stdin(self, data: str) -> None: ...
    def update(self, timeout: float = 0) -> None: ...
    def read_channel(self, channel: int, timeout: float = 0) -> str: ...
    def is_open(self) -> bool: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class Batch:
    """A batch's frames in the order its commands were given, and what the loop said on stderr."""

    frames: list[Frame]
    stderr: str
    round_trip: float  # seconds from writing the batch until its last frame arrived (this machine)


class ProbeStream:
    """The loop running in one pod, opened on first use and again after it broke."""

    def __init__(self, open_channels: Callable[[list[str]], Channels], where: str) -> None:
        self._open = open_channels
        self.where = where  # "pod ns/name", for messages
        self._channels: Channels | None = None
        self._framer = Framer()
        self._seq = 0
        self.opened = 0  # streams opened so far (1 for a stream that never broke)

    def ask(self, commands: list[list[str]], timeout: float) -> Batch:
        """Run `commands` (argvs) in order through the loop; their frames, or StreamBroken."""
        if not commands:
            return Batch([], "", 0.0)
        channels = self._channels or self._reopen()
        first = self._seq + 1
        self._seq += len(commands)
        wanted = range(first, self._seq + 1)
        lines = "".join(f"{seq} {shlex.join(argv)}\n" for seq, argv in zip(wanted, commands, strict=True))
        started = time.monotonic()
        deadline = started + timeout
        found: dict[int, Frame] = {}
        stderr: list[str] = []
        try:
            channels.write_stdin(lines)
            while len(found) < len(commands):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise StreamBroken(f"the probe stream in {self.where} gave {len(found)} of {len(commands)} "
                                       f"answers within {timeout:.0f} s{_shown(self._framer.pending, stderr)}")
                if not channels.is_open():
                    error = channels.read_channel(ERROR)
                    raise StreamBroken(f"the probe stream in {self.where} closed after {len(found)} of "
                                       f"{len(commands)} answers{': ' + error.strip() if error.strip() else ''}"
                                       f"{_shown(self._framer.pending, stderr)}")
                channels.update(timeout=min(left, 1.0))
                stderr.append(channels.read_channel(STDERR))
                for frame in self._framer.feed(channels.read_channel(STDOUT)):
                    if frame.seq in wanted:  # frames of an earlier, abandoned batch cannot come: it was closed
                        found[frame.seq] = frame
        except StreamBroken:
            self.close()
            raise
        except Exception as err:  # the websocket's own errors (reset, closed under us): a broken stream too
            self.close()
            raise StreamBroken(f"the probe stream in {self.where} failed: {type(err).__name__}: {err}") from err
        return Batch([found[seq] for seq in wanted], "".join(stderr), time.monotonic() - started)

    def _reopen(self) -> Channels:
        self._channels = self._open(["sh", "-c", LOOP])
        self._framer = Framer()
        self.opened += 1
        return self._channels

    def close(self) -> None:
        channels, self._channels = self._channels, None
        if channels is not None:
            with contextlib.suppress(Exception):  # closing a stream that already broke
                channels.close()


def _shown(pending: str, stderr: list[str]) -> str:
    text = "".join(stderr).strip()
    tail = pending.strip().splitlines()[-3:]
    return (f"; stderr: {text[-300:]}" if text else "") + (f"; last output: {' / '.join(tail)}" if tail else "")
