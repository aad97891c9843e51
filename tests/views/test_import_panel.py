"""The import panel driven without a browser: set the upload's value, click Import."""

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


@pytest.fixture
def panel(store) -> ImportPanel:
    return ImportPanel(store)


def test_hooks_for_browser_tests(panel):
    assert "wb-import" in panel._dom_classes
    assert "wb-upload" in panel.upload._dom_classes
    assert "wb-import-button" in panel.import_button._dom_classes
    assert "wb-status" in panel.feedback.status._dom_classes
    assert "wb-error" in panel.feedback.error._dom_classes


def test_daylio_upload_and_import(panel, store):
    seen = []
    panel.on_imported = seen.append
    choose(panel, "daylio_export.csv", (DATA / "daylio_classic.csv").read_bytes())
    panel.import_button.click()
    assert len(store.records("mood")) == 6
    assert "Added 6 mood check-ins from Daylio." in panel.feedback.status.value
    assert panel.feedback.error.value == ""
    assert panel.problems.value == ""
    assert not panel.import_button.disabled
    assert [r.added for r in seen] == [6]
    panel.import_button.click()
    assert len(store.records("mood")) == 6
    assert "6 were already in your workbook" in panel.feedback.status.value


def test_problems_are_listed_with_a_hint_for_own_moods(panel, store):
    choose(panel, "daylio_export.csv", (DATA / "daylio_scales_bom_12h.csv").read_bytes())
    panel.import_button.click()
    assert len(store.records("mood")) == 3
    problems = panel.problems.value
    assert problems.count("<li>") == 4
    assert "line 2: mood &#x27;superb&#x27; is not a Daylio mood" in problems
    assert "Moods you named yourself: superb, so-so." in problems
    panel.mapping.value = "superb=9, so-so=5"
    panel.import_button.click()
    assert len(store.records("mood")) == 5
    assert "Added 2 mood check-ins" in panel.feedback.status.value
    assert "named yourself" not in panel.problems.value


def test_user_text_from_the_file_never_becomes_html(panel, store):
    evil = "<img src=x onerror=alert(1)>"
    choose(panel, f"{evil}.csv", (HEADER + f'2024-05-01,May 1,Wednesday,09:00,{evil},"","",""\n').encode())
    panel.import_button.click()
    shown = panel.problems.value + panel.feedback.status.value
    assert "<img" not in shown
    assert "&lt;img src=x onerror=alert(1)&gt;" in panel.problems.value
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
    assert not store.data_dir.exists()


def test_import_without_a_file(panel, store):
    panel.import_button.click()
    assert "Choose the exported file first" in panel.feedback.error.value
    assert not store.data_dir.exists()


def test_a_bad_own_moods_box_is_explained(panel, store):
    choose(panel, "daylio_export.csv", (DATA / "daylio_classic.csv").read_bytes())
    panel.mapping.value = "great=eleven"
    panel.import_button.click()
    assert "Own moods:" in panel.feedback.error.value
    assert not store.data_dir.exists()


def test_freecbt_import(panel, store):
    panel.format.value = "freecbt"
    assert panel.upload.accept.startswith(".json")
    assert panel.mapping_box.layout.display == "none"
    choose(panel, "FreeCBT.json", (DATA / "freecbt_export.json").read_bytes())
    panel.import_button.click()
    records = store.records("thought_record")
    assert len(records) == 3
    assert "Added 3 thought records from FreeCBT." in panel.feedback.status.value
    assert "entry 4: createdAt" in panel.problems.value
    panel.format.value = "daylio"
    assert panel.mapping_box.layout.display is None
    assert panel.problems.value == ""


def test_the_wrong_format_for_the_file_is_refused(panel, store):
    panel.format.value = "freecbt"
    choose(panel, "daylio_export.csv", (DATA / "daylio_classic.csv").read_bytes())
    panel.import_button.click()
    assert "This is not a FreeCBT or Quirk export: it looks like a CSV file" in panel.feedback.error.value
    assert not store.data_dir.exists()


def test_long_problem_lists_are_cut_short(panel, store):
    rows = "".join(f'2024-01-01,x,y,09:{i % 60:02d},great,"","","{i}"\n' for i in range(SHOWN_PROBLEMS + 5))
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
    assert "No space left on device" in panel.feedback.error.value
    assert not panel.import_button.disabled
