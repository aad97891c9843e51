"""Files in the data folder are private to the person who owns them.

How a file is written (atomically, under its lock) is `workbook.store.writer`'s job; this
module says who may read what is written. Privacy does not depend on the umask: folders the
workbook makes are chmod-ed to 0700 after `mkdir`, files are made 0600 with `fchmod` (lock
files and the quarantine file too), and a data folder found with looser modes (made by an older
version, or copied in) is tightened by `secure_folder`, which says so once in the log (on the
terminal for `workbook` commands).
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path
from typing import Any

TEMP_SUFFIX = ".tmp"
PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600
OURS = (".csv", ".yaml", ".yml", ".json", ".zip", ".lock", ".txt", ".html", TEMP_SUFFIX)
"""Endings of the files the workbook writes: only these are tightened in a folder it did not make."""

log = logging.getLogger(__name__)


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


_MOVED = {"atomic_write": ("writer", "write"), "replacing": ("writer", "replacing"),
          "lock": ("writer", "lock"), "fsync_dir": ("writer", "fsync_dir"),
          "append_private": ("writer", "append"), "copy_private": ("writer", "copy"),
          "csv_reader": ("codec", "csv_reader"), "csv_text": ("codec", "csv_text")}
"""Functions that moved to `workbook.store.writer` and `workbook.store.codec`, by their old names."""


def __getattr__(name: str) -> Any:
    """`files.atomic_write` and the other moved names still work, and are the moved functions
    themselves (so a write by an old name is still counted by the writer)."""
    if name not in _MOVED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    module, attribute = _MOVED[name]
    return getattr(importlib.import_module(f"workbook.store.{module}"), attribute)
