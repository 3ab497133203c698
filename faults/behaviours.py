"""How a misbehaving DNS server answers (`faults.replica` serves them): each `Behaviour` takes a
query and CoreDNS's own answer and returns what the server says instead — one record missing or one
too many, repeated records, the wrong SRV port, NXDOMAIN and NODATA swapped, names matched
case-sensitively, or, as a replica going wrong, stale, flapping or silent. Pure rewriting of
dnspython messages, apart from the API watches that tell the stale, silent and unset-ready ones
what changed."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset

from faults.scope import in_scope, name_in_scope
from faults.watching import events
from headless_conformance.checking.kube import Kube

STRAY = {"A": "10.244.99.97", "AAAA": "fd00:10:244:99::97"}

Forward = Callable[[], dns.message.Message]


@dataclass
class Behaviour:
    """How the replica answers: `respond(query, forward)` returns the answer, or None to stay silent.
    The base class answers honestly, what CoreDNS answers."""

    everywhere: bool = False

    def concerns(self, query: dns.message.Message) -> bool:
        return bool(query.question) and name_in_scope(query.question[0].name.to_text(), self.everywhere)

    def respond(self, query: dns.message.Message, forward: Forward) -> dns.message.Message | None:
        response = forward()
        return self.change(query, response) if self.concerns(query) or _reverse(query) else response

    def change(self, query: dns.message.Message, response: dns.message.Message) -> dns.message.Message:
        return response


def _reverse(query: dns.message.Message) -> bool:
    return bool(query.question) and query.question[0].rdtype == dns.rdatatype.PTR


def _answers(query: dns.message.Message, response: dns.message.Message) -> list[dns.rrset.RRset]:
    """The RRsets of the answer that answer the question itself (its name, its type)."""
    q = query.question[0]
    return [r for r in response.answer if r.name == q.name and r.rdtype == q.rdtype]


def _in_scope_ptr(rrset: dns.rrset.RRset, everywhere: bool) -> bool:
    return rrset.rdtype == dns.rdatatype.PTR and any(name_in_scope(r.target.to_text(), everywhere) for r in rrset)


class OneMissing(Behaviour):
    """An RRset of several records loses one."""

    def change(self, query: dns.message.Message, response: dns.message.Message) -> dns.message.Message:
        for rrset in _answers(query, response):
            if len(rrset) > 1 and (rrset.rdtype != dns.rdatatype.PTR or _in_scope_ptr(rrset, self.everywhere)):
                rrset.remove(sorted(rrset, key=lambda r: r.to_text())[-1])
        return response


class OneExtra(Behaviour):
    """An address or SRV answer gets one record more: an address no pod has, a target no endpoint is."""

    def change(self, query: dns.message.Message, response: dns.message.Message) -> dns.message.Message:
        for rrset in _answers(query, response):
            kind = dns.rdatatype.to_text(rrset.rdtype)
            if kind in STRAY and len(rrset):
                rrset.add(dns.rdata.from_text(dns.rdataclass.IN, rrset.rdtype, STRAY[kind]))
            elif kind == "SRV" and len(rrset):
                first = sorted(rrset, key=lambda r: r.to_text())[0]
                service = dns.name.Name(query.question[0].name.labels[2:])
                rrset.add(dns.rdata.from_text(dns.rdataclass.IN, rrset.rdtype,
                                              f"{first.priority} {first.weight} {first.port} stray.{service}"))
        return response


class Duplicated(Behaviour):
    """Every RRset answering the question comes twice: the same records repeated (RFC 2181 §5 says a
    server should suppress such duplicates; the records themselves are all there)."""

    def change(self, query: dns.message.Message, response: dns.message.Message) -> dns.message.Message:
        for rrset in _answers(query, response):
            if rrset.rdtype != dns.rdatatype.PTR or _in_scope_ptr(rrset, self.everywhere):
                response.answer.append(rrset.copy())
        return response


class Untruncated(Behaviour):
    """A UDP answer too large for the question's payload keeps the records that fit and loses its TC
    flag: a client takes part of the records for all of them (coredns/coredns#4684)."""

    def change(self, query: dns.message.Message, response: dns.message.Message) -> dns.message.Message:
        response.flags &= ~dns.flags.TC
        return response


class NoClustersetEndpointNames(Behaviour):
    """Under clusterset.local, an endpoint's own name (<hostname>.<clusterid>.<service>.<ns>.svc.
    clusterset.local) is NXDOMAIN: the ServiceImport's name and SRV records still name every endpoint."""

    def change(self, query: dns.message.Message, response: dns.message.Message) -> dns.message.Message:
        name = query.question[0].name
        if (len(name.labels) == 8 and name.labels[-3:-1] == (b"clusterset", b"local")
                and query.question[0].rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA)):
            response.answer = []
            response.set_rcode(dns.rcode.NXDOMAIN)
        return response


class WrongPort(Behaviour):
    """SRV records keep their targets and carry the next port number."""

    def change(self, query: dns.message.Message, response: dns.message.Message) -> dns.message.Message:
        for rrset in _answers(query, response):
            if rrset.rdtype == dns.rdatatype.SRV:
                moved = [dns.rdata.from_text(dns.rdataclass.IN, rrset.rdtype,
                                             f"{r.priority} {r.weight} {r.port + 1} {r.target}") for r in rrset]
                rrset.clear()
                for rdata in moved:
                    rrset.add(rdata)
        return response


class NxdomainForNodata(Behaviour):
    """A name that exists but has no record of the type asked is answered NXDOMAIN."""

    def change(self, query: dns.message.Message, response: dns.message.Message) -> dns.message.Message:
        if response.rcode() == dns.rcode.NOERROR and not response.answer and not _reverse(query):
            response.set_rcode(dns.rcode.NXDOMAIN)
        return response


class NodataForNxdomain(Behaviour):
    """A name that does not exist is answered NOERROR with no records."""

    def change(self, query: dns.message.Message, response: dns.message.Message) -> dns.message.Message:
        if response.rcode() == dns.rcode.NXDOMAIN and not _reverse(query):
            response.set_rcode(dns.rcode.NOERROR)
        return response


class CaseSensitive(Behaviour):
    """A name asked with any capital letter is not found."""

    def respond(self, query: dns.message.Message, forward: Forward) -> dns.message.Message | None:
        name = query.question[0].name.to_text() if query.question else ""
        if (self.concerns(query) or _reverse(query)) and name != name.lower():
            response = dns.message.make_response(query)
            response.set_rcode(dns.rcode.NXDOMAIN)
            response.flags |= dns.flags.AA
            return response
        return forward()


@dataclass
class Stale(Behaviour):
    """The first answer to each question is kept and given ever after: a replica that stopped
    following the API."""

    kept: dict[tuple[str, int], dns.message.Message] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def respond(self, query: dns.message.Message, forward: Forward) -> dns.message.Message | None:
        if not (self.concerns(query) or _reverse(query)):
            return forward()
        q = query.question[0]
        key = (q.name.to_text().lower(), q.rdtype)
        with self.lock:
            kept = self.kept.get(key)
        if kept is None:
            kept = forward()
            with self.lock:
                self.kept.setdefault(key, kept)
        answer = dns.message.from_wire(kept.to_wire())
        answer.id = query.id
        return answer


@dataclass
class Flapping(Behaviour):
    """Every other answer to each question in scope is NXDOMAIN. Counted per question (name and
    type): with one count for all, a client asking two questions a poll (A, then AAAA) would get
    the right answer to the first every time."""

    counts: dict[tuple[str, int], int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def respond(self, query: dns.message.Message, forward: Forward) -> dns.message.Message | None:
        if not self.concerns(query):
            return forward()
        question = (query.question[0].name.to_text().lower(), query.question[0].rdtype)
        with self.lock:
            self.counts[question] = count = self.counts.get(question, 0) + 1
            wrong = count % 2 == 0
        if not wrong:
            return forward()
        response = dns.message.make_response(query)
        response.set_rcode(dns.rcode.NXDOMAIN)
        response.flags |= dns.flags.AA
        return response


@dataclass
class Silent(Behaviour):
    """No answer at all, to anything, for `seconds` after each change of an EndpointSlice in scope
    (`changed()`, called by a watch): a replica that stalls while it catches up."""

    seconds: float = 8.0
    quiet_until: float = 0.0

    def changed(self) -> None:
        self.quiet_until = time.monotonic() + self.seconds

    def respond(self, query: dns.message.Message, forward: Forward) -> dns.message.Message | None:
        if time.monotonic() < self.quiet_until:
            return None
        return forward()


@dataclass
class UnsetReadyIgnored(Behaviour):
    """Addresses of endpoints whose `ready` condition is unset are left out, as if not ready (the
    EndpointSlice API says to count them ready): `follow` learns them from the API."""

    unset: set[str] = field(default_factory=set)

    def follow(self, kube: Kube) -> None:
        for event in events(kube.discovery.list_endpoint_slice_for_all_namespaces):
            piece = event["object"]
            if in_scope(piece.metadata.namespace, self.everywhere) and event["type"] != "DELETED":
                self.unset |= {a for e in piece.endpoints or [] if e.conditions is None or e.conditions.ready is None
                               for a in e.addresses}

    def change(self, query: dns.message.Message, response: dns.message.Message) -> dns.message.Message:
        for rrset in _answers(query, response):
            if rrset.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
                for rdata in [r for r in rrset if r.address in self.unset]:
                    rrset.remove(rdata)
        response.answer = [r for r in response.answer if len(r)]
        return response
