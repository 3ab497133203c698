"""The permissions the suite needs: read from the one manifest that grants them, checked one by one."""

from __future__ import annotations

import pytest

from headless_conformance.provisioning import access, providers
from headless_conformance.provisioning.access import Permission
from headless_conformance.provisioning.request import ProviderError


def test_the_manifest_grants_what_the_suite_does() -> None:
    granted = {str(p) for p in access.permissions(access.load_manifest())}
    assert {"create namespaces", "create pods", "create pods/exec", "get pods/exec", "patch deployments.apps/scale",
            "watch endpointslices.discovery.k8s.io", "list events", "get configmaps coredns in kube-system",
            "list storageclasses.storage.k8s.io"} <= granted
    assert not {p for p in granted if p.startswith(("get nodes/proxy", "escalate", "bind", "impersonate"))}
    assert not any(p.verb == "*" or p.resource == "*" for p in access.permissions(access.load_manifest()))


def test_a_role_grants_only_in_its_namespace_and_for_its_names() -> None:
    docs = [{"kind": "Role", "metadata": {"name": "r", "namespace": "ns"},
             "rules": [{"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["a", "b"],
                        "verbs": ["get"]}]},
            {"kind": "ServiceAccount", "metadata": {"name": "x"}}]
    assert access.permissions(docs) == [Permission("get", "", "configmaps", "ns", "a"),
                                        Permission("get", "", "configmaps", "ns", "b")]


def test_lacking_names_what_is_denied(monkeypatch: pytest.MonkeyPatch) -> None:
    wanted = [Permission("list", "", "nodes"), Permission("create", "", "pods/exec"), Permission("get", "apps", "x")]
    monkeypatch.setattr(access, "_review", lambda kube, p: p.resource != "pods/exec")
    assert access.lacking(None, wanted) == [Permission("create", "", "pods/exec")]  # type: ignore[arg-type]


def test_a_missing_permission_ends_the_run_at_start_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(access, "_review", lambda kube, p: not (p.resource == "pods/exec" and p.verb == "create"))
    with pytest.raises(ProviderError) as raised:
        providers.check_access(None, lambda _: None)  # type: ignore[arg-type]
    message = str(raised.value)
    assert message == ("the credentials lack 1 permission the suite needs (manifests/rbac/headless-conformance.yaml "
                       "grants them all): create pods/exec")
    assert "\n" not in message
