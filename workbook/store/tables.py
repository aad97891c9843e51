"""A kind's file read under its declaration: which rows can be used, and why not the others.

The CSV itself is the codec's (`workbook.store.codec.decode_table`); this adds what an exercise
says a row must hold, so the same reading serves the Store and the check that a new version of
a worksheet still fits the entries saved with it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

from workbook.exercises import Exercise, FieldError
from workbook.store import codec
from workbook.store.codec import Table


class UnreadableFile(ValueError):
    """A data file with no usable header: it is left exactly as it is."""

    def __init__(self, path: Path, reason: str):
        self.path = path
        super().__init__(
            f"{path.name} could not be read: {reason}. It has not been changed. Move it out of "
            f"the data folder (or fix its first line) to go on; nothing in it is lost."
        )


def row_problem(exercise: Exercise, row: Mapping[str, str], seen: set[str]) -> str:
    """Why a row of `exercise`'s file cannot be used, or '' when it can."""
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


def read_table(path: Path, exercise: Exercise) -> Table:
    """A kind's file as `exercise` declares it; no file is an empty table.

    A file with no readable header raises UnreadableFile (and is never rewritten).
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Table(tuple(exercise.columns), (), ())
    try:
        return codec.decode_table(raw, exercise.columns,
                                  lambda row, seen: row_problem(exercise, row, seen))
    except codec.NoHeader as exc:
        raise UnreadableFile(path, str(exc)) from None
