"""The API client's timeouts and how it tells an outage from an answer."""

from __future__ import annotations

import pytest
import urllib3
from kubernetes.client import ApiException

from common.wait import StopWaiting
from headless_conformance.checking import kube
from headless_conformance.checking.kube import ApiDown, ApiUnavailable, Health, is_transient


def test_a_young_outage_is_retryable_and_an_old_one_stops_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [100.0]
    monkeypatch.setattr(kube.time, "monotonic", lambda: now[0])
    health = Health("https://127.0.0.1:6443", outage_limit=30)
    refused = urllib3.exceptions.NewConnectionError(None, "[Errno 111] Connection refused")  # type: ignore[arg-type]

    first = health.failed(refused)
    now[0] = 129.0
    still_young = health.failed(refused)
    now[0] = 131.0
    down = health.failed(refused)

    assert isinstance(first, ApiUnavailable) and isinstance(still_young, ApiUnavailable)
    assert str(first) == "the API server https://127.0.0.1:6443 did not answer: connection refused"
    assert isinstance(down, ApiDown) and isinstance(down, StopWaiting)
    assert str(down) == ("the API server https://127.0.0.1:6443 has not answered for 31s "
                         "(last error: connection refused)")


def test_an_answer_ends_the_outage(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [0.0]
    monkeypatch.setattr(kube.time, "monotonic", lambda: now[0])
    health = Health("h", outage_limit=30)
    health.failed(OSError("timed out"))
    health.ok()
    now[0] = 100.0
    assert isinstance(health.failed(OSError("timed out")), ApiUnavailable)


def test_exec_refusals_are_answers_not_outages() -> None:
    refused = ApiException(status=0, reason="Handshake status 404 Not Found -+-+- {} -+-+- b'pods not found'")
    unreachable = ApiException(status=0, reason="[Errno 111] Connection refused")
    assert not kube._is_transport_error(refused)
    assert kube._is_transport_error(unreachable)
    answered = kube._with_handshake_status(refused)
    assert (answered.status, answered.reason) == (404, "Handshake status 404 Not Found")


@pytest.mark.parametrize(("err", "transient"), [
    (ApiUnavailable("x"), True),
    (ApiException(status=503), True),
    (ApiException(status=429), True),
    (ApiException(status=404), False),
    (ApiException(status=403), False),
    (ApiDown("x"), False),
    (KeyError("x"), False),
])
def test_what_is_worth_asking_again(err: Exception, transient: bool) -> None:
    assert is_transient(err) is transient


@pytest.mark.parametrize(("text", "said"), [
    ("HTTPSConnectionPool(host='127.0.0.1', port=36925): Max retries exceeded with url: /api/v1/namespaces "
     "(Caused by SSLError(SSLEOFError(8, '[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of "
     "protocol (_ssl.c:1006)')))", "tls handshake failed: unexpected_eof_while_reading"),
    ("HTTPSConnectionPool(host='127.0.0.1', port=1): Max retries exceeded with url: /version (Caused by "
     "NewConnectionError('<urllib3.connection.HTTPSConnection object at 0x7f>: Failed to establish a new "
     "connection: [Errno 111] Connection refused'))", "connection refused"),
    ("HTTPSConnectionPool(host='10.0.0.1', port=6443): Read timed out. (read timeout=20)", "timed out"),
])
def test_transport_errors_are_told_in_a_few_words(text: str, said: str) -> None:
    assert kube.reason(Exception(text)) == said
