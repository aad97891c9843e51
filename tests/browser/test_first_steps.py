"""A new user's first ten minutes, as the README tells them: look around on sample data, start
their own workbook, one check-in, a daily reminder, and choosing what to track."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import icalendar
import pytest
from playwright.sync_api import Page, expect
from test_accessibility import axe, blocking
from wb_browser import Server, open_app, start_server, stop_server

pytestmark = pytest.mark.browser

KERNEL_MS = 30_000


def test_the_demo_says_it_is_sample_data_and_keeps_it_apart(browser, tmp_path: Path,
                                                            axe_path: Path) -> None:
    demo = start_server(tmp_path / "demo", verb="demo")
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    try:
        pg = context.new_page()
        requests: list[str] = []
        pg.on("request", lambda req: requests.append(req.url))
        open_app(pg, demo.url, demo)
        note = pg.locator(".wb-sample-note")
        expect(note).to_be_visible()
        expect(note).to_contain_text("Sample data")
        expect(note).to_contain_text("make run")
        expect(pg.locator(".wb-welcome")).to_have_count(0)  # nothing to choose on sample data
        assert not blocking({"demo, Start here": axe(pg, axe_path)})  # the note's contrast too
        pg.locator(".wb-nav-progress").click()
        expect(pg.locator(".wb-page-progress .wb-chart svg").first).to_be_attached(timeout=KERNEL_MS)
        expect(note).to_be_visible()  # on every page, not only the first
        assert len(demo.rows("mood")) > 200  # a year of made-up check-ins
        foreign = [u for u in requests if not u.startswith(("data:", "blob:"))
                   and demo.netloc not in u]
        assert foreign == []
    finally:
        context.close()
        stop_server(demo)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]  # nothing written elsewhere


def test_own_workbook_first_check_in_a_reminder_and_what_to_track(page: Page, fresh_server: Server,
                                                                  tmp_path: Path) -> None:
    expect(page.locator(".wb-sample-note")).to_have_count(0)
    welcome = page.locator(".wb-welcome")
    expect(welcome).to_be_visible()
    expect(welcome).to_contain_text(str(fresh_server.data_dir))
    # untick what they do not want, then Start: the menu follows the choice
    welcome.locator(".wb-track-session input[type=checkbox]").uncheck()
    welcome.locator(".wb-welcome-start").click()
    expect(welcome).to_be_hidden(timeout=KERNEL_MS)
    expect(page.locator(".wb-nav-session")).to_be_hidden(timeout=KERNEL_MS)

    # one mood check-in: the slider as it is, and Save
    page.locator(".wb-nav-mood").click()
    mood = page.locator(".wb-page-mood")
    mood.locator(".wb-save").click()
    expect(mood.locator(".wb-form .wb-ok")).to_be_visible(timeout=KERNEL_MS)
    assert len(fresh_server.rows("mood")) == 1

    # a daily reminder at a time of their choosing, as a calendar file
    page.locator(".wb-nav-data").click()
    reminders = page.locator(".wb-page-data .wb-reminders")
    time_box = reminders.locator(".wb-field-reminder_time input")
    time_box.fill("after dinner")  # not a time the page understands: said where they look
    reminders.locator(".wb-make-reminder").click()
    expect(reminders.locator(".wb-error .wb-problem")).to_be_visible(timeout=KERNEL_MS)
    expect(time_box).to_have_value("after dinner")  # what they typed is kept
    time_box.fill("21:15")
    reminders.locator(".wb-make-reminder").click()
    link = reminders.locator("a.wb-download-link")
    expect(link).to_be_visible(timeout=KERNEL_MS)
    with page.expect_download() as download:
        link.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.suffix == ".ics"
    calendar = icalendar.Calendar.from_ical(saved.read_bytes())
    [event] = calendar.walk("VEVENT")
    assert event.decoded("dtstart").time() == dt.time(21, 15)
    assert event["rrule"]["FREQ"] == ["DAILY"]
    assert calendar.walk("VALARM"), "the event reminds them"

    # What I track, later: sessions back in the menu; nothing needed deleting
    tracking = page.locator(".wb-page-data .wb-tracking")
    tracking.locator(".wb-tracking-session input[type=checkbox]").check()
    tracking.locator(".wb-tracking-save").click()
    expect(tracking.locator(".wb-ok")).to_be_visible(timeout=KERNEL_MS)
    expect(page.locator(".wb-nav-session")).to_be_visible(timeout=KERNEL_MS)

    # the next visit opens straight on their workbook: no welcome, the same choice
    open_app(page, fresh_server.url, fresh_server)
    expect(page.locator(".wb-welcome")).to_have_count(0)
    expect(page.locator(".wb-nav-session")).to_be_visible()
