"""Bring history from apps people already use: Daylio mood CSVs, FreeCBT / Quirk thought exports.

An importer reads and checks the whole file before it writes anything: a file that is not
what it claims (wrong header, binary, not JSON, empty, over 20 MB) raises `ImportRefused` and
nothing is written. A row that cannot be used is listed in `ImportResult.problems` with its
line (CSV) or entry (JSON) number and the rest is added. Entries already in the store with
the same time and content are skipped, so importing the same file twice adds nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import shlex
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dateutil import parser as dateparser

from workbook import safeparse
from workbook.exercises import FieldError, content
from workbook.store import Store

MAX_BYTES = 20 * 1024 * 1024

# Daylio's five default moods, best first in the app; each is the centre of one of five
# equal bands of our 0-10 scale.
DAYLIO_MOODS: dict[str, int] = {"awful": 1, "bad": 3, "meh": 5, "good": 7, "rad": 9}
DAYLIO_COLUMNS = ("full_date", "date", "weekday", "time", "mood", "activities", "note_title", "note")

# FreeCBT / Quirk distortion slugs onto ours (workbook/content/distortions.yaml). Quirk splits
# Burns' "magnification and minimisation" in two; catastrophising is Burns' magnification.
# "other-blaming" has no counterpart here: it is dropped and reported.
FREECBT_DISTORTIONS: dict[str, str] = {
    "all-or-nothing": "all_or_nothing",
    "all-or-nothing-thinking": "all_or_nothing",
    "overgeneralization": "overgeneralising",
    "over-generalization": "overgeneralising",
    "mind-reading": "mind_reading",
    "fortune-telling": "fortune_telling",
    "magnification-of-the-negative": "magnifying_minimising",
    "minimization-of-the-positive": "discounting_positive",
    "catastrophizing": "magnifying_minimising",
    "emotional-reasoning": "emotional_reasoning",
    "should-statements": "should_statements",
    "labeling": "labelling",
    "self-blaming": "personalising",
}
FREECBT_SITUATION = "Imported from FreeCBT"
_THOUGHT_KEYS = ("automaticThought", "alternativeThought", "challenge", "cognitiveDistortions")
_QUIRK_KEY_PREFIX = "@Quirk:thoughts:"
_KEPT = "the rest of the entry was imported."  # ends a problem that did not cost the entry

_NOUNS = {"mood": ("mood check-in", "mood check-ins"),
          "thought_record": ("thought record", "thought records")}


class ImportRefused(ValueError):
    """The file is not what it claims to be; nothing was written. The message says why."""


@dataclass(frozen=True)
class ImportResult:
    """What an import did: entries added, entries already there, and rows left out and why."""

    added: int
    duplicates: int
    problems: tuple[str, ...] = ()
    kind: str = "mood"
    source: str = ""
    skipped: int = 0
    unmapped_moods: tuple[str, ...] = ()

    def summary(self) -> str:
        """One or two plain sentences for the page or the terminal."""
        one, many = _NOUNS.get(self.kind, ("entry", "entries"))
        source = f" from {self.source}" if self.source else ""
        if self.added:
            parts = [f"Added {self.added} {one if self.added == 1 else many}{source}."]
        else:
            parts = [f"No new {many} to add{source}."]
        if self.duplicates:
            were = "was" if self.duplicates == 1 else "were"
            parts.append(f"{self.duplicates} {were} already in your workbook and {were} skipped.")
        if self.skipped:
            parts.append(f"{self.skipped} could not be imported; each is listed with the reason.")
        elif self.problems:
            parts.append("A few details could not be brought over; they are listed below.")
        return " ".join(parts)


class _RowProblem(ValueError):
    """One row cannot be used; the message is the reason (without the line number)."""


class _UnknownMood(_RowProblem):
    """A mood label that is not one of Daylio's defaults and has no mapping."""

    def __init__(self, label: str):
        self.label = label
        hint = shlex.quote(f"{label}=N")
        super().__init__(f"mood {label!r} is not a Daylio mood; map it with --map {hint}")


# -- reading the file ----------------------------------------------------------
def _read_bytes(source: str | os.PathLike | bytes | bytearray | memoryview) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    else:
        path = Path(source)
        if path.is_dir():
            raise ImportRefused(f"{path} is a folder, not a file.")
        try:
            size = path.stat().st_size
            if size > MAX_BYTES:
                raise ImportRefused(_too_large(size))
            data = path.read_bytes()
        except FileNotFoundError:
            raise ImportRefused(f"There is no file at {path}.") from None
        except OSError as exc:
            raise ImportRefused(f"{path} could not be read ({exc.strerror or exc}).") from None
    if len(data) > MAX_BYTES:
        raise ImportRefused(_too_large(len(data)))
    return data


def _too_large(size: int) -> str:
    return (f"The file is {size / 1024 / 1024:.1f} MB; files over {MAX_BYTES // 1024 // 1024} MB "
            "are not imported. Is it the right file?")


def _decode(data: bytes, what: str) -> str:
    """UTF-8 text (with or without a byte-order mark), or ImportRefused saying why not."""
    if not data.strip():
        raise ImportRefused("The file is empty.")
    if b"\x00" in data:
        raise ImportRefused(f"This is not a {what}: it is a binary file, not text.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(
            f"This is not a {what}: it is not UTF-8 text. If you opened and saved the export in a "
            "spreadsheet, export it again from the app and import that file."
        ) from None


def _local_iso(stamp: dt.datetime) -> str:
    """The instant in this machine's zone, ISO 8601 with offset, to the second (as the store keeps it).

    A naive time is taken as local wall-clock time.
    """
    return stamp.astimezone().isoformat(timespec="seconds")


def _instant(created_at: Any) -> float | None:
    try:
        stamp = dt.datetime.fromisoformat(str(created_at))
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.astimezone()
    return stamp.replace(microsecond=0).timestamp()


def _add_all(store: Store, kind: str, records: list[dict[str, Any]]) -> None:
    """The one place entries are written: one validated batch, one write."""
    store.add_many(kind, records)


# -- Daylio ------------------------------------------------------------------------
def parse_mapping(items: Iterable[str]) -> dict[str, int]:
    """{label: 0-10} from "label=N" texts (the CLI's --map, the panel's box); ValueError if bad."""
    mapping: dict[str, int] = {}
    for item in items:
        label, sep, value = item.rpartition("=")
        if not sep or not label.strip():
            raise ValueError(f"{item!r} should look like great=9: a mood name, =, a number from 0 to 10.")
        mapping[label.strip()] = _mapped_value(label.strip(), value)
    return mapping


def _mapped_value(label: str, value: Any) -> int:
    if isinstance(value, str):
        value = value.strip()
        number = int(value) if re.fullmatch(r"-?\d+", value) else None
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        number = None
    if number is None or not 0 <= number <= 10:
        raise ValueError(f"{label}={value}: the number for a mood should be a whole number from 0 to 10.")
    return number


def _mood_table(mapping: Mapping[str, Any] | None) -> dict[str, int]:
    table = dict(DAYLIO_MOODS)
    for label, value in (mapping or {}).items():
        try:
            table[str(label).strip().casefold()] = _mapped_value(str(label), value)
        except ValueError as exc:
            raise ImportRefused(str(exc)) from None
    return table


def _daylio_time(text: str, day: dt.date) -> dt.datetime:
    """Wall-clock time on `day` from "20:30", "8:30 pm", "8:30\u202fPM" (Android) or "20.30"."""
    cleaned = " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())
    cleaned = re.sub(r"^(\d{1,2})\.(\d{2})\b", r"\1:\2", cleaned)
    if not re.match(r"^\d{1,2}:\d{2}", cleaned):
        raise _RowProblem(f"time {text!r} is not a time like 20:30 or 8:30 pm")
    midnight = dt.datetime.combine(day, dt.time())
    try:
        stamp = dateparser.parse(cleaned, default=midnight)
    except (ValueError, OverflowError):
        raise _RowProblem(f"time {text!r} is not a time like 20:30 or 8:30 pm") from None
    if stamp.date() != day:
        raise _RowProblem(f"time {text!r} is not a time like 20:30 or 8:30 pm")
    return stamp


def _daylio_record(cells: Mapping[str, str], moods: Mapping[str, int]) -> dict[str, Any]:
    label = cells["mood"].strip()
    if not label:
        raise _RowProblem("has no mood")
    mood = moods.get(label.casefold())
    if mood is None:
        raise _UnknownMood(label)
    full_date = cells["full_date"].strip()
    try:
        day = dt.date.fromisoformat(full_date)
    except ValueError:
        raise _RowProblem(f"date {full_date!r} is not a date like 2021-09-28") from None
    created = _local_iso(_daylio_time(cells["time"], day))
    title, note = cells["note_title"], cells["note"]
    if title.strip() and note.strip():
        text: str | None = f"{title}\n\n{note}"
    elif title.strip():
        text = title
    elif note.strip():
        text = note
    else:
        text = None
    tags = [a.strip() for a in cells["activities"].split("|") if a.strip()]
    return {"created_at": created, "mood": mood, "tags": tags or None, "note": text}


def _mood_keys(created_at: Any, record: Mapping[str, Any]) -> list[tuple]:
    """A mood entry is the same one if time, mood, note and tags are the same."""
    return [(_instant(created_at), record.get("mood"), record.get("note") or "",
             tuple(record.get("tags") or ()))]


def import_daylio(
    source: str | os.PathLike | bytes,
    store: Store,
    mapping: Mapping[str, int] | None = None,
) -> ImportResult:
    """Add the mood entries of a Daylio CSV export; `mapping` gives renamed moods a 0-10 value."""
    moods = _mood_table(mapping)
    text = _decode(_read_bytes(source), "Daylio CSV export")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (StopIteration, csv.Error):
        header = []
    missing = [c for c in DAYLIO_COLUMNS if c not in header]
    if missing:
        lacks = f" (it lacks {', '.join(missing)})" if len(missing) <= 3 else ""
        raise ImportRefused(f"This is not a Daylio CSV export: its first line should be "
                            f"{','.join(DAYLIO_COLUMNS)}{lacks}.")
    exercise = store.exercise("mood")
    problems: list[str] = []
    unmapped: list[str] = []
    rows: list[dict[str, Any]] = []
    seen_rows = 0
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # a broken quote: the reader starts afresh on the next line
            where = f"line {start}" if reader.line_num <= start else f"lines {start}-{reader.line_num}"
            problems.append(f"{where}: could not be read as CSV ({exc})")
            seen_rows += 1
            if reader.line_num < start:
                break  # nothing was consumed: stop rather than loop
            start = reader.line_num + 1
            continue
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        seen_rows += 1
        if len(row) != len(header):
            problems.append(f"line {line}: has {len(row)} columns where a Daylio row has {len(header)}")
            continue
        cells = dict(zip(header, row, strict=True))
        try:
            record = _daylio_record(cells, moods)
            record.update(exercise.validate({k: v for k, v in record.items() if k != "created_at"}))
        except (_RowProblem, FieldError) as exc:
            problems.append(f"line {line}: {exc}")
            if isinstance(exc, _UnknownMood) and exc.label not in unmapped:
                unmapped.append(exc.label)
            continue
        rows.append(record)
    if not seen_rows:
        raise ImportRefused("This Daylio export has no entries in it.")
    return _save_new(store, "mood", rows, _mood_keys, problems, "Daylio", unmapped)


def _save_new(
    store: Store,
    kind: str,
    records: list[dict[str, Any]],
    keys_of: Callable[[Any, Mapping[str, Any]], list[tuple]],
    problems: list[str],
    source: str,
    unmapped: list[str] | tuple[str, ...] = (),
) -> ImportResult:
    """Add the records whose key is not in the store yet (nor earlier in the same file)."""
    seen: set[tuple] = set()
    for existing in store.records(kind):
        seen.update(keys_of(existing.get("created_at"), existing))
    fresh: list[dict[str, Any]] = []
    duplicates = 0
    for record in records:
        keys = set(keys_of(record["created_at"], record))
        if keys & seen:
            duplicates += 1
            continue
        seen.update(keys)
        fresh.append(record)
    _add_all(store, kind, fresh)
    skipped = sum(1 for p in problems if not p.endswith(_KEPT))
    return ImportResult(added=len(fresh), duplicates=duplicates, problems=tuple(problems), kind=kind,
                        source=source, skipped=skipped, unmapped_moods=tuple(unmapped))


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
    record = {
        "created_at": created,
        "situation": _text_of(thought, "situation") or FREECBT_SITUATION,
        "automatic_thoughts": [{"text": automatic, "hot": True}] if automatic else None,
        "distortions": picked or None,
        "evidence_for": evidence_for,
        "evidence_against": challenge,
        "balanced_thought": alternative,
    }
    return record, dropped


def _thought_keys(created_at: Any, record: Mapping[str, Any]) -> list[tuple]:
    """A thought record is the same one if it has the same time and one of the same thoughts."""
    instant = _instant(created_at)
    thoughts = record.get("automatic_thoughts") or []
    texts = [t.get("text", "") for t in thoughts if isinstance(t, Mapping)] or [""]
    return [(instant, text) for text in texts]


def import_freecbt(source: str | os.PathLike | bytes, store: Store) -> ImportResult:
    """Add the thought records of a FreeCBT (or older Quirk) JSON export."""
    what = "FreeCBT or Quirk export"
    text = _decode(_read_bytes(source), what)
    if text.strip().startswith(":FreeCBT:"):
        raise ImportRefused("This is a FreeCBT backup (the compressed kind), not the JSON export. "
                            "In FreeCBT, use Export and choose JSON, then import that file.")
    try:
        data = safeparse.load_json(text)
    except safeparse.Refused as exc:
        raise ImportRefused(f"Refused: {exc}.") from None
    except ValueError as exc:
        raise ImportRefused(f"This is not a {what}: it is not JSON ({exc}).") from None
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
    records: list[dict[str, Any]] = []
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
        records.append(record)
    return _save_new(store, "thought_record", records, _thought_keys, problems, "FreeCBT")
