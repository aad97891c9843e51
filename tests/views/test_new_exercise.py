"""A new exercise is one YAML file: dropped beside the others, it gets everything the others get.

The test copies the workbook's exercise files to a temporary folder, adds a "three good things"
exercise in today's format (with a few of the optional registry keys), points the registry at
the copy, and drives the new exercise end to end: the menu and its page, validation, its CSV,
the data dictionary, the welcome, homework, the share bundle with its report, and the review.
"""

from __future__ import annotations

import datetime as dt
import shutil
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from workbook import bundle, cli, datadoc, exercises, homework, workshop
from workbook.homework import Item, make_assignment
from workbook.store import Store
from workbook.ui.app import App, tool
from workbook.ui.review import ClientReview
from workbook.ui.therapist import AssignmentComposer

KIND = "three_good_things"
DECLARATION = """\
kind: three_good_things
title: Three good things
nav: Good things
intro: >-
  Before the day ends, write down three things that went well, and why. Small ones count.
list_summary: "{first} (lifted the day {lift}/10)"
track: "Three good things, at the end of a day"
homework_target: 7
fields:
  - name: first
    type: long_text
    required: true
    label: One thing that went well
    max_length: 500
  - name: second
    type: long_text
    label: A second thing
    max_length: 500
  - name: third
    type: long_text
    label: A third thing
    max_length: 500
  - name: why
    type: long_text
    label: Why they went well
  - name: lift
    type: scale
    min: 0
    max: 10
    label: How much it lifted the day
"""


@pytest.fixture
def declared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the workbook's exercise files with the new one beside them, used by the registry."""
    folder = tmp_path / "exercises"
    folder.mkdir()
    for entry in resources.files("workbook.exercises").iterdir():
        if entry.name.endswith(".yaml"):
            shutil.copyfile(str(entry), folder / entry.name)
    (folder / f"{KIND}.yaml").write_text(DECLARATION, encoding="utf-8")
    monkeypatch.setattr(exercises, "FOLDER", folder, raising=False)
    return folder


@pytest.fixture
def store(tmp_path: Path, declared: Path) -> Store:
    return Store(tmp_path / "data")


def classes(widget) -> set[str]:
    return set(getattr(widget, "_dom_classes", ()))


def find(widget, css: str) -> list:
    """Every widget under `widget` (itself included) with the CSS class `css`."""
    found = [widget] if css in classes(widget) else []
    for child in getattr(widget, "children", ()):
        found += find(child, css)
    return found


def text_of(widget) -> str:
    out = [text_of(child) for child in getattr(widget, "children", ())]
    value = getattr(widget, "value", "")
    out.append(value if isinstance(value, str) else "")
    out.append(str(getattr(widget, "description", "") or ""))
    return "\n".join(out)


def test_the_registry_finds_the_file_with_its_keys_and_defaults(declared):
    exercise = exercises.get(KIND)
    assert exercise.title == "Three good things"
    assert KIND in exercises.kinds() and KIND in exercises.in_menu()
    assert exercises.in_menu().index(KIND) > exercises.in_menu().index("checkin")  # default order
    assert exercises.trackable()[KIND] == "Three good things, at the end of a day"
    assert KIND in exercises.workshop_counted()  # a default: counted unless the file says not
    assert exercises.homework_targets()[KIND] == 7
    line = exercise.summarise({"first": "tea in the sun", "lift": 6})
    assert line == "tea in the sun (lifted the day 6/10)"


def test_it_has_a_menu_button_a_page_and_a_form_that_validates_and_saves(store):
    app = App(store)
    button = app.nav_buttons[KIND]
    assert f"wb-nav-{KIND}" in classes(button) and button.description == "Good things"
    welcome_boxes = find(app.welcome, f"wb-track-{KIND}")
    assert welcome_boxes and "end of a day" in welcome_boxes[0].description  # first run: choose it

    button.click()
    assert app.current == KIND
    page = app.shown
    assert f"wb-page-{KIND}" in classes(page)
    assert "Three good things" in text_of(page)
    for name in ("first", "second", "third", "why", "lift"):
        assert find(page, f"wb-field-{name}"), name

    form = page.form
    form.inputs["second"].set("a call with my sister")
    form.save_button.click()  # the required first thing is missing: said where the person looks
    assert "One thing that went well" in form.feedback.error.value
    assert "is needed to save" in form.feedback.error.value
    assert form.inputs["second"].get() == "a call with my sister"  # nothing typed is lost
    assert not (store.data_dir / f"{KIND}.csv").exists()

    form.inputs["first"].set("tea in the sun")
    form.inputs["lift"].set(6)
    form.save_button.click()
    assert "wb-ok" in form.feedback.status.value, form.feedback.error.value

    written = pd.read_csv(store.data_dir / f"{KIND}.csv")  # plain pandas, as the contract says
    assert list(written.columns) == ["id", "created_at", "updated_at", "first", "second", "third",
                                     "why", "lift"]
    assert written.loc[0, "first"] == "tea in the sun" and written.loc[0, "lift"] == 6
    assert "tea in the sun (lifted the day 6/10)" in text_of(page.entries)  # its list_summary

    with pytest.raises(ValueError, match="lift"):
        store.add(KIND, {"first": "a walk", "lift": 11})


def test_its_file_and_columns_are_in_the_data_dictionary(declared):
    text = datadoc.render()
    assert f"{KIND}.csv" in text and "Three good things" in text
    for column in ("first", "second", "third", "why", "lift"):
        assert f"| `{column}` |" in text


def test_serve_can_open_it_on_a_page_of_its_own(declared, tmp_path, monkeypatch):
    assert cli.tools()[KIND] == cli.TOOL_NOTEBOOK
    assert cli.build_parser().parse_args(["serve", "--tool", KIND]).tool == KIND
    monkeypatch.setenv("WORKBOOK_TOOL", KIND)  # what serve --tool sets for the notebook's kernel
    alone = tool(data_dir=str(tmp_path / "data"))
    assert alone.current == KIND and list(alone.nav_buttons) == ["start", KIND]


def test_homework_can_ask_for_it_and_counts_it(store):
    composer = AssignmentComposer(today=dt.date.today())
    choice = composer.choices[KIND]
    assert choice.target.value == 7  # homework_target from its file
    choice.include.value = True
    made = composer.make()
    assert made is not None and made.kinds == (KIND,), composer.feedback.error.value

    assignment = homework.parse_assignment(composer.data)  # the file the client adds
    assert assignment.items[0].kind == KIND and assignment.title(KIND) == "Three good things"
    store.add(KIND, {"first": "a good breakfast"})
    shown = homework.progress(assignment, store, today=dt.date.today())
    assert shown[0].kind == KIND and shown[0].this_week == 1 and shown[0].title == "Three good things"

    app = App(store)
    app.show("homework")
    mine = app.page("homework")
    assert mine.install(composer.data) is not None, mine.feedback.error.value
    mine.refresh()
    assert "Three good things" in text_of(mine)
    (open_button,) = find(mine, f"wb-open-{KIND}")
    open_button.click()  # one click from the homework to the exercise's page
    assert app.current == KIND and f"wb-page-{KIND}" in classes(app.shown)


def test_a_bundle_its_report_and_the_review_include_it(store):
    store.add(KIND, {"first": "tea in the sun", "why": "I took a break", "lift": 4})
    store.add("mood", {"mood": 6})
    app = App(store, start="data")
    share = app.page("data").share  # My data's "Share with your care team"
    assert "Three good things" in share.kinds[KIND].description
    share.kinds[KIND].value = share.kinds["mood"].value = True
    manifest = share.make()
    assert manifest is not None and manifest.counts[KIND] == 1, share.feedback.error.value
    assert "Three good things: 1" in share.feedback.status.value
    shared = bundle.read_bundle(share.data)
    assert shared.frames[KIND].loc[0, "first"] == "tea in the sun"
    assert shared.frames[KIND].loc[0, "lift"] == 4  # decoded by its field, as the store does
    assert "Three good things" in shared.report_html and "tea in the sun" in shared.report_html
    assert "One thing that went well" in shared.report_html  # its field's label, not the column

    assignment = make_assignment(start=dt.date.today() - dt.timedelta(days=6), until=dt.date.today(),
                                 items=[Item(KIND, 7)])
    review = ClientReview("Sam", shared, {"homework.json": assignment}, "homework.json")
    assert "Three good things: 1" in review.summary.value
    assert "Three good things (latest 1 of 1)" in review.other.value
    assert "One thing that went well" in review.other.value and "tea in the sun" in review.other.value
    assert "Three good things" in review.completion.value


def test_a_workshop_counts_it_for_the_facilitator(tmp_path, declared):
    hosted = workshop.Workshop(tmp_path / "workshop")
    issued = hosted.add(3)
    for entry in issued:
        if entry.member.role != workshop.PARTICIPANT:
            continue
        member = hosted.check(entry.secret)
        Store(hosted.open_folder(member)).add(KIND, {"first": "a walk"})
        workshop.set_shares_counts(hosted.folder(member.id), True)
    assert hosted.counts(dt.date.today()).today[KIND] == 3
