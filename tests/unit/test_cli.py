"""The one command: every subcommand listed, each a module with main(argv), bad input one line."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from cli.main import SUBCOMMANDS, main

ROOT = Path(__file__).resolve().parents[2]


def test_help_lists_every_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    shown = capsys.readouterr().out
    assert all(f"  {name} " in shown for name in SUBCOMMANDS)


@pytest.mark.parametrize("name", [n for n, (module, _) in SUBCOMMANDS.items() if module])
def test_each_subcommand_is_a_module_with_main(name: str) -> None:
    assert callable(importlib.import_module(SUBCOMMANDS[name][0]).main)


def test_an_unknown_subcommand_is_one_line_and_exit_2() -> None:
    done = subprocess.run([sys.executable, "-m", "cli", "nope"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"headless-conformance: error: unknown subcommand 'nope' (one of {', '.join(SUBCOMMANDS)})"]


def test_a_subcommand_gets_its_own_options() -> None:
    done = subprocess.run([sys.executable, "-m", "cli", "soak", "--help"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("usage: headless-conformance soak")


def test_a_subcommand_stopped_by_a_signal_says_so_in_one_line(monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    from cli import matrix

    def stopped(argv: list[str]) -> int:
        raise KeyboardInterrupt("SIGTERM received")
    monkeypatch.setattr(matrix, "main", stopped)
    assert main(["matrix", "run"]) == 130
    assert capsys.readouterr().err == "headless-conformance matrix: stopped (SIGTERM received)\n"
