"""Whether this host's capability bounding set lacks CAP_SYS_RESOURCE (runc then needs help)."""

from __future__ import annotations

from pathlib import Path

CAP_SYS_RESOURCE = 24


def bounding_set(status_text: str) -> int:
    for line in status_text.splitlines():
        if line.startswith("CapBnd:"):
            return int(line.split()[1], 16)
    raise ValueError("no CapBnd line in /proc/self/status")


def lacks_sys_resource(status_text: str | None = None) -> bool:
    text = status_text if status_text is not None else Path("/proc/self/status").read_text()
    return not (bounding_set(text) >> CAP_SYS_RESOURCE) & 1
