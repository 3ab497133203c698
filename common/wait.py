"""The one wait helper: poll a probe until a condition holds, or fail saying what was last seen.

A wait ends in one of four ways: the condition holds (the value is returned); the deadline passes
(WaitTimeout, with the expectation, the last value, the last probe error and output); the probe
says waiting longer cannot help (it raises StopWaiting: WaitStopped at once); or the code of the
wait itself is wrong (the condition raises, or the probe raises an error it was not declared to
retry on): that error propagates at once instead of being retried until the deadline.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
Retryable = Callable[[Exception], bool] | tuple[type[Exception], ...]


class WaitTimeout(AssertionError):
    """A condition never held; an AssertionError so pytest reports it as a failed check."""


class WaitStopped(AssertionError):
    """A wait ended early because the state it saw is final (image pull error, failed pod, ...)."""


class StopWaiting(Exception):  # noqa: N818 - a signal from a probe, not an error of its own
    """Raised by a probe when waiting longer cannot help; the message says why. `verdict` is the
    failure the wait then raises (a subclass of WaitStopped)."""

    verdict: type[WaitStopped] = WaitStopped


class ConditionError(RuntimeError):
    """A wait's condition raised: a bug in the check, reported at once."""


@dataclass
class Outcome(Generic[T]):
    value: T
    elapsed: float
    polls: int


def _retryable(err: Exception, retry_on: Retryable) -> bool:
    if isinstance(retry_on, tuple):
        return isinstance(err, retry_on)
    return retry_on(err)


def _safe(describe: Callable[[T], str], value: T) -> str:
    try:
        return describe(value)
    except Exception as err:  # noqa: BLE001 - a message must never hide the failure it reports
        return f"{value!r} (describing it raised {type(err).__name__}: {err})"


def wait_for(
    probe: Callable[[], T],
    condition: Callable[[T], bool],
    *,
    expected: str,
    timeout: float,
    interval: float = 0.5,
    describe: Callable[[T], str] = repr,
    transcript: Callable[[], str] | None = None,
    retry_on: Retryable = (),
) -> Outcome[T]:
    """Call `probe` every `interval` seconds (from the start of one call to the start of the next:
    a slow probe is called again at once) until `condition(value)`; deadline `timeout` seconds.

    Probe errors matching `retry_on` (exception types, or a predicate) count as "not yet" and the
    last one is reported; any other probe error propagates at once, as does an error raised by
    `condition`. On timeout the message states the expectation, the last value seen and the last
    probe output (`transcript`).
    """
    __tracebackhide__ = True  # test runners show the check's line and this message, not the loop
    started = time.monotonic()
    deadline = started + timeout
    polls, last, last_error = 0, None, None
    seen = False

    def failure(head: str) -> str:
        lines = [head]
        if seen:
            lines.append(f"last seen: {_safe(describe, last)}")  # type: ignore[arg-type]
        if last_error is not None:
            lines.append(f"last probe error: {type(last_error).__name__}: {last_error}")
        if transcript is not None:
            text = transcript()
            if text:
                lines.append("last probe output:\n" + text)
        return "\n".join(lines)

    while True:
        polls += 1
        began = time.monotonic()
        try:
            value = probe()
        except StopWaiting as stop:
            raise stop.verdict(failure(f"stopped waiting after {time.monotonic() - started:.0f}s for: {expected}\n"
                                      f"{stop}")) from None
        except Exception as err:
            if not _retryable(err, retry_on):
                raise
            last_error = err
        else:
            last, seen, last_error = value, True, None
            try:
                held = condition(value)
            except Exception as err:
                raise ConditionError(f"the condition of the wait for {expected!r} raised "
                                     f"{type(err).__name__}: {err}") from err
            if held:
                return Outcome(value, time.monotonic() - started, polls)
        if time.monotonic() >= deadline:
            break
        now = time.monotonic()
        time.sleep(max(0.0, min(began + interval, deadline) - now))
    raise WaitTimeout(failure(f"timed out after {timeout:.0f}s ({polls} polls) waiting for: {expected}"))
