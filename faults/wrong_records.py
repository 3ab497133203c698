"""CoreDNS answers every name under a Service in scope with records that match no pod: A, AAAA,
SRV (a target nowhere, port 8080), PTR, and a TXT dns-version that is no version."""

from __future__ import annotations

from faults import Fault
from faults.corefile import cluster_zone, corefile_fault
from faults.scope import service_names

TEMPLATES = '''    template IN A {zone} {{
       match "{names}"
       answer "{{{{ .Name }}}} 99 IN A 10.244.99.99"
       fallthrough
    }}
    template IN AAAA {zone} {{
       match "{names}"
       answer "{{{{ .Name }}}} 99 IN AAAA fd00:10:244:99::99"
       fallthrough
    }}
    template IN PTR in-addr.arpa ip6.arpa {{
       answer "{{{{ .Name }}}} 99 IN PTR stray.my-headless-service.invalid."
       fallthrough
    }}
    template IN TXT {zone} {{
       match "^dns-version\\."
       answer "{{{{ .Name }}}} 99 IN TXT \\"not-a-version\\""
       fallthrough
    }}
    template IN SRV {zone} {{
       match "{names}"
       answer "{{{{ .Name }}}} 99 IN SRV 10 10 8080 stray.my-headless-service.invalid."
       fallthrough
    }}
'''


def wrong_records(original: str, everywhere: bool = False) -> str:
    names = service_names(everywhere)
    templates = TEMPLATES.format(zone=cluster_zone(original), names=names)
    return original.replace(_kubernetes_line(original), templates + _kubernetes_line(original), 1)


def _kubernetes_line(text: str) -> str:
    return next(line + "\n" for line in text.splitlines() if line.strip().startswith("kubernetes "))


FAULT = Fault("wrong-records", "CoreDNS answers the scenario's names with records that match no pod",
              "every check that asks a name under a Service (A, SRV, PTR of pods, names, wget by name), the "
              "schema's TXT, and the ClusterIP checks", ("cluster",), corefile_fault(wrong_records))
