"""What each tool page asks the browser to build: every widget model is a round of work in
the page before it answers a click, so each page keeps to a budget, with a year of entries."""

from __future__ import annotations

import pytest
from ipywidgets.widgets.widget import _instances

from workbook import sample
from workbook.ui import fields
from workbook.ui.app import App

# models created while a page is built and filled, the shared layouts and styles included
# (as on a fresh page where this tool is the first one opened)
BUDGET = {"mood": 100, "win": 100,
          "checkin": 100,  # sixteen questions and two difficulty questions: each one widget
          "thought_record": 100,  # nine steps; only the step shown is built
          "session": 100}  # ten steps; only the step shown is built (the checklist, the sliders later)


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    from workbook.store import Store

    store = Store(tmp_path_factory.mktemp("year") / "data")
    sample.generate(store, sample.ONE_YEAR, seed=3)
    return store


def created_by(action) -> list:
    before = set(_instances)
    action()
    return [_instances[k] for k in set(_instances) - before]


@pytest.mark.parametrize("kind", sorted(BUDGET))
def test_each_tool_page_keeps_to_its_model_budget(year, kind, monkeypatch):
    monkeypatch.setattr(fields, "_SHARED", {}, raising=False)  # this page pays for the shared models too
    app = App(year)
    made = created_by(lambda: app.show(kind))
    assert len(year.records(kind)) > 10  # the list is full
    assert len(made) <= BUDGET[kind], sorted(type(m).__name__ for m in made)


# the app's first page (the bar, Start here, the crisis panel ready behind Get help now): what
# the browser builds before the person's first click, on top of a one-button page's three
# (each page sits in a box of its own, hidden or shown in place: two models per page)
FIRST_PAGE_BUDGET = 55


def test_the_first_page_keeps_to_its_model_budget(year, monkeypatch):
    monkeypatch.setattr(fields, "_SHARED", {}, raising=False)
    made = created_by(lambda: App(year))
    assert len(made) <= FIRST_PAGE_BUDGET, sorted(type(m).__name__ for m in made)


def test_the_menu_shares_one_layout_and_one_style(year):
    """A button per exercise, not three models per exercise: hiding one is a class, so the
    shared layout never hides them all."""
    app = App(year)
    buttons = list(app.nav_buttons.values())
    assert len({id(b.layout) for b in buttons}) == 1 and len({id(b.style) for b in buttons}) == 1
    app.track(["mood"])
    hidden = [k for k, b in app.nav_buttons.items() if "wb-hidden" in b._dom_classes]
    assert "thought_record" in hidden and "mood" not in hidden and "progress" not in hidden
    assert buttons[0].layout.display is None  # the shared layout itself hides nothing
    app.track(None)
    assert not any("wb-hidden" in b._dom_classes for b in buttons)


@pytest.mark.parametrize("kind", ["mood", "win", "thought_record", "checkin"])
def test_saving_again_adds_no_models(year, kind):
    """After a save the list and chart are redrawn in place: nothing new for the browser."""
    app = App(year)
    app.show(kind)
    page = app.pages[kind]
    page.refresh()
    assert created_by(page.refresh) == []


def test_a_shared_layout_refuses_to_change():
    """Hiding one widget by a shared layout would hide them all: it raises instead."""
    label = fields.html_widget("hello")
    with pytest.raises(AttributeError, match="shared"):
        label.layout.display = "none"


def test_a_step_form_builds_a_step_when_it_is_shown_and_loses_nothing(tmp_path):
    """The thought record builds only the step on screen; an entry opened to edit keeps every
    value of the steps not built yet, and Save draft from the first step writes them back."""
    from workbook.store import Store

    store = Store(tmp_path / "data")
    entry_id = store.add("thought_record", {"situation": "The bus was late",
                                            "evidence_for": "I was late twice",
                                            "evidence_against": "My manager said it was fine",
                                            "balanced_thought": "Buses are late sometimes"})
    app = App(store)
    app.show("thought_record")
    form = app.pages["thought_record"].form
    assert set(form.inputs.built()) == {"situation"}
    form.edit(store.get("thought_record", entry_id))
    assert set(form.inputs.built()) == {"situation"}  # later steps wait with their values
    form.go(1)
    assert set(form.inputs.built()) == {"situation", "emotions"}
    form.inputs["situation"].set("The bus was very late")
    form.save_draft()
    saved = store.get("thought_record", entry_id)
    assert saved["situation"] == "The bus was very late"
    assert saved["evidence_against"] == "My manager said it was fine"
    assert saved["balanced_thought"] == "Buses are late sometimes"


def test_a_question_is_one_widget_that_shows_its_own_label(year):
    """A check-in question, a drop-down or a text box is one model: the input shows the field's
    heading, label, "(needed)" and help in its own <label>, with no label widget or box."""
    app = App(year)
    app.show("checkin")
    inputs = app.pages["checkin"].form.inputs
    first = inputs["phq9_1"]
    assert first.widget is first.input
    assert {"wb-input", "wb-own-label", "wb-input-phq9_1", "wb-field-phq9_1",
            "wb-choice-scale"} <= set(first.widget._dom_classes)
    assert first.widget.description_allow_html
    label = first.widget.description
    assert 'class="wb-heading">Over the last 2 weeks' in label
    assert 'class="wb-label">1. Little interest or pleasure in doing things' in label
    assert "<div" not in label and "<p" not in label  # the widgets' sanitizer drops both
    assert inputs["note"].widget is inputs["note"].input
    assert 'class="wb-help">Anything you want' in inputs["note"].widget.description
    assert inputs["phq9_difficulty"].widget is inputs["phq9_difficulty"].input


def test_an_own_label_is_escaped_and_says_needed():
    from workbook.exercises import Field

    field = Field(name="x", label="<b>Bold</b> & more", type="long_text", required=True,
                  help="a <script>help</script>")
    entry = fields.build_input(field)
    label = entry.widget.description
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; more" in label and "<script>" not in label
    assert '<span class="wb-required" title="needed to save">(needed)</span>' in label
