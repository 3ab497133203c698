"""headless-conformance matrix without a cluster: the plan CI reads, cells chosen exactly, the assembling of
cells with the ones expected but missing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from cli import matrix as cli_matrix
from headless_conformance.results.cells import Cell, Check

ROOT = Path(__file__).resolve().parents[2]


def matrix(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", "matrix", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)


def load_script():
    return cli_matrix


def test_the_plan_is_every_supported_version_by_every_family() -> None:
    plan = json.loads(matrix("plan").stdout)
    assert plan == {"kubernetes": ["1.34", "1.35", "1.36", "1.37"], "family": ["ipv4", "ipv6", "dual"],
                    "dns_path": ["cluster-dns"],
                    "include": [{"kubernetes": "1.37", "family": "ipv4", "dns_path": "node-local"}]}


def test_a_malformed_cell_is_one_line_and_exit_2() -> None:
    done = matrix("run", "--cells", "1.37/ipv5")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].endswith(
        "'1.37/ipv5': a cell is VERSION/FAMILY[/COREDNS][/node-local], e.g. 1.34/dual, 1.37/ipv4/v1.12.0 or "
        "1.37/ipv4/node-local")


def test_exact_cells_or_every_version_by_family() -> None:
    script = load_script()
    parser_args = type("Args", (), {"cells": ["1.34/dual", "1.37/ipv6/v1.12.0", "1.37/ipv4/node-local"],
                                    "versions": [], "families": [], "coredns_versions": [],
                                    "dns_paths": ["cluster-dns"]})
    assert script.cells_wanted(parser_args) == [("1.34", "dual", "", ""), ("1.37", "ipv6", "v1.12.0", ""),
                                                ("1.37", "ipv4", "", "node-local")]
    parser_args.cells, parser_args.versions, parser_args.families = None, ["1.35", "1.36"], ["ipv4", "dual"]
    assert script.cells_wanted(parser_args) == [("1.35", "ipv4", "", ""), ("1.35", "dual", "", ""),
                                                ("1.36", "ipv4", "", ""), ("1.36", "dual", "", "")]


def test_releases_are_a_third_axis() -> None:
    script = load_script()
    parser_args = type("Args", (), {"cells": None, "versions": ["1.37"], "families": ["ipv4"],
                                    "coredns_versions": ["v1.12.0", "v1.13.1"], "dns_paths": ["cluster-dns"]})
    assert script.cells_wanted(parser_args) == [("1.37", "ipv4", "v1.12.0", ""), ("1.37", "ipv4", "v1.13.1", "")]
    assert script.a_cell("1.37/dual/1.12.0") == "1.37/dual/v1.12.0"
    assert script.a_release("1.15.0") == "v1.15.0"


def test_expected_cells_without_a_file_show_as_not_run(tmp_path: Path) -> None:
    ran = Cell(name="matrix-1.36-ipv4", kubernetes="v1.36.3", ip_family="ipv4", node_image="n", kind="v0.33.0",
               coredns="v1.14.2", report="matrix-1.36-ipv4.html", seconds=150,
               checks={"suites/test_a.py::test_a": Check("spec")})
    (tmp_path / "matrix-1.36-ipv4.json").write_text(ran.to_json())
    done = matrix("assemble", str(tmp_path / "matrix-1.36-ipv4.json"), "--expect-all", "--out", str(tmp_path))
    assert done.returncode == 1, done.stderr  # eleven cells did not run
    data = json.loads((tmp_path / "matrix.json").read_text())
    assert len(data["columns"]) == 12
    missing = [c for c in data["columns"] if c["error"]]
    assert [c["key"] for c in missing if c["key"].startswith("1.36")] == ["1.36/ipv6", "1.36/dual"]
    assert missing[0]["error"] == "the cell wrote no results (see its job's log)"
    assert "1 of 1 checks pass everywhere they ran, across 12 cells (11 not run)" in done.stdout


def test_nothing_to_assemble_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = matrix("assemble", "--out", str(tmp_path))
    assert (done.returncode, done.stderr) == (2, "matrix: error: no cell files given, and none expected\n")


