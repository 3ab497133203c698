"""CoreDNS caches answers for an hour (record TTL and cache cap 3600 s, the cluster zone too), so DNS
stops following pods. The Corefile says so, so the budget it allows grows to an hour as well: only
`--propagation-budget` (or `--dns-timeout`) holds a cluster to less."""

from __future__ import annotations

import re

from faults import Fault
from faults.corefile import corefile_fault


def stale_cache(original: str, everywhere: bool = False) -> str:
    text = re.sub(r"(\n\s*ttl\s+)\d+", r"\g<1>3600", original)
    return re.sub(r"\n\s*cache\s+\d+\s*(\{[^}]*\})?", "\n    cache 3600", text, count=1)


FAULT = Fault("stale-cache", "CoreDNS caches answers for an hour, so DNS stops following pods",
              "with --propagation-budget 5: every check that changes a scenario (IP churn, readiness, scaling "
              "to zero) and the TTL check; read-only checks pass", ("cluster",), corefile_fault(stale_cache),
              suite_options=("--propagation-budget", "5"))
