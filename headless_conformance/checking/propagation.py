"""How soon DNS must reflect a change, and how soon it did: freshness, judged apart from the records.

The specification defines records and their TTL, never how fast they change. The suite judges
records by its text (headless_conformance.checking.verdict: a cached answer may outlive a change by its
TTL); how long after the API showed a change each server answered accordingly is freshness, held
to a budget of its own (`DEFAULT_BUDGET_S`, the DNS-programming-latency figure upstream's SIG
Scalability SLI defines and never set). A lag is measured from the moment the API's EndpointSlices
show the change to the first poll of each server's final run of right answers.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

DEFAULT_BUDGET_S = 5.0
LAYERS = {"service": "the cluster DNS Service (the path pods use)"}  # any other server: a DNS server asked directly
SERVERS_LAYER = "each DNS server behind it, asked directly"


@dataclass(frozen=True)
class Budget:
    seconds: float
    reason: str

    def __str__(self) -> str:
        return f"{self.seconds:g} s ({self.reason})"


@dataclass(frozen=True)
class Budgets:
    """The budget for names in the cluster zone, and for reverse names."""

    zone: Budget
    reverse: Budget

    def for_name(self, name: str) -> Budget:
        lowered = name.lower().rstrip(".")
        return self.reverse if lowered.endswith(("in-addr.arpa", "ip6.arpa")) else self.zone


def layer(server: str) -> str:
    """The layer of the path a server's answers stand for."""
    return LAYERS.get(server, SERVERS_LAYER)


@dataclass(frozen=True)
class Reflected:
    """One change, as a check measured it: how long after the API showed it each server that was
    seen wrong first answered right for good."""

    check: str
    what: str
    servers: dict[str, float]

    @property
    def seconds(self) -> float:
        return max(self.servers.values(), default=0.0)


@dataclass(frozen=True)
class Freshness:
    """A run's freshness: its budget, each change a server was seen lagging on, and how many changes
    every server already reflected when first asked."""

    budget: float
    reflected: tuple[Reflected, ...] = ()
    already: int = 0

    def late(self) -> list[Reflected]:
        return [r for r in self.reflected if r.seconds > self.budget]

    def by_layer(self) -> dict[str, Lags]:
        """Each layer's lags over the run's changes (the slowest of its servers on each)."""
        found: dict[str, list[float]] = {}
        for change in self.reflected:
            slowest: dict[str, float] = {}
            for server, lag in change.servers.items():
                slowest[layer(server)] = max(slowest.get(layer(server), 0.0), lag)
            for name, lag in slowest.items():
                found.setdefault(name, []).append(lag)
        return {name: Lags(tuple(values)) for name, values in found.items()}

    def as_dict(self) -> dict[str, object]:
        return {"budget": self.budget, "already": self.already,
                "reflected": [{"check": r.check, "what": r.what, "servers": r.servers} for r in self.reflected]}

    @classmethod
    def from_dict(cls, data: dict) -> Freshness:
        return cls(float(data.get("budget", DEFAULT_BUDGET_S)),
                   tuple(Reflected(r["check"], r["what"], dict(r["servers"])) for r in data.get("reflected", ())),
                   int(data.get("already", 0)))


@dataclass(frozen=True)
class PollFigures:
    """How fast the instrument itself was over a run: each batch's round trip through a probe
    stream (seconds) and the polls each expectation took until it held or failed."""

    round_trips: tuple[float, ...]
    polls: tuple[int, ...]

    def figures(self) -> dict[str, float]:
        """Round trip median and 95th percentile (ms) over the batches, polls per expectation
        (median and max); {} when nothing was polled."""
        found: dict[str, float] = {}
        if self.round_trips:
            found.update(batches=len(self.round_trips), round_trip_median_ms=_ms(statistics.median(self.round_trips)),
                         round_trip_p95_ms=_ms(_p95(self.round_trips)))
        if self.polls:
            found.update(expectations=len(self.polls), polls_median=statistics.median(self.polls),
                         polls_max=max(self.polls))
        return found

    def summary(self) -> str:
        f = self.figures()
        if not f:
            return "nothing polled"
        parts = []
        if "batches" in f:
            parts.append(f"round trip median {f['round_trip_median_ms']:g} ms, 95th percentile "
                         f"{f['round_trip_p95_ms']:g} ms over {f['batches']:g} batches")
        if "expectations" in f:
            parts.append(f"{f['polls_median']:g} polls per expectation (median; max {f['polls_max']:g}) "
                         f"over {f['expectations']:g}")
        return "; ".join(parts)


def _ms(seconds: float) -> float:
    return round(seconds * 1000)


def _p95(values: tuple[float, ...]) -> float:
    ordered = sorted(values)
    return statistics.quantiles(ordered, n=20, method="inclusive")[18] if len(ordered) > 1 else ordered[0]


@dataclass(frozen=True)
class Lags:
    """Lags measured over a run's changes (seconds)."""

    values: tuple[float, ...]  # changes where a server was seen wrong before all held right
    already: int = 0  # changes every server already reflected when first asked

    def figures(self) -> dict[str, float]:
        """How many changes were measured and how many showed a stale answer, with the median, 95th
        percentile and max seconds of those (only the counts when none did; {} when nothing changed)."""
        changes = len(self.values) + self.already
        if not changes:
            return {}
        found: dict[str, float] = {"changes": changes, "stale": len(self.values)}
        if self.values:
            found.update(median=round(statistics.median(self.values), 2), p95=round(_p95(self.values), 2),
                         max=round(max(self.values), 2))
        return found

    def summary(self) -> str:
        more = f"; {self.already} more already reflected when first asked" if self.already else ""
        if not self.values:
            return f"no server seen behind{more}" if self.already else "no change measured"
        return (f"median {statistics.median(self.values):.2f} s, 95th percentile {_p95(self.values):.2f} s, max "
                f"{max(self.values):.2f} s over {len(self.values)} changes where a server was seen behind{more}")
