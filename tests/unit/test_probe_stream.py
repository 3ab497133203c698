"""The probe stream's protocol without a cluster: the loop itself run by a local sh, and a scripted
websocket for partial reads, a stream that breaks mid-batch and a command that hangs."""

from __future__ import annotations

import subprocess
from collections import deque

import pytest

from headless_conformance.checking.probe_stream import ERROR, LOOP, STDERR, STDOUT, Framer, ProbeStream, StreamBroken


def run_loop(lines: str) -> str:
    """The loop as the probe pod runs it, here under the local sh."""
    return subprocess.run(["sh", "-c", LOOP], input=lines, capture_output=True, text=True, timeout=20).stdout


def test_the_loop_frames_each_command_with_its_stamp_output_and_exit_status() -> None:
    out = run_loop("1 echo hello\n2 sh -c 'printf no-newline; exit 3'\n3 true\n")
    frames = Framer().feed(out)
    assert [(f.seq, f.output, f.exit_code) for f in frames] == [(1, "hello\n", 0), (2, "no-newline", 3), (3, "", 0)]
    assert all(f.stamp is not None and f.stamp > 1.6e9 for f in frames)


def test_the_loop_keeps_a_command_from_reading_the_batch() -> None:
    out = run_loop("1 cat\n2 echo after\n")
    assert [(f.seq, f.output) for f in Framer().feed(out)] == [(1, ""), (2, "after\n")]


def test_frames_come_out_whatever_the_chunks() -> None:
    text = run_loop("1 echo one\n2 echo two\n")
    for size in (1, 2, 7, 13, len(text)):
        framer, frames = Framer(), []
        for start in range(0, len(text), size):
            frames += framer.feed(text[start:start + size])
        assert [(f.seq, f.output) for f in frames] == [(1, "one\n"), (2, "two\n")], size
        assert framer.pending == ""


def test_an_end_line_without_its_newline_is_not_yet_an_end() -> None:
    framer = Framer()
    assert framer.feed(";; asked at 1.5\nx\n\n;; ==== end 1 0 ====") == []
    assert [f.output for f in framer.feed("\n")] == ["x\n"]


def test_a_stamp_that_is_not_a_number_is_no_stamp() -> None:
    (frame,) = Framer().feed(";; asked at 1700000000.%N\nx\n\n;; ==== end 4 0 ====\n")
    assert frame.stamp is None and frame.output == "x\n"


class Scripted:
    """A websocket's channels, delivering one scripted step per update: (channel, text), 'close' or
    'hang' (nothing arrives). Writes are recorded."""

    def __init__(self, steps: list) -> None:
        self.steps = deque(steps)
        self.written: list[str] = []
        self.buffers: dict[int, str] = {}
        self.open = True
        self.closed = False

    def write_stdin(self, data: str) -> None:
        self.written.append(data)

    def update(self, timeout: float = 0) -> None:
        step = self.steps.popleft() if self.steps else "hang"
        if step == "close":
            self.open = False
        elif step != "hang":
            channel, text = step
            self.buffers[channel] = self.buffers.get(channel, "") + text

    def read_channel(self, channel: int, timeout: float = 0) -> str:
        return self.buffers.pop(channel, "")

    def is_open(self) -> bool:
        return self.open

    def close(self) -> None:
        self.closed = True


def frame(seq: int, text: str, code: int = 0) -> str:
    return f";; asked at 100.{seq}\n{text}\n;; ==== end {seq} {code} ====\n"


def opener(*streams: Scripted):
    pending = deque(streams)
    opened: list[list[str]] = []

    def open_channels(argv: list[str]) -> Scripted:
        opened.append(argv)
        return pending.popleft()
    return open_channels, opened


def test_a_batch_is_written_at_once_and_read_across_partial_frames() -> None:
    whole = frame(1, "a") + frame(2, "b")
    ws = Scripted([(STDOUT, whole[:10]), (STDERR, "warn\n"), (STDOUT, whole[10:30]), (STDOUT, whole[30:])])
    open_channels, opened = opener(ws)
    stream = ProbeStream(open_channels, "pod ns/p")
    batch = stream.ask([["dig", "x", "A"], ["dig", "y.", "AAAA"]], timeout=5)
    assert [(f.seq, f.output, f.stamp) for f in batch.frames] == [(1, "a", 100.1), (2, "b", 100.2)]
    assert ws.written == ["1 dig x A\n2 dig y. AAAA\n"] and opened == [["sh", "-c", LOOP]]
    assert batch.stderr == "warn\n"


def test_commands_are_quoted_for_the_loops_eval() -> None:
    ws = Scripted([(STDOUT, frame(1, ""))])
    ProbeStream(opener(ws)[0], "p").ask([["sh", "-c", "echo $HOME; x"]], timeout=5)
    assert ws.written == ["1 sh -c 'echo $HOME; x'\n"]


def test_a_stream_that_closes_mid_batch_is_broken_and_the_next_batch_opens_another() -> None:
    first = Scripted([(STDOUT, frame(1, "a")), (STDOUT, ";; asked at 1.0\npartial"), (ERROR, "container exited"),
                      "close"])
    second = Scripted([(STDOUT, frame(3, "c") + frame(4, "d"))])
    open_channels, opened = opener(first, second)
    stream = ProbeStream(open_channels, "pod ns/p")
    with pytest.raises(StreamBroken, match=r"closed after 1 of 2 answers: container exited.*partial"):
        stream.ask([["a"], ["b"]], timeout=5)
    assert first.closed
    batch = stream.ask([["c"], ["d"]], timeout=5)
    assert [f.output for f in batch.frames] == ["c", "d"] and len(opened) == 2 and stream.opened == 2


def test_a_command_that_hangs_breaks_the_stream_at_the_batch_timeout() -> None:
    ws = Scripted([(STDOUT, frame(1, "a")), (STDOUT, ";; asked at 1.0\n")])  # then nothing: 'hang'
    stream = ProbeStream(opener(ws)[0], "pod ns/p")
    with pytest.raises(StreamBroken, match=r"gave 1 of 2 answers within 0 s.*asked at"):
        stream.ask([["a"], ["sleep", "99"]], timeout=0.05)
    assert ws.closed


def test_an_error_of_the_websocket_itself_is_a_broken_stream() -> None:
    class Failing(Scripted):
        def update(self, timeout: float = 0) -> None:
            raise ConnectionResetError("reset by peer")

    with pytest.raises(StreamBroken, match="ConnectionResetError: reset by peer"):
        ProbeStream(opener(Failing([]))[0], "p").ask([["a"]], timeout=5)
