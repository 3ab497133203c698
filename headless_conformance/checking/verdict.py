"""When a DNS expectation counts as met, and when a server is proven wrong: every poll kept.

An expectation is polled until every server (the cluster DNS Service and each DNS server behind
it) answers it right. Each poll is kept with the time each server was asked and what it said,
failed polls too. The expectation is met once every server has answered right on consecutive polls
over a hold window (`Hold`: at least 5 polls over at least 1 s) with nothing wrong or failed since:
a server right once and stale again does not pass. A probe that failed (its stream or the API)
heard no server: it breaks the hold but proves nothing against a server.

Truth is judged apart from time. The specification defines records and their TTL, never how fast
they change; a cache that honours a TTL may answer the state before a change for as long as that
TTL. So after the moment the API showed the state expected (or, without a change, the moment the
expectation began), a server that answers wrong is judged by what it answers:
- the state some server answered before that moment (`Earlier`): a cached answer, allowed for the
  TTL it carried plus the budget; past that it is `stale`, a violation;
- anything else (an answer no state had, no answer at all): allowed for the budget only; past it,
  `wrong`, a violation.
How long each server took to answer right is freshness, measured and judged on its own
(`lags_by_server`); an expectation still within a cached answer's TTL at the timeout has no
verdict on its records (`undecided`), only on its freshness.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Answered:
    """One server's answer to one poll's questions."""

    server: str  # "service" (the cluster DNS Service as pods use it) or a DNS server's address
    at: float  # when its first question was asked (this machine's clock)
    right: bool
    said: str  # what it answered, briefly; for a wrong answer why it is wrong
    # what it answered to each question, whatever was expected (the same answer, the same state), with how
    # long a cache may keep that answer (its longest record TTL; RFC 2308 for none), and whether it was right
    states: tuple[tuple[str, int | None, bool], ...] = ()


@dataclass(frozen=True)
class Earlier:
    """A state some server answered, and when first: before a change's moment, an answer a cache may keep."""

    first: float
    ttl: int | None  # the longest TTL it carried


@dataclass(frozen=True)
class Violation:
    kind: str  # "wrong": an answer no earlier state had; "stale": an earlier state kept past its TTL
    message: str


@dataclass(frozen=True)
class Poll:
    first: float  # when its first and last questions were asked (this machine's clock)
    last: float
    answers: tuple[Answered, ...] = ()
    error: str = ""  # the probe failed: no server was heard

    @property
    def right(self) -> bool:
        return not self.error and bool(self.answers) and all(a.right for a in self.answers)

    def wrong(self) -> list[Answered]:
        return [a for a in self.answers if not a.right]


@dataclass(frozen=True)
class Hold:
    """How long every server must go on answering right before an expectation counts as met."""

    polls: int = 5
    seconds: float = 1.0

    def __str__(self) -> str:
        return f"{self.polls} polls over {self.seconds:g} s"


@dataclass(frozen=True)
class Deadline:
    since: float  # this machine's clock
    what: str  # what happened then, e.g. "the EndpointSlices showed pod x turning unready"
    budget: float | None  # seconds; None: no budget, only the timeout
    change: bool = True  # the API changed then: an answer from before it may be a cached one

    @property
    def due(self) -> float | None:
        return None if self.budget is None else self.since + self.budget


@dataclass
class Expectation:
    expected: str
    deadline: Deadline
    hold: Hold = field(default_factory=Hold)
    stays: bool = False  # already true before the change: must hold past the deadline, not just converge
    polls: list[Poll] = field(default_factory=list)
    _streak_from: int = field(default=0, repr=False)  # index of the first right poll since the last wrong one

    def record(self, poll: Poll) -> None:
        self.polls.append(poll)
        if not poll.right:
            self._streak_from = len(self.polls)

    def streak(self) -> list[Poll]:
        """The right polls since the last wrong or failed one."""
        return self.polls[self._streak_from:]

    def held(self) -> bool:
        run = self.streak()
        if len(run) < self.hold.polls or run[-1].last - run[0].first < self.hold.seconds:
            return False
        due = self.deadline.due
        return not self.stays or due is None or run[-1].first > due

    def late(self, earlier: Mapping[str, Earlier] | None = None) -> Violation | None:
        """The verdict on the records, once the last poll heard a server answer wrong past what it
        is allowed (None before): an earlier state (in `earlier`, first seen before the deadline's
        moment) its TTL plus the budget, anything else the budget."""
        due = self.deadline.due
        if due is None or not self.polls:
            return None
        last = self.polls[-1]
        own, stale = [], []
        for answered in (a for a in last.wrong() if a.at > due):
            kept = self._kept(answered, earlier)
            if kept is None:
                own.append(answered)
            elif answered.at > self.deadline.since + (kept.ttl or 0) + (self.deadline.budget or 0):
                stale.append((answered, kept))
        since = self.deadline.since
        if own:
            after = max(a.at for a in own) - since
            return Violation("wrong", f"{len(own)} of {len(last.answers)} servers answered wrong {after:.1f} s "
                                      f"after {self.deadline.what}, past the budget of {self.deadline.budget:g} s "
                                      "(not the state before it, which a cache may keep for its TTL): "
                             + " | ".join(f"{a.server}: {a.said}" for a in own))
        if stale:
            after = max(a.at for a, _ in stale) - since
            ttls = sorted({k.ttl or 0 for _, k in stale})
            return Violation("stale", f"{len(stale)} of {len(last.answers)} servers still answered the state "
                                      f"before {self.deadline.what} {after:.1f} s after it, past its TTL "
                                      f"({'/'.join(map(str, ttls))} s) plus the budget of "
                                      f"{self.deadline.budget:g} s: "
                             + " | ".join(f"{a.server}: {a.said}" for a, _ in stale))
        return None

    def _kept(self, answered: Answered, earlier: Mapping[str, Earlier] | None) -> Earlier | None:
        """Where every wrong answer in `answered` repeats one some server gave before the deadline's
        moment: since when, and the longest TTL those answers carried (None where one is new)."""
        if not answered.states or not self.deadline.change:
            return None
        kept = [(earlier or {}).get(state) for state, _, right in answered.states if not right]
        if not kept or any(k is None or k.first >= self.deadline.since for k in kept):
            return None
        return Earlier(min(k.first for k in kept if k), max((k.ttl for k in kept if k and k.ttl is not None),
                                                             default=None))

    def cached_until(self, earlier: Mapping[str, Earlier] | None = None) -> float | None:
        """Where every server still wrong answers the state before the change: until when a cache may
        keep it (the deadline's moment plus its longest TTL plus the budget); None otherwise."""
        if not self.polls or self.held():
            return None
        wrong = self.polls[-1].wrong()
        kept = [self._kept(a, earlier) for a in wrong]
        if not wrong or any(k is None for k in kept):
            return None
        return self.deadline.since + max(k.ttl or 0 for k in kept if k) + (self.deadline.budget or 0)

    def undecided(self, earlier: Mapping[str, Earlier] | None = None) -> str:
        """Why the records have no verdict yet ("" if they have one, or are right): every server still
        wrong answers the state before the change, within that answer's TTL plus the budget."""
        until = self.cached_until(earlier)
        if until is None:
            return ""
        ttl = round(until - self.deadline.since - (self.deadline.budget or 0))
        return (f"{len(self.polls[-1].wrong())} of {len(self.polls[-1].answers)} servers still answered the state "
                f"before {self.deadline.what}, which a cache may keep for its TTL ({ttl} s) plus the budget: the "
                f"records have no verdict before the timeout; their freshness does (a --dns-timeout past {ttl} s "
                "plus the budget would judge the records too)")

    def lag(self) -> float | None:
        """From the deadline's moment until the poll that began the final right streak had asked,
        where a server was seen wrong before it (so the change is bracketed); None where every
        server was already right when first asked (the lag is then only known to be shorter)."""
        run = self.streak()
        if not run or not any(p.wrong() for p in self.polls[:len(self.polls) - len(run)]):
            return None
        return max(run[0].last - self.deadline.since, 0.0)

    def lags_by_server(self) -> dict[str, float]:
        """Each server that answered wrong after the deadline's moment and then right to the end: how
        long after that moment its final run of right answers began."""
        found = {}
        for server in dict.fromkeys(a.server for p in self.polls for a in p.answers):
            mine = [(p, next((a for a in p.answers if a.server == server), None)) for p in self.polls if not p.error]
            mine = [(p, a) for p, a in mine if a is not None]
            if not mine or not mine[-1][1].right:
                continue
            start = len(mine)
            while start > 0 and mine[start - 1][1].right:
                start -= 1
            if start > 0:  # seen wrong before its final right run: the lag is bracketed
                found[server] = max(mine[start][1].at - self.deadline.since, 0.0)
        return found

    def first_asked(self) -> float:
        """How long after the deadline's moment the first poll asked."""
        return (self.polls[0].first - self.deadline.since) if self.polls else 0.0

    def last_wrong(self) -> str:
        """What the last poll found wrong, server by server."""
        if not self.polls:
            return "no poll"
        last = self.polls[-1]
        if last.error:
            return f"the probe failed: {last.error}"
        return " | ".join(f"{a.server}: {a.said}" for a in last.wrong()) or "every server answered right"

    def timeline(self) -> str:
        """Each server's answers over the polls, runs of the same outcome folded, timed from the
        deadline's moment: 'service: wrong ×2 (+0.1…+0.9 s), right ×3 (+1.4…+2.6 s)'."""
        t0 = self.deadline.since
        servers = list(dict.fromkeys(a.server for p in self.polls for a in p.answers))
        lines = []
        for server in servers:
            runs: list[list] = []  # [outcome, count, first, last, said]
            for poll in self.polls:
                found = next((a for a in poll.answers if a.server == server), None)
                outcome, at, said = ("probe failed", poll.first, poll.error) if found is None else (
                    "right" if found.right else "wrong", found.at, found.said)
                if runs and runs[-1][0] == outcome and (outcome == "right" or runs[-1][4] == said):
                    runs[-1][1] += 1
                    runs[-1][3] = at
                else:
                    runs.append([outcome, 1, at, at, said])
            parts = []
            for outcome, count, first, last, said in runs:
                when = f"+{first - t0:.1f} s" if count == 1 else f"+{first - t0:.1f}…+{last - t0:.1f} s"
                detail = f": {said}" if outcome != "right" and said else ""
                parts.append(f"{outcome} ×{count} ({when}){detail}")
            lines.append(f"  {server}: " + ", ".join(parts))
        return f"answers since {self.deadline.what}:\n" + "\n".join(lines)
