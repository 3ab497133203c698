"""Module versions from kubeadm's image tags."""

from __future__ import annotations

import pytest

from imagebuild.versions import module_version_of_image_tag


@pytest.mark.parametrize(("tag", "module_version"), [
    ("3.7.0-0", "v3.7.0"),
    ("3.6.4-0", "v3.6.4"),
    ("v1.14.6", "v1.14.6"),
    ("1.14.6", "v1.14.6"),
])
def test_module_version_of_image_tag(tag: str, module_version: str) -> None:
    assert module_version_of_image_tag(tag) == module_version
