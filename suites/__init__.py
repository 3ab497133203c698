"""The checks: each a scenario set up, probed and judged on its records, with the cluster plumbing in
`fixtures` and the check library (`headless_conformance.checking`)."""
