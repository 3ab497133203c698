"""The library behind the suite: what a headless-Service check needs, without pytest.

Cluster providers (`providers`, `kind`) and what a cluster is (`facts`); the Kubernetes client with
bounded requests (`kube`); scenario objects (`manifests`, `workloads`, `scenario`); probe pods and
the one way to run dig and wget (`probes`); reading dig's output strictly (`dig`) and the DNS
expectations that take time to come true (`dns`); DNS names (`names`); pod event order
(`ordering`); and the record of what ran (`transcript`). Waits come from `common.wait`.
"""
