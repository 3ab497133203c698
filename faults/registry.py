"""Every fault, by name."""

from __future__ import annotations

from faults import (
    Fault,
    cached_zone,
    client_ndots,
    cross_node_drop,
    hidden_cache,
    more_replicas,
    no_pod_records,
    no_pods_allowed,
    no_storage,
    partial,
    pod_named_endpoints,
    stale_cache,
    sticky_endpoints,
    stray_endpointslice,
    wrong_records,
)

FAULTS: dict[str, Fault] = {f.name: f for f in (
    wrong_records.FAULT, stale_cache.FAULT, pod_named_endpoints.FAULT, no_pod_records.FAULT, hidden_cache.FAULT,
    cross_node_drop.FAULT, no_storage.FAULT, stray_endpointslice.FAULT, sticky_endpoints.FAULT, *partial.FAULTS,
    no_pods_allowed.FAULT, cached_zone.FAULT, more_replicas.FAULT, client_ndots.FAULT)}
