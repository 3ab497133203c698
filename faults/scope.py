"""Which namespaces and names a fault acts on: the suite's (hc-…), or every namespace's but the
cluster's own. Names are matched by namespace, so that no list of the suite's Services is kept here."""

from __future__ import annotations

import re

SUITE_PREFIX = "hc-"
SYSTEM_NAMESPACES = ("default", "local-path-storage")  # besides kube-*


def in_scope(namespace: str, everywhere: bool) -> bool:
    """The suite's namespaces, or with --all-namespaces every namespace but the cluster's own."""
    if everywhere:
        return not namespace.startswith("kube-") and namespace not in SYSTEM_NAMESPACES
    return namespace.startswith(SUITE_PREFIX)


def service_names(everywhere: bool) -> str:
    """A regular expression (CoreDNS's template `match`, and Python's) for the names under a Service
    in scope: the Service's own name, an endpoint's, or an SRV name, `<...>.<service>.<ns>.svc.`."""
    namespace = r"[a-z0-9-]+" if everywhere else SUITE_PREFIX + r"[a-z0-9-]+"  # the prefix is [a-z-] alone
    return rf"^([_a-z0-9-]+\.)*[a-z0-9-]+\.{namespace}\.svc\."


def name_in_scope(name: str, everywhere: bool) -> bool:
    """Whether a query's name (any case) is under a Service in scope, and not in a system namespace."""
    lowered = name.lower()
    found = re.match(service_names(everywhere), lowered)
    if not found:
        return False
    namespace = lowered[:found.end()].rstrip(".").split(".")[-2]
    return in_scope(namespace, everywhere)
