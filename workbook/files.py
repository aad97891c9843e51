"""Files in the data folder: replaced atomically, and private to the person who owns them.

The new content goes to a temporary file in the same folder, is fsynced, then renamed over the
old file, and the folder is fsynced so the rename itself survives a crash. At any moment the file
is either the old one or the new one, whole; never half-written or empty. The temporary file is
created readable by its owner only (0600), or with `mode`, from its first byte.

Privacy does not depend on the umask: folders the workbook makes are chmod-ed to 0700 after
`mkdir`, files are made 0600 with `fchmod` (lock files and the quarantine file too), and a data
folder found with looser modes (made by an older version, or copied in) is tightened by
`secure_folder`, which says so once in the log (on the terminal for `workbook` commands).
"""

from __future__ import annotations

import csv
import io
import itertools
import logging
import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from filelock import FileLock

TEMP_SUFFIX = ".tmp"
PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600
LOCK_TIMEOUT_S = 30
OURS = (".csv", ".yaml", ".yml", ".json", ".zip", ".lock", ".txt", ".html", TEMP_SUFFIX)
"""Endings of the files the workbook writes: only these are tightened in a folder it did not make."""

log = logging.getLogger(__name__)


@contextmanager
def replacing(path: str | os.PathLike, mode: int | None = None) -> Iterator[BinaryIO]:
    """A binary handle whose content replaces `path` when the block ends without an error.

    On an error (or an interrupt) the temporary file is removed and `path` is left as it was.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def atomic_write(path: str | os.PathLike, data: bytes | str, mode: int | None = None) -> None:
    """Replace `path` with `data`; text is written as UTF-8 with its line endings as given."""
    with replacing(path, mode) as handle:
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)


def fsync_dir(path: str | os.PathLike) -> None:
    """Make a rename in `path` durable; a file system that cannot fsync a folder is let be."""
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


# -- privacy ----------------------------------------------------------------------------------------
def private_folder(path: str | os.PathLike) -> Path:
    """`path` as a folder only its owner can open (0700), made if missing, whatever the umask.

    Missing parents are made as usual (they are not the workbook's); the folder itself is
    chmod-ed after `mkdir`, because `mkdir`'s mode passes through the umask.
    """
    path = Path(path)
    try:
        path.mkdir(mode=PRIVATE_FOLDER)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        return private_folder(path)
    except FileExistsError:
        if path.is_dir():
            _tighten(path)
            return path
        raise
    os.chmod(path, PRIVATE_FOLDER)
    return path


def lock(path: str | os.PathLike, timeout: float = LOCK_TIMEOUT_S) -> FileLock:
    """A lock between processes whose lock file is private (0600) like everything beside it."""
    return FileLock(str(path), timeout=timeout, mode=PRIVATE_FILE)


def append_private(path: str | os.PathLike, data: bytes) -> None:
    """Append to `path` (made 0600 if new, whatever the umask) and fsync it."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_FILE)
    try:
        if stat.S_IMODE(os.fstat(fd).st_mode) & 0o077:
            os.fchmod(fd, PRIVATE_FILE)
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def copy_private(source: str | os.PathLike, target: str | os.PathLike) -> None:
    """Copy a file into a private folder as a new 0600 file (atomically)."""
    atomic_write(target, Path(source).read_bytes())


def _tighten(path: Path) -> bool:
    """Take group's and others' rights off one file or folder (the owner's are kept)."""
    try:
        info = path.lstat()
    except OSError:
        return False
    if stat.S_ISLNK(info.st_mode) or not stat.S_IMODE(info.st_mode) & 0o077:
        return False
    try:
        os.chmod(path, stat.S_IMODE(info.st_mode) & 0o700)
    except OSError as exc:  # not ours (another owner), or a read-only file system
        log.warning("%s could not be made private (%s).", path, exc.strerror or exc)
        return False
    return True


def secure_folder(folder: str | os.PathLike, subfolders: tuple[str, ...] = ()) -> list[Path]:
    """Make an existing data folder private again; returns what was tightened (and logs it once).

    The folder itself becomes 0700; the workbook's own files in it (by their endings, see
    `OURS`) lose group and other rights; each of `subfolders` (the workbook's own: backups,
    homework, worksheets...) is tightened with everything inside it. Nothing else in the folder
    is touched, and no owner right is ever removed, so a folder given by hand (even a home
    folder) keeps working. Symbolic links are not followed.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    changed = [folder] if _tighten(folder) else []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return changed
    for entry in entries:
        path = Path(entry.path)
        if entry.is_file(follow_symlinks=False) and path.name.endswith(OURS):
            changed += [path] if _tighten(path) else []
        elif entry.is_dir(follow_symlinks=False) and entry.name in subfolders:
            for root, dirs, names in os.walk(path):
                for name in [*dirs, *names]:
                    inner = Path(root) / name
                    changed += [inner] if _tighten(inner) else []
            changed += [path] if _tighten(path) else []
    if changed:
        log.warning("%s could be read by other accounts on this computer; it is private to you now "
                    "(%d file%s and folder%s made readable by you only).", folder, len(changed),
                    "" if len(changed) == 1 else "s", "" if len(changed) == 1 else "s")
    return changed


# -- CSV text with NUL characters ----------------------------------------------------------------
# Python 3.11 made the csv module write and read NUL like any other character. On 3.10 writing a
# field with NUL raises "need to escape, but no escapechar set" and reading one "line contains
# NUL", so a note with a pasted NUL could not be saved, and a file holding one could not be read.
# There, a character the text does not contain stands in for NUL while the csv module works, so
# every version writes and reads the same bytes.
NUL = "\x00"
CSV_HANDLES_NUL = sys.version_info >= (3, 11)


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
