"""A rolled-out scenario: the workload behind the headless Service, its DNS names and its pods.

Read-only checks share one rollout; `Snapshot` is what such a check must leave unchanged (the
same pods, by UID, serving the same addresses), so that a check that mutates by mistake is caught.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from headless_conformance.checking import names
from headless_conformance.checking.ordering import PodEvent
from headless_conformance.checking.pods import PodInfo
from headless_conformance.checking.workloads import Workloads

SERVICE = "my-headless-service"
SCENARIOS = {
    # kind, workload name, manifests applied in order, Service, pod selector
    "deployment": ("Deployment", "my-app-deployment", ("headless-service", "deployment"), SERVICE, "app=my-app"),
    "statefulset": ("StatefulSet", "my-app-statefulset", ("headless-service", "statefulset"), SERVICE, "app=my-app"),
    "gated": ("StatefulSet", "gated", ("gated",), "gated", "app=gated"),
    "ordinals": ("StatefulSet", "ordinals", ("ordinals",), "ordinals", "app=ordinals"),
}


@dataclass(frozen=True)
class Snapshot:
    pods: frozenset[tuple[str, str, str | None, bool]]  # name, uid, ip, serving

    def changes(self, later: Snapshot) -> list[str]:
        """What differs in `later`, one line per pod."""
        before = {p[0]: p for p in self.pods}
        after = {p[0]: p for p in later.pods}
        lines = [f"pod {n} is gone" for n in sorted(before.keys() - after.keys())]
        lines += [f"pod {n} appeared" for n in sorted(after.keys() - before.keys())]
        for name in sorted(before.keys() & after.keys()):
            (_, uid0, ip0, ok0), (_, uid1, ip1, ok1) = before[name], after[name]
            if uid0 != uid1:
                lines.append(f"pod {name} was replaced (UID {uid0} -> {uid1})")
            elif (ip0, ok0) != (ip1, ok1):
                lines.append(f"pod {name}: {ip0} {'serving' if ok0 else 'not serving'} -> "
                             f"{ip1} {'serving' if ok1 else 'not serving'}")
        return lines


@dataclass
class Scenario:
    """A rolled-out scenario: its namespace, DNS names and the pods serving behind the Service."""

    workloads: Workloads
    kind: str
    name: str
    domain: str
    service: str = SERVICE
    selector: str = "app=my-app"
    rollout_events: list[PodEvent] = field(default_factory=list)  # its pods' events while it rolled out, if watched

    @classmethod
    def roll_out(cls, key: str, workloads: Workloads, domain: str, watched: bool = False) -> Scenario:
        """The scenario applied and rolled out; `watched` keeps its pods' events meanwhile, so that
        checks that only read can judge the order its pods started in."""
        kind, name, manifests, service, selector = SCENARIOS[key]
        if not watched:
            for manifest in manifests:
                workloads.apply_manifest(manifest)
            scenario = cls(workloads, kind, name, domain, service, selector)
            scenario._settle(workloads.wait_rollout(kind, name, selector))
            return scenario
        with workloads.pod_events(selector) as log:
            for manifest in manifests:
                workloads.apply_manifest(manifest)
            pods = workloads.wait_rollout(kind, name, selector)
        scenario = cls(workloads, kind, name, domain, service, selector, list(log.events))
        scenario._settle(pods)
        return scenario

    def _settle(self, pods: list[PodInfo]) -> None:
        """Until the Service's EndpointSlices list every address of the rolled-out pods (of the
        Service's IP families) as ready: they trail the pods' readiness, and a check's first
        expectation, timed from when it began, must not meet an answer of the moment before (a cache
        would rightly keep it for its TTL)."""
        families = set(self.workloads.service(self.service).ip_families)
        self.workloads.await_endpoints(self.service, {ip for p in pods if p.serving for ip in p.ips
                                                      if ("IPv6" if ":" in ip else "IPv4") in families})

    @property
    def namespace(self) -> str:
        return self.workloads.namespace

    def pods(self) -> list[PodInfo]:
        return self.workloads.pods(self.selector)

    def serving_pods(self) -> list[PodInfo]:
        return self.workloads.serving_pods(self.selector)

    def serving_ips(self) -> set[str]:
        return {p.ip for p in self.serving_pods() if p.ip}

    def snapshot(self) -> Snapshot:
        return Snapshot(frozenset((p.name, p.uid, p.ip, p.serving) for p in self.pods()))

    def service_name(self, service: str | None = None) -> str:
        return names.service_fqdn(service or self.service, self.namespace, self.domain)

    def srv_name(self, port: str = "http", protocol: str = "tcp", service: str | None = None) -> str:
        return names.srv_fqdn(port, protocol, service or self.service, self.namespace, self.domain)

    def pod_name(self, label: str) -> str:
        return names.pod_fqdn(label, self.service, self.namespace, self.domain)

    def ip_name(self, ip: str) -> str:
        return names.ip_pod_fqdn(ip, self.service, self.namespace, self.domain)

    def stop_now(self) -> None:
        """Scale to nothing and delete the pods without their grace period: a scenario whose pods
        linger when told to stop (the gated one, for its terminating-pod check) would otherwise go
        on running, and running its readiness probes, long after its check ended."""
        self.workloads.scale(self.kind, self.name, 0)
        for pod in self.pods():
            self.workloads.delete_pod_now(pod.name)

    def scale(self, replicas: int) -> list[PodInfo]:
        self.workloads.scale(self.kind, self.name, replicas)
        return self.workloads.wait_rollout(self.kind, self.name, self.selector)
