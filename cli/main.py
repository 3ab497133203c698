"""`headless-conformance SUBCOMMAND ...`: one entry point for everything the project runs."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

from cli.suite import suite_argv

ROOT = Path(__file__).resolve().parent.parent

# subcommand -> (the module whose main(argv) runs it, what it does); `run` is pytest itself
SUBCOMMANDS = {
    "run": ("", "the suite: pytest on suites/ with these options (e.g. -n 4, -m spec, --provider existing)"),
    "image": ("imagebuild.__main__", "build kind node images, probe images and upstream's e2e binary offline"),
    "fault": ("faults.__main__", "make a cluster misbehave the way a group of checks guards against, then undo it"),
    "matrix": ("cli.matrix", "the suite across Kubernetes versions × IP families, and the page comparing them"),
    "upstream": ("cli.upstream", "upstream's e2e DNS and StatefulSet specs beside this suite"),
    "bench": ("cli.bench", "time the suite on one warm cluster with several worker counts"),
    "bisect": ("cli.bisect", "the first CoreDNS release between a good and a bad one whose outcome of a check differs"),
    "soak": ("cli.soak", "the suite run N times against one cluster, each check's flips counted"),
    "interrupts": ("cli.interrupts", "stop runs with signals at each moment and check nothing is left"),
}


def usage() -> str:
    width = max(map(len, SUBCOMMANDS))
    return ("usage: headless-conformance SUBCOMMAND [options]  (SUBCOMMAND --help for its options)\n\n"
            "subcommands:\n" + "".join(f"  {name:{width}s}  {what}\n" for name, (_, what) in SUBCOMMANDS.items()))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help"):
        print(usage(), end="")
        return 0 if args else 2
    name, rest = args[0], args[1:]
    if name not in SUBCOMMANDS:
        print(f"headless-conformance: error: unknown subcommand {name!r} (one of {', '.join(SUBCOMMANDS)})",
              file=sys.stderr)
        return 2
    if name == "run":  # pytest in place of this process: signals and exit status are pytest's own
        os.chdir(ROOT)
        os.execv(sys.executable, suite_argv(rest))
    module = importlib.import_module(SUBCOMMANDS[name][0])
    try:
        return module.main(rest)
    except KeyboardInterrupt as stopped:  # Ctrl-C or SIGTERM: what the subcommand started is stopped by now
        print(f"headless-conformance {name}: stopped ({stopped or 'interrupted'})", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
