"""The safety plan and the crisis lines, driven without a browser (Button.click())."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re

import pytest

from workbook import exercises
from workbook.bundle import make_bundle, read_bundle
from workbook.store import Store
from workbook.ui import help as help_ui
from workbook.ui.app import App
from workbook.ui.review import other_html
from workbook.ui.safety_plan import latest_plan

PARTS = ("warning_signs", "coping_alone", "distractions", "ask_for_help", "professionals",
         "safer_surroundings", "reasons")


@pytest.fixture
def app(store) -> App:
    return App(store)


def write_config(store: Store, text: str) -> None:
    store.data_dir.mkdir(parents=True, exist_ok=True)
    (store.data_dir / "config.yaml").write_text(text, encoding="utf-8")


def printable(page) -> str:
    """The printable copy the page offers as a download, decoded."""
    html = page.summary.children[0].value
    href = re.search(r'href="data:text/html;charset=utf-8;base64,([^"]+)"', html)
    assert href, html
    return base64.b64decode(href[1]).decode("utf-8")


# -- crisis lines --------------------------------------------------------------------------------
def test_988_can_be_called_texted_or_chatted_and_serves_canada(app):
    body = app.crisis.body.value
    assert "Call or text 988, or chat at 988lifeline.org/chat" in body
    assert "Canada" in body
    assert "Call your local emergency number" in body


def test_a_custom_list_keeps_the_local_emergency_number(store):
    write_config(store, "crisis_resources:\n  - name: My sister\n    contact: 07700 900123\n")
    names = [r["name"] for r in help_ui.crisis_resources(store)]
    assert names == ["My sister", "Emergency services"]
    assert "Call your local emergency number" in App(store).crisis.body.value


def test_a_custom_list_that_names_emergency_services_is_not_doubled(store):
    write_config(store, "crisis_resources:\n  - name: Emergency\n    contact: Call 112\n"
                        "  - name: Samaritans\n    contact: Call 116 123\n")
    assert len(help_ui.crisis_resources(store)) == 2


def test_the_country_is_chosen_on_the_page_and_kept(app, store):
    app.help_button.click()
    app.crisis.country.value = "NZ"
    assert store.settings()["crisis_country"] == "NZ"
    body = app.crisis.body.value
    assert "Call or text 1737" in body and "Call 111" in body
    assert "988" not in body
    again = App(store)  # the next visit opens on the same country
    assert again.crisis.country.value == "NZ"
    assert "1737" in again.crisis.body.value
    app.crisis.country.value = ""
    assert "988" in app.crisis.body.value


def test_with_a_country_a_custom_list_gets_that_countrys_emergency_number(store):
    store.save_settings({"crisis_country": "AU"})
    write_config(store, "crisis_resources:\n  - name: My GP\n    contact: 02 5550 1234\n")
    assert help_ui.crisis_resources(store)[-1]["contact"] == "Call 000"


def test_every_country_line_says_where_and_when_it_was_checked():
    places = help_ui.countries()
    assert {"US", "CA", "GB", "IE", "AU", "NZ"} <= {c["code"] for c in places}
    for place in places:
        assert place["emergency"]["contact"].startswith("Call ")
        for line in [*place["resources"], place["emergency"]]:
            assert str(line["source"]).startswith("https://"), place["code"]
            dt.date.fromisoformat(str(line["checked"]))


# -- the safety plan -------------------------------------------------------------------------------
def test_the_plan_is_one_click_from_get_help_now_and_starts_with_the_crisis_lines(app, store):
    store.save_settings({"crisis_country": "GB"})
    app = App(store)
    app.help_button.click()
    app.crisis.plan_button.click()
    assert app.current == "safety_plan"
    page = app.pages["safety_plan"]
    assert "wb-page-safety_plan" in app.shown._dom_classes
    starter = page.form.inputs["professionals"].get()
    assert "Samaritans: Call 116 123" in starter and "Call 999 or 112" in starter
    assert page.form.inputs["warning_signs"].get() is None
    assert store.load("safety_plan").empty  # nothing is saved until the person saves


def test_fill_save_reopen_and_print(app, store):
    app.open_plan()
    page = app.pages["safety_plan"]
    for name in PARTS:
        page.form.inputs[name].set(f"{name} <b>mine</b>")
    page.form.save_button.click()
    assert "wb-ok" in page.form.feedback.status.value, page.form.feedback.error.value
    saved = store.records("safety_plan")
    assert len(saved) == 1 and saved[0]["reasons"] == "reasons <b>mine</b>"
    assert page.form.inputs["reasons"].get() == "reasons <b>mine</b>"  # the plan stays on screen
    sheet = printable(page)
    assert "reasons &lt;b&gt;mine&lt;/b&gt;" in sheet and "<b>mine" not in sheet
    assert "7. My reasons to keep going" in sheet
    assert "Stanley" in sheet and "Brown" in sheet and "2012" in sheet
    assert "http" not in sheet.split("<body>")[0]  # nothing fetched to show it

    reopened = App(store)
    reopened.open_plan()
    form = reopened.pages["safety_plan"].form
    assert form.inputs["warning_signs"].get() == "warning_signs <b>mine</b>"
    form.inputs["reasons"].set("My cat, and the sea")
    form.save_button.click()
    assert len(store.records("safety_plan")) == 2  # a new version; the first is kept
    assert latest_plan(store.records("safety_plan"))["reasons"] == "My cat, and the sea"
    assert "1 earlier version" in reopened.pages["safety_plan"].summary.children[0].value


def test_what_is_typed_survives_leaving_the_page(app, store):
    app.open_plan()
    app.pages["safety_plan"].form.inputs["reasons"].set("Half a thought")
    app.show("mood")
    app.open_plan()
    assert app.pages["safety_plan"].form.inputs["reasons"].get() == "Half a thought"


def test_an_earlier_version_can_become_the_plan_again(app, store):
    store.add("safety_plan", {"reasons": "first"})
    store.add("safety_plan", {"reasons": "second"})
    app.open_plan()
    page = app.pages["safety_plan"]
    assert page.form.inputs["reasons"].get() == "second"
    page.entries.choose(page.entries.shown[-1])  # the oldest
    page.entries.edit_button.click()
    assert page.form.inputs["reasons"].get() == "first"
    page.form.save_button.click()
    assert [r["reasons"] for r in store.records("safety_plan")] == ["first", "second", "first"]
    assert latest_plan(store.records("safety_plan"))["reasons"] == "first"


def test_item9_opens_the_plan_in_one_click_and_keeps_the_answers(app, store):
    app.show("checkin")
    checkin = app.pages["checkin"]
    link = checkin.item9.link
    assert link.layout.display == "none"
    checkin.form.inputs["phq9_1"].input.value = 2
    checkin.form.inputs["phq9_9"].input.value = 1
    assert link.layout.display != "none"
    link.click()
    assert app.current == "safety_plan"
    app.show("checkin")
    assert checkin.form.inputs["phq9_1"].input.value == 2  # nothing typed was lost
    checkin.form.inputs["phq9_9"].input.value = 0
    assert link.layout.display == "none"


def test_a_reach_out_alert_offers_the_plan(app, store):
    assert app.reach_out_plan.layout.display == "none"
    app.show("checkin")
    form = app.pages["checkin"].form
    for i in range(1, 10):
        form.inputs[f"phq9_{i}"].input.value = 1
    form.save_button.click()
    assert "wb-alert-item9" in app.reach_out.value
    assert app.reach_out_plan.layout.display != "none"
    app.reach_out_plan.click()
    assert app.current == "safety_plan"


def test_the_plan_is_never_required_and_not_counted(store):
    from workbook.ui.therapist import AssignmentComposer

    assert "safety_plan" in exercises.kinds()  # a kind of the store: docs, bundle, export
    assert "safety_plan" not in exercises.trackable()  # not a daily tool to choose on the welcome
    assert "safety_plan" not in exercises.workshop_counted()
    assert exercises.homework_targets()["safety_plan"] == 0
    assert AssignmentComposer().choices["safety_plan"].target.value == 0
    assert all(not f.required for f in exercises.get("safety_plan").fields)
    app = App(store)
    assert "safety_plan" not in app.nav_buttons  # reached where help is, not a tool to keep up


def test_shared_only_when_ticked_and_shown_in_the_review(app, store):
    store.add("safety_plan", {"warning_signs": "Not sleeping", "reasons": "My <kids>"})
    store.add("mood", {"mood": 5})
    app.show("data")
    share = app.pages["data"].share
    assert share.kinds["safety_plan"].value is False  # nothing is ticked by default
    buffer = io.BytesIO()
    make_bundle(store, buffer, None, None, ["mood"])
    assert "safety_plan" not in read_bundle(buffer.getvalue()).kinds
    buffer = io.BytesIO()
    make_bundle(store, buffer, None, None, ["mood", "safety_plan"])
    html = other_html(read_bundle(buffer.getvalue()), {})
    assert "1. My warning signs" in html and "Not sleeping" in html
    assert "My &lt;kids&gt;" in html
