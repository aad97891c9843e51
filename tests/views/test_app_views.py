"""Views driven without a browser: set values, click, assert on the store."""

import pytest

from workbook import exercises
from workbook.store import Store
from workbook.ui.app import App


@pytest.fixture
def app(store) -> App:
    return App(store)


def test_nav_switches_pages_in_place(app):
    assert "wb-page-start" in app.shown._dom_classes
    for kind in ("mood", "thought_record", "win", "session", "checkin", "progress", "data", "start"):
        app.nav_buttons[kind].click()
        assert f"wb-page-{kind}" in app.shown._dom_classes
    assert app.pages["mood"] is app.page("mood")


@pytest.mark.parametrize("kind", ["mood", "thought_record", "win", "session", "checkin", "homework",
                                  "progress", "data"])
def test_a_page_is_shown_only_once_its_list_and_chart_are_in(app, store, monkeypatch, kind):
    """No click can land on a form while its page is still reading entries and drawing charts
    (a Save clicked then would wait, unseen, behind that work)."""
    store.add("mood", {"mood": 5})
    store.add("win", {"description": "tea"})
    page = app.page(kind)
    seen_while_filling = []
    refresh = page.refresh
    monkeypatch.setattr(page, "refresh", lambda: (seen_while_filling.append(app.shown), refresh()))
    app.nav_buttons[kind].click()
    assert seen_while_filling, "the page was not filled in"
    assert all(shown is app.opening for shown in seen_while_filling)  # never the page itself
    assert "wb-opening" in app.opening.value
    assert app.shown is page
    assert [c.layout.display for c in app.content.children].count(None) == 1  # it alone


def test_crisis_panel_one_click_from_every_page(app):
    for kind in ("start", "mood", "thought_record", "win"):
        app.show(kind)
        assert app.crisis.layout.display == "none"
        app.help_button.click()
        assert app.crisis.layout.display != "none"
        assert "988" in app.crisis.body.value
        app.help_button.click()


def test_crisis_list_comes_from_config(store):
    store.data_dir.mkdir(parents=True)
    (store.data_dir / "config.yaml").write_text(
        "crisis_resources:\n  - name: Samaritans <b>\n    contact: Call 116 123\n    detail: UK\n"
    )
    body = App(store).crisis.body.value
    assert "Samaritans &lt;b&gt;" in body
    assert "116 123" in body
    assert "988" not in body


def test_mood_one_slider_and_save(app, store):
    app.show("mood")
    page = app.pages["mood"]
    page.form.inputs["mood"].slider.value = 3
    page.form.save_button.click()
    frame = store.load("mood")
    assert list(frame["mood"]) == [3]
    assert frame["anxiety"].isna().all()
    assert "wb-ok" in page.form.feedback.status.value
    assert page.chart.shown["layer"][0]["mark"]["type"] == "line"
    assert page.chart.out.value.startswith("<svg")  # drawn here: no chart renderer in the page
    assert page.chart.out.value.count("<circle") == 1
    assert len(page.entries.shown) == 1


def test_mood_optional_fields_and_tags(app, store):
    app.show("mood")
    form = app.pages["mood"].form
    form.inputs["anxiety"].slider.value = 8
    form.inputs["sleep_hours"].input.value = "6,5"
    form.inputs["tags"].add("sleep")
    form.inputs["tags"].input.value += ", my own tag"
    form.inputs["note"].input.value = "a note, \"quoted\""
    form.save_button.click()
    entry = store.records("mood")[0]
    assert entry["anxiety"] == 8
    assert entry["sleep_hours"] == 6.5
    assert entry["tags"] == ["sleep", "my own tag"]
    assert entry["note"] == "a note, \"quoted\""
    assert form.inputs["note"].get() is None  # the form is ready for the next entry


def test_bad_input_keeps_what_was_typed(app, store):
    app.show("mood")
    form = app.pages["mood"].form
    form.inputs["note"].input.value = "keep me"
    form.inputs["sleep_hours"].input.value = "lots"
    form.save_button.click()
    assert "Hours slept" in form.feedback.error.value
    assert form.inputs["note"].input.value == "keep me"
    assert form.inputs["sleep_hours"].input.value == "lots"
    assert store.load("mood").empty


@pytest.mark.parametrize(("code", "text"), [(28, "No space left on device"),
                                           (30, "Read-only file system"),
                                           (13, "Permission denied")])
def test_write_failure_is_shown_and_text_kept(app, store, monkeypatch, code, text):
    kept = store.add("win", {"description": "saved before"})
    app.show("win")
    form = app.pages["win"].form
    form.inputs["description"].input.value = "made tea"

    def failing(*_args, **_kwargs):
        raise OSError(code, text)

    monkeypatch.setattr(Store, "_write_rows", failing)
    form.save_button.click()
    assert text in form.feedback.error.value
    assert "Everything you typed is still here" in form.feedback.error.value
    assert form.inputs["description"].input.value == "made tea"
    monkeypatch.undo()
    assert list(Store(store.data_dir).load("win")["id"]) == [kept]  # nothing saved was touched
    form.save_button.click()  # once the disk is fine again, the same click saves
    assert list(Store(store.data_dir).load("win")["description"]) == ["saved before", "made tea"]


def test_user_text_is_escaped_in_lists(app, store):
    store.add("win", {"description": "<img src=x onerror=alert(1)>"})
    store.add("mood", {"mood": 2, "note": "<script>alert(1)</script>", "tags": ["<b>"]})
    store.add("thought_record", {"situation": "<i>s</i>", "emotions": [{"name": "<u>sad",
              "intensity": 50}], "automatic_thoughts": [{"text": "<svg onload=x>", "hot": True}]})
    for kind in ("win", "mood", "thought_record"):
        app.show(kind)
        entries = app.pages[kind].entries
        html = entries.rows.value
        labels = " ".join(label for label, _id in entries.choice.options)
        assert "&lt;" not in labels  # the drop-down shows text as text: no markup, no entities
        if kind == "mood":
            assert "Mood 2/10 · tags: <b> · <script>alert(1)</script>" in labels
        assert "<img" not in html and "<script" not in html and "<svg" not in html
        assert "<u>" not in html and "<i>" not in html and "<b>" not in html
        assert "&lt;" in html


def test_edit_and_delete_with_confirmation(app, store):
    entry_id = store.add("win", {"description": "cooked"})
    app.show("win")
    page = app.pages["win"]
    entries = page.entries
    assert entries.chosen["id"] == entry_id  # the newest is chosen to begin with
    entries.edit_button.click()
    assert page.form.editing == entry_id
    page.form.inputs["description"].input.value = "cooked a real meal"
    page.form.save_button.click()
    assert store.get("win", entry_id)["description"] == "cooked a real meal"
    assert len(store.load("win")) == 1

    entries.delete_button.click()  # Delete asks first, naming the entry
    assert entries.confirm.layout.display is None
    assert "Delete the entry from" in entries.question.value
    entries.keep_button.click()  # Keep it
    assert entries.confirm.layout.display == "none"
    assert len(store.load("win")) == 1
    entries.delete_button.click()
    entries.yes_button.click()  # Yes, delete
    assert store.load("win").empty
    assert "Entry deleted" in entries.feedback.status.value
    assert "Nothing here yet" in entries.rows.value
    assert entries.controls.layout.display == "none"  # nothing left to edit or delete


def test_delete_removes_the_entry_it_asked_about(app, store):
    """Yes deletes what the question named; choosing another entry withdraws the question."""
    first = store.add("win", {"description": "first"})
    second = store.add("win", {"description": "second"})
    app.show("win")
    entries = app.pages["win"].entries
    assert entries.shown == [second, first]
    assert [label.split(": ", 1)[1] for label, _ in entries.choice.options] == ["second", "first"]
    entries.choose(first)
    entries.delete_button.click()
    entries.choose(second)  # changed their mind about which one
    assert entries.confirm.layout.display == "none"
    entries.choose(first)
    entries.delete_button.click()
    entries.yes_button.click()
    assert [r["description"] for r in store.records("win")] == ["second"]
    assert entries.shown == [second]


def test_the_newest_stays_chosen_as_entries_come_in(app, store):
    store.add("win", {"description": "first"})
    app.show("win")
    page = app.pages["win"]
    page.form.inputs["description"].input.value = "second"
    page.form.save_button.click()
    assert page.entries.chosen["description"] == "second"
    page.entries.choose(page.entries.shown[1])  # picked an older one: it stays picked
    page.form.inputs["description"].input.value = "third"
    page.form.save_button.click()
    assert page.entries.chosen["description"] == "first"


def test_wins_this_week_and_examples(app, store):
    app.show("win")
    page = app.pages["win"]
    assert "No wins saved this week yet" in page.summary.children[0].value
    page.form.inputs["description"].input.value = "went for a walk"
    page.form.inputs["category"].input.value = "movement"
    page.form.save_button.click()
    assert "1 win this week" in page.summary.children[0].value
    assert store.records("win")[0]["category"] == "movement"
    page.show_examples()
    assert page.examples.value.count("<li>") == 4
    assert "streak" not in page.summary.children[0].value.lower()


def test_thought_record_step_by_step(app, store):
    app.show("thought_record")
    form = app.pages["thought_record"].form
    assert form.back_button.disabled
    form.inputs["situation"].input.value = "Friend did not reply"
    form.next_button.click()
    emotions = form.inputs["emotions"]
    emotions.rows[0][1].value = "sad"
    emotions.rows[0][2].value = 80
    emotions.add_row("anxious", 60)
    form.next_button.click()
    thoughts = form.inputs["automatic_thoughts"]
    thoughts.rows[0][1].value = "They are angry with me"
    thoughts.add_row("Nobody likes me")
    thoughts.rows[1][2].value = True
    assert form.hot.value == ""  # not yet: it is on screen already
    form.next_button.click()
    assert "Nobody likes me" in form.hot.value
    form.inputs["distortions"].boxes["mind_reading"].value = True
    for _ in range(3):
        form.next_button.click()
        assert "Nobody likes me" in form.hot.value
    form.inputs["balanced_thought"].input.value = "They are often busy"
    form.inputs["balanced_belief"].slider.value = 60
    form.next_button.click()
    rerate = form.inputs["emotions_after"]
    assert set(rerate.sliders) == {"sad", "anxious"}
    rerate.sliders["sad"].value = 40
    assert form.save_button.layout.display is None
    form.save_button.click()
    record = store.records("thought_record")[0]
    assert record["status"] == "complete"
    assert record["automatic_thoughts"][1] == {"text": "Nobody likes me", "hot": True}
    assert record["distortions"] == ["mind_reading"]
    # only the feeling re-rated: 'anxious' was left where it was, so nothing is claimed for it
    assert record["emotions_after"] == [{"name": "sad", "intensity": 40}]
    html = app.pages["thought_record"].entries.rows.value
    assert "sad 80 → 40" in html


def test_thought_record_draft_reopened_and_finished(app, store):
    app.show("thought_record")
    form = app.pages["thought_record"].form
    form.next_button.click()
    form.inputs["emotions"].rows[0][1].value = "lonely"
    form.draft_button.click()
    assert "Draft saved" in form.feedback.status.value
    form.draft_button.click()  # a second draft save updates the same draft
    records = store.records("thought_record")
    assert len(records) == 1 and records[0]["status"] == "draft"

    fresh = App(store)  # e.g. the next day, a new page
    fresh.show("thought_record")
    page = fresh.pages["thought_record"]
    assert "draft" in page.entries.rows.value
    assert page.entries.edit_button.description == "Finish"
    page.entries.edit_button.click()  # Finish
    form = page.form
    assert form.inputs["emotions"].get() == [{"name": "lonely", "intensity": 50}]
    for _ in range(7):
        form.next_button.click()
    form.save_button.click()
    assert "Situation" in form.feedback.error.value  # still needs a situation
    form.go(0)
    form.inputs["situation"].input.value = "Evening alone"
    form.save_button.click()
    records = store.records("thought_record")
    assert len(records) == 1
    assert records[0]["status"] == "complete"
    assert records[0]["situation"] == "Evening alone"


def test_single_tool_page(store):
    from workbook.ui.app import App

    one = App(store, start="win", tools=("win",))
    assert set(one.nav_buttons) == {"start", "win"}
    assert "wb-page-win" in one.shown._dom_classes


def test_first_run_welcome_and_choosing_what_to_track(store):
    app = App(store)
    assert "wb-welcome" in app.welcome._dom_classes
    assert str(store.data_dir) in app.welcome.children[0].value
    app.welcome.choices["thought_record"].value = False
    app.welcome.choices["checkin"].value = False
    app.welcome.start.click()
    assert app.welcome.layout.display == "none"
    assert "wb-hidden" in app.nav_buttons["thought_record"]._dom_classes
    assert "wb-hidden" not in app.nav_buttons["mood"]._dom_classes
    assert "wb-hidden" not in app.nav_buttons["progress"]._dom_classes
    again = App(store)  # the next time: no welcome, the same choice
    assert not again.welcome.children
    assert "wb-hidden" in again.nav_buttons["checkin"]._dom_classes
    tracked = [k for k in exercises.trackable() if k not in ("thought_record", "checkin")]
    assert tracked[:3] == ["mood", "win", "session"]
    assert store.settings() == {"welcomed": True, "tools": tracked}


def test_no_welcome_when_there_is_data_already(store):
    store.add("mood", {"mood": 5})
    assert not App(store).welcome.children


def test_editing_a_thought_record_keeps_its_re_ratings(app, store):
    """Re-ratings were dropped when an entry was opened with Edit and saved again."""
    entry = store.add("thought_record", {
        "situation": "the call", "emotions": [{"name": "sad", "intensity": 80},
                                              {"name": "tense", "intensity": 50}],
        "emotions_after": [{"name": "sad", "intensity": 30}]})
    app.show("thought_record")
    form = app.pages["thought_record"].form
    form.edit(store.get("thought_record", entry))
    form.draft_button.click()  # a draft from step 1: the re-rating is still there
    assert store.get("thought_record", entry)["emotions_after"] == [{"name": "sad", "intensity": 30}]
    form.edit(store.get("thought_record", entry))
    while form.next_button.layout.display != "none":
        form.next_button.click()
    rerate = form.inputs["emotions_after"]
    assert rerate.sliders["sad"].value == 30 and "30" in rerate.readouts["sad"].value
    assert "not re-rated" in rerate.readouts["tense"].value
    rerate.sliders["tense"].value = 20
    form.save_button.click()
    assert store.get("thought_record", entry)["emotions_after"] == [
        {"name": "sad", "intensity": 30}, {"name": "tense", "intensity": 20}]


@pytest.mark.parametrize("kind", ["mood", "thought_record", "win", "session", "checkin"])
def test_edit_then_save_unchanged_keeps_every_value(store, kind):
    """Opening any entry with Edit and saving it as it is changes nothing that was saved."""
    from workbook import sample

    sample.generate(store, sample.Size(years=0.2), seed=3)
    app = App(store)
    app.show(kind)
    form = app.pages[kind].form
    names = [f.name for f in store.exercise(kind).fields]
    # the entry with the most answers, so every field type is loaded and saved again
    entry = max(store.records(kind), key=lambda r: sum(r.get(n) is not None for n in names))
    form.edit(store.get(kind, entry["id"]))
    next_button = getattr(form, "next_button", None)
    while next_button is not None and next_button.layout.display != "none":
        next_button.click()
    form.save_button.click()
    assert form.feedback.error.value == ""
    after = store.get(kind, entry["id"])

    def comparable(record):  # ticked choices come back in the options' order
        return {f.name: sorted(record[f.name]) if f.type == "multi_choice" and record.get(f.name)
                else record.get(f.name) for f in store.exercise(kind).fields}

    assert comparable(after) == comparable(entry)


def test_the_crisis_panel_opens_once_for_an_item9_answer_not_on_every_later_save(app, store):
    """Urgent is for now: the panel opens on the save that brings the answer, and stays where the
    person put it on later saves of anything (the note above still says where help is)."""
    store.add("checkin", {**{f"phq9_{i}": 0 for i in range(1, 9)}, "phq9_9": 1,
                          **{f"gad7_{i}": 0 for i in range(1, 8)}})
    app.check_rules()
    assert app.crisis.layout.display != "none"
    app.crisis.toggle()  # the person closes it
    assert app.crisis.layout.display == "none"
    app.show("win")
    app.pages["win"].form.inputs["description"].input.value = "a walk"
    app.pages["win"].form.save_button.click()
    assert app.crisis.layout.display == "none"
    assert "wb-alert-item9" in app.reach_out.value
