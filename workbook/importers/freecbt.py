"""FreeCBT and the older Quirk app: JSON archives, the CSV export and Quirk's stored thoughts.

Each thought becomes a thought record; the app's distortion slugs map onto ours, and what a
thought holds with no field here is named in the problem list rather than silently dropped.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
from collections.abc import Mapping
from typing import Any

from dateutil import parser as dateparser

from workbook import safeparse
from workbook.exercises import FieldError, content
from workbook.importers.common import (
    _KEPT,
    ImportPlan,
    ImportRefused,
    ImportResult,
    Incoming,
    _cut_off_message,
    _decode,
    _instant,
    _local_iso,
    _read_bytes,
    _RowProblem,
)
from workbook.store import Store

# FreeCBT / Quirk distortion slugs onto ours (workbook/content/distortions.yaml). Every slug the
# app offers has a place of its own or its closest match; none is merged with another of the
# same entry's slugs, so what the person ticked comes back as they ticked it.
FREECBT_DISTORTIONS: dict[str, str] = {
    "all-or-nothing": "all_or_nothing",
    "all-or-nothing-thinking": "all_or_nothing",
    "overgeneralization": "overgeneralising",
    "over-generalization": "overgeneralising",
    "mind-reading": "mind_reading",
    "fortune-telling": "fortune_telling",
    "magnification-of-the-negative": "magnifying_minimising",
    "minimization-of-the-positive": "discounting_positive",
    "catastrophizing": "catastrophising",
    "emotional-reasoning": "emotional_reasoning",
    "should-statements": "should_statements",
    "labeling": "labelling",
    "self-blaming": "personalising",
    "other-blaming": "blaming_others",
}
# FreeCBT's CSV export (erosson/freecbt expo47/src/screen/ExportScreen.tsx, toCSV).
FREECBT_CSV_COLUMNS = ("uuid", "createdAt", "updatedAt", "automaticThought", "cognitiveDistortions",
                       "challenge", "alternativeThought")
FREECBT_SITUATION = "Imported from FreeCBT"
_THOUGHT_KEYS = ("automaticThought", "alternativeThought", "challenge", "cognitiveDistortions")
_QUIRK_KEY_PREFIX = "@Quirk:thoughts:"


# -- FreeCBT / Quirk -------------------------------------------------------------------
def _distortion_aliases() -> dict[str, str]:
    aliases = dict(FREECBT_DISTORTIONS)
    for item in content("distortions.yaml"):
        aliases.setdefault(_slug(item["key"]), item["key"])
        aliases.setdefault(_slug(item["name"]), item["key"])
    return aliases


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


def _thought_items(data: Any) -> list[Any]:
    """The thoughts of an export: {"v": "Archive-v1", "thoughts": [...]}, a list, or Quirk's store."""
    if isinstance(data, Mapping):
        if "thoughts" in data:
            thoughts = data["thoughts"]
            return list(thoughts.values()) if isinstance(thoughts, Mapping) else thoughts
        quirk = [v for k, v in data.items() if str(k).startswith(_QUIRK_KEY_PREFIX)]
        if quirk:
            return [_maybe_json(v) for v in quirk]
        if any(k in data for k in _THOUGHT_KEYS):
            return [data]
        return []
    return data if isinstance(data, list) else []


def _maybe_json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return safeparse.load_json(value)
        except ValueError:  # not JSON, or nested too deeply (safeparse.Refused): kept as text
            return value
    return value


def _created(value: Any) -> str:
    """createdAt as ISO 8601 ("2019-05-01T12:00:00.000Z") or an epoch in milliseconds."""
    if isinstance(value, str) and re.fullmatch(r"\s*\d+(\.\d+)?\s*", value):
        value = float(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value / 1000 if abs(value) > 1e11 else value
        try:
            return _local_iso(dt.datetime.fromtimestamp(seconds, tz=dt.timezone.utc))
        except (OverflowError, OSError, ValueError):
            raise _RowProblem(f"createdAt {value!r} is not a date") from None
    if isinstance(value, str) and value.strip():
        try:
            return _local_iso(dateparser.isoparse(value.strip()))
        except (ValueError, OverflowError):
            raise _RowProblem(f"createdAt {value!r} is not a date") from None
    raise _RowProblem("has no createdAt date")


def _text_of(thought: Mapping[str, Any], key: str) -> str | None:
    value = thought.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _RowProblem(f"{key} should be text")
    return value if value.strip() else None


def _distortion_slugs(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, Mapping):
        value = list(value.values())
    if not isinstance(value, list):
        raise _RowProblem("cognitiveDistortions should be a list")
    slugs = []
    for item in value:
        if isinstance(item, str):
            slugs.append(item)
        elif isinstance(item, Mapping):
            if item.get("selected", True) is False:
                continue  # old Quirk files list every pattern with selected true/false
            name = item.get("slug") or item.get("label")
            if isinstance(name, str) and name.strip():
                slugs.append(name)
    return slugs


def _thought_record(thought: Mapping[str, Any], aliases: Mapping[str, str],
                    options: tuple[str, ...]) -> tuple[dict[str, Any], list[str]]:
    created = _created(thought.get("createdAt"))
    automatic = _text_of(thought, "automaticThought")
    challenge = _text_of(thought, "challenge")
    alternative = _text_of(thought, "alternativeThought")
    evidence_for = _text_of(thought, "evidenceFor")
    if not (automatic or challenge or alternative or evidence_for):
        raise _RowProblem("has no thought, challenge or alternative thought in it")
    picked: list[str] = []
    dropped: list[str] = []
    for slug in _distortion_slugs(thought.get("cognitiveDistortions")):
        key = aliases.get(_slug(slug))
        if key in options:
            if key not in picked:
                picked.append(key)
        elif slug not in dropped:
            dropped.append(slug)
    emotion = _text_of(thought, "emotion")
    before = _percent(thought, "emotionIntensity")
    after = _percent(thought, "emotionIntensityAfter")
    record = {
        "created_at": created,
        "situation": _text_of(thought, "situation") or FREECBT_SITUATION,
        "emotions": [{"name": emotion, "intensity": before}] if emotion and before is not None else None,
        "automatic_thoughts": [{"text": automatic, "hot": True}] if automatic else None,
        "distortions": picked or None,
        "evidence_for": evidence_for,
        "evidence_against": challenge,
        "balanced_thought": alternative,
        "balanced_belief": _percent(thought, "alternativeBelief"),
        "emotions_after": [{"name": emotion, "intensity": after}] if emotion and after is not None else None,
    }
    return record, dropped


def _percent(thought: Mapping[str, Any], key: str) -> int | None:
    """A 0-100 rating of newer FreeCBT thoughts (emotionIntensity, alternativeBelief, ...)."""
    value = thought.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100:
        raise _RowProblem(f"{key} {value!r} is not a number from 0 to 100")
    return round(value)


def _left_off(thought: Mapping[str, Any]) -> list[str]:
    """What a FreeCBT thought holds that has no field here, as sentences for the problem list."""
    out = []
    belief = thought.get("automaticBelief")
    if belief not in (None, ""):
        out.append(f"how much you believed the automatic thought ({belief}) has no place in this "
                   "workbook's thought record and was left off")
    if _text_of(thought, "emotion") and thought.get("emotionIntensity") in (None, ""):
        out.append(f"the emotion {thought['emotion']!r} had no intensity, which this workbook needs, "
                   "and was left off")
    return out


def _thought_keys(created_at: Any, record: Mapping[str, Any]) -> list[tuple]:
    """A thought record is the same one if it has the same time and one of the same thoughts."""
    instant = _instant(created_at)
    thoughts = record.get("automatic_thoughts") or []
    texts = [t.get("text", "") for t in thoughts if isinstance(t, Mapping)] or [""]
    return [(instant, text) for text in texts]


def _freecbt_csv(text: str) -> list[dict[str, Any]] | None:
    """The thoughts of FreeCBT's CSV export (uuid,createdAt,...), or None if it is not one."""
    first = text.lstrip().split("\n", 1)[0].strip().lower()
    if not first.startswith("uuid,createdat"):
        return None
    reader = csv.DictReader(io.StringIO(text.lstrip(), newline=""))
    if not reader.fieldnames or any(c not in reader.fieldnames for c in FREECBT_CSV_COLUMNS):
        return None
    try:
        rows = list(reader)
    except csv.Error:
        return None
    thoughts = []
    for row in rows:
        thought: dict[str, Any] = {k: v for k, v in row.items() if k in FREECBT_CSV_COLUMNS and v}
        slugs = row.get("cognitiveDistortions") or ""
        thought["cognitiveDistortions"] = [s.strip() for s in slugs.split(",") if s.strip()]
        thought["_complete"] = None not in row.values()
        thoughts.append(thought)
    return thoughts


def read_freecbt(source: str | os.PathLike | bytes, store: Store) -> ImportPlan:
    """Check a FreeCBT (JSON or CSV export) or older Quirk file and return what it would add."""
    what = "FreeCBT or Quirk export"
    text = _decode(_read_bytes(source), what)
    if text.strip().startswith(":FreeCBT:"):
        raise ImportRefused("This is a FreeCBT backup (the compressed kind), not the JSON export. "
                            "In FreeCBT, open Export and choose JSON, then import that file.")
    cut_off = ""
    items = _freecbt_csv(text)
    if items is not None:
        if items and not items[-1].pop("_complete"):
            cut_off = _cut_off_message(f"entry {len(items)}")
            items = items[:-1]
        for item in items:
            item.pop("_complete", None)
        if not items and not cut_off:
            raise ImportRefused("This FreeCBT export has no thoughts in it.")
    else:
        try:
            data = safeparse.load_json(text)
        except safeparse.Refused as exc:
            raise ImportRefused(f"Refused: {exc}.") from None
        except json.JSONDecodeError as exc:
            raise ImportRefused(_not_json(text, exc, what)) from None
        items = _thought_items(data)
        if not isinstance(items, list) or not any(
            isinstance(item, Mapping) and any(k in item for k in _THOUGHT_KEYS) for item in items
        ):
            if isinstance(items, list) and not items and isinstance(data, Mapping) and "thoughts" in data:
                raise ImportRefused("This FreeCBT export has no thoughts in it.")
            raise ImportRefused(f"This is not a {what}: it has no thoughts with an automaticThought in it.")
    exercise = store.exercise("thought_record")
    options = exercise.field("distortions").option_keys()
    aliases = _distortion_aliases()
    problems: list[str] = []
    entries: list[Incoming] = []
    for number, item in enumerate(items, start=1):
        where = f"entry {number}"
        if not isinstance(item, Mapping):
            problems.append(f"{where}: is not a thought record")
            continue
        try:
            record, dropped = _thought_record(item, aliases, options)
            record.update(exercise.validate({k: v for k, v in record.items() if k != "created_at"}))
        except (_RowProblem, FieldError) as exc:
            problems.append(f"{where}: {exc}")
            continue
        for slug in dropped:
            problems.append(f"{where}: thinking pattern {slug!r} has no match in this workbook and was "
                            f"left off; {_KEPT}")
        problems += [f"{where}: {sentence}; {_KEPT}" for sentence in _left_off(item)]
        entries.append(Incoming("thought_record", record, where))
    return ImportPlan(source="FreeCBT", keys="thought_record", entries=tuple(entries),
                      problems=tuple(problems), cut_off=cut_off, kind="thought_record")


def _not_json(text: str, exc: json.JSONDecodeError, what: str) -> str:
    """Why a file that should be JSON is not: cut off, a CSV, or something else."""
    body = text.rstrip()
    # json says "Unterminated string" only when the text ends inside a string
    if body[:1] in "[{" and (exc.pos >= len(body) - 1 or exc.msg.startswith("Unterminated string")):
        return (f"This {what} looks cut off: it ends before its JSON does. If you still have the "
                "app, export again and import the whole file.")
    first = body.lstrip().split("\n", 1)[0]
    if first.count(",") >= 2 and body[:1] not in "[{":
        return (f"This is not a {what}: it looks like a CSV file. In FreeCBT, open Export and "
                "choose JSON (or CSV), then import that file.")
    return f"This is not a {what}: it is not JSON ({exc})."


def import_freecbt(source: str | os.PathLike | bytes, store: Store) -> ImportResult:
    """Add the thought records of a FreeCBT (JSON or CSV) or older Quirk export."""
    return read_freecbt(source, store).apply(store)
