"""Registers the suite's plugin (fixtures/); everything else lives in the library it wires in."""

pytest_plugins = [
    "fixtures.options",
    "fixtures.cluster",
    "fixtures.levels",
    "fixtures.timeouts",
    "fixtures.namespace",
    "fixtures.propagation",
    "fixtures.scenario",
    "fixtures.clients",
    "fixtures.multicluster",
    "fixtures.divergences",
    "fixtures.results",
    "fixtures.report",
    "fixtures.verdict",
    "fixtures.end_of_run",
]
