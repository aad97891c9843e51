"""The session page speaks about the treatment chosen: esketamine's label facts, TMS and ECT in
their own words, a checklist for the day, and what the seeds say about the days after."""

from __future__ import annotations

import datetime as dt

import pytest

from workbook.ui.app import App
from workbook.ui.help import StartPage


@pytest.fixture
def app(store) -> App:
    return App(store)


def shown(page, name: str) -> bool:
    return page.form.inputs[name].widget.layout.display != "none"


def checklist_shown(page) -> list[str]:
    checklist = page.form.inputs["prepared"]
    rows = checklist.widget.children[-1].children
    return [key for key, row in zip(checklist.boxes, rows, strict=True) if row.layout.display != "none"]


def session_today(store, treatment: str) -> None:
    now = dt.datetime.now().replace(second=0, microsecond=0)
    store.add("session", {"session_at": now.isoformat(), "treatment": treatment})


def test_esketamine_day_facts_from_the_label(app):
    app.show("session")
    page = app.pages["session"]
    page.form.inputs["treatment"].set("esketamine")
    text = page.window.value
    assert "at least 2 hours after the dose" in text  # observation
    assert "before the dose and again about 40 minutes after it: two readings" in text
    assert "Do not eat for 2 hours before" in text and "30 minutes" in text
    assert "Arrange a ride home" in text and "until the next day, after a restful night" in text
    assert "Prescribing Information" in text and "SPRAVATO-pi.pdf" in text
    assert checklist_shown(page) == ["ride_home", "no_food_2h", "no_drink_30m", "support_person",
                                     "quiet_space", "questions"]


def test_tms_gets_its_own_words_and_side_effects(app, store):
    session_today(store, "tms")
    app.show("session")
    page = app.pages["session"]
    text = page.window.value
    assert "integration window" not in text
    assert "TMS usually works gradually" in text
    assert "Some prompts for your notes" not in text
    assert "esketamine" not in text.lower()
    page.form.inputs["treatment"].set("tms")
    assert shown(page, "headache") and shown(page, "scalp_discomfort")
    assert not shown(page, "dissociation") and not shown(page, "nausea")
    assert "ride_home" not in checklist_shown(page) and "no_food_2h" not in checklist_shown(page)


def test_ect_gets_its_own_words_and_side_effects(app, store):
    session_today(store, "ect")
    app.show("session")
    page = app.pages["session"]
    assert "integration window" not in page.window.value
    assert "general anaesthetic" in page.window.value
    page.form.inputs["treatment"].set("ect")
    assert shown(page, "confusion_memory") and shown(page, "aches")
    assert not shown(page, "dissociation")
    assert {"ride_home", "fasting_as_told"} <= set(checklist_shown(page))
    assert "no_drink_30m" not in checklist_shown(page)


def test_a_rated_effect_stays_in_view_whatever_the_treatment(app):
    app.show("session")
    page = app.pages["session"]
    page.form.inputs["dissociation"].set(4)
    page.form.inputs["treatment"].set("tms")
    assert shown(page, "dissociation")


def test_ketamine_days_after_say_the_lift_may_fade_and_what_a_longer_dip_asks(app, store):
    session_today(store, "kap")
    app.show("session")
    text = app.pages["session"].window.value
    assert "integration window" in text
    assert "may fade again within a week" in text and "not a failure" in text
    assert "a couple of weeks" in text and "Let your care team know early" in text
    assert "does not ease after a day or two" in text  # the reach-out rule, beside it
    assert "quiet, comfortable place to rest" in text


def test_checklist_and_both_readings_are_saved_with_the_session(app, store):
    app.show("session")
    page = app.pages["session"]
    form = page.form
    form.inputs["session_at"].set("2026-03-02T09:30")
    form.inputs["treatment"].set("esketamine")
    form.inputs["prepared"].set(["ride_home", "no_food_2h"])
    for name, value in (("bp_systolic", 128), ("bp_diastolic", 82), ("bp_after_systolic", 146),
                        ("bp_after_diastolic", 90)):
        form.inputs[name].set(value)
    form.go(len(form.exercise.steps) - 1)
    form.save_button.click()
    entry = store.records("session")[0]
    assert entry["prepared"] == ["ride_home", "no_food_2h"]
    assert (entry["bp_after_systolic"], entry["bp_after_diastolic"]) == (146.0, 90.0)
    described = page.entries.rows.value
    assert "128/82 then 146/90" in described


def test_start_page_carries_the_seeds(store):
    said = StartPage().children[0].value
    assert "may fade again within a week" in said
    assert "a couple of weeks" in said
    assert "quiet, comfortable place to rest" in said
    assert "safety plan" in said
