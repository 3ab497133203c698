"""The misbehaving kube-dns server's answers, on DNS messages made here (no cluster, no network)."""

from __future__ import annotations

import dns.message
import dns.rcode
import dns.rrset

from faults.behaviours import (
    Behaviour,
    CaseSensitive,
    Flapping,
    NodataForNxdomain,
    NxdomainForNodata,
    OneExtra,
    OneMissing,
    Silent,
    Stale,
    WrongPort,
)

SVC = "my-headless-service.hc-ab12.svc.cluster.local."
SRV = "_http._tcp." + SVC


def answered(name: str, rdtype: str, *records: str, rcode: int = dns.rcode.NOERROR) -> tuple[
        dns.message.Message, dns.message.Message]:
    query = dns.message.make_query(name, rdtype)
    response = dns.message.make_response(query)
    response.set_rcode(rcode)
    if records:
        response.answer.append(dns.rrset.from_text(name, 5, "IN", rdtype, *records))
    return query, response


def texts(response: dns.message.Message | None) -> list[str]:
    assert response is not None
    return sorted(r.to_text() for rrset in response.answer for r in rrset)


def test_honest_and_out_of_scope_answers_pass_unchanged() -> None:
    query, response = answered("kubernetes.default.svc.cluster.local.", "A", "10.96.0.1", "10.96.0.2")
    for behaviour in (Behaviour(), OneMissing(), OneExtra(), WrongPort()):
        assert texts(behaviour.respond(query, lambda r=response: r)) == ["10.96.0.1", "10.96.0.2"]


def test_one_record_missing_and_one_extra() -> None:
    query, response = answered(SVC, "A", "10.244.1.2", "10.244.2.3", "10.244.2.4")
    assert texts(OneMissing().respond(query, lambda: response)) == ["10.244.1.2", "10.244.2.3"]
    query, response = answered(SVC, "A", "10.244.1.2")
    assert texts(OneMissing().respond(query, lambda: response)) == ["10.244.1.2"]  # one of one stays
    assert texts(OneExtra().respond(query, lambda: response)) == ["10.244.1.2", "10.244.99.97"]
    query, response = answered(SRV, "SRV", "0 100 80 10-244-1-2." + SVC)
    assert texts(OneExtra().respond(query, lambda: response)) == ["0 100 80 10-244-1-2." + SVC, "0 100 80 stray." + SVC]


def test_the_wrong_port_keeps_the_targets() -> None:
    query, response = answered(SRV, "SRV", "0 50 80 a." + SVC, "0 50 80 b." + SVC)
    assert texts(WrongPort().respond(query, lambda: response)) == ["0 50 81 a." + SVC, "0 50 81 b." + SVC]


def test_nxdomain_and_nodata_swapped() -> None:
    query, response = answered(SVC, "AAAA")
    assert NxdomainForNodata().respond(query, lambda: response).rcode() == dns.rcode.NXDOMAIN
    query, response = answered("gone." + SVC, "A", rcode=dns.rcode.NXDOMAIN)
    assert NodataForNxdomain().respond(query, lambda: response).rcode() == dns.rcode.NOERROR


def test_a_capital_letter_makes_a_name_unknown() -> None:
    query, response = answered(SVC.upper(), "A", "10.244.1.2")
    assert CaseSensitive().respond(query, lambda: response).rcode() == dns.rcode.NXDOMAIN
    query, response = answered(SVC, "A", "10.244.1.2")
    assert texts(CaseSensitive().respond(query, lambda: response)) == ["10.244.1.2"]


def test_stale_keeps_the_first_answer_and_flapping_alternates() -> None:
    stale = Stale()
    first_q, first = answered(SVC, "A", "10.244.1.2")
    later_q, later = answered(SVC, "A", "10.244.9.9")
    assert texts(stale.respond(first_q, lambda: first)) == ["10.244.1.2"]
    kept = stale.respond(later_q, lambda: later)
    assert texts(kept) == ["10.244.1.2"] and kept is not None and kept.id == later_q.id

    flapping = Flapping()
    rcodes = [flapping.respond(first_q, lambda: first).rcode() for _ in range(4)]  # type: ignore[union-attr]
    assert rcodes == [dns.rcode.NOERROR, dns.rcode.NXDOMAIN] * 2
    other_q, other = answered(SVC, "AAAA", "fd00::2")
    asked_in_turn = [flapping.respond(q, lambda r=r: r).rcode() for q, r in [(first_q, first), (other_q, other)] * 2]
    assert asked_in_turn == [dns.rcode.NOERROR, dns.rcode.NOERROR, dns.rcode.NXDOMAIN, dns.rcode.NXDOMAIN]


def test_silent_for_a_while_after_a_change() -> None:
    silent = Silent(seconds=30)
    query, response = answered(SVC, "A", "10.244.1.2")
    assert silent.respond(query, lambda: response) is response
    silent.changed()
    assert silent.respond(query, lambda: response) is None
