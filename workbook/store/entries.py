"""Entries of every exercise, one UTF-8 CSV file per kind, and what a Store remembers of them.

`Store` is the whole API the rest of the workbook uses; the work is done by the modules beside
this one: `codec` turns rows into CSV text and back (pure), `writer` writes every file of the
data folder (atomically, under its lock), `settings`, `assignments` and `worksheet_files` keep
the person's settings, homework files and worksheets. docs/reliability.md lists what a Store
guarantees, each guarantee with the test that proves it.

A Store remembers, per kind, the file it last read or wrote (its rows, their decoded records and
the typed frame) for as long as the file's `writer.signature` and the kind's declaration are the
same: any write through the writer in this process, or a replaced file from another process,
makes the next read go back to the file.

The process's own data folder (`share_reads`) is remembered once for every Store on it: a
kernel kept ready by `workbook serve` reads the person's files before they arrive, and the App's
Store, made when the page is claimed, finds them read (checked against the files as always).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbook import exercises, files
from workbook.exercises import Exercise, FieldError
from workbook.store import assignments as assignment_files
from workbook.store import codec, worksheet_files, writer
from workbook.store import settings as settings_files
from workbook.store.codec import BadRow, Table
from workbook.store.tables import read_table

if TYPE_CHECKING:  # pandas is imported when first needed: the start page does not need it
    import pandas as pd
    from filelock import FileLock

ENV_VAR = "WORKBOOK_DATA_DIR"
APP_NAME = "between-sessions"
QUARANTINE_SUFFIX = ".quarantine.csv"
PRIVATE_SUBFOLDERS = ("backups", worksheet_files.WORKSHEETS_DIR, assignment_files.HOMEWORK_DIR,
                      "workshop", "participants")
"""The workbook's own folders inside a data folder: tightened with everything in them."""


def default_data_dir(explicit: str | os.PathLike | None = None) -> Path:
    """`--data-dir`, else $WORKBOOK_DATA_DIR, else the per-user data folder."""
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def now_iso() -> str:
    """The current local time, ISO 8601 with its offset, to the second."""
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


_ID = re.compile(r"[0-9a-f]{32}")  # an entry id as the store makes it (uuid4, hex)


def _clean_timestamp(value: Any) -> str:
    if isinstance(value, dt.datetime):
        stamp = value
    else:
        try:
            stamp = dt.datetime.fromisoformat(str(value))
        except ValueError:
            raise FieldError("created_at", "Date and time", "should be ISO 8601.") from None
    if stamp.tzinfo is None:
        stamp = stamp.astimezone()
    return stamp.isoformat(timespec="seconds")


_shared_folder: Path | None = None
_shared: dict[str, _Known] = {}


def share_reads(data_dir: str | os.PathLike | None) -> None:
    """Let every Store on `data_dir` made from now on in this process share what any of them has
    read of its files (rows, decoded records, frames), each still checked against its file's
    signature before use. Only this one folder: a process that opens many (a workshop's server)
    holds nothing more than before. None stops sharing."""
    global _shared_folder
    _shared_folder = Path(data_dir).resolve() if data_dir is not None else None
    _shared.clear()


@dataclass
class _Known:
    """What a Store holds of one kind's file, good while the file's signature and the kind's
    declaration are the ones it was read (or written) with."""

    signature: writer.Signature | None
    exercise: Exercise
    table: Table
    text: str | None = None  # the file's text, when this store wrote it: an append adds to it
    records: list[dict[str, Any]] | None = None
    frame: pd.DataFrame | None = None


class Store:
    """Entries of every exercise in `data_dir`, one CSV file per kind."""

    def __init__(self, data_dir: str | os.PathLike, catalog: Mapping[str, Exercise] | None = None):
        self.data_dir = Path(data_dir)
        self.catalog: dict[str, Exercise] = dict(catalog or exercises.builtin())
        self.problems: dict[str, list[str]] = {}
        self._known: dict[str, _Known] = {}
        self._shares = _shared_folder is not None and self.data_dir.resolve() == _shared_folder
        self._decode_memo: dict[str, dict[tuple, dict]] = {}
        files.secure_folder(self.data_dir, PRIVATE_SUBFOLDERS)
        self.worksheet_problems: list[str] = worksheet_files.load(self.data_dir, self.catalog)

    # -- paths and locks -----------------------------------------------------
    def exercise(self, kind: str) -> Exercise:
        try:
            return self.catalog[kind]
        except KeyError:
            known = ", ".join(self.catalog)
            raise ValueError(f"kind: unknown exercise {kind!r} (one of {known}).") from None

    def path(self, kind: str) -> Path:
        self.exercise(kind)
        return self.data_dir / f"{kind}.csv"

    def _lock(self, kind: str) -> FileLock:
        """The lock every change to a kind's file (or its declaration) is made under."""
        return writer.lock(self.data_dir / f"{kind}.csv")

    # -- what is known of a file --------------------------------------------
    def _current(self, kind: str) -> _Known:
        """The kind's file as it is now: what is held, unless the file or the declaration changed."""
        path, exercise = self.path(kind), self.exercise(kind)
        signature = writer.signature(path)

        def current(known: _Known | None) -> bool:
            return (known is not None and signature is not None and known.signature == signature
                    and known.exercise is exercise)

        known = self._known.get(kind)
        if not current(known):
            known = _shared.get(kind) if self._shares else None
            if not current(known):
                known = _Known(signature, exercise, read_table(path, exercise))
                self._remember(kind, known)
            self._known[kind] = known
        return known

    def _remember(self, kind: str, known: _Known) -> None:
        """What this Store now knows of a file, shared with the folder's other Stores (`share_reads`)."""
        self._known[kind] = known
        if self._shares:
            _shared[kind] = known

    def _read(self, kind: str) -> _Known:
        """The kind's file as it is now, its bad rows noted in `problems`."""
        known = self._current(kind)
        name = self.path(kind).name
        self.problems[kind] = [
            f"{name} line {b.line} could not be read ({b.reason}); it is left "
            f"out and kept in {name.replace('.csv', QUARANTINE_SUFFIX)}."
            for b in known.table.bad
        ]
        return known

    def _quarantine(self, kind: str, bad: tuple[BadRow, ...]) -> None:
        """Move bad rows aside into `<kind>.quarantine.csv` before the file is rewritten."""
        if not bad:
            return
        target = self.data_dir / f"{kind}{QUARANTINE_SUFFIX}"
        text = codec.quarantine_text(bad, f"{kind}.csv", now_iso(), with_header=not target.exists())
        writer.append(target, text.encode("utf-8"))

    def _rows_for_write(self, kind: str) -> tuple[list[str], list[dict[str, str]]]:
        """Rows to rewrite the file from, with any bad rows moved aside first (under the lock)."""
        table = self._current(kind).table
        self._quarantine(kind, table.bad)
        self.problems[kind] = []
        return list(table.header), list(table.rows)

    def _write_rows(self, kind: str, header: list[str], rows: list[dict[str, str]],
                    appended: list[dict[str, str]] | None = None) -> None:
        """Replace the file through the writer, and hold what was written.

        When only `appended` rows are new and the file is the one this store wrote last, the
        text already made for it is reused and only the new rows are turned into CSV; the
        records and frame held are extended instead of decoded again.
        """
        path, exercise = self.path(kind), self.exercise(kind)
        before = self._known.get(kind)
        fresh = (appended is not None and before is not None and before.exercise is exercise
                 and before.signature == writer.signature(path)
                 and list(before.table.header) == header)
        if fresh and before.text is not None:
            text = before.text + codec.encode_rows(header, appended, with_header=False)
        else:
            text = codec.encode_rows(header, rows)
        writer.write(path, text)
        known = _Known(writer.signature(path), exercise, Table(tuple(header), tuple(rows), ()), text)
        if fresh:
            new = [self._decoded(exercise, row) for row in appended]
            if before.records is not None:
                known.records = before.records + new
            if before.frame is not None:
                import pandas as pd

                extra = self._typed_frame(exercise, new, list(before.frame.columns))
                known.frame = pd.concat([before.frame, extra], ignore_index=True)
        self._remember(kind, known)

    def _encode(self, exercise: Exercise, cleaned: Mapping[str, Any]) -> dict[str, str]:
        return {name: exercise.field(name).encode(value) for name, value in cleaned.items()}

    # -- the public API ------------------------------------------------------
    def add(self, kind: str, record: Mapping[str, Any]) -> str:
        """Validate and save a new entry; returns its id. Nothing is written on error."""
        return self._insert(kind, record, status="complete")

    def save_draft(self, kind: str, record: Mapping[str, Any], entry_id: str | None = None) -> str:
        """Keep unfinished work (exercises with drafts): a new draft, or an update of one."""
        exercise = self.exercise(kind)
        if not exercise.drafts:
            raise ValueError(f"kind: {exercise.title} has no drafts.")
        if entry_id is None:
            return self._insert(kind, record, status="draft")
        self.update(kind, entry_id, record, status="draft", partial=True)
        return entry_id

    def add_many(self, kind: str, records: list[Mapping[str, Any]], *, status: str = "complete",
                 keep_identity: bool = False) -> list[str]:
        """Add several entries in one write (imports); all are validated before any is written.

        `keep_identity`: entries coming back from our own files keep their id and last-edit
        time, unless the id is malformed or already in the file (then they get a new one).
        `status="draft"` adds unfinished entries of an exercise with drafts.
        """
        new_rows = [self._new_row(kind, record, status, keep_identity) for record in records]
        if new_rows:
            self._append(kind, new_rows)
        return [row["id"] for row in new_rows]

    def _new_row(self, kind: str, record: Mapping[str, Any], status: str,
                 keep_identity: bool = False) -> dict[str, str]:
        exercise = self.exercise(kind)
        record = dict(record)
        created = _clean_timestamp(record.pop("created_at")) if record.get("created_at") else now_iso()
        given = {system: record.pop(system, None) for system in ("id", "updated_at", "status")}
        cleaned = exercise.validate(record, partial=status == "draft")
        row = {"id": uuid.uuid4().hex, "created_at": created, "updated_at": ""}
        if keep_identity:
            if isinstance(given["id"], str) and _ID.fullmatch(given["id"]):
                row["id"] = given["id"]
            if given["updated_at"]:
                try:
                    row["updated_at"] = _clean_timestamp(given["updated_at"])
                except FieldError:
                    pass  # a last-edit time that is not one is left empty, as for a new entry
        if exercise.drafts:
            row["status"] = status
        row.update(self._encode(exercise, cleaned))
        return row

    def _append(self, kind: str, new_rows: list[dict[str, str]]) -> None:
        with self._lock(kind):
            header, rows = self._rows_for_write(kind)
            taken = {row.get("id") for row in rows}
            for row in new_rows:  # ids stay unique in a file, whatever an import brought
                if row["id"] in taken:
                    row["id"] = uuid.uuid4().hex
                taken.add(row["id"])
            added = [{column: row.get(column, "") for column in header} for row in new_rows]
            rows.extend(added)
            self._write_rows(kind, header, rows, appended=added)

    def _insert(self, kind: str, record: Mapping[str, Any], status: str) -> str:
        row = self._new_row(kind, record, status)
        self._append(kind, [row])
        return row["id"]

    def update(
        self,
        kind: str,
        entry_id: str,
        changes: Mapping[str, Any],
        status: str | None = None,
        partial: bool = False,
    ) -> None:
        """Change an entry's fields (an edit keeps its id and records `updated_at`).

        A draft finished with `status="complete"` is validated in full.
        """
        exercise = self.exercise(kind)
        with self._lock(kind):
            header, rows = self._rows_for_write(kind)
            index = _find(rows, entry_id)
            current = self._decoded(exercise, rows[index])
            merged = {f.name: current.get(f.name) for f in exercise.fields}
            merged.update({k: v for k, v in changes.items() if k not in exercises.SYSTEM_COLUMNS
                           and k != "status"})
            new_status = status or current.get("status") or "complete"
            cleaned = exercise.validate(merged, partial=partial or new_status == "draft")
            row = dict(rows[index])
            row.update(self._encode(exercise, cleaned))
            row["updated_at"] = now_iso()
            if exercise.drafts:
                row["status"] = new_status
            rows[index] = row
            self._write_rows(kind, header, rows)

    def delete(self, kind: str, entry_id: str) -> None:
        """Remove one entry for good: from its file and from every backup in the data folder."""
        from workbook import backup

        with self._lock(kind):
            header, rows = self._rows_for_write(kind)
            index = _find(rows, entry_id)
            del rows[index]
            self._write_rows(kind, header, rows)
            backup.forget_entry(self.data_dir, kind, entry_id)

    def get(self, kind: str, entry_id: str) -> dict[str, Any]:
        """One entry with its values decoded (lists as lists, scales as ints)."""
        rows = list(self._read(kind).table.rows)
        return self._decoded(self.exercise(kind), rows[_find(rows, entry_id)])

    def records(self, kind: str) -> list[dict[str, Any]]:
        """All entries of a kind, oldest first, values decoded."""
        known = self._read(kind)
        if known.records is None:
            known.records = self._decode_all(kind, known.exercise, known.table.rows)
        return [dict(record) for record in known.records]

    def _decode_all(self, kind: str, exercise: Exercise, rows: Iterable[dict[str, str]]) -> list[dict]:
        """Decoded rows; a row whose cells are unchanged since the last time is not decoded again."""
        memo = self._decode_memo.get(kind, {})
        fresh: dict[tuple, dict] = {}
        out = []
        for row in rows:
            key = tuple(row.items())
            decoded = memo.get(key) or self._decoded(exercise, row)
            fresh[key] = decoded
            out.append(decoded)
        self._decode_memo[kind] = fresh
        return out

    def load(self, kind: str) -> pd.DataFrame:
        """All entries of a kind as a DataFrame with typed columns, oldest first."""
        known = self._read(kind)
        if known.frame is None:
            if known.records is None:  # records decoded earlier (the rules, a page) are reused
                known.records = self._decode_all(kind, known.exercise, known.table.rows)
            records = known.records
            known.frame = self._typed_frame(known.exercise, records, list(known.table.header))
        return known.frame.copy()

    @staticmethod
    def _typed_frame(exercise: Exercise, records: list[dict], columns: list[str]) -> pd.DataFrame:
        import pandas as pd

        frame = pd.DataFrame(records, columns=columns)
        for f in exercise.fields:
            if f.type == "scale":
                frame[f.name] = pd.array(frame[f.name].tolist(), dtype="Int64")
            elif f.type == "number":
                frame[f.name] = pd.array(frame[f.name].tolist(), dtype="Float64")
        return frame

    def _decoded(self, exercise: Exercise, row: Mapping[str, str]) -> dict[str, Any]:
        out: dict[str, Any] = dict(row)
        for f in exercise.fields:
            try:
                out[f.name] = f.decode(row.get(f.name, ""))
            except (ValueError, RecursionError):
                out[f.name] = row.get(f.name, "")  # hand-edited cell: keep the text as it is
        return out

    # -- therapist-written worksheets, homework files, settings -------------
    def install_worksheet(self, text: str) -> Exercise:
        """Check a worksheet description and keep it as `<data_dir>/worksheets/<kind>.yaml`.

        ValueError (a WorksheetError with the line) when the description is refused, when its kind
        is a built-in exercise's, or when a changed version would no longer fit entries already
        saved with it. Installing the same worksheet again changes nothing.
        """
        return worksheet_files.install(self, text)

    def save_assignment(self, text: str) -> str:
        """Keep a homework assignment file in `<data_dir>/homework/`; returns its file name.

        The name comes from the content, so the same file saved twice is kept once.
        """
        return assignment_files.save_assignment(self.data_dir, text)

    def assignments(self) -> list[str]:
        """The texts of the saved assignment files, oldest saved first."""
        return assignment_files.assignments(self.data_dir)

    def config(self) -> dict[str, Any]:
        """Settings from `config.yaml` in the data folder; {} when there is none."""
        return settings_files.config(self.data_dir)

    def settings(self) -> dict[str, Any]:
        """Choices made in the app (`settings.yaml`: what to track, the welcome seen); {} if none.

        Kept apart from config.yaml, which is the person's own to edit by hand.
        """
        return settings_files.settings(self.data_dir)

    def save_settings(self, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Merge `changes` into settings.yaml, written atomically; returns the new settings."""
        return settings_files.save_settings(self.data_dir, changes)

    def has_entries(self) -> bool:
        """Whether anything has been saved yet (any exercise's file exists)."""
        return any(self.path(kind).exists() for kind in self.catalog)


def _find(rows: list[dict[str, str]], entry_id: str) -> int:
    for index, row in enumerate(rows):
        if row.get("id") == entry_id:
            return index
    raise KeyError("That entry is not there any more; it may have been deleted in another window "
                   "or tab.")
