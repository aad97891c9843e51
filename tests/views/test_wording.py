"""What pages say when something goes wrong, and where the data lives, read as a person would.

The words must be true where they are read: a workshop participant's folder is not on
"this computer" and they cannot run `workbook restore`; a message names a field by its
label, never by its column name; every error says what to do next.
"""

from __future__ import annotations

import re

import ipywidgets as w
import pytest

from workbook import exercises
from workbook import workshop as ws
from workbook.store import ENV_VAR, Store
from workbook.ui import workshop_page as wp
from workbook.ui.app import App


def texts(root: w.Widget) -> str:
    """Every HTML and label text under a widget, tags removed: what a person reads."""
    found, todo = [], [root]
    while todo:
        current = todo.pop()
        for attr in ("value", "description"):
            value = getattr(current, attr, None)
            if isinstance(value, str):
                found.append(value)
        todo.extend(getattr(current, "children", ()))
    return re.sub(r"<[^>]+>", " ", " ".join(found))


@pytest.fixture
def app(store) -> App:
    return App(store)


# -- errors: plain words and a next step -----------------------------------------------------
def test_a_bad_number_names_the_label_not_the_column(app):
    app.show("mood")
    form = app.pages["mood"].form
    form.inputs["sleep_hours"].input.value = "about seven"
    form.save_button.click()
    error = form.feedback.error.value
    assert "Hours slept" in error and "like 7 or 6.5" in error
    assert "sleep_hours" not in error
    assert "Everything you typed is still here" in error
    assert form.inputs["sleep_hours"].input.value == "about seven"


def test_an_empty_form_says_what_to_do_without_blame(app):
    app.show("win")
    form = app.pages["win"].form
    form.save_button.click()
    error = form.feedback.error.value
    assert "What went right" in error  # the required field, by its label
    assert "description" not in error


def test_an_unexpected_error_says_try_again_and_keeps_the_text(app, monkeypatch):
    app.show("win")
    form = app.pages["win"].form
    form.inputs["description"].input.value = "made tea"
    monkeypatch.setattr(Store, "add", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
    form.save_button.click()
    error = form.feedback.error.value
    assert "try again" in error and "Everything you typed is still here" in error
    assert "boom" in error  # the detail stays, last, for whoever helps
    assert error.index("try again") < error.index("boom")
    assert form.inputs["description"].input.value == "made tea"


def test_a_page_that_cannot_open_says_saved_entries_are_safe(app, monkeypatch):
    monkeypatch.setattr(App, "_build", lambda self, kind: (_ for _ in ()).throw(ValueError("x")))
    app.show("win")
    said = app.reach_out.value
    assert "Everything you saved is safe" in said and "another page" in said
    assert "wb-page-start" in app.shown._dom_classes  # still on the page it was


def test_an_entry_deleted_elsewhere_is_explained_without_its_id(app, store):
    entry = store.add("win", {"description": "a walk"})
    app.show("win")
    page = app.pages["win"]
    page.form.edit(store.get("win", entry))
    store.delete("win", entry)
    page.form.inputs["description"].input.value = "a long walk"
    page.form.save_button.click()
    error = page.form.feedback.error.value
    assert "not there any more" in error and entry not in error
    assert page.form.inputs["description"].input.value == "a long walk"


# -- choosing what to track, at any time ----------------------------------------------------
def test_my_data_changes_what_is_tracked_and_hides_nothing_saved(app, store):
    store.add("session", {"session_at": "2026-11-20T10:00", "treatment": "tms",
                          "intention": "first session"})
    app.show("data")
    panel = app.pages["data"].tracking
    assert all(box.value for box in panel.boxes.values())  # nothing chosen yet: everything shown
    panel.boxes["session"].value = False
    panel.boxes["checkin"].value = False
    panel.save_button.click()
    assert "wb-ok" in panel.feedback.status.value
    assert "wb-hidden" in app.nav_buttons["session"]._dom_classes
    assert "wb-hidden" in app.nav_buttons["checkin"]._dom_classes
    assert "wb-hidden" not in app.nav_buttons["mood"]._dom_classes
    assert "wb-hidden" not in app.nav_buttons["data"]._dom_classes
    tracked = [k for k in exercises.trackable() if k not in ("session", "checkin")]
    assert tracked[:3] == ["mood", "thought_record", "win"]
    assert store.settings()["tools"] == tracked
    assert len(store.records("session")) == 1  # hidden, not deleted
    # a fresh page opens with the same choice, and ticking again brings the tool back
    again = App(Store(store.data_dir))
    assert "wb-hidden" in again.nav_buttons["session"]._dom_classes
    again.show("data")
    again.pages["data"].tracking.boxes["session"].value = True
    again.pages["data"].tracking.save_button.click()
    assert "wb-hidden" not in again.nav_buttons["session"]._dom_classes


def test_untracking_everything_is_refused_gently(app, store):
    app.show("data")
    panel = app.pages["data"].tracking
    for box in panel.boxes.values():
        box.value = False
    panel.save_button.click()
    assert "Tick at least one" in panel.feedback.error.value
    assert "tools" not in store.settings()
    assert all("wb-hidden" not in b._dom_classes for b in app.nav_buttons.values())


# -- where the data lives: true on one's own computer and in a workshop ------------------------
def test_own_copy_says_this_computer_and_how_to_restore(app, store):
    app.show("data")
    said = texts(app.pages["data"])
    assert "this computer" in said and "workbook restore" in said and str(store.data_dir) in said
    assert "config.yaml" in app.crisis.body.value
    assert "this computer" in texts(app.page("start"))
    assert "this computer" in texts(app.page("homework"))
    assert "workbook demo" in texts(app.welcome)


@pytest.fixture
def participant(tmp_path, monkeypatch) -> wp.ParticipantPage:
    monkeypatch.setenv(ENV_VAR, "placeholder")
    monkeypatch.delenv(ENV_VAR)  # the participant page sets it; monkeypatch puts it back
    workshop = ws.Workshop(tmp_path / "workshop")
    secret = next(i.secret for i in workshop.add(1) if i.member.role != ws.FACILITATOR)
    page = wp.entry(query=f"key={secret}", root=workshop.root)
    assert isinstance(page, wp.ParticipantPage)
    return page


def test_a_workshop_participant_is_told_the_truth_about_their_folder(participant):
    app = participant.app
    for kind in ("start", "data", "homework"):
        app.show(kind)
    said = " ".join([texts(app.welcome), texts(app.pages["start"]), texts(app.pages["data"]),
                     texts(app.pages["homework"]), texts(app.crisis)])
    assert "this computer" not in said
    assert "workbook restore" not in said and "workbook demo" not in said
    assert "config.yaml" not in said and "settings.yaml" not in said
    assert str(participant.store.data_dir) not in said  # a server path means nothing to them
    assert "only your link opens" in texts(app.pages["data"])
    assert "Take my entries home" in texts(app.pages["data"])
    assert "only your link opens" in texts(app.pages["start"])
    assert "988" in app.crisis.body.value  # the crisis lines themselves are still there


# -- where the keyboard focus goes after an action ------------------------------------------
def _token(html: str) -> str:
    match = re.search(r'data-wb-focus="(\d+)"', html)
    assert match, html
    return match[1]


def test_edit_delete_and_a_small_step_each_ask_for_focus_once(app, store):
    first = store.add("win", {"description": "a walk"})
    second = store.add("win", {"description": "a bath"})
    app.show("win")
    form = app.pages["win"].form
    form.edit(store.get("win", first))
    one = _token(form.heading.value)
    form.edit(store.get("win", second))
    assert _token(form.heading.value) != one  # a new token each time: the page focuses again
    form.cancel()
    assert "data-wb-focus" not in form.heading.value + form.feedback.status.value
    entries = app.pages["win"].entries
    entries.choose(first)
    entries.delete_button.click()
    entries.yes_button.click()
    assert "Entry deleted." in entries.feedback.status.value
    _token(entries.feedback.status.value)
    form.prefill({"description": "walk after lunch"})
    assert "Started from your session notes" in form.heading.value
    _token(form.heading.value)
    form.save_button.click()
    assert form.heading.value == ""  # saved: the form is a new, empty one again
