"""Replacing a file atomically: the one way the workbook writes a file someone relies on.

The new content goes to a temporary file in the same folder, is fsynced, then renamed over the
old file, and the folder is fsynced so the rename itself survives a crash. At any moment the file
is either the old one or the new one, whole; never half-written or empty. The temporary file is
created readable by its owner only (0600), or with `mode`, from its first byte.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

TEMP_SUFFIX = ".tmp"


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
