"""workbook.store.writer: a file is replaced whole or not at all, fsynced before and after the rename."""

from __future__ import annotations

import datetime as dt
import os
import stat
import zipfile
from pathlib import Path

import pytest

from workbook import backup, bundle, files, workshop
from workbook.store import Store, writer


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
    writer.write(target, data)
    assert target.read_bytes() == expected
    assert _temporary(tmp_path) == []


def test_new_files_are_private_unless_a_mode_is_given(tmp_path):
    writer.write(tmp_path / "default", "x")
    writer.write(tmp_path / "shared", "x", mode=0o640)
    assert stat.S_IMODE((tmp_path / "default").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "shared").stat().st_mode) == 0o640


def test_an_error_while_writing_leaves_the_old_file_and_no_temporary_file(tmp_path):
    target = tmp_path / "mood.csv"
    target.write_bytes(b"id,created_at\r\n")
    with pytest.raises(RuntimeError), writer.replacing(target) as handle:
        handle.write(b"half of the new")
        raise RuntimeError("the disk is full")
    assert target.read_bytes() == b"id,created_at\r\n"
    assert _temporary(tmp_path) == []


def test_a_failed_rename_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch):
    target = tmp_path / "mood.csv"
    target.write_text("old")

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr(writer.os, "replace", refuse)
    with pytest.raises(PermissionError):
        writer.write(target, "new")
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

    monkeypatch.setattr(writer.os, "fsync", fsync)
    monkeypatch.setattr(writer.os, "replace", replace)
    writer.write(tmp_path / "settings.yaml", "a: 1\n")
    assert steps == ["fsync file", "rename", "fsync folder"]


def test_a_zip_written_through_replacing_is_complete(tmp_path):
    target = tmp_path / "backup.zip"
    with writer.replacing(target) as handle:
        with zipfile.ZipFile(handle, "w") as archive:
            archive.writestr("mood.csv", "id,created_at\r\n")
    with zipfile.ZipFile(target) as archive:
        assert archive.read("mood.csv") == b"id,created_at\r\n"


# -- every module writes through it -------------------------------------------------------------
@pytest.fixture
def replaced(monkeypatch) -> list[tuple]:
    """Every rename into place, and every folder fsynced, in order."""
    events: list[tuple] = []
    real_replace, real_sync = os.replace, writer.fsync_dir

    def replace(src, dst):
        events.append(("rename", Path(src), Path(dst)))
        real_replace(src, dst)

    def sync(folder):
        events.append(("fsync folder", Path(folder)))
        real_sync(folder)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(writer, "fsync_dir", sync)
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


# -- one place writes the data folder ------------------------------------------------------------
def _versions(folder: Path) -> dict[str, tuple[int, int, int]]:
    """Every file under `folder` (lock files aside: they hold nothing) by inode, time and size."""
    out = {}
    for path in folder.rglob("*"):
        if path.is_file() and not path.name.endswith(".lock"):
            info = path.stat()
            out[str(path)] = (info.st_ino, info.st_mtime_ns, info.st_size)
    return out


def _changed_without_the_writer(folder: Path, action) -> list[str]:
    """Files `action` made, changed or removed under `folder` that the writer did not write."""
    before = _versions(folder)
    generations = {path: writer.generation(path) for path in before}
    action()
    after = _versions(folder)
    touched = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    return sorted(Path(p).name for p in touched if writer.generation(p) == generations.get(p, 0))


def test_every_write_into_the_data_folder_goes_through_the_writer(tmp_path):
    """Invariant W3: entries, quarantine, settings, worksheets, homework, backups, restores,
    a deleted entry taken out of the backups, and a workshop participant's sharing choice."""
    from tests.unit.test_worksheets import ACTIVITY

    store = Store(tmp_path / "data")
    data = store.data_dir
    made: dict[str, str] = {}

    def hand_edit() -> None:  # the person's edit, not the workbook's: a bad row to move aside
        (data / "win.csv").write_text("id,created_at,description\r\nno date,x,y\r\n")

    actions = [
        ("add", None, lambda: made.setdefault("id", store.add("mood", {"mood": 4, "note": "x"}))),
        ("update", None, lambda: store.update("mood", made["id"], {"mood": 5})),
        ("draft", None, lambda: store.save_draft("thought_record", {"situation": "work"})),
        ("bad row moved aside", hand_edit, lambda: store.add("win", {"description": "cooked"})),
        ("settings", None, lambda: store.save_settings({"reminders": False})),
        ("worksheet", None, lambda: store.install_worksheet(ACTIVITY)),
        ("homework", None, lambda: store.save_assignment("client: A\nexercises: []\n")),
        ("daily backups, pruned", None, lambda: [
            backup.daily_backup(data, keep=2, today=dt.date(2026, 3, day)) for day in (1, 2, 3)]),
        ("restore", None, lambda: backup.restore(data, data / "backups" / "2026-03-03.zip")),
        ("delete", None, lambda: store.delete("mood", made["id"])),
        ("sharing choice", None, lambda: workshop.set_shares_counts(data, True)),
    ]
    for name, prepare, action in actions:
        if prepare:
            prepare()
        assert _changed_without_the_writer(tmp_path, action) == [], name
    assert (data / "win.quarantine.csv").exists() and (data / workshop.SHARING_FILE).exists()
    assert len(backup.list_backups(data)) == 3  # two dailies and the one made before the restore


def test_a_restore_waits_for_a_save_in_progress(tmp_path):
    """Invariant W4: a file is replaced only under its lock, a restore too."""
    import threading
    import time

    store = Store(tmp_path / "data")
    store.add("mood", {"mood": 4})
    made = backup.daily_backup(store.data_dir, today=dt.date(2026, 3, 1))
    store.add("mood", {"mood": 6})
    during = store.path("mood").read_bytes()
    restoring = threading.Thread(target=backup.restore, args=(store.data_dir, made))
    with writer.lock(store.path("mood")):  # a save in another window holds the file
        restoring.start()
        time.sleep(0.5)
        assert store.path("mood").read_bytes() == during
    restoring.join(10)
    assert list(Store(store.data_dir).load("mood")["mood"]) == [4]


def test_the_generation_moves_with_every_write_and_only_for_its_file(tmp_path):
    """What the store's caches rely on (invariant S2): any write, even a failed one, is counted."""
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    start_a, start_b = writer.generation(a), writer.generation(b)
    writer.write(a, "1")
    assert writer.generation(a) > start_a and writer.generation(b) == start_b
    seen = writer.generation(a)
    with pytest.raises(RuntimeError), writer.replacing(a) as handle:
        handle.write(b"half")
        raise RuntimeError("the disk is full")
    assert writer.generation(a) > seen and a.read_text() == "1"
    writer.append(b, b"x")
    writer.remove(b)
    assert writer.generation(b) > start_b and writer.signature(b) is None


def test_the_old_names_in_workbook_files_are_the_writers_own(tmp_path):
    """Code written against `files.atomic_write` and friends still writes through the writer."""
    from workbook.files import atomic_write

    assert atomic_write is writer.write and files.lock is writer.lock
    before = writer.generation(tmp_path / "x.csv")
    files.atomic_write(tmp_path / "x.csv", "a")
    assert writer.generation(tmp_path / "x.csv") > before
    with pytest.raises(AttributeError):
        files.no_such_thing  # noqa: B018
