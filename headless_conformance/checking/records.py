"""The records a DNS expectation holds answers to: pure judges of dig's answers, and the words
they say what is wrong in. No cluster, no polling (that is `dns`): each judge takes answers and
says right or wrong, and why."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from headless_conformance.checking.dig import DigAnswer
from headless_conformance.checking.probes import Asked


def show(answer: DigAnswer) -> str:
    """An answer in brief: its rcode, then its records sorted, without the owner where it is the
    question's ('NOERROR; A 10.244.1.2 10.244.1.3'), then what keeps it from being clean."""
    def brief(records: tuple, section: str = "") -> list[str]:
        grouped: dict[tuple[str, str], list[str]] = {}
        for r in records:
            owner = "" if r.name == answer.question else f"{r.name} "
            grouped.setdefault((owner, r.rdtype), []).append(r.rdata.to_text())
        return [f"{section}{owner}{rdtype} {' '.join(sorted(values))}"
                for (owner, rdtype), values in sorted(grouped.items())]

    parts = brief(answer.answer) + brief(answer.additional, "additional ")
    text = f"{answer.rcode}; " + ("; ".join(parts) if parts else "no records")
    problems = answer.problems()
    return text + (f" [{'; '.join(problems)}]" if problems else "")


def describe_asked(asked: Asked) -> str:
    if asked.answer is None:
        assert asked.error is not None
        return asked.error.reason
    return show(asked.answer)


@dataclass(frozen=True)
class Addresses:
    """A name's `rdtype` records must be exactly `wanted` (none: NODATA or NXDOMAIN); says what is wrong."""

    wanted: frozenset[str]
    rdtype: str

    def __call__(self, answer: DigAnswer) -> bool:
        return not self.wrong(answer)

    def wrong(self, answer: DigAnswer) -> str:
        """What keeps `answer` from being right, in words ("" when it is right)."""
        if not self.wanted:
            if answer.rcode not in ("NOERROR", "NXDOMAIN"):
                return f"rcode {answer.rcode}, not NOERROR or NXDOMAIN"
            return f"extra {sorted(answer.addresses(self.rdtype))}" if answer.records(self.rdtype) else ""
        if answer.rcode != "NOERROR":
            return f"rcode {answer.rcode}, not NOERROR"
        got = set(once(answer.address_counts(self.rdtype)))
        parts = [f"missing {sorted(self.wanted - got)}" if self.wanted - got else "",
                 f"extra {sorted(got - self.wanted)}" if got - self.wanted else ""]
        return "; ".join(p for p in parts if p)


CLEAN_ENOUGH = True  # judges of which records exist let identical duplicates pass (an rfc check holds them)


def once(items: Iterable[str]) -> Counter[str]:
    """Each item once: identical records repeated are one record (RFC 2181 §5)."""
    return Counter(set(items))


def distinct(records: Iterable) -> list:  # noqa: ANN001 - dig.Record
    """The records without identical repeats, in order."""
    return list(dict.fromkeys(records, None))


def state(asked: Asked, right: bool) -> tuple[str, int | None, bool]:
    """One question's answer as a state (the same answer, the same state), with how long a cache may
    keep it, and whether it was right."""
    return (f"{asked.query.name} {asked.query.rdtype}: {describe_asked(asked)}",
            asked.answer.cache_ttl if asked.answer is not None else None, right)


def record_type(address: str) -> str:
    """A for an IPv4 address, AAAA for an IPv6 one."""
    return "AAAA" if ":" in address else "A"


@dataclass(frozen=True)
class SrvEndpoints:
    """The endpoint identity the specification promises of a headless Service's SRV name, whatever
    the server names endpoints: records with `port` whose targets, each under `service`, resolve
    to disjoint sets of addresses that together are exactly `wanted`; each of `known` (target ->
    addresses) resolves to exactly its addresses."""

    wanted: frozenset[str]
    port: int
    service: str  # <service>.<ns>.svc.<zone>.
    types: tuple[str, ...]  # the address types each target is asked for
    known: dict[str, frozenset[str]]

    def __call__(self, srv: Asked, targets: dict[str, list[Asked]]) -> tuple[str, dict[str, frozenset[str]]]:
        """What is wrong with one server's SRV answer and its targets' answers ("" if nothing), and
        target -> addresses."""
        if srv.answer is None:
            return describe_asked(srv), {}
        answer = srv.answer
        if answer.rcode != "NOERROR" or answer.problems(allow_duplicates=CLEAN_ENOUGH):
            return show(answer), {}
        records = answer.srv()
        if {r.port for r in records} != {self.port}:
            return f"ports {sorted({r.port for r in records})}, not {self.port}: {show(answer)}", {}
        outside = sorted(r.target for r in records if not r.target.endswith("." + self.service))
        if outside:
            return f"targets not under {self.service}: {outside}", {}
        mapping: dict[str, frozenset[str]] = {}
        for target, answers in targets.items():
            bad = [a for a in answers if a.answer is None or a.answer.rcode != "NOERROR"
                   or a.answer.problems(allow_duplicates=CLEAN_ENOUGH)]
            if bad:
                return f"target {target}: " + "; ".join(describe_asked(a) for a in bad), {}
            mapping[target] = frozenset(ip for a, t in zip(answers, self.types, strict=True)
                                        for ip in a.answer.address_counts(t))  # type: ignore[union-attr]
        empty = sorted(t for t, ips in mapping.items() if not ips)
        if empty:
            return f"targets resolving to no address: {empty}", mapping
        shared = sorted(ip for ip, n in Counter(ip for ips in mapping.values() for ip in ips).items() if n > 1)
        if shared:
            return f"addresses behind more than one target: {shared} ({describe_mapping(mapping)})", mapping
        behind = frozenset(ip for ips in mapping.values() for ip in ips)
        if behind != self.wanted:
            return (f"targets resolve to {sorted(behind)}, not {sorted(self.wanted)} "
                    f"({describe_mapping(mapping)})", mapping)
        wrong = [f"{t} resolves to {sorted(mapping.get(t, ()))}, not {sorted(ips)}" for t, ips in self.known.items()
                 if mapping.get(t) != ips]
        return ("; ".join(wrong), mapping) if wrong else ("", mapping)


Judge = Callable[[DigAnswer], bool]  # whether one clean answer holds what an expectation wants


def nodata(answer: DigAnswer) -> bool:
    """The name exists but has no records of the type asked: NOERROR, empty (RFC 2308 §2.2)."""
    return answer.rcode == "NOERROR" and not answer.answer


def no_records(answer: DigAnswer) -> bool:
    """No records of the type asked: NXDOMAIN or NODATA (the specification names no rcode)."""
    return answer.rcode == "NXDOMAIN" or nodata(answer)


def nxdomain(answer: DigAnswer) -> bool:
    return answer.rcode == "NXDOMAIN"


def srv_targets(targets: Iterable[str]) -> Judge:
    """SRV records exactly one per target (identical repeats count once)."""
    wanted = Counter(targets)
    return lambda a: a.rcode == "NOERROR" and once(r.target for r in distinct(a.srv())) == wanted


def srv_records(records: Iterable[tuple[str, int]]) -> Judge:
    """SRV records exactly one per (target, port)."""
    wanted = Counter(records)
    return lambda a: a.rcode == "NOERROR" and Counter((r.target, r.port) for r in distinct(a.srv())) == wanted


def some_of(allowed: Iterable[str], rdtype: str) -> Judge:
    """Some of `allowed`'s addresses of this type (none too), each once, and no other: a clean answer
    where a specification lets a server choose a subset."""
    wanted = {ip for ip in allowed if record_type(ip) == rdtype}
    return lambda a: a.rcode in ("NOERROR", "NXDOMAIN") and not a.duplicates() and a.addresses(rdtype) <= wanted


def ptr_names(names: Iterable[str], also_under: Iterable[str] = ()) -> Judge:
    """PTR records pointing at exactly `names`, and at exactly one name one label under each of
    `also_under` (a Service's name whose identifier of the address the check cannot learn)."""
    wanted, under = Counter(names), sorted(also_under)

    def ok(answer: DigAnswer) -> bool:
        targets = once(r.target for r in answer.records("PTR"))
        rest = targets - wanted
        if answer.rcode != "NOERROR" or targets - rest != wanted or sum(rest.values()) != len(under):
            return False
        return sorted(t.split(".", 1)[1] for t in rest) == under

    return ok


def ptr_names_within(names: Iterable[str], within: str | None) -> Judge:
    """PTR records pointing at exactly `names` among those under `within` (all, without one): an
    address other Services may hold too has their names as well."""
    wanted = Counter(names)
    suffix = "." + within.strip(".").lower() + "." if within else ""
    return lambda a: a.rcode == "NOERROR" and once(
        r.target for r in a.records("PTR") if r.target.lower().endswith(suffix)) == wanted


def cname_to(target: str) -> Judge:
    """A CNAME to `target` first (what follows it is the resolver's business)."""
    def ok(answer: DigAnswer) -> bool:
        chain = answer.cname_chain
        return answer.rcode == "NOERROR" and bool(chain) and chain[0].rdata.target.to_text().lower() == target

    return ok


def describe_mapping(mapping: dict[str, frozenset[str]]) -> str:
    return ", ".join(f"{t} → {sorted(ips)}" for t, ips in sorted(mapping.items())) or "no targets"
