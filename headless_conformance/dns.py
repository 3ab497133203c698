"""DNS expectations that take time to come true (the DNS server follows EndpointSlices asynchronously).

Each `await_*` polls until the expectation holds on every DNS server at once: the cluster DNS
Service as pods use it, and each ready DNS server behind it asked directly. Polling only the
Service would pass as soon as one replica answered right while another still served stale records.
An answer counts only when it is a clean, complete answer to its question (see `DigAnswer.problems`:
no CNAME, no records answering something else, no duplicates, not truncated). The Service's answer
is returned with the time it took; on timeout the failure names each disagreeing server, what it
last answered and why it did not count, and shows the last dig transcript.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from common.wait import Outcome, wait_for
from headless_conformance.dig import DigAnswer, DigParseError
from headless_conformance.kube import Kube
from headless_conformance.probes import Probes, probe_retryable

Answers = list[tuple[str, DigAnswer]]


def show(answer: DigAnswer) -> str:
    records = [str(r) for r in (*answer.answer, *answer.additional)]
    text = f"rcode {answer.rcode}; " + ("; ".join(records) if records else "no records")
    problems = answer.problems()
    return text + (f" [{'; '.join(problems)}]" if problems else "")


def _retryable(err: Exception) -> bool:
    # dig that got no response at all (a server restarting, a dropped packet) may get one next time
    return probe_retryable(err) or (isinstance(err, DigParseError) and err.reason.startswith("no DNS response"))


class Dns:
    def __init__(self, kube: Kube, probes: Probes, timeout: float) -> None:
        self.kube = kube
        self.probes = probes
        self.timeout = timeout

    def servers(self) -> list[str]:
        """Addresses of the ready DNS servers behind kube-system/kube-dns."""
        slices = self.kube.discovery.list_namespaced_endpoint_slice(
            "kube-system", label_selector="kubernetes.io/service-name=kube-dns").items
        return sorted({a for s in slices for e in s.endpoints or []
                       if e.conditions and e.conditions.ready for a in e.addresses})

    def _await(self, name: str, rdtype: str, ok: Callable[[DigAnswer], bool], expected: str,
               transport: str = "udp") -> Outcome[DigAnswer]:
        __tracebackhide__ = True

        def clean(answer: DigAnswer) -> bool:
            return not answer.problems() and ok(answer)

        def ask() -> Answers:
            return [("service", self.probes.dig(name, rdtype, transport=transport))] + [
                (ip, self.probes.dig(name, rdtype, server=ip, transport=transport)) for ip in self.servers()]

        def describe(answers: Answers) -> str:
            wrong = [f"{server}: {show(a)}" for server, a in answers if not clean(a)]
            return " | ".join(wrong) or "all servers agree"

        outcome = wait_for(ask, lambda answers: all(clean(a) for _, a in answers),
                           expected=f"{expected} (every server)", timeout=self.timeout, interval=0.5,
                           describe=describe, transcript=self.probes.transcript.last, retry_on=_retryable)
        return Outcome(outcome.value[0][1], outcome.elapsed, outcome.polls)

    def await_a(self, name: str, addresses: set[str], rdtype: str = "A") -> Outcome[DigAnswer]:
        """The A (or AAAA) records of `name` are exactly `addresses`, each once."""
        wanted = Counter(addresses)
        return self._await(name, rdtype,
                           lambda a: a.rcode == "NOERROR" and a.address_counts(rdtype) == wanted,
                           f"{rdtype} {name} = {sorted(addresses)}")

    def await_srv_targets(self, name: str, targets: set[str]) -> Outcome[DigAnswer]:
        """The SRV records of `name` are exactly one per target in `targets`."""
        wanted = Counter(targets)
        return self._await(name, "SRV",
                           lambda a: a.rcode == "NOERROR" and Counter(r.target for r in a.srv()) == wanted,
                           f"SRV {name}: one record per target {sorted(targets)}")

    def await_nxdomain(self, name: str, rdtype: str = "A") -> Outcome[DigAnswer]:
        return self._await(name, rdtype, lambda a: a.rcode == "NXDOMAIN", f"{rdtype} {name} → NXDOMAIN")
