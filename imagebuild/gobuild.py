"""Build Go programs from the module proxy, pinned, into the cache.

Each program is built from a generated wrapper module that requires the upstream module. Modules
such as k8s.io/kubernetes and etcd's server replace their sibling modules with local paths, which
makes them impossible to `go install`; the wrapper replaces each of those with its released version.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from common.cache import cache_root
from imagebuild.progress import step
from imagebuild.shell import BuildError, CommandFailed, run

LOCAL_REPLACE = re.compile(r"^\s*(?:replace\s+)?(\S+)(?:\s+v\S+)?\s+=>\s+((?:\.\.?/|/)\S*)\s*$")


@dataclass(frozen=True)
class GoBuild:
    """One wrapper module: upstream `module@version`, the packages to build from it."""

    module: str
    version: str
    packages: tuple[str, ...]
    cgo: bool = False
    tags: tuple[str, ...] = ()
    ldflags: str = "-s -w"
    # version that a locally replaced sibling module has at this release
    sibling_version: Callable[[str], str] | None = None
    env: dict[str, str] = field(default_factory=dict)
    # Build the upstream `main_file` as the wrapper's own main package, minus import lines naming
    # `drop_imports` (for a main that imports a package whose module the proxy does not serve).
    main_file: str | None = None
    drop_imports: tuple[str, ...] = ()
    output: str | None = None
    # `go test -c` of the one package, into `output`: a compiled test suite (upstream's e2e.test)
    test_binary: bool = False

    def key(self) -> str:
        fields = [self.module, self.version, self.packages, self.cgo, self.tags, self.ldflags,
                  sorted(self.env.items()), self.main_file, self.drop_imports, self.output]
        text = json.dumps(fields + (["test"] if self.test_binary else []))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def out_dir(self) -> Path:
        safe = self.module.replace("/", "_")
        return cache_root() / "go" / f"{safe}@{self.version}-{self.key()}"


def local_replaces(gomod_text: str) -> list[str]:
    """Modules that a go.mod replaces with local directories (these need released versions)."""
    found, in_block = [], False
    for line in gomod_text.splitlines():
        stripped = line.split("//", 1)[0].rstrip()
        if stripped.startswith("replace ("):
            in_block = True
            continue
        if in_block and stripped.strip() == ")":
            in_block = False
            continue
        if in_block or stripped.startswith("replace "):
            match = LOCAL_REPLACE.match(stripped)
            if match:
                found.append(match.group(1))
    return found


def required_modules(gomod_text: str) -> set[str]:
    """Modules a go.mod requires (directly or, since go 1.17, every one its build needs)."""
    found, in_block = set(), False
    for line in gomod_text.splitlines():
        stripped = line.split("//", 1)[0].strip()
        if stripped.startswith("require ("):
            in_block = True
        elif in_block and stripped == ")":
            in_block = False
        elif in_block and stripped:
            found.add(stripped.split()[0])
        elif stripped.startswith("require ") and len(stripped.split()) >= 3:
            found.add(stripped.split()[1])
    return found


def wrapper_gomod(build: GoBuild, upstream_gomod: str, go_directive: str) -> str:
    """A local replace of a module the build does not require is a guard against importing it (etcd
    points `go.etcd.io/etcd` at ./FORBIDDEN_DEPENDENCY): it is left out, not given a version."""
    lines = ["module local/wrapper", "", f"go {go_directive}", "", f"require {build.module} {build.version}", ""]
    required = required_modules(upstream_gomod)
    replaced = [mod for mod in local_replaces(upstream_gomod) if mod in required]
    if replaced:
        if build.sibling_version is None:
            raise ValueError(f"{build.module} replaces {replaced[0]} locally; a sibling_version is needed")
        lines.append("replace (")
        lines += [f"\t{mod} => {mod} {build.sibling_version(mod)}" for mod in replaced]
        lines.append(")")
    return "\n".join(lines) + "\n"


def tools_go(packages: tuple[str, ...]) -> str:
    imports = "\n".join(f'\t_ "{p}"' for p in packages)
    return f"//go:build tools\n\npackage tools\n\nimport (\n{imports}\n)\n"


def without_imports(source: str, drop: tuple[str, ...]) -> str:
    kept = [ln for ln in source.splitlines(keepends=True)
            if not (ln.strip().startswith(("_ ", '"')) and any(d in ln for d in drop))]
    return "".join(kept)


def binary_name(package: str) -> str:
    parts = package.rstrip("/").split("/")
    # `go build -o dir/` names a binary after the last element that is not a major-version suffix
    return parts[-2] if re.fullmatch(r"v\d+", parts[-1]) else parts[-1]


UNSERVED = re.compile(r"reading https?://\S+?/(?P<module>[^@\s]+)/@v/(?P<version>\S+?)\.(?:zip|mod|info): "
                      r"(?P<status>4\d\d [A-Za-z ]+)")


def unserved_module(output: str) -> str | None:
    """'inet.af/netaddr@v0.0.0-2022… (403 Forbidden)' when the go command's output says the module
    proxy refused a module; None otherwise."""
    found = UNSERVED.search(output)
    return f"{found['module']}@{found['version']} ({found['status'].strip()})" if found else None


def build(build: GoBuild) -> Path:
    """Build (or reuse) the binaries; returns the directory holding them."""
    try:
        return _build(build)
    except CommandFailed as err:
        refused = unserved_module(str(err))
        if refused is None:
            raise
        raise BuildError(f"{build.module}@{build.version} cannot be built here: the Go module proxy does not serve "
                         f"{refused}, which it needs") from None


def _build(build: GoBuild) -> Path:
    out = build.out_dir()
    done = out / ".complete"
    if done.exists():
        return out
    with step(f"go: {build.module}@{build.version} ({', '.join(binary_name(p) for p in build.packages)})"):
        work = cache_root() / "gowrap" / out.name
        work.mkdir(parents=True, exist_ok=True)
        log = work / "build.log"
        info = json.loads(run(["go", "mod", "download", "-json", f"{build.module}@{build.version}"]))
        upstream = Path(info["GoMod"]).read_text()
        go_line = next((ln.split()[1] for ln in upstream.splitlines() if ln.startswith("go ")), "1.22")
        (work / "go.mod").write_text(wrapper_gomod(build, upstream, go_line))
        (work / "go.sum").unlink(missing_ok=True)
        if build.main_file:
            (work / "tools.go").unlink(missing_ok=True)
            source = (Path(info["Dir"]) / build.main_file).read_text()
            (work / "main.go").write_text(without_imports(source, build.drop_imports))
        else:
            (work / "tools.go").write_text(tools_go(build.packages))
        env = {"CGO_ENABLED": "1" if build.cgo else "0", "GOFLAGS": "-buildvcs=false", **build.env}
        run(["go", "mod", "tidy"], cwd=work, env=env, log=log)
        out.mkdir(parents=True, exist_ok=True)
        target = f"{out}/{build.output}" if build.output else f"{out}/"
        argv = ["go", "test", "-c"] if build.test_binary else ["go", "build"]
        argv += ["-trimpath", "-ldflags", build.ldflags, "-o", target]
        if build.tags:
            argv += ["-tags", ",".join(build.tags)]
        if build.test_binary:  # a dependency's tests may need modules its own packages do not
            env["GOFLAGS"] += " -mod=mod"
        run([*argv, *(["."] if build.main_file else build.packages)], cwd=work, env=env, log=log)
        done.write_text(build.key() + "\n")
    return out
