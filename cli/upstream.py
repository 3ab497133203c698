"""Upstream's own e2e tests beside this suite: the `[sig-network] DNS` specs and the basic
StatefulSet specs of the k8s.io/kubernetes module (built here by `headless-conformance image upstream`),
run against a cluster with ginkgo, and compared with this suite on the same cluster.

    headless-conformance upstream run [--kubernetes-version 1.37] [--provider kind|existing --kubeconfig F] [--procs 4]
    headless-conformance upstream compare [--kubernetes-version 1.37] [--faults NAME ...] [--docs]
    headless-conformance upstream table [--docs]            # the table again from the last comparison's JSON

`run` keeps upstream's JUnit in reports/upstream/ and prints its wall time and specs run and passed.
`compare` makes one kind cluster and runs, in one go: both suites on it healthy (wall time, checks,
checks per minute), then both under each fault of `headless-conformance fault` (which notices which), and
writes reports/upstream-comparison.{json,md}; with --docs the table replaces the one in docs/upstream.md.
On an existing cluster, upstream's `DNS configMap` specs are left out: they rewrite the cluster's
CoreDNS configuration.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path

from cli.suite import SuiteRun
from common import builds, releases
from common.markdown import page_of, replace_section
from common.progress import speaker
from common.signals import interrupt_on_termination, run_to_completion, shielded
from faults.applied import FaultNotApplied, applied
from headless_conformance.checking.kube import Kube, connect
from headless_conformance.provisioning import providers
from headless_conformance.provisioning.request import ProviderError, Request
from headless_conformance.provisioning.run_images import run_builder
from headless_conformance.results.comparison import table
from headless_conformance.results.run_output import Outcome, ginkgo_progress, junit_outcome

ROOT = Path(__file__).resolve().parent.parent

REPORTS = ROOT / "reports"
PROGRESS_EVERY_S = 30.0
FOCUS = r"\[sig-network\] DNS|\[sig-apps\] StatefulSet Basic StatefulSet functionality"
# specs that need the internet or a cloud, or measure performance; not about what this suite checks
SKIP = (r"\[Provider:gce\]|upstream nameserver|\[Feature:PerformanceDNS\]|\[Serial\].*\[Disruptive\]")
REWRITES_COREDNS = r"DNS configMap"


say = speaker("upstream")


def ensure_upstream(version: str) -> builds.UpstreamRecord:
    run_builder(["upstream", "--kubernetes-version", version], f"upstream's e2e tests for Kubernetes {version}", say)
    record = builds.load_upstream(version)
    if record is None:
        raise ProviderError(f"the upstream build for Kubernetes {version} left no build record")
    return record


def run_upstream(record: builds.UpstreamRecord, spec: providers.ClusterSpec, out: Path, procs: int) -> Outcome:
    """Upstream's specs with ginkgo in `procs` processes; progress is ginkgo's own, a line per spec."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.xml"):
        old.unlink()
    skip = SKIP + ("" if spec.provider == "kind" else f"|{REWRITES_COREDNS}")
    argv = [record.ginkgo, f"--procs={procs}", f"--focus={FOCUS}", f"--skip={skip}", "--timeout=2h",
            "--no-color", "--succinct", f"--output-dir={out}", "--junit-report=junit.xml", record.e2e_test, "--",
            f"--kubeconfig={spec.kubeconfig}", "--provider=skeleton", f"--kubectl-path={record.kubectl}",
            "--minStartupPods=-1", "--dns-domain=" + str(spec.facts.get("dns_domain", "cluster.local"))]
    if spec.context:
        argv.append(f"--context={spec.context}")
    say(f"upstream: {len(FOCUS.split('|'))} groups of specs, {procs} processes (log {out / 'ginkgo.log'})")
    started, done = time.monotonic(), threading.Event()
    threading.Thread(target=progress, args=(out / "ginkgo.log", started, done), daemon=True).start()
    try:
        with (out / "ginkgo.log").open("w") as log:
            status = run_to_completion(argv, own_group=True, cwd=out, stdout=log, stderr=subprocess.STDOUT)
    finally:
        done.set()
    seconds = time.monotonic() - started
    reports = sorted(out.glob("*.xml"))
    if not reports:
        tail = (out / "ginkgo.log").read_text().strip().splitlines()[-1:] or [""]
        return Outcome("upstream e2e", round(seconds, 1), 0, 0, 0, [], f"ginkgo exited {status}: {tail[0][:200]}")
    return junit_outcome("upstream e2e", reports, seconds)


def progress(log: Path, started: float, done: threading.Event) -> None:
    """Every 30 s while upstream's run goes on, how far it is, from its log."""
    while not done.wait(PROGRESS_EVERY_S):
        text = log.read_text(errors="replace") if log.exists() else ""
        say(f"upstream: {time.monotonic() - started:.0f} s: {ginkgo_progress(text)}")


@contextlib.contextmanager
def suite_running(spec: providers.ClusterSpec, name: str, extra: list[str]) -> Iterator[Callable[[], Outcome]]:
    """This suite started on the same cluster (as an existing one: it creates only its own namespaces);
    the block runs alongside it and calls the function it is given to wait for its outcome. A block
    left early stops the run (SIGTERM: it deletes its namespaces) before its error goes on."""
    options = ["-n", "4", "-q", "--provider", "existing", "--kubeconfig", spec.kubeconfig,
               *(["--context", spec.context] if spec.context else []), *extra]
    log = REPORTS / f"{name}.log"
    say(f"this suite: pytest -n 4 (log {log.relative_to(ROOT)})")
    with SuiteRun(name, options, log, say, "this suite") as run:

        def outcome() -> Outcome:
            result = run.wait()
            if not result.junit.exists():
                return Outcome("this suite", round(result.seconds, 1), 0, 0, 0, [],
                               f"pytest exited {result.status} without a report")
            return junit_outcome("this suite", [result.junit], result.seconds)

        yield outcome


def run_suite_alone(spec: providers.ClusterSpec, name: str, extra: list[str]) -> Outcome:
    """This suite alone on the cluster."""
    with suite_running(spec, name, extra) as outcome:
        return outcome()


def coredns_setup(kube: Kube) -> tuple[str, list[str]]:
    """What CoreDNS runs with: the `coredns` ConfigMap's Corefile and the ConfigMaps its pods mount."""
    corefile = kube.core.read_namespaced_config_map("coredns", "kube-system").data.get("Corefile", "")
    template = kube.apps.read_namespaced_deployment("coredns", "kube-system").spec.template
    return corefile, sorted(v.config_map.name for v in template.spec.volumes or [] if v.config_map)


def fault_options(name: str) -> tuple[str, ...]:
    from faults.registry import FAULTS

    return FAULTS[name].suite_options


def fault_names() -> dict[str, str]:
    from faults.registry import FAULTS

    return {name: fault.does for name, fault in FAULTS.items()}


def phase_reports(phase: str) -> tuple[str, Path]:
    """Where a comparison's phase ('healthy', or a fault's name) keeps its JUnit: this suite's report
    name (reports/NAME.xml) and upstream's output directory."""
    return f"upstream-compare-{'suite' if phase == 'healthy' else phase}", REPORTS / "upstream" / phase


def recounted(phase: str, outcomes: list[Outcome]) -> list[Outcome]:
    """A phase's outcomes counted again from the JUnit it kept (as this version counts them), with
    their measured times; an outcome without its JUnit stays as it was."""
    ours_name, theirs_dir = phase_reports(phase)
    found = {"this suite": [REPORTS / f"{ours_name}.xml"], "upstream e2e": sorted(theirs_dir.glob("*.xml"))}
    again = []
    for o in outcomes:
        junit = found.get(o.suite, [])
        ok = not o.error and junit and all(p.exists() for p in junit)
        again.append(junit_outcome(o.suite, junit, o.seconds) if ok else o)
    return again


def outcomes_from(data: dict) -> tuple[list[Outcome], dict[str, list[Outcome]], str, int]:
    """The outcomes a comparison's JSON holds, with its Kubernetes version and upstream's processes under faults."""
    return ([Outcome(**o) for o in data["healthy"]],
            {name: [Outcome(**o) for o in os] for name, os in data["faults"].items()},
            data["kubernetes"], data.get("fault_procs", 4))


def write_comparison(healthy: list[Outcome], faulted: dict[str, list[Outcome]], version: str,
                     fault_procs: int) -> str:
    """The comparison so far, as JSON and Markdown in reports/ (after each phase: a cut-short run keeps
    what it measured); returns the Markdown."""
    text = table(healthy, faulted, version, fault_names(), fault_procs)
    (REPORTS / "upstream-comparison.md").write_text(text)
    (REPORTS / "upstream-comparison.json").write_text(json.dumps(
        {"kubernetes": version, "fault_procs": fault_procs, "healthy": [asdict(o) for o in healthy],
         "faults": {n: [asdict(o) for o in os] for n, os in faulted.items()}}, indent=1) + "\n")
    return text


def update_docs(text: str) -> None:
    """The table into the upstream-comparison section of docs/upstream.md."""
    try:
        replace_section(page_of(ROOT, "upstream-comparison"), "upstream-comparison", text)
    except ValueError as err:
        raise SystemExit(f"upstream: {err}") from None


def request(args: argparse.Namespace, name: str) -> Request:
    return Request(provider=args.provider, kubernetes_version=args.kubernetes_version,
                             cluster_name=name, kubeconfig=args.kubeconfig, context=args.context)


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="headless-conformance upstream", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    again = sub.add_parser("table", help="the table again from reports/upstream-comparison.json")
    again.add_argument("--docs", "--readme", dest="readme", action="store_true",
                       help="put the table into docs/upstream.md")
    again.add_argument("--recount", action="store_true",
                       help="count each phase again from the JUnit it kept in reports/ (times stay as measured)")
    for command in ("run", "compare"):
        p = sub.add_parser(command)
        p.add_argument("--kubernetes-version", default=releases.DEFAULT_KUBERNETES)
        p.add_argument("--procs", type=int, default=4, help="ginkgo processes (this suite runs with -n 4)")
        if command == "run":
            p.add_argument("--provider", choices=("kind", "existing"), default="kind")
            p.add_argument("--kubeconfig", default=None)
            p.add_argument("--context", default=None)
        else:
            p.add_argument("--faults", nargs="*", default=None, help="faults to run both suites under (default all)")
            p.add_argument("--fault-procs", type=int, default=8,
                           help="ginkgo processes under faults: each DNS spec that notices one waits out 600 s")
            p.add_argument("--docs", "--readme", dest="readme", action="store_true",
                           help="put the table into docs/upstream.md")
            p.add_argument("--suite-options", nargs=argparse.REMAINDER, default=[],
                           help="more pytest options for this suite's runs under faults")
    return parser


def table_command(args: argparse.Namespace) -> int:
    """The table again from the last comparison's JSON (counted again from its JUnit with --recount)."""
    try:
        data = json.loads((REPORTS / "upstream-comparison.json").read_text())
    except (OSError, ValueError) as err:
        print(f"upstream: error: no comparison to tabulate ({err}); run `headless-conformance upstream compare`",
              file=sys.stderr)
        return 2
    healthy, faulted, version, fault_procs = outcomes_from(data)
    if args.recount:
        healthy = recounted("healthy", healthy)
        faulted = {name: recounted(name, outcomes) for name, outcomes in faulted.items()}
    text = write_comparison(healthy, faulted, version, fault_procs)
    if args.readme:
        update_docs(text)
    print(text)
    return 0


def run_command(args: argparse.Namespace, record: builds.UpstreamRecord, spec: providers.ClusterSpec) -> bool:
    """Upstream's specs alone; whether they all passed."""
    outcome = run_upstream(record, spec, REPORTS / "upstream", args.procs)
    say(outcome.line())
    for name in outcome.failures:
        say(f"  failed: {name}")
    return not (outcome.error or outcome.failed)


def compare_command(args: argparse.Namespace, record: builds.UpstreamRecord, spec: providers.ClusterSpec,
                    cluster: str) -> None:
    """Both suites healthy, one after the other, then both at once under each fault."""
    ours_name, theirs_dir = phase_reports("healthy")
    healthy = [run_suite_alone(spec, ours_name, []), run_upstream(record, spec, theirs_dir, args.procs)]
    for o in healthy:
        say(o.line())
    faulted: dict[str, list[Outcome]] = {}
    text = write_comparison(healthy, faulted, record.kubernetes, args.fault_procs)
    kube = connect(Path(spec.kubeconfig), spec.context)
    before = coredns_setup(kube)
    for name in args.faults:
        say(f"fault {name}: applying; both suites run at once under it")
        ours_name, theirs_dir = phase_reports(name)
        with applied(name, ["--kind-cluster", cluster], everywhere=True), suite_running(
                spec, ours_name, ["--dns-timeout", "20", "--ready-timeout", "120", *fault_options(name),
                                  *args.suite_options]) as ours:
            theirs = run_upstream(record, spec, theirs_dir, args.fault_procs)
            faulted[name] = [ours(), theirs]
        say(f"fault {name}: " + "; ".join(o.line() for o in faulted[name]))
        text = write_comparison(healthy, faulted, record.kubernetes, args.fault_procs)
        if coredns_setup(kube) != before:
            raise ProviderError(f"fault {name}: CoreDNS's configuration differs after its restore "
                                "from before it was applied, so the next faults would not be alone")
    if args.readme:
        update_docs(text)
    print(text)


def main(argv: list[str] | None = None) -> int:
    command = parser()
    args = command.parse_args(argv)
    if args.command == "table":
        return table_command(args)
    if args.command == "compare":
        args.provider, args.kubeconfig, args.context = "kind", None, None
        known = fault_names()
        args.faults = list(known) if args.faults is None else args.faults
        unknown = [f for f in args.faults if f not in known]
        if unknown:
            command.error(f"unknown fault {unknown[0]!r} (known: {', '.join(known)})")
    interrupt_on_termination()
    state = providers.Provisioned()
    failed = True
    try:
        if args.provider == "existing":  # reached before a build that can take a quarter of an hour
            providers.existing_cluster(request(args, ""))
        record = ensure_upstream(args.kubernetes_version)
        spec = providers.provision(request(args, f"hc-upstream-{args.command}"), state, say)
        if state.kind is not None:
            state.delete_at_end = True
            say(f"loading {' '.join(record.images)} into the cluster's nodes")
            state.kind.load_image(*record.images)
        if args.command == "run":
            failed = not run_command(args, record, spec)
            return 1 if failed else 0
        assert state.kind is not None
        compare_command(args, record, spec, state.kind.name)
        failed = False
        return 0
    except (*providers.ERRORS, FaultNotApplied) as err:
        print(f"upstream: error: {str(err).splitlines()[0] if str(err) else type(err).__name__}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("upstream: interrupted", file=sys.stderr)
        return 130
    finally:
        with shielded():
            problems = providers.clean_up(state, failed, REPORTS, say)
            for problem in problems:
                say(f"could not clean up: {problem}")
