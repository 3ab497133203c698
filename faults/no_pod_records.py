"""`pods disabled`: CoreDNS stops answering `a-b-c-d.<ns>.pod.<zone>`. The specification dropped
these records before schema 1.1.0 (kubernetes/dns a86af508), so only the CoreDNS check of them fails."""

from __future__ import annotations

import re

from faults import Fault
from faults.corefile import corefile_fault


def no_pod_records(original: str, everywhere: bool = False) -> str:
    return re.sub(r"(\n\s*pods\s+)\w+", r"\g<1>disabled", original, count=1)


FAULT = Fault("no-pod-records", "CoreDNS stops answering the a-b-c-d.<ns>.pod records (CoreDNS's `pods` option)",
              "the coredns check of pod records alone", ("spec", "rfc", "scenario", "cluster"),
              corefile_fault(no_pod_records))
