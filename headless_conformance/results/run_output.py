"""What a run printed and wrote, read back: how far a run of the suite is from its output lines
(`-q` or `-v`, with or without xdist), how far upstream's ginkgo run is, and one suite's outcome
counted from its JUnit files (this suite's and upstream's alike)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path

from headless_conformance.results.matrix import level_rank

WORDS = ("PASSED", "FAILED", "ERROR", "SKIPPED", "XFAIL", "XPASS")
FAILING = {"FAILED", "ERROR", "XPASS", "F", "E", "X"}


class SuiteProgress:
    """What a run of the suite has done so far, read from its output line by line."""

    VERBOSE = re.compile(rf"\b({'|'.join(WORDS)})\b.*?\[\s*(\d+)%\]\s*$|\[\s*(\d+)%\] ({'|'.join(WORDS)})\b")
    QUIET = re.compile(r"^([.FEsxX]+)(?:\s+\[\s*(\d+)%\])?\s*$")

    def __init__(self) -> None:
        self.percent = 0
        self.done = 0
        self.failed = 0
        self.stage = "starting"
        self._partial = ""  # the line being written: -q writes a check's mark as it ends, the newline later

    def feed(self, chunk: str) -> None:
        """Output as it comes, in pieces of any size."""
        *lines, self._partial = (self._partial + chunk).split("\n")
        for line in lines:
            self.read(line)

    def read(self, line: str) -> None:
        text = line.strip()
        quiet = self.QUIET.match(text)
        verbose = None if quiet else self.VERBOSE.search(text)
        if quiet:
            marks = quiet.group(1)
            self.done += len(marks)
            self.failed += sum(marks.count(c) for c in "FEX")
            self.percent = int(quiet.group(2)) if quiet.group(2) else self.percent
            self.stage = "checks"
        elif verbose:
            word = verbose.group(1) or verbose.group(4)
            self.percent = int(verbose.group(2) or verbose.group(3))
            self.done += 1
            self.failed += word in FAILING
            self.stage = "checks"
        elif text.startswith(("[headless-conformance]", "[imagebuild]")):
            self.stage = text[:100]

    def __str__(self) -> str:
        marks = self.QUIET.match(self._partial.strip())
        done, failed = self.done, self.failed
        if marks:
            done += len(marks.group(1))
            failed += sum(marks.group(1).count(c) for c in "FEX")
        if self.stage != "checks" and not marks:
            return self.stage
        share = f"{self.percent}% of checks" if self.percent and done == self.done else f"{done} checks"
        return f"{share} done" + (f", {failed} failed" if failed else "")


def ginkgo_progress(text: str) -> str:
    """Ginkgo's succinct output marks each spec done: • passed, [FAIL] failed."""
    total = re.search(r" - (\d+)/\d+ specs", text)
    body = text.split(" procs ", 1)[-1]
    passed, failed = body.count("•"), len(re.findall(r"^\s*\[FAIL\]", body, re.M))
    return f"{passed} specs passed{f' of {total.group(1)}' if total else ''}" + (f", {failed} failed" if failed else "")


@dataclass
class Outcome:
    """One suite's run: wall time, how many of its checks ran, passed, failed, and which failed."""

    suite: str
    seconds: float
    ran: int
    passed: int
    failed: int
    failures: list[str] = field(default_factory=list)  # assertion failures first, then setup errors
    error: str = ""
    setup_errors: int = 0  # failed before their probe ran (a fixture: a rollout, a claim): no record was checked
    failed_levels: dict[str, int] = field(default_factory=dict)  # this suite's failures past setup, by level

    def line(self) -> str:
        rate = f", {self.ran / (self.seconds / 60):.1f} per minute" if self.seconds else ""
        text = f"{self.suite}: {self.passed} of {self.ran} passed, {self.failed} failed in {self.seconds:.0f} s{rate}"
        return text + (f" ({self.error})" if self.error else "")


def junit_outcome(suite: str, paths: list[Path], seconds: float, error: str = "") -> Outcome:
    """Counts from JUnit files: a test case skipped did not run; failures and errors failed, pytest's
    errors "on setup" counted apart and named after the rest, the others by their level property
    (this suite's; upstream's have none). Ginkgo's suite nodes ([SynchronizedBeforeSuite],
    [ReportAfterSuite] ...) are no specs: counted only failed."""
    ran = passed = 0
    failures: list[str] = []
    setup_errors: list[str] = []
    levels: dict[str, int] = {}
    for path in paths:
        for case in ElementTree.parse(path).getroot().iter("testcase"):
            raised = case.find("error")
            failed = case.find("failure") is not None or raised is not None
            suite_node = case.get("name", "").startswith("[") and not case.get("name", "").startswith("[It]")
            if case.find("skipped") is not None or (suite_node and not failed):
                continue
            ran += 1
            in_setup = case.find("failure") is None and raised is not None \
                and (raised.get("message") or "").startswith("failed on setup")
            level = next((p.get("value") for p in case.iter("property") if p.get("name") == "level"), None)
            if in_setup:
                setup_errors.append(case.get("name", "?"))
            elif failed:
                failures.append(case.get("name", "?").removeprefix("[It] "))
                if level:
                    levels[level] = levels.get(level, 0) + 1
            else:
                passed += 1
    ordered = sorted(levels, key=lambda lv: (level_rank(lv), lv))
    return Outcome(suite, round(seconds, 1), ran, passed, len(failures) + len(setup_errors),
                   failures + setup_errors, error, len(setup_errors), {lv: levels[lv] for lv in ordered})
