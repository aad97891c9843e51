"""Rolling backups of the data folder, made without being asked, and a way to restore one.

Each day the app is opened, a zip of every data file goes to `<data folder>/backups/
YYYY-MM-DD.zip`; the newest `keep` days are kept. Restoring first backs up what is there now
(`before-restore-<time>.zip`, the newest `KEEP_BEFORE_RESTORE` kept), so a restore can itself be
undone. A restored zip passes the same guards as a share bundle before a byte is unpacked.
Deleting an entry takes it out of every backup too (`forget_entry`): deleted means deleted.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from pathlib import Path

from workbook import safeparse
from workbook.files import private_folder
from workbook.store import codec, writer

BACKUP_DIR = "backups"
KEEP_DAYS = 14
KEEP_BEFORE_RESTORE = 3
DATA_FILE = re.compile(r"^[a-z0-9_]+(\.quarantine)?\.csv$|^(config|settings)\.yaml$")
DAILY = re.compile(r"^\d{4}-\d{2}-\d{2}\.zip$")
BEFORE_RESTORE = re.compile(r"^before-restore-[0-9T-]+\.zip$")
MAX_MEMBERS = 200
MAX_MEMBER_BYTES = 200 * 1024 * 1024
MAX_TOTAL_BYTES = 500 * 1024 * 1024
MAX_RATIO = 100
"""A restored zip: at most this many files, this big each and together, this compressed."""


def data_files(data_dir: Path) -> list[Path]:
    """The files that hold the person's data (not locks, temporary files or backups)."""
    if not data_dir.is_dir():
        return []
    return sorted(p for p in data_dir.iterdir() if p.is_file() and DATA_FILE.match(p.name))


def _write_zip(files: list[Path] | dict[str, bytes], target: Path) -> Path:
    """A zip of `files` (paths, or names and contents) written atomically, 0600, in a 0700 folder."""
    private_folder(target.parent)
    with writer.replacing(target) as handle:
        with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            if isinstance(files, dict):
                for name, data in files.items():
                    archive.writestr(name, data)
            else:
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
        writer.remove(old)
    return target


def list_backups(data_dir: str | os.PathLike) -> list[Path]:
    folder = Path(data_dir) / BACKUP_DIR
    return sorted(folder.glob("*.zip")) if folder.is_dir() else []


def _read_backup(source: Path) -> dict[str, bytes]:
    """The data files of a backup zip, after the bundle's guards; ValueError says why not."""
    try:
        with zipfile.ZipFile(source) as archive:
            members = safeparse.check_zip(archive, "a backup", max_members=MAX_MEMBERS,
                                          max_member_bytes=MAX_MEMBER_BYTES,
                                          max_total_bytes=MAX_TOTAL_BYTES, max_ratio=MAX_RATIO)
            for info in members:
                if not DATA_FILE.match(info.filename):
                    raise safeparse.Refused(f"{info.filename!r} is not a workbook data file")
            return {info.filename: safeparse.read_member(archive, info, MAX_MEMBER_BYTES)
                    for info in members}
    except safeparse.Refused as exc:
        raise ValueError(f"{source.name}: {exc}; nothing was restored.") from None
    except (zipfile.BadZipFile, EOFError) as exc:
        raise ValueError(f"{source.name}: this is not a backup zip, or it is damaged ({exc}); "
                         "nothing was restored.") from None


def restore(data_dir: str | os.PathLike, source: str | os.PathLike) -> list[str]:
    """Put a backup's files back in the data folder; what was there is backed up first.

    Only data files with plain names are taken from the zip, within the size, count and ratio
    limits above; anything else refuses the whole zip before anything is written.
    """
    data_dir = Path(data_dir)
    source = Path(source)
    if not source.exists() and DAILY.match(f"{source}.zip"):
        source = data_dir / BACKUP_DIR / f"{source}.zip"  # a date was given
    contents = _read_backup(source)
    current = data_files(data_dir)
    if current:
        stamp = dt.datetime.now().strftime("%Y-%m-%dT%H%M%S")
        _write_zip(current, data_dir / BACKUP_DIR / f"before-restore-{stamp}.zip")
        prune_before_restore(data_dir)
    private_folder(data_dir)
    for name, data in contents.items():
        with writer.lock(data_dir / name):  # a save in another window waits, then reads this
            writer.write(data_dir / name, data)
    return sorted(contents)


def prune_before_restore(data_dir: str | os.PathLike, keep: int = KEEP_BEFORE_RESTORE) -> list[Path]:
    """Keep the newest `keep` before-restore backups; returns the ones removed."""
    folder = Path(data_dir) / BACKUP_DIR
    if not folder.is_dir():
        return []
    made = sorted(p for p in folder.iterdir() if BEFORE_RESTORE.match(p.name))
    old = made[:-keep] if keep > 0 else made
    for path in old:
        writer.remove(path)
    return old


def forget_entry(data_dir: str | os.PathLike, kind: str, entry_id: str) -> list[Path]:
    """Take one entry out of every backup that holds it; returns the backups rewritten.

    Only the lines of that entry go: every other byte of the file stays as it was. A backup
    that cannot be read is left as it is (it is reported in the log, never a reason to fail).
    """
    changed = []
    name = f"{kind}.csv"
    for path in list_backups(data_dir):
        try:
            with zipfile.ZipFile(path) as archive:
                if name not in archive.namelist():
                    continue
                contents = {info.filename: archive.read(info) for info in archive.infolist()}
        except (OSError, zipfile.BadZipFile, EOFError):
            continue
        kept = codec.without_record(contents[name], entry_id)
        if kept is None:
            continue
        contents[name] = kept
        _write_zip(contents, path)
        changed.append(path)
    return changed


def describe(path: Path) -> str:
    """'2026-03-01.zip: mood.csv, win.csv' for listing backups."""
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
        return f"{path.name}: {', '.join(archive.namelist())}"
