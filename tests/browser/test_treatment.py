"""Treatment tracking in Chromium: item 9 answered at once, a session saved, the dashboard drawn."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect
from test_app import go, type_into
from wb_browser import PAGE_BUILD_TIMEOUT_MS, Server, open_app

from workbook import sample
from workbook.store import Store

pytestmark = pytest.mark.browser


def test_item9_shows_crisis_resources_before_any_save(page: Page, fresh_server: Server) -> None:
    root = go(page, "checkin")
    box = root.locator(".wb-item9-box")
    expect(box).to_have_count(0)
    root.locator(".wb-field-phq9_9 label", has_text="Several days").click()
    expect(box).to_be_visible()
    expect(box).to_contain_text("Nobody watches this app")
    expect(box).to_contain_text("several days in the last two weeks")  # words graded by the answer
    expect(box).to_contain_text("988")
    assert fresh_server.rows("checkin") == []  # nothing had to be saved for this
    root.locator(".wb-field-phq9_9 label", has_text="Not at all").click()
    expect(box).to_have_count(0)


def test_checkin_scores_after_save(page: Page, fresh_server: Server) -> None:
    root = go(page, "checkin")
    for i in range(1, 10):
        root.locator(f".wb-field-phq9_{i} label", has_text="More than half the days").click()
    root.locator(".wb-field-phq9_9 label", has_text="Not at all").click()
    root.locator(".wb-save").click()
    expect(root.locator(".wb-form .wb-ok")).to_be_visible()
    expect(root.locator(".wb-score-summary")).to_contain_text("PHQ-9 score is 16 of 27")
    row = fresh_server.rows("checkin")[0]
    assert [row[f"phq9_{i}"] for i in range(1, 10)] == ["2"] * 8 + ["0"]


def test_session_notes_and_small_step_to_a_win(page: Page, fresh_server: Server) -> None:
    root = go(page, "session")
    expect(root.locator(".wb-integration")).to_contain_text("do not drive")
    root.locator(".wb-field-treatment select").select_option(label="Esketamine (Spravato)")
    for _ in range(4):
        root.locator(".wb-next").click()
    type_into(root.locator(".wb-field-next_step textarea"), "Walk to the <b>park</b>")
    root.locator(".wb-save").click()
    expect(root.locator(".wb-form .wb-ok")).to_be_visible()
    assert fresh_server.rows("session")[0]["treatment"] == "esketamine"
    expect(root.locator(".wb-integration")).to_contain_text("integration window")
    root.locator(".wb-entry-list .wb-to-win").click()
    win = page.locator(".wb-page-win")
    expect(win).to_be_visible(timeout=PAGE_BUILD_TIMEOUT_MS)  # its first visit builds it
    expect(win.locator(".wb-field-description textarea")).to_have_value("Walk to the <b>park</b>")


def test_progress_dashboard_draws_every_chart(page: Page, fresh_server: Server) -> None:
    sample.generate(Store(fresh_server.data_dir), sample.ONE_YEAR, seed=3, end=dt.date.today())
    open_app(page, fresh_server.url, fresh_server)
    root = go(page, "progress")
    expect(root.locator(".wb-chart svg")).to_have_count(6, timeout=60_000)
    expect(root.locator(".wb-chart-summary").first).to_contain_text("average mood")
    page.locator(".wb-range select").select_option(label="All time")
    expect(root.locator(".wb-chart-summary").first).to_contain_text("mood")
    expect(root.locator(".wb-chart svg")).to_have_count(6, timeout=60_000)
