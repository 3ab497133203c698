"""Generated sections of Markdown files: the text between `<!-- NAME:start -->` and
`<!-- NAME:end -->`, replaced whole, so that the tables of docs/ come from the runs that made them."""

from __future__ import annotations

from pathlib import Path

PAGES = {
    "spec-coverage": "docs/levels.md",
    "faults": "docs/faults.md",
    "fault-runs": "docs/faults.md",
    "hardened-runs": "docs/hardened.md",
    "soak": "docs/measurements.md",
    "speed": "docs/measurements.md",
    "coredns-releases": "docs/matrix.md",
    "upstream-comparison": "docs/upstream.md",
}
"""Each generated section and the page, relative to the project's root, that holds it."""


def page_of(root: Path, name: str) -> Path:
    """The page under `root` that holds the generated section `name`."""
    return root / PAGES[name]


def markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def replace_section(path: Path, name: str, text: str) -> None:
    """Put `text` between the file's `name` markers; ValueError when it has none."""
    start, end = markers(name)
    content = path.read_text()
    if start not in content or end not in content.split(start, 1)[1]:
        raise ValueError(f"{path} has no {start} … {end} section")
    head, rest = content.split(start, 1)
    tail = rest.split(end, 1)[1]
    path.write_text(f"{head}{start}\n{text}{end}{tail}")
