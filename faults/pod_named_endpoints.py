"""CoreDNS's `endpoint_pod_names`: an endpoint without a hostname is named after its pod. The
specification leaves that identifier to the server, so this is no misbehaviour by it: every spec
check must still pass while the checks of CoreDNS's default dashed names fail."""

from __future__ import annotations

import re

from faults import Fault
from faults.corefile import corefile_fault


def pod_named_endpoints(original: str, everywhere: bool = False) -> str:
    return re.sub(r"(^\s*kubernetes\s[^{\n]*\{)", r"\1\n       endpoint_pod_names", original, count=1,
                  flags=re.MULTILINE)


FAULT = Fault("pod-named-endpoints", "CoreDNS names endpoints after their pods (allowed by the specification)",
              "the coredns checks of dashed endpoint names and the scenario checks that use them",
              ("spec", "rfc", "cluster"), corefile_fault(pod_named_endpoints), conformant=True)
