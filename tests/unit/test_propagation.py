"""Freshness: how long after the API showed a change each server reflected it, against its budget."""

from __future__ import annotations

import pytest

from headless_conformance.checking.propagation import Freshness, Lags, Reflected


@pytest.mark.parametrize(("values", "summary"), [
    ((), "no change measured"),
    ((0.5, 1.5, 4.0), "median 1.50 s, 95th percentile 3.75 s, max 4.00 s over 3 changes where a server was seen "
                      "behind"),
])
def test_lags_summary(values: tuple[float, ...], summary: str) -> None:
    assert Lags(values).summary() == summary


def test_changes_already_reflected_when_first_asked_are_counted_apart() -> None:
    assert Lags((0.5,), already=4).summary() == ("median 0.50 s, 95th percentile 0.50 s, max 0.50 s over 1 changes "
                                                 "where a server was seen behind; 4 more already reflected when first "
                                                 "asked")
    assert Lags((), already=2).summary() == "no server seen behind; 2 more already reflected when first asked"


def test_lag_figures_for_a_column_of_the_matrix() -> None:
    assert Lags(()).figures() == {}
    assert Lags((), 3).figures() == {"changes": 3, "stale": 0}
    assert Lags((2.0,), 1).figures() == {"median": 2.0, "p95": 2.0, "max": 2.0, "changes": 2, "stale": 1}
    figures = Lags(tuple(float(s) for s in range(1, 21))).figures()
    assert figures == {"median": 10.5, "p95": 19.05, "max": 20.0, "changes": 20, "stale": 20}


def test_poll_figures_give_the_round_trip_in_ms_and_the_polls_per_expectation() -> None:
    from headless_conformance.checking.propagation import PollFigures

    figures = PollFigures((0.03, 0.05, 0.04, 0.2), (6, 9, 7)).figures()
    assert figures == {"batches": 4, "round_trip_median_ms": 45, "round_trip_p95_ms": 178, "expectations": 3,
                       "polls_median": 7, "polls_max": 9}
    assert PollFigures((), ()).figures() == {} and PollFigures((), ()).summary() == "nothing polled"
    assert PollFigures((0.05,), (5,)).summary() == ("round trip median 50 ms, 95th percentile 50 ms over 1 batches; "
                                                    "5 polls per expectation (median; max 5) over 1")


RUN = Freshness(5.0, (Reflected("suites/a.py::test_x", "pod a turning unready", {"service": 1.2, "10.244.0.3": 0.8}),
                      Reflected("suites/a.py::test_y", "scaling to 0", {"service": 31.0, "10.244.0.3": 0.5})),
                already=3)


def test_a_change_is_late_where_its_slowest_server_passed_the_budget() -> None:
    assert [r.check for r in RUN.late()] == ["suites/a.py::test_y"]


def test_each_layer_of_the_path_has_its_lags() -> None:
    layers = RUN.by_layer()
    assert layers["the cluster DNS Service (the path pods use)"].values == (1.2, 31.0)
    assert layers["each DNS server behind it, asked directly"].values == (0.8, 0.5)


def test_freshness_goes_through_the_results_file_unchanged() -> None:
    assert Freshness.from_dict(RUN.as_dict()) == RUN


def test_the_freshness_chart_draws_each_layer_with_the_budget() -> None:
    from headless_conformance.results.freshness_chart import freshness_svg

    svg = freshness_svg(RUN)
    assert svg.startswith("<svg") and svg.count("<circle") == 4 and "5 s</text>" in svg
    assert "the cluster DNS Service (the path pods use): 31.00 s" in svg
    assert freshness_svg(Freshness(5.0, already=3)) == ""
