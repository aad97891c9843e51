"""The only code that touches the data folder: one UTF-8 CSV file per exercise.

Every write happens under a lock shared between processes and lands by an atomic rename,
so a crash mid-write never leaves a half-written file and two open tabs never lose each
other's entries. Text is stored exactly as typed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import tempfile
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from filelock import FileLock

from workbook import exercises
from workbook.exercises import Exercise, FieldError

ENV_VAR = "WORKBOOK_DATA_DIR"
APP_NAME = "between-sessions"
CONFIG_FILE = "config.yaml"
LOCK_TIMEOUT_S = 30
QUARANTINE_SUFFIX = ".quarantine.csv"


@dataclass(frozen=True)
class BadRow:
    """A row of a data file that could not be used, kept with where it was and why."""

    line: int
    reason: str
    raw: str


class UnreadableFile(ValueError):
    """A data file with no usable header: it is left exactly as it is."""

    def __init__(self, path: Path, reason: str):
        self.path = path
        super().__init__(
            f"{path.name} could not be read: {reason}. It has not been changed. Move it out of "
            f"the data folder (or fix its first line) to go on; nothing in it is lost."
        )


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


class Store:
    """Entries of every exercise in `data_dir`, one CSV file per kind."""

    def __init__(self, data_dir: str | os.PathLike, catalog: Mapping[str, Exercise] | None = None):
        self.data_dir = Path(data_dir)
        self.catalog: dict[str, Exercise] = dict(catalog or exercises.builtin())
        self.problems: dict[str, list[str]] = {}

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
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return FileLock(str(self.data_dir / f".{kind}.csv.lock"), timeout=LOCK_TIMEOUT_S)

    # -- raw rows ------------------------------------------------------------
    def _read_rows(self, kind: str) -> tuple[list[str], list[dict[str, str]]]:
        """Header and good rows as exact strings; bad rows are noted in `problems`."""
        header, rows, bad = self._parse(kind)
        self.problems[kind] = [
            f"{self.path(kind).name} line {b.line} could not be read ({b.reason}); it is left "
            f"out and kept in {self.path(kind).name.replace('.csv', QUARANTINE_SUFFIX)}."
            for b in bad
        ]
        return header, rows

    def _parse(self, kind: str) -> tuple[list[str], list[dict[str, str]], list[BadRow]]:
        """Read a file a person may have edited by hand: BOM, CRLF, `;`, extra or missing
        columns, garbage rows, a cut-off last line. Good rows load; bad ones are returned
        apart. A file with no readable header raises UnreadableFile (and is never rewritten).
        """
        path = self.path(kind)
        exercise = self.exercise(kind)
        declared = list(exercise.columns)
        if not path.exists():
            return declared, [], []
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")  # an older spreadsheet's encoding
        if not text.strip():
            return declared, [], []
        first = text.splitlines()[0]
        delimiter = ";" if first.count(";") > first.count(",") else ","
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            found = [name.strip() for name in next(reader)]
        except csv.Error as exc:
            raise UnreadableFile(path, f"the first line is not a header ({exc})") from None
        if "id" not in found or "created_at" not in found:
            raise UnreadableFile(path, "the first line should be a header with id and created_at")
        header = declared + [c for c in found if c not in declared and c]
        rows: list[dict[str, str]] = []
        bad: list[BadRow] = []
        seen: set[str] = set()
        start = reader.line_num + 1
        last_line = start
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                bad.append(BadRow(start, f"not valid CSV: {exc}", ""))
                start = reader.line_num + 1
                continue
            line, start = start, reader.line_num + 1
            if not any(f.strip() for f in fields):
                continue
            joined = _join(fields, delimiter)
            if len(fields) != len(found):
                reason = (f"{len(fields)} values for {len(found)} columns"
                          + (" - the line may have been cut off" if len(fields) < len(found) else ""))
                bad.append(BadRow(line, reason, joined))
                continue
            row = dict(zip(found, fields, strict=True))
            reason = self._row_problem(exercise, row, seen)
            if reason:
                bad.append(BadRow(line, reason, joined))
                continue
            seen.add(row["id"])
            rows.append({column: row.get(column, "") for column in header})
            last_line = line
        if rows and not text.endswith(("\n", "\r")):
            tail = "\n".join(text.splitlines()[last_line - 1:])
            if tail.count('"') % 2:  # the file stops inside a quoted value: a cut-off write
                rows.pop()
                bad.append(BadRow(last_line, "the file ends inside this line - it was cut off", tail))
        return header, rows, bad

    def _row_problem(self, exercise: Exercise, row: Mapping[str, str], seen: set[str]) -> str:
        """Why a row cannot be used, or '' when it can."""
        if not row.get("id", "").strip():
            return "no id"
        if row["id"] in seen:
            return f"the id {row['id']} appears twice"
        try:
            dt.datetime.fromisoformat(row.get("created_at", ""))
        except ValueError:
            return f"created_at {row.get('created_at', '')!r} is not a date and time"
        for f in exercise.fields:
            cell = row.get(f.name, "")
            try:
                f.clean(f.decode(cell))
            except (ValueError, TypeError) as exc:
                return f"{f.name}: {exc}" if not isinstance(exc, FieldError) else str(exc)
        return ""

    def _quarantine(self, kind: str, bad: list[BadRow]) -> None:
        """Move bad rows aside into `<kind>.quarantine.csv` before the file is rewritten."""
        if not bad:
            return
        target = self.data_dir / f"{kind}{QUARANTINE_SUFFIX}"
        new_file = not target.exists()
        with open(target, "a", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            if new_file:
                writer.writerow(["moved_at", "file", "line", "reason", "row"])
            for b in bad:
                writer.writerow([now_iso(), f"{kind}.csv", b.line, b.reason, b.raw])
            handle.flush()
            os.fsync(handle.fileno())

    def _rows_for_write(self, kind: str) -> tuple[list[str], list[dict[str, str]]]:
        """Rows to rewrite the file from, with any bad rows moved aside first (under the lock)."""
        header, rows, bad = self._parse(kind)
        self._quarantine(kind, bad)
        self.problems[kind] = []
        return header, rows

    def _write_rows(self, kind: str, header: list[str], rows: list[dict[str, str]]) -> None:
        """Replace the file atomically: write a temporary file, fsync, rename."""
        path = self.path(kind)
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
        fd, tmp = tempfile.mkstemp(prefix=f".{kind}.", suffix=".tmp", dir=self.data_dir)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                handle.write(buffer.getvalue())
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(self.data_dir)

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

    def add_many(self, kind: str, records: list[Mapping[str, Any]]) -> list[str]:
        """Add several entries in one write (imports); all are validated before any is written."""
        new_rows = [self._new_row(kind, record, "complete") for record in records]
        if new_rows:
            self._append(kind, new_rows)
        return [row["id"] for row in new_rows]

    def _new_row(self, kind: str, record: Mapping[str, Any], status: str) -> dict[str, str]:
        exercise = self.exercise(kind)
        record = dict(record)
        created = _clean_timestamp(record.pop("created_at")) if record.get("created_at") else now_iso()
        for system in ("id", "updated_at", "status"):
            record.pop(system, None)
        cleaned = exercise.validate(record, partial=status == "draft")
        row = {"id": uuid.uuid4().hex, "created_at": created, "updated_at": ""}
        if exercise.drafts:
            row["status"] = status
        row.update(self._encode(exercise, cleaned))
        return row

    def _append(self, kind: str, new_rows: list[dict[str, str]]) -> None:
        with self._lock(kind):
            header, rows = self._rows_for_write(kind)
            rows.extend({column: row.get(column, "") for column in header} for row in new_rows)
            self._write_rows(kind, header, rows)

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
        """Remove one entry for good."""
        with self._lock(kind):
            header, rows = self._rows_for_write(kind)
            index = _find(rows, entry_id)
            del rows[index]
            self._write_rows(kind, header, rows)

    def get(self, kind: str, entry_id: str) -> dict[str, Any]:
        """One entry with its values decoded (lists as lists, scales as ints)."""
        exercise = self.exercise(kind)
        _, rows = self._read_rows(kind)
        return self._decoded(exercise, rows[_find(rows, entry_id)])

    def records(self, kind: str) -> list[dict[str, Any]]:
        """All entries of a kind, oldest first, values decoded."""
        exercise = self.exercise(kind)
        _, rows = self._read_rows(kind)
        return [self._decoded(exercise, row) for row in rows]

    def load(self, kind: str) -> pd.DataFrame:
        """All entries of a kind as a DataFrame with typed columns, oldest first."""
        exercise = self.exercise(kind)
        header, rows = self._read_rows(kind)
        frame = pd.DataFrame([self._decoded(exercise, r) for r in rows], columns=header)
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
            except ValueError:
                out[f.name] = row.get(f.name, "")  # hand-edited cell: keep the text as it is
        return out

    # -- the person's settings ----------------------------------------------
    def config(self) -> dict[str, Any]:
        """Settings from `config.yaml` in the data folder; {} when there is none."""
        path = self.data_dir / CONFIG_FILE
        if not path.exists():
            return {}
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ValueError(f"{path}: could not be read as YAML ({exc}).") from None
        return data if isinstance(data, dict) else {}


def _find(rows: list[dict[str, str]], entry_id: str) -> int:
    for index, row in enumerate(rows):
        if row.get("id") == entry_id:
            return index
    raise KeyError(f"No entry with id {entry_id!r}; it may have been deleted in another window.")


def _join(fields: list[str], delimiter: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="").writerow(fields)
    return buffer.getvalue()


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
