"""The share bundle: one zip a person gives their therapist, and the reader on the therapist's side.

A bundle holds one spreadsheet-safe CSV per exercise kind the person chose, `report.html`,
`report.pdf` and `manifest.json` (what is inside, for which dates, and the SHA-256 of every other
file). Nothing is shared by default: the kinds must be named. `read_bundle` checks everything
before it trusts anything and never writes to disk.

Spreadsheet safety follows OWASP's CSV injection guidance: a cell that a spreadsheet would run as
a formula (it starts with =, +, -, @, a tab, a carriage return or a line feed) gets a leading single
quote, and every cell is quoted. A cell that already starts with quotes before such a character
gets one more quote, so the reader can undo exactly what was added (`workbook.store.codec`, which
every CSV the workbook writes or reads goes through). The data folder keeps the text as typed.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import stat
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pandas as pd

from workbook import __version__, analysis, exercises, report, rules, safeparse
from workbook.exercises import Exercise
from workbook.store import Store, codec, writer
from workbook.store.codec import escape_cell, unescape_cell  # noqa: F401 - escape_cell: bundle's API too

FORMAT = "between-sessions-bundle"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
REPORT_HTML = "report.html"
REPORT_PDF = "report.pdf"
MAX_MEMBERS = 50
MAX_MEMBER_BYTES = 20 * 1024 * 1024
MAX_TOTAL_BYTES = 100 * 1024 * 1024
MAX_RATIO = 100
_KIND = re.compile(r"[a-z0-9_]+")
CSV_ESCAPE_NOTE = (
    "OWASP CSV injection: a cell starting with = + - @ tab, carriage return or line feed, after any single "
    "quotes, has one single quote added in front; remove one leading quote from such cells to get "
    "the text as typed."
)


class BundleError(ValueError):
    """A bundle that cannot be trusted or read, with what is wrong in plain words."""


@dataclass(frozen=True)
class Manifest:
    """What a bundle holds: `files` maps each file's name to its SHA-256 (hex)."""

    created_at: str
    start: str
    end: str
    kinds: tuple[str, ...]
    counts: dict[str, int]
    files: dict[str, str]
    app_version: str = __version__
    csv_escaped: bool = True
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "format_version": self.format_version,
            "app": "between-sessions",
            "app_version": self.app_version,
            "created_at": self.created_at,
            "range": {"start": self.start, "end": self.end},
            "kinds": list(self.kinds),
            "counts": dict(self.counts),
            "csv_escaped": self.csv_escaped,
            "csv_escape": CSV_ESCAPE_NOTE if self.csv_escaped else "",
            "files": {name: {"sha256": digest} for name, digest in self.files.items()},
        }

    @classmethod
    def from_dict(cls, data: Any) -> Manifest:
        """Check a parsed manifest.json; BundleError names what is missing or wrong."""
        if not isinstance(data, dict):
            raise BundleError("manifest.json is not a JSON object.")
        if data.get("format") != FORMAT:
            raise BundleError(f"This is not a Between Sessions bundle (format {data.get('format')!r}).")
        version = data.get("format_version")
        if version != FORMAT_VERSION:
            raise BundleError(f"This bundle has format_version {version!r}; this version of Between "
                              f"Sessions reads format_version {FORMAT_VERSION}. Update it, or ask for "
                              "a bundle made with a matching version.")
        try:
            files = {str(k): str(v["sha256"]).lower() for k, v in data["files"].items()}
            kinds = tuple(str(k) for k in data["kinds"])
            counts = {str(k): int(v) for k, v in data["counts"].items()}
            span = data["range"]
            return cls(created_at=str(data["created_at"]), start=str(span["start"]),
                       end=str(span["end"]), kinds=kinds, counts=counts, files=files,
                       app_version=str(data.get("app_version", "")),
                       csv_escaped=data.get("csv_escaped") is True)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise BundleError(f"manifest.json is incomplete or malformed ({type(exc).__name__}: "
                              f"{exc}).") from None


@dataclass(frozen=True)
class Bundle:
    """A checked bundle: its manifest, the entries per kind, and the two reports."""

    manifest: Manifest
    frames: dict[str, pd.DataFrame] = field(repr=False)
    report_html: str = field(repr=False)
    report_pdf: bytes = field(repr=False)

    @property
    def kinds(self) -> tuple[str, ...]:
        return self.manifest.kinds


# -- choosing entries ------------------------------------------------------------------------------
def _as_date(value: Any, name: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{name}: {value!r} is not a date like 2026-03-31.") from None


def in_range(created_at: pd.Series, start: dt.date | None, end: dt.date | None) -> pd.Series:
    """Which entries were written between `start` and `end` (both days included; None is open).

    The day is the first ten characters of `created_at`, the local date as it was written. With
    no bounds at all every entry counts, even one whose date cannot be read.
    """
    if start is None and end is None:
        return pd.Series(True, index=created_at.index)
    days = created_at.astype(str).str.slice(0, 10)
    valid = days.str.fullmatch(r"\d{4}-\d\d-\d\d")
    keep = valid.copy()
    if start is not None:
        keep &= days >= start.isoformat()
    if end is not None:
        keep &= days <= end.isoformat()
    return keep.fillna(False).astype(bool)


def _cell(f: exercises.Field | None, value: Any) -> str:
    """A value as its CSV cell: text exactly as stored, lists as JSON, numbers plainly."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, str) or f is None:
        return str(value)
    return f.encode(value)


def _csv_bytes(exercise: Exercise, frame: pd.DataFrame) -> bytes:
    columns = list(exercise.columns)
    fields = {f.name: f for f in exercise.fields}
    return codec.spreadsheet_csv(columns, ([_cell(fields.get(c), record.get(c)) for c in columns]
                                           for record in report.plain_records(frame)))


# -- making ----------------------------------------------------------------------------------------
def _kinds(store: Store, kinds: Sequence[str]) -> list[str]:
    if isinstance(kinds, str):
        kinds = [k for k in kinds.split(",") if k.strip()]
    chosen = list(dict.fromkeys(str(k).strip() for k in kinds))
    if not chosen:
        raise ValueError("kinds: nothing is shared unless you choose it; tick at least one kind of "
                         f"entry to share (one of {', '.join(store.catalog)}).")
    for kind in chosen:
        store.exercise(kind)  # ValueError naming the known kinds
    return chosen


def _thresholds(store: Store) -> rules.Thresholds:
    try:
        return rules.Thresholds.from_config(store.config())
    except ValueError:
        return rules.Thresholds()  # a broken setting must not stop a bundle; the app reports it


def make_bundle(
    store: Store,
    out: str | os.PathLike | IO[bytes],
    start: dt.date | None,
    end: dt.date | None,
    kinds: Sequence[str],
) -> Manifest:
    """Write a share bundle of the chosen kinds' entries between `start` and `end` (None: open).

    `out` is a path (written whole, then renamed into place) or a binary file object.
    """
    chosen = _kinds(store, kinds)
    start, end = _as_date(start, "start"), _as_date(end, "end")
    if start is not None and end is not None and start > end:
        raise ValueError(f"start: {start.isoformat()} is after end ({end.isoformat()}).")
    made_at = dt.datetime.now().astimezone().replace(microsecond=0)
    frames: dict[str, pd.DataFrame] = {}
    for kind in chosen:
        frame = store.load(kind)
        chosen_rows = in_range(frame["created_at"], start, end).to_numpy().copy()
        if store.exercise(kind).current_version and len(frame) and not chosen_rows.any():
            chosen_rows[-1] = True  # the plan as it stands, even if written before the range
        frames[kind] = frame[chosen_rows].reset_index(drop=True)

    first, last = _span(frames, start, end, made_at.date())

    files: dict[str, bytes] = {f"{kind}.csv": _csv_bytes(store.exercise(kind), frames[kind])
                               for kind in chosen}
    made = report.build_report(frames, store.catalog, first, last, made_at=made_at,
                               thresholds=_thresholds(store), app_version=__version__)
    files[REPORT_HTML] = report.render_html(made).encode("utf-8")
    files[REPORT_PDF] = report.render_pdf(made)
    manifest = Manifest(
        created_at=made_at.isoformat(), start=first.isoformat(), end=last.isoformat(),
        kinds=tuple(chosen), counts={kind: len(frames[kind]) for kind in chosen},
        files={name: hashlib.sha256(data).hexdigest() for name, data in files.items()},
    )
    files[MANIFEST] = json.dumps(manifest.to_dict(), ensure_ascii=False, indent=2).encode("utf-8")
    _write_zip(out, files, made_at)
    return manifest


def _span(frames: Mapping[str, pd.DataFrame], start: dt.date | None, end: dt.date | None,
          today: dt.date) -> tuple[dt.date, dt.date]:
    """The days the report covers: the range asked for, an open end closed by the entries (or today)."""
    dates = []
    if start is None or end is None:
        for frame in frames.values():
            days = analysis.entry_dates(frame["created_at"]).dropna()
            dates += [d.date() for d in days]
    last = end if end is not None else max([today, *dates, *([start] if start else [])])
    first = start if start is not None else min(dates, default=last)
    return min(first, last), last


def _write_zip(out: str | os.PathLike | IO[bytes], files: Mapping[str, bytes], made_at: dt.datetime) -> None:
    """Zip in memory, check it passes the reader's limits, then write it out in one piece."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=made_at.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (stat.S_IFREG | 0o600) << 16  # unpacked, readable by its owner only
            archive.writestr(info, data)
    try:
        with zipfile.ZipFile(buffer) as archive:
            _check_members(archive)
    except BundleError as exc:
        raise ValueError(f"This bundle would be too large to open ({exc.args[0].removeprefix('Refused: ')}); "
                         "choose a shorter range or fewer kinds.") from None
    data = buffer.getvalue()
    if hasattr(out, "write"):
        out.write(data)  # type: ignore[union-attr]
        return
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    writer.write(path, data)


# -- reading ---------------------------------------------------------------------------------------
def _check_members(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """Refuse anything a share bundle never holds, before a single byte is decompressed."""
    try:
        return safeparse.check_zip(archive, "a bundle", max_members=MAX_MEMBERS,
                                   max_member_bytes=MAX_MEMBER_BYTES, max_total_bytes=MAX_TOTAL_BYTES,
                                   max_ratio=MAX_RATIO)
    except safeparse.Refused as exc:
        raise BundleError(f"Refused: {exc}.") from None


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    try:
        return safeparse.read_member(archive, info, MAX_MEMBER_BYTES)
    except safeparse.Refused as exc:
        raise BundleError(f"Refused: {exc}.") from None


def _frame(kind: str, text: str, escaped: bool) -> tuple[pd.DataFrame, int]:
    """A kind's CSV as `Store.load` gives it: lists decoded, scales as Int64, numbers as Float64."""
    reader = codec.csv_reader(text)
    try:
        header = next(reader)
    except StopIteration:
        raise BundleError(f"{kind}.csv is empty; it should have at least a header row.") from None
    header = [unescape_cell(h) if escaped else h for h in header]
    if "id" not in header or "created_at" not in header:
        raise BundleError(f"{kind}.csv has no id and created_at columns.")
    exercise = exercises.builtin().get(kind)
    fields = {f.name: f for f in exercise.fields} if exercise else {}
    rows = []
    for number, cells in enumerate(reader, start=2):
        if len(cells) != len(header):
            raise BundleError(f"{kind}.csv line {number} has {len(cells)} cells for {len(header)} columns.")
        record: dict[str, Any] = {}
        for name, cell in zip(header, cells, strict=True):
            cell = unescape_cell(cell) if escaped else cell
            f = fields.get(name)
            try:
                record[name] = f.decode(cell) if f else cell
            except (ValueError, RecursionError):  # RecursionError: a cell of [[[[... JSON
                record[name] = cell  # a hand-edited cell: keep its text
        rows.append(record)
    frame = pd.DataFrame(rows, columns=header)
    for f in fields.values():
        if f.name in frame and f.type in ("scale", "number"):
            dtype = "Int64" if f.type == "scale" else "Float64"
            try:
                frame[f.name] = pd.array(frame[f.name].tolist(), dtype=dtype)
            except (TypeError, ValueError):
                pass  # a cell that is not a number stays text
    return frame, len(rows)


def read_bundle(source: str | os.PathLike | bytes | IO[bytes]) -> Bundle:
    """Open and check a share bundle (a path, bytes or a binary file); BundleError says why not.

    Checks, in order: the zip's members (names, links, sizes, compression), the manifest's format
    and version, that every file is listed with a matching SHA-256 and every listed file is there,
    then reads each kind's CSV. Nothing is written to disk.
    """
    if isinstance(source, (bytes, bytearray)):
        source = io.BytesIO(bytes(source))
    try:
        archive = zipfile.ZipFile(source)  # type: ignore[arg-type]
    except zipfile.BadZipFile:
        raise BundleError("This file is not a zip file, or it is damaged.") from None
    except FileNotFoundError:
        raise BundleError(f"No file at {source}.") from None
    with archive:
        members = {info.filename: info for info in _check_members(archive)}
        if MANIFEST not in members:
            raise BundleError("This zip has no manifest.json, so it is not a Between Sessions bundle.")
        try:
            raw = safeparse.load_json(_read_member(archive, members[MANIFEST]).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, safeparse.Refused) as exc:
            raise BundleError(f"manifest.json could not be read ({exc}).") from None
        manifest = Manifest.from_dict(raw)
        unlisted = sorted(set(members) - set(manifest.files) - {MANIFEST})
        if unlisted:
            raise BundleError(f"Refused: the zip holds files its manifest does not list: "
                              f"{', '.join(unlisted)}.")
        absent = sorted(set(manifest.files) - set(members))
        if absent:
            raise BundleError(f"The bundle is incomplete: {', '.join(absent)} listed but missing.")
        expected = {f"{kind}.csv" for kind in manifest.kinds} | {REPORT_HTML, REPORT_PDF}
        if set(manifest.files) != expected or any(not _KIND.fullmatch(k) for k in manifest.kinds):
            raise BundleError("The manifest's files do not match its kinds.")
        contents: dict[str, bytes] = {}
        try:
            for name, digest in manifest.files.items():
                data = _read_member(archive, members[name])
                if hashlib.sha256(data).hexdigest() != digest:
                    raise BundleError(f"Refused: {name} was changed after the bundle was made (its "
                                      "SHA-256 does not match the manifest).")
                contents[name] = data
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise BundleError(f"The zip is damaged ({exc}).") from None
    frames = {}
    for kind in manifest.kinds:
        try:
            text = contents[f"{kind}.csv"].decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BundleError(f"{kind}.csv is not UTF-8 text.") from None
        try:
            frame, count = _frame(kind, text, manifest.csv_escaped)
        except csv.Error as exc:
            raise BundleError(f"{kind}.csv could not be read as CSV ({exc}).") from None
        if count != manifest.counts.get(kind):
            raise BundleError(f"{kind}.csv holds {count} entries; the manifest says "
                              f"{manifest.counts.get(kind)}.")
        frames[kind] = frame
    try:
        html = contents[REPORT_HTML].decode("utf-8")
    except UnicodeDecodeError:
        raise BundleError("report.html is not UTF-8 text.") from None
    return Bundle(manifest=manifest, frames=frames, report_html=html, report_pdf=contents[REPORT_PDF])
