"""When the API showed a change: EndpointSlice events replayed into each Service's ready addresses."""

from __future__ import annotations

from headless_conformance.checking.endpoint_history import EndpointHistory, endpoint_ready


class _Offline:
    """A client whose API is unreachable: the history's own watch ends at once, and says why."""

    class discovery:  # noqa: N801 - stands in for Kube.discovery
        @staticmethod
        def list_namespaced_endpoint_slice(*args, **kwargs):  # noqa: ANN002, ANN003, ANN205
            raise ConnectionError("offline")


def _slice(name: str, service: str, *endpoints: tuple[str, object]) -> dict:
    return {"metadata": {"name": name, "labels": {"kubernetes.io/service-name": service}},
            "endpoints": [{"addresses": [ip], **({} if ready == "absent" else {"conditions": ready})}
                          for ip, ready in endpoints]}


def _history() -> EndpointHistory:
    history = EndpointHistory(_Offline(), "ns")  # type: ignore[arg-type]
    history.wait_synced()
    assert "offline" in history.failed
    return history


def test_unset_readiness_counts_as_ready() -> None:
    assert endpoint_ready(None) and endpoint_ready({}) and endpoint_ready({"ready": None})
    assert endpoint_ready({"ready": True}) and not endpoint_ready({"ready": False})


def test_the_moment_a_service_became_what_is_expected_and_when_an_address_left() -> None:
    history = _history()
    history._apply("ADDED", _slice("a", "svc", ("10.0.0.1", {"ready": True}), ("10.0.0.2", {"ready": True})), 100.0)
    history._apply("ADDED", _slice("b", "svc", ("10.0.0.3", {})), 101.0)
    history._apply("MODIFIED", _slice("a", "svc", ("10.0.0.1", {"ready": True}), ("10.0.0.2", {"ready": False})),
                   105.0)
    history._apply("MODIFIED", _slice("b", "svc", ("10.0.0.3", "absent"), ("10.0.0.4", {"ready": True})), 109.0)
    history._apply("ADDED", _slice("other", "another", ("10.0.0.9", {"ready": True})), 110.0)

    assert history.ready_since("svc", {"10.0.0.1", "10.0.0.3", "10.0.0.4"}) == 109.0
    assert history.ready_since("svc", {"10.0.0.1", "10.0.0.3"}) is None  # no longer so
    assert history.left_at("svc", "10.0.0.2") == 105.0
    assert history.left_at("svc", "10.0.0.1") is None  # still there
    assert history.ready_since("another", {"10.0.0.9"}) == 110.0


def test_a_deleted_slice_takes_its_addresses_with_it() -> None:
    history = _history()
    history._apply("ADDED", _slice("a", "svc", ("10.0.0.1", {"ready": True})), 100.0)
    history._apply("DELETED", _slice("a", "svc", ("10.0.0.1", {"ready": True})), 104.0)

    assert history.ready_since("svc", set()) == 104.0
    assert history.left_at("svc", "10.0.0.1") == 104.0
