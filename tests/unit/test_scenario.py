"""What a read-only check must leave unchanged in a shared scenario."""

from __future__ import annotations

from headless_conformance.checking.scenario import Snapshot


def snap(*pods: tuple[str, str, str | None, bool]) -> Snapshot:
    return Snapshot(frozenset(pods))


def test_identical_scenarios_have_no_changes() -> None:
    a = snap(("web-0", "u0", "10.0.0.1", True), ("web-1", "u1", "10.0.0.2", True))
    assert a.changes(a) == []


def test_each_kind_of_change_is_named() -> None:
    before = snap(("a", "u0", "10.0.0.1", True), ("b", "u1", "10.0.0.2", True), ("c", "u2", "10.0.0.3", True))
    after = snap(("a", "u9", "10.0.0.9", True), ("b", "u1", "10.0.0.2", False), ("d", "u3", "10.0.0.4", True))
    assert before.changes(after) == [
        "pod c is gone",
        "pod d appeared",
        "pod a was replaced (UID u0 -> u9)",
        "pod b: 10.0.0.2 serving -> 10.0.0.2 not serving",
    ]


def test_a_rolled_out_scenario_awaits_its_services_families_in_the_endpointslices() -> None:
    from headless_conformance.checking.pods import PodInfo
    from headless_conformance.checking.scenario import Scenario
    from headless_conformance.checking.workloads import ServiceInfo

    class Workloads:
        awaited: tuple = ()

        def service(self, name: str) -> ServiceInfo:
            return ServiceInfo(name, "ClusterIP", "None", ("None",), ("IPv4",))

        def await_endpoints(self, service: str, addresses: set[str]) -> None:
            self.awaited = (service, addresses)

    def pod(name: str, *ips: str, ready: bool = True) -> PodInfo:
        return PodInfo(name, "u", ips[0], ips, ready, False, "node", name, "web")

    workloads = Workloads()
    scenario = Scenario(workloads, "StatefulSet", "web", "cluster.local", "web")  # type: ignore[arg-type]
    scenario._settle([pod("web-0", "10.0.0.1", "fd00::1"), pod("web-1", "10.0.0.2", "fd00::2"),
                      pod("web-2", "10.0.0.3", ready=False)])
    assert workloads.awaited == ("web", {"10.0.0.1", "10.0.0.2"})
