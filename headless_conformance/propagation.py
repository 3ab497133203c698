"""How soon DNS must reflect a change: the budget a cluster's own DNS config allows, and the lags seen.

A DNS server may keep answering from its cache what it answered before a change, for as long as
its config lets it: where the cluster zone is not cached (kubeadm's Corefile disables success and
denial caching for it), answers follow the EndpointSlices within moments; where it is cached, for
up to the cached TTL. The budget is that TTL plus a margin for the server's watch to deliver the
change and for the probe to ask (`MARGIN_S`). A lag is measured from the moment the API's
EndpointSlices show the change to the first poll at which every server answers accordingly.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

MARGIN_S = 5.0
DEFAULT_RECORD_TTL = 5  # the kubernetes plugin's `ttl` when the Corefile does not set it
# the cache plugin's caps when the Corefile gives none (CoreDNS's defaults)
DEFAULT_SUCCESS_CAP = 3600
DEFAULT_DENIAL_CAP = 1800
DEFAULT_MIN_TTL = 5  # the cache plugin's MINTTL when `success`/`denial` give none
REVERSE_ZONES = ("in-addr.arpa", "ip6.arpa")
NEGATIVE_TTL_CAP = 300  # CoreDNS's backend caps the SOA minimum (the negative TTL) at 300 s


@dataclass
class Directive:
    name: str
    args: list[str]
    block: list[list[str]] = field(default_factory=list)


@dataclass
class ServerBlock:
    zones: list[str]
    directives: list[Directive]

    def first(self, name: str) -> Directive | None:
        return next((d for d in self.directives if d.name == name), None)


def parse_corefile(corefile: str) -> list[ServerBlock]:
    """Server blocks and their directives, one directive per line (how Corefiles are written)."""
    blocks: list[ServerBlock] = []
    current: Directive | None = None
    depth = 0
    for raw in corefile.splitlines():
        tokens = raw.split("#", 1)[0].split()
        if not tokens:
            continue
        opens = tokens[-1] == "{"
        words = tokens[:-1] if opens else tokens
        if words == ["}"]:
            depth = max(depth - 1, 0)
            current = None if depth < 2 else current
            continue
        if depth == 0:
            blocks.append(ServerBlock([w.rstrip(",") for w in words], []))
        elif depth == 1 and blocks:
            current = Directive(words[0], words[1:])
            blocks[-1].directives.append(current)
        elif current is not None:
            current.block.append(words)
        depth += opens
    return blocks


def _under(domain: str, zones: list[str]) -> bool:
    """Whether `domain` is in one of `zones` (no zones means every zone)."""
    if not zones:
        return True
    name = domain.strip(".").lower()
    for zone in zones:
        zone = re.sub(r"^[a-z]+://", "", zone.lower()).split(":", 1)[0].strip(".")
        if zone in ("", ".") or name == zone or name.endswith("." + zone):
            return True
    return False


@dataclass(frozen=True)
class Budget:
    seconds: float
    reason: str

    def __str__(self) -> str:
        return f"{self.seconds:g} s ({self.reason})"


def budget_from_corefile(corefile: str, domain: str, margin: float = MARGIN_S) -> Budget:
    """The longest a server may answer from cache what the cluster zone held before a change, plus `margin`."""
    server = next((b for b in parse_corefile(corefile)
                   if (k := b.first("kubernetes")) is not None and _under(domain, k.args or b.zones)), None)
    if server is None:
        return Budget(margin, f"no kubernetes plugin for {domain} in the Corefile; {margin:g} s margin")
    kubernetes = server.first("kubernetes")
    assert kubernetes is not None
    record_ttl = next((int(line[1]) for line in kubernetes.block if line[0] == "ttl" and len(line) > 1),
                      DEFAULT_RECORD_TTL)
    cache = server.first("cache")
    if cache is None:
        cached, how = 0, "the cluster zone is not cached (no cache plugin)"
    else:
        cap = int(cache.args[0]) if cache.args and cache.args[0].isdigit() else None
        zones = cache.args[1:] if cap is not None else cache.args
        caps = {"success": cap or DEFAULT_SUCCESS_CAP, "denial": cap or DEFAULT_DENIAL_CAP}
        floors = {"success": DEFAULT_MIN_TTL, "denial": DEFAULT_MIN_TTL}
        disabled: set[str] = set()
        stale = 0.0
        for line in cache.block:
            if line[0] in caps and len(line) > 2:
                caps[line[0]] = int(line[2])
            if line[0] in floors and len(line) > 3:
                floors[line[0]] = int(line[3])
            if line[0] == "disable" and len(line) > 1 and _under(domain, line[2:]):
                disabled.add(line[1])
            if line[0] == "serve_stale" and "verify" not in line:
                stale = margin  # an expired answer is served once more while it is refreshed
        if not _under(domain, zones):
            cached, how = 0, f"the cache plugin covers only {', '.join(zones)}"
        else:
            # a cached answer lives its TTL raised to the cache's MINTTL, capped by the cache's TTL
            kept = {kind: min(max(min(record_ttl, NEGATIVE_TTL_CAP) if kind == "denial" else record_ttl,
                                  floors[kind]), caps[kind]) for kind in caps if kind not in disabled}
            cached = max(kept.values(), default=0) + (stale if kept else 0)
            listed = ", ".join(f"{k} {v} s" for k, v in sorted(kept.items()))
            again = "; serve_stale serves an expired answer once more" if stale else ""
            how = (f"{zone_name(domain)} is not cached (cache disables success and denial for it)" if not kept else
                   f"{zone_name(domain)} cached up to {cached:g} s ({listed}; kubernetes ttl {record_ttl}{again})")
    return Budget(cached + margin, f"{how}; {margin:g} s margin")


def zone_name(domain: str) -> str:
    return "the reverse zones" if domain in REVERSE_ZONES else "the cluster zone"


@dataclass(frozen=True)
class Budgets:
    """The budget for names in the cluster zone, and for reverse names (kubeadm's Corefile caches
    in-addr.arpa and ip6.arpa while it exempts the cluster zone)."""

    zone: Budget
    reverse: Budget

    def for_name(self, name: str) -> Budget:
        lowered = name.lower().rstrip(".")
        return self.reverse if lowered.endswith(REVERSE_ZONES) else self.zone


def budgets_from_corefile(corefile: str, domain: str, margin: float = MARGIN_S) -> Budgets:
    zone = budget_from_corefile(corefile, domain, margin)
    reverse = max((budget_from_corefile(corefile, r, margin) for r in REVERSE_ZONES), key=lambda b: b.seconds)
    return Budgets(zone, reverse)


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
            return f"no stale answer seen{more}" if self.already else "no change measured"
        return (f"median {statistics.median(self.values):.1f} s, max {max(self.values):.1f} s "
                f"over {len(self.values)} changes where a stale answer was seen{more}")
