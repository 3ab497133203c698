"""Until stopped, each namespace in scope gets, as it appears, a ResourceQuota of zero pods: the
API refuses every pod there, as a cluster whose namespaces come with a quota the suite does not
fit would. Each check that needs a pod must then fail within seconds with the refusal's words,
not wait out a rollout timeout."""

from __future__ import annotations

import contextlib

from kubernetes.client import ApiException

from faults import Fault
from faults.scope import in_scope
from faults.watching import events, until_stopped
from headless_conformance.checking.kube import Kube

QUOTA = "faults-no-pods"


def no_pods_allowed(kube: Kube, apply: bool, everywhere: bool) -> None:
    if not apply:
        return
    until_stopped(f"giving {'every namespace' if everywhere else 'the suite'}'s namespaces a quota of zero pods")
    quota = {"metadata": {"name": QUOTA}, "spec": {"hard": {"pods": "0"}}}
    given: list[str] = []
    try:
        for event in events(kube.core.list_namespace):
            name = event["object"].metadata.name
            if event["type"] != "ADDED" or name in given or not in_scope(name, everywhere):
                continue
            try:
                kube.core.create_namespaced_resource_quota(name, quota)
                given.append(name)
            except ApiException as err:
                if err.status not in (403, 404, 409):  # namespace already going away, or done
                    raise
    finally:
        for name in given:
            with contextlib.suppress(ApiException):
                kube.core.delete_namespaced_resource_quota(QUOTA, name)


FAULT = Fault("no-pods-allowed", "each of the suite's namespaces gets a ResourceQuota of zero pods",
              "every check that needs a pod, each within seconds and naming the quota (no rollout waits out "
              "its timeout)", (), no_pods_allowed, until_stopped=True)
