"""A run's progress read from its output, whatever its verbosity, and upstream's from ginkgo's."""

from __future__ import annotations

from headless_conformance.results.run_output import SuiteProgress, ginkgo_progress


def read(*lines: str) -> SuiteProgress:
    progress = SuiteProgress()
    for line in lines:
        progress.read(line + "\n")
    return progress


def test_verbose_xdist_lines_count_checks_and_failures() -> None:
    progress = read("[headless-conformance] creating kind cluster hc-matrix-1-37-ipv4 from node:v1.37.2")
    assert str(progress) == "[headless-conformance] creating kind cluster hc-matrix-1-37-ipv4 from node:v1.37.2"
    progress = read("[gw2] [  5%] PASSED suites/test_ports.py::test_udp_port",
                    "[gw0] [ 10%] FAILED suites/test_ports.py::test_unnamed_port",
                    "[gw1] [ 12%] SKIPPED suites/test_dual_stack.py::test_pairs")
    assert (str(progress), progress.done) == ("12% of checks done, 1 failed", 3)


def test_verbose_serial_lines_count_too() -> None:
    progress = read("suites/test_ports.py::test_udp_port PASSED                [  5%]",
                    "suites/test_ports.py::test_x XPASS (known bug)           [  9%]")
    assert (str(progress), progress.done) == ("9% of checks done, 1 failed", 2)


def test_quiet_lines_count_each_mark() -> None:
    progress = read("bringing up nodes...", "", "....s...F.. [ 18%]", "........ [ 31%]", "..x")
    assert (str(progress), progress.done) == ("31% of checks done, 1 failed", 22)
    assert str(read("created: 4/4 workers")) == "starting"


def test_ginkgo_progress_counts_specs_passed_and_failed() -> None:
    ginkgo = "[1795] Kubernetes e2e suite - 34/3206 specs - 4 procs SSS•SS•S\n  [FAIL] [sig-network] DNS x\nSS•"
    assert ginkgo_progress(ginkgo) == "3 specs passed of 34, 1 failed"


def test_quiet_marks_count_before_their_line_ends() -> None:
    progress = SuiteProgress()
    progress.feed("[headless-conformance] running the checks\n....")
    assert str(progress) == "4 checks done"
    progress.feed("F.")
    assert str(progress) == "6 checks done, 1 failed"
    progress.feed(" [ 50%]\n..")
    assert (str(progress), progress.done) == ("8 checks done, 1 failed", 6)
