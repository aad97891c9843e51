"""The data folder is the person's alone: 0700 folders and 0600 files after a whole session,
whatever the umask, and a folder found with looser modes is tightened and said so."""

from __future__ import annotations

import datetime as dt
import logging
import os
import stat
from pathlib import Path

import pytest

from workbook import backup, bundle, homework, worksheets, workshop
from workbook.homework import Item, make_assignment
from workbook.store import Store

SHEET = worksheets.parse("name: activity\ntitle: Activity log\nfields:\n  - label: What I did\n"
                         "    type: short text\n")


@pytest.fixture(params=[0o000, 0o022, 0o002], ids=["umask-000", "umask-022", "umask-002"])
def umask(request):
    """Run the test under a given umask (the workbook must not rely on the person's)."""
    before = os.umask(request.param)
    yield request.param
    os.umask(before)


def modes(folder: Path) -> dict[str, int]:
    """Every folder and file under `folder` (itself included), relative name -> permission bits."""
    out = {".": stat.S_IMODE(folder.stat().st_mode)}
    for root, dirs, names in os.walk(folder):
        for name in [*dirs, *names]:
            path = Path(root) / name
            out[str(path.relative_to(folder))] = stat.S_IMODE(path.lstat().st_mode)
    return out


def loose(found: dict[str, int], folder: Path) -> dict[str, str]:
    """What is not private: folders other than 0700, files other than 0600."""
    out = {}
    for name, mode in found.items():
        want = 0o700 if (folder / name).is_dir() else 0o600
        if mode != want:
            out[name] = oct(mode)
    return out


def a_whole_session(data: Path, elsewhere: Path) -> None:
    """What a person does in a few weeks: every kind of file the workbook writes into the folder."""
    store = Store(data)
    kept = store.add("mood", {"mood": 4, "note": "a heavy morning"})
    store.add("win", {"description": "cooked a meal"})
    store.save_draft("thought_record", {"situation": "the meeting"})
    store.save_settings({"welcome_seen": True})
    with open(data / "mood.csv", "a", encoding="utf-8", newline="") as handle:  # a hand edit gone wrong
        handle.write("not,a,good,row\r\n")
    store.add("mood", {"mood": 6})  # moves the bad row to mood.quarantine.csv
    assert (data / "mood.quarantine.csv").exists()
    made = backup.daily_backup(data, today=dt.date(2026, 3, 1))
    backup.daily_backup(data, today=dt.date(2026, 3, 2))
    backup.restore(data, made)  # writes backups/before-restore-*.zip
    store = Store(data)
    assignment = make_assignment(dt.date(2026, 3, 2), dt.date(2026, 3, 29),
                                 [Item("mood", 7), Item(SHEET.kind, 2)], worksheet_list=[SHEET])
    homework.install(store, assignment.to_json())  # homework/ and worksheets/
    store.add(SHEET.kind, {"what_i_did": "a walk"})
    store.delete("mood", kept)  # rewrites the backups that held it
    bundle.make_bundle(store, elsewhere / "for-my-therapist.zip", None, None, ["mood", "win"])


def test_every_folder_is_0700_and_every_file_0600_after_a_whole_session(tmp_path, umask):
    data = tmp_path / "data"
    a_whole_session(data, tmp_path)
    found = modes(data)
    for expected in ("mood.csv", "mood.quarantine.csv", "win.csv", "thought_record.csv", "settings.yaml",
                     f"{SHEET.kind}.csv", ".mood.csv.lock", "backups", "backups/2026-03-01.zip",
                     "homework", f"worksheets/{SHEET.kind}.yaml"):
        assert expected in found, expected
    assert any(name.startswith("backups/before-restore-") for name in found)
    assert loose(found, data) == {}
    assert stat.S_IMODE((tmp_path / "for-my-therapist.zip").stat().st_mode) == 0o600


def test_a_workshop_folder_and_its_participants_folders_are_private(tmp_path, umask):
    room = workshop.Workshop(tmp_path / "room")
    (tmp_path / "room").mkdir(mode=0o755)
    (tmp_path / "room" / workshop.CONFIG_FILE).write_text("crisis_resources: []\n")
    issued = room.add(2)
    member = room.check(issued[1].secret)
    folder = room.open_folder(member)
    store = workshop.ParticipantStore(room, member.id)
    store.add("mood", {"mood": 5})
    workshop.set_shares_counts(folder, True)
    backup.daily_backup(folder)
    found = modes(room.root)
    assert "participants" in found and f"participants/{member.id}/config.yaml" in found
    assert loose(found, room.root) == {}


def test_a_loose_folder_is_tightened_when_opened_and_it_is_said_once(tmp_path, caplog):
    data = tmp_path / "data"
    Store(data).add("mood", {"mood": 3})
    backup.daily_backup(data)
    Store(data).save_assignment('{"format": "x"}')
    for path in [data, *data.rglob("*")]:  # as an older version left it, or a copy with cp -r
        path.chmod(0o755 if path.is_dir() else 0o644)
    (data / "my-script.sh").write_text("echo hi\n")  # not the workbook's: left alone
    (data / "my-script.sh").chmod(0o755)
    with caplog.at_level(logging.WARNING, logger="workbook.files"):
        Store(data)
        Store(data)
    found = modes(data)
    assert loose({k: v for k, v in found.items() if k != "my-script.sh"}, data) == {}
    assert found["my-script.sh"] == 0o755
    said = [r.getMessage() for r in caplog.records if "private to you now" in r.getMessage()]
    assert len(said) == 1 and str(data) in said[0]


def test_tightening_never_takes_the_owners_rights(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "mood.csv").write_text("id,created_at\r\n")
    (data / "mood.csv").chmod(0o664)
    Store(data)
    assert stat.S_IMODE((data / "mood.csv").stat().st_mode) == 0o600
    assert Store(data).load("mood").empty
