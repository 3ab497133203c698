"""Stop `scripts/conformance` the ways users and CI do, and check that nothing is left behind.

For each signal (SIGINT to the process group, as Ctrl-C sends it; SIGTERM to the process, as
`timeout` sends it; SIGTERM to the process group, as CI runners cancel) and each moment (while
the kind cluster is being created, in the middle of the checks, while the reports are written,
while the cluster is being deleted),
it starts a run, waits for that moment in the run's output, sends the signal, and then reports
how long the run took to exit and whatever it left: kind clusters, node containers, run
directories. Exit status 1 when any case left something or did not exit within the deadline.

    headless-conformance interrupts [--only SIGNAL@MOMENT ...] [-- OPTIONS FOR THE RUNS]

The runs take only the cluster's own checks (`-m cluster`) unless other options are given: three
checks are enough to reach every moment, and a whole suite before each signal would not test more.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from common.signals import process_alive

ROOT = Path(__file__).resolve().parent.parent

CLUSTER = "hc-interrupt"
# the moment a case waits for, as a line of the run's output
MOMENTS = {
    "cluster-creation": re.compile(r"Preparing nodes"),
    "mid-check": re.compile(r"^\[gw\d+\] \[\s*\d+%\] (PASSED|FAILED)"),
    "report-writing": re.compile(r"100%\]"),
    "cluster-deletion": re.compile(r"deleting kind cluster"),
}
SIGNALS = {"SIGINT-group": (signal.SIGINT, True), "SIGTERM-process": (signal.SIGTERM, False),
           "SIGTERM-group": (signal.SIGTERM, True)}
EXIT_DEADLINE_S = 120
SELECTION = ["-m", "cluster"]


def leftovers() -> list[str]:
    found = []
    ps = subprocess.run(["docker", "ps", "-a", "--filter", f"label=io.x-k8s.kind.cluster={CLUSTER}",
                         "--format", "{{.Names}}"], capture_output=True, text=True).stdout.split()
    found += [f"container {name}" for name in ps]
    for run_dir in Path(tempfile.gettempdir()).glob("headless-conformance-run-*"):
        pid = int(run_dir.name.split("-")[3])
        if not process_alive(pid):  # a live process's directory is another run's, not a leftover
            found.append(f"run directory {run_dir}")
    return found


def one(signal_name: str, moment: str, extra: list[str]) -> tuple[bool, str]:
    signum, to_group = SIGNALS[signal_name]
    log = Path(tempfile.gettempdir()) / f"interrupt-{signal_name}-{moment}.log"
    argv = [str(ROOT / "scripts" / "conformance"), "--cluster-name", CLUSTER, "--report-name",
            f"interrupt-{signal_name}-{moment}", *extra]
    with log.open("w") as out:
        # Ctrl-C reaches a process group whose members take SIGINT's default action, which a shell
        # running this in the background would have set to "ignore": restore it in the child
        proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                start_new_session=True,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        assert proc.stdout is not None
        sent_at = None
        for line in proc.stdout:
            out.write(line)
            if sent_at is None and MOMENTS[moment].search(line):
                (os.killpg if to_group else os.kill)(proc.pid, signum)
                sent_at = time.monotonic()
        proc.wait()
    if sent_at is None:
        return False, f"the run ended before the moment '{moment}' (log {log})"
    took = time.monotonic() - sent_at
    left = leftovers()
    if left:  # so that one case's leftovers do not spoil the next
        subprocess.run(["docker", "rm", "--force", "--volumes",
                        *[item.split(" ", 1)[1] for item in left if item.startswith("container ")]],
                       capture_output=True)
        for item in left:
            if item.startswith("run directory "):
                shutil.rmtree(item.split(" ", 2)[2], ignore_errors=True)
    ok = not left and took <= EXIT_DEADLINE_S
    detail = f"exit {proc.returncode} {took:5.1f}s after the signal; " + (
        "nothing left" if not left else "LEFT: " + ", ".join(left)) + f" (log {log})"
    if not ok:  # the run's own last words on its cleanup say why
        notes = [line.rstrip() for line in log.read_text().splitlines() if line.startswith("[headless-conformance]")]
        detail += "".join(f"\n       {line}" for line in notes[-3:])
    return ok, detail


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="headless-conformance interrupts", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", default=None, help="cases as SIGNAL@MOMENT, e.g. SIGTERM-group@mid-check")
    parser.add_argument("extra", nargs="*", default=SELECTION,
                        help=f"options for scripts/conformance (after --; default: {' '.join(SELECTION)})")
    args = parser.parse_args(argv)
    cases = [(s, m) for m in MOMENTS for s in SIGNALS]
    if args.only:
        cases = [tuple(c.split("@", 1)) for c in args.only]  # type: ignore[misc]
    failures = 0
    for signal_name, moment in cases:
        ok, detail = one(signal_name, moment, ["-n", "4", "-v", *args.extra])
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {signal_name:16s} {moment:17s} {detail}", flush=True)
    return 1 if failures else 0
