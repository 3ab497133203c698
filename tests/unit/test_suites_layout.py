"""The checks read like scenarios: set up, probe, assert on records. Client calls live in the check
library (`Workloads`, `Scenario`, `Dns`), whose verbs the checks use; the import contract keeps the
client's package out, and this keeps its objects out."""

from __future__ import annotations

import re
from pathlib import Path

SUITES = Path(__file__).resolve().parents[2] / "suites"
CLIENT = re.compile(r"\.kube\b|\.(core|apps|discovery|dynamic)\.\w+\(|\bApiException\b")


def test_checks_use_the_library_s_verbs_not_the_client() -> None:
    found = [f"{path.name}:{n}: {line.strip()}" for path in sorted(SUITES.glob("*.py"))
             for n, line in enumerate(path.read_text().splitlines(), 1) if CLIENT.search(line)]
    assert not found, "checks reaching past the library to the client:\n" + "\n".join(found)
