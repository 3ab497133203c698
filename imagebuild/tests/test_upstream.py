"""Upstream's e2e build without building: ginkgo's version comes from the Kubernetes module."""

from __future__ import annotations

from pathlib import Path

import pytest

from imagebuild.shell import BuildError
from imagebuild.upstream import ginkgo_version


def test_ginkgo_is_the_version_the_kubernetes_module_requires(tmp_path: Path) -> None:
    (tmp_path / "go.mod").write_text("module k8s.io/kubernetes\n\nrequire (\n\tgithub.com/onsi/ginkgo/v2 v2.32.0\n"
                                     "\tgithub.com/onsi/gomega v1.40.0\n)\n")
    assert ginkgo_version(tmp_path) == "v2.32.0"


def test_a_module_without_ginkgo_is_a_build_error(tmp_path: Path) -> None:
    (tmp_path / "go.mod").write_text("module k8s.io/kubernetes\n")
    with pytest.raises(BuildError, match="does not require github.com/onsi/ginkgo/v2"):
        ginkgo_version(tmp_path)
