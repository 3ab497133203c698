"""The library behind the suite, in three parts, without pytest.

- `checking`: what a headless-Service check needs. The Kubernetes client with bounded requests
  (`kube`); scenario objects (`manifests`, `workloads`, `scenario`); probe pods and the one way to
  run dig and wget (`probes`, `probe_stream`); dig's output read strictly (`dig`); the DNS
  expectations that take time to come true (`dns`) and when one is met (`verdict`); DNS names
  (`names`); the specification's statements (`rules`); the record of what ran (`transcript`).
- `provisioning`: where a cluster comes from (`providers`, `kind`, `run_images`), what it is
  (`facts`), and what the suite puts on it first (`access`, `dns_server`, `node_local`).
- `results`: whole runs read back: a run's verdict (`conformance`), the matrix's cells and page,
  soak and bisect, timings.

`checking` imports neither of the others; waits come from `common.wait`.
"""
