"""The only code that touches the data folder: one UTF-8 CSV file per exercise.

Every write happens under a lock shared between processes and lands by an atomic rename,
so a crash mid-write never leaves a half-written file and two open tabs never lose each
other's entries. Text is stored exactly as typed.

The folder is the person's alone: it is 0700 and every file in it 0600 whatever the umask, and a
folder found with looser modes is tightened when a Store opens it (and said once in the log).
YAML and JSON in it (worksheets, homework, config.yaml, settings.yaml) are read through
`workbook.safeparse`: size and nesting are bounded before anything is parsed.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import logging
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from workbook import exercises, files, safeparse
from workbook.exercises import Exercise, FieldError
from workbook.files import atomic_write

if TYPE_CHECKING:  # pandas is imported when first needed: the start page does not need it
    import pandas as pd

log = logging.getLogger(__name__)

ENV_VAR = "WORKBOOK_DATA_DIR"
APP_NAME = "between-sessions"
CONFIG_FILE = "config.yaml"
SETTINGS_FILE = "settings.yaml"
LOCK_TIMEOUT_S = 30
QUARANTINE_SUFFIX = ".quarantine.csv"
WORKSHEETS_DIR = "worksheets"
HOMEWORK_DIR = "homework"
MAX_ASSIGNMENT_BYTES = 1_000_000
MAX_CONFIG_BYTES = 100_000
PRIVATE_SUBFOLDERS = ("backups", WORKSHEETS_DIR, HOMEWORK_DIR, "workshop", "participants")
"""The workbook's own folders inside a data folder: tightened with everything in them."""


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
        self._cache: dict[str, tuple] = {}
        self._frames: dict[str, tuple] = {}
        self._records: dict[str, tuple] = {}
        self._decode_memo: dict[str, dict[tuple, dict]] = {}
        self._texts: dict[str, tuple] = {}
        self.worksheet_problems: list[str] = []
        files.secure_folder(self.data_dir, PRIVATE_SUBFOLDERS)
        self._load_worksheets()

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

    def _lock(self, kind: str) -> files.FileLock:
        files.private_folder(self.data_dir)
        return files.lock(self.data_dir / f".{kind}.csv.lock", timeout=LOCK_TIMEOUT_S)

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

    def _signature(self, kind: str) -> tuple[int, int, int] | None:
        """What identifies a version of a file: every write replaces it (a new inode)."""
        try:
            stat = self.path(kind).stat()
        except FileNotFoundError:
            return None
        return (stat.st_ino, stat.st_mtime_ns, stat.st_size)

    def _parse(self, kind: str) -> tuple[list[str], list[dict[str, str]], list[BadRow]]:
        """The parsed file, reused while the file on disk is unchanged (another process's write
        replaces the file, which changes its signature)."""
        signature = self._signature(kind)
        cached = self._cache.get(kind)
        if signature is not None and cached is not None and cached[0] == signature:
            _, header, rows, bad = cached
        else:
            header, rows, bad = self._parse_file(kind)
            self._cache[kind] = (signature, header, rows, bad)
            self._frames.pop(kind, None)
            self._records.pop(kind, None)
        return list(header), list(rows), list(bad)

    def _parse_file(self, kind: str) -> tuple[list[str], list[dict[str, str]], list[BadRow]]:
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
        reader = files.csv_reader(text, delimiter=delimiter)
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
            except RecursionError:  # a hand-edited cell of [[[[... JSON
                return f"{f.name}: nested too deeply to be read"
        return ""

    def _quarantine(self, kind: str, bad: list[BadRow]) -> None:
        """Move bad rows aside into `<kind>.quarantine.csv` before the file is rewritten."""
        if not bad:
            return
        target = self.data_dir / f"{kind}{QUARANTINE_SUFFIX}"
        rows = [] if target.exists() else [["moved_at", "file", "line", "reason", "row"]]
        rows += [[now_iso(), f"{kind}.csv", b.line, b.reason, b.raw] for b in bad]
        files.append_private(target, files.csv_text(rows, lineterminator="\r\n").encode("utf-8"))

    def _rows_for_write(self, kind: str) -> tuple[list[str], list[dict[str, str]]]:
        """Rows to rewrite the file from, with any bad rows moved aside first (under the lock)."""
        header, rows, bad = self._parse(kind)
        self._quarantine(kind, bad)
        self.problems[kind] = []
        return header, rows

    def _write_rows(self, kind: str, header: list[str], rows: list[dict[str, str]],
                    appended: list[dict[str, str]] | None = None) -> None:
        """Replace the file atomically: write a temporary file, fsync, rename.

        When only `appended` rows are new and the file is the one this store wrote last, the
        text already made for it is reused and only the new rows are turned into CSV.
        """
        signature = self._signature(kind)
        known = self._texts.get(kind)
        if appended is not None and known and known[0] == signature and known[1] == header:
            text = known[2] + _csv_text(header, appended, with_header=False)
        else:
            text = _csv_text(header, rows)
        atomic_write(self.path(kind), text)
        before, signature = signature, self._signature(kind)
        self._cache[kind] = (signature, list(header), list(rows), [])
        self._texts[kind] = (signature, list(header), text)
        self._extend_decoded(kind, before, signature, appended)

    def _extend_decoded(self, kind: str, before: Any, after: Any,
                        appended: list[dict[str, str]] | None) -> None:
        """After an append, add the new rows to the decoded records and frame instead of
        decoding the whole file again; after any other write, forget them."""
        records, frame = self._records.pop(kind, None), self._frames.pop(kind, None)
        if appended is None:
            return
        exercise = self.exercise(kind)
        new = [self._decoded(exercise, row) for row in appended]
        if records is not None and records[0] == before:
            self._records[kind] = (after, records[1] + new)
        if frame is not None and frame[0] == before:
            import pandas as pd

            extra = self._typed_frame(exercise, new, list(frame[1].columns))
            self._frames[kind] = (after, pd.concat([frame[1], extra], ignore_index=True))

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
        exercise = self.exercise(kind)
        _, rows = self._read_rows(kind)
        return self._decoded(exercise, rows[_find(rows, entry_id)])

    def records(self, kind: str) -> list[dict[str, Any]]:
        """All entries of a kind, oldest first, values decoded."""
        exercise = self.exercise(kind)
        _, rows = self._read_rows(kind)
        signature = self._cache.get(kind, (None,))[0]
        cached = self._records.get(kind)
        if signature is None or cached is None or cached[0] != signature:
            cached = (signature, self._decode_all(kind, exercise, rows))
            self._records[kind] = cached
        return [dict(record) for record in cached[1]]

    def _decode_all(self, kind: str, exercise: Exercise, rows: list[dict[str, str]]) -> list[dict]:
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
        exercise = self.exercise(kind)
        header, rows = self._read_rows(kind)
        signature = self._cache.get(kind, (None,))[0]
        cached = self._frames.get(kind)
        if signature is not None and cached is not None and cached[0] == signature:
            return cached[1].copy()
        frame = self._typed_frame(exercise, self._decode_all(kind, exercise, rows), header)
        self._frames[kind] = (signature, frame)
        return frame.copy()

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

    # -- therapist-written worksheets and homework --------------------------
    def _load_worksheets(self) -> None:
        """Add the worksheets in `<data_dir>/worksheets/*.yaml` to the catalog, after the built-ins.

        A file that cannot be used is skipped and said in `worksheet_problems`; it never stops
        the app, and the entries saved with it stay in their CSV file.
        """
        from workbook import worksheets

        folder = self.data_dir / WORKSHEETS_DIR
        try:
            paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".yaml", ".yml"))
        except FileNotFoundError:
            return
        except OSError as exc:
            self.worksheet_problems.append(f"The worksheets folder could not be read ({exc}).")
            return
        found: list[tuple[Path, Exercise]] = []
        for path in paths:
            try:
                if not path.is_file() or path.name.startswith("."):
                    continue
                if path.stat().st_size > worksheets.MAX_BYTES:
                    raise ValueError(f"it is larger than {worksheets.MAX_BYTES // 1000} kB")
                found.append((path, worksheets.parse(path.read_bytes(), filename=path.name)))
            except Exception as exc:  # noqa: BLE001 - one broken worksheet must not stop the app
                self._worksheet_problem(path, str(exc))
        # a file named after its kind (as install_worksheet writes it) wins over a copy named otherwise
        found.sort(key=lambda item: (item[0].stem != item[1].kind, item[0].name))
        for path, exercise in found:
            if exercise.kind in self.catalog:
                used_by = self.catalog[exercise.kind].source or "a built-in exercise"
                self._worksheet_problem(path, f"the kind {exercise.kind} is already used by {used_by}")
                continue
            self.catalog[exercise.kind] = exercise

    def _worksheet_problem(self, path: Path, reason: str) -> None:
        self.worksheet_problems.append(
            f"{WORKSHEETS_DIR}/{path.name} was skipped: {reason.rstrip('.')}. Your other worksheets "
            "and every saved entry are unaffected.")

    def install_worksheet(self, text: str) -> Exercise:
        """Check a worksheet description and keep it as `<data_dir>/worksheets/<kind>.yaml`.

        ValueError (a WorksheetError with the line) when the description is refused, when its kind
        is a built-in exercise's, or when a changed version would no longer fit entries already
        saved with it. Installing the same worksheet again changes nothing.
        """
        from workbook import worksheets

        exercise = worksheets.parse(text)
        kind = exercise.kind
        exercise = dataclasses.replace(exercise, source=f"worksheet {kind}.yaml")
        if (kind in exercises.kinds() or not worksheets.KIND_PATTERN.fullmatch(kind)
                or (kind in self.catalog and not worksheets.is_worksheet(self.catalog[kind]))):
            raise ValueError(f"kind: {kind!r} is the name of a built-in exercise; give the worksheet "
                             "another name.")
        folder = self.data_dir / WORKSHEETS_DIR
        target = folder / f"{kind}.yaml"
        with self._lock(kind):
            previous = self.catalog.get(kind)
            if (previous is not None and _same_exercise(previous, exercise)
                    and (target.exists() or previous.source != exercise.source)):
                return previous
            self.catalog[kind] = exercise
            try:
                self._check_fits(kind, previous)
                files.private_folder(folder)
                atomic_write(target, text)
            except BaseException:
                if previous is None:
                    del self.catalog[kind]
                else:
                    self.catalog[kind] = previous
                self._forget(kind)
                raise
        return exercise

    def _forget(self, kind: str) -> None:
        """Drop what was read of a kind's file under its old declaration (a worksheet changed)."""
        self._cache.pop(kind, None)
        self._frames.pop(kind, None)

    def _check_fits(self, kind: str, previous: Exercise | None) -> None:
        """Refuse a new version of a worksheet that entries already saved with it would not fit."""
        self._forget(kind)
        if not self.path(kind).exists():
            return
        _, _, bad = self._parse(kind)
        before = 0
        if previous is not None:
            new = self.catalog[kind]
            self.catalog[kind] = previous
            self._forget(kind)
            try:
                before = len(self._parse(kind)[2])
            finally:
                self.catalog[kind] = new
                self._forget(kind)
        if len(bad) > before:
            raise ValueError(
                f"kind: this version of {self.catalog[kind].title} does not fit {len(bad) - before} "
                f"entr{'y' if len(bad) - before == 1 else 'ies'} already saved with the worksheet "
                f"({bad[-1].reason}). Nothing was changed. Give the changed worksheet a new name so both "
                "can be kept.")

    def save_assignment(self, text: str) -> str:
        """Keep a homework assignment file in `<data_dir>/homework/`; returns its file name.

        The name comes from the content, so the same file saved twice is kept once.
        """
        data = text.encode("utf-8")
        if len(data) > MAX_ASSIGNMENT_BYTES:
            raise ValueError(f"assignment: the file is larger than {MAX_ASSIGNMENT_BYTES // 1_000_000} MB.")
        folder = self.data_dir / HOMEWORK_DIR
        suffix = ".json" if text.lstrip().startswith("{") else ".yaml"
        target = folder / f"{hashlib.sha256(data).hexdigest()[:24]}{suffix}"
        files.private_folder(folder)
        if not target.exists():
            atomic_write(target, text)
        return target.name

    def assignments(self) -> list[str]:
        """The texts of the saved assignment files, oldest saved first."""
        folder = self.data_dir / HOMEWORK_DIR
        try:
            paths = [p for p in folder.iterdir() if p.suffix in (".json", ".yaml") and p.is_file()
                     and not p.name.startswith(".")]
        except FileNotFoundError:
            return []
        out = []
        for path in sorted(paths, key=lambda p: (p.stat().st_mtime, p.name)):
            if path.stat().st_size <= MAX_ASSIGNMENT_BYTES:
                out.append(path.read_bytes().decode("utf-8", errors="replace"))
        return out

    # -- the person's settings ----------------------------------------------
    def config(self) -> dict[str, Any]:
        """Settings from `config.yaml` in the data folder; {} when there is none."""
        path = self.data_dir / CONFIG_FILE
        if not path.exists():
            return {}
        try:
            data = _read_yaml(path)
        except yaml.YAMLError as exc:
            raise ValueError(f"{path}: could not be read as YAML ({exc}).") from None
        except safeparse.Refused as exc:
            raise ValueError(f"{path} was not read: {exc}.") from None
        return data if isinstance(data, dict) else {}

    def settings(self) -> dict[str, Any]:
        """Choices made in the app (`settings.yaml`: what to track, the welcome seen); {} if none.

        Kept apart from config.yaml, which is the person's own to edit by hand.
        """
        path = self.data_dir / SETTINGS_FILE
        try:
            data = _read_yaml(path)
        except FileNotFoundError:
            return {}
        except (yaml.YAMLError, safeparse.Refused, UnicodeDecodeError) as exc:
            log.warning("%s was not read (%s); the app's choices start afresh.", path, exc)
            return {}
        return data if isinstance(data, dict) else {}

    def save_settings(self, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Merge `changes` into settings.yaml, written atomically; returns the new settings."""
        files.private_folder(self.data_dir)
        with files.lock(self.data_dir / f".{SETTINGS_FILE}.lock", timeout=LOCK_TIMEOUT_S):
            merged = {**self.settings(), **dict(changes)}
            text = yaml.dump(merged, Dumper=safeparse.NoAliasDumper, allow_unicode=True,
                             sort_keys=True)
            atomic_write(self.data_dir / SETTINGS_FILE, text)
        return merged

    def has_entries(self) -> bool:
        """Whether anything has been saved yet (any exercise's file exists)."""
        return any(self.path(kind).exists() for kind in self.catalog)


def _read_yaml(path: Path) -> Any:
    """A YAML file of the data folder: its size checked before it is read, then `safeparse`."""
    with open(path, "rb") as handle:
        raw = handle.read(MAX_CONFIG_BYTES + 1)
    safeparse.check_size(raw, MAX_CONFIG_BYTES, path.name)
    return safeparse.load_yaml(raw.decode("utf-8-sig"))


def _same_exercise(a: Exercise, b: Exercise) -> bool:
    """The same declaration, wherever each was read from."""
    return dataclasses.replace(b, source=a.source) == a


def _find(rows: list[dict[str, str]], entry_id: str) -> int:
    for index, row in enumerate(rows):
        if row.get("id") == entry_id:
            return index
    raise KeyError("That entry is not there any more; it may have been deleted in another window "
                   "or tab.")


def _csv_text(header: list[str], rows: list[dict[str, str]], with_header: bool = True) -> str:
    return files.csv_text(rows, fieldnames=header, header=with_header, lineterminator="\r\n")


def _join(fields: list[str], delimiter: str) -> str:
    return files.csv_text([fields], delimiter=delimiter, lineterminator="")
