"""The soak's counting: outcomes per check across runs, flips between consecutive runs, the table."""

from __future__ import annotations

from headless_conformance.results.cells import Cell, Check
from headless_conformance.results.soak import soak_of


def _cell(name: str, seconds: float, **outcomes: str) -> Cell:
    return Cell(name=name, kubernetes="v1.37.2", ip_family="ipv4", node_image="", kind="", coredns="", report="",
                seconds=seconds, checks={c: Check(level="spec", outcome=o, message=f"{c} said no" if o == "failed"
                                                  else "") for c, o in outcomes.items()})


def test_flips_count_changes_between_consecutive_runs() -> None:
    soak = soak_of([_cell("r1", 100, a="passed", b="passed", x="xfailed"),
                    _cell("r2", 110, a="failed", b="passed", x="xfailed"),
                    _cell("r3", 120, a="passed", b="passed", x="xfailed"),
                    _cell("r4", 130, a="passed", x="xfailed")])
    a, b = soak.checks["a"], soak.checks["b"]
    assert (a.outcomes, a.flips, a.failures, round(a.flip_rate, 3)) == (
        ["passed", "failed", "passed", "passed"], 2, 1, 0.667)
    assert (b.outcomes, b.flips, b.failures) == (["passed", "passed", "passed", "absent"], 1, 1)
    assert soak.checks["x"].flips == soak.checks["x"].failures == 0  # an expected failure is steady
    assert list(soak.unsteady()) == ["a", "b"]
    assert a.messages == ["run r2: a said no"]
    assert soak.seconds == [100, 110, 120, 130]


def test_the_table_names_each_unsteady_check_and_the_durations() -> None:
    table = soak_of([_cell("r1", 100, a="passed"), _cell("r2", 140, a="failed")]).markdown()
    assert table.startswith("2 runs of 1 checks; each run took 100–140 s (median 120 s).")
    assert "| `a` | spec | 1 of 2 | 1 (1.00) | 1 failed, 1 passed | run r2: a said no |" in table


def test_a_steady_soak_says_so() -> None:
    table = soak_of([_cell("r1", 100, a="passed"), _cell("r2", 100, a="passed")]).markdown()
    assert "| every check | | 0 of 2 | 0 | the same in every run | |" in table
    assert soak_of([_cell("r1", 1, a="passed")]).as_dict()["checks"]["a"]["flip_rate"] == 0.0
