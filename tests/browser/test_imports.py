"""Bringing history in, in Chromium: a Daylio export is checked, its own mood names placed, then added."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from wb_browser import Server, go

pytestmark = pytest.mark.browser

DATA = Path(__file__).resolve().parents[1] / "data" / "imports"


def test_daylio_export_is_checked_then_added(page: Page, fresh_server: Server) -> None:
    root = go(page, "data")
    panel = root.locator(".wb-import")
    with page.expect_file_chooser() as chooser:  # as a person does, in the file dialog
        panel.locator(".wb-upload").click()
    chooser.value.set_files(str(DATA / "daylio_scales_bom_12h.csv"))
    panel.locator(".wb-import-button").click()
    preview = panel.locator(".wb-import-preview")
    expect(preview).to_contain_text("would add 3 entries. Nothing is added until you say so.")
    expect(preview).to_contain_text("Waiting for a place on the scale: 2 (superb, so-so)")
    assert fresh_server.rows("mood") == []  # looking writes nothing
    preview.locator(".wb-import-mood select").first.select_option(label="10 (best)")
    confirm = preview.locator(".wb-import-confirm")
    expect(confirm).to_have_text("Add 4 entries")
    confirm.click()
    expect(panel.locator(".wb-status")).to_contain_text("Added 4 mood check-ins from Daylio.")
    expect(panel.locator(".wb-import-problems")).to_contain_text("left out for now: so-so")
    rows = fresh_server.rows("mood")
    assert sorted(int(r["mood"]) for r in rows) == [1, 7, 9, 10]
    assert "Daylio scales: Anxiety: 5" in next(r["note"] for r in rows if r["mood"] == "1")
