"""Faults that act until stopped: a watch of the API resumed until Ctrl-C or SIGTERM."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from typing import Any

from kubernetes import watch


def until_stopped(what: str) -> None:
    """Say what acts until stopped (`headless-conformance upstream` waits for this line before it runs the suites)."""
    print(f"faults: {what} until Ctrl-C", file=sys.stderr, flush=True)


def events(list_call: Callable[..., Any], **kwargs: Any) -> Iterator[dict]:
    """Every event of a watch, resumed each time the API server ends it, until interrupted."""
    try:
        while True:
            yield from watch.Watch().stream(list_call, timeout_seconds=30, _request_timeout=(10, 40), **kwargs)
    except KeyboardInterrupt:
        return
