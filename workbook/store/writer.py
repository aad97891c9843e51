"""The one place a file of the data folder is written: whole or not at all, under its lock.

The new content goes to a temporary file in the same folder (0600, or `mode`, from its first
byte), is fsynced, then renamed over the old file, and the folder is fsynced so the rename itself
survives a crash. At any moment the file is either the old one or the new one, whole; never
half-written or empty. `lock(path)` is the lock between processes for a read-modify-write of
`path` (a private `.<name>.lock` beside it).

Every write through here is counted (`generation`), so what a `Store` remembers of a file is
forgotten at its next read after any write in this process, whichever module made it (a restore,
a worksheet installed, another Store on the same folder) and however coarse the file system's
clock. Writes by another process are seen by the file's inode, time and size (`signature`): a
rename always gives the file a new inode.

A change to how a save is written (a retry, a different fsync, a copy kept) is made here, and
tested in tests/unit/test_writer.py; nothing else writes a file of the data folder.
"""

from __future__ import annotations

import itertools
import os
import stat
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from filelock import FileLock

from workbook.files import PRIVATE_FILE, TEMP_SUFFIX, private_folder

LOCK_TIMEOUT_S = 30
Signature = tuple[int, int, int, int]
"""(writes through here in this process, inode, modification time in ns, size in bytes)."""

_counter = itertools.count(1)
_generations: dict[str, int] = {}
_guard = threading.Lock()


def _key(path: str | os.PathLike) -> str:
    return os.path.abspath(os.fspath(path))


def _changed(path: str | os.PathLike) -> None:
    """Note a write to `path`: whatever was read of it before is out of date."""
    with _guard:
        _generations[_key(path)] = next(_counter)


def generation(path: str | os.PathLike) -> int:
    """A number that changes with every write to `path` through this module in this process."""
    return _generations.get(_key(path), 0)


def signature(path: str | os.PathLike) -> Signature | None:
    """What identifies one version of a file, or None when there is no file."""
    written = generation(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    return (written, info.st_ino, info.st_mtime_ns, info.st_size)


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
    finally:
        _changed(path)
    fsync_dir(path.parent)


def write(path: str | os.PathLike, data: bytes | str, mode: int | None = None) -> None:
    """Replace `path` with `data`; text is written as UTF-8 with its line endings as given."""
    with replacing(path, mode) as handle:
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)


atomic_write = write
"""The name the rest of the workbook used before the writer had a module of its own."""


def append(path: str | os.PathLike, data: bytes) -> None:
    """Append to `path` (made 0600 if new, whatever the umask) and fsync it.

    Only for files that are never read back into entries (the quarantine file): an append is
    not atomic the way a replace is.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_FILE)
        try:
            if stat.S_IMODE(os.fstat(fd).st_mode) & 0o077:
                os.fchmod(fd, PRIVATE_FILE)
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
    finally:
        _changed(path)


def copy(source: str | os.PathLike, target: str | os.PathLike) -> None:
    """Copy a file as a new 0600 file (atomically)."""
    write(target, Path(source).read_bytes())


def remove(path: str | os.PathLike) -> None:
    """Delete `path` if it is there (an old backup pruned)."""
    try:
        Path(path).unlink(missing_ok=True)
    finally:
        _changed(path)


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


def lock(path: str | os.PathLike, timeout: float = LOCK_TIMEOUT_S) -> FileLock:
    """The lock between processes for changing `path`: `.<name>.lock` beside it, private (0600).

    The folder is made (0700) if it is missing, so the lock can be taken before the first write.
    """
    path = Path(path)
    private_folder(path.parent)
    return FileLock(str(path.parent / f".{path.name}.lock"), timeout=timeout, mode=PRIVATE_FILE)
