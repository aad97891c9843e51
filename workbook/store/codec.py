"""CSV text in and out, with no files: the one place the workbook turns rows into CSV and back.

Pure functions only, so every reader and writer of CSV (the data files, the quarantine file,
share bundles, backups being cleaned of a deleted entry) behaves the same on every Python:

- NUL. Python 3.11 made the csv module write and read NUL like any other character. On 3.10
  writing a field with NUL raises "need to escape, but no escapechar set" and reading one "line
  contains NUL", so a note with a pasted NUL could not be saved, and a file holding one could not
  be read. There a character the text does not contain stands in for NUL while the csv module
  works, so every version writes and reads the same bytes.
- Files edited by hand or by a spreadsheet (`decode_table`): a BOM, CRLF, `;` separators,
  Windows-1252, extra or missing columns, garbage rows and a cut-off last line are read; rows
  that cannot be used come back apart as `BadRow`s, never dropped silently.
- Spreadsheet safety (`escape_cell`, `spreadsheet_csv`), following OWASP's CSV injection
  guidance: a cell a spreadsheet would run as a formula (it starts with =, +, -, @, a tab, a
  carriage return or a line feed) gets a leading single quote, and every cell is quoted. A cell
  that already starts with quotes before such a character gets one more, so `unescape_cell` can
  undo exactly what was added. Only copies meant for spreadsheets are escaped; the data folder
  keeps text as typed.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

NUL = "\x00"
CSV_HANDLES_NUL = sys.version_info >= (3, 11)
LINE_END = "\r\n"
"""Data files end their lines as RFC 4180 says, which is also what spreadsheets write."""
FORMULA_START = "=+-@\t\r\n"  # OWASP's list: equals, plus, minus, at, tab, carriage return, line feed
_ESCAPED = re.compile(r"'+[=+\-@\t\r\n]")  # quotes we added, before a formula character
_NEEDS_ESCAPE = re.compile(r"'*[=+\-@\t\r\n]")


@dataclass(frozen=True)
class BadRow:
    """A row of a data file that could not be used, kept with where it was and why."""

    line: int
    reason: str
    raw: str


@dataclass(frozen=True)
class Table:
    """A data file as read: its header (declared columns first), good rows as exact strings, bad rows."""

    header: tuple[str, ...]
    rows: tuple[dict[str, str], ...]
    bad: tuple[BadRow, ...]


class NoHeader(ValueError):
    """CSV text whose first line is not a header with `id` and `created_at`."""


# -- NUL on every Python ------------------------------------------------------------------------
def _unused_character(text: str) -> str:
    """A private-use character that does not occur in `text`."""
    present = set(text)
    for code in itertools.chain(range(0xE000, 0xF900), range(0xF0000, 0xFFFFE), range(0x100000, 0x10FFFE)):
        if chr(code) not in present:
            return chr(code)
    raise ValueError("no character is free to stand in for NUL")  # 137,000 distinct ones in use


def _swap(value: object, old: str, new: str) -> object:
    return value.replace(old, new) if isinstance(value, str) else value


class _NulReader:
    """`csv.reader` over text holding NUL, on a Python whose csv module refuses it."""

    def __init__(self, text: str, stand_in: str, **options: Any) -> None:
        self._stand_in = stand_in
        self._reader = csv.reader(io.StringIO(text.replace(NUL, stand_in), newline=""), **options)

    def __iter__(self) -> _NulReader:
        return self

    def __next__(self) -> list[str]:
        return [field.replace(self._stand_in, NUL) for field in next(self._reader)]

    @property
    def line_num(self) -> int:
        return self._reader.line_num


def csv_reader(text: str, **options: Any) -> Iterator[list[str]]:
    """`csv.reader` over `text` (with `line_num`); NUL is an ordinary character on every Python."""
    if CSV_HANDLES_NUL or NUL not in text:
        return csv.reader(io.StringIO(text, newline=""), **options)
    return _NulReader(text, _unused_character(text), **options)


def csv_text(rows: Iterable[Sequence[object]] | Iterable[Mapping[str, object]],
             fieldnames: Sequence[str] | None = None, header: bool = False, **options: Any) -> str:
    """Rows (lists, or dicts with `fieldnames`) as CSV text; NUL is written as it is on every Python.

    `header` writes the fieldnames first; `options` go to `csv.writer` or `csv.DictWriter`.
    """
    rows = list(rows)
    names = list(fieldnames or [])
    stand_in = None
    if not CSV_HANDLES_NUL:
        cells = [v for r in rows
                 for v in ([*r.keys(), *r.values()] if isinstance(r, Mapping) else r)]
        text = "".join(v for v in [*cells, *names] if isinstance(v, str))
        if NUL in text:
            stand_in = _unused_character(text)
            names = [name.replace(NUL, stand_in) for name in names]
            rows = [{_swap(k, NUL, stand_in): _swap(v, NUL, stand_in) for k, v in r.items()}
                    if isinstance(r, Mapping) else [_swap(v, NUL, stand_in) for v in r] for r in rows]
    buffer = io.StringIO()
    if fieldnames is None:
        csv.writer(buffer, **options).writerows(rows)  # type: ignore[arg-type]
    else:
        writer = csv.DictWriter(buffer, fieldnames=names, **options)
        if header:
            writer.writeheader()
        writer.writerows(rows)  # type: ignore[arg-type]
    out = buffer.getvalue()
    return out.replace(stand_in, NUL) if stand_in else out


# -- the data files ----------------------------------------------------------------------------
def encode_rows(header: Sequence[str], rows: Iterable[Mapping[str, str]], with_header: bool = True) -> str:
    """Rows of a data file as its text: the header first (unless appending), CRLF line ends."""
    return csv_text(rows, fieldnames=header, header=with_header, lineterminator=LINE_END)


def decode_text(raw: bytes) -> str:
    """A data file's text: UTF-8 (a BOM is dropped), else an older spreadsheet's Windows-1252."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def sniff_delimiter(text: str) -> str:
    """`;` when the first line holds more of them than commas (a spreadsheet set to a comma locale)."""
    first = text.splitlines()[0] if text else ""
    return ";" if first.count(";") > first.count(",") else ","


def join(fields: Sequence[str], delimiter: str = ",") -> str:
    """One row as the CSV line it was (for a bad row kept in the quarantine file)."""
    return csv_text([fields], delimiter=delimiter, lineterminator="")


def decode_table(raw: bytes, declared: Sequence[str],
                 row_problem: Callable[[Mapping[str, str], set[str]], str]) -> Table:
    """Read a data file a person may have edited by hand.

    `declared` are the exercise's columns, which come first in the header; columns found beyond
    them are kept after. `row_problem(row, ids_seen)` says why a row cannot be used ('' when it
    can). Good rows are returned with every header column; bad rows apart, with their line. Text
    with no usable header raises `NoHeader`.
    """
    declared = list(declared)
    text = decode_text(raw)
    if not text.strip():
        return Table(tuple(declared), (), ())
    delimiter = sniff_delimiter(text)
    reader = csv_reader(text, delimiter=delimiter)
    try:
        found = [name.strip() for name in next(reader)]
    except csv.Error as exc:
        raise NoHeader(f"the first line is not a header ({exc})") from None
    if "id" not in found or "created_at" not in found:
        raise NoHeader("the first line should be a header with id and created_at")
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
        joined = join(fields, delimiter)
        if len(fields) != len(found):
            reason = (f"{len(fields)} values for {len(found)} columns"
                      + (" - the line may have been cut off" if len(fields) < len(found) else ""))
            bad.append(BadRow(line, reason, joined))
            continue
        row = dict(zip(found, fields, strict=True))
        reason = row_problem(row, seen)
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
    return Table(tuple(header), tuple(rows), tuple(bad))


def quarantine_text(bad: Iterable[BadRow], file_name: str, moved_at: str, with_header: bool) -> str:
    """Lines for `<kind>.quarantine.csv`: when each bad row was moved, from where, why, and the row."""
    rows: list[list[object]] = [["moved_at", "file", "line", "reason", "row"]] if with_header else []
    rows += [[moved_at, file_name, b.line, b.reason, b.raw] for b in bad]
    return csv_text(rows, lineterminator=LINE_END)


def without_record(data: bytes, entry_id: str) -> bytes | None:
    """A data file's bytes without the record whose id is `entry_id`; None if it is not there.

    Only that record's lines go: every other byte (a BOM, the line ends, the quoting) stays.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    bom = data.startswith(b"\xef\xbb\xbf")
    lines = io.StringIO(text, newline="").readlines()
    reader = csv_reader(text, delimiter=sniff_delimiter(text))
    try:
        header = [name.strip() for name in next(reader)]
        column = header.index("id")
    except (StopIteration, ValueError, csv.Error):
        return None
    drop: list[tuple[int, int]] = []
    start = reader.line_num
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error:
            start = reader.line_num
            continue
        if len(fields) > column and fields[column] == entry_id:
            drop.append((start, reader.line_num))
        start = reader.line_num
    if not drop:
        return None
    for begin, end in reversed(drop):
        del lines[begin:end]
    return ("\ufeff" if bom else "").encode("utf-8") + "".join(lines).encode("utf-8")


# -- copies for spreadsheets -------------------------------------------------------------------
def escape_cell(text: str) -> str:
    """OWASP CSV-injection neutralising: quote-prefix a cell a spreadsheet would run as a formula."""
    return "'" + text if _NEEDS_ESCAPE.match(text) else text


def unescape_cell(text: str) -> str:
    """Undo `escape_cell` exactly (one leading quote off cells it would have prefixed)."""
    return text[1:] if _ESCAPED.match(text) else text


def spreadsheet_csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """A copy for a spreadsheet: every cell escaped and quoted, a BOM so it is opened as UTF-8."""
    table = [list(header), *([escape_cell(cell) for cell in row] for row in rows)]
    text = csv_text(table, quoting=csv.QUOTE_ALL, lineterminator=LINE_END)
    return ("\ufeff" + text).encode("utf-8")
