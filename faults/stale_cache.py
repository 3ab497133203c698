"""CoreDNS caches answers for an hour (record TTL and cache cap 3600 s, the cluster zone too), so DNS
stops following pods. The answers say TTL 3600, so a cache may keep them that long: within the
timeout the records have no verdict (they may still be cached), and freshness fails."""

from __future__ import annotations

import re

from faults import Fault
from faults.corefile import corefile_fault


def stale_cache(original: str, everywhere: bool = False) -> str:
    text = re.sub(r"(\n\s*ttl\s+)\d+", r"\g<1>3600", original)
    return re.sub(r"\n\s*cache\s+\d+\s*(\{[^}]*\})?", "\n    cache 3600", text, count=1)


FAULT = Fault("stale-cache", "CoreDNS caches answers for an hour, so DNS stops following pods",
              "freshness: every check that changes a scenario and then asks what changed (records undecided within "
              "their 3600 s TTL), and the coredns check of the TTL", ("spec", "rfc", "cluster"),
              corefile_fault(stale_cache))
