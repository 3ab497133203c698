"""A fault of the applications, not of the cluster: every client resolver the suite runs is given
`ndots:1` (the common dnsConfig workaround for the cost of `ndots:5`), while the client checks still
expect each pod's own `ndots`. Nothing in the cluster changes: the suite makes its client pods so."""

from __future__ import annotations

from faults import Fault
from headless_conformance.checking.kube import Kube


def nothing_to_change(kube: Kube, apply: bool, everywhere: bool = False) -> None:
    """The fault lives in the suite's own client pods (`suite_options`)."""


FAULT = Fault("client-ndots-1", "the suite's client resolvers get ndots:1 in their dnsConfig, whatever the check "
              "expects (the cluster is untouched)",
              "the client checks of the pods whose ndots is not 1: musl then asks a name with a dot as it is, "
              "alone, and never finds <pod>.<svc>; glibc finds it later, after asking outside the cluster",
              ("spec", "rfc", "coredns", "scenario", "cluster"), nothing_to_change,
              suite_options=("--client-resolver-options", "ndots:1"))
