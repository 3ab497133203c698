"""DNS expectations that take time to come true (the DNS server follows EndpointSlices asynchronously):
the polling. What counts as a right answer is `records`' business; when an expectation is met or a
server proven wrong, `verdict`'s.

Each `await_*` polls until the expectation holds on every DNS server at once — the cluster DNS
Service as pods use it, and each ready DNS server behind it asked directly — and goes on holding:
polling only the Service, or stopping at the first right answer, would pass a replica that is
stale, silent or flapping. An answer counts only when it is a clean, complete answer to its
question (see `DigAnswer.problems`: no CNAME, no records answering something else, not
truncated). Every poll of every server is kept (`expectations`).

After a change (`changed`) the deadline is the moment the API's EndpointSlices showed it (from the
watch of `EndpointHistory`) plus the freshness budget; without one, the moment the expectation
began. Past it, a server that answers wrong fails the check at once (`WrongAnswer`), one that still
answers the state before the change past that answer's TTL too (`StaleAnswer`); one within the TTL
leaves the records undecided at the timeout (`RecordsUndecided`). `timeout` is only the backstop
for a cluster whose API never shows the change.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass

from common.wait import Outcome, StopWaiting, WaitStopped, WaitTimeout, wait_for
from headless_conformance.checking.dig import DigAnswer, DigParseError
from headless_conformance.checking.endpoint_history import EndpointHistory
from headless_conformance.checking.kube import Kube
from headless_conformance.checking.names import reverse_fqdn
from headless_conformance.checking.probes import Asked, Probes, Query, probe_retryable
from headless_conformance.checking.propagation import Budget, Budgets
from headless_conformance.checking.records import (
    CLEAN_ENOUGH,
    Addresses,
    Judge,
    SrvEndpoints,
    cname_to,
    describe_asked,
    describe_mapping,
    no_records,
    nodata,
    nxdomain,
    ptr_names,
    ptr_names_within,
    record_type,
    srv_records,
    srv_targets,
    state,
)
from headless_conformance.checking.verdict import Answered, Deadline, Earlier, Expectation, Hold, Poll

Check = tuple[str, Judge]  # a record type and what its answer must be
Question = tuple[str, str, Judge]  # a name, a record type and what its answer must be
# One poll of an expectation: yields each round's queries, is sent their answers, returns each server's
# verdict. Rounds of several expectations polled together go in one batch of the probe's stream.
Round = Generator[list[Query], list[Asked], list[Answered]]
Ask = Callable[[], Round]
POLL_INTERVAL = 0.15  # seconds from one poll's start to the next: fine enough to time DNS by


def _retryable(err: Exception) -> bool:
    # dig that got no response at all (a server restarting, a dropped packet) may get one next time
    return probe_retryable(err) or (isinstance(err, DigParseError) and err.reason.startswith("no DNS response"))


class WrongAnswer(WaitStopped):
    """A server answered wrong, or not at all, past the budget: not a state it may keep from before."""


class StaleAnswer(WaitStopped):
    """A server still answered the state before a change past that answer's TTL plus the budget."""


class RecordsUndecided(WaitStopped):
    """Every server still wrong answers the state before the change, within a TTL that outlasts the
    timeout: ordinary caching, which says how fresh DNS is, not whether its records are right."""


class _Wrong(StopWaiting):
    verdict = WrongAnswer


class _Stale(StopWaiting):
    verdict = StaleAnswer


class _Undecided(StopWaiting):
    verdict = RecordsUndecided


@dataclass
class Change:
    what: str
    service: str
    at: float  # when the API showed it (this machine's clock)
    noticed: float  # when the check saw the EndpointSlices show it
    measured: bool = False


class Dns:
    def __init__(self, kube: Kube, probes: Probes, timeout: float, budget: Budgets | Budget | None = None,
                 record_types: tuple[str, ...] = ("A",), history: EndpointHistory | None = None,
                 hold: Hold | None = None, dns_servers: EndpointHistory | None = None) -> None:
        self.kube = kube
        self.dns_servers = dns_servers  # a watch of kube-system's EndpointSlices, where there is one
        self.record_types = record_types  # the address types pods have in this cluster, primary first
        self.probes = probes
        self.timeout = timeout
        self.budgets = Budgets(budget, budget) if isinstance(budget, Budget) else budget
        self.history = history
        self.hold = hold or Hold()
        self.lags: list[float] = []  # per change where a server was seen wrong first: until it held
        self.already: list[float] = []  # per change already reflected when first asked: how soon that was
        self.expectations: list[Expectation] = []  # every poll of every server, in order
        self.earlier: dict[str, Earlier] = {}  # every state a server answered, when first, with its TTL
        self.lags_by_server: list[dict[str, float | str]] = []  # per change with a server wrong first: what, lags
        self._change: Change | None = None
        self._together: list[tuple[Expectation, Ask]] | None = None

    # -- changes and deadlines ---------------------------------------------------------------------
    def changed(self, service: str, ready: set[str], what: str) -> None:
        """`what` was just done: wait until the EndpointSlices of `service` list exactly `ready` as
        ready; from then on, expectations are due by the moment the API showed it plus the budget."""
        __tracebackhide__ = True
        self.probes.prepare()
        history = self.history
        expected = f"EndpointSlices of {service} listing exactly {sorted(ready)} as ready after {what}"
        if history is not None and history.live:  # the watch shows it as soon as the API does
            wait_for(lambda: history.transitions(service), lambda seen: (bool(seen) and seen[-1].ready == ready)
                     or not history.live, timeout=self.timeout, interval=0.05, expected=expected,
                     describe=lambda seen: f"ready {sorted(seen[-1].ready) if seen else []} (the watch)")
        if history is None or not history.live:
            wait_for(lambda: self.kube.ready_addresses(self.probes.namespace, service), lambda found: found == ready,
                     timeout=self.timeout, interval=0.2, expected=expected,
                     describe=lambda found: f"ready {sorted(found)}")
        noticed = time.time()
        shown = self._shown_at(service, ready)
        self._change = Change(what, service, shown if shown is not None else noticed, noticed)
        source = ("the EndpointSlice watch" if shown is not None else
                  f"when the check saw it (the watch did not show it{self._watch_failure})")
        self.probes.transcript.figure(f"{what}: the API showed it", f"{noticed - self._change.at:.2f} s before the "
                                                                    f"check saw it (from {source})")

    def _shown_at(self, service: str, ready: set[str]) -> float | None:
        """When the watch saw the API make `service`'s ready addresses `ready` (it may trail the list
        the check just read by a moment); None if it does not show that soon."""
        history = self.history
        if history is None:
            return None
        try:
            return wait_for(lambda: history.ready_since(service, ready), lambda at: at is not None or bool(
                history.failed), expected=f"the EndpointSlice watch showing {service} ready at {sorted(ready)}",
                timeout=5, interval=0.1).value
        except WaitTimeout:
            return None

    @property
    def _watch_failure(self) -> str:
        return f": {self.history.failed}" if self.history and self.history.failed else ""

    def _deadline(self, name: str, address: str | None = None) -> Deadline:
        budget = self.budgets.for_name(name).seconds if self.budgets else None
        change = self._change
        if change is None:
            return Deadline(time.time(), "this expectation began", budget, change=False)
        if address is not None and self.history is not None:
            left = self.history.left_at(change.service, address)
            if left is not None and left < change.at:
                return Deadline(left, f"the EndpointSlices dropped {address} ({change.what})", budget)
        return Deadline(change.at, f"the EndpointSlices showed {change.what}", budget)

    @property
    def _asked_from(self) -> str:
        return f", asked from node {self.probes.node}" if self.probes.node else ""

    def servers(self) -> list[tuple[str, int]]:
        """The ready DNS servers behind kube-system/kube-dns: (address, the port they listen on), as
        the watch of kube-system's EndpointSlices shows them now (listed where it is not live)."""
        watch = self.dns_servers
        if watch is not None and watch.live:
            return sorted(watch.ready_endpoints("kube-dns", "dns"))
        return sorted(self.kube.ready_endpoints("kube-system", "kube-dns", "dns"))

    # -- the one polling loop ----------------------------------------------------------------------
    @contextlib.contextmanager
    def together(self) -> Iterator[None]:
        """Expectations awaited inside the block are asked in the same polls and held together, from
        the end of the block: what follows one change is then held once, not once per expectation.
        Their return values inside the block are not yet known (None, or empty)."""
        __tracebackhide__ = True
        if self._together is not None:
            raise RuntimeError("Dns.together() blocks do not nest")
        self._together = []
        try:
            yield
        except BaseException:
            self._together = None
            raise
        group, self._together = self._together, None
        if group:
            self._poll_until_held(group)

    def _expect(self, name: str, expected: str, ask: Ask, *, address: str | None = None,
                stays: bool = False) -> Expectation:
        """Poll `ask` (every server's answer about `name`) until every server holds right, or fail: at
        once when a server is wrong past the deadline, at the timeout otherwise (in a `together`
        block: at its end, with the others)."""
        __tracebackhide__ = True
        expectation = Expectation(f"{expected} (every server{self._asked_from})", self._deadline(name, address),
                                  self.hold, stays)
        self.expectations.append(expectation)
        if self._together is not None:
            self._together.append((expectation, ask))
        else:
            self._poll_until_held([(expectation, ask)])
        return expectation

    def _poll_until_held(self, group: list[tuple[Expectation, Ask]]) -> None:
        __tracebackhide__ = True

        def probe() -> None:
            started = time.time()
            for expectation, answers in zip((e for e, _ in group), self._poll([ask for _, ask in group]), strict=True):
                if isinstance(answers, str):
                    expectation.record(Poll(started, time.time(), error=answers))
                else:
                    times = [a.at for a in answers] or [started]
                    expectation.record(Poll(min(times), max(times), tuple(answers)))
            verdicts = [v for v in (e.late(self.earlier) for e, _ in group) if v is not None]
            self._remember(group)
            if verdicts:
                stop = _Wrong if any(v.kind == "wrong" for v in verdicts) else _Stale
                raise stop("\n".join(v.message for v in verdicts))
            # past the budget, a cached state that outlasts the timeout leaves nothing to wait for
            waiting = [e for e, _ in group if not e.held()]
            cached = [e.cached_until(self.earlier) for e in waiting]
            if waiting and all(until is not None and until > give_up for until in cached) and all(
                    e.polls[-1].first > (e.deadline.due or float("inf")) for e in waiting):
                raise _Undecided("\n".join(e.undecided(self.earlier) for e in waiting))

        expected = "; ".join(e.expected for e, _ in group)
        give_up = time.time() + self.timeout
        try:
            wait_for(probe, lambda _: all(e.held() for e, _ in group), expected=expected, timeout=self.timeout,
                     interval=POLL_INTERVAL, describe=lambda _: "\n".join(e.timeline() for e, _ in group),
                     transcript=self.probes.transcript.last)
        except WaitTimeout as err:
            undecided = [e.undecided(self.earlier) for e, _ in group if not e.held()]
            if undecided and all(undecided):
                raise RecordsUndecided("\n".join(undecided) + "\n" + str(err)) from None
            raise
        finally:
            for expectation, _ in group:
                self.probes.transcript.add(f"polls: {expectation.expected}", expectation.timeline())
        self._measure([e for e, _ in group])

    def _remember(self, group: list[tuple[Expectation, Ask]]) -> None:
        """Each state the last poll heard, kept with when a server first answered it and its longest TTL."""
        for expectation, _ in group:
            poll = expectation.polls[-1]
            for answered in poll.answers:
                for said, ttl, _ in answered.states:
                    kept = self.earlier.get(said)
                    longest = max((t for t in (ttl, kept.ttl if kept else None) if t is not None), default=None)
                    self.earlier[said] = Earlier(min(answered.at, kept.first) if kept else answered.at, longest)

    def _poll(self, asks: list[Ask]) -> list[list[Answered] | str]:
        """One poll of every ask: their queries of each round in one batch of the probe's stream (a
        round's answers may raise the next round's questions: SRV targets). Each ask's answers, or
        why the probe heard nothing (a failed batch fails the asks it held, not those already done)."""
        results: list[list[Answered] | str] = [""] * len(asks)
        rounds: list[tuple[int, Round, list[Query]]] = []
        for i, ask in enumerate(asks):
            started = ask()
            try:
                rounds.append((i, started, next(started)))
            except StopIteration as done:
                results[i] = done.value
        while rounds:
            try:
                answers = iter(self.probes.ask_all([q for _, _, queries in rounds for q in queries]))
            except Exception as err:
                if not _retryable(err):
                    raise
                failure = f"{type(err).__name__}: {(str(err).splitlines() or [''])[0]}"
                for i, _, _ in rounds:
                    results[i] = failure
                break
            following = []
            for i, asking, queries in rounds:
                try:
                    following.append((i, asking, asking.send([next(answers) for _ in queries])))
                except StopIteration as done:
                    results[i] = done.value
            rounds = following
        return results

    def _measure(self, group: list[Expectation]) -> None:
        """How long after the change's moment DNS reflected it, overall and server by server (its
        freshness), where a server was seen wrong first; else how soon it was already right."""
        change = self._change
        if change is None or change.measured:
            return
        change.measured = True
        lags = [lag for e in group if (lag := e.lag()) is not None]
        servers: dict[str, float] = {}
        for expectation in group:
            for server, lag in expectation.lags_by_server().items():
                servers[server] = max(servers.get(server, 0.0), lag)
        budget = group[0].deadline.budget
        within = f" (freshness budget {budget:g} s)" if budget is not None else ""
        if not lags:
            self.already.append(group[0].first_asked())
            shown = f"already right when first asked, {group[0].first_asked():.1f} s after the EndpointSlices"
        else:
            self.lags.append(max(lags))
            self.lags_by_server.append({"what": change.what, **servers})  # type: ignore[dict-item]
            each = ", ".join(f"{server} {lag:.2f} s" for server, lag in sorted(servers.items(), key=lambda x: -x[1]))
            shown = f"right {max(lags):.2f} s after the EndpointSlices, a server wrong before ({each})"
        self.probes.transcript.figure(f"DNS reflected {change.what}", f"{shown}{within}, held {self.hold}")

    def _ask_each(self, questions: list[Question], transport: str = "udp",
                  allow_cname: bool = False,
                  ) -> Generator[list[Query], list[Asked], tuple[list[Answered], list[DigAnswer]]]:
        """Each server's answers to every (name, type, ok) of `questions`, asked in one round; with the
        Service's answers, in the order of `questions`."""
        servers = [None, *self.servers()]
        queries = [_query(name, rdtype, server, transport) for server in servers for name, rdtype, _ in questions]
        asked = iter((yield queries))
        now = time.time()
        several_names = len({name for name, _, _ in questions}) > 1
        answered, service = [], []
        for server in servers:
            mine = [(next(asked), ok) for _, _, ok in questions]
            wrong = [a for a, ok in mine
                     if a.answer is None or a.answer.problems(allow_cname, CLEAN_ENOUGH) or not ok(a.answer)]
            told = wrong or [a for a, _ in mine]
            why = {id(a): ok.wrong(a.answer) for a, ok in mine if a.answer is not None and isinstance(ok, Addresses)}
            said = " / ".join((f"{a.query.name} " if several_names else "") +
                              (f"{a.query.rdtype}: " if len(questions) > 1 else "") + describe_asked(a)
                              + (f" ({why[id(a)]})" if a in wrong and why.get(id(a)) else "") for a in told)
            at = min((a.at for a, _ in mine if a.at is not None), default=now)
            answered.append(Answered(_label(server), at, not wrong, said,
                                     tuple(state(a, all(a is not w for w in wrong)) for a, _ in mine)))
            if server is None:
                service = [a.answer for a, _ in mine if a.answer is not None]
        return answered, service

    def _await_all(self, name: str, checks: list[Check], expected: str, transport: str = "udp", *,
                   address: str | None = None, stays: bool = False, allow_cname: bool = False) -> Outcome[DigAnswer]:
        """Until every server gives, for each (type, ok) of `checks`, a clean answer to `name` of that
        type for which `ok` holds; returns the Service's last answer to the first check."""
        __tracebackhide__ = True
        return self._await_questions([(name, t, ok) for t, ok in checks], expected, transport, address=address,
                                     stays=stays, allow_cname=allow_cname)

    def _await_questions(self, questions: list[Question], expected: str,
                         transport: str = "udp", *, address: str | None = None, stays: bool = False,
                         allow_cname: bool = False) -> Outcome[DigAnswer]:
        """Until every server answers each of `questions` (name, type, ok) cleanly and as `ok` says,
        all asked in each poll and held together; returns the Service's last answer to the first."""
        __tracebackhide__ = True
        last: list[DigAnswer] = []

        def ask() -> Round:
            answered, service = yield from self._ask_each(questions, transport, allow_cname)
            last[:] = service
            return answered

        started = time.monotonic()
        expectation = self._expect(questions[0][0], expected, ask, address=address, stays=stays)
        return Outcome(last[0] if last else None, time.monotonic() - started, len(expectation.polls))  # type: ignore[arg-type]

    # -- expectations --------------------------------------------------------------------------------
    def await_answer(self, name: str, rdtype: str, ok: Judge, expected: str,
                     transport: str = "udp") -> Outcome[DigAnswer]:
        """Until every server gives a clean answer to `name` `rdtype` for which `ok` holds."""
        __tracebackhide__ = True
        return self._await_all(name, [(rdtype, ok)], expected, transport)

    def _address_questions(self, name: str, addresses: set[str], rdtype: str | None = None,
                           ) -> tuple[list[Question], str]:
        types = [rdtype] if rdtype else list(dict.fromkeys([*self.record_types, "A", "AAAA"]))

        questions = [(name, t, Addresses(frozenset(a for a in addresses if record_type(a) == t), t)) for t in types]
        said = "; ".join(f"{t} {sorted(a for a in addresses if record_type(a) == t) or 'none'}" for t in types)
        return questions, said

    def await_a(self, name: str, addresses: set[str], rdtype: str | None = None,
                transport: str = "udp", stays: bool = False) -> Outcome[DigAnswer]:
        """The address records of `name` are exactly `addresses`, each once: A records the IPv4 ones
        and AAAA records the IPv6 ones; a type none of `addresses` has must have none (NODATA or
        NXDOMAIN: the specification says nothing of the rcode; `await_nodata` holds servers to
        RFC 2308). With `rdtype`, that type alone. Returns the answer of the cluster's primary type.
        `stays`: the answer was already so before the last change and must go on being so past
        its deadline."""
        __tracebackhide__ = True
        questions, said = self._address_questions(name, addresses, rdtype)
        return self._await_questions(questions, f"{name} {said} (over {transport})", transport, stays=stays)

    def await_a_each(self, expected: dict[str, set[str]]) -> None:
        """`await_a` for several names at once: all asked in each poll, and held together."""
        __tracebackhide__ = True
        questions = [q for name, addresses in sorted(expected.items())
                     for q in self._address_questions(name, addresses)[0]]
        self._await_questions(questions, "; ".join(f"{name} {self._address_questions(name, a)[1]}"
                                                   for name, a in sorted(expected.items())))

    def await_nodata(self, name: str, rdtype: str) -> Outcome[DigAnswer]:
        """`name` exists but has no `rdtype` records: NOERROR with an empty answer (RFC 2308 §2.2)."""
        __tracebackhide__ = True
        return self._await_all(name, [(rdtype, nodata)], f"{rdtype} {name} → NOERROR, no records (NODATA)")

    def await_srv_targets(self, name: str, targets: set[str]) -> Outcome[DigAnswer]:
        """The SRV records of `name` are exactly one per target in `targets`."""
        __tracebackhide__ = True
        return self._await_all(name, [("SRV", srv_targets(targets))],
                               f"SRV {name}: one record per target {sorted(targets)}")

    def await_srv(self, name: str, records: set[tuple[str, int]]) -> Outcome[DigAnswer]:
        """The SRV records of `name` are exactly one per (target, port) of `records`."""
        __tracebackhide__ = True
        return self._await_all(name, [("SRV", srv_records(records))],
                               f"SRV {name}: exactly {', '.join(f'{t} port {p}' for t, p in sorted(records))}")

    def await_srv_endpoints(self, name: str, addresses: set[str], port: int, rdtype: str | None = None,
                            hostnames: dict[str, set[str]] | None = None, stays: bool = False,
                            ) -> Outcome[dict[str, frozenset[str]]]:
        """The endpoint identity the specification promises, whatever the server names endpoints:
        SRV `name` has records with `port` whose targets, each under the Service, resolve to
        disjoint sets of addresses that together are exactly `addresses` — every ready address behind
        exactly one target, no two targets sharing one. Endpoints that share a hostname share a
        target (one SRV record: an RRset holds no two identical records), so a target may resolve
        to several addresses; `hostnames` (target -> addresses) says which targets are known and
        exactly which addresses each must have. Returns target -> addresses as the Service answered.
        Targets are asked for the address types of `addresses` (unless `rdtype` says)."""
        __tracebackhide__ = True
        wanted = frozenset(addresses)
        types = [rdtype] if rdtype else sorted({record_type(a) for a in addresses}) or [self.record_types[0]]
        service = name.split(".", 2)[2]  # _<port>._<proto>.<service>.<ns>.svc.<zone>.
        known = {t: frozenset(a) for t, a in (hostnames or {}).items()}
        judge = SrvEndpoints(wanted, port, service, tuple(types), known)
        last: dict[str, frozenset[str]] = {}

        def ask() -> Round:
            servers = [None, *self.servers()]
            srvs = yield [_query(name, "SRV", server) for server in servers]
            # only names under the Service are asked: others break the rule already, and asking
            # would send a name from outside the cluster to the upstream resolver
            asked = [(server, target) for server, srv in zip(servers, srvs, strict=True)
                     if srv.answer is not None and not srv.answer.problems(allow_duplicates=CLEAN_ENOUGH)
                     for target in sorted({r.target for r in srv.answer.srv() if r.target.endswith("." + service)})]
            queries = [_query(t, rdtype, server) for server, t in asked for rdtype in types]
            found = iter((yield queries) if queries else [])
            per_server: dict[tuple[str, int] | None, dict[str, list[Asked]]] = {server: {} for server in servers}
            for server, target in asked:
                per_server[server][target] = [next(found) for _ in types]
            now = time.time()
            answered = []
            for server, srv in zip(servers, srvs, strict=True):
                wrong, mapping = judge(srv, per_server[server])
                if server is None:
                    last.clear()
                    last.update(mapping)
                said = wrong or describe_mapping(mapping)
                targets = [a for answers in per_server[server].values() for a in answers]
                # a target is asked because the SRV answer named it: an SRV answer kept from before a
                # change may name targets whose own records a cache already let go (RRsets age apart),
                # so the SRV answer alone must repeat an earlier one
                answered.append(Answered(_label(server), srv.at or now, not wrong, said,
                                         (state(srv, not wrong), *(state(a, True) for a in targets))))
            return answered

        started = time.monotonic()
        expectation = self._expect(name, f"SRV {name}: port {port}, targets partitioning the ready endpoints "
                                   f"{sorted(wanted)}" + (f", {describe_mapping(known)}" if known else ""), ask,
                                   stays=stays)
        return Outcome(dict(last), time.monotonic() - started, len(expectation.polls))

    def await_ptr(self, ip: str, names: set[str], also_under: Iterable[str] = (),
                  reverse: str | None = None) -> Outcome[DigAnswer]:
        """The PTR records of `ip`'s reverse name (or of `reverse`, the same name written otherwise)
        point at exactly `names`, and — for each name in `also_under` (a Service's name whose
        identifier of the address the check cannot learn) — at exactly one name one label under it."""
        __tracebackhide__ = True
        under = list(also_under)
        reverse = reverse or reverse_fqdn(ip)
        also = f" and one name under each of {sorted(under)}" if under else ""
        return self._await_all(reverse, [("PTR", ptr_names(names, under))],
                               f"PTR {reverse} ({ip}) -> {sorted(names)}{also}")

    def await_ptr_each(self, expected: dict[str, set[str]], within: str | None = None) -> None:
        """`await_ptr` for several addresses at once (address -> names): all asked in each poll, held
        together. `within` (a domain): only the names under it count, for addresses other Services
        may hold too (their PTR records are theirs)."""
        __tracebackhide__ = True
        questions = [(reverse_fqdn(ip), "PTR", ptr_names_within(names, within))
                     for ip, names in sorted(expected.items())]
        under = f" (names under {within} alone)" if within else ""
        self._await_questions(questions, "; ".join(f"PTR {reverse_fqdn(ip)} ({ip}) -> {sorted(names)}"
                                                   for ip, names in sorted(expected.items())) + under)

    def await_no_records(self, name: str, rdtype: str = "A", *, address: str | None = None) -> Outcome[DigAnswer]:
        """`name` has no records of `rdtype`: NXDOMAIN, or NOERROR with an empty answer (both are
        what a server may answer for a name it no longer has, as far as the specification goes).
        `address`: the name is of that endpoint, due from when the API dropped it."""
        __tracebackhide__ = True
        return self._await_all(name, [(rdtype, no_records)], f"no {rdtype} records for {name}", address=address)

    def await_nxdomain(self, name: str, rdtype: str = "A", *, address: str | None = None) -> Outcome[DigAnswer]:
        __tracebackhide__ = True
        return self._await_all(name, [(rdtype, nxdomain)], f"{rdtype} {name} → NXDOMAIN", address=address)

    def await_cname(self, name: str, target: str, rdtype: str = "A") -> Outcome[DigAnswer]:
        """`name` asked for `rdtype` answers a CNAME to `target` (what follows the CNAME is the
        resolver's business, not this rule's)."""
        __tracebackhide__ = True
        return self._await_all(name, [(rdtype, cname_to(target))], f"{rdtype} {name} → CNAME {target}",
                               allow_cname=True)


def _query(name: str, rdtype: str, server: tuple[str, int] | None, transport: str = "udp") -> Query:
    if server is None:
        return Query(name, rdtype, None, transport)
    return Query(name, rdtype, server[0], transport, server[1])


def _label(server: tuple[str, int] | None) -> str:
    """'service' for the DNS Service; a server's address, with its port where it is not 53."""
    if server is None:
        return "service"
    address, port = server
    if port == 53:
        return address
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"
