"""docs/reliability.md names the test behind each promise: every one it names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "reliability.md"
REFERENCE = re.compile(r"`(?:browser |)((?:[\w/]+/)?test_\w+\.py)?(?:::(\w+))?[^`]*`")


def _named() -> list[tuple[str, str | None]]:
    """(test file, test name or None) for each test the document names, `::name` after the file."""
    found, current = [], None
    for match in REFERENCE.finditer(DOC.read_text(encoding="utf-8")):
        path, name = match.groups()
        if path is None and name is None:
            continue
        current = path or current
        found.append((current, name))
    return found


def _file(reference: str) -> Path:
    candidates = [p for p in (ROOT / "tests").rglob(Path(reference).name)
                  if p.as_posix().endswith(reference)]
    assert len(candidates) == 1, f"{reference} names {len(candidates)} test files"
    return candidates[0]


def test_every_test_named_in_reliability_md_exists():
    named = _named()
    assert len(named) > 40
    for reference, name in named:
        source = _file(reference).read_text(encoding="utf-8")
        if name:
            assert re.search(rf"^(async )?def {name}\(", source, re.M), f"{reference}::{name} is not there"


def test_the_invariants_are_numbered_once_each():
    numbers = re.findall(r"^\*\*([A-Z]\d+)\.\*\*", DOC.read_text(encoding="utf-8"), re.M)
    assert len(numbers) == len(set(numbers)) >= 20
    for letter in {n[0] for n in numbers}:
        mine = [int(n[1:]) for n in numbers if n[0] == letter]
        assert mine == list(range(1, len(mine) + 1)), letter


def test_every_invariant_is_broken_on_purpose_somewhere_and_every_break_still_applies():
    """tests/reliability/break_invariants.py can still break what it says (run it to see the
    tests fail); the invariants it breaks are the ones the page numbers."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("breaks", ROOT / "tests/reliability/break_invariants.py")
    breaks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(breaks)
    numbered = set(re.findall(r"^\*\*([A-Z]\d+)\.\*\*", DOC.read_text(encoding="utf-8"), re.M))
    for item in breaks.BREAKS:
        assert breaks.applies(item), f"{item.invariant} ({item.what}) no longer matches {item.path}"
        assert item.invariant in numbered
        for test in item.tests:
            file, name = test.split("::")
            assert re.search(rf"^def {name}\(", (ROOT / file).read_text(encoding="utf-8"), re.M), test
