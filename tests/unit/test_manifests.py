"""The scenario manifests' exact content, and how they are adapted to one test run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from headless_conformance.checking import manifests, pod_security
from headless_conformance.checking.manifests import known, load, prepare, with_replicas

ARGS = [
    "/bin/sh",
    "-c",
    "while true; do { echo -e 'HTTP/1.1 200 OK\\n\\nHello from Busybox!'; } | nc -l -p 80; done",
]
HTTP_PORT = [{"name": "http", "protocol": "TCP", "port": 80, "targetPort": 80}]
MIRROR = "registry.test/mirror/busybox:1.36"


def _one(name: str) -> dict[str, Any]:
    (doc,) = load(name)
    assert "namespace" not in doc["metadata"], "the suite sets the namespace"
    return doc


def _container(doc: dict[str, Any]) -> dict[str, Any]:
    (container,) = doc["spec"]["template"]["spec"]["containers"]
    assert isinstance(container, dict)
    return container


def test_known_manifests() -> None:
    assert known() == ["clusterip-ports", "clusterip-service", "deployment", "dual-stack-clusterip",
                       "dual-stack-service", "dual-stack-twins", "gated", "headless-service", "ordinals",
                       "port-services", "statefulset"]


def test_dual_stack_service_requires_both_families() -> None:
    doc = _one("dual-stack-service")
    assert (doc["spec"]["clusterIP"], doc["spec"]["ipFamilyPolicy"]) == ("None", "RequireDualStack")


def test_deployment() -> None:
    doc = _one("deployment")
    assert (doc["apiVersion"], doc["kind"], doc["metadata"]["name"]) == (
        "apps/v1",
        "Deployment",
        "my-app-deployment",
    )
    assert doc["spec"]["replicas"] == 3
    assert doc["spec"]["selector"] == {"matchLabels": {"app": "my-app"}}
    assert doc["spec"]["template"]["metadata"]["labels"] == {"app": "my-app"}
    assert _container(doc) == {
        "name": "my-app-container",
        "image": "busybox:latest",
        "args": ARGS,
        "ports": [{"containerPort": 80}],
        "securityContext": pod_security.container_context(),
    }


def test_args_keep_the_literal_backslash_n_for_echo_e() -> None:
    script = _container(_one("deployment"))["args"][2]
    assert "\n" not in script
    assert r"HTTP/1.1 200 OK\n\nHello from Busybox!" in script


def test_headless_service() -> None:
    doc = _one("headless-service")
    assert (doc["apiVersion"], doc["kind"], doc["metadata"]["name"]) == (
        "v1",
        "Service",
        "my-headless-service",
    )
    assert doc["spec"] == {"clusterIP": "None", "selector": {"app": "my-app"}, "ports": HTTP_PORT}


def test_clusterip_service() -> None:
    doc = _one("clusterip-service")
    assert (doc["kind"], doc["metadata"]["name"]) == ("Service", "my-clusterip-service")
    assert doc["spec"] == {"type": "ClusterIP", "selector": {"app": "my-app"}, "ports": HTTP_PORT}


def test_statefulset() -> None:
    doc = _one("statefulset")
    assert (doc["apiVersion"], doc["kind"], doc["metadata"]["name"]) == (
        "apps/v1",
        "StatefulSet",
        "my-app-statefulset",
    )
    spec = doc["spec"]
    assert spec["replicas"] == 3
    assert spec["serviceName"] == "my-headless-service"
    assert spec["selector"] == {"matchLabels": {"app": "my-app"}}
    assert spec["template"]["metadata"]["labels"] == {"app": "my-app"}
    assert _container(doc) == {
        "name": "my-app-container",
        "image": "busybox:latest",
        "args": ARGS,
        "ports": [{"containerPort": 80}],
        "volumeMounts": [{"name": "data", "mountPath": "/data"}],
        "readinessProbe": {"tcpSocket": {"port": 80}, "periodSeconds": 1},
        "securityContext": pod_security.container_context(),
    }
    assert spec["template"]["spec"]["terminationGracePeriodSeconds"] == 1
    assert spec["volumeClaimTemplates"] == [
        {
            "metadata": {"name": "data"},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
        }
    ]


def test_unknown_manifest_lists_known_ones() -> None:
    with pytest.raises(
        ValueError, match=r"unknown manifest 'nope'; known manifests: clusterip-ports, clusterip-service, deployment"
    ):
        load("nope")
    with pytest.raises(ValueError, match="unknown manifest"):
        load("../manifests/deployment")


def test_load_skips_empty_documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pair.yaml").write_text(
        "---\n# only a comment\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n---\n"
    )
    (tmp_path / "broken.yaml").write_text("just: a mapping\n")
    monkeypatch.setattr(manifests, "MANIFEST_DIR", tmp_path)
    assert known() == ["broken", "pair"]
    assert [d["metadata"]["name"] for d in load("pair")] == ["a", "b"]
    with pytest.raises(ValueError, match="document 0 is not a Kubernetes object"):
        load("broken")


def test_prepare_sets_namespace_images_and_labels() -> None:
    original = load("statefulset") + load("headless-service")
    out = prepare(
        original, namespace="hs-1", images={"busybox:latest": MIRROR}, labels={"run": "r42", "app": "my-app"}
    )
    sts, svc = out
    assert [d["metadata"]["namespace"] for d in out] == ["hs-1", "hs-1"]
    assert _container(sts)["image"] == MIRROR
    assert sts["metadata"]["labels"] == {"app": "my-app", "run": "r42"}
    assert svc["metadata"]["labels"] == {"run": "r42", "app": "my-app"}
    # Selectors and pod templates are untouched, so the Service still selects exactly the app's pods.
    assert sts["spec"]["selector"] == {"matchLabels": {"app": "my-app"}}
    assert sts["spec"]["template"]["metadata"]["labels"] == {"app": "my-app"}
    assert svc["spec"]["selector"] == {"app": "my-app"}
    # The inputs are not modified.
    assert original == load("statefulset") + load("headless-service")
    assert _container(original[0])["image"] == "busybox:latest"


def test_prepare_leaves_unmapped_images_and_handles_init_containers() -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {
            "initContainers": [{"name": "init", "image": "busybox:latest"}],
            "containers": [
                {"name": "dig", "image": "debian:bookworm"},
                {"name": "b", "image": "busybox:latest"},
            ],
        },
    }
    (out,) = prepare([pod], namespace="n", images={"busybox:latest": MIRROR, "alpine:3": "x"})
    assert out["spec"]["initContainers"][0]["image"] == MIRROR
    assert [c["image"] for c in out["spec"]["containers"]] == ["debian:bookworm", MIRROR]
    assert "labels" not in out["metadata"]


def test_prepare_without_mapping_only_sets_namespace() -> None:
    (out,) = prepare(load("deployment"), namespace="n", images={})
    expected = load("deployment")[0]
    expected["metadata"]["namespace"] = "n"
    assert out == expected


@pytest.mark.parametrize("namespace", ["", "Upper", "has_underscore", "-lead", "n" * 64])
def test_prepare_rejects_bad_namespace(namespace: str) -> None:
    with pytest.raises(ValueError, match="not a DNS-1123 label"):
        prepare(load("deployment"), namespace=namespace, images={})


def test_prepare_refuses_a_conflicting_namespace() -> None:
    doc = load("deployment")[0]
    doc["metadata"]["namespace"] = "other"
    with pytest.raises(ValueError, match="Deployment/my-app-deployment already has namespace 'other'"):
        prepare([doc], namespace="n", images={})


def test_prepare_rejects_empty_replacement_image() -> None:
    with pytest.raises(ValueError, match="replacement image"):
        prepare(load("deployment"), namespace="n", images={"busybox:latest": ""})


def test_with_replicas() -> None:
    docs = load("statefulset") + load("headless-service")
    out = with_replicas(docs, "StatefulSet", "my-app-statefulset", 5)
    assert out[0]["spec"]["replicas"] == 5
    assert out[1] == docs[1]
    assert docs[0]["spec"]["replicas"] == 3
    assert with_replicas(docs, "StatefulSet", "my-app-statefulset", 0)[0]["spec"]["replicas"] == 0


def test_with_replicas_errors() -> None:
    docs = load("deployment") + load("headless-service")
    with pytest.raises(
        ValueError, match=r"expected exactly one StatefulSet/x, found 0; objects: Deployment/"
    ):
        with_replicas(docs, "StatefulSet", "x", 1)
    with pytest.raises(ValueError, match=r"no spec\.replicas"):
        with_replicas(docs, "Service", "my-headless-service", 1)
    for bad in (-1, True, 2.0):
        with pytest.raises(ValueError, match="non-negative integer"):
            with_replicas(docs, "Deployment", "my-app-deployment", bad)  # type: ignore[arg-type]


def test_a_handmade_endpointslice_names_its_service_family_ports_and_maker() -> None:
    from headless_conformance.checking.manifests import endpoint, endpoint_slice, headless_service

    made = endpoint_slice("s-0", "AAAA", [endpoint("2001:db8::1", "web-0"), endpoint("2001:db8::2", ready=None)],
                          service="s", ports=(("http", 80), ("metrics", 9090)))

    assert made["addressType"] == "IPv6"
    assert made["metadata"]["labels"] == {"kubernetes.io/service-name": "s",
                                          "endpointslice.kubernetes.io/managed-by": "headless-conformance"}
    assert [p["port"] for p in made["ports"]] == [80, 9090]
    assert made["endpoints"] == [{"addresses": ["2001:db8::1"], "conditions": {"ready": True}, "hostname": "web-0"},
                                 {"addresses": ["2001:db8::2"], "conditions": {}}]
    assert headless_service("s")["spec"]["clusterIP"] == "None"
    mcs = endpoint_slice("m", "A", [], labels={"multicluster.kubernetes.io/service-name": "s"})
    assert "kubernetes.io/service-name" not in mcs["metadata"]["labels"]
