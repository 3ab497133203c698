"""How applications' resolvers turn a name into questions and an answer, as their sources define it:
glibc's `res_nsearch` (under `getaddrinfo`) and musl's `name_from_dns_search`. Given the server's
answers to every name a resolver may ask (dig proves them), `predict` says what a client must get,
so that a check tells a client's documented behaviour from the server's fault.

Pure: no cluster. The commands run in the dig probe image (imagebuild/files/images/dig.Dockerfile):
`getent ahosts` (Debian's glibc) and `resolve-musl-<version>` (musl's getaddrinfo, same hints and
output), and dnsmasq's query log when a lookup's questions are counted.
"""

from __future__ import annotations

import re
import shlex
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

NO_RESPONSE = "NO RESPONSE"  # a question dig got no response to, in place of an rcode
SHORTEST_TIMEOUT = 1.0  # resolv.conf's timeout is in whole seconds
MUSL_MAX_ADDRESSES = 48  # musl's MAXADDRS: getaddrinfo returns no more
MUSL_TCP_FALLBACK = (1, 2, 4)  # the first musl release that asks again over TCP when an answer is truncated
ASKED_TYPES = ("A", "AAAA")  # getaddrinfo(AF_UNSPEC) asks A, then AAAA, in both libraries
RETRYING_RCODES = ("NXDOMAIN", "NOERROR", "SERVFAIL")  # glibc walks on past these (no data, no name, failure)


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text)[:3])


@dataclass(frozen=True)
class Resolver:
    """One C library's resolver in the probe image."""

    library: str  # "glibc" or "musl"
    version: str  # e.g. "2.36", "1.2.3"

    @property
    def name(self) -> str:
        return f"{self.library} {self.version}"

    @property
    def command(self) -> str:
        return "getent" if self.library == "glibc" else f"resolve-musl-{self.version}"

    def argv(self, name: str) -> list[str]:
        return [self.command, "ahosts", name]

    @property
    def tcp_fallback(self) -> bool:
        """Asks again over TCP when a UDP answer comes truncated (musl only from 1.2.4)."""
        return self.library == "glibc" or _version(self.version) >= MUSL_TCP_FALLBACK

    @property
    def max_addresses(self) -> int | None:
        return MUSL_MAX_ADDRESSES if self.library == "musl" else None


def asked_types(resolver: Resolver, has_ipv4: bool, has_ipv6: bool) -> tuple[str, ...]:
    """What getaddrinfo(AF_UNSPEC, AI_ADDRCONFIG) asks in a pod: glibc asks A where the pod has an
    IPv4 address besides 127.0.0.1 and AAAA where it has an IPv6 one besides ::1 (a link-local one
    counts); musl asks both wherever each family's loopback answers a connect, as in every pod."""
    if resolver.library == "musl":
        return ASKED_TYPES
    return tuple(t for t, has in zip(ASKED_TYPES, (has_ipv4, has_ipv6), strict=True) if has)


def families(route: str, if_inet6: str) -> tuple[bool, bool]:
    """(IPv4, IPv6) addresses besides the loopback ones, from /proc/net/route (an IPv4 route on an
    interface but lo) and /proc/net/if_inet6 (an address on an interface but lo)."""
    ipv4 = any(len(w) > 1 and w[0] != "lo" for w in (line.split() for line in route.splitlines()[1:]))
    ipv6 = any(len(w) >= 6 and w[5] != "lo" for w in (line.split() for line in if_inet6.splitlines()))
    return ipv4, ipv6


def resolvers_in(listing: str, glibc_version: str) -> list[Resolver]:
    """The resolvers of a probe image: glibc (its `ldd --version`) and each resolve-musl-<version>
    that `ls /usr/local/bin` lists."""
    musl = sorted({m.group(1) for m in re.finditer(r"\bresolve-musl-([0-9.]+)\b", listing)}, key=_version)
    return [Resolver("glibc", glibc_version), *(Resolver("musl", v) for v in musl)]


def glibc_version(ldd_output: str) -> str:
    """'ldd (Debian GLIBC 2.36-9+deb12u10) 2.36' -> '2.36'."""
    first = ldd_output.strip().splitlines()[0] if ldd_output.strip() else ""
    found = re.search(r"(\d+\.\d+)\s*$", first)
    if found is None:
        raise ValueError(f"no glibc version in {first!r}")
    return found.group(1)


def candidates(resolver: Resolver, name: str, search: Sequence[str], ndots: int) -> list[str]:
    """The absolute names the resolver may ask, in order, before it gives up.

    Both ask a name with a trailing dot as it is, and nothing else. glibc asks a name with at least
    `ndots` dots as it is first, then with each search domain, then (if not asked yet) as it is.
    musl asks a name with at least `ndots` dots as it is and never walks the search list for it;
    a shorter one with each search domain, then as it is."""
    if name.endswith("."):
        return [name]
    as_is, searched = f"{name}.", [f"{name}.{domain.rstrip('.')}." for domain in search if domain.strip(".")]
    if name.count(".") >= ndots:
        return [as_is] if resolver.library == "musl" else [as_is, *searched]
    return [*searched, as_is]


def walk(resolver: Resolver, name: str, ndots: int) -> str:
    """How the resolver walks for this name, in a few words."""
    dots = name.count(".")
    if name.endswith("."):
        return "absolute: asked as it is, alone"
    if dots >= ndots:
        return (f"{dots} dots, ndots:{ndots}: asked as it is, alone (musl walks no search list then)"
                if resolver.library == "musl" else f"{dots} dots, ndots:{ndots}: asked as it is, then the search list")
    return f"{dots} dots, ndots:{ndots}: the search list, then as it is"


@dataclass(frozen=True)
class Reply:
    """What the server answered one candidate name, for one type: its rcode and addresses, and where
    the UDP answer came truncated, the addresses it still held (what a client without a TCP
    fallback keeps)."""

    rcode: str
    addresses: tuple[str, ...] = ()
    truncated_count: int | None = None
    seconds: float | None = None  # how long the server took to answer


@dataclass(frozen=True)
class Prediction:
    """What a client must get: `found` with exactly `addresses` (or, where `at_most` is set, that many
    of them, as a resolver keeping only part of a large answer), and the questions it asks."""

    found: bool
    addresses: frozenset[str] = frozenset()
    at: str = ""  # the candidate that answered
    asked: tuple[tuple[str, str], ...] = ()  # (name, type), in order
    at_most: int | None = None  # a subset of this many addresses
    why: str = ""  # where the resolver gives up, why, in its documented terms
    unanswered: frozenset[tuple[str, str]] = frozenset()  # questions the resolver may send again (`resent`)

    def asks(self, sent: Sequence[tuple[str, str]]) -> bool:
        """The questions sent are the walk's, each once; one the path never answered may be sent again
        (each resolver's retries)."""
        counts = Counter(sent)
        return set(counts) == set(self.asked) and len(self.asked) == len(set(self.asked)) and all(
            n == 1 or q in self.unanswered for q, n in counts.items())

    def matches(self, found: bool, addresses: Sequence[str]) -> bool:
        if found != self.found:
            return False
        if not found:
            return True
        got = set(addresses)
        if self.at_most is None:
            return got == self.addresses and len(addresses) == len(got)
        return got <= self.addresses and len(addresses) == self.at_most and len(got) == len(addresses)

    def expected(self) -> str:
        if not self.found:
            return f"not found ({self.why})"
        if self.at_most is not None:
            return f"{self.at_most} of the {len(self.addresses)} addresses of {self.at} ({self.why})"
        return f"exactly {', '.join(sorted(self.addresses))} (from {self.at})"


def predict(resolver: Resolver, types: Sequence[str], chain: Sequence[tuple[str, Mapping[str, Reply] | None]],
            as_is: str = "") -> Prediction | str:
    """What `resolver` gets for its candidates (`chain`, in order, with the server's replies to each of
    `types`, asked in that order: A before AAAA, as both libraries ask them), or the candidate whose
    replies it needs first where they are not known yet (None). `as_is`: the candidate that is the
    name itself (glibc asks it after a search walk it stopped)."""
    found = _walk(resolver, types, chain, as_is)
    if isinstance(found, str):
        return found
    known = dict(chain)
    return replace(found, unanswered=frozenset(
        (c, t) for c, t in found.asked if resent(resolver, (known.get(c) or {}).get(t))))


def resent(resolver: Resolver, reply: Reply | None) -> bool:
    """Whether a resolver may send a question again: answered late or never (past a timeout), or for
    musl answered SERVFAIL (it asks again at once on a server failure, res_msend.c)."""
    return slow(reply) or (resolver.library == "musl" and reply is not None and reply.rcode == "SERVFAIL")


def slow(reply: Reply | None) -> bool:
    """No response, or one later than a resolver's shortest timeout (1 s): the resolver asks again."""
    return reply is not None and (reply.rcode == NO_RESPONSE or (reply.seconds or 0.0) >= SHORTEST_TIMEOUT)


def _walk(resolver: Resolver, types: Sequence[str], chain: Sequence[tuple[str, Mapping[str, Reply] | None]],
          as_is: str) -> Prediction | str:
    asked: list[tuple[str, str]] = []
    stopped_at = ""
    for candidate, replies in chain:
        if stopped_at and candidate != as_is:
            continue
        if replies is None:
            return candidate
        asked += [(candidate, t) for t in types]
        if resolver.library == "musl":
            for t in types:  # musl reads the rcodes in the order it asked
                if replies[t].rcode == "NXDOMAIN":
                    break
                if replies[t].rcode != "NOERROR":
                    return Prediction(False, asked=tuple(asked),
                                      why=f"musl gives up at {replies[t].rcode} for {candidate} {t}")
            else:
                found = _kept(resolver, candidate, types, replies, tuple(asked))
                if found is not None:
                    return found
                return Prediction(False, asked=tuple(asked),
                                  why=f"musl stops at the first name that exists (NOERROR, no address: {candidate})")
            continue
        found = _kept(resolver, candidate, types, replies, tuple(asked))
        if found is not None:
            return found
        if candidate != as_is and any(replies[t].rcode not in RETRYING_RCODES for t in types):
            stopped_at = candidate
    last = asked[-1][0] if asked else ""
    if stopped_at:
        why = f"glibc stops its search walk at {stopped_at} and the name as it is has no address"
    elif len(chain) > 1:
        why = f"no name asked has an address; the last asked: {last}"
    else:
        why = f"{last} has no address"
    return Prediction(False, asked=tuple(asked), why=why)


def _kept(resolver: Resolver, candidate: str, types: Sequence[str], replies: Mapping[str, Reply],
          asked: tuple[tuple[str, str], ...]) -> Prediction | None:
    """The answer a resolver keeps from one candidate, or None where it has no address."""
    full = frozenset(a for t in types for a in replies[t].addresses)
    if not full:
        return None
    cut = any(replies[t].truncated_count is not None for t in types) and not resolver.tcp_fallback
    held = sum((replies[t].truncated_count if cut and replies[t].truncated_count is not None
                else len(replies[t].addresses)) for t in types)
    limit = resolver.max_addresses
    if not cut and (limit is None or held <= limit):
        return Prediction(True, full, candidate, asked)
    reasons = []
    if cut:
        reasons.append(f"{resolver.name} keeps a truncated UDP answer (no TCP fallback before musl 1.2.4)")
    if limit is not None and held > limit:
        reasons.append(f"musl returns at most {limit} addresses")
    return Prediction(True, full, candidate, asked, at_most=min(held, limit or held), why="; ".join(reasons))


@dataclass(frozen=True)
class Lookup:
    """A client's lookup as it ran: found, its addresses in order, how long, and (when counted) the
    questions it sent."""

    found: bool
    addresses: tuple[str, ...]
    seconds: float
    status: int
    error: str = ""
    asked: tuple[tuple[str, str], ...] = ()


def parse_ahosts(output: str) -> tuple[str, ...]:
    """getent ahosts' (and resolve-musl's) lines: an address and a socket type; one per address
    (the STREAM lines)."""
    found = []
    for line in output.splitlines():
        words = line.split()
        if len(words) >= 2 and words[1] == "STREAM":
            found.append(words[0])
    return tuple(found)


_QUERY = re.compile(r"\bquery\[(\w+)\] (\S+) from ")


def parse_query_log(lines: str) -> tuple[tuple[str, str], ...]:
    """dnsmasq's --log-queries lines: each question a client sent, (absolute name, type)."""
    return tuple((f"{m.group(2).rstrip('.')}.", m.group(1)) for m in map(_QUERY.search, lines.splitlines()) if m)


LOOKUP_MARK = "=== lookup"
LOOKUP_RE = re.compile(r"^=== lookup (\d+) status (\d+) ns (\d+) (\d+)$", re.MULTILINE)


def lookups_script(argvs: Sequence[Sequence[str]], query_log: str | None = None, together: bool = False) -> str:
    """A shell script (one line) running each lookup: its output, then a line with its exit status and
    its start and end in nanoseconds; with `query_log`, then the lines dnsmasq logged meanwhile (one
    lookup after another); `together`: all at once, each printed in turn when all are done."""
    if together:
        run = [f"( s=$(date +%s%N); {shlex.join(argv)} > $d/{i} 2>&1; c=$?; e=$(date +%s%N); "
               f'echo "{LOOKUP_MARK} {i} status $c ns $s $e" >> $d/{i} ) &' for i, argv in enumerate(argvs)]
        show = [f'cat $d/{i}; echo "=== end {i}"' for i in range(len(argvs))]
        return "d=$(mktemp -d); " + " ".join(run) + " wait; " + "; ".join(show) + "; rm -rf $d"
    out = []
    for i, argv in enumerate(argvs):
        before = f'n=$(wc -l < {query_log}); ' if query_log else ""
        after = f'tail -n +$((n + 1)) {query_log}; ' if query_log else ""
        out.append(f"{before}s=$(date +%s%N); {shlex.join(argv)} 2>&1; c=$?; e=$(date +%s%N); "
                   f'echo "{LOOKUP_MARK} {i} status $c ns $s $e"; {after}echo "=== end {i}"')
    return "; ".join(out)


def parse_lookups(output: str, count: int) -> list[Lookup]:
    """The lookups of `lookups_script`'s output, in order."""
    found: list[Lookup] = []
    rest = output
    for i in range(count):
        end = f"=== end {i}"
        head, sep, rest = rest.partition(end + "\n") if end + "\n" in rest else rest.partition(end)
        if not sep:
            raise ValueError(f"lookup {i} of {count} has no end in its output:\n{output[-2000:]}")
        mark = LOOKUP_RE.search(head)
        if mark is None or int(mark.group(1)) != i:
            raise ValueError(f"lookup {i} has no status line:\n{head[-2000:]}")
        printed, log = head[:mark.start()], head[mark.end():]
        status = int(mark.group(2))
        addresses = parse_ahosts(printed)
        error = "" if status == 0 else " ".join(printed.split())
        found.append(Lookup(status == 0 and bool(addresses), addresses,
                            (int(mark.group(4)) - int(mark.group(3))) / 1e9, status, error, parse_query_log(log)))
    return found
