"""CoreDNS releases as the Go module proxy serves them: which exist between two, and what a release's
notes say of its kubernetes plugin.

`go list -m -versions` lists only the newest few releases of github.com/coredns/coredns, although
the proxy serves older ones when asked by name; so the releases between two are found by asking for
each patch of each minor in turn (a minor's first missing patch ends it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from common.images import coredns_release
from imagebuild.shell import CommandFailed, run

MODULE = "github.com/coredns/coredns"
def parse(release: str) -> tuple[int, int, int]:
    major, minor, patch = (int(p) for p in coredns_release(release).lstrip("v").split("."))
    return major, minor, patch


def served(release: str) -> bool:
    """Whether the module proxy serves this release (its .info; nothing is downloaded)."""
    try:
        run(["go", "list", "-m", "-json", f"{MODULE}@{release}"], env={"GOFLAGS": "-mod=mod"})
    except CommandFailed:
        return False
    return True


def releases_between(first: str, last: str, is_served: Callable[[str], bool] = served) -> list[str]:
    """Every release from `first` to `last` (both included, both served), in order."""
    low, high = parse(first), parse(last)
    if low >= high:
        raise ValueError(f"{first} is not older than {last}")
    for end in (first, last):
        if not is_served(end):
            raise ValueError(f"the Go module proxy does not serve CoreDNS {end}")
    found = []
    major = low[0]
    for minor in range(low[1], high[1] + 1):
        patch = low[2] if minor == low[1] else 0
        while (major, minor, patch) <= high:
            release = f"v{major}.{minor}.{patch}"
            if release not in (first, last) and not is_served(release):
                break
            found.append(release)
            patch += 1
    return found


def plugin_notes(release: str) -> list[str]:
    """The lines of the release's notes (notes/coredns-X.Y.Z.md in its module) about the kubernetes
    plugin; [] when the module has no notes for it."""
    info = json.loads(run(["go", "mod", "download", "-json", f"{MODULE}@{release}"]))
    notes = Path(info["Dir"]) / "notes" / f"coredns-{release.lstrip('v')}.md"
    if not notes.exists():
        return []
    return kubernetes_lines(notes.read_text(errors="replace"))


def kubernetes_lines(notes: str) -> list[str]:
    """Bullets and sentences of a release's notes that name the kubernetes plugin."""
    return [line.strip() for line in notes.splitlines()
            if re.search(r"plugin/kubernetes\b|\bkubernetes plugin\b|\*kubernetes\*", line, re.IGNORECASE)]
