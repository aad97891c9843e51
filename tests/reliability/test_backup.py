import datetime as dt
import stat
import zipfile

import pytest

from workbook import backup
from workbook.store import Store


def test_daily_backup_rolls(store):
    store.add("mood", {"mood": 4})
    for day in range(1, 20):
        backup.daily_backup(store.data_dir, keep=14, today=dt.date(2026, 3, day))
    names = [p.name for p in backup.list_backups(store.data_dir)]
    assert len(names) == 14
    assert names[0] == "2026-03-06.zip" and names[-1] == "2026-03-19.zip"
    with zipfile.ZipFile(store.data_dir / "backups" / "2026-03-19.zip") as archive:
        assert archive.namelist() == ["mood.csv"]


def test_nothing_to_back_up(tmp_path):
    assert backup.daily_backup(tmp_path / "empty") is None


def test_restore_brings_entries_back_and_keeps_the_current_state(store):
    kept = store.add("win", {"description": "cooked, \"really\""})
    made = backup.daily_backup(store.data_dir, today=dt.date(2026, 3, 1))
    store.update("win", kept, {"description": "changed after the backup"})  # (a delete would reach
    store.add("win", {"description": "after the backup"})                  # the backups too)
    restored = backup.restore(store.data_dir, made)
    assert restored == ["win.csv"]
    assert list(Store(store.data_dir).load("win")["description"]) == ["cooked, \"really\""]
    before = [p for p in backup.list_backups(store.data_dir) if p.name.startswith("before-restore")]
    assert len(before) == 1  # the restore can itself be undone
    backup.restore(store.data_dir, before[0])
    assert list(Store(store.data_dir).load("win")["description"]) == ["changed after the backup",
                                                                        "after the backup"]


def test_restore_by_date(store):
    store.add("mood", {"mood": 2})
    backup.daily_backup(store.data_dir, today=dt.date(2026, 3, 1))
    assert backup.restore(store.data_dir, "2026-03-01") == ["mood.csv"]


@pytest.mark.parametrize("name", ["../escape.csv", "/etc/passwd", "notes.txt", "sub/mood.csv"])
def test_restore_refuses_foreign_members(store, tmp_path, name):
    store.add("mood", {"mood": 2})
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as archive:
        archive.writestr(name, "x")
    with pytest.raises(ValueError, match="nothing was restored"):
        backup.restore(store.data_dir, evil)
    assert len(store.load("mood")) == 1
    assert not (tmp_path / "escape.csv").exists()


def test_backup_and_restore_commands(store, capsys):
    from workbook.cli import main

    assert main(["backup", "--data-dir", str(store.data_dir)]) == 0
    assert "Nothing to back up" in capsys.readouterr().out
    store.add("mood", {"mood": 7})
    assert main(["backup", "--data-dir", str(store.data_dir)]) == 0
    made = capsys.readouterr().out.splitlines()[0]
    store.add("mood", {"mood": 1})
    assert main(["restore", made, "--data-dir", str(store.data_dir)]) == 0
    assert list(Store(store.data_dir).load("mood")["mood"]) == [7]
    assert main(["restore", "/nonexistent.zip", "--data-dir", str(store.data_dir)]) == 1


# -- a restored zip passes the same guards as a share bundle ------------------------------------
def _bomb(path, names=("mood.csv", "win.csv", "session.csv", "checkin.csv"), each=150 * 1024 * 1024):
    """A zip of ~600 kB that would unpack to 600 MB, each member under the old 200 MB limit."""
    chunk = b"0" * (1024 * 1024)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in names:
            with archive.open(name, "w", force_zip64=True) as handle:
                for _ in range(each // len(chunk)):
                    handle.write(chunk)
    return path


def test_restore_refuses_a_zip_bomb_before_writing_anything(store, tmp_path):
    store.add("mood", {"mood": 2})
    bomb = _bomb(tmp_path / "bomb.zip")
    assert bomb.stat().st_size < 1024 * 1024
    with pytest.raises(ValueError, match="zip bomb|MB unpacked|at most") as caught:
        backup.restore(store.data_dir, bomb)
    assert "nothing was restored" in str(caught.value)
    assert len(store.load("mood")) == 1
    assert sum(p.stat().st_size for p in store.data_dir.rglob("*") if p.is_file()) < 1024 * 1024


@pytest.mark.parametrize(("members", "message"), [
    ([(f"kind{i}.csv", b"id,created_at\r\n") for i in range(250)], "at most 200"),
    ([("mood.csv", b"id,created_at\r\n"), ("mood.csv", b"again")], "twice"),
    ([("mood.csv", b"\0" * (5 * 1024 * 1024))], "zip bomb"),
])
def test_restore_refuses_what_a_backup_never_holds(store, tmp_path, members, message):
    evil = tmp_path / "evil.zip"
    with pytest.warns(UserWarning) if message == "twice" else _nothing():
        with zipfile.ZipFile(evil, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, data in members:
                archive.writestr(name, data)
    with pytest.raises(ValueError, match=message):
        backup.restore(store.data_dir, evil)
    assert not (store.data_dir / "kind0.csv").exists()


def _nothing():
    from contextlib import nullcontext

    return nullcontext()


def test_before_restore_backups_are_pruned_to_the_newest_few(store, monkeypatch):
    store.add("mood", {"mood": 2})
    made = backup.daily_backup(store.data_dir, today=dt.date(2026, 3, 1))
    times = iter(dt.datetime(2026, 3, 1, 9, minute) for minute in range(10))

    class Clock(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return next(times)

    monkeypatch.setattr(backup.dt, "datetime", Clock)
    for _ in range(6):
        backup.restore(store.data_dir, made)
    before = [p.name for p in backup.list_backups(store.data_dir) if p.name.startswith("before-restore")]
    assert backup.KEEP_BEFORE_RESTORE == 3
    assert before == [f"before-restore-2026-03-01T09{m:02d}00.zip" for m in (3, 4, 5)]
    assert (store.data_dir / "backups" / "2026-03-01.zip").exists()  # daily backups are not touched


# -- deleting an entry takes it out of the backups -----------------------------------------------
def test_a_deleted_entry_is_taken_out_of_every_backup_and_nothing_else(store):
    gone = store.add("win", {"description": "something I do not want kept"})
    store.add("win", {"description": "cooked, \"really\"\nwith a second line"})
    store.add("mood", {"mood": 3})
    backup.daily_backup(store.data_dir, today=dt.date(2026, 3, 1))
    backup.daily_backup(store.data_dir, today=dt.date(2026, 3, 2))
    backup.restore(store.data_dir, store.data_dir / "backups" / "2026-03-01.zip")  # a before-restore zip
    zips = backup.list_backups(store.data_dir)
    assert len(zips) == 3
    before = {p.name: _members(p) for p in zips}
    store.delete("win", gone)
    for path in zips:
        after = _members(path)
        assert gone.encode() not in after["win.csv"]
        assert b"something I do not want kept" not in after["win.csv"]
        lines = before[path.name]["win.csv"].split(b"\r\n")
        assert after["win.csv"] == b"\r\n".join(x for x in lines if gone.encode() not in x)
        assert after["mood.csv"] == before[path.name]["mood.csv"]
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    restored = backup.restore(store.data_dir, zips[0])
    assert restored == ["mood.csv", "win.csv"]
    assert list(Store(store.data_dir).load("win")["description"]) == [
        "cooked, \"really\"\nwith a second line"]


def _members(path):
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}
