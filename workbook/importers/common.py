"""What every importer shares: the plan, the result, refusals, reading and decoding a file, times.

An import happens in two steps. A reader (`read_daylio`, `read_freecbt`, `read_entries`) checks
the whole file and returns an `ImportPlan` without writing anything: a file that is not what it
claims (wrong header, binary, not JSON, empty, over 20 MB) raises `ImportRefused`. The plan can
show a `preview` (what would come in, for which dates, which mood names still need a place on
the scale), take mood names (`with_moods`), and is written only by `apply`.

Entries already in the workbook are skipped (matched one for one, so two identical entries in a
file are both kept, and importing the same file twice adds nothing).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shlex
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from workbook.store import Store

MAX_BYTES = 20 * 1024 * 1024

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
    identity: Mapping[str, str] = field(default_factory=dict)  # our own files: id, updated_at


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
            complete = [{**e.record, **e.identity} for e in fresh if not e.draft]
            drafts = [{**e.record, **e.identity} for e in fresh if e.draft]
            store.add_many(kind, complete, keep_identity=True)
            if drafts:
                store.add_many(kind, drafts, status="draft", keep_identity=True)
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


def _cut_off_message(where: str) -> str:
    return (f"The file looks cut off: it ends part-way through an entry ({where}). The entries "
            "before it can come in; that one is left out. If you still have the app, export again "
            "and import the whole file.")


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


def _keys_for(keys: str, store: Store, kind: str) -> Callable[[Any, Mapping[str, Any]], list[tuple]]:
    """How entries of `kind` are matched against the workbook for a plan's `keys`."""
    # Each format's matching lives with its reader, and the readers build plans: imported here, when
    # a plan is previewed or applied, so neither module needs the other at import time.
    from workbook.importers.daylio import _mood_keys
    from workbook.importers.entries import _entry_keys
    from workbook.importers.freecbt import _thought_keys

    if keys == "mood":
        return _mood_keys
    if keys == "thought_record":
        return _thought_keys
    return _entry_keys(store.exercise(kind))
