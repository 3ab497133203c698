"""DNS expectations that take time to come true (the DNS server follows EndpointSlices asynchronously).

Each `await_*` polls until the expectation holds on every DNS server at once: the cluster DNS
Service as pods use it, and each ready DNS server behind it asked directly. Polling only the
Service would pass as soon as one replica answered right while another still served stale records.
An answer counts only when it is a clean, complete answer to its question (see `DigAnswer.problems`:
no CNAME, no records answering something else, no duplicates, not truncated). The Service's answer
is returned with the time it took; on timeout the failure names each disagreeing server, what it
last answered and why it did not count, and shows the last dig transcript.

After a change (`changed`), every expectation must also come true within the propagation budget,
timed from the moment the API's EndpointSlices showed the change: a server that lags for most of
the timeout fails the check instead of passing it late.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from common.wait import Outcome, wait_for
from headless_conformance.dig import DigAnswer, DigParseError
from headless_conformance.kube import Kube
from headless_conformance.names import reverse_fqdn
from headless_conformance.probes import Probes, Query, probe_retryable
from headless_conformance.propagation import Budget

T = TypeVar("T")


def show(answer: DigAnswer) -> str:
    records = [str(r) for r in (*answer.answer, *answer.additional)]
    text = f"rcode {answer.rcode}; " + ("; ".join(records) if records else "no records")
    problems = answer.problems()
    return text + (f" [{'; '.join(problems)}]" if problems else "")


def _retryable(err: Exception) -> bool:
    # dig that got no response at all (a server restarting, a dropped packet) may get one next time
    return probe_retryable(err) or (isinstance(err, DigParseError) and err.reason.startswith("no DNS response"))


def record_type(address: str) -> str:
    """A for an IPv4 address, AAAA for an IPv6 one."""
    return "AAAA" if ":" in address else "A"


class PropagationTooSlow(AssertionError):
    """Every server came to answer as expected, but later after a change than the budget allows."""


@dataclass(frozen=True)
class Poll:
    first: float  # when its first and last dig were asked (epoch seconds)
    last: float
    wrong: str  # what did not meet the expectation; empty when it was met


@dataclass
class Change:
    what: str
    seen_at: float  # when the EndpointSlices showed it (epoch seconds, comparable with the probes' clock)
    measured: bool = False


class Dns:
    def __init__(self, kube: Kube, probes: Probes, timeout: float, budget: Budget | None = None,
                 record_types: tuple[str, ...] = ("A",)) -> None:
        self.kube = kube
        self.record_types = record_types  # the address types pods have in this cluster, primary first
        self.probes = probes
        self.timeout = timeout
        self.budget = budget
        self.lags: list[float] = []  # one per change: until the first expectation after it held
        self._change: Change | None = None

    def changed(self, service: str, ready: set[str], what: str) -> None:
        """`what` was just done: wait until the EndpointSlices of `service` list exactly `ready` as
        ready, and time every expectation from then on against the budget (until the next change)."""
        __tracebackhide__ = True
        self.probes.prepare()

        wait_for(lambda: self.kube.ready_addresses(self.probes.namespace, service), lambda found: found == ready,
                 timeout=self.timeout, interval=0.2,
                 expected=f"EndpointSlices of {service} listing exactly {sorted(ready)} as ready after {what}",
                 describe=lambda found: f"ready {sorted(found)}")
        self._change = Change(what, time.time())

    def _timed(self, probe: Callable[[], T], condition: Callable[[T], bool],
               describe: Callable[[T], str]) -> tuple[Callable[[], T], list[Poll]]:
        """`probe`, noting when its digs were asked and what it found wrong (for `_in_budget`)."""
        polls: list[Poll] = []

        def timed() -> T:
            first = len(self.probes.asked_at)
            started = time.time()
            value = probe()
            asked = self.probes.asked_at[first:] or [started, time.time()]
            polls.append(Poll(min(asked), max(asked), "" if condition(value) else describe(value)))
            return value

        return timed, polls

    def _in_budget(self, expected: str, polls: list[Poll]) -> None:
        """Called as an expectation came true: fail if a server still answered otherwise later after
        the change than the budget allows. Times are the digs' own (the probe pod's clock): a poll
        that saw the old state counts from its first dig, the one that saw the new state until its
        last; the servers changed in between."""
        __tracebackhide__ = True
        change = self._change
        if change is None:
            return
        stale = [p for p in polls if p.wrong and p.first >= change.seen_at]
        stale_for = stale[-1].first - change.seen_at if stale else 0.0
        within = max(polls[-1].last - change.seen_at, 0.0) if polls else 0.0
        if not change.measured:
            change.measured = True
            self.lags.append(within)
            budget = f" (budget {self.budget.seconds:g} s)" if self.budget else ""
            seen = f"still stale {stale_for:.1f} s after, " if stale else ""
            self.probes.transcript.figure(f"DNS reflected {change.what}",
                                          f"{seen}right {within:.1f} s after the EndpointSlices{budget}")
        if self.budget is not None and stale_for > self.budget.seconds:
            raise PropagationTooSlow(
                f"{expected} (every server{self._asked_from}): still not so {stale_for:.1f} s after the "
                f"EndpointSlices showed {change.what}, past the propagation budget of {self.budget}; "
                f"then: {stale[-1].wrong}; right {within:.1f} s after")

    @property
    def _asked_from(self) -> str:
        return f", asked from node {self.probes.node}" if self.probes.node else ""

    def servers(self) -> list[str]:
        """Addresses of the ready DNS servers behind kube-system/kube-dns."""
        return sorted(self.kube.ready_addresses("kube-system", "kube-dns"))

    def await_answer(self, name: str, rdtype: str, ok: Callable[[DigAnswer], bool], expected: str,
                     transport: str = "udp") -> Outcome[DigAnswer]:
        """Until every server gives a clean answer to `name` `rdtype` for which `ok` holds."""
        __tracebackhide__ = True
        return self._await(name, rdtype, ok, expected, transport)

    def _await(self, name: str, rdtype: str, ok: Callable[[DigAnswer], bool], expected: str,
               transport: str = "udp") -> Outcome[DigAnswer]:
        __tracebackhide__ = True
        return self._await_all(name, [(rdtype, ok)], expected, transport)

    def _await_all(self, name: str, checks: list[tuple[str, Callable[[DigAnswer], bool]]], expected: str,
                   transport: str = "udp") -> Outcome[DigAnswer]:
        """Until every server gives, for each (type, ok) of `checks`, a clean answer to `name` of that
        type for which `ok` holds; all asked in one exec per poll. Returns the Service's answer to
        the first check."""
        __tracebackhide__ = True
        several = len(checks) > 1

        def clean(answer: DigAnswer, ok: Callable[[DigAnswer], bool]) -> bool:
            return not answer.problems() and ok(answer)

        def ask() -> list[tuple[str, Callable[[DigAnswer], bool], DigAnswer]]:
            servers = [None, *self.servers()]
            asked = [(server, rdtype, ok) for server in servers for rdtype, ok in checks]
            answers = self.probes.dig_all([Query(name, rdtype, server, transport) for server, rdtype, _ in asked])
            return [(f"{server or 'service'}{f' {rdtype}' if several else ''}", ok, answer)
                    for (server, rdtype, ok), answer in zip(asked, answers, strict=True)]

        def describe(answers: list[tuple[str, Callable[[DigAnswer], bool], DigAnswer]]) -> str:
            wrong = [f"{server}: {show(a)}" for server, ok, a in answers if not clean(a, ok)]
            return " | ".join(wrong) or "all servers agree"

        def agree(answers: list[tuple[str, Callable[[DigAnswer], bool], DigAnswer]]) -> bool:
            return all(clean(a, ok) for _, ok, a in answers)

        probe, polls = self._timed(ask, agree, describe)
        outcome = wait_for(probe, agree,
                           expected=f"{expected} (every server{self._asked_from})", timeout=self.timeout, interval=0.5,
                           describe=describe, transcript=self.probes.transcript.last, retry_on=_retryable)
        self._in_budget(expected, polls)
        return Outcome(outcome.value[0][2], outcome.elapsed, outcome.polls)

    def await_a(self, name: str, addresses: set[str], rdtype: str | None = None,
                transport: str = "udp") -> Outcome[DigAnswer]:
        """The address records of `name` are exactly `addresses`, each once: A records the IPv4 ones
        and AAAA records the IPv6 ones; a type none of `addresses` has must have no records (on any
        cluster: a stray address of the other family is caught too). With `rdtype`, that type alone.
        Returns the answer of the cluster's primary type."""
        __tracebackhide__ = True
        types = [rdtype] if rdtype else list(dict.fromkeys([*self.record_types, "A", "AAAA"]))

        def exactly(wanted: Counter[str], rdtype: str) -> Callable[[DigAnswer], bool]:
            return lambda a: a.rcode == "NOERROR" and a.address_counts(rdtype) == wanted

        checks = [(t, exactly(Counter(a for a in addresses if record_type(a) == t), t)) for t in types]
        said = "; ".join(f"{t} {sorted(a for a in addresses if record_type(a) == t) or 'none'}" for t in types)
        return self._await_all(name, checks, f"{name} {said} (over {transport})", transport)

    def await_srv_targets(self, name: str, targets: set[str]) -> Outcome[DigAnswer]:
        """The SRV records of `name` are exactly one per target in `targets`."""
        wanted = Counter(targets)
        return self._await(name, "SRV",
                           lambda a: a.rcode == "NOERROR" and Counter(r.target for r in a.srv()) == wanted,
                           f"SRV {name}: one record per target {sorted(targets)}")

    def await_srv_endpoints(self, name: str, addresses: set[str], port: int,
                            rdtype: str | None = None) -> Outcome[dict[str, frozenset[str]]]:
        """The endpoint identity the specification promises, whatever the server names endpoints:
        SRV `name` has one record per ready endpoint, each with `port` and its own target; each
        target resolves to exactly one of `addresses`; every address is behind exactly one target.
        Every server must agree. Returns target -> addresses as the cluster DNS Service answered.
        Targets are asked for the address types of `addresses` (unless `rdtype` says): with both
        families (a dual-stack Service) each address is an endpoint of its own, as in EndpointSlices."""
        __tracebackhide__ = True
        wanted = sorted(addresses)
        types = [rdtype] if rdtype else sorted({record_type(a) for a in addresses}) or [self.record_types[0]]
        service = name.split(".", 2)[2]  # _<port>._<proto>.<service>.<ns>.svc.<zone>.

        def identities() -> list[tuple[str, tuple[DigAnswer, dict[str, list[DigAnswer]]]]]:
            servers = [None, *self.servers()]
            srvs = self.probes.dig_all([Query(name, "SRV", server) for server in servers])
            # only names under the Service are asked: others break the rule already, and asking
            # would send a name from outside the cluster to the upstream resolver
            asked = [(server, target) for server, srv in zip(servers, srvs, strict=True) if not srv.problems()
                     for target in sorted({r.target for r in srv.srv() if r.target.endswith("." + service)})]
            queries = [Query(t, rdtype, server) for server, t in asked for rdtype in types]
            answers = iter(self.probes.dig_all(queries) if queries else [])
            found: dict[str | None, dict[str, list[DigAnswer]]] = {server: {} for server in servers}
            for server, target in asked:
                found[server][target] = [next(answers) for _ in types]
            return [(server or "service", (srv, found[server])) for server, srv in zip(servers, srvs, strict=True)]

        def mapping(found: tuple[DigAnswer, dict[str, list[DigAnswer]]]) -> dict[str, frozenset[str]]:
            return {target: frozenset(ip for a, rdtype in zip(answers, types, strict=True)
                                      for ip in a.address_counts(rdtype))
                    for target, answers in found[1].items()}

        def wrong(found: tuple[DigAnswer, dict[str, list[DigAnswer]]]) -> str:
            srv, names = found
            if srv.rcode != "NOERROR" or srv.problems():
                return show(srv)
            records = srv.srv()
            if len(records) != len(wanted) or len({r.target for r in records}) != len(records):
                return f"{len(records)} SRV records with {len({r.target for r in records})} distinct targets " \
                       f"for {len(wanted)} ready endpoints: {show(srv)}"
            if {r.port for r in records} != {port}:
                return f"ports {sorted({r.port for r in records})}, not {port}: {show(srv)}"
            outside = sorted(r.target for r in records if not r.target.endswith("." + service))
            if outside:
                return f"targets not under {service}: {outside}"
            for target, answers in names.items():
                bad = [a for a in answers if a.rcode != "NOERROR" or a.problems()]
                count = sum(len(a.address_counts(rdtype)) for a, rdtype in zip(answers, types, strict=True))
                if bad or count != 1:
                    return f"target {target}: " + "; ".join(show(a) for a in bad or answers)
            behind = sorted(ip for ips in mapping(found).values() for ip in ips)
            return "" if behind == wanted else f"targets resolve to {behind}, not {wanted}"

        def agree(all_: list[tuple[str, tuple[DigAnswer, dict[str, list[DigAnswer]]]]]) -> bool:
            return not any(wrong(f) for _, f in all_)

        def describe(all_: list[tuple[str, tuple[DigAnswer, dict[str, list[DigAnswer]]]]]) -> str:
            return " | ".join(f"{s}: {wrong(f)}" for s, f in all_ if wrong(f))

        probe, polls = self._timed(identities, agree, describe)
        outcome = wait_for(probe, agree,
                           expected=f"SRV {name}: one target per ready endpoint {wanted}, port {port}, each target "
                                    f"resolving to exactly its endpoint (every server{self._asked_from})",
                           timeout=self.timeout, interval=0.5, describe=describe,
                           transcript=self.probes.transcript.last, retry_on=_retryable)
        self._in_budget(f"SRV {name}: one target per ready endpoint {wanted}", polls)
        return Outcome(mapping(outcome.value[0][1]), outcome.elapsed, outcome.polls)

    def await_ptr(self, ip: str, names: set[str]) -> Outcome[DigAnswer]:
        """The PTR records of `ip`'s reverse name point at exactly `names`."""
        wanted = Counter(names)
        reverse = reverse_fqdn(ip)
        return self._await(reverse, "PTR",
                           lambda a: a.rcode == "NOERROR" and Counter(r.target for r in a.records("PTR")) == wanted,
                           f"PTR {reverse} ({ip}) -> {sorted(names)}")

    def await_no_records(self, name: str, rdtype: str = "A") -> Outcome[DigAnswer]:
        """`name` has no records of `rdtype`: NXDOMAIN, or NOERROR with an empty answer (both are
        what a server may answer for a name it no longer has, as far as the specification goes)."""
        return self._await(name, rdtype, lambda a: a.rcode == "NXDOMAIN" or (a.rcode == "NOERROR" and not a.answer),
                           f"no {rdtype} records for {name}")

    def await_nxdomain(self, name: str, rdtype: str = "A") -> Outcome[DigAnswer]:
        return self._await(name, rdtype, lambda a: a.rcode == "NXDOMAIN", f"{rdtype} {name} → NXDOMAIN")
