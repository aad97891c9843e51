"""Bring history in: Daylio (CSV export or `.daylio` backup), FreeCBT / Quirk, and our own bundles.

An import happens in two steps. A reader (`read_daylio`, `read_freecbt`, `read_entries`) checks
the whole file and returns an `ImportPlan` without writing anything: a file that is not what it
claims (wrong header, binary, not JSON, empty, over 20 MB) raises `ImportRefused`. The plan can
show a `preview` (what would come in, for which dates, which mood names still need a place on
the scale), take mood names (`with_moods`), and is written only by `apply`. `import_daylio` and
friends do both steps at once (the command line).

Nothing is lost on the way in: a row that cannot be used is listed in the problems with its line
(CSV) or entry (JSON) number; a file that stops part-way through an entry is said to look cut
off; Daylio's scales and any column we have no place for are kept in the note, and the plan says
so. Entries already in the workbook are skipped (matched one for one, so two identical entries
in a file are both kept, and importing the same file twice adds nothing).
"""

from __future__ import annotations

import base64
import binascii
import csv
import datetime as dt
import html.parser
import io
import json
import os
import re
import shlex
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from dateutil import parser as dateparser

from workbook import safeparse
from workbook.exercises import Exercise, FieldError, content
from workbook.store import Store

MAX_BYTES = 20 * 1024 * 1024

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
_KEPT = "the rest of the entry was imported."  # ends a problem that did not cost the entry

_NOUNS = {"mood": ("mood check-in", "mood check-ins"),
          "thought_record": ("thought record", "thought records")}
_ZIP_MAGIC = b"PK\x03\x04"


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
    cut_off: str = ""
    notes: tuple[str, ...] = ()
    counts: Mapping[str, int] = field(default_factory=dict)
    waiting: tuple[str, ...] = ()  # the problems that are only a mood name without a place yet

    def summary(self) -> str:
        """One or a few plain sentences for the page or the terminal."""
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
        if self.cut_off:
            parts.append(self.cut_off)
        parts.extend(self.notes)
        return " ".join(parts)


@dataclass(frozen=True)
class Incoming:
    """One entry read from a file, not written yet; `label` is a mood name still to be placed."""

    kind: str
    record: Mapping[str, Any]
    where: str
    label: str = ""
    draft: bool = False


@dataclass(frozen=True)
class Preview:
    """What `apply` would do now: new and already-there entries per kind, and their dates."""

    new: Mapping[str, int]
    already: Mapping[str, int]
    first: str | None
    last: str | None
    unknown_moods: tuple[str, ...]
    waiting: int
    left_out: int
    cut_off: str = ""
    notes: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return sum(self.new.values())

    def lines(self, titles: Mapping[str, str] | None = None) -> list[str]:
        """Plain sentences: counts per kind, the dates, what is left out and why."""
        titles = titles or {}
        out = []
        for kind, count in self.new.items():
            if count:
                out.append(f"{titles.get(kind, kind)}: {count} new")
        if self.total and self.first:
            span = self.first if self.first == self.last else f"{self.first} to {self.last}"
            out.append(f"Dates: {span}")
        already = sum(self.already.values())
        if already:
            out.append(f"Already in your workbook, so not added again: {already}")
        if self.waiting:
            out.append(f"Waiting for a place on the scale: {self.waiting} "
                       f"({', '.join(self.unknown_moods)})")
        if self.left_out:
            out.append(f"Cannot be imported (listed below): {self.left_out}")
        return out


@dataclass(frozen=True)
class ImportPlan:
    """Everything a file would add, checked; nothing is written until `apply`."""

    source: str
    keys: str
    entries: tuple[Incoming, ...] = ()
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    cut_off: str = ""
    moods: Mapping[str, int] = field(default_factory=dict)
    kind: str = "mood"

    @property
    def unknown_moods(self) -> tuple[str, ...]:
        """Mood names in the file with no place on the scale yet, in the order they first appear."""
        seen: dict[str, str] = {}
        for entry in self.entries:
            if entry.label and entry.label.casefold() not in self.moods:
                seen.setdefault(entry.label.casefold(), entry.label)
        return tuple(seen.values())

    def with_moods(self, mapping: Mapping[str, Any]) -> ImportPlan:
        """The same plan with these mood names placed on the 0-10 scale (ValueError if a value is bad)."""
        moods = dict(self.moods)
        for label, value in mapping.items():
            moods[str(label).strip().casefold()] = _mapped_value(str(label), value)
        return replace(self, moods=moods)

    def _resolved(self) -> tuple[list[Incoming], list[str]]:
        """The entries ready to write (placed moods filled in), and one problem per entry still waiting."""
        ready: list[Incoming] = []
        waiting: list[str] = []
        for entry in self.entries:
            if entry.label:
                value = self.moods.get(entry.label.casefold())
                if value is None:
                    waiting.append(f"{entry.where}: {_UnknownMood(entry.label)}")
                    continue
                entry = replace(entry, record={**entry.record, "mood": value})
            ready.append(entry)
        return ready, waiting

    def preview(self, store: Store) -> Preview:
        """What would come in now (reads the workbook to find entries already there)."""
        ready, waiting = self._resolved()
        new: dict[str, int] = {}
        already: dict[str, int] = {}
        days: list[str] = []
        for kind, entries in _by_kind(ready).items():
            fresh, duplicates = _split_new(store, kind, entries, _keys_for(self.keys, store, kind))
            new[kind] = len(fresh)
            already[kind] = duplicates
            days += [str(e.record["created_at"])[:10] for e in fresh]
        left_out = sum(1 for p in self.problems if not p.endswith(_KEPT))
        return Preview(new=new, already=already, first=min(days, default=None),
                       last=max(days, default=None), unknown_moods=self.unknown_moods,
                       waiting=len(waiting), left_out=left_out, cut_off=self.cut_off, notes=self.notes)

    def apply(self, store: Store) -> ImportResult:
        """Write the new entries (one batch per kind); entries with an unplaced mood are left out."""
        ready, waiting = self._resolved()
        problems = sorted([*self.problems, *waiting], key=_place)
        added = 0
        duplicates = 0
        counts: dict[str, int] = {}
        for kind, entries in _by_kind(ready).items():
            fresh, dups = _split_new(store, kind, entries, _keys_for(self.keys, store, kind))
            duplicates += dups
            complete = [dict(e.record) for e in fresh if not e.draft]
            store.add_many(kind, complete)
            for entry in fresh:
                if entry.draft:
                    store.save_draft(kind, dict(entry.record))
            counts[kind] = len(fresh)
            added += len(fresh)
        skipped = sum(1 for p in problems if not p.endswith(_KEPT))
        return ImportResult(added=added, duplicates=duplicates, problems=tuple(problems), kind=self.kind,
                            source=self.source, skipped=skipped, unmapped_moods=self.unknown_moods,
                            cut_off=self.cut_off, notes=self.notes, counts=counts,
                            waiting=tuple(waiting))


def _place(problem: str) -> tuple[str, int]:
    """Problems in file order: by the file name they start with, then by line or entry number."""
    found = re.match(r"(.*?)\b(?:lines?|entry) (\d+)", problem)
    return (found.group(1), int(found.group(2))) if found else (problem, 0)


def _by_kind(entries: Iterable[Incoming]) -> dict[str, list[Incoming]]:
    out: dict[str, list[Incoming]] = {}
    for entry in entries:
        out.setdefault(entry.kind, []).append(entry)
    return out


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


def _utf16(data: bytes) -> str | None:
    """The text of a UTF-16 file (with a byte-order mark, or plainly ASCII-heavy without one)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        encoding = "utf-16"
    elif len(data) >= 4 and len(data) % 2 == 0:
        even, odd = data[0::2], data[1::2]
        if odd.count(0) > 0.9 * len(odd) and even.count(0) == 0:
            encoding = "utf-16-le"
        elif even.count(0) > 0.9 * len(even) and odd.count(0) == 0:
            encoding = "utf-16-be"
        else:
            return None
    else:
        return None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _decode(data: bytes, what: str) -> str:
    """UTF-8 or UTF-16 text (with or without a byte-order mark), or ImportRefused saying why not."""
    if not data.strip():
        raise ImportRefused("The file is empty.")
    if b"\x00" in data:
        text = _utf16(data)
        if text is None:
            raise ImportRefused(f"This is not a {what}: it is a binary file, not text.")
        if not text.strip():
            raise ImportRefused("The file is empty.")
        return text.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(
            f"This is not a {what}: it is not UTF-8 text. If you opened and saved the export in a "
            "spreadsheet, export it again from the app and import that file."
        ) from None


def _wall_iso(naive: dt.datetime) -> str:
    """A wall-clock time on this machine as ISO 8601 with offset, to the second; the wall time is kept.

    A time that does not exist here (skipped when clocks spring forward) keeps what the app
    showed, with the offset in force just before the change.
    """
    aware = naive.astimezone()
    if aware.replace(tzinfo=None) == naive.replace(microsecond=aware.microsecond):
        return aware.isoformat(timespec="seconds")
    before = (naive - dt.timedelta(hours=3)).astimezone().utcoffset() or dt.timedelta(0)
    return naive.replace(tzinfo=dt.timezone(before)).isoformat(timespec="seconds")


def _local_iso(stamp: dt.datetime) -> str:
    """An instant in this machine's zone, ISO 8601 with offset, to the second; a naive time is wall time."""
    if stamp.tzinfo is None:
        return _wall_iso(stamp)
    return stamp.astimezone().isoformat(timespec="seconds")


def _instant(created_at: Any) -> float | None:
    try:
        stamp = dt.datetime.fromisoformat(str(created_at))
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.astimezone()
    return stamp.replace(microsecond=0).timestamp()


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


def _cut_off_message(where: str) -> str:
    return (f"The file looks cut off: it ends part-way through an entry ({where}). The entries "
            "before it can come in; that one is left out. If you still have the app, export again "
            "and import the whole file.")


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


def _split_new(store: Store, kind: str, entries: list[Incoming],
               keys_of: Callable[[Any, Mapping[str, Any]], list[tuple]]) -> tuple[list[Incoming], int]:
    """The entries not in the store yet, and how many were.

    Each entry already in the store accounts for one incoming entry at most: two identical
    entries in a file are both new, and both are found the second time.
    """
    holders: dict[tuple, list[int]] = {}
    for index, existing in enumerate(store.records(kind)):
        for key in keys_of(existing.get("created_at"), existing):
            holders.setdefault(key, []).append(index)
    used: set[int] = set()
    fresh: list[Incoming] = []
    duplicates = 0
    for entry in entries:
        match = next((i for key in keys_of(entry.record["created_at"], entry.record)
                      for i in holders.get(key, ()) if i not in used), None)
        if match is None:
            fresh.append(entry)
        else:
            used.add(match)
            duplicates += 1
    return fresh, duplicates


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


def _keys_for(keys: str, store: Store, kind: str) -> Callable[[Any, Mapping[str, Any]], list[tuple]]:
    """How entries of `kind` are matched against the workbook for a plan's `keys`."""
    if keys == "mood":
        return _mood_keys
    if keys == "thought_record":
        return _thought_keys
    return _entry_keys(store.exercise(kind))


# -- our own files: share bundles, `workbook export`, take-home zips, backups, single CSVs -------------
def _entry_keys(exercise: Exercise) -> Callable[[Any, Mapping[str, Any]], list[tuple]]:
    """An entry is the same one if its time and every field, as the data file writes it, are."""

    def keys(created_at: Any, record: Mapping[str, Any]) -> list[tuple]:
        cells = []
        for f in exercise.fields:
            value = record.get(f.name)
            try:
                cells.append(f.encode(value) if value is not None else "")
            except (ValueError, TypeError):
                cells.append(str(value))
        return [(_instant(created_at), record.get("status") or "complete", tuple(cells))]

    return keys


def _csv_records(exercise: Exercise, text: str, escaped: bool, name: str,
                 problems: list[str]) -> list[Incoming]:
    """The entries of one data-file CSV (escaped: a share bundle's spreadsheet-safe copy)."""
    from workbook.bundle import unescape_cell

    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [unescape_cell(h) if escaped else h for h in next(reader)]
    except (StopIteration, csv.Error):
        raise ImportRefused(f"{name} has no header row.") from None
    if "created_at" not in header:
        raise ImportRefused(f"{name} is not a Between Sessions file: it has no created_at column.")
    entries: list[Incoming] = []
    fields = {f.name: f for f in exercise.fields}
    start = 2
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(f"{name} line {start}: could not be read as CSV ({exc})")
            start = reader.line_num + 1
            continue
        line, start = start, reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.append(f"{name} line {line}: has {len(cells)} cells for {len(header)} columns")
            continue
        row = {h: (unescape_cell(c) if escaped else c) for h, c in zip(header, cells, strict=True)}
        record: dict[str, Any] = {}
        for column, cell in row.items():
            if column in fields:
                try:
                    record[column] = fields[column].decode(cell)
                except (ValueError, RecursionError):
                    record[column] = cell  # the validator says what is wrong with it
        _add_entry(exercise, record, row.get("created_at", ""), row.get("status", ""),
                   f"{name} line {line}", entries, problems)
    return entries


def _add_entry(exercise: Exercise, record: Mapping[str, Any], created_at: Any, status: Any, where: str,
               entries: list[Incoming], problems: list[str]) -> None:
    draft = str(status or "") == "draft" and exercise.drafts
    try:
        created = str(created_at or "").strip()
        if not created or _instant(created) is None:
            raise _RowProblem(f"created_at {created!r} is not a date and time")
        cleaned = exercise.validate({k: v for k, v in record.items() if k in exercise.columns}, partial=draft)
    except (_RowProblem, FieldError) as exc:
        problems.append(f"{where}: {exc}")
        return
    record = {"created_at": created, **cleaned, **({"status": "draft"} if draft else {})}
    entries.append(Incoming(exercise.kind, record, where, draft=draft))


def _kind_of(store: Store, name: str, header: list[str]) -> str | None:
    stem = Path(name).name.removesuffix(".csv")
    if stem in store.catalog:
        return stem
    fields = set(header) - {"id", "created_at", "updated_at", "status"}
    for kind, exercise in store.catalog.items():
        if fields and fields <= {f.name for f in exercise.fields}:
            return kind
    return None


def read_entries(source: str | os.PathLike | bytes, store: Store, name: str = "") -> ImportPlan:
    """Check a share bundle, a `workbook export`, a take-home or backup zip, or one of their CSVs.

    A bundle is checked as the therapist's reader checks it (manifest, SHA-256 of every file) and
    its spreadsheet escaping ('-5 degrees) is undone, so each entry comes back exactly as typed.
    """
    data = _read_bytes(source)
    if isinstance(source, (str, os.PathLike)) and not name:
        name = Path(source).name
    problems: list[str] = []
    entries: list[Incoming] = []
    if data.startswith(_ZIP_MAGIC):
        entries = _zip_entries(data, store, problems)
    else:
        text = _decode(data, "Between Sessions file")
        # a bundle's CSV: a byte-order mark and every cell quoted; a data file has neither
        escaped = data.startswith(b"\xef\xbb\xbf") and text.startswith('"id"')
        first = next(csv.reader(io.StringIO(text.split("\n", 1)[0])), [])
        kind = _kind_of(store, name, first)
        if kind is None or "created_at" not in first:
            raise ImportRefused("This is not a Between Sessions file: choose a share bundle or export "
                                "(.zip), or one of the CSV files from one.")
        entries = _csv_records(store.exercise(kind), text, escaped, f"{kind}.csv", problems)
    if not entries and not problems:
        raise ImportRefused("There are no entries in this file.")
    return ImportPlan(source="your export", keys="entries", entries=tuple(entries),
                      problems=tuple(problems), kind="entries")


def _zip_entries(data: bytes, store: Store, problems: list[str]) -> list[Incoming]:
    from workbook import bundle, report

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, EOFError):
        raise ImportRefused("This zip looks cut off or damaged: it could not be opened. Make the "
                            "export again and import the new file.") from None
    with archive:
        names = archive.namelist()
        if bundle.MANIFEST in names:
            try:
                opened = bundle.read_bundle(data)
            except bundle.BundleError as exc:
                raise ImportRefused(str(exc)) from None
            entries: list[Incoming] = []
            for kind, frame in opened.frames.items():
                if kind not in store.catalog:
                    problems.append(f"{kind}.csv: this workbook has no {kind!r} worksheet, so its "
                                    f"{len(frame)} entries were left out; install the worksheet and "
                                    "import again")
                    continue
                exercise = store.exercise(kind)
                for number, row in enumerate(report.plain_records(frame), start=2):
                    record = {k: v for k, v in row.items() if k in {f.name for f in exercise.fields}}
                    _add_entry(exercise, record, row.get("created_at"), row.get("status"),
                               f"{kind}.csv line {number}", entries, problems)
            return entries
        try:
            members = safeparse.check_zip(archive, "an export", max_members=200, max_member_bytes=MAX_BYTES,
                                          max_total_bytes=5 * MAX_BYTES, max_ratio=200)
        except safeparse.Refused as exc:
            raise ImportRefused(f"Refused: {exc}.") from None
        entries = []
        found = False
        for info in members:
            kind = info.filename.removesuffix(".csv")
            if not info.filename.endswith(".csv") or kind.endswith(".quarantine"):
                continue
            if kind not in store.catalog:
                problems.append(f"{info.filename}: this workbook has no {kind!r} worksheet, so it was "
                                "left out; install the worksheet and import again")
                continue
            found = True
            try:
                raw = safeparse.read_member(archive, info, MAX_BYTES)
            except (safeparse.Refused, zipfile.BadZipFile, EOFError, OSError):
                raise ImportRefused(f"This zip looks cut off or damaged: {info.filename} could not be "
                                    "unpacked.") from None
            text = _decode(raw, "Between Sessions file")
            entries += _csv_records(store.exercise(kind), text, False, info.filename, problems)
        if not found and not problems:
            raise ImportRefused("This zip is not a Between Sessions export: it has no entry files "
                                "(like mood.csv) in it.")
        return entries


def import_entries(source: str | os.PathLike | bytes, store: Store) -> ImportResult:
    """Bring entries back from a share bundle, an export, a take-home or backup zip, or one CSV."""
    return read_entries(source, store).apply(store)


# -- which app a file came from ---------------------------------------------------------------
FORMAT_NAMES = {"daylio": "Daylio", "freecbt": "FreeCBT or Quirk", "bundle": "Between Sessions"}


def guess_format(data: bytes) -> str | None:
    """Which reader a file is for ("daylio", "freecbt", "bundle"), from its first bytes; None if unsure.

    Used only to say "this looks like a ... file" beside a refusal; the readers decide for real.
    """
    if data.startswith(_ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, EOFError):
            return None
        if DAYLIO_BACKUP_MEMBER in names:
            return "daylio"
        return "bundle" if any(n.endswith(".csv") for n in names) else None
    try:
        text = _decode(data[:4096], "file")
    except ImportRefused:
        return None
    first = text.lstrip().split("\n", 1)[0].strip().lower()
    cells = {c.strip().strip('"') for c in first.split(",")}
    if {"mood", "activities"} <= cells:
        return "daylio"
    if first.startswith(("uuid,createdat", ":freecbt:")) or (first[:1] in "[{" and "automaticthought"
                                                              in text.lower()):
        return "freecbt"
    if {"id", "created_at"} <= cells:
        return "bundle"
    return None
