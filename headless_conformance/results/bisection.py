"""Bisecting releases: the first release whose outcome differs from the good one's, testing only the
releases it needs (the two ends, then the middle of what is left: log₂ of the range).

A release that cannot be tested (it does not build, or its run made no results) is skipped, as
`git bisect skip` does: the search goes on around it, and if it is what remains between the last
good and the first changed release, the answer names it as untested.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

O = TypeVar("O", bound=Hashable)  # noqa: E741 - an outcome


class NoChange(ValueError):  # noqa: N818 - what the bisect found, not a failure of its own
    """Both ends have the same outcome: there is nothing to find between them."""


@dataclass
class Found(Generic[O]):
    first_changed: str
    last_good: str
    untested: list[str]
    """releases between the two that could not be tested: the change may be in one of them"""
    outcomes: dict[str, O | None] = field(default_factory=dict)
    """every release tested, in the order tested (None: could not be tested)"""


def bisect(releases: list[str], outcome: Callable[[str], O | None]) -> Found[O]:
    """`releases` in order, good first; `outcome(release)` runs it (None: it could not be tested)."""
    if len(releases) < 2:
        raise ValueError("a bisect needs a good and a bad release")
    seen: dict[str, O | None] = {}

    def test(index: int) -> O | None:
        seen[releases[index]] = outcome(releases[index])
        return seen[releases[index]]

    good, bad = test(0), test(len(releases) - 1)
    for end, got in ((releases[0], good), (releases[-1], bad)):
        if got is None:
            raise ValueError(f"{end} could not be tested, so it cannot be an end of the bisect")
    if good == bad:
        raise NoChange(f"{releases[0]} and {releases[-1]} have the same outcome: {good}")
    low, high, skipped = 0, len(releases) - 1, set()
    while True:
        inner = [i for i in range(low + 1, high) if i not in skipped]
        if not inner:
            break
        middle = inner[len(inner) // 2]
        got = test(middle)
        if got is None:
            skipped.add(middle)
        elif got == good:
            low = middle
        else:
            high = middle
    return Found(releases[high], releases[low], [releases[i] for i in range(low + 1, high)], seen)
