"""`headless-conformance image`: build a kind node image and probe images without any registry."""

from __future__ import annotations

import argparse
import sys
import time

from common import releases
from common.signals import interrupt_on_termination
from common.wait import WaitStopped, WaitTimeout
from imagebuild import build, engine, upstream
from imagebuild.shell import BuildError

FAILURES = (BuildError, releases.UnknownVersion, WaitTimeout, WaitStopped, OSError, ValueError)


def fail(err: BaseException) -> int:
    """Detail first (a command's output tail), then one line saying what failed: never a traceback."""
    head, *detail = str(err).strip().splitlines() or [type(err).__name__]
    for line in detail[-25:]:
        print(f"  | {line}", file=sys.stderr)
    print(f"imagebuild: error: {head}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="headless-conformance image", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build binaries, images and the node image for a Kubernetes version")
    b.add_argument("--kubernetes-version", default=releases.DEFAULT_KUBERNETES,
                   help="1.NN (newest served patch) or v1.NN.P (default %(default)s)")
    u = sub.add_parser("upstream", help="build upstream's e2e.test, ginkgo and the test images its DNS and "
                                        "StatefulSet specs use (after the version's own build)")
    u.add_argument("--kubernetes-version", default=releases.DEFAULT_KUBERNETES,
                   help="1.NN (newest served patch) or v1.NN.P (default %(default)s)")
    c = sub.add_parser("coredns", help="build a CoreDNS release from the Go module proxy as an image")
    c.add_argument("--version", required=True, help="the release, vX.Y.Z (e.g. v1.12.0)")
    sub.add_parser("engine", help="make sure a Docker engine answers (install and start it if needed)")
    sub.add_parser("kind", help="build the pinned kind CLI and print its path")
    args = parser.parse_args(argv)
    interrupt_on_termination()  # SIGTERM/SIGHUP clean up like Ctrl-C (build containers, temp dirs)
    started = time.monotonic()
    try:
        if args.command == "engine":
            engine.ensure_engine()
        elif args.command == "kind":
            print(build.build_kind())
        elif args.command == "coredns":
            print(f"CoreDNS image: {build.build_coredns(args.version)}")
        elif args.command == "upstream":
            record = upstream.build_upstream(args.kubernetes_version)
            print(f"e2e.test: {record.e2e_test}")
            print(f"ginkgo: {record.ginkgo}")
            print(f"images: {' '.join(record.images)}")
        else:
            result = build.build_all(args.kubernetes_version)
            print(f"node image: {result.node_image}")
            print(f"probe images: {result.dig_image} {result.busybox_image}")
            print(f"kind: {result.kind}")
    except FAILURES as err:
        return fail(err)
    except KeyboardInterrupt as err:
        print(f"imagebuild: interrupted{f' ({err})' if str(err) else ''}", file=sys.stderr)
        return 130
    print(f"imagebuild: finished in {time.monotonic() - started:.0f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
