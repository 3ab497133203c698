"""A conformant variant, not a fault: CoreDNS caches the cluster zone for 30 s, as its Corefile says.
Its answers carry TTL 30, so a cached answer may outlive a change by that long: every spec and rfc
check must pass; freshness shows the lag, and the CoreDNS check that answers carry the plugin's
TTL uncounted sees the cache."""

from __future__ import annotations

from faults import Fault
from faults.corefile import corefile_fault
from faults.hidden_cache import cached_cluster_zone

FAULT = Fault("cached-zone", "CoreDNS caches the cluster zone for 30 s, and its Corefile says so (conformant)",
              "freshness (changes lag up to the 30 s TTL) and the coredns check of the TTL",
              ("spec", "rfc", "scenario", "cluster"),
              corefile_fault(lambda text, everywhere: cached_cluster_zone(text)), conformant=True)
