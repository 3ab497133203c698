"""The generated wrapper module that builds an upstream Go program from the module proxy."""

from __future__ import annotations

import re
from typing import Any

import pytest

from imagebuild.gobuild import GoBuild, binary_name, local_replaces, tools_go, without_imports, wrapper_gomod

UPSTREAM_GOMOD = """\
module go.etcd.io/etcd/server/v3

go 1.24

require (
\tgo.etcd.io/etcd/api/v3 v3.6.0
\tgo.etcd.io/etcd/client/pkg/v3 v3.6.0
\tgithub.com/foo/bar v1.0.0 // indirect
)

require go.etcd.io/etcd/pkg/v3 v3.6.0

replace (
\tgo.etcd.io/etcd/api/v3 => ../api
\tgo.etcd.io/etcd/client/pkg/v3 => ../client/pkg // keep in sync
\tgithub.com/foo/bar => github.com/foo/bar v1.2.3
\t// go.etcd.io/etcd/old/v3 => ../old
)

replace go.etcd.io/etcd/pkg/v3 => ./pkg
replace github.com/x/y => github.com/z/y v0.1.0
// replace go.etcd.io/etcd/commented/v3 => ../commented
"""

LOCAL = ["go.etcd.io/etcd/api/v3", "go.etcd.io/etcd/client/pkg/v3", "go.etcd.io/etcd/pkg/v3"]
SIBLINGS = {"go.etcd.io/etcd/api/v3": "v3.6.0", "go.etcd.io/etcd/client/pkg/v3": "v3.6.1",
            "go.etcd.io/etcd/pkg/v3": "v3.6.2"}


def etcd(**changes: Any) -> GoBuild:
    fields = {"module": "go.etcd.io/etcd/server/v3", "version": "v3.6.0", "packages": ("go.etcd.io/etcd/server/v3",)}
    return GoBuild(**{**fields, **changes})


def test_local_replaces_returns_only_local_paths_in_order() -> None:
    assert local_replaces(UPSTREAM_GOMOD) == LOCAL


def test_local_replaces_without_replace_directives() -> None:
    assert local_replaces("module example.com/m\n\ngo 1.22\n\nrequire example.com/dep v1.0.0\n") == []


def test_local_replaces_ignores_require_block_entries() -> None:
    gomod = "module m\n\nrequire (\n\texample.com/a v1.0.0\n)\n\nreplace (\n\texample.com/b => ../b\n)\n"
    assert local_replaces(gomod) == ["example.com/b"]


def test_local_replaces_with_versioned_left_side() -> None:
    assert local_replaces("replace example.com/a v1.0.0 => ../a\n") == ["example.com/a"]


def test_wrapper_gomod_replaces_local_siblings_with_released_versions() -> None:
    build = etcd(sibling_version=SIBLINGS.__getitem__)
    assert wrapper_gomod(build, UPSTREAM_GOMOD, "1.24") == (
        "module local/wrapper\n"
        "\n"
        "go 1.24\n"
        "\n"
        "require go.etcd.io/etcd/server/v3 v3.6.0\n"
        "\n"
        "replace (\n"
        "\tgo.etcd.io/etcd/api/v3 => go.etcd.io/etcd/api/v3 v3.6.0\n"
        "\tgo.etcd.io/etcd/client/pkg/v3 => go.etcd.io/etcd/client/pkg/v3 v3.6.1\n"
        "\tgo.etcd.io/etcd/pkg/v3 => go.etcd.io/etcd/pkg/v3 v3.6.2\n"
        ")\n"
    )


def test_wrapper_gomod_leaves_out_guard_replaces_of_modules_not_required() -> None:
    guarded = UPSTREAM_GOMOD + "replace (\n\tgo.etcd.io/etcd => ./FORBIDDEN_DEPENDENCY\n" \
                               "\tgo.etcd.io/etcd/v3 => ./FORBIDDEN_DEPENDENCY\n)\n"
    text = wrapper_gomod(etcd(sibling_version=SIBLINGS.__getitem__), guarded, "1.24")
    assert "FORBIDDEN" not in text and "go.etcd.io/etcd =>" not in text and "go.etcd.io/etcd/v3 =>" not in text
    assert text == wrapper_gomod(etcd(sibling_version=SIBLINGS.__getitem__), UPSTREAM_GOMOD, "1.24")


def test_wrapper_gomod_without_local_replaces() -> None:
    build = GoBuild(module="sigs.k8s.io/kind", version="v0.33.0", packages=("sigs.k8s.io/kind",))
    upstream = "module sigs.k8s.io/kind\n\ngo 1.22\n\nreplace example.com/a => example.com/b v1.0.0\n"
    assert wrapper_gomod(build, upstream, "1.22") == (
        "module local/wrapper\n\ngo 1.22\n\nrequire sigs.k8s.io/kind v0.33.0\n\n")


def test_wrapper_gomod_needs_sibling_version_for_local_replaces() -> None:
    with pytest.raises(ValueError) as err:
        wrapper_gomod(etcd(), UPSTREAM_GOMOD, "1.24")
    assert str(err.value) == ("go.etcd.io/etcd/server/v3 replaces go.etcd.io/etcd/api/v3 locally; "
                              "a sibling_version is needed")


def test_tools_go_blank_imports_every_package() -> None:
    assert tools_go(("k8s.io/kubernetes/cmd/kubelet", "k8s.io/kubernetes/cmd/kubeadm")) == (
        "//go:build tools\n"
        "\n"
        "package tools\n"
        "\n"
        "import (\n"
        '\t_ "k8s.io/kubernetes/cmd/kubelet"\n'
        '\t_ "k8s.io/kubernetes/cmd/kubeadm"\n'
        ")\n"
    )


MAIN_GO = """\
package main

// flannel/pkg/backend/tencentvpc is not served by the proxy
import (
\t"fmt"

\t_ "github.com/flannel-io/flannel/pkg/backend/hostgw"
\t_ "github.com/flannel-io/flannel/pkg/backend/tencentvpc"
\t"github.com/flannel-io/flannel/pkg/ip"
)

func main() { fmt.Println("flannel/pkg/backend/tencentvpc") }
"""


def test_without_imports_drops_only_the_matching_import_line() -> None:
    expected = MAIN_GO.replace('\t_ "github.com/flannel-io/flannel/pkg/backend/tencentvpc"\n', "")
    assert without_imports(MAIN_GO, ("flannel/pkg/backend/tencentvpc",)) == expected
    assert len(expected.splitlines()) == len(MAIN_GO.splitlines()) - 1


def test_without_imports_drops_matching_plain_imports_too() -> None:
    assert without_imports('import (\n\t"a/b/c"\n\t"a/b/d"\n)\n', ("a/b/c",)) == 'import (\n\t"a/b/d"\n)\n'


def test_without_imports_with_nothing_to_drop() -> None:
    assert without_imports(MAIN_GO, ()) == MAIN_GO


@pytest.mark.parametrize(("package", "name"), [
    ("go.etcd.io/etcd/server/v3", "server"),
    ("sigs.k8s.io/cri-tools/cmd/crictl", "crictl"),
    ("k8s.io/kubernetes/cmd/kubelet/", "kubelet"),
    ("github.com/containerd/containerd/v2/cmd/containerd", "containerd"),
    ("sigs.k8s.io/kind", "kind"),
])
def test_binary_name(package: str, name: str) -> None:
    assert binary_name(package) == name


def test_key_is_stable_and_short() -> None:
    assert etcd().key() == etcd().key()
    assert re.fullmatch(r"[0-9a-f]{16}", etcd().key())


def test_key_changes_with_ldflags() -> None:
    assert etcd(ldflags="-s -w").key() != etcd(ldflags="-s -w -X main.version=v3.6.0").key()


@pytest.mark.parametrize("change", [
    {"version": "v3.6.1"}, {"cgo": True}, {"tags": ("netgo",)}, {"env": {"GOARCH": "arm64"}},
    {"main_file": "main.go"}, {"drop_imports": ("x",)}, {"output": "etcd"},
])
def test_key_changes_with_build_inputs(change: dict[str, object]) -> None:
    assert etcd(**change).key() != etcd().key()
