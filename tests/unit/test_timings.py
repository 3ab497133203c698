from headless_conformance.results.timings import Row, durations_of, speed_markdown

OUTPUT = """\
============================= slowest durations ==============================
130.12s call     suites/test_readiness.py::test_an_unready_pod_leaves_every_answer
41.00s setup    suites/test_statefulset.py::test_each_ordinal_name_resolves_to_its_pod
12.50s call     suites/test_statefulset.py::test_each_ordinal_name_resolves_to_its_pod
0.90s teardown suites/test_statefulset.py::test_each_ordinal_name_resolves_to_its_pod
=========== 70 passed, 7 skipped, 2 xfailed in 1700.10s (0:28:20) ============
"""


def test_durations_are_read_by_test_and_phase():
    found = durations_of(OUTPUT)
    ordinal = "suites/test_statefulset.py::test_each_ordinal_name_resolves_to_its_pod"
    assert found.phases[ordinal] == {"setup": 41.0, "call": 12.5, "teardown": 0.9}
    assert found.total == 130.12 + 41.0 + 12.5 + 0.9
    assert found.phase_total("setup") == 41.0
    assert found.longest("call", 1) == [("suites/test_readiness.py::test_an_unready_pod_leaves_every_answer", 130.12)]


def test_the_table_compares_each_run_of_the_suite_with_the_serial_one():
    rows = [Row("cluster", 34.0), Row("the suite, serially", 1700.0, "70 passed", 0),
            Row("the suite, `-n 4`", 425.0, "70 passed", 4)]
    text = speed_markdown(rows, durations_of(OUTPUT), "One run:")
    assert "| cluster | 34 s |  |  |  |" in text
    assert "| the suite, serially | 1700 s | 1.00 |  | 70 passed |" in text
    assert "| the suite, `-n 4` | 425 s | 0.25 |  | 70 passed |" in text
    assert "The longest checks: `test_an_unready_pod_leaves_every_answer` 130 s, " in text
    assert "setups (a scenario rolled out for the first check that uses it): `test_each_ordinal" in text


def test_without_durations_there_is_only_the_table():
    assert "Where" not in speed_markdown([Row("cluster", 34.0)], None, "One run:")


def test_a_faulted_run_is_compared_with_the_healthy_run_of_as_many_workers():
    rows = [Row("the suite, serially", 1000.0, "", 0), Row("the suite, `-n 4`", 400.0, "", 4),
            Row("the suite, `-n 4`, under `x`", 500.0, "", 4, "x")]
    text = speed_markdown(rows, None, "One run:")
    assert "| the suite, `-n 4`, under `x` | 500 s | 1.25 of `-n 4` |  |  |" in text
    assert "| the suite, `-n 4` | 400 s | 0.40 |  |  |" in text


def test_a_runs_dns_polls_are_shown_beside_it():
    polls = {"batches": 900, "round_trip_median_ms": 45, "round_trip_p95_ms": 178, "expectations": 120,
             "polls_median": 7, "polls_max": 31}
    text = speed_markdown([Row("the suite, `-n 4`", 90.0, "79 passed", 4, polls=polls)], None, "One run:")
    assert "| the suite, `-n 4` | 90 s |  | 45 / 178 ms; 7 polls (max 31) | 79 passed |" in text
