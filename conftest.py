"""Registers the suite's fixtures and hooks; everything else lives in fixtures/."""

pytest_plugins = [
    "fixtures.options",
    "fixtures.cluster",
    "fixtures.namespace",
    "fixtures.scenario",
    "fixtures.report",
]
