"""A conformant variant, not a fault: CoreDNS caches the cluster zone for 30 s, as its Corefile
says, so the budget the suite reads from it allows 30 s more. Every spec and rfc check must pass;
only the CoreDNS check that answers carry the plugin's TTL uncounted sees the cache."""

from __future__ import annotations

from faults import Fault
from faults.corefile import corefile_fault
from faults.hidden_cache import cached_cluster_zone

FAULT = Fault("cached-zone", "CoreDNS caches the cluster zone for 30 s, and its Corefile says so (conformant)",
              "the coredns check of the TTL alone", ("spec", "rfc", "scenario", "cluster"),
              corefile_fault(lambda text, everywhere: cached_cluster_zone(text)), conformant=True)
