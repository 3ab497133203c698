"""The one cluster of bench, soak and bisect: closing it deletes the cluster once and its kubeconfig."""

from __future__ import annotations

from pathlib import Path

from cli import one_cluster


class FakeKind:
    def __init__(self) -> None:
        self.deleted = 0

    def exists(self) -> bool:
        return not self.deleted

    def delete(self) -> None:
        self.deleted += 1


def test_closing_deletes_the_cluster_and_its_kubeconfig(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(one_cluster, "REPORTS", tmp_path)
    said: list[str] = []
    cluster = one_cluster.OneCluster("hc-x", "kind", "1.37", tmp_path / "logs", said.append, "dual")
    cluster.cluster = FakeKind()  # type: ignore[assignment]
    (tmp_path / "hc-x-kubeconfig").write_text("config")
    cluster.close()
    cluster.close()
    assert (cluster.cluster.deleted, said, (tmp_path / "hc-x-kubeconfig").exists()) == (
        1, ["deleting kind cluster hc-x"], False)
    assert cluster.ip_family == "dual"
