"""Our own files coming back: share bundles, `workbook export`, take-home and backup zips, one CSV.

A bundle is checked as the therapist's reader checks it and its spreadsheet escaping is undone,
so each entry comes back exactly as typed; an entry is matched by its time and every field.
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from workbook import safeparse
from workbook.exercises import Exercise, FieldError
from workbook.importers.common import (
    _ZIP_MAGIC,
    MAX_BYTES,
    ImportPlan,
    ImportRefused,
    ImportResult,
    Incoming,
    _decode,
    _instant,
    _read_bytes,
    _RowProblem,
)
from workbook.store import Store


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
                   f"{name} line {line}", entries, problems,
                   identity={k: row[k] for k in ("id", "updated_at") if row.get(k)})
    return entries


def _add_entry(exercise: Exercise, record: Mapping[str, Any], created_at: Any, status: Any, where: str,
               entries: list[Incoming], problems: list[str],
               identity: Mapping[str, str] | None = None) -> None:
    """One entry read from our own files; `identity` (its id and last-edit time) comes back
    with it, so a link to it, or its "edited" time, is as it was (the store checks both)."""
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
    entries.append(Incoming(exercise.kind, record, where, draft=draft, identity=dict(identity or {})))


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
                               f"{kind}.csv line {number}", entries, problems,
                               identity={k: row[k] for k in ("id", "updated_at")
                                         if isinstance(row.get(k), str) and row[k]})
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
