"""Applications' resolvers, run where applications run: probe pods in a Service's own namespace (so
that its short names resolve through the search path), one per `ndots`, each with glibc's and musl's
resolvers (headless_conformance.checking.resolvers). `ndots:5` is the pod's default (ClusterFirst);
the others are set through `dnsConfig`, as applications set them.

Counting a lookup's questions: a second pod per `ndots` whose resolv.conf names a dnsmasq in the pod
(no cache, every query logged), forwarding to the nameservers and with the search path of the pods
above. Nothing of the cluster changes: the count is the resolver's alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from headless_conformance.checking.probes import ExecResult, Probes, Query
from headless_conformance.checking.resolvers import (
    ASKED_TYPES,
    NO_RESPONSE,
    Lookup,
    Prediction,
    Reply,
    Resolver,
    asked_types,
    candidates,
    families,
    glibc_version,
    lookups_script,
    parse_lookups,
    predict,
    resolvers_in,
    slow,
    walk,
)

DEFAULT_NDOTS = 5  # what the kubelet writes for a ClusterFirst pod
QUERY_LOG = "/tmp/queries.log"
# one try of 1 s a question while counting: a question the path never answers costs a second, not the
# resolver's 5 s and its retries (the questions of the walk are the same)
COUNTING_OPTIONS = ("timeout:1", "attempts:1")
LOOKUP_TIMEOUT = 60.0  # a lookup of several names, each resolver's own retries and timeouts included
UDP_WITHOUT_EDNS = 512  # bytes: the largest UDP answer to a question without EDNS


@dataclass(frozen=True)
class ResolvConf:
    text: str
    nameservers: tuple[str, ...]
    search: tuple[str, ...]
    ndots: int


def parse_resolv_conf(text: str) -> ResolvConf:
    """resolv.conf(5): the nameservers, the last `search` line, `ndots` (1 where unset)."""
    nameservers, search, ndots = [], (), 1
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        if words[0] == "nameserver" and len(words) > 1:
            nameservers.append(words[1])
        elif words[0] == "search":
            search = tuple(words[1:])
        elif words[0] == "options":
            for option in words[1:]:
                found = re.fullmatch(r"ndots:(\d+)", option)
                if found:
                    ndots = min(int(found.group(1)), 15)
    return ResolvConf(text, tuple(nameservers), search, ndots)


def options_given(ndots: int, extra: Sequence[str], always: Sequence[str] = ()) -> list[dict[str, str]]:
    """A pod's dnsConfig options: `ndots` where not the default (or where `always` is given), then
    `always`, then `extra` ("name:value" or "name"), an option of the same name replacing it."""
    chosen: dict[str, str | None] = {} if ndots == DEFAULT_NDOTS and not always else {"ndots": str(ndots)}
    for option in (*always, *extra):
        name, _, value = option.partition(":")
        chosen[name] = value or None
    return [{"name": n, **({"value": v} if v is not None else {})} for n, v in chosen.items()]


@dataclass(frozen=True)
class Seen:
    """One lookup beside what the resolver's documented walk must get from the server's records."""

    resolver: Resolver
    name: str
    walk: str
    prediction: Prediction
    lookup: Lookup

    @property
    def right(self) -> bool:
        return self.prediction.matches(self.lookup.found, self.lookup.addresses)

    def got(self) -> str:
        if not self.lookup.found:
            return f"not found (exit {self.lookup.status}: {self.lookup.error or 'no address'})"
        shown = ", ".join(sorted(self.lookup.addresses)[:6]) + (" …" if len(self.lookup.addresses) > 6 else "")
        return f"{len(self.lookup.addresses)} addresses: {shown}"

    def __str__(self) -> str:
        return (f"{self.resolver.name} {self.name} [{self.walk}]: got {self.got()} in {self.lookup.seconds:.3f} s; "
                f"its walk must get {self.prediction.expected()}")


class Clients:
    """Client pods in `probes`' place (the Service's namespace), made on first use."""

    def __init__(self, probes: Probes, image: str, ndots: Sequence[int] = (DEFAULT_NDOTS, 1, 2),
                 extra_options: Sequence[str] = ()) -> None:
        self.probes = probes
        self.image = image
        self.ndots = tuple(ndots)
        self.extra_options = tuple(extra_options)
        self._confs: dict[str, ResolvConf] = {}
        self._resolvers: list[Resolver] | None = None
        self._families: tuple[bool, bool] | None = None
        # names the path answered late or never (outside the cluster's zone, where the path may not reach
        # any server): asked once for the module, not for every check at dig's whole timeout
        self._slow: dict[str, dict[str, Reply]] = {}
        # every question of the truth at once, each in a dig of its own: a name outside the cluster may
        # get no response, and must not hold the others for dig's whole timeout
        probes.place.apart.add(None)
        for n in self.ndots:
            options = options_given(n, self.extra_options)
            probes.add_pod(self.pod(n), image, dns={"dnsConfig": {"options": options}} if options else None)

    @staticmethod
    def pod(ndots: int) -> str:
        return f"client-ndots{ndots}"

    @staticmethod
    def counting_pod(ndots: int) -> str:
        return f"counting-ndots{ndots}"

    def start(self) -> None:
        """The client pods, Ready; the counting pods made (they start while the first checks run)."""
        self.probes.start([self.pod(n) for n in self.ndots])
        self._add_counting_pods()
        for n in self.ndots:
            self.probes.create(self.counting_pod(n))

    def resolv_conf(self, pod: str) -> ResolvConf:
        if pod not in self._confs:
            self._confs[pod] = parse_resolv_conf(self._run(pod, ["cat", "/etc/resolv.conf"]).stdout)
        return self._confs[pod]

    def families(self) -> tuple[bool, bool]:
        """Whether the client pods have an IPv4 and an IPv6 address besides the loopback ones."""
        if self._families is None:
            pod = self.pod(self.ndots[0])
            self._families = families(self._run(pod, ["cat", "/proc/net/route"]).stdout,
                                      self._run(pod, ["cat", "/proc/net/if_inet6"]).stdout)
        return self._families

    def configured(self, ndots: int, counting: bool = False) -> str:
        """What the pod's resolv.conf says of ndots, for a failure's message."""
        pod = self.counting_pod(ndots) if counting else self.pod(ndots)
        return f"{pod}'s resolv.conf has ndots:{self.resolv_conf(pod).ndots}"

    def resolvers(self) -> list[Resolver]:
        """glibc and each musl of the probe image."""
        if self._resolvers is None:
            pod = self.pod(self.ndots[0])
            listing = self._run(pod, ["ls", "/usr/local/bin"]).stdout
            self._resolvers = resolvers_in(listing, glibc_version(self._run(pod, ["ldd", "--version"]).stdout))
        return self._resolvers

    def start_counting(self) -> None:
        """The counting pods, Ready."""
        self._add_counting_pods()
        self.probes.start([self.counting_pod(n) for n in self.ndots])

    def _add_counting_pods(self) -> None:
        """The client pods' nameservers and search path, a dnsmasq in between."""
        if self.counting_pod(self.ndots[0]) in self.probes.pod_options:
            return
        conf = self.resolv_conf(self.pod(DEFAULT_NDOTS) if DEFAULT_NDOTS in self.ndots else self.pod(self.ndots[0]))
        for n in self.ndots:
            options = options_given(n, self.extra_options, always=COUNTING_OPTIONS)
            self.probes.add_pod(self.counting_pod(n), self.image, command=dnsmasq_argv(conf.nameservers),
                                ready_when=["grep", "-q", "using nameserver", QUERY_LOG],
                                dns={"dnsPolicy": "None", "dnsConfig": {
                                    "nameservers": ["127.0.0.1"], "searches": list(conf.search), "options": options}})

    def judge(self, ndots: int, names: Sequence[str], counted: bool = False) -> list[Seen]:
        """Each resolver's lookup of each name in the pod of `ndots`, beside what its documented walk
        (for that `ndots`, the pod's search path) must get from what dig proves the server answers
        every name it may ask; `counted`: in the counting pod, with the questions it sent."""
        pod = self.counting_pod(ndots) if counted else self.pod(ndots)
        resolvers = self.resolvers()
        self.families()
        self.resolv_conf(self.pod(ndots))  # read here: the pods' streams are not shared between threads
        with ThreadPoolExecutor(1) as lookup:  # the lookups in their pod while dig asks from its own
            running = lookup.submit(self._lookups, pod, resolvers, names, QUERY_LOG if counted else None)
            predictions = self.predictions(ndots, names)
            lookups = running.result()
        return [Seen(r, n, walk(r, n, ndots), predictions[r, n], lookup)
                for r, found in lookups.items() for n, lookup in zip(names, found, strict=True)]

    def predictions(self, ndots: int, names: Sequence[str]) -> dict[tuple[Resolver, str], Prediction]:
        """What each resolver's walk must get for each name, from what dig proves the server answers the
        names it asks: asked in rounds, the names each walk needs next, so that a name past where every
        walk ends is never asked (one outside the cluster's zone may take dig's whole timeout)."""
        search = self.resolv_conf(self.pod(ndots)).search
        walks = {(r, n): candidates(r, n, search, ndots) for r in self.resolvers() for n in names}
        types = {r: asked_types(r, *self.families()) for r in self.resolvers()}
        replies: dict[str, dict[str, Reply]] = dict(self._slow)
        while True:
            decided = {key: predict(key[0], types[key[0]], [(c, replies.get(c)) for c in chain],
                                    as_is=key[1] if key[1].endswith(".") else f"{key[1]}.")
                       for key, chain in walks.items()}
            needed = {d for d in decided.values() if isinstance(d, str)}
            if not needed:
                return {key: d for key, d in decided.items() if isinstance(d, Prediction)}
            replies.update(self.replies(needed, ASKED_TYPES))
            self._slow.update({n: r for n, r in replies.items() if any(slow(reply) for reply in r.values())})

    def replies(self, names: Iterable[str], types: Sequence[str]) -> dict[str, dict[str, Reply]]:
        """What the pods' own DNS path answers each absolute name, for each type, asked by dig from the
        Service's namespace over TCP (every record, whatever a server does with a UDP answer too
        large); where that answer is larger than 512 bytes, also what a UDP answer without EDNS (as
        the C libraries ask) still holds."""
        names = sorted(set(names))
        queries = [Query(n, t, None, "tcp") for n in names for t in types]
        found: dict[str, dict[str, Reply]] = {n: {} for n in names}
        large = []
        for q, asked in zip(queries, self.probes.ask_all(queries), strict=True):
            if asked.answer is None:
                found[q.name][q.rdtype] = Reply(NO_RESPONSE)
                continue
            held = tuple(r.address for r in asked.answer.records(q.rdtype))
            found[q.name][q.rdtype] = Reply(asked.answer.rcode, held, seconds=asked.answer.seconds)
            if (asked.answer.size or 0) > UDP_WITHOUT_EDNS:
                large.append(Query(q.name, q.rdtype, None, "udp-512"))
        for q, asked in zip(large, self.probes.ask_all(large) if large else [], strict=True):
            held = len(asked.answer.records(q.rdtype)) if asked.answer is not None else 0
            full = found[q.name][q.rdtype]
            found[q.name][q.rdtype] = Reply(full.rcode, full.addresses, held, full.seconds)
        return found

    def _lookups(self, pod: str, resolvers: Sequence[Resolver], names: Sequence[str],
                 query_log: str | None) -> dict[Resolver, list[Lookup]]:
        """Each resolver's lookup of each name: all at once, or one after another where their questions
        are counted."""
        argvs = [r.argv(n) for r in resolvers for n in names]
        script = lookups_script(argvs, query_log, together=query_log is None)
        found = parse_lookups(self._run(pod, ["sh", "-c", script], timeout=LOOKUP_TIMEOUT).stdout, len(argvs))
        return {r: found[i * len(names):(i + 1) * len(names)] for i, r in enumerate(resolvers)}

    def _run(self, pod: str, argv: list[str], timeout: float = 20.0) -> ExecResult:
        return self.probes.run(pod, argv, timeout=timeout)


def dnsmasq_argv(nameservers: Sequence[str]) -> list[str]:
    """dnsmasq as a counting forwarder: no cache (not even of denials), every query in the log, on
    127.0.0.1:53 only, as the pod's own user."""
    return ["dnsmasq", "--keep-in-foreground", "--no-resolv", *(f"--server={ns}" for ns in nameservers),
            "--cache-size=0", "--no-negcache", "--log-queries", f"--log-facility={QUERY_LOG}",
            "--listen-address=127.0.0.1", "--bind-interfaces", "--no-hosts", "--pid-file=", "--user="]
