"""The README is the front door and docs/ holds each subject: every generated section is on its page
once, the README stays short and generates nothing, and every relative link leads to a file."""

from __future__ import annotations

import re
from pathlib import Path

from common.markdown import PAGES, markers

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
PAGES_OF_DOCS = sorted((ROOT / "docs").glob("*.md"))
WRITERS = [*sorted((ROOT / "cli").glob("*.py")), *sorted((ROOT / "fixtures").glob("*.py"))]
MARKER = re.compile(r"<!-- ([a-z-]+):(start|end) -->")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _prose(text: str) -> str:
    """The text without fenced code blocks and inline code, where brackets are not links."""
    text = re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)
    return re.sub(r"`[^`\n]*`", "", text)


def test_every_section_a_writer_targets_is_one_of_the_pages_sections() -> None:
    targeted = set()
    for source in WRITERS:
        for call in re.findall(r"replace_section\((.*)\)", source.read_text()):
            targeted |= set(re.findall(r"\"([a-z-]+)\"", call))
    assert targeted, "no writer of a generated section found"
    assert targeted <= set(PAGES), f"sections written but given no page: {sorted(targeted - set(PAGES))}"


def test_every_generated_section_is_once_on_its_page_with_its_end() -> None:
    for name, page in PAGES.items():
        text = (ROOT / page).read_text()
        start, end = markers(name)
        assert text.count(start) == 1, f"{page}: {start} {text.count(start)} times, not once"
        assert text.count(end) == 1, f"{page}: {end} {text.count(end)} times, not once"
        assert text.index(start) < text.index(end), f"{page}: {end} before {start}"


def test_no_page_holds_a_section_that_belongs_elsewhere() -> None:
    for path in [README, *PAGES_OF_DOCS]:
        for name, _ in MARKER.findall(path.read_text()):
            where = path.relative_to(ROOT).as_posix()
            assert PAGES.get(name) == where, f"{where} holds the {name} section, whose page is {PAGES.get(name)}"


def test_the_readme_is_short_and_generates_nothing() -> None:
    text = README.read_text()
    assert not MARKER.search(text), "README.md holds a generated section: it belongs in docs/"
    assert len(text.splitlines()) <= 150, f"README.md has {len(text.splitlines())} lines, more than 150"


def test_every_relative_link_leads_to_a_file() -> None:
    broken = []
    for path in [README, *PAGES_OF_DOCS]:
        for target in LINK.findall(_prose(path.read_text())):
            if re.match(r"[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
                continue  # a web address, or a place in the same page
            if not (path.parent / target.split("#", 1)[0]).exists():
                broken.append(f"{path.relative_to(ROOT)}: {target}")
    assert not broken, "links to no file:\n  " + "\n  ".join(broken)
