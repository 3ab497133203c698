"""The record of a finished image build: what the builder writes and the suite reads.

This is the whole contract between the two halves: "give me the node image, probe images and
kind binary built for Kubernetes X" is answered by the record the builder left, or by none.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TypeVar

from common.cache import cache_root
from common.releases import release_key

T = TypeVar("T")


@dataclass(frozen=True)
class BuildRecord:
    kubernetes: str  # the exact release built, e.g. v1.37.2
    node_image: str
    dig_image: str
    busybox_image: str
    kind: str  # path of the kind binary built with it
    mcs_crds: str = ""  # directory of the mcs-api CRDs (ServiceImport, ServiceExport), from its Go module


def record_path(key: str) -> Path:
    return cache_root() / f"build-{key}.json"


def load(requested: str) -> BuildRecord | None:
    """The build for '1.37' (its newest built patch) or 'v1.37.2' (exactly), if there is one."""
    return _read(record_path(release_key(requested)), lambda data: BuildRecord(**data))


def any_build() -> BuildRecord | None:
    """The most recently written build record of any version (their probe images are the same)."""
    paths = sorted(cache_root().glob("build-v*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for path in paths:
        record = load(path.stem.removeprefix("build-"))
        if record is not None:
            return record
    return None


def _read(path: Path, make: Callable[[dict], T]) -> T | None:
    """A record from its file; None when there is none, or it is unreadable (an older layout)."""
    if not path.exists():
        return None
    try:
        return make(json.loads(path.read_text()))
    except (ValueError, TypeError, KeyError):
        return None


def save(record: BuildRecord, minor: int) -> None:
    """File the record under its exact release and under its minor ('v1.37')."""
    _write(record, record.kubernetes, minor, record_path)


def _write(record: BuildRecord | UpstreamRecord, release: str, minor: int, path: Callable[[str], Path]) -> None:
    text = json.dumps(asdict(record), indent=2) + "\n"
    for key in (release, f"v1.{minor}"):
        path(key).write_text(text)


@dataclass(frozen=True)
class UpstreamRecord:
    """Upstream's e2e tests built for one release: what `headless-conformance upstream` runs and loads."""

    kubernetes: str
    e2e_test: str  # path of the compiled k8s.io/kubernetes/test/e2e suite
    ginkgo: str  # path of the ginkgo CLI that runs it in parallel
    kubectl: str  # the release's kubectl, which its specs exec with
    images: tuple[str, ...]  # images its DNS and StatefulSet specs use, built here under their own names


def upstream_path(key: str) -> Path:
    return cache_root() / f"upstream-{key}.json"


def load_upstream(requested: str) -> UpstreamRecord | None:
    return _read(upstream_path(release_key(requested)),
                 lambda data: UpstreamRecord(**{**data, "images": tuple(data["images"])}))


def save_upstream(record: UpstreamRecord, minor: int) -> None:
    _write(record, record.kubernetes, minor, upstream_path)
