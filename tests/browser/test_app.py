"""The workbook in a real Chromium against a real Voila server.

Each test opens its own page (its own kernel). Tests on the shared server find their own
rows by a unique token in the text they type; the wins test counts entries and the
screenshots should show only their own, so those two get a data folder of their own
(`fresh_server`).
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from wb_browser import PAGE_BUILD_TIMEOUT_MS, Server, go, open_app

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TOOLS = ("mood", "thought_record", "win")


# -- helpers -------------------------------------------------------------------------------
def token() -> str:
    return uuid.uuid4().hex[:10]


# The first visit to a tool page in a fresh kernel imports pandas, Altair and vl-convert
# and may draw a chart: seconds on an idle machine, much more on a busy 2-core one.


def type_into(box: Locator, text: str) -> None:
    """Type into a text box and leave it, so the widget sends its value to the kernel."""
    box.fill(text)
    box.blur()


def slide(page: Page, root: Locator, name: str, keys: list[str], expect_value: int) -> None:
    """Move a scale slider with the keyboard; the kernel's readout confirms the value."""
    root.locator(f".wb-field-{name} .noUi-handle").focus()
    for key in keys:
        page.keyboard.press(key)
    expect(root.locator(f".wb-input-{name} .wb-readout")).to_have_text(str(expect_value))


def tick(box: Locator) -> None:
    """Tick a checkbox with a real mouse click."""
    box.check()
    expect(box).to_be_checked()


def entry_row(root: Locator, text: str) -> Locator:
    return root.locator(".wb-entries .wb-entry").filter(has_text=text)


def choose_entry(root: Locator, text: str) -> Locator:
    """Pick the entry whose label holds `text` in the list's Entry drop-down (as a person
    would, by its visible label); returns the list, whose Edit and Delete then act on it."""
    select = root.locator(".wb-entry-choice select")
    expect(select).to_have_accessible_name("Entry")
    expect(select.locator("option").filter(has_text=text)).to_have_count(1)
    label = select.locator("option").filter(has_text=text).inner_text()
    select.select_option(label=label)
    return root.locator(".wb-entry-list")


def rows_with(server: Server, kind: str, column: str, text: str) -> list[dict[str, str]]:
    return [row for row in server.rows(kind) if text in row.get(column, "")]


# -- (a) Start here and the crisis panel ----------------------------------------------------
def test_start_page_and_crisis_panel_from_every_page(page: Page) -> None:
    start = page.locator(".wb-page-start")
    expect(start).to_be_visible()
    expect(start).to_contain_text("Welcome")
    expect(start).to_contain_text("It is not medical advice")
    assert len(start.inner_text()) > 500

    # every page in the navigation bar, including any added after this test was written
    kinds = page.eval_on_selector_all(
        ".wb-bar .wb-nav",
        "els => els.map(e => [...e.classList].find(c => c.startsWith('wb-nav-')).slice(7))",
    )
    assert {"start", *TOOLS} <= set(kinds), kinds

    crisis = page.locator(".wb-crisis")
    help_button = page.locator(".wb-help-button")
    expect(crisis).to_be_hidden()
    for kind in kinds:
        go(page, kind)
        expect(crisis).to_be_hidden()
        help_button.click()  # one click (the kernel may still be drawing the page's charts)
        expect(crisis).to_be_visible(timeout=PAGE_BUILD_TIMEOUT_MS)
        expect(crisis).to_contain_text("988")
        help_button.click()  # and it closes again
        expect(crisis).to_be_hidden()
    # the panel's own Close button works as well
    help_button.click()
    expect(crisis).to_be_visible()
    crisis.locator(".wb-crisis-close").click()
    expect(crisis).to_be_hidden()


# -- (b) a mood check-in with awkward text -------------------------------------------------
def awkward_note(tag: str) -> str:
    return (f'Note {tag}: "quoted", commas, here\nsecond line 😊 =SUM(A1) '
            "<img src=x onerror=alert(1)> <script>alert(2)</script> it's done")


def save_mood(page: Page, root: Locator, note: str, sleep: str = "6.5") -> None:
    slide(page, root, "mood", ["ArrowRight", "ArrowRight"], 7)
    type_into(root.locator(".wb-field-sleep_hours input"), sleep)
    root.locator(".wb-chip", has_text="outdoors").click()
    expect(root.locator(".wb-field-tags input")).to_have_value(re.compile(r"\boutdoors\b"))
    type_into(root.locator(".wb-field-note textarea"), note)
    root.locator(".wb-save").click()
    expect(root.locator(".wb-form .wb-ok")).to_be_visible()


def test_mood_check_in_saves_exact_text_and_shows_it_as_text(page: Page, server: Server) -> None:
    tag = token()
    note = awkward_note(tag)
    root = go(page, "mood")
    save_mood(page, root, note)
    expect(root.locator(".wb-form .wb-ok")).to_contain_text("Saved")

    saved = rows_with(server, "mood", "note", tag)
    assert len(saved) == 1, saved
    row = saved[0]
    assert row["note"] == note  # exactly as typed: quotes, commas, newline, emoji, markup
    assert row["mood"] == "7"
    assert row["sleep_hours"] == "6.5"
    assert "outdoors" in row["tags"]

    entry = entry_row(root, tag)
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("Mood 7/10")
    expect(entry).to_contain_text("<img src=x onerror=alert(1)>")
    expect(entry).to_contain_text("<script>alert(2)</script>")
    assert page.locator('img[src="x"]').count() == 0
    assert "<img src=x" in page.locator("body").inner_text()
    expect(root.locator(".wb-chart svg").first).to_be_attached()
    # the form is empty again for the next check-in
    expect(root.locator(".wb-field-note textarea")).to_have_value("")


# -- (c) a bad value keeps what was typed ---------------------------------------------------
def test_bad_sleep_value_shows_message_and_keeps_text(page: Page, server: Server) -> None:
    tag = token()
    note = f"Bad input {tag}, keep me"
    root = go(page, "mood")
    type_into(root.locator(".wb-field-sleep_hours input"), "abc")
    type_into(root.locator(".wb-field-note textarea"), note)
    root.locator(".wb-save").click()

    problem = root.locator(".wb-form .wb-error .wb-problem")
    expect(problem).to_be_visible()
    expect(problem).to_contain_text("Hours slept")
    expect(root.locator(".wb-form .wb-ok")).to_have_count(0)
    expect(root.locator(".wb-field-note textarea")).to_have_value(note)
    expect(root.locator(".wb-field-sleep_hours input")).to_have_value("abc")
    assert rows_with(server, "mood", "note", tag) == []
    expect(entry_row(root, tag)).to_have_count(0)


# -- (d) a thought record, start to finish, and a draft ----------------------------------
def next_step(form: Locator, number: int, title: str) -> None:
    form.locator(".wb-next").click()
    expect(form.locator(".wb-progress")).to_contain_text(f"Step {number} of 8: {title}")


def fill_thought_record_to_patterns(page: Page, root: Locator, situation: str, hot: str) -> None:
    """Steps 1-3 filled, left on step 4 (thinking patterns) with the hot thought in view."""
    form = root.locator(".wb-form")
    expect(form.locator(".wb-progress")).to_contain_text("Step 1 of 8")
    type_into(root.locator(".wb-field-situation textarea"), situation)
    next_step(form, 2, "Emotions")
    emotions = root.locator(".wb-field-emotions")
    type_into(emotions.locator(".wb-row-name input").first, "sad")
    emotions.locator(".wb-row .noUi-handle").first.focus()
    page.keyboard.press("End")  # 100
    for _ in range(20):
        page.keyboard.press("ArrowLeft")
    expect(emotions.locator(".wb-row .noUi-handle").first).to_have_attribute(
        "aria-valuetext", "80")
    next_step(form, 3, "Automatic thoughts")
    expect(root.locator(".wb-hot-thought .wb-hot-text")).to_have_count(0)  # not before it
    thoughts = root.locator(".wb-field-automatic_thoughts")
    type_into(thoughts.locator(".wb-row-text textarea").first, hot)
    tick(thoughts.locator(".wb-hot input").first)
    next_step(form, 4, "Thinking patterns")
    expect(root.locator(".wb-hot-thought")).to_contain_text(hot)


def test_thought_record_through_every_step(page: Page, server: Server) -> None:
    tag = token()
    root = go(page, "thought_record")
    form = root.locator(".wb-form")
    situation = f"Friend {tag} did not reply to my message"
    hot = f"They are angry with me {tag}"
    fill_thought_record_to_patterns(page, root, situation, hot)
    expect(form.locator(".wb-save")).to_be_hidden()
    tick(root.locator(".wb-option-mind_reading input"))

    next_step(form, 5, "Evidence for")
    expect(root.locator(".wb-hot-thought")).to_contain_text(hot)
    type_into(root.locator(".wb-field-evidence_for textarea"), "No reply for two days")
    next_step(form, 6, "Evidence against")
    expect(root.locator(".wb-hot-thought")).to_contain_text(hot)
    type_into(root.locator(".wb-field-evidence_against textarea"), "They are often busy")
    next_step(form, 7, "Balanced thought")
    expect(root.locator(".wb-hot-thought")).to_contain_text(hot)
    balanced = f"They are probably busy {tag}"
    type_into(root.locator(".wb-field-balanced_thought textarea"), balanced)
    slide(page, root, "balanced_belief", ["End"] + ["ArrowLeft"] * 30, 70)
    next_step(form, 8, "Re-rate emotions")
    expect(root.locator(".wb-hot-thought")).to_contain_text(hot)
    rerate = root.locator(".wb-field-emotions_after")
    expect(rerate).to_contain_text("sad")
    expect(rerate).to_contain_text("(was 80)")
    rerate.locator(".noUi-handle").first.focus()
    for _ in range(40):
        page.keyboard.press("ArrowLeft")
    expect(rerate.locator(".noUi-handle").first).to_have_attribute("aria-valuetext", "40")

    # Back and forward keeps everything
    form.locator(".wb-back").click()
    expect(form.locator(".wb-progress")).to_contain_text("Step 7 of 8")
    expect(root.locator(".wb-field-balanced_thought textarea")).to_have_value(balanced)
    next_step(form, 8, "Re-rate emotions")
    expect(form.locator(".wb-next")).to_be_hidden()
    form.locator(".wb-save").click()
    expect(form.locator(".wb-ok")).to_contain_text("Thought record saved")

    saved = rows_with(server, "thought_record", "situation", tag)
    assert len(saved) == 1, saved
    row = saved[0]
    assert row["status"] == "complete"
    assert row["situation"] == situation
    assert row["balanced_thought"] == balanced
    assert json.loads(row["distortions"]) == ["mind_reading"]
    assert json.loads(row["emotions"]) == [{"name": "sad", "intensity": 80}]
    assert json.loads(row["emotions_after"]) == [{"name": "sad", "intensity": 40}]
    assert json.loads(row["automatic_thoughts"]) == [{"text": hot, "hot": True}]
    assert row["balanced_belief"] == "70"

    entry = entry_row(root, tag)
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("→")
    expect(entry).to_contain_text(re.compile(r"sad\s*80\s*→\s*40"))
    expect(entry).to_contain_text(hot)
    expect(entry.locator(".wb-badge")).to_have_count(0)


def test_thought_record_draft_survives_a_reload(page: Page, server: Server) -> None:
    tag = token()
    situation = f"Draft {tag}: meeting went badly"
    root = go(page, "thought_record")
    type_into(root.locator(".wb-field-situation textarea"), situation)
    root.locator(".wb-save-draft").click()
    expect(root.locator(".wb-form .wb-ok")).to_contain_text("Draft saved")
    saved = rows_with(server, "thought_record", "situation", tag)
    assert [r["status"] for r in saved] == ["draft"]

    open_app(page, server.url, server)  # reload: a new kernel, nothing held in memory
    root = go(page, "thought_record")
    entry = entry_row(root, tag)
    expect(entry).to_have_count(1)
    expect(entry.locator(".wb-badge")).to_have_text("draft")
    finish = choose_entry(root, tag).locator(".wb-edit")
    expect(finish).to_have_text("Finish")
    finish.click()
    expect(root.locator(".wb-field-situation textarea")).to_have_value(situation)
    expect(root.locator(".wb-form .wb-ok")).to_contain_text("Draft reopened")


def test_checkboxes_can_be_seen_and_ticked(page: Page) -> None:
    """Regression: workbook.css once clipped `.wb-input .widget-label-basic`, the <label> that
    wraps each checkbox and its text, so the hot-thought and pattern boxes were invisible."""
    root = go(page, "thought_record")
    form = root.locator(".wb-form")
    type_into(root.locator(".wb-field-situation textarea"), f"Checkboxes {token()}")
    next_step(form, 2, "Emotions")
    next_step(form, 3, "Automatic thoughts")
    hot = root.locator(".wb-hot")
    expect(hot).to_contain_text("This is the hot thought")
    label = hot.locator("label", has_text="This is the hot thought")
    box = label.bounding_box()
    assert box is not None and box["width"] > 20 and box["height"] > 8, box
    hot.locator("input").check(timeout=5_000)  # a real mouse click
    next_step(form, 4, "Thinking patterns")
    option = root.locator(".wb-option-mind_reading")
    box = option.locator("label").last.bounding_box()
    assert box is not None and box["width"] > 20 and box["height"] > 8, box
    option.locator("input").check(timeout=5_000)


# -- (e) small wins ------------------------------------------------------------------------
def test_small_win_counts_this_week_and_examples_help(page: Page, fresh_server: Server) -> None:
    root = go(page, "win")
    expect(root.locator(".wb-wins-week")).to_contain_text("No wins saved this week yet")
    description = "Went for a short walk, \"even\" in the rain 🌧"
    type_into(root.locator(".wb-field-description textarea"), description)
    root.locator(".wb-field-category select").select_option(label="movement")
    root.locator(".wb-save").click()
    expect(root.locator(".wb-form .wb-ok")).to_be_visible()
    expect(root.locator(".wb-wins-week")).to_contain_text("1 win this week")
    # the week's bar, drawn by the kernel as SVG: its hover text says the count, and the page
    # never started the browser's chart renderer for it
    chart = root.locator(".wb-chart-canvas svg.wb-svg-chart")
    expect(chart).to_be_visible()
    expect(chart).to_have_attribute("aria-label", "Wins per week")
    expect(chart.locator("path title")).to_have_text(re.compile(r": 1 win$"))
    assert page.locator(".vega-embed").count() == 0

    rows = fresh_server.rows("win")
    assert len(rows) == 1
    assert rows[0]["description"] == description
    assert rows[0]["category"] == "movement"
    expect(entry_row(root, "short walk")).to_have_count(1)

    examples = root.locator(".wb-examples")
    expect(examples.locator("li")).to_have_count(0)
    root.locator(".wb-show-examples").click()
    expect(examples.locator("li").first).to_be_visible()
    assert examples.locator("li").count() >= 1


# -- (f) edit, keep, delete ----------------------------------------------------------------
def test_edit_then_delete_a_mood_entry_with_confirmation(page: Page, server: Server) -> None:
    tag = token()
    first, changed = f"Edit me {tag}", f"Edited {tag}"
    root = go(page, "mood")
    type_into(root.locator(".wb-field-note textarea"), first)
    root.locator(".wb-save").click()
    expect(root.locator(".wb-form .wb-ok")).to_be_visible()
    [original] = rows_with(server, "mood", "note", tag)

    choose_entry(root, first).locator(".wb-edit").click()
    note_box = root.locator(".wb-field-note textarea")
    expect(note_box).to_have_value(first)
    type_into(note_box, changed)
    root.locator(".wb-save").click()
    expect(root.locator(".wb-form .wb-ok")).to_contain_text("Changes saved")
    [edited] = rows_with(server, "mood", "note", tag)
    assert edited["id"] == original["id"]
    assert edited["note"] == changed
    assert edited["updated_at"]
    expect(entry_row(root, tag)).to_have_count(1)
    expect(entry_row(root, tag)).to_contain_text(changed)

    # Delete asks first; Keep it keeps it
    row = choose_entry(root, tag)
    row.locator(".wb-delete").click()
    expect(row.locator(".wb-confirm")).to_contain_text("Delete the entry from")
    expect(row.locator(".wb-confirm-delete")).to_be_visible()
    row.locator(".wb-keep").click()
    expect(row.locator(".wb-confirm-delete")).to_be_hidden()
    expect(entry_row(root, tag)).to_have_count(1)
    assert len(rows_with(server, "mood", "note", tag)) == 1

    # Yes, delete removes it from the list and the file
    row.locator(".wb-delete").click()
    row.locator(".wb-confirm-delete").click()
    expect(entry_row(root, tag)).to_have_count(0)
    expect(root.locator(".wb-entry-list .wb-ok")).to_contain_text("Entry deleted")
    assert rows_with(server, "mood", "note", tag) == []


# -- (g) screenshots for the docs -----------------------------------------------------------
def full_screenshot(page: Page, path: Path) -> None:
    """The whole page at 1000 px wide, not just the first 900 px.

    Voila's page does not scroll the document: #rendered_cells scrolls inside a 900 px
    viewport, so full_page=True alone would cut it off. Grow the viewport to the content's
    height for the shot, then put it back.
    """
    size = page.viewport_size
    height = page.evaluate(
        """() => {
            const cells = document.getElementById("rendered_cells");
            if (!cells) return document.documentElement.scrollHeight;
            return Math.ceil(cells.getBoundingClientRect().top + cells.scrollHeight);
        }"""
    )
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], height)})
    try:
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(size)


def test_screenshots_of_every_page(page: Page, fresh_server: Server) -> None:
    """docs/screenshots/*.png, from a data folder of their own so only their entries show."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    welcome = page.locator(".wb-welcome")  # an empty data folder: the first-run welcome
    expect(welcome).to_be_visible()
    expect(welcome).to_contain_text(str(fresh_server.data_dir))
    full_screenshot(page, SCREENSHOTS / "welcome.png")
    page.locator(".wb-welcome-start").click()
    expect(welcome).to_be_hidden()
    go(page, "start")
    full_screenshot(page, SCREENSHOTS / "start.png")

    root = go(page, "mood")
    save_mood(page, root, "Slept better. Walked to the shop and back.")
    expect(root.locator(".wb-chart svg").first).to_be_visible()
    full_screenshot(page, SCREENSHOTS / "mood.png")

    root = go(page, "thought_record")
    fill_thought_record_to_patterns(page, root, "My friend has not replied to my message since Monday.",
                                    "They are angry with me and don't want to be friends any more.")
    tick(root.locator(".wb-option-mind_reading input"))
    full_screenshot(page, SCREENSHOTS / "thought_record.png")

    root = go(page, "win")
    type_into(root.locator(".wb-field-description textarea"), "Called my sister back.")
    root.locator(".wb-field-category select").select_option(label="connection")
    root.locator(".wb-save").click()
    expect(root.locator(".wb-form .wb-ok")).to_be_visible()
    root.locator(".wb-show-examples").click()
    expect(root.locator(".wb-examples li").first).to_be_visible()
    full_screenshot(page, SCREENSHOTS / "win.png")

    for name in ("welcome", "start", "mood", "thought_record", "win"):
        shot = SCREENSHOTS / f"{name}.png"
        assert shot.stat().st_size > 10_000, shot
