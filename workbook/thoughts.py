"""What a thought record says, in plain Python: its hot thought, each feeling before and after.

The thought record's page describes every entry in its list with these, each time it opens;
they live apart from `workbook.analysis` so that opening the page never imports pandas (about
half a second in a fresh kernel, long enough to hold up the person's next click).
"""

from __future__ import annotations

from typing import Any


def emotion_change(record: dict[str, Any]) -> list[tuple[str, int | None, int | None]]:
    """Each feeling of a thought record with its intensity before and after."""
    before = {e["name"]: e["intensity"] for e in record.get("emotions") or []}
    after = {e["name"]: e["intensity"] for e in record.get("emotions_after") or []}
    names = list(before) + [n for n in after if n not in before]
    return [(name, before.get(name), after.get(name)) for name in names]


def hot_thought(record: dict[str, Any]) -> str | None:
    """The thought marked hot (or the only one)."""
    thoughts = record.get("automatic_thoughts") or []
    for item in thoughts:
        if item.get("hot"):
            return item.get("text")
    return thoughts[0].get("text") if len(thoughts) == 1 else None
