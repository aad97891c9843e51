"""Every page is built the same way and offers the same methods; forms say what a page may change."""

from __future__ import annotations

import ipywidgets as w
import pytest

from workbook.store import Store
from workbook.ui.app import App
from workbook.ui.form import ExerciseForm
from workbook.ui.page import EntryPage, Links, Page
from workbook.ui.pages import ToolPage, page_class


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path)


def test_every_page_of_the_app_is_a_page_and_every_exercise_page_takes_the_same_links(store):
    app = App(store)
    for kind in ("start", *app.tools, "safety_plan"):
        page = app.page(kind)
        assert isinstance(page, Page), kind
        page.refresh()  # no page is asked whether it can
        if kind in store.catalog:
            assert isinstance(page, EntryPage) and isinstance(page, ToolPage), kind
            assert page.links is app.links, kind  # the same store and links, whatever the page


def test_a_page_built_alone_has_links_that_go_nowhere(store):
    for kind in ("mood", "session", "checkin", "safety_plan"):
        page = page_class(kind)(store.exercise(kind), store)
        assert page.links == Links()
        page.refresh()
    session = page_class("session")(store.exercise("session"), store)
    session.navigate("win", {"description": "a walk"})  # nowhere to go, and no error


def test_what_follows_a_save_comes_from_the_links(store):
    saved: list[str] = []
    page = ToolPage(store.exercise("win"), store, Links(on_saved=(saved.append,)))
    page.form.inputs["description"].set("cooked")
    page.form.save_button.click()
    assert saved == [store.records("win")[0]["id"]]


def test_prefill_starts_a_new_entry_from_another_pages_values(store):
    app = App(store)
    app.open_with("win", {"description": "the small step"})
    assert app.current == "win"
    assert app.page("win").form.value("description") == "the small step"


def test_a_page_places_its_widgets_beside_a_field_and_the_form_keeps_them(store):
    form = ExerciseForm(store.exercise("mood"), store)
    note, heading = w.HTML("note"), w.HTML("heading")
    form.place(note, after="mood")
    form.place(heading, before="anxiety")
    order = list(form.children)
    mood = order.index(form.inputs["mood"].widget)
    assert order[mood + 1] is note and order[mood + 2] is heading
    assert order[mood + 3] is form.inputs["anxiety"].widget
    with pytest.raises(ValueError, match="'sleep' is not a field of Mood check-in"):
        form.place(w.HTML(), after="sleep")
    with pytest.raises(ValueError, match="either before= or after="):
        form.place(w.HTML(), before="mood", after="note")


def test_a_step_form_shows_what_was_placed_on_its_fields_step(store):
    page = page_class("thought_record")(store.exercise("thought_record"), store)
    first = page.exercise.steps[0].fields[0]
    tip = w.HTML("tip")
    page.form.place(tip, after=first)
    assert tip in page.form.step_box.children
    page.form.go(1)
    assert tip not in page.form.step_box.children


def test_the_checkin_headings_and_item9_box_sit_where_they_belong(store):
    page = page_class("checkin")(store.exercise("checkin"), store)
    order = list(page.form.children)
    phq1, phq9, gad1 = (order.index(page.form.inputs[n].widget) for n in ("phq9_1", "phq9_9", "gad7_1"))
    assert "PHQ-9 (mood)" in order[phq1 - 1].value
    assert order[phq9 + 1] is page.item9
    assert "GAD-7 (anxiety)" in order[gad1 - 1].value
    page.form.inputs["phq9_9"].set(1)  # heard through form.watch, before any Save
    assert "wb-crisis" in page.item9.value


def test_hiding_a_field_keeps_its_value_and_ticked_options_stay_in_view(store):
    form = ExerciseForm(store.exercise("session"), store)
    form.inputs["headache"].set(3)
    form.show_field("headache", False)
    assert form.inputs["headache"].widget.layout.display == "none"
    assert form.value("headache") == 3
    form.show_field("headache", True)
    assert form.inputs["headache"].widget.layout.display is None
    checklist = form.inputs["prepared"]
    first, second, *_ = checklist.boxes
    checklist.boxes[second].value = True
    form.show_options("prepared", [first])
    assert checklist.rows[first].layout.display is None
    assert checklist.rows[second].layout.display is None  # ticked: never hidden
    assert all(checklist.rows[k].layout.display == "none" for k in list(checklist.boxes)[2:])
    with pytest.raises(ValueError, match="not a field of tick boxes"):
        form.show_options("headache", [])
