"""Where the project keeps what outlives a run (build outputs, records of clusters it made):
outside the work tree, kept across runs and clones."""

from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    base = os.environ.get("HEADLESS_CONFORMANCE_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "headless-conformance")
    path = Path(base)
    path.mkdir(parents=True, exist_ok=True)
    return path
