"""Module versions from kubeadm's image tags, and the names of CoreDNS releases built here."""

from __future__ import annotations

import pytest

from common.images import coredns_release_image
from imagebuild.gobuild import unserved_module
from imagebuild.versions import module_version_of_image_tag


@pytest.mark.parametrize(("tag", "module_version"), [
    ("3.7.0-0", "v3.7.0"),
    ("3.6.4-0", "v3.6.4"),
    ("v1.14.6", "v1.14.6"),
    ("1.14.6", "v1.14.6"),
])
def test_module_version_of_image_tag(tag: str, module_version: str) -> None:
    assert module_version_of_image_tag(tag) == module_version


def test_a_coredns_release_is_named_by_its_tag_and_anything_else_refused() -> None:
    assert coredns_release_image("v1.12.0") == "headless-conformance/coredns:v1.12.0"
    for bad in ("1.12.0", "v1.12", "latest", "v1.12.0; rm"):
        with pytest.raises(ValueError, match="a CoreDNS release is vX.Y.Z"):
            coredns_release_image(bad)


def test_a_module_the_proxy_refuses_is_named() -> None:
    output = ("go: downloading inet.af/netaddr v0.0.0-20220811202034-502d2d690317\n"
              "\tinet.af/netaddr: inet.af/netaddr@v0.0.0-20220811202034-502d2d690317: reading "
              "https://proxy.golang.org/inet.af/netaddr/@v/v0.0.0-20220811202034-502d2d690317.zip: 403 Forbidden\n")
    assert unserved_module(output) == "inet.af/netaddr@v0.0.0-20220811202034-502d2d690317 (403 Forbidden)"
    assert unserved_module("go: go.mod requires go >= 1.27") is None
