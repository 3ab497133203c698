"""The bisect's order (the ends, then the middle of what is left), its skips, and the releases
between two as the module proxy serves them."""

from __future__ import annotations

import pytest

from headless_conformance.results.bisection import NoChange, bisect
from imagebuild.coredns_releases import kubernetes_lines, releases_between

RELEASES = ["v1.12.1", "v1.12.2", "v1.12.3", "v1.12.4", "v1.13.0", "v1.13.1"]
SERVED = {*RELEASES, "v1.11.3", "v1.11.4", "v1.12.0"}


def outcomes(changed_at: str, untestable: tuple[str, ...] = ()):  # noqa: ANN201
    tested: list[str] = []

    def outcome(release: str) -> str | None:
        tested.append(release)
        if release in untestable:
            return None
        return "xfailed" if RELEASES.index(release) < RELEASES.index(changed_at) else "passed"
    return outcome, tested


def test_the_ends_first_then_the_middle_of_what_is_left() -> None:
    outcome, tested = outcomes("v1.12.3")
    found = bisect(RELEASES, outcome)
    assert (found.first_changed, found.last_good, found.untested) == ("v1.12.3", "v1.12.2", [])
    assert tested == ["v1.12.1", "v1.13.1", "v1.12.4", "v1.12.3", "v1.12.2"]
    assert list(found.outcomes) == tested


@pytest.mark.parametrize("changed_at", RELEASES[1:])
def test_every_place_of_the_change_is_found_in_at_most_log2_steps_after_the_ends(changed_at: str) -> None:
    outcome, tested = outcomes(changed_at)
    assert bisect(RELEASES, outcome).first_changed == changed_at
    assert len(tested) <= 2 + 3


def test_a_release_that_cannot_be_tested_is_skipped_and_named_when_it_is_all_that_is_left() -> None:
    outcome, _ = outcomes("v1.12.3", untestable=("v1.12.4",))
    assert bisect(RELEASES, outcome).first_changed == "v1.12.3"
    outcome, _ = outcomes("v1.12.3", untestable=("v1.12.2",))
    found = bisect(RELEASES, outcome)
    assert (found.first_changed, found.last_good, found.untested) == ("v1.12.3", "v1.12.1", ["v1.12.2"])


def test_ends_with_the_same_outcome_have_nothing_to_find() -> None:
    with pytest.raises(NoChange, match="v1.12.1 and v1.13.1 have the same outcome: passed"):
        bisect(RELEASES, lambda release: "passed")


def test_the_releases_between_two_are_each_minors_served_patches() -> None:
    assert releases_between("v1.12.1", "v1.13.1", SERVED.__contains__) == RELEASES
    assert releases_between("v1.11.3", "v1.12.1", SERVED.__contains__) == ["v1.11.3", "v1.11.4", "v1.12.0",
                                                                           "v1.12.1"]
    with pytest.raises(ValueError, match="does not serve CoreDNS v1.12.9"):
        releases_between("v1.12.1", "v1.12.9", SERVED.__contains__)
    with pytest.raises(ValueError, match="v1.13.1 is not older than v1.12.1"):
        releases_between("v1.13.1", "v1.12.1", SERVED.__contains__)


def test_the_notes_lines_about_the_kubernetes_plugin() -> None:
    notes = ("# Notes\nThis release improves plugin reliability.\n"
             "* plugin/forward: Fix a race (https://github.com/coredns/coredns/pull/7000)\n"
             "* plugin/kubernetes: Properly create hostname from IPv6 (https://github.com/coredns/coredns/pull/7431)\n")
    assert kubernetes_lines(notes) == [
        "* plugin/kubernetes: Properly create hostname from IPv6 (https://github.com/coredns/coredns/pull/7431)"]
