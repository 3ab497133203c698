"""The one way a command runs the suite: pytest on suites/ as a child process (in its own process
group, so that what it starts stops with it), its output kept in a log as it comes, how far it is
said on a clock (a long check prints nothing for minutes), and — if the command is interrupted or
leaves the block early — stopped with SIGTERM, on which the run deletes what it made. Its result is
one `SuiteResult`: exit status, seconds, and the cell the run wrote (reports/<name>.json)."""

from __future__ import annotations

import codecs
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TextIO

from common.signals import stop
from headless_conformance.provisioning.request import Say
from headless_conformance.results.cells import Cell
from headless_conformance.results.run_output import SuiteProgress

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports"
PROGRESS_EVERY_S = 30.0
STOP_GRACE_S = 180.0  # a run stopped deletes its cluster or namespaces first


def suite_argv(options: list[str]) -> list[str]:
    """The pytest command of the suite with `options`."""
    return [sys.executable, "-m", "pytest", "suites", "-p", "no:cacheprovider", *options]


@dataclass(frozen=True)
class SuiteResult:
    report_name: str
    status: int
    seconds: float
    log: Path
    cell: Cell | None  # None: the run wrote no results (see `error`)
    error: str = ""  # why there is no cell: the run's last ERROR line, or its exit status

    @property
    def junit(self) -> Path:
        return REPORTS / f"{self.report_name}.xml"


class SuiteRun:
    """One run of the suite, started on entering the block and stopped on leaving it if it still
    runs; `wait()` waits for its end and returns its result."""

    def __init__(self, report_name: str, options: list[str], log: Path, say: Say, label: str = "the suite") -> None:
        self.report_name, self.log, self.say, self.label = report_name, log, say, label
        self.argv = suite_argv(["--report-name", report_name, *options])
        self.progress = SuiteProgress()
        self._proc: subprocess.Popen[bytes] | None = None
        self._ended = threading.Event()
        self._started = self._seconds = 0.0

    def __enter__(self) -> SuiteRun:
        (REPORTS / f"{self.report_name}.json").unlink(missing_ok=True)
        self.log.parent.mkdir(parents=True, exist_ok=True)
        out = self.log.open("w")
        self._started = time.monotonic()
        self._proc = subprocess.Popen(self.argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                      start_new_session=True)
        threading.Thread(target=self._copy, args=(out,), daemon=True).start()
        threading.Thread(target=self._tell, daemon=True).start()
        return self

    def _copy(self, out: TextIO) -> None:
        """The output as it comes (not line by line: -q ends a line only every few dozen checks), into
        the log, flushed, so that it can be followed while the run goes on."""
        assert self._proc is not None and self._proc.stdout is not None
        decode = codecs.getincrementaldecoder("utf-8")(errors="replace")
        try:
            with out:
                while chunk := self._proc.stdout.read1(65536):  # type: ignore[attr-defined]
                    text = decode.decode(chunk)
                    out.write(text)
                    out.flush()
                    self.progress.feed(text)
        finally:  # whatever ended the copy, `wait()` must not wait for ever
            self._proc.wait()
            self._seconds = time.monotonic() - self._started
            self._ended.set()

    def _tell(self) -> None:
        while not self._ended.wait(PROGRESS_EVERY_S):
            self.say(f"{self.label}: {time.monotonic() - self._started:.0f} s: {self.progress}")

    def wait(self) -> SuiteResult:
        assert self._proc is not None
        self._ended.wait()
        status = self._proc.returncode
        path = REPORTS / f"{self.report_name}.json"
        if path.exists():
            return SuiteResult(self.report_name, status, self._seconds, self.log, Cell.load(path))
        lines = self.log.read_text(errors="replace").splitlines() if self.log.exists() else []
        errors = [ln for ln in lines if ln.startswith("ERROR:") or "error:" in ln]
        return SuiteResult(self.report_name, status, self._seconds, self.log, None,
                           errors[-1] if errors else f"the run exited {status} without results")

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._proc is not None and not self._ended.is_set():
            stop(self._proc, group=True, grace_s=STOP_GRACE_S)
            self._ended.wait(10)


def run_suite(report_name: str, options: list[str], log: Path, say: Say, label: str = "the suite") -> SuiteResult:
    """The suite with `options`, to its end (stopped if this command is interrupted)."""
    with SuiteRun(report_name, options, log, say, label) as run:
        return run.wait()
