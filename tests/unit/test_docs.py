"""The documentation people read: every link and picture in it leads somewhere real."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PAGES = [REPO / "README.md", REPO / "CHANGELOG.md", *sorted((REPO / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_relative_links_and_images_exist(page: Path):
    text = page.read_text(encoding="utf-8")
    broken = []
    for target in LINK.findall(text):
        if re.match(r"^[a-z]+:", target):  # http:, mailto: ... not checked here
            continue
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            broken.append(target)
            continue
        if anchor and file.suffix == ".md":
            headings = re.findall(r"(?m)^#+ (.+)$", file.read_text(encoding="utf-8"))
            if anchor not in {_anchor(h) for h in headings}:
                broken.append(target)
    assert not broken, f"{page.name}: links leading nowhere: {broken}"


def test_the_guide_names_only_buttons_that_exist():
    """Words the guide tells a person to press are the labels the pages really show."""
    guide = (REPO / "docs" / "guide.md").read_text(encoding="utf-8")
    source = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "workbook" / "ui").glob("*.py"))
    named = {" ".join(m.split()) for m in re.findall(r"press \*\*([^*]+)\*\*", guide, re.I)}
    assert named, "the guide names no buttons"
    missing = [label for label in named if f'"{label}"' not in source]
    assert not missing, f"the guide names buttons the pages do not have: {missing}"
