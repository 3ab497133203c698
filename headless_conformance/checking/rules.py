"""What checks hold clusters to: the statements of the Kubernetes DNS specification (schema 1.1.0)
and of the DNS RFCs it leans on, in this project's words, and CoreDNS behaviours beyond them.

A `spec` (or `rfc`) check names the statements it covers and the endpoint kinds it tries them on:
`@pytest.mark.spec("2.4.2/srv", kinds=("ipv4", "ipv6", "no-hostname"))`. A statement says which
kinds it distinguishes; for each one no check covers, why. `coverage` turns the checks' claims into
the statement × kind table docs/levels.md and the report carry. A statement is a MUST or a SHOULD as
the specification words it; a failed SHOULD is shown as such, and never fails a run's conformance.
A CoreDNS check names a behaviour: `@pytest.mark.coredns("srv-weights")`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

SPEC_URL = "https://github.com/kubernetes/dns/blob/master/docs/specification.md"
COREDNS_URL = "https://github.com/coredns/coredns/blob/master/plugin/kubernetes/README.md"
SCHEMA = "1.1.0"

MUST, SHOULD, MAY = "MUST", "SHOULD", "MAY"

# the kinds a statement can be tried on: the coverage table's columns, in order
KINDS: dict[str, str] = {
    "any": "any cluster",
    "ipv4": "IPv4 (single-stack Service)",
    "ipv6": "IPv6 (single-stack Service)",
    "dual": "dual-stack Service",
    "hostname": "endpoint with a hostname",
    "no-hostname": "endpoint without a hostname",
    "shared-hostname": "one hostname, several addresses",
    "several-services": "address behind several Services",
    "several-slices": "endpoints in several EndpointSlices",
    "unready": "unready endpoint",
    "terminating": "terminating endpoint",
    "ready-unset": "ready condition unset",
    "publish-not-ready": "publishNotReadyAddresses",
    "tolerate-unready": "tolerate-unready-endpoints annotation (no effect: erratum)",
    "tcp": "TCP port",
    "udp": "UDP port",
    "sctp": "SCTP port",
    "several-ports": "several named ports",
    "port-differs": "port ≠ targetPort",
    "unnamed-port": "unnamed port",
    "several-clusters": "endpoints of several clusters (ServiceImport)",
}
SINGLE_STACK = ("ipv4", "ipv6")  # a check on the cluster's primary family: one run tries one, CI runs both

_READINESS = {"unready": "", "terminating": "", "ready-unset": "", "publish-not-ready": "", "tolerate-unready": ""}
_SRV_PORTS = {"tcp": "", "udp": "", "sctp": "", "several-ports": "", "port-differs": ""}


@dataclass(frozen=True)
class Statement:
    id: str  # section/what, e.g. "2.4.3/ptr"; for an RFC "rfc2308/nodata"
    strength: str  # MUST, SHOULD or MAY, as the text words it
    rdtype: str
    says: str
    kinds: dict[str, str] = field(default_factory=dict)  # kind -> why no check covers it ("" when one must)
    not_applicable: str = ""  # why the kinds not listed do not apply
    anchor: str = ""
    url: str = SPEC_URL

    @property
    def section(self) -> str:
        return self.id.split("/", 1)[0]

    @property
    def link(self) -> str:
        return self.url + self.anchor


def _spec(id_: str, strength: str, rdtype: str, says: str, kinds: dict[str, str], not_applicable: str,
          anchor: str) -> Statement:
    return Statement(id_, strength, rdtype, says, kinds, not_applicable, anchor)


# the specification's statements (kubernetes/dns docs/specification.md, schema 1.1.0)
STATEMENTS: dict[str, Statement] = {s.id: s for s in [
    _spec("2.1/case-service", MUST, "A/AAAA", "a Service's name matches in a question whatever its letters' case",
          {"ipv4": "", "ipv6": ""}, "how names compare does not depend on the endpoints", "#21---definitions"),
    _spec("2.1/case-srv", MUST, "SRV", "the port and protocol labels of an SRV name match whatever their case",
          {"ipv4": "", "ipv6": ""}, "how names compare does not depend on the endpoints", "#21---definitions"),
    _spec("2.1/case-hostname", MUST, "A/AAAA", "an endpoint's hostname label matches whatever its case",
          {"hostname": "", "no-hostname": ""}, "a label's case does not depend on the address family",
          "#21---definitions"),
    _spec("2.1/case-reverse", MUST, "PTR", "a reverse name (in-addr.arpa, ip6.arpa nibbles) matches whatever its "
                                           "case", {"ipv4": "", "ipv6": ""},
          "reverse names depend on the address only", "#21---definitions"),
    _spec("2.2/txt", MUST, "TXT", "dns-version.<zone> has a TXT record holding the schema's semantic version",
          {"any": ""}, "one record per cluster", "#22---record-for-schema-version"),
    _spec("2.3.1/address", MUST, "A/AAAA", "a ClusterIP Service's name has an A record of its IPv4 cluster IP and "
                                           "an AAAA record of its IPv6 one",
          {"ipv4": "", "ipv6": "", "dual": ""}, "a ClusterIP Service's address is its own, not its endpoints'",
          "#231---aaaaa-record"),
    _spec("2.3.2/srv", MUST, "SRV", "each named port of a ClusterIP Service has an SRV record with the Service's "
                                    "port number whose target is the Service's name",
          {**_SRV_PORTS, "sctp": "an SCTP ClusterIP Service makes kube-proxy program SCTP rules, which need the "
                                 "nodes' kernel to support SCTP; the DNS side of SCTP is tried under 2.4.2/srv"},
          "a ClusterIP Service's SRV records name the Service, not its endpoints", "#232---srv-records"),
    _spec("2.3.2/unnamed", MUST, "SRV", "an unnamed port has no SRV record", {"unnamed-port": ""},
          "about ports only", "#232---srv-records"),
    _spec("2.3.2/additional", MAY, "SRV", "the additional section may hold the Service's A/AAAA record", {},
          "a permission: either answer conforms, so no check holds a server to one", "#232---srv-records"),
    _spec("2.3.3/ptr", MUST, "PTR", "a ClusterIP Service's IPv4 and IPv6 cluster IPs point back at its name",
          {"ipv4": "", "ipv6": "", "dual": ""}, "about the Service's own addresses", "#233---ptr-record"),
    _spec("2.4.1/service", MUST, "A/AAAA", "a headless Service's name has an A record for each ready endpoint's "
                                           "IPv4 address and an AAAA record for each IPv6 one (and only those); "
                                           "ready as its EndpointSlice says (erratum)",
          {"ipv4": "", "ipv6": "", "dual": "", "hostname": "", "no-hostname": "", "several-services": "",
           "several-slices": "", **_READINESS},
          "ports do not change address records", "#241---aaaaa-records"),
    _spec("2.4.1/no-ready", SHOULD, "A/AAAA", "with no ready endpoint the headless Service's name is NXDOMAIN",
          {"ipv4": "", "ipv6": "",
           "dual": "a name is NXDOMAIN for every type at once: A and AAAA are both asked on each single-stack "
                   "cluster, whose Service's pods all turn unready"},
          "no endpoint is ready, whatever its kind",
          "#241---aaaaa-records"),
    _spec("2.4.1/hostname", MUST, "A/AAAA", "<hostname>.<service> has an A/AAAA record for each address of the "
                                            "ready endpoints with that hostname",
          {"ipv4": "", "ipv6": "", "dual": "", "hostname": "", "no-hostname": "", "shared-hostname": "",
           "unready": "", "terminating": ""},
          "ports do not change address records; a hostname is a Service's own", "#241---aaaaa-records"),
    _spec("2.4.2/srv", MUST, "SRV", "for each ready endpoint and named port an SRV record with the endpoint's port "
                                    "number (the resolved targetPort: erratum) and the endpoint's "
                                    "<hostname>.<service> as target (N × M records)",
          {"ipv4": "", "ipv6": "", "dual": "", "hostname": "", "no-hostname": "", "shared-hostname": "",
           "several-slices": "", "unready": "", "terminating": "", "publish-not-ready": "", **_SRV_PORTS},
          "a Service's SRV records are its own", "#242---srv-records"),
    _spec("2.4.2/unnamed", MUST, "SRV", "an unnamed port has no SRV record", {"unnamed-port": ""},
          "about ports only", "#242---srv-records"),
    _spec("2.4.2/additional", MAY, "SRV", "the additional section may hold the targets' A/AAAA records", {},
          "a permission: either answer conforms, so no check holds a server to one", "#242---srv-records"),
    _spec("2.4.3/ptr", MUST, "PTR", "each ready endpoint's address points back at <hostname>.<service>, one PTR "
                                    "record per headless Service whose ready endpoints hold it",
          {"ipv4": "", "ipv6": "", "dual": "", "hostname": "", "no-hostname": "", "several-services": ""},
          "ports do not change reverse records", "#243---ptr-records"),
    _spec("2.5/cname", MUST, "CNAME", "an ExternalName Service's name is a CNAME to its external name",
          {"ipv4": "", "ipv6": ""}, "an ExternalName Service has no endpoints", "#25---records-for-external-name"
                                                                           "-services"),
    _spec("3/extensions", MAY, "any", "an implementation may answer records beyond the specification's, which "
                                      "must be a subset of what it answers",
          {}, "a permission: the records the other statements name are checked by theirs; CoreDNS's extensions "
              "(pod records, dashed endpoint names under ClusterIP Services) by coredns checks",
          "#3---schema-extensions"),
]}
# what DNS itself requires of the answers the specification describes
RFC_STATEMENTS: dict[str, Statement] = {s.id: s for s in [
    Statement("rfc2308/nodata", MUST, "A/AAAA", "a name that exists answers a type it has no records of with "
                                                "NOERROR and an empty answer (NODATA), not NXDOMAIN "
                                                "(RFC 2308 §2.2; RFC 8020: NXDOMAIN means no name at all)",
              {"ipv4": "", "ipv6": ""}, "about the family a single-stack Service lacks",
              url="https://www.rfc-editor.org/rfc/rfc8020#section-2"),
    Statement("rfc2181/duplicates", SHOULD, "any", "an answer holds no two identical records: a server should "
                                                   "suppress duplicates (RFC 2181 §5)",
              {"ipv4": "", "ipv6": "", "no-hostname": ""}, "identical records are the same whatever the endpoint",
              url="https://www.rfc-editor.org/rfc/rfc2181#section-5"),
]}
MCS_URL = ("https://github.com/kubernetes/enhancements/blob/master/keps/sig-multicluster/"
           "1645-multi-cluster-services-api/specification.md")
MCS_SCHEMA = "1.0.0"
# the multi-cluster DNS specification's statements about headless ServiceImports (KEP-1645's
# specification.md, schema 1.0.0), under clusterset.local
MCS_STATEMENTS: dict[str, Statement] = {s.id: s for s in [
    Statement("mcs-2.2/txt", MUST, "TXT", "dns-version.clusterset.local has a TXT record holding the semantic "
                                          f"version of the multi-cluster DNS schema ({MCS_SCHEMA})",
              {"any": ""}, "one record per cluster", "#22---record-for-schema-version", MCS_URL),
    Statement("mcs-2.4.1/service", MUST, "A/AAAA", "a headless ServiceImport's name has an A/AAAA record for each "
                                                   "of a subset of its ready endpoints across the clusters (the "
                                                   "subset may be all; A and AAAA the same subset), and no other",
              {"ipv4": "", "ipv6": "", "several-clusters": ""}, "about the endpoints' clusters and families",
              "#241----records", MCS_URL),
    Statement("mcs-2.4.1/hostname", MUST, "A/AAAA", "`<hostname>.<clusterid>.<service>.<ns>.svc.clusterset.local` "
                                                    "answers the addresses of that cluster's endpoint (for the "
                                                    "endpoints of that subset)",
              {"hostname": "", "several-clusters": ""}, "every endpoint here has a hostname: the system-assigned "
              "identifier the definitions allow is not tried", "#241----records", MCS_URL),
    Statement("mcs-2.4.1/no-ready", SHOULD, "A/AAAA", "a headless ServiceImport with no ready endpoint answers "
                                                      "NXDOMAIN", {"unready": ""}, "about readiness only",
              "#241----records", MCS_URL),
    Statement("mcs-2.4.2/srv", MUST, "SRV", "each ready endpoint of every cluster and named port has an SRV record "
                                            "with the port number whose target is "
                                            "`<hostname>.<clusterid>.<service>.<ns>.svc.clusterset.local` (N × M)",
              {"hostname": "", "several-clusters": "", "several-ports": ""}, "about endpoints and ports",
              "#242----records", MCS_URL),
    Statement("mcs-2.4.4/no-cluster-name", MUST, "A/AAAA", "`<clusterid>.<service>.<ns>.svc.clusterset.local`, "
                                                           "a name disambiguating to one cluster's backends, has "
                                                           "no record (MUST NOT)",
              {"several-clusters": ""}, "about cluster ids only", "#244---records-that-must-not-exist-for-a-"
                                                                  "multicluster-headless-service", MCS_URL),
]}
COREDNS = {
    "srv-weights": "SRV priority 0 and weight 100 shared equally among the records (at least 1)",
    "ttl": "answers carry the kubernetes plugin's ttl and are authoritative",
    "endpoint-names": "an endpoint without a hostname is named by its IP with dashes",
    "srv-glue": "SRV answers carry the targets' A records in the additional section",
    "truncation": "an answer too large for UDP comes truncated and flagged (TC), and whole over TCP",
    "endpoint-names-under-clusterip": "dashed endpoint names answer under ClusterIP Services too "
                                      "(coredns/coredns#3686)",
    "pod-records": "a-b-c-d.<ns>.pod.<zone> answers the pod's address (the `pods` option; the specification "
                   "dropped these records before schema 1.1.0)",
    "nxdomain-elsewhere": "a name under no Service, endpoint or pod is NXDOMAIN",
    "srv-protocol": "a port's SRV records are under its own protocol's label alone (none under _tcp for UDP)",
    "multicluster-every-endpoint": "a headless ServiceImport's name under clusterset.local answers every ready "
                                   "endpoint of every cluster (the multicluster option; the specification allows a "
                                   "subset)",
}
# what applications' resolvers must get from the records a server holds, as each library documents its walk
CLIENT = {
    "search-walk": "each resolver gets exactly the addresses the server holds for the first name its documented "
                   "search walk finds (glibc's res_nsearch, musl's name_from_dns_search), and nothing where the "
                   "walk finds none",
    "large-answer": "an answer too large for UDP reaches glibc, and musl from 1.2.4, whole over TCP (musl keeps "
                    "at most 48 addresses); musl before 1.2.4 keeps what the truncated UDP answer held",
    "questions": "a lookup sends exactly the questions of its resolver's documented search walk",
}
CLIENT_URL = "https://man7.org/linux/man-pages/man5/resolv.conf.5.html"
LEVELS = ("spec", "rfc", "mcs", "coredns", "client", "scenario", "cluster")
STATEMENT_LEVELS = ("spec", "rfc", "mcs")  # levels whose checks name catalogued statements, MUST or SHOULD
LEVEL_TITLES = {"spec": "Kubernetes DNS specification", "rfc": "DNS protocol (RFC)", "coredns": "CoreDNS behaviour",
                "client": "client resolvers (glibc, musl)",
                "mcs": "multi-cluster DNS specification",
                "scenario": "documented scenario behaviour", "cluster": "cluster prerequisite",
                "unlabelled": "unlabelled"}


@dataclass(frozen=True)
class Rule:
    """What one check holds a cluster to: its level, and its statements (spec, rfc) or behaviour."""

    level: str
    key: str
    title: str
    url: str
    strength: str = ""  # MUST or SHOULD for spec and rfc checks

    @property
    def label(self) -> str:
        """Short, for tables: the statements and their strength, or the behaviour."""
        if self.level in STATEMENT_LEVELS:
            return f"{self.level} {self.key} ({self.strength})"
        return f"{self.level}: {self.title}"

    @property
    def text(self) -> str:
        """In full, for a failure: what the statements say."""
        return f"{self.label}: {self.title}" if self.level in STATEMENT_LEVELS else self.label


def statement(id_: str) -> Statement | None:
    return STATEMENTS.get(id_) or RFC_STATEMENTS.get(id_) or MCS_STATEMENTS.get(id_)


def catalogue(level: str) -> dict[str, Statement]:
    return {"spec": STATEMENTS, "rfc": RFC_STATEMENTS, "mcs": MCS_STATEMENTS}[level]


class BadClaim(ValueError):
    """A check names a statement or kind the catalogue does not have."""


def claim_problems(level: str, ids: Iterable[str], kinds: Iterable[str]) -> list[str]:
    """Why a spec or rfc check's marker is wrong (empty when it is right): unknown statements, a MAY
    (nothing to hold a server to), MUST and SHOULD mixed (a failure must say which it is), kinds
    no named statement distinguishes."""
    ids, kinds = list(ids), list(kinds)
    if not ids:
        return [f"names no statement of the {level} catalogue"]
    known = catalogue(level)
    problems = [f"names {i!r}, not a statement of the {level} catalogue" for i in ids if i not in known]
    found = [known[i] for i in ids if i in known]
    problems += [f"names {s.id}, a {s.strength}: a permission holds no server to anything" for s in found
                 if s.strength == MAY]
    if len({s.strength for s in found}) > 1:
        problems.append("mixes MUST and SHOULD statements: split it, so that a failure says which it is")
    if not kinds:
        problems.append("names no kind (kinds=...) it tries its statements on")
    for kind in kinds:
        if kind not in KINDS:
            problems.append(f"kind {kind!r} is not one of {', '.join(KINDS)}")
        elif found and not any(kind in s.kinds for s in found):
            problems.append(f"kind {kind!r} is not one {', '.join(s.id for s in found)} distinguishes")
    return problems


def rule(level: str, args: tuple[str, ...] | list[str]) -> Rule | None:
    """The rule a level marker names (its positional arguments); None for an unknown statement or
    CoreDNS behaviour."""
    if level in STATEMENT_LEVELS:
        found = [statement(a) for a in args]
        if not found or any(s is None or s.id not in catalogue(level) for s in found):
            return None
        first = found[0]
        assert first is not None
        title = "; ".join(s.says for s in found if s is not None)
        return Rule(level, ", ".join(args), title, first.link, first.strength)
    key = args[0] if args else ""
    if level == "coredns":
        return Rule("coredns", key, COREDNS[key], COREDNS_URL) if key in COREDNS else None
    if level == "client":
        return Rule("client", key, CLIENT[key], CLIENT_URL) if key in CLIENT else None
    return Rule(level, key, key, "")


@dataclass(frozen=True)
class Claim:
    """One check's claim: the statements it covers, on which kinds, and (after a run) its outcome."""

    check: str
    level: str
    statements: tuple[str, ...]
    kinds: tuple[str, ...]
    outcome: str = ""


@dataclass(frozen=True)
class Cell:
    statement: Statement
    kind: str
    checks: tuple[Claim, ...]
    gap: str  # why no check covers it, as the catalogue says ("" when none is said)


def coverage(claims: Iterable[Claim]) -> list[Cell]:
    """Every statement × kind it distinguishes, with the checks that cover it (statements in
    catalogue order, kinds in KINDS order)."""
    claims = list(claims)
    cells = []
    for found in (*STATEMENTS.values(), *RFC_STATEMENTS.values(), *MCS_STATEMENTS.values()):
        for kind in (k for k in KINDS if k in found.kinds):
            covering = tuple(c for c in claims if found.id in c.statements and kind in c.kinds)
            cells.append(Cell(found, kind, covering, found.kinds[kind]))
    return cells


def uncovered(cells: Iterable[Cell]) -> list[Cell]:
    """MUST and SHOULD cells that no check covers and the catalogue says nothing of."""
    return [c for c in cells if not c.checks and not c.gap and c.statement.strength in (MUST, SHOULD)]


def _short(check: str) -> str:
    return check.rsplit("::", 1)[-1].removeprefix("test_")


def _mark(outcome: str) -> str:
    return {"passed": " ✓", "failed": " ✗", "error": " ✗", "xfailed": " (known bug)", "skipped": " (skipped)",
            "xpassed": " (XPASS)"}.get(outcome, "")


def coverage_markdown(claims: Iterable[Claim], with_outcomes: bool = False) -> str:
    """The coverage table in Markdown: one row per statement, its kinds each with the number of
    checks covering it (or why none does), then the kinds that do not apply and why."""
    cells = coverage(claims)
    lines = ["| statement | | record | what it says | kinds covered (checks) | kinds not covered | "
             "other kinds |", "| --- | --- | --- | --- | --- | --- | --- |"]
    by_statement: dict[str, list[Cell]] = {}
    for cell in cells:
        by_statement.setdefault(cell.statement.id, []).append(cell)
    for found in (*STATEMENTS.values(), *RFC_STATEMENTS.values(), *MCS_STATEMENTS.values()):
        mine = by_statement.get(found.id, [])
        covered = ", ".join(f"{KINDS[c.kind]} ({len(c.checks)})" for c in mine if c.checks)
        missing = "; ".join(f"{KINDS[c.kind]}: {c.gap or '**none**'}" for c in mine if not c.checks)
        others = found.not_applicable if len(found.kinds) < len(KINDS) else ""
        lines.append(f"| [{found.id}]({found.link}) | {found.strength} | {found.rdtype} | {found.says} | "
                     f"{covered or '—'} | {missing or '—'} | {others or '—'} |")
    text = "\n".join(lines) + "\n"
    if with_outcomes:
        text += "\n" + coverage_detail(cells)
    return text


def coverage_detail(cells: Iterable[Cell]) -> str:
    """Each statement × kind cell with the checks covering it by name (and their outcome, if run)."""
    lines = ["| statement | kind | checks |", "| --- | --- | --- |"]
    for cell in cells:
        named = ", ".join(f"`{_short(c.check)}`{_mark(c.outcome)}" for c in cell.checks)
        lines.append(f"| {cell.statement.id} | {KINDS[cell.kind]} | {named or cell.gap or '**none**'} |")
    return "\n".join(lines) + "\n"


FAMILIES = ("ipv4", "ipv6", "dual")


def tried_families(ip_family: str) -> set[str]:
    """The family kinds a run on a cluster of `ip_family` tries: its primary family's single-stack
    Services, and on a dual-stack cluster dual-stack Services too."""
    return {"ipv4", "dual"} if ip_family == "dual" else {ip_family}


def run_status(cell: Cell, tried: set[str]) -> str:
    """What a run made of a cell: covered, covered only by checks that failed (a known bug among
    them), not tried (a family this cluster does not have), or not covered."""
    if cell.kind in FAMILIES and cell.kind not in tried:
        return "not tried in this run"
    ran = [c for c in cell.checks if c.outcome in ("passed", "failed", "error", "xfailed", "xpassed")]
    if not ran:
        return "not covered in this run" if cell.checks else "not covered"
    if all(c.outcome != "passed" for c in ran):
        return "covered only by failing checks"
    return "covered"


def coverage_html(cells: Iterable[Cell], tried: set[str] | None = None) -> str:
    """The statement × kind cells as one HTML table, each covering check with its outcome, and what
    this run made of each cell (with `tried`, the run's family kinds: the others are not tried)."""
    from html import escape

    rows = []
    for cell in cells:
        named = ", ".join(f"<code>{escape(_short(c.check))}</code>{escape(_mark(c.outcome))}" for c in cell.checks)
        status = f"<td>{escape(run_status(cell, tried))}</td>" if tried is not None else ""
        rows.append(f"<tr><td><a href='{escape(cell.statement.link)}'>{escape(cell.statement.id)}</a></td>"
                    f"<td>{cell.statement.strength}</td><td>{escape(KINDS[cell.kind])}</td>{status}"
                    f"<td>{named or escape(cell.gap) or '<b>none</b>'}</td></tr>")
    head = "<th>in this run</th>" if tried is not None else ""
    return (f"<table class='coverage'><thead><tr><th>statement</th><th></th><th>kind</th>{head}<th>checks</th></tr>"
            "</thead><tbody>" + "".join(rows) + "</tbody></table>")


def check_id(nodeid: str) -> str:
    """A check's node ID without xdist's `@group` suffix: the same check in every run."""
    return nodeid.split("@", 1)[0]
