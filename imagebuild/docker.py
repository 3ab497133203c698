"""Local images: build from a context, tell whether one is current, save for import elsewhere."""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from imagebuild.progress import step
from imagebuild.shell import run, succeeds

KEY_LABEL = "io.headless-conformance.build-key"


def image_key(image: str) -> str | None:
    """The build key an existing image carries, or None if there is no such image."""
    if not succeeds(["docker", "image", "inspect", image]):
        return None
    labels = json.loads(run(["docker", "image", "inspect", "--format", "{{json .Config.Labels}}", image]))
    return (labels or {}).get(KEY_LABEL)


def digest_inputs(dockerfile: str, files: Mapping[str, Path], extra: str = "") -> str:
    """A key that changes whenever the Dockerfile or any input file's bytes change."""
    h = hashlib.sha256(dockerfile.encode() + extra.encode())
    for dest in sorted(files):
        src = files[dest]
        h.update(dest.encode())
        paths = sorted(p for p in src.rglob("*") if p.is_file()) if src.is_dir() else [src]
        for path in paths:
            h.update(str(path.relative_to(src) if src.is_dir() else "").encode())
            h.update(str(path.stat().st_mode & 0o111).encode())
            with path.open("rb") as stream:
                for chunk in iter(lambda: stream.read(1 << 20), b""):
                    h.update(chunk)
    return h.hexdigest()[:20]


def build(tag: str, dockerfile: str, files: Mapping[str, Path], log: Path, extra_key: str = "") -> bool:
    """Build `tag` from a Dockerfile and files (context path -> source); False if already current."""
    key = digest_inputs(dockerfile, files, extra_key)
    if image_key(tag) == key:
        return False
    with step(f"image {tag}"), tempfile.TemporaryDirectory(prefix="imagebuild-") as tmp:
        context = Path(tmp)
        for dest, src in files.items():
            target = context / dest
            target.parent.mkdir(parents=True, exist_ok=True)
            if src.is_dir():
                shutil.copytree(src, target, symlinks=True, dirs_exist_ok=True)
            else:
                shutil.copy2(src, target)
        (context / "Dockerfile").write_text(dockerfile + f"\nLABEL {KEY_LABEL}={key}\n")
        run(["docker", "build", "--network", "host", "-t", tag, str(context)], log=log)
    return True


def remove_container(name: str) -> None:
    succeeds(["docker", "rm", "-f", name])
