"""Generated sections of Markdown files: the text between `<!-- NAME:start -->` and
`<!-- NAME:end -->`, replaced whole, so that a README's tables come from the runs that made them."""

from __future__ import annotations

from pathlib import Path


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
