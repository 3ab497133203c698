"""The Debian base image every Debian-based image starts FROM, made with debootstrap (no registry)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from imagebuild import versions
from imagebuild.docker import image_key
from imagebuild.progress import step
from imagebuild.shell import BuildError, run

DEBIAN_IMAGE = f"headless-conformance/debian:{versions.DEBIAN_SUITE}"
KEY = f"debootstrap-minbase-{versions.DEBIAN_SUITE}-1"


def mirror() -> str:
    return os.environ.get("HEADLESS_CONFORMANCE_DEBIAN_MIRROR", "http://deb.debian.org/debian")


def ensure_debian_image(log: Path) -> str:
    if image_key(DEBIAN_IMAGE) == KEY:
        return DEBIAN_IMAGE
    if shutil.which("debootstrap") is None:
        run(["apt-get", "install", "-y", "--no-install-recommends", "debootstrap"], log=log,
            env={"DEBIAN_FRONTEND": "noninteractive"})
    with step(f"debootstrap {versions.DEBIAN_SUITE} (minbase) -> {DEBIAN_IMAGE}"), \
            tempfile.TemporaryDirectory(prefix="imagebuild-rootfs-") as tmp:
        root = Path(tmp) / "root"
        run(["debootstrap", "--variant=minbase", versions.DEBIAN_SUITE, str(root), mirror()], log=log)
        # images built from this never keep package lists or caches
        (root / "etc/apt/apt.conf.d/90headless-conformance").write_text(
            'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n')
        for cache in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for entry in (root / cache).glob("*"):
                if entry.is_file():
                    entry.unlink()
        tar = subprocess.Popen(["tar", "--numeric-owner", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
        run(["docker", "import", "--change", f"LABEL io.headless-conformance.build-key={KEY}",
             "--change", "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
             "-", DEBIAN_IMAGE], stdin=tar.stdout)
        if tar.wait() != 0:
            raise BuildError("tar of the debootstrap root failed")
    return DEBIAN_IMAGE
