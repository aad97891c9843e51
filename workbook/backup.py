"""Rolling backups of the data folder, made without being asked, and a way to restore one.

Each day the app is opened, a zip of every data file goes to `<data folder>/backups/
YYYY-MM-DD.zip`; the newest `keep` days are kept. Restoring first backs up what is there now,
so a restore can itself be undone.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from pathlib import Path

from workbook.files import atomic_write, replacing

BACKUP_DIR = "backups"
KEEP_DAYS = 14
DATA_FILE = re.compile(r"^[a-z0-9_]+(\.quarantine)?\.csv$|^(config|settings)\.yaml$")
DAILY = re.compile(r"^\d{4}-\d{2}-\d{2}\.zip$")
MAX_MEMBER_BYTES = 200 * 1024 * 1024


def data_files(data_dir: Path) -> list[Path]:
    """The files that hold the person's data (not locks, temporary files or backups)."""
    if not data_dir.is_dir():
        return []
    return sorted(p for p in data_dir.iterdir() if p.is_file() and DATA_FILE.match(p.name))


def _write_zip(files: list[Path], target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    with replacing(target) as handle:
        with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in files:
                archive.write(path, arcname=path.name)
    return target


def daily_backup(data_dir: str | os.PathLike, keep: int = KEEP_DAYS,
                 today: dt.date | None = None) -> Path | None:
    """Today's backup (made if missing); older daily backups beyond `keep` are removed."""
    data_dir = Path(data_dir)
    files = data_files(data_dir)
    if not files:
        return None
    folder = data_dir / BACKUP_DIR
    target = folder / f"{(today or dt.date.today()).isoformat()}.zip"
    if not target.exists():
        _write_zip(files, target)
    dailies = sorted(p for p in folder.iterdir() if DAILY.match(p.name))
    for old in dailies[:-keep] if keep > 0 else []:
        old.unlink(missing_ok=True)
    return target


def list_backups(data_dir: str | os.PathLike) -> list[Path]:
    folder = Path(data_dir) / BACKUP_DIR
    return sorted(folder.glob("*.zip")) if folder.is_dir() else []


def restore(data_dir: str | os.PathLike, source: str | os.PathLike) -> list[str]:
    """Put a backup's files back in the data folder; what was there is backed up first.

    Only data files with plain names are taken from the zip; anything else is refused.
    """
    data_dir = Path(data_dir)
    source = Path(source)
    if not source.exists() and DAILY.match(f"{source}.zip"):
        source = data_dir / BACKUP_DIR / f"{source}.zip"  # a date was given
    with zipfile.ZipFile(source) as archive:
        members = archive.infolist()
        for info in members:
            if not DATA_FILE.match(info.filename) or info.file_size > MAX_MEMBER_BYTES:
                raise ValueError(f"{source.name}: {info.filename!r} is not a workbook data file; "
                                 "nothing was restored.")
        contents = {info.filename: archive.read(info) for info in members}
    current = data_files(data_dir)
    if current:
        stamp = dt.datetime.now().strftime("%Y-%m-%dT%H%M%S")
        _write_zip(current, data_dir / BACKUP_DIR / f"before-restore-{stamp}.zip")
    data_dir.mkdir(parents=True, exist_ok=True)
    for name, data in contents.items():
        atomic_write(data_dir / name, data)
    return sorted(contents)


def describe(path: Path) -> str:
    """'2026-03-01.zip: mood.csv, win.csv' for listing backups."""
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
        return f"{path.name}: {', '.join(archive.namelist())}"
