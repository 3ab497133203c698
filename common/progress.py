"""The one way a command shows progress: a line `[name] message`, flushed at once (on stderr, so
that a command's own output stays clean)."""

from __future__ import annotations

import sys
from collections.abc import Callable


def speaker(name: str, on_stdout: bool = False) -> Callable[[str], None]:
    """A `say` for the command `name` (on stdout for a command whose progress is its output)."""

    def say(message: str) -> None:  # the stream looked up each time: tests and pytest replace it
        print(f"[{name}] {message}", file=sys.stdout if on_stdout else sys.stderr, flush=True)

    return say
