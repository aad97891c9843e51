"""My homework, the composer and the worksheet builder, driven without a browser."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import re

import pytest

from workbook import homework, worksheets
from workbook.homework import Item, make_assignment
from workbook.store import Store
from workbook.ui.app import App
from workbook.ui.homework_page import HomeworkPage
from workbook.ui.pages import ToolPage, page_class
from workbook.ui.therapist import AssignmentComposer, TherapistPage, WorksheetBuilder

TODAY = dt.date(2026, 3, 11)  # a Wednesday
XSS = "<img src=x onerror=alert(1)>"
SHEET_TEXT = ("name: activity\ntitle: Activity log\nfields:\n  - label: What I did\n    type: short text\n"
              "    required: true\n  - label: Enjoyment\n    type: 0-10 scale\n")
SHEET = worksheets.parse(SHEET_TEXT)


def upload(name: str, content: bytes) -> tuple[dict, ...]:
    """What the browser sends for one chosen file (ipywidgets 8)."""
    return ({"name": name, "type": "application/json", "size": len(content), "content": memoryview(content),
             "last_modified": dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)},)


def homework_file(**changes) -> bytes:
    base = dict(start=dt.date(2026, 3, 2), until=dt.date(2026, 3, 29),
                items=[Item("mood", 7), Item("win", 5, f"Notice one thing {XSS}"), Item(SHEET.kind, 2)],
                note=f"Small steps count.\n{XSS}", therapist=f"Dr {XSS}", client="Sam",
                worksheet_list=[SHEET])
    base.update(changes)
    return make_assignment(**base).to_json().encode("utf-8")


def from_link(html: str) -> bytes:
    found = re.search(r'href="data:[^;]+;base64,([^"]+)"', html)
    assert found, html
    return base64.b64decode(found.group(1))


@pytest.fixture
def opened() -> list[str]:
    return []


@pytest.fixture
def page(store, opened) -> HomeworkPage:
    return HomeworkPage(store, opened.append, today=TODAY)


def text_of(widget) -> str:
    """Every HTML value and button label under a widget."""
    out = []
    for child in getattr(widget, "children", ()):
        out.append(text_of(child))
    value = getattr(widget, "value", "")
    out.append(value if isinstance(value, str) else "")
    out.append(str(getattr(widget, "description", "") or ""))
    return "\n".join(out)


# -- My homework ----------------------------------------------------------------------------------
def test_hooks_for_browser_tests(page):
    assert {"wb-page", "wb-page-homework"} <= set(page._dom_classes)
    assert "wb-upload" in page.upload._dom_classes
    assert not page.upload.multiple
    assert "No homework yet" in text_of(page.current)


def test_upload_installs_and_shows_the_checklist(page, store, opened):
    page.upload.value = upload("homework.json", homework_file())
    assert "Homework added: 3 exercises and 1 new worksheet" in page.feedback.status.value
    assert page.feedback.error.value == ""
    assert page.upload.value == ()  # cleared, so the same file can be chosen again
    assert "ws_activity" in store.catalog and len(store.assignments()) == 1
    shown = text_of(page.current)
    assert "0 of 7 this week" in shown and "0 of 5 this week" in shown and "0 of 2 this week" in shown
    assert "This week&#x27;s ends Sun 15 Mar 2026" in shown
    assert "Small steps count.<br>" in shown
    # everything from the file is escaped
    assert XSS not in text_of(page) and "&lt;img src=x onerror=alert(1)&gt;" in shown
    page.open_buttons["win"][0].click()
    page.tool_buttons["ws_activity"].click()
    assert opened == ["win", "ws_activity"]
    assert "wb-nav-ws_activity" in page.tool_buttons["ws_activity"]._dom_classes
    assert "wb-open-mood" in page.open_buttons["mood"][0]._dom_classes


def test_counts_come_from_what_is_saved(page, store):
    page.install(homework_file())
    store.add("mood", {"mood": 5, "created_at": "2026-03-08T21:00:00+01:00"})  # Sunday: last week
    for day in (9, 10, 11):
        store.add("mood", {"mood": 6, "created_at": f"2026-03-{day:02d}T09:00:00+01:00"})
    store.add("ws_activity", {"what_i_did": "walked", "enjoyment": 6,
                              "created_at": "2026-03-11T08:00:00+01:00"})
    store.add("ws_activity", {"what_i_did": "read", "created_at": "2026-03-10T18:00:00+01:00"})
    page.refresh()
    shown = text_of(page.current)
    assert "3 of 7 this week" in shown
    assert "2 of 2 this week - done for this week, well done" in shown
    met = [row for row in page.current.children[0].children[1:] if "wb-homework-met" in row._dom_classes]
    assert [("wb-homework-item-ws_activity" in row._dom_classes) for row in met] == [True]


def test_a_refused_file_says_why_and_keeps_nothing(page, store):
    page.upload.value = upload("photo.json", b"\x89PNG\r\n\x1a\n\x00\x00")
    assert "photo.json was not added" in page.feedback.error.value
    assert "not a text file" in page.feedback.error.value
    bad = json.loads(homework_file())
    bad["start"], bad["until"] = bad["until"], bad["start"]
    page.install(json.dumps(bad).encode(), f"{XSS}.json")
    assert "reversed" in page.feedback.error.value
    assert XSS not in page.feedback.error.value
    assert store.assignments() == [] and "ws_activity" not in store.catalog


def test_finished_homework_is_kept_apart(page, store):
    page.install(homework_file(start=dt.date(2026, 2, 2), until=dt.date(2026, 3, 1), note="the first one"))
    store.add("win", {"description": "w", "created_at": "2026-02-10T10:00:00+01:00"})
    page.install(homework_file(items=[Item("mood", 7)], worksheet_list=[], note="the second one"))
    page.install(homework_file(start=dt.date(2026, 3, 16), until=dt.date(2026, 4, 12),
                               items=[Item("checkin", 1)], worksheet_list=[], note="the next one"))
    current, finished = text_of(page.current), text_of(page.finished)
    assert "the second one" in current and "the next one" in current and "Starts Mon 16 Mar 2026" in current
    assert "the first one" not in current
    assert "Finished homework" in finished and "the first one" in finished
    assert "Small wins: 1 done" in finished
    assert len(page.assignments) == 3
    # a new page (the next visit) shows the same
    again = HomeworkPage(Store(store.data_dir), lambda kind: None, today=TODAY)
    assert "the first one" in text_of(again.finished)


def test_only_finished_homework(page):
    page.install(homework_file(start=dt.date(2026, 2, 2), until=dt.date(2026, 3, 1)))
    assert "No current homework" in text_of(page.current)


def test_problems_with_worksheets_are_shown(store):
    folder = store.data_dir / "worksheets"
    folder.mkdir(parents=True)
    (folder / "bad.yaml").write_text(f"title: x\nfields:\n  - label: a\n    type: {XSS}\n", encoding="utf-8")
    page = HomeworkPage(Store(store.data_dir), lambda kind: None, today=TODAY)
    assert "bad.yaml was skipped" in page.problems.value and "line 4" in page.problems.value
    assert XSS not in page.problems.value


def test_a_worksheet_works_like_a_built_in_tool(store):
    kind = store.install_worksheet(SHEET_TEXT).kind
    assert page_class(kind) is ToolPage
    tool = ToolPage(store.exercise(kind), store)
    assert f"wb-page-{kind}" in tool._dom_classes
    tool.form.inputs["enjoyment"].slider.value = 8
    tool.form.save_button.click()
    assert "is needed to save" in tool.form.feedback.error.value
    tool.form.inputs["what_i_did"].input.value = "cooked a meal"
    tool.form.save_button.click()
    assert list(store.load(kind)["what_i_did"]) == ["cooked a meal"]
    assert len(tool.entries.shown) == 1
    assert "wb-field-what_i_did" in tool.form.inputs["what_i_did"].input._dom_classes


def test_the_app_opens_a_worksheet(store):
    kind = store.install_worksheet(SHEET_TEXT).kind
    app = App(Store(store.data_dir))
    app.show(kind)
    assert f"wb-page-{kind}" in app.shown._dom_classes


# -- the composer ---------------------------------------------------------------------------------
def test_composer_makes_a_file_the_client_can_use(store):
    composer = AssignmentComposer(today=TODAY)
    assert "wb-save" in composer.make_button._dom_classes
    assert "wb-download" in composer.download._dom_classes
    assert "wb-field-target_mood" in composer.choices["mood"].target._dom_classes
    composer.therapist.value = "Dr Ruiz"
    composer.client.value = "Sam K"
    composer.note.value = f"Be kind {XSS}"
    composer.choices["mood"].include.value = True
    composer.choices["thought_record"].include.value = True
    composer.choices["thought_record"].prompt.value = "The 'not good enough' thought"
    composer.choices["win"].include.value = True
    composer.choices["win"].target.value = 3
    composer.make_button.click()
    assert composer.feedback.error.value == ""
    assert "Homework file ready: 3 exercises" in composer.feedback.status.value
    assert 'download="homework-sam_k-2026-03-11.json"' in composer.download.value
    data = from_link(composer.download.value)
    assert data == composer.data
    got = homework.parse_assignment(data)
    assert [(i.kind, i.target_per_week) for i in got.items] == [("mood", 7), ("thought_record", 2),
                                                                ("win", 3)]
    assert got.items[1].prompt == "The 'not good enough' thought"
    assert (got.start, got.until) == (TODAY, TODAY + dt.timedelta(days=27))
    assert got.note == f"Be kind {XSS}" and got.therapist == "Dr Ruiz"
    homework.install(store, data)
    # a change takes the old link away
    composer.choices["win"].target.value = 4
    assert composer.download.value == "" and composer.assignment is None


def test_composer_refusals():
    composer = AssignmentComposer(today=TODAY)
    composer.make_button.click()
    assert "Tick at least one exercise" in composer.feedback.error.value
    composer.choices["mood"].include.value = True
    composer.until.value = TODAY - dt.timedelta(days=1)
    composer.make_button.click()
    assert "reversed" in composer.feedback.error.value and composer.download.value == ""


def test_composer_loads_worksheets(store):
    composer = AssignmentComposer(today=TODAY)
    assert "wb-upload" in composer.worksheet_upload._dom_classes
    composer.worksheet_upload.value = upload("activity.yaml", SHEET_TEXT.encode())
    assert "Added to the list: Activity log" in composer.feedback.status.value
    assert composer.choices["ws_activity"].include.value
    bad = b"title: x\nfields:\n  - label: a\n    type: scale\n"
    composer.worksheet_upload.value = upload("bad.yaml", bad)
    error = composer.feedback.error.value
    assert "bad.yaml, line 4" in error and "needs its range" in error
    composer.make_button.click()
    got = homework.install(store, composer.data)
    assert got.kinds == ("ws_activity",)
    assert store.exercise("ws_activity").field("what_i_did").required


# -- the worksheet builder ------------------------------------------------------------------------
def add(builder: WorksheetBuilder, label: str, kind: str = "short text", options: str = "",
        help_text: str = "", required: bool = False) -> bool:
    builder.label.value = label
    builder.type.value = kind
    builder.options.value = options
    builder.help.value = help_text
    builder.required.value = required
    before = len(builder.fields)
    builder.add_button.click()
    return len(builder.fields) == before + 1


def test_builder_builds_every_type_and_previews_it():
    builder = WorksheetBuilder()
    assert "wb-add-field" in builder.add_button._dom_classes
    builder.title.value = "Evening review"
    assert add(builder, "What did I do?", required=True)
    assert add(builder, "What went well", "long text", help_text="One line is plenty")
    assert add(builder, "Mood", "0-10 scale")
    assert add(builder, "Confidence", "0-100 scale")
    assert add(builder, "With", "choice", "alone, with someone")
    assert add(builder, "Where", "multiple choice", "home, outside")
    assert add(builder, "Day", "date")
    assert add(builder, "Steps", "number")
    assert builder.label.value == "" and not builder.required.value
    exercise = worksheets.parse(builder.text)
    assert dataclasses.replace(builder.exercise, source=exercise.source) == exercise
    assert [f.type for f in exercise.fields] == ["short_text", "long_text", "scale", "scale", "choice",
                                                "multi_choice", "date", "number"]
    assert len(builder.preview.children) == 1 + 8  # heading and one input per question
    assert 'download="ws_evening_review.yaml"' in builder.download.value
    assert from_link(builder.download.value).decode("utf-8") == builder.text
    assert "wb-input-mood" in builder.preview.children[3]._dom_classes
    builder.field_list.children[0].children[0].click()  # remove the first question
    assert [f["label"] for f in builder.fields][0] == "What went well"


def test_builder_refusals_keep_what_was_typed():
    builder = WorksheetBuilder()
    builder.add_button.click()
    assert "Write the question first" in builder.feedback.error.value
    assert add(builder, "Mood")
    assert not add(builder, "mood")  # the same column name
    assert "used twice" in builder.feedback.error.value and builder.label.value == "mood"
    assert not add(builder, "Who", "choice", "")
    assert "needs options" in builder.feedback.error.value
    assert "wb-needs-title" in builder.download.value and "href" not in builder.download.value
    assert builder.use_button.disabled
    builder.title.value = f"Mine {XSS}"
    assert builder.download.value and XSS not in builder.yaml_view.value
    assert XSS not in text_of(builder.preview)


def test_therapist_page_builder_feeds_the_composer():
    page = TherapistPage(today=TODAY)
    assert {"wb-page", "wb-page-therapist"} <= set(page._dom_classes)
    page.builder.title.value = "Activity log"
    add(page.builder, "What I did")
    page.builder.use_button.click()
    assert "in the homework list" in page.builder.feedback.status.value
    assert page.composer.choices["ws_activity_log"].include.value
    page.composer.make_button.click()
    got = homework.parse_assignment(page.composer.data)
    assert got.kinds == ("ws_activity_log",) and got.worksheets[0].title == "Activity log"


def test_the_therapists_prompt_is_on_the_exercise_page_while_the_homework_runs(store):
    today = dt.date.today()
    store.save_assignment(homework_file(start=today - dt.timedelta(days=1),
                                        until=today + dt.timedelta(days=20)).decode("utf-8"))
    store.save_assignment(homework_file(start=today - dt.timedelta(days=60),  # finished: not shown
                                        until=today - dt.timedelta(days=30),
                                        items=[Item("win", 5, "An old prompt")]).decode("utf-8"))
    app = App(store)
    app.show("win")
    shown = app.pages["win"].homework_prompt.value
    assert "Notice one thing &lt;img src=x onerror=alert(1)&gt;" in shown  # escaped, as typed
    assert "Dr &lt;img" in shown and "<img" not in shown
    assert "An old prompt" not in shown
    app.show("mood")  # an exercise without a prompt of its own shows none
    assert app.pages["mood"].homework_prompt.value == ""


def test_no_homework_no_prompt(store):
    app = App(store)
    app.show("win")
    assert app.pages["win"].homework_prompt.value == ""
