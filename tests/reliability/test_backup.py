import datetime as dt
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
