"""The supported releases and how a requested Kubernetes version is read."""

from __future__ import annotations

import pytest

from common.releases import (
    KubernetesVersion,
    UnknownVersion,
    check_supported,
    published_node_image,
    release_key,
    resolve_kubernetes,
)

SERVED = ["v1.36.0", "v1.36.1", "v1.37.0", "v1.37.2", "v1.37.9", "v1.37.10", "v1.37.11-rc.0", "v1.38.0",
          "v0.37.12", "not-a-tag"]


@pytest.mark.parametrize("requested", ["1.37", "v1.37", " 1.37 "])
def test_minor_resolves_to_newest_served_patch(requested: str) -> None:
    assert resolve_kubernetes(requested, SERVED) == KubernetesVersion(1, 37, 10)


def test_exact_patch_resolves_to_itself() -> None:
    kube = resolve_kubernetes("v1.36.1", SERVED)
    assert kube == KubernetesVersion(1, 36, 1)
    assert kube.tag == "v1.36.1"
    assert kube.staging == "v0.36.1"


def test_exact_patch_without_v_prefix() -> None:
    assert resolve_kubernetes("1.37.2", SERVED) == KubernetesVersion(1, 37, 2)


def test_unsupported_minor_lists_supported_ones() -> None:
    with pytest.raises(UnknownVersion) as err:
        resolve_kubernetes("1.33", SERVED)
    assert str(err.value) == "Kubernetes 1.33 is not supported (supported: 1.34, 1.35, 1.36, 1.37)"


def test_unserved_patch_lists_served_patches() -> None:
    with pytest.raises(UnknownVersion) as err:
        resolve_kubernetes("v1.36.5", SERVED)
    assert str(err.value) == "Kubernetes v1.36.5 is not served (served: v1.36.0, v1.36.1)"


def test_prerelease_tags_are_not_served_patches() -> None:
    with pytest.raises(UnknownVersion, match=r"^Kubernetes v1\.37\.11 is not served"):
        resolve_kubernetes("v1.37.11", SERVED)


@pytest.mark.parametrize("garbage", ["latest", "", "2.37", "1.37.2.1", "v1.37-rc.1", "1.x"])
def test_garbage_is_not_a_version(garbage: str) -> None:
    with pytest.raises(UnknownVersion) as err:
        resolve_kubernetes(garbage, SERVED)
    assert str(err.value) == f"'{garbage}' is not a Kubernetes version (expected e.g. 1.37 or v1.37.2)"


def test_no_served_release_for_minor() -> None:
    with pytest.raises(UnknownVersion) as err:
        resolve_kubernetes("1.35", SERVED)
    assert str(err.value) == "no Kubernetes 1.35 release is served by the Go module proxy"


def test_unknown_version_is_a_value_error() -> None:
    assert issubclass(UnknownVersion, ValueError)


@pytest.mark.parametrize(("requested", "minor"), [("1.34", 34), ("v1.37", 37), ("v1.36.4", 36), ("1.35.0", 35)])
def test_check_supported_returns_minor(requested: str, minor: int) -> None:
    assert check_supported(requested) == minor


@pytest.mark.parametrize("requested", ["1.33", "v1.38.0", "v1.9"])
def test_check_supported_rejects_other_minors(requested: str) -> None:
    with pytest.raises(UnknownVersion, match=r"is not supported \(supported: 1\.34, 1\.35, 1\.36, 1\.37\)$"):
        check_supported(requested)


def test_release_key_files_minor_and_patch_requests_apart() -> None:
    assert [release_key(v) for v in ("1.37", "v1.37", "v1.37.2")] == ["v1.37", "v1.37", "v1.37.2"]
    with pytest.raises(UnknownVersion, match="'banana' is not a Kubernetes version"):
        release_key("banana")


def test_published_node_image_for_every_supported_minor_pinned_by_digest() -> None:
    assert published_node_image("1.37").startswith("kindest/node:v1.37.0@sha256:")
    assert published_node_image("v1.34.11").startswith("kindest/node:v1.34.11@sha256:")
    assert {published_node_image(f"1.{m}").split("@")[0] for m in (34, 35, 36)} == {
        "kindest/node:v1.34.11", "kindest/node:v1.35.8", "kindest/node:v1.36.4"}
    assert all(len(published_node_image(f"1.{m}").split("@sha256:")[1]) == 64 for m in (34, 35, 36, 37))
    with pytest.raises(UnknownVersion, match=r"publishes v1.36.4 for 1.36, not v1.36.3; pass --node-image, "
                                             r"or build one with `headless-conformance image build "
                                             r"--kubernetes-version v1.36.3`"):
        published_node_image("v1.36.3")
    with pytest.raises(UnknownVersion, match="not supported"):
        published_node_image("1.33")
