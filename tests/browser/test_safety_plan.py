"""The safety plan in Chromium: reached from item 9 in one click, filled, saved, printed, reopened."""

from __future__ import annotations

import base64
import re

import pytest
from playwright.sync_api import Page, expect
from test_app import type_into
from wb_browser import PAGE_BUILD_TIMEOUT_MS, Server, go, open_app

pytestmark = pytest.mark.browser

WRITTEN = {
    "warning_signs": "Staying in bed past noon <b>",
    "coping_alone": "A hot shower, then the radio",
    "ask_for_help": "Sam, 07700 900123",
    "reasons": "My niece's wedding in June",
}


def test_safety_plan_from_item9_filled_saved_printed_reopened(page: Page, fresh_server: Server) -> None:
    checkin = go(page, "checkin")
    checkin.locator(".wb-field-phq9_9 label", has_text="Several days").click()
    link = checkin.locator(".wb-item9 .wb-open-safety-plan")
    expect(link).to_be_visible()
    link.click()  # one click from the item-9 box
    plan = page.locator(".wb-page-safety_plan")
    expect(plan).to_be_visible(timeout=PAGE_BUILD_TIMEOUT_MS)
    # a first plan starts with the crisis lines the person already has
    expect(plan.locator(".wb-field-professionals textarea")).to_have_value(re.compile("988"))
    for name, text in WRITTEN.items():
        type_into(plan.locator(f".wb-field-{name} textarea"), text)
    plan.locator(".wb-save").click()
    expect(plan.locator(".wb-form .wb-ok")).to_be_visible()
    rows = fresh_server.rows("safety_plan")
    assert len(rows) == 1 and rows[0]["reasons"] == WRITTEN["reasons"]
    assert "988" in rows[0]["professionals"]
    assert fresh_server.rows("checkin") == []  # the plan never needed the check-in saved

    # printed: the download is a page of its own that Chromium renders and prints to PDF
    href = plan.locator(".wb-safety-plan-print a.wb-download-link").get_attribute("href")
    assert href and href.startswith("data:text/html;charset=utf-8;base64,")
    sheet = base64.b64decode(href.split(",", 1)[1]).decode("utf-8")
    printed = page.context.new_page()
    try:
        printed.set_content(sheet)
        expect(printed.locator("h1")).to_have_text("My safety plan")
        expect(printed.locator("body")).to_contain_text("Staying in bed past noon <b>")
        expect(printed.locator("body")).to_contain_text("Stanley")
        assert printed.pdf(format="A4").startswith(b"%PDF")
    finally:
        printed.close()

    # reopened after a reload (a new kernel), from Get help now
    open_app(page, fresh_server.url, fresh_server)
    page.locator(".wb-help-button").click()
    page.locator(".wb-crisis .wb-open-safety-plan").click()
    plan = page.locator(".wb-page-safety_plan")
    expect(plan).to_be_visible(timeout=PAGE_BUILD_TIMEOUT_MS)
    for name, text in WRITTEN.items():
        expect(plan.locator(f".wb-field-{name} textarea")).to_have_value(text)
    type_into(plan.locator(".wb-field-reasons textarea"), "My niece's wedding, and the sea")
    plan.locator(".wb-save").click()
    expect(plan.locator(".wb-safety-plan-print")).to_contain_text("1 earlier version")
    assert [r["reasons"] for r in fresh_server.rows("safety_plan")] == [
        WRITTEN["reasons"], "My niece's wedding, and the sea"]
