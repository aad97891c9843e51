"""The import panel driven without a browser: choose a file, Check, look at the preview, Add."""

import datetime as dt
from pathlib import Path

import pytest

from workbook.ui.import_panel import SHOWN_PROBLEMS, ImportPanel

DATA = Path(__file__).resolve().parent.parent / "data" / "imports"
HEADER = "full_date,date,weekday,time,mood,activities,note_title,note\n"


def choose(panel: ImportPanel, name: str, content: bytes) -> None:
    """What the browser sends for one chosen file (ipywidgets 8)."""
    panel.upload.value = ({
        "name": name,
        "type": "text/csv" if name.endswith(".csv") else "application/json",
        "size": len(content),
        "content": memoryview(content),
        "last_modified": dt.datetime(2025, 1, 21, tzinfo=dt.timezone.utc),
    },)


def shown(widget) -> bool:
    return widget.layout.display != "none"


@pytest.fixture
def panel(store) -> ImportPanel:
    return ImportPanel(store)


def test_hooks_for_browser_tests(panel):
    assert "wb-import" in panel._dom_classes
    assert "wb-upload" in panel.upload._dom_classes
    assert "wb-import-button" in panel.import_button._dom_classes
    assert "wb-import-preview" in panel.preview_box._dom_classes
    assert "wb-import-confirm" in panel.confirm_button._dom_classes
    assert "wb-import-cancel" in panel.cancel_button._dom_classes
    assert "wb-status" in panel.feedback.status._dom_classes
    assert "wb-error" in panel.feedback.error._dom_classes


def test_check_shows_a_preview_and_writes_nothing_until_add(panel, store):
    seen = []
    panel.on_imported = seen.append
    choose(panel, "daylio_export.csv", (DATA / "daylio_classic.csv").read_bytes())
    panel.import_button.click()
    assert not store.data_dir.exists()  # nothing written by looking
    assert shown(panel.preview_box)
    summary = panel.summary.value
    assert "would add 6 entries. Nothing is added until you say so." in summary
    assert "<li>Mood check-in: 6 new</li>" in summary
    assert "<li>Dates: 2024-03-09 to 2024-03-14</li>" in summary
    assert panel.confirm_button.description == "Add 6 entries"
    panel.confirm_button.click()
    assert len(store.records("mood")) == 6
    assert "Added 6 mood check-ins from Daylio." in panel.feedback.status.value
    assert not shown(panel.preview_box)
    assert [r.added for r in seen] == [6]
    panel.import_button.click()  # the same file again
    assert "has nothing new to add" in panel.summary.value
    assert "Already in your workbook, so not added again: 6" in panel.summary.value
    assert panel.confirm_button.disabled


def test_cancel_writes_nothing(panel, store):
    choose(panel, "daylio_export.csv", (DATA / "daylio_classic.csv").read_bytes())
    panel.import_button.click()
    panel.cancel_button.click()
    assert not shown(panel.preview_box)
    assert "Nothing was added." in panel.feedback.status.value
    assert not store.data_dir.exists()


def test_choosing_another_file_forgets_the_checked_one(panel, store):
    choose(panel, "daylio_export.csv", (DATA / "daylio_classic.csv").read_bytes())
    panel.import_button.click()
    choose(panel, "other.csv", (DATA / "daylio_2018.csv").read_bytes())
    assert not shown(panel.preview_box)
    panel.confirm()
    assert "Check a file first" in panel.feedback.error.value
    assert not store.data_dir.exists()


def test_own_mood_names_get_a_place_on_the_scale_on_the_page(panel, store):
    choose(panel, "daylio_export.csv", (DATA / "daylio_scales_bom_12h.csv").read_bytes())
    panel.import_button.click()
    assert list(panel.mood_pickers) == ["superb", "so-so"]
    assert all("wb-import-mood" in p._dom_classes for p in panel.mood_pickers.values())
    assert "Waiting for a place on the scale: 2 (superb, so-so)" in panel.summary.value
    assert "These mood names are your own" in panel.moods_help.value
    assert panel.confirm_button.description == "Add 3 entries"
    problems = panel.problems.value
    assert problems.count("<li>") == 2  # the two rows that cannot come in; moods are asked above
    assert "line 6: has 2 columns where a Daylio row has 9" in problems
    panel.mood_pickers["superb"].value = 10
    assert panel.confirm_button.description == "Add 4 entries"
    assert "Waiting for a place on the scale: 1 (so-so)" in panel.summary.value
    panel.confirm_button.click()
    records = store.records("mood")
    assert len(records) == 4
    assert sorted(r["mood"] for r in records) == [1, 7, 9, 10]
    assert "Moods you named yourself and left out for now: so-so." in panel.problems.value
    assert "--map" not in panel.problems.value
    panel.import_button.click()  # later, the same file, the last name placed
    panel.mood_pickers["so-so"].value = 4
    assert panel.confirm_button.description == "Add 1 entry"
    panel.confirm_button.click()
    assert len(store.records("mood")) == 5


def test_a_daylio_backup_on_the_page(panel, store):
    choose(panel, "backup.daylio", (DATA / "daylio_backup.daylio").read_bytes())
    panel.import_button.click()
    assert panel.mood_pickers == {}
    assert "Photos (1) stay in Daylio" in panel.summary.value
    panel.confirm_button.click()
    assert len(store.records("mood")) == 4


def test_a_cut_off_file_says_so_before_anything_is_added(panel, store):
    choose(panel, "daylio_export.csv", (DATA / "daylio_truncated.csv").read_bytes())
    panel.import_button.click()
    assert "The file looks cut off" in panel.summary.value
    panel.confirm_button.click()
    assert "The file looks cut off" in panel.feedback.status.value


def test_a_bundle_on_the_page(panel, store, tmp_path):
    from workbook.bundle import make_bundle
    from workbook.store import Store

    mine = Store(tmp_path / "mine")
    mine.add("win", {"description": "-5 degrees and I still went out"})
    mine.add("mood", {"mood": 6, "note": "=calm"})
    out = tmp_path / "bundle.zip"
    make_bundle(mine, out, None, None, ["win", "mood"])
    panel.format.value = "bundle"
    assert panel.upload.accept.startswith(".zip")
    choose(panel, "bundle.zip", out.read_bytes())
    panel.import_button.click()
    assert "<li>Small wins: 1 new</li><li>Mood check-in: 1 new</li>" in panel.summary.value
    panel.confirm_button.click()
    assert store.records("win")[0]["description"] == "-5 degrees and I still went out"
    assert store.records("mood")[0]["note"] == "=calm"


def test_user_text_from_the_file_never_becomes_html(panel, store):
    evil = "<img src=x onerror=alert(1)>"
    choose(panel, f"{evil}.csv", (HEADER + f'2024-05-01,May 1,Wednesday,09:00,{evil},"","",""\n').encode())
    panel.import_button.click()
    everything = panel.problems.value + panel.summary.value + panel.moods_help.value
    assert "<img" not in everything
    assert "&lt;img src=x onerror=alert(1)&gt;" in panel.summary.value
    assert list(panel.mood_pickers) == [evil]  # a dropdown's description is text, not HTML
    panel.confirm_button.click()
    assert "<img" not in panel.problems.value
    choose(panel, f"{evil}.csv", b"not,a,daylio,file\n")
    panel.import_button.click()
    assert "<img" not in panel.feedback.error.value
    assert "&lt;img src=x onerror=alert(1)&gt;.csv" in panel.feedback.error.value


def test_a_refused_file_shows_why_and_writes_nothing(panel, store):
    choose(panel, "photo.png", (DATA / "photo.png").read_bytes())
    panel.import_button.click()
    error = panel.feedback.error.value
    assert "photo.png: This is not a Daylio CSV export: it is a binary file, not text." in error
    assert "Nothing was imported." in error
    assert panel.feedback.status.value == ""
    assert not shown(panel.preview_box)
    assert not store.data_dir.exists()


def test_check_without_a_file(panel, store):
    panel.import_button.click()
    assert "Choose the exported file first" in panel.feedback.error.value
    assert not store.data_dir.exists()


def test_freecbt_import(panel, store):
    panel.format.value = "freecbt"
    assert panel.upload.accept.startswith(".json")
    choose(panel, "FreeCBT.json", (DATA / "freecbt_export.json").read_bytes())
    panel.import_button.click()
    assert "<li>Thought record: 3 new</li>" in panel.summary.value
    panel.confirm_button.click()
    assert len(store.records("thought_record")) == 3
    assert "Added 3 thought records from FreeCBT." in panel.feedback.status.value
    assert "entry 4: createdAt" in panel.problems.value
    panel.format.value = "daylio"
    assert panel.problems.value == ""


def test_the_wrong_format_for_the_file_is_refused(panel, store):
    panel.format.value = "freecbt"
    choose(panel, "daylio_export.csv", (DATA / "daylio_classic.csv").read_bytes())
    panel.import_button.click()
    assert "This is not a FreeCBT or Quirk export: it looks like a CSV file" in panel.feedback.error.value
    assert not store.data_dir.exists()


def test_long_problem_lists_are_cut_short(panel, store):
    rows = "".join(f'2024-01-01,x,y,09:{i % 60:02d},good,"","","{i}",extra\n'
                   for i in range(SHOWN_PROBLEMS + 5))
    choose(panel, "daylio_export.csv", (HEADER + rows).encode())
    panel.import_button.click()
    assert panel.problems.value.count("<li>") == SHOWN_PROBLEMS + 1
    assert "…and 5 more." in panel.problems.value


def test_errors_while_writing_reach_the_page(panel, store, monkeypatch):
    def full_disk(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "add_many", full_disk)
    choose(panel, "daylio_export.csv", (DATA / "daylio_classic.csv").read_bytes())
    panel.import_button.click()
    panel.confirm_button.click()
    assert "No space left on device" in panel.feedback.error.value
    assert not panel.confirm_button.disabled


def test_a_file_from_another_app_says_which_to_choose(panel, store):
    choose(panel, "backup.daylio", (DATA / "daylio_backup.daylio").read_bytes())
    panel.format.value = "freecbt"
    panel.import_button.click()
    error = panel.feedback.error.value
    assert "Nothing was imported. It looks like a file from Daylio: choose Daylio above" in error
    assert not store.data_dir.exists()
