"""Homework assignment files a therapist gave, kept in `<data folder>/homework/`.

A file is named after a hash of its content, so the same assignment saved twice is kept once;
each is at most MAX_ASSIGNMENT_BYTES, checked before it is written and before it is read.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from workbook.files import private_folder
from workbook.store import writer

HOMEWORK_DIR = "homework"
MAX_ASSIGNMENT_BYTES = 1_000_000


def save_assignment(data_dir: Path, text: str) -> str:
    """Keep an assignment file; returns its file name. ValueError when it is too large."""
    data = text.encode("utf-8")
    if len(data) > MAX_ASSIGNMENT_BYTES:
        raise ValueError(f"assignment: the file is larger than {MAX_ASSIGNMENT_BYTES // 1_000_000} MB.")
    suffix = ".json" if text.lstrip().startswith("{") else ".yaml"
    target = data_dir / HOMEWORK_DIR / f"{hashlib.sha256(data).hexdigest()[:24]}{suffix}"
    private_folder(target.parent)
    if not target.exists():  # the same content is the same name: nothing to lock against
        writer.write(target, text)
    return target.name


def assignments(data_dir: Path) -> list[str]:
    """The texts of the saved assignment files, oldest saved first."""
    folder = data_dir / HOMEWORK_DIR
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
