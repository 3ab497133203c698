"""Which images a run uses, and which leftovers of killed runs it may remove."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from common.builds import BuildRecord
from headless_conformance.provisioning import kind as kindcli
from headless_conformance.provisioning import providers, run_images
from headless_conformance.provisioning.request import ProviderError, Request
from headless_conformance.provisioning.run_images import PUBLISHED_BUSYBOX, PUBLISHED_DIG

BUILT = BuildRecord("v1.37.2", "headless-conformance/node:v1.37.2", "headless-conformance/dig:bookworm",
                    "headless-conformance/busybox:1.35.0", "/cache/kind")
ON_NODE = {"docker.io/headless-conformance/dig:bookworm", "docker.io/headless-conformance/busybox:1.35.0"}


def test_local_probe_images_where_every_node_has_them() -> None:
    images = run_images.probe_images(Request(provider="existing"), BUILT, [ON_NODE, ON_NODE], can_load=False)
    assert images == (BUILT.dig_image, BUILT.busybox_image, "built here")


def test_an_existing_cluster_without_them_gets_the_published_ones() -> None:
    images = run_images.probe_images(Request(provider="existing"), BUILT, [ON_NODE, set()], can_load=False)
    assert images == (PUBLISHED_DIG, PUBLISHED_BUSYBOX, "published (the nodes lack the local ones)")


def test_asking_for_local_images_the_nodes_lack_is_an_error() -> None:
    with pytest.raises(ProviderError, match="do not have the local probe images"):
        run_images.probe_images(Request(provider="existing", image_source="local"), BUILT, [set()], can_load=False)


def test_kind_loads_local_images_its_nodes_lack() -> None:
    assert run_images.probe_images(Request(), BUILT, [set()], can_load=True)[2] == "built here, loaded into the nodes"


def test_published_and_explicit_images() -> None:
    assert run_images.probe_images(Request(image_source="published"), BUILT, [ON_NODE], True)[:2] == (
        PUBLISHED_DIG, PUBLISHED_BUSYBOX)
    explicit = Request(dig_image="my/dig:1", busybox_image="my/bb:1")
    assert run_images.probe_images(explicit, BUILT, [ON_NODE], True) == ("my/dig:1", "my/bb:1",
                                                                         "given on the command line")


def test_node_image_for_an_unbuilt_unpublished_version_says_what_to_do() -> None:
    with pytest.raises(ProviderError, match="pass --node-image, or build one"):
        run_images.node_image(Request(kubernetes_version="v1.35.4"), None)
    assert run_images.node_image(Request(kubernetes_version="1.35"), None).startswith("kindest/node:v1.35.8@sha256:")
    assert run_images.node_image(Request(kubernetes_version="1.35", node_image="x/node:1"), None) == "x/node:1"
    assert run_images.node_image(Request(), BUILT) == BUILT.node_image


def test_run_directories_of_dead_runs_are_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(providers.tempfile, "gettempdir", lambda: str(tmp_path))
    dead = tmp_path / f"{providers.RUN_DIR_PREFIX}999999999-abc"
    mine = tmp_path / f"{providers.RUN_DIR_PREFIX}{os.getpid()}-def"
    other = tmp_path / "somebody-else"
    for d in (dead, mine, other):
        d.mkdir()
    new = providers.new_run_dir()
    assert not dead.exists() and mine.exists() and other.exists()
    assert new.parent == tmp_path and new.name.startswith(f"{providers.RUN_DIR_PREFIX}{os.getpid()}-")


class TestLeftoverOfAKilledRun:
    @pytest.fixture
    def cluster(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> kindcli.KindCluster:
        monkeypatch.setenv("HEADLESS_CONFORMANCE_CACHE", str(tmp_path))
        monkeypatch.setattr(kindcli.KindCluster, "node_containers", lambda self: ["c1", "c2"])
        return kindcli.KindCluster("hc", "kind", tmp_path / "kubeconfig")

    def write(self, cluster: kindcli.KindCluster, **record: object) -> None:
        cluster.record_path().parent.mkdir(parents=True, exist_ok=True)
        cluster.record_path().write_text(json.dumps({"boot_id": kindcli._boot_id(), **record}))

    def test_no_record_means_not_ours(self, cluster: kindcli.KindCluster) -> None:
        assert not cluster.leftover_of_a_killed_run()

    def test_a_dead_run_with_the_same_nodes_is_ours(self, cluster: kindcli.KindCluster) -> None:
        self.write(cluster, pid=999999999, containers=["c2", "c1"])
        assert cluster.leftover_of_a_killed_run()

    def test_a_live_run_is_not_a_leftover(self, cluster: kindcli.KindCluster) -> None:
        self.write(cluster, pid=os.getpid(), containers=["c1", "c2"])
        assert not cluster.leftover_of_a_killed_run()

    def test_other_nodes_under_the_same_name_are_not_ours(self, cluster: kindcli.KindCluster) -> None:
        self.write(cluster, pid=999999999, containers=["c1", "c9"])
        assert not cluster.leftover_of_a_killed_run()

    def test_a_run_killed_while_creating_owns_nodes_made_right_after(self, cluster: kindcli.KindCluster,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
        self.write(cluster, pid=999999999, containers=None)
        started = cluster.record_path().stat().st_mtime
        monkeypatch.setattr(kindcli, "_created_at", lambda ids: [started + 5, started + 9])
        assert cluster.leftover_of_a_killed_run()
        monkeypatch.setattr(kindcli, "_created_at", lambda ids: [started - 3600, started + 9])
        assert not cluster.leftover_of_a_killed_run()
