"""`headless-conformance`: the project's one command. Each subcommand is a thin layer over the
library, the builder, the faults or pytest; this package sits on top of every layer."""
