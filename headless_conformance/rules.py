"""The rules checks hold clusters to: sections of the Kubernetes DNS specification, and CoreDNS
behaviours beyond it, each with where to read it. A check names its rule in its level marker,
e.g. `@pytest.mark.spec("2.4.2")` or `@pytest.mark.coredns("srv-weights")`, and the report shows it.
"""

from __future__ import annotations

from dataclasses import dataclass

SPEC_URL = "https://github.com/kubernetes/dns/blob/master/docs/specification.md"
COREDNS_URL = "https://github.com/coredns/coredns/blob/master/plugin/kubernetes/README.md"


@dataclass(frozen=True)
class Rule:
    level: str
    key: str
    title: str
    url: str

    @property
    def label(self) -> str:
        return f"{self.level} {self.key}: {self.title}" if self.level == "spec" else f"{self.level}: {self.title}"


SPEC = {
    "2.1": ("Definitions: hostname, ready, case-insensitive", "#21---definitions"),
    "2.2": ("TXT record for the schema version", "#22---record-for-schema-version"),
    "2.3.1": ("ClusterIP Service: A/AAAA record", "#231---a-record"),
    "2.3.2": ("ClusterIP Service: SRV records", "#232---srv-records"),
    "2.3.3": ("ClusterIP Service: PTR record", "#233---ptr-record"),
    "2.4.1": ("headless Service: A/AAAA records", "#241---a-records"),
    "2.4.2": ("headless Service: SRV records", "#242---srv-records"),
    "2.4.3": ("headless Service: PTR records", "#243---ptr-records"),
    "2.6": ("deprecated pod A records (still required)", "#26---deprecated-records"),
}
COREDNS = {
    "srv-weights": "SRV priority 0 and weight 100 shared equally among the records (at least 1)",
    "ttl": "answers carry the kubernetes plugin's ttl and are authoritative",
    "endpoint-names": "an endpoint without a hostname is named by its IP with dashes",
    "srv-glue": "SRV answers carry the targets' A records in the additional section",
    "truncation": "an answer too large for UDP comes truncated and flagged (TC), and whole over TCP",
    "endpoint-names-under-clusterip": "dashed endpoint names answer under ClusterIP Services too "
                                      "(coredns/coredns#3686)",
}


def rule(level: str, key: str | None) -> Rule | None:
    """The rule a marker names; None for an unknown spec section or CoreDNS behaviour."""
    if level == "spec":
        if key not in SPEC:
            return None
        title, anchor = SPEC[key]
        return Rule("spec", key, title, SPEC_URL + anchor)
    if level == "coredns":
        return Rule("coredns", key, COREDNS[key], COREDNS_URL) if key in COREDNS else None
    return Rule(level, key or "", key or "", "")
