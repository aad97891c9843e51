"""workbook.files: a file is replaced whole or not at all, fsynced before and after the rename."""

from __future__ import annotations

import datetime as dt
import os
import stat
import zipfile
from pathlib import Path

import pytest

from workbook import backup, bundle, files, workshop
from workbook.store import Store


def _temporary(folder) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(files.TEMP_SUFFIX)]


@pytest.mark.parametrize("data, expected", [
    ("line one\r\nline two\n", b"line one\r\nline two\n"),   # text as given, line endings kept
    ("caf\u00e9 \U0001f331", "caf\u00e9 \U0001f331".encode()),  # UTF-8
    (b"\x00\xffbytes", b"\x00\xffbytes"),
    ("", b""),
])
def test_atomic_write_writes_exactly_what_it_was_given(tmp_path, data, expected):
    target = tmp_path / "file.csv"
    target.write_bytes(b"old content")
    files.atomic_write(target, data)
    assert target.read_bytes() == expected
    assert _temporary(tmp_path) == []


def test_new_files_are_private_unless_a_mode_is_given(tmp_path):
    files.atomic_write(tmp_path / "default", "x")
    files.atomic_write(tmp_path / "shared", "x", mode=0o640)
    assert stat.S_IMODE((tmp_path / "default").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "shared").stat().st_mode) == 0o640


def test_an_error_while_writing_leaves_the_old_file_and_no_temporary_file(tmp_path):
    target = tmp_path / "mood.csv"
    target.write_bytes(b"id,created_at\r\n")
    with pytest.raises(RuntimeError), files.replacing(target) as handle:
        handle.write(b"half of the new")
        raise RuntimeError("the disk is full")
    assert target.read_bytes() == b"id,created_at\r\n"
    assert _temporary(tmp_path) == []


def test_a_failed_rename_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch):
    target = tmp_path / "mood.csv"
    target.write_text("old")

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr(files.os, "replace", refuse)
    with pytest.raises(PermissionError):
        files.atomic_write(target, "new")
    assert target.read_text() == "old"
    assert _temporary(tmp_path) == []


def test_data_is_fsynced_before_the_rename_and_the_folder_after(tmp_path, monkeypatch):
    steps: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        steps.append("fsync folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "fsync file")
        real_fsync(fd)

    def replace(src, dst):
        steps.append("rename")
        real_replace(src, dst)

    monkeypatch.setattr(files.os, "fsync", fsync)
    monkeypatch.setattr(files.os, "replace", replace)
    files.atomic_write(tmp_path / "settings.yaml", "a: 1\n")
    assert steps == ["fsync file", "rename", "fsync folder"]


def test_a_zip_written_through_replacing_is_complete(tmp_path):
    target = tmp_path / "backup.zip"
    with files.replacing(target) as handle:
        with zipfile.ZipFile(handle, "w") as archive:
            archive.writestr("mood.csv", "id,created_at\r\n")
    with zipfile.ZipFile(target) as archive:
        assert archive.read("mood.csv") == b"id,created_at\r\n"


# -- every module writes through it -------------------------------------------------------------
@pytest.fixture
def replaced(monkeypatch) -> list[tuple]:
    """Every rename into place, and every folder fsynced, in order."""
    events: list[tuple] = []
    real_replace, real_sync = os.replace, files.fsync_dir

    def replace(src, dst):
        events.append(("rename", Path(src), Path(dst)))
        real_replace(src, dst)

    def sync(folder):
        events.append(("fsync folder", Path(folder)))
        real_sync(folder)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(files, "fsync_dir", sync)
    return events


def test_store_backup_bundle_and_workshop_all_replace_files_atomically(tmp_path, replaced):
    store = Store(tmp_path / "data")
    store.add("mood", {"mood": 4})
    store.save_settings({"reminders": False})
    made = backup.daily_backup(store.data_dir, today=dt.date(2026, 3, 1))
    backup.restore(store.data_dir, made)
    bundle.make_bundle(store, tmp_path / "out" / "bundle.zip", None, None, ["mood"])
    room = workshop.Workshop(tmp_path / "workshop")
    room.add(1)
    renames = [(src, dst) for what, *paths in replaced if what == "rename" for src, dst in [paths]]
    assert {"mood.csv", "settings.yaml", "2026-03-01.zip", "bundle.zip", workshop.REGISTRY,
            workshop.LINKS_TXT, workshop.LINKS_HTML} <= {dst.name for _, dst in renames}
    assert any(dst.name.startswith("before-restore-") for _, dst in renames)
    for index, event in enumerate(replaced):
        if event[0] == "rename":
            _, src, dst = event
            assert src.parent == dst.parent and src.name.startswith(f".{dst.name}.")
            assert replaced[index + 1] == ("fsync folder", dst.parent), dst
    for name in (workshop.REGISTRY, workshop.LINKS_TXT, workshop.LINKS_HTML):
        assert stat.S_IMODE((room.root / name).stat().st_mode) == 0o600
