"""Daylio: the CSV export (2018 and newer layouts, HTML notes) and the `.daylio` backup zip.

Daylio's default moods each sit at the centre of one of five equal bands of the 0-10 scale;
renamed moods in a CSV wait for a place the person gives them, while a backup files every mood
under one of the five groups. Scales and columns with no place here are kept in the note.
"""

from __future__ import annotations

import base64
import binascii
import csv
import datetime as dt
import html.parser
import io
import os
import re
import zipfile
from collections.abc import Iterable, Mapping
from typing import Any

from dateutil import parser as dateparser

from workbook import safeparse
from workbook.exercises import Exercise, FieldError
from workbook.importers.common import (
    _ZIP_MAGIC,
    MAX_BYTES,
    ImportPlan,
    ImportRefused,
    ImportResult,
    Incoming,
    _cut_off_message,
    _decode,
    _mapped_value,
    _read_bytes,
    _RowProblem,
    _too_large,
    _wall_iso,
)
from workbook.store import Store

# Daylio's five default moods, best first in the app; each is the centre of one of five
# equal bands of our 0-10 scale.
DAYLIO_MOODS: dict[str, int] = {"awful": 1, "bad": 3, "meh": 5, "good": 7, "rad": 9}
# A `.daylio` backup files every mood, renamed or added, under one of the five groups:
# mood_group_id 1 is rad ... 5 is awful (predefined_name_id numbers the default names the same way).
DAYLIO_GROUPS: dict[int, int] = {1: 9, 2: 7, 3: 5, 4: 3, 5: 1}
DAYLIO_GROUP_NAMES: dict[int, str] = {1: "rad", 2: "good", 3: "meh", 4: "bad", 5: "awful"}
DAYLIO_COLUMNS = ("full_date", "date", "weekday", "time", "mood", "activities", "note_title", "note")
DAYLIO_2018_COLUMNS = ("year", "date", "weekday", "time", "mood", "activities", "note")
_DAYLIO_KNOWN = set(DAYLIO_COLUMNS) | set(DAYLIO_2018_COLUMNS)
DAYLIO_BACKUP_MEMBER = "backup.daylio"


# -- plain text from Daylio's notes ---------------------------------------------------
_HTML_HINT = re.compile(
    r"</?(?:br|b|i|u|s|em|strong|p|div|span|ol|ul|li|h[1-6]|strike|font|a)\b[^>]*>"
    r"|&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);", re.IGNORECASE)
_BLOCKS = {"p", "div", "ol", "ul", "h1", "h2", "h3", "h4", "h5", "h6"}


class _PlainText(html.parser.HTMLParser):
    """Text of a note written as HTML: line breaks kept, tags dropped, entities turned back."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def _line(self) -> None:
        if self.parts and not "".join(self.parts[-1:]).endswith("\n"):
            self.parts.append("\n")

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self._line()
            self.parts.append("• ")
        elif tag in _BLOCKS:
            self._line()

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS or tag == "li":
            self._line()

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(text: str) -> str:
    """A note as plain text: HTML from newer Daylio exports becomes text; other text is kept as it is.

    Only text with real tags or entities is converted, so a note like "I <3 this" stays whole.
    """
    if not _HTML_HINT.search(text):
        return text
    parser = _PlainText()
    parser.feed(text)
    parser.close()
    return "".join(parser.parts).rstrip("\n")


# -- Daylio ------------------------------------------------------------------------
def parse_mapping(items: Iterable[str]) -> dict[str, int]:
    """{label: 0-10} from "label=N" texts (the CLI's --map); ValueError if bad."""
    mapping: dict[str, int] = {}
    for item in items:
        label, sep, value = item.rpartition("=")
        if not sep or not label.strip():
            raise ValueError(f"{item!r} should look like great=9: a mood name, =, a number from 0 to 10.")
        mapping[label.strip()] = _mapped_value(label.strip(), value)
    return mapping


def _mood_table(mapping: Mapping[str, Any] | None) -> dict[str, int]:
    table = dict(DAYLIO_MOODS)
    for label, value in (mapping or {}).items():
        try:
            table[str(label).strip().casefold()] = _mapped_value(str(label), value)
        except ValueError as exc:
            raise ImportRefused(str(exc)) from None
    return table


_CLOCK = re.compile(r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?:\s*(?P<half>[ap])\.?\s*m\.?)?", re.IGNORECASE)


def _daylio_time(text: str, day: dt.date) -> dt.datetime:
    """Wall-clock time on `day` from "20:30", "8:30 pm", "8:30\u202fPM" (Android) or "20.30"."""
    cleaned = " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())
    cleaned = re.sub(r"^(\d{1,2})\.(\d{2})\b", r"\1:\2", cleaned)
    if not re.match(r"^\d{1,2}:\d{2}", cleaned):
        raise _RowProblem(f"time {text!r} is not a time like 20:30 or 8:30 pm")
    plain = _CLOCK.fullmatch(cleaned)  # the common shapes, without dateutil's slower parser
    if plain:
        hour, minute, half = int(plain["hour"]), int(plain["minute"]), (plain["half"] or "").lower()
        if half and 1 <= hour <= 12:
            hour = hour % 12 + (12 if half == "p" else 0)
        elif half:
            hour = 99
        if hour < 24 and minute < 60:
            return dt.datetime.combine(day, dt.time(hour, minute))
        raise _RowProblem(f"time {text!r} is not a time like 20:30 or 8:30 pm")
    midnight = dt.datetime.combine(day, dt.time())
    try:
        stamp = dateparser.parse(cleaned, default=midnight)
    except (ValueError, OverflowError):
        raise _RowProblem(f"time {text!r} is not a time like 20:30 or 8:30 pm") from None
    if stamp.date() != day:
        raise _RowProblem(f"time {text!r} is not a time like 20:30 or 8:30 pm")
    return stamp


def _daylio_day(cells: Mapping[str, str]) -> dt.date:
    if "full_date" in cells:
        full_date = cells["full_date"].strip()
        try:
            return dt.date.fromisoformat(full_date)
        except ValueError:
            raise _RowProblem(f"date {full_date!r} is not a date like 2021-09-28") from None
    year, date = cells["year"].strip(), cells["date"].strip()  # the 2018 export: 2018,"29 March"
    try:
        number = int(year)
        stamp = dateparser.parse(f"{date} {number}", default=dt.datetime(number, 1, 1))
    except (ValueError, OverflowError):
        raise _RowProblem(f"date {date!r} {year!r} is not a date like 29 March 2018") from None
    if stamp.year != number:
        raise _RowProblem(f"date {date!r} {year!r} is not a date like 29 March 2018")
    return stamp.date()


def _join_note(title: str, body: str, extras: Iterable[str] = ()) -> str | None:
    parts = [p for p in (plain_text(title), plain_text(body)) if p.strip()]
    parts += [e for e in extras if e.strip()]
    return "\n\n".join(parts) if parts else None


def _daylio_record(cells: Mapping[str, str], extras: list[str]) -> tuple[dict[str, Any], str]:
    """The record of one row (mood left out) and its mood name."""
    label = cells["mood"].strip()
    if not label:
        raise _RowProblem("has no mood")
    day = _daylio_day(cells)
    created = _wall_iso(_daylio_time(cells["time"], day))
    text = _join_note(cells.get("note_title", ""), cells["note"], extras)
    tags = [a.strip() for a in cells["activities"].split("|") if a.strip()]
    return {"created_at": created, "tags": tags or None, "note": text}, label


def _extra_cells(cells: Mapping[str, str]) -> list[str]:
    """Columns we have no place for (Daylio's scales, anything newer): kept as "Name: value" lines."""
    out = []
    for name, value in cells.items():
        if name not in _DAYLIO_KNOWN and name and value.strip():
            out.append(f"Daylio {name.replace('_', ' ')}: {plain_text(value.strip())}")
    return out


def _mood_keys(created_at: Any, record: Mapping[str, Any]) -> list[tuple]:
    """A mood entry is the same one if wall-clock time (to the minute), mood, note and tags are.

    The wall-clock time, not the instant: Daylio's CSV has no time zone, so the same export read
    after a move to another zone gives the same wall time and a different instant.
    """
    return [(str(created_at)[:16], record.get("mood"), _note_key(record.get("note")),
             tuple(record.get("tags") or ()))]


_KEPT_COLUMNS = re.compile(r"(?:\n\nDaylio [^\n:]+: [^\n]*)+$")


def _note_key(note: Any) -> str:
    """A note as matched: its plain text without the kept Daylio columns, spaces collapsed.

    So an entry brought in by an earlier version (HTML kept as typed, scales left out) is still
    found when the same export is imported again.
    """
    text = _KEPT_COLUMNS.sub("", plain_text(str(note or "")))
    return " ".join(text.split())


def _with_mood(exercise: Exercise, record: Mapping[str, Any], mood: int | None) -> dict[str, Any]:
    fields = {k: v for k, v in record.items() if k != "created_at"}
    cleaned = exercise.validate({**fields, "mood": 5 if mood is None else mood})
    if mood is None:
        cleaned["mood"] = None
    return {"created_at": record["created_at"], **cleaned}


def read_daylio(source: str | os.PathLike | bytes, store: Store,
                mapping: Mapping[str, Any] | None = None) -> ImportPlan:
    """Check a Daylio CSV export or `.daylio` backup and return what it would add (nothing written)."""
    moods = _mood_table(mapping)
    data = _read_bytes(source)
    if data.startswith(_ZIP_MAGIC):
        chosen = {str(label).strip().casefold() for label in (mapping or {})}
        return _read_daylio_backup(data, store, {k: v for k, v in moods.items() if k in chosen})
    text = _decode(data, "Daylio CSV export")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (StopIteration, csv.Error):
        header = []
    columns = DAYLIO_2018_COLUMNS if "year" in header and "full_date" not in header else DAYLIO_COLUMNS
    missing = [c for c in columns if c not in header]
    if missing:
        lacks = f" (it lacks {', '.join(missing)})" if len(missing) <= 3 else ""
        raise ImportRefused(f"This is not a Daylio CSV export: its first line should be "
                            f"{','.join(columns)}{lacks}. Exports from 2018 start with "
                            f"{','.join(DAYLIO_2018_COLUMNS)}.")
    exercise = store.exercise("mood")
    problems: list[str] = []
    entries: list[Incoming] = []
    extra_names: set[str] = set()
    seen_rows = 0
    cut_off = ""
    short = False
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
            if "end of data" in str(exc):  # a quote still open when the file ended
                cut_off = _cut_off_message(where)
            if reader.line_num < start:
                break  # nothing was consumed: stop rather than loop
            start = reader.line_num + 1
            continue
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        seen_rows += 1
        short = len(row) < len(header)  # only the last row's counts: a file ends where it was cut
        if len(row) != len(header):
            problems.append(f"line {line}: has {len(row)} columns where a Daylio row has {len(header)}")
            continue
        cells = dict(zip(header, row, strict=True))
        try:
            extras = _extra_cells(cells)
            record, label = _daylio_record(cells, extras)
            mood = moods.get(label.casefold())
            record = _with_mood(exercise, record, mood)
        except (_RowProblem, FieldError) as exc:
            problems.append(f"line {line}: {exc}")
            continue
        extra_names.update(name for name, value in cells.items()
                           if name not in _DAYLIO_KNOWN and value.strip())
        entries.append(Incoming("mood", record, f"line {line}", label="" if mood is not None else label))
    if not seen_rows:
        raise ImportRefused("This Daylio export has no entries in it.")
    if short and not text.endswith(("\n", "\r")):
        cut_off = _cut_off_message(f"line {line}")
    notes = ()
    if extra_names:
        named = ", ".join(sorted(extra_names))
        column = "column" if len(extra_names) == 1 else "columns"
        notes = (f"What Daylio's {named} {column} held (like sleep or energy scales) has no place of "
                 "its own here, so it was kept at the end of each entry's note.",)
    return ImportPlan(source="Daylio", keys="mood", entries=tuple(entries), problems=tuple(problems),
                      notes=notes, cut_off=cut_off)


def _read_daylio_backup(data: bytes, store: Store, moods: Mapping[str, int]) -> ImportPlan:
    """A `.daylio` backup: a zip whose backup.daylio member is base64 of the app's JSON.

    Every mood, renamed or added, belongs to one of Daylio's five groups, so no mapping is
    needed (`moods` holds only names the person placed themselves, which win); each entry's
    wall time and time-zone offset are kept as the app recorded them.
    """
    what = "Daylio backup"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = next((i for i in archive.infolist() if i.filename == DAYLIO_BACKUP_MEMBER), None)
            if info is None:
                raise ImportRefused(f"This is not a {what}: the zip has no {DAYLIO_BACKUP_MEMBER} in it.")
            if info.file_size > 4 * MAX_BYTES:
                raise ImportRefused(_too_large(info.file_size))
            if info.file_size > 100 * max(info.compress_size, 1):  # base64 of JSON packs ~4 to 1
                raise ImportRefused(f"Refused: {DAYLIO_BACKUP_MEMBER} is compressed more than 100 to 1, "
                                    "like a zip bomb, not like a Daylio backup.")
            raw = safeparse.read_member(archive, info, 4 * MAX_BYTES)
    except (zipfile.BadZipFile, EOFError, safeparse.Refused, OSError):
        raise ImportRefused(f"This {what} looks cut off or damaged: it could not be unpacked. Make a "
                            "new backup in Daylio and import that file.") from None
    try:
        backup = safeparse.load_json(base64.b64decode(b"".join(raw.split()), validate=True))
    except (binascii.Error, ValueError):
        raise ImportRefused(f"This {what} looks cut off or damaged: its contents could not be "
                            "read. Make a new backup in Daylio and import that file.") from None
    if not isinstance(backup, Mapping) or not isinstance(backup.get("dayEntries"), list):
        raise ImportRefused(f"This is not a {what}: it has no entries list (dayEntries).")
    groups: dict[Any, tuple[str, int]] = {}
    for mood in backup.get("customMoods") or []:
        if isinstance(mood, Mapping) and mood.get("mood_group_id") in DAYLIO_GROUPS:
            group = mood["mood_group_id"]
            name = str(mood.get("custom_name") or "").strip() or DAYLIO_GROUP_NAMES.get(
                mood.get("predefined_name_id"), DAYLIO_GROUP_NAMES[group])
            groups[mood.get("id")] = (name, DAYLIO_GROUPS[group])
    tags = {t.get("id"): str(t.get("name", "")) for t in backup.get("tags") or [] if isinstance(t, Mapping)}
    exercise = store.exercise("mood")
    problems: list[str] = []
    entries: list[Incoming] = []
    photos = 0
    for number, item in enumerate(backup["dayEntries"], start=1):
        where = f"entry {number}"
        try:
            if not isinstance(item, Mapping):
                raise _RowProblem("is not an entry")
            name, value = groups.get(item.get("mood"), (None, None))
            if value is None:
                raise _RowProblem(f"mood {item.get('mood')!r} is not one of the backup's moods")
            value = moods.get(name.casefold(), value)
            created = _backup_time(item)
            tag_names = [tags[t] for t in item.get("tags") or [] if tags.get(t)]
            note = _join_note(str(item.get("note_title") or ""), str(item.get("note") or ""))
            record = _with_mood(exercise, {"created_at": created, "tags": tag_names or None,
                                           "note": note}, value)
        except (_RowProblem, FieldError) as exc:
            problems.append(f"{where}: {exc}")
            continue
        photos += len(item.get("assets") or [])
        entries.append(Incoming("mood", record, where))
    if not backup["dayEntries"]:
        raise ImportRefused("This Daylio backup has no entries in it.")
    notes = ()
    if photos:
        notes = (f"Photos ({photos}) stay in Daylio: this workbook keeps text only.",)
    return ImportPlan(source="Daylio", keys="mood", entries=tuple(entries), problems=tuple(problems),
                      notes=notes)


def _backup_time(item: Mapping[str, Any]) -> str:
    """Wall time from year, month (0-based), day, hour, minute, with the entry's own UTC offset."""
    try:
        wall = dt.datetime(int(item["year"]), int(item["month"]) + 1, int(item["day"]),
                           int(item.get("hour", 0)), int(item.get("minute", 0)))
    except (KeyError, TypeError, ValueError):
        raise _RowProblem("has no date that can be read") from None
    offset = item.get("timeZoneOffset")
    if isinstance(offset, (int, float)) and not isinstance(offset, bool) and abs(offset) < 86_400_000:
        zone = dt.timezone(dt.timedelta(milliseconds=int(offset)))
        return wall.replace(tzinfo=zone).isoformat(timespec="seconds")
    return _wall_iso(wall)


def import_daylio(
    source: str | os.PathLike | bytes,
    store: Store,
    mapping: Mapping[str, int] | None = None,
) -> ImportResult:
    """Add the mood entries of a Daylio CSV export or backup; `mapping` gives renamed moods a 0-10 value."""
    return read_daylio(source, store, mapping).apply(store)
