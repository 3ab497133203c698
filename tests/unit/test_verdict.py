"""The verdict on an expectation: every poll kept, the hold, the deadline, and the Dns loop around
them run on real dig output (no cluster: probes and API stand-ins)."""

from __future__ import annotations

import time

import pytest

from common.wait import WaitTimeout
from headless_conformance.checking.dig import DigParseError, parse_dig_output
from headless_conformance.checking.dns import Change, Dns, RecordsUndecided, StaleAnswer, WrongAnswer
from headless_conformance.checking.probe_stream import Batch, Frame, StreamBroken
from headless_conformance.checking.probes import Asked, ClockOffset, Probes, Query
from headless_conformance.checking.propagation import Budget
from headless_conformance.checking.transcript import Transcript
from headless_conformance.checking.verdict import Answered, Deadline, Earlier, Expectation, Hold, Poll


def poll(at: float, *rights: bool, error: str = "") -> Poll:
    if error:
        return Poll(at, at + 0.1, error=error)
    return Poll(at, at + 0.1, tuple(Answered(f"s{i}", at + 0.01 * i, right, "ok" if right else "stale answer",
                                             (("new" if right else "old", 30, right),))
                                    for i, right in enumerate(rights)))


BEFORE = {"old": Earlier(990.0, 30)}  # the wrong answer is the state before the change, TTL 30 s


def expectation(budget: float | None = 5.0, stays: bool = False) -> Expectation:
    return Expectation("A x", Deadline(1000.0, "the EndpointSlices showed a change", budget), Hold(3, 2.0), stays)


def test_met_only_after_three_right_polls_over_two_seconds() -> None:
    e = expectation()
    for at in (1000.5, 1001.0, 1001.5):
        e.record(poll(at, True, True))
    assert not e.held()  # three polls, but 1.1 s
    e.record(poll(1002.5, True, True))
    assert e.held()


def test_a_wrong_or_failed_poll_starts_the_hold_again() -> None:
    e = expectation()
    for at, rights in ((1000.0, (True, True)), (1001.0, (True, True)), (1002.0, (True, False)),
                       (1003.0, (True, True)), (1004.0, (True, True))):
        e.record(poll(at, *rights))
    assert not e.held()
    e.record(poll(1004.5, error="ExecTimedOut: no result"))
    e.record(poll(1005.0, True, True))
    assert not e.held() and len(e.streak()) == 1


def test_an_answer_no_earlier_state_had_is_wrong_past_the_budget() -> None:
    e = expectation(budget=5.0)
    e.record(poll(1004.9, True, False))
    assert e.late() is None
    e.record(poll(1005.3, True, False))
    verdict = e.late()
    assert verdict is not None and verdict.kind == "wrong"
    assert verdict.message == ("1 of 2 servers answered wrong 5.3 s after the EndpointSlices showed a change, past "
                               "the budget of 5 s (not the state before it, which a cache may keep for its TTL): "
                               "s1: stale answer")
    assert "s1: wrong ×2 (+4.9…+5.3 s): stale answer" in e.timeline()


def test_the_state_before_the_change_may_be_kept_for_its_ttl_plus_the_budget() -> None:
    e = expectation(budget=5.0)
    e.record(poll(1034.9, True, False))
    assert e.late(BEFORE) is None  # cached, within TTL 30 s + 5 s
    e.record(poll(1035.3, True, False))
    verdict = e.late(BEFORE)
    assert verdict is not None and verdict.kind == "stale"
    assert verdict.message == ("1 of 2 servers still answered the state before the EndpointSlices showed a change "
                               "35.3 s after it, past its TTL (30 s) plus the budget of 5 s: s1: stale answer")


def test_a_state_first_seen_after_the_change_is_no_cached_one() -> None:
    e = expectation(budget=5.0)
    e.record(poll(1006.0, True, False))
    assert e.late({"old": Earlier(1001.0, 30)}).kind == "wrong"  # type: ignore[union-attr]


def test_still_within_a_cached_answers_ttl_at_the_timeout_the_records_are_undecided() -> None:
    e = expectation(budget=5.0)
    e.record(poll(1020.0, True, False))
    assert "which a cache may keep for its TTL (30 s)" in e.undecided(BEFORE)
    assert e.undecided({}) == ""  # an answer of its own: the timeout is a verdict on the records


def test_each_servers_lag_runs_to_its_final_right_answers() -> None:
    e = expectation(budget=5.0)
    for at, rights in ((1000.5, (False, False)), (1001.0, (True, False)), (1001.5, (False, False)),
                       (1002.0, (True, False)), (1003.0, (True, True)), (1003.5, (True, True))):
        e.record(poll(at, *rights))
    assert e.lags_by_server() == pytest.approx({"s0": 2.0, "s1": 3.01})


def test_right_once_then_wrong_past_the_deadline_fails() -> None:
    """Flapping: the first right poll is not the end of it."""
    e = expectation(budget=5.0)
    e.record(poll(1001.0, True, True))
    e.record(poll(1006.0, False, True))
    assert "s0: stale answer" in e.late().message  # type: ignore[union-attr]


def test_a_failed_probe_past_the_deadline_proves_nothing_against_a_server() -> None:
    e = expectation(budget=5.0)
    e.record(poll(1009.0, error="ApiUnavailable: the API server did not answer"))
    assert e.late() is None and not e.held()
    assert "probe failed ×1 (+9.0 s)" not in e.timeline()  # no server was heard: no server's line


def test_without_a_budget_only_the_timeout_decides() -> None:
    e = expectation(budget=None)
    e.record(poll(2000.0, False))
    assert e.late() is None


def test_what_stays_so_must_hold_past_the_deadline() -> None:
    e = expectation(budget=5.0, stays=True)
    for at in (1000.5, 1001.5, 1002.5, 1003.5):
        e.record(poll(at, True))
    assert not e.held()
    e.record(poll(1005.5, True))
    assert e.held()


def test_the_timeline_folds_runs_of_one_outcome() -> None:
    e = expectation()
    for at, right in ((1000.1, False), (1000.6, False), (1001.2, True), (1001.8, True), (1002.5, True)):
        e.record(poll(at, right))
    assert e.timeline().splitlines() == [
        "answers since the EndpointSlices showed a change:",
        "  s0: wrong ×2 (+0.1…+0.6 s): stale answer, right ×3 (+1.2…+2.5 s)"]
    assert e.lag() == pytest.approx(1.3)
    right_at_once = expectation()
    right_at_once.record(poll(1004.0, True))
    assert right_at_once.lag() is None and right_at_once.first_asked() == pytest.approx(4.0)


# -- the Dns loop on real dig output -------------------------------------------------------------
NAME = "my-headless-service.ns-1.svc.cluster.local."
RIGHT = {"10.244.1.2", "10.244.2.3"}


def dig_a(addresses: list[str], rcode: str = "NOERROR", ttl: int = 5) -> str:
    records = "".join(f"{NAME} {ttl} IN A {ip}\n" for ip in addresses)
    return (f"; <<>> DiG 9.18.49-1~deb12u3-Debian <<>> {NAME} A\n;; global options: +cmd\n;; Got answer:\n"
            f";; ->>HEADER<<- opcode: QUERY, status: {rcode}, id: 31454\n"
            f";; flags: qr aa rd; QUERY: 1, ANSWER: {len(addresses)}, AUTHORITY: 0, ADDITIONAL: 0\n\n"
            f";; QUESTION SECTION:\n;{NAME} IN A\n\n" + (f";; ANSWER SECTION:\n{records}\n" if records else "")
            + ";; Query time: 4 msec\n;; SERVER: 10.96.0.10#53(10.96.0.10) (UDP)\n;; MSG SIZE  rcvd: 119\n")


NO_RESPONSE = ";; communications error to 10.244.0.3#53: timed out\n;; no servers could be reached\n"


class FakeKube:
    def __init__(self, servers: set[str]) -> None:
        self.servers = servers

    def ready_addresses(self, namespace: str, service: str) -> set[str]:
        return RIGHT

    def ready_endpoints(self, namespace: str, service: str, port_name: str) -> set[tuple[str, int]]:
        return {(server, 53) for server in self.servers}


class FakeProbes:
    """Answers each poll from a script: poll number -> {server: dig output} (None = the Service)."""

    def __init__(self, script) -> None:  # noqa: ANN001
        self.script = script
        self.polls = 0
        self.transcript = Transcript()
        self.node = None
        self.namespace = "ns-1"
        self.clock = None

    def prepare(self) -> None:
        pass

    def ask_all(self, queries: list[Query]) -> list[Asked]:
        outputs = self.script(self.polls)
        self.polls += 1
        now = time.time()
        asked = []
        for query in queries:
            text = outputs.get(query.server, dig_a([]) if query.rdtype == "AAAA" else outputs.get(None))
            try:
                asked.append(Asked(query, now, parse_dig_output(text, query=(query.name, query.rdtype))))
            except DigParseError as err:
                asked.append(Asked(query, now, None, err))
        return asked


def dns_for(script, budget: float | None = 0.3, timeout: float = 8.0) -> Dns:  # noqa: ANN001
    return Dns(FakeKube({"10.244.0.2", "10.244.0.3"}), FakeProbes(script), timeout=timeout,  # type: ignore[arg-type]
               budget=Budget(budget, "test") if budget is not None else None, hold=Hold(3, 0.2))


def test_every_server_right_over_the_hold_passes() -> None:
    right = dig_a(sorted(RIGHT))
    dns = dns_for(lambda n: {None: right, "10.244.0.2": right, "10.244.0.3": right})

    dns.await_a(NAME, RIGHT, rdtype="A")

    (e,) = dns.expectations
    assert len(e.polls) >= 3 and all(p.right for p in e.polls)


def test_a_replica_that_flaps_is_never_met_and_fails_at_the_budget() -> None:
    right, stale = dig_a(sorted(RIGHT)), dig_a(["10.244.1.2"])
    dns = dns_for(lambda n: {None: right, "10.244.0.2": right, "10.244.0.3": right if n % 2 == 0 else stale})
    started = time.monotonic()

    with pytest.raises(WrongAnswer, match=r"1 of 3 servers answered wrong .* 10\.244\.0\.3: NOERROR; "
                                                 r"A 10\.244\.1\.2 \(missing \['10\.244\.2\.3'\]\)\n"):
        dns.await_a(NAME, RIGHT, rdtype="A")
    assert time.monotonic() - started < 3, "the verdict came at the budget, not at the timeout"


def test_a_replica_silent_past_the_budget_fails_naming_it() -> None:
    right = dig_a(sorted(RIGHT))
    dns = dns_for(lambda n: {None: right, "10.244.0.2": right, "10.244.0.3": NO_RESPONSE if n < 50 else right})

    with pytest.raises(WrongAnswer, match=r"10\.244\.0\.3: no DNS response in dig output: communications "
                                                 r"error to 10\.244\.0\.3#53: timed out"):
        dns.await_a(NAME, RIGHT, rdtype="A")


def test_stale_before_the_deadline_then_right_passes_and_measures_the_lag() -> None:
    right, stale = dig_a(sorted(RIGHT)), dig_a(["10.244.1.2"])
    dns = dns_for(lambda n: {s: stale if n == 0 else right for s in (None, "10.244.0.2", "10.244.0.3")}, budget=30)
    dns._change = Change("a pod turning ready", "my-headless-service", time.time(), time.time())

    dns.await_a(NAME, RIGHT, rdtype="A")

    assert len(dns.lags) == 1 and 0 < dns.lags[0] < 2
    assert "DNS reflected a pod turning ready" in dns.probes.transcript.figures


def cached_then(after: float, ttl: int, right: str, budget: float = 0.3, timeout: float = 8.0) -> Dns:
    """One replica keeps answering the state before a change (TTL `ttl`) for `after` seconds."""
    stale, started = dig_a(["10.244.1.2"], ttl=ttl), time.time() + 0.5
    dns = dns_for(lambda n: {None: right, "10.244.0.2": right,
                             "10.244.0.3": stale if time.time() < started + after else right},
                  budget=budget, timeout=timeout)
    dns.earlier[f"{NAME} A: NOERROR; A 10.244.1.2"] = Earlier(time.time() - 10, ttl)  # asked before the change
    dns._change = Change("a pod turning ready", "my-headless-service", time.time(), time.time())
    return dns


def test_a_cached_answer_within_its_ttl_is_late_not_wrong() -> None:
    dns = cached_then(after=1.5, ttl=2, right=dig_a(sorted(RIGHT)))

    dns.await_a(NAME, RIGHT, rdtype="A")

    (lags,) = dns.lags_by_server
    assert 1.5 < lags["10.244.0.3"] < 3 and "service" not in lags


def test_a_cached_answer_kept_past_its_ttl_is_stale() -> None:
    dns = cached_then(after=60, ttl=1, right=dig_a(sorted(RIGHT)))

    with pytest.raises(StaleAnswer, match=r"1 of 3 servers still answered the state before the EndpointSlices "
                                          r"showed a pod turning ready .* past its TTL \(1 s\) plus the budget "
                                          r"of 0.3 s: 10\.244\.0\.3"):
        dns.await_a(NAME, RIGHT, rdtype="A")


def test_a_cached_answer_within_its_ttl_at_the_timeout_leaves_the_records_undecided() -> None:
    dns = cached_then(after=60, ttl=300, right=dig_a(sorted(RIGHT)), timeout=1.5)

    with pytest.raises(RecordsUndecided, match=r"which a cache may keep for its TTL \(300 s\)"):
        dns.await_a(NAME, RIGHT, rdtype="A")


def test_without_a_budget_a_wrong_server_fails_at_the_timeout() -> None:
    stale = dig_a(["10.244.1.2"])
    dns = dns_for(lambda n: {s: stale for s in (None, "10.244.0.2", "10.244.0.3")}, budget=None, timeout=1.2)

    with pytest.raises(WaitTimeout, match=r"service: wrong ×\d+"):
        dns.await_a(NAME, RIGHT, rdtype="A")


def test_the_other_family_may_be_nodata_or_nxdomain_for_the_spec_and_must_be_nodata_for_the_rfc() -> None:
    nxdomain = dig_a([], rcode="NXDOMAIN").replace(" A\n", " AAAA\n").replace("IN A\n", "IN AAAA\n")
    outputs = {s: nxdomain for s in (None, "10.244.0.2", "10.244.0.3")}
    dns = dns_for(lambda n: outputs, budget=0.3)

    dns.await_a(NAME, set(), rdtype="AAAA")
    with pytest.raises(WrongAnswer, match="NODATA"):
        dns.await_nodata(NAME, "AAAA")


class FixedStream:
    """A probe stream answering each command with the next of `outputs`, stamped as given."""

    def __init__(self, outputs: list[tuple[float | None, str]]) -> None:
        self.outputs = outputs
        self.asked: list[list[str]] = []  # every command, in order

    def ask(self, commands: list[list[str]], timeout: float) -> Batch:
        self.asked.extend(commands)
        frames = [Frame(i, *self.outputs.pop(0), 0) for i, _ in enumerate(commands)]
        return Batch(frames, "", 0.01)


def started_probes(outputs: list[tuple[float | None, str]]) -> Probes:
    p = Probes(None, "ns", "dig", "busybox", Transcript(), timeout=5)  # type: ignore[arg-type]
    p.place.started |= {p.dig_pod, p.http_pod}
    p._streams[p.dig_pod] = FixedStream(outputs)  # type: ignore[assignment]
    return p


def test_a_probe_clock_offset_is_measured_and_subtracted() -> None:
    p = started_probes([(time.time() + 30, "") for _ in range(3)])
    offset = p._measure_clock()
    assert offset.seconds == pytest.approx(30, abs=0.5)
    assert str(ClockOffset(0.25, 0.01)) == "+0.250 s (± 0.010 s)"


def test_each_dig_is_timed_by_this_machines_clock_once_the_probes_offset_is_subtracted() -> None:
    # one dig for both: a server gave no response, so the output cannot be cut; then one dig per server
    p = started_probes([(1030.0, dig_a(sorted(RIGHT)) + NO_RESPONSE), (1030.5, dig_a(sorted(RIGHT))),
                        (1031.0, NO_RESPONSE)])
    p.place.clocks[p.dig_pod] = ClockOffset(30.0, 0.01)  # the probe's clock runs 30 s ahead

    first, second = p.ask_all([Query(NAME, "A"), Query(NAME, "A", "10.244.0.3")])

    assert (first.at, second.at) == (1000.5, 1001.0)
    assert first.answer is not None and first.answer.addresses("A") == RIGHT
    assert second.answer is None and second.error is not None and "timed out" in second.error.reason


def test_a_server_that_gave_no_response_is_asked_apart_from_then_on_and_briefly_until_it_answers() -> None:
    p = started_probes([(1.0, dig_a(sorted(RIGHT)) + NO_RESPONSE), (2.0, dig_a(sorted(RIGHT))), (3.0, NO_RESPONSE),
                        (4.0, dig_a(sorted(RIGHT))), (5.0, NO_RESPONSE), (6.0, dig_a(sorted(RIGHT))),
                        (7.0, dig_a(sorted(RIGHT)))])
    asked = p._streams[p.dig_pod].asked  # type: ignore[attr-defined]
    queries = [Query(NAME, "A"), Query(NAME, "A", "10.244.0.3")]
    p.ask_all(queries)
    assert len(asked) == 3  # both in one dig, then one dig each
    asked.clear()
    still, = [a for a in p.ask_all(queries) if a.query.server]
    assert len(asked) == 2 and still.answer is None  # asked apart at once: nothing asked twice
    assert asked[1][:3] == ["dig", "+tries=1", "+time=1"] and asked[0][:3] == ["dig", "+tries=2", "+time=3"]
    asked.clear()
    back, = [a for a in p.ask_all(queries) if a.query.server]
    assert len(asked) == 2 and back.answer is not None  # it answered: no longer briefly next time
    asked.clear()
    p._streams[p.dig_pod].outputs = [(8.0, dig_a(sorted(RIGHT))), (9.0, dig_a(sorted(RIGHT)))]
    p.ask_all(queries)
    assert [a[:3] for a in asked] == [["dig", "+tries=2", "+time=3"], ["dig", "+tries=3", "+time=1"]]  # still apart


def test_queries_to_servers_on_one_port_are_asked_in_one_dig_and_cut_apart() -> None:
    p = started_probes([(1000.0, dig_a(sorted(RIGHT)) + dig_a(["10.244.1.2"])), (1000.1, dig_a(["10.244.1.2"]))])
    asked = p._streams[p.dig_pod].asked  # type: ignore[attr-defined]
    service, server, elsewhere = p.ask_all([Query(NAME, "A"), Query(NAME, "A", "10.244.0.3"),
                                            Query(NAME, "A", "10.244.0.4", port=5353)])

    assert [a.answer.addresses("A") for a in (service, server, elsewhere)] == [RIGHT, {"10.244.1.2"}, {"10.244.1.2"}]
    assert asked == [["dig", "+tries=2", "+time=3", NAME, "A", NAME, "A", "@10.244.0.3"],
                     ["dig", "+tries=2", "+time=3", NAME, "A", "@10.244.0.4", "-p", "5353"]]
    assert (service.at, server.at, elsewhere.at) == (1000.0, 1000.0, 1000.1)


def test_expectations_awaited_together_share_their_polls_and_are_held_at_once() -> None:
    right, stale = dig_a(sorted(RIGHT)), dig_a(["10.244.1.2"])
    # one batch a poll for both: polls 0-2 answer stale
    dns = dns_for(lambda n: {s: stale if n < 3 else right for s in (None, "10.244.0.2", "10.244.0.3")}, budget=30)

    with dns.together():
        first = dns.await_a(NAME, RIGHT, rdtype="A")
        second = dns.await_a(NAME, RIGHT, rdtype="A", transport="tcp")
        assert first.value is None and second.value is None  # not asked yet

    a, b = dns.expectations
    assert len(a.polls) == len(b.polls) == dns.probes.polls >= 3 + 3  # both asked in each batch
    assert [p.first for p in a.polls] == [p.first for p in b.polls]
    assert a.held() and b.held()


def test_a_failure_inside_a_together_block_polls_nothing() -> None:
    dns = dns_for(lambda n: {}, budget=30)
    with pytest.raises(ZeroDivisionError), dns.together():
        dns.await_a(NAME, RIGHT, rdtype="A")
        1 / 0  # noqa: B018
    assert dns.expectations[0].polls == [] and dns._together is None


def test_a_change_is_awaited_on_the_live_watch_and_timed_from_its_event() -> None:
    from headless_conformance.checking.endpoint_history import Transition

    class Watch:
        live, failed = True, ""

        def __init__(self) -> None:
            self.seen = [Transition(1000.0, frozenset({"10.244.0.9"}))]

        def transitions(self, service: str) -> list[Transition]:
            if len(self.seen) == 1:  # the API shows the change on the second look
                self.seen.append(Transition(1001.5, frozenset(RIGHT)))
            return list(self.seen)

        def ready_since(self, service: str, ready: set[str]) -> float | None:
            return self.seen[-1].at if self.seen[-1].ready == ready else None

    class Unlisted(FakeKube):
        def ready_addresses(self, namespace: str, service: str) -> set[str]:
            raise AssertionError("listed through the API although the watch is live")

    dns = Dns(Unlisted(set()), FakeProbes(lambda n: {}), timeout=5, history=Watch())  # type: ignore[arg-type]
    dns.changed("my-headless-service", set(RIGHT), "a pod turning ready")
    assert dns._change is not None and dns._change.at == 1001.5


def test_one_poll_asks_each_round_of_every_expectation_in_one_batch() -> None:
    batches: list[list[str]] = []

    class Batching:
        transcript, node, namespace, clock = Transcript(), None, "ns-1", None

        def ask_all(self, queries: list[Query]) -> list[Asked]:
            batches.append([q.name for q in queries])
            if any(q.name == "broken." for q in queries):
                raise StreamBroken("the probe stream closed after 0 of 2 answers")
            return [Asked(q, 1.0, None) for q in queries]

    def two_rounds(first: str, then: str):  # noqa: ANN202 - an Ask
        def ask():  # noqa: ANN202
            yield [Query(first)]
            yield [Query(then)]
            return [Answered("service", 1.0, True, "ok")]
        return ask

    def one_round(name: str):  # noqa: ANN202 - an Ask
        def ask():  # noqa: ANN202
            yield [Query(name)]
            return [Answered("service", 1.0, True, "ok")]
        return ask

    dns = Dns(FakeKube(set()), Batching(), timeout=5)  # type: ignore[arg-type]
    results = dns._poll([two_rounds("srv.", "target."), one_round("a.")])
    assert batches == [["srv.", "a."], ["target."]] and all(isinstance(r, list) for r in results)

    batches.clear()
    done, failed = dns._poll([one_round("a."), two_rounds("srv.", "broken.")])
    assert batches == [["a.", "srv."], ["broken."]]
    assert isinstance(done, list) and failed == "StreamBroken: the probe stream closed after 0 of 2 answers"


def test_an_answer_is_an_earlier_one_where_each_of_its_questions_got_that_answer_before() -> None:
    e = expectation(budget=5.0)
    answered = Answered("s0", 1010.0, False, "two names, both as before",
                        (("a A: old", 30, False), ("b A: old", 5, False), ("c AAAA: new", 5, True)))
    e.record(Poll(1010.0, 1010.1, (answered,)))
    assert e.late({"a A: old": Earlier(990.0, 30), "b A: old": Earlier(995.0, 5)}) is None  # within 30 s + 5 s
    assert e.late({"a A: old": Earlier(990.0, 30)}).kind == "wrong"  # type: ignore[union-attr]
