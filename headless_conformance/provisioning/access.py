"""The permissions the suite needs (manifests/rbac/headless-conformance.yaml, the one place they are
written), whether the credentials it runs with hold them, and a kubeconfig of the ServiceAccount
that holds exactly them.

The check asks the API server a SelfSubjectAccessReview per rule and verb before the first check,
so that a permission the suite lacks ends the run at its start, named, rather than deep inside a
check as an API error.
"""

from __future__ import annotations

import argparse
import base64
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from kubernetes import client
from kubernetes.client import ApiException
from kubernetes.dynamic import DynamicClient

from headless_conformance.checking import workloads
from headless_conformance.checking.kube import ClusterUnusable, Kube, Refused, connect
from headless_conformance.checking.manifests import MANIFEST_DIR

__all__ = ["RBAC_MANIFEST", "Permission", "kubeconfig_for", "lacking", "permissions", "set_up_account"]

RBAC_MANIFEST = MANIFEST_DIR / "rbac" / "headless-conformance.yaml"
ACCOUNT = ("headless-conformance", "headless-conformance")  # namespace, name
TOKEN_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Permission:
    verb: str
    group: str
    resource: str  # with its subresource: pods/exec
    namespace: str | None = None  # None: in every namespace (or cluster-scoped)
    name: str | None = None

    def __str__(self) -> str:
        group = f".{self.group}" if self.group else ""
        base, _, sub = self.resource.partition("/")
        where = f" in {self.namespace}" if self.namespace else ""
        return f"{self.verb} {base}{group}{f'/{sub}' if sub else ''}{f' {self.name}' if self.name else ''}{where}"


def load_manifest(path: Path = RBAC_MANIFEST) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as stream:
        return [doc for doc in yaml.safe_load_all(stream) if doc]


def permissions(docs: list[dict[str, Any]]) -> list[Permission]:
    """Every (verb, resource, namespace, name) the ClusterRoles and Roles of `docs` grant."""
    found: list[Permission] = []
    for doc in docs:
        if doc["kind"] not in ("ClusterRole", "Role"):
            continue
        namespace = doc["metadata"].get("namespace") if doc["kind"] == "Role" else None
        for rule in doc.get("rules") or []:
            for group in rule.get("apiGroups") or [""]:
                for resource in rule["resources"]:
                    for verb in rule["verbs"]:
                        for name in rule.get("resourceNames") or [None]:
                            found.append(Permission(verb, group, resource, namespace, name))
    return found


def _review(kube: Kube, permission: Permission) -> bool:
    resource, _, subresource = permission.resource.partition("/")
    attributes = {"verb": permission.verb, "group": permission.group, "resource": resource}
    if subresource:
        attributes["subresource"] = subresource
    if permission.namespace:
        attributes["namespace"] = permission.namespace
    if permission.name:
        attributes["name"] = permission.name
    review = client.AuthorizationV1Api(kube.api).create_self_subject_access_review(
        {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
         "spec": {"resourceAttributes": attributes}})
    return bool(review.status.allowed)


def lacking(kube: Kube, wanted: list[Permission] | None = None) -> list[Permission]:
    """The permissions of `wanted` (default: the manifest's) that these credentials do not hold."""
    wanted = permissions(load_manifest()) if wanted is None else wanted
    with ThreadPoolExecutor(max_workers=8) as pool:
        allowed = list(pool.map(lambda p: _review(kube, p), wanted))
    return [p for p, ok in zip(wanted, allowed, strict=True) if not ok]


def set_up_account(kube: Kube) -> None:
    """Create (or update) the manifest's namespace, ServiceAccount, roles and bindings, as the
    cluster's administrator would with `kubectl apply -f`."""
    workloads.apply(DynamicClient(kube.api), load_manifest())


def kubeconfig_for(kube: Kube, seconds: int = TOKEN_SECONDS) -> str:
    """A kubeconfig of the ServiceAccount, with a token good for `seconds`, for the admin's API server."""
    namespace, name = ACCOUNT
    token = client.CoreV1Api(kube.api).create_namespaced_service_account_token(
        name, namespace, {"spec": {"expirationSeconds": seconds}}).status.token
    configuration = kube.api.configuration
    cluster: dict[str, Any] = {"server": configuration.host}
    if configuration.ssl_ca_cert:
        cluster["certificate-authority-data"] = base64.b64encode(Path(configuration.ssl_ca_cert).read_bytes()).decode()
    elif not configuration.verify_ssl:
        cluster["insecure-skip-tls-verify"] = True
    return yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": name,
        "clusters": [{"name": name, "cluster": cluster}],
        "users": [{"name": name, "user": {"token": token}}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": name}}]}, sort_keys=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m headless_conformance.provisioning.access",
        description="Set up the suite's least-privilege ServiceAccount (manifests/rbac/) with an administrator's "
                    "kubeconfig and write a kubeconfig of that account; or, with --check, say which of the "
                    "permissions the suite needs a kubeconfig lacks.")
    parser.add_argument("--kubeconfig", required=True, type=Path)
    parser.add_argument("--context", default=None)
    parser.add_argument("--out", type=Path, help="where to write the ServiceAccount's kubeconfig")
    parser.add_argument("--check", action="store_true", help="only check the kubeconfig's permissions")
    args = parser.parse_args(argv)
    try:
        kube = connect(args.kubeconfig, args.context)
        if args.check:
            missing = lacking(kube)
            print(f"lacks: {', '.join(map(str, missing))}" if missing else "has every permission the suite needs")
            return 1 if missing else 0
        if args.out is None:
            parser.error("--out is needed unless --check")
        set_up_account(kube)
        args.out.write_text(kubeconfig_for(kube))
        args.out.chmod(0o600)
    except (ClusterUnusable, Refused) as err:
        print(f"access: {err}", file=sys.stderr)
        return 1
    except ApiException as err:
        print(f"access: the API server answered {err.status} {err.reason}", file=sys.stderr)
        return 1
    print(f"wrote {args.out} (ServiceAccount {ACCOUNT[0]}/{ACCOUNT[1]}, token valid {TOKEN_SECONDS // 3600} h)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
