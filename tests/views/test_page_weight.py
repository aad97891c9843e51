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
BUDGET = {"mood": 120, "win": 120,
          "checkin": 140,  # sixteen questions and two difficulty questions, each with its own words
          "thought_record": 150,  # nine steps, every field built up front
          "session": 210}  # ten steps, a checklist and ten side-effect sliders


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
