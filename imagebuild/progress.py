"""Step-by-step progress on stderr, with elapsed time, so long builds never look hung."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

from common.progress import speaker

say = speaker("imagebuild")


@contextlib.contextmanager
def step(title: str) -> Iterator[None]:
    """Announce a step, then report how long it took (or that it failed)."""
    say(f"{title} ...")
    started = time.monotonic()
    try:
        yield
    except BaseException:
        say(f"{title}: failed after {time.monotonic() - started:.0f}s")
        raise
    say(f"{title}: done in {time.monotonic() - started:.0f}s")
