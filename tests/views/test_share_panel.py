"""The share panel driven without a browser: tick, click, and read back what the link holds."""

from __future__ import annotations

import base64
import datetime as dt
import re

import pytest

from workbook.bundle import read_bundle
from workbook.ui.share_panel import SharePanel

TODAY = dt.date(2026, 3, 31)


@pytest.fixture
def panel(store) -> SharePanel:
    store.add("mood", {"mood": 6, "note": "<img src=x onerror=alert(1)>",
                       "created_at": "2026-03-30T09:00:00+01:00"})
    store.add("mood", {"mood": 2, "created_at": "2026-01-02T09:00:00+01:00"})  # before the 30 days
    store.add("win", {"description": "=SUM(A1) made tea", "created_at": "2026-03-20T18:00:00+01:00"})
    store.add("thought_record", {"situation": "private", "created_at": "2026-03-21T18:00:00+01:00"})
    return SharePanel(store, today=TODAY)


def link_bytes(panel: SharePanel) -> bytes:
    found = re.search(r'href="data:application/zip;base64,([A-Za-z0-9+/=]+)"', panel.download.value)
    assert found, panel.download.value
    return base64.b64decode(found.group(1))


def test_defaults_share_nothing_over_the_last_30_days(panel, store):
    assert "wb-share" in panel._dom_classes
    assert "wb-range-from" in panel.start._dom_classes and "wb-range-to" in panel.end._dom_classes
    assert (panel.start.value, panel.end.value) == (dt.date(2026, 3, 2), TODAY)
    assert set(panel.kinds) == set(store.catalog)
    for kind, box in panel.kinds.items():
        assert f"wb-share-kind-{kind}" in box._dom_classes
        assert box.value is False
    assert "wb-make-bundle" in panel.button._dom_classes
    assert "wb-download" in panel.download._dom_classes
    assert panel.download.value == ""


def test_nothing_ticked_says_so_and_offers_no_link(panel):
    panel.button.click()
    assert "nothing is shared unless you choose it" in panel.feedback.error.value
    assert panel.download.value == ""
    assert panel.manifest is None


def test_make_bundle_offers_a_local_download_of_exactly_what_was_ticked(panel):
    panel.kinds["mood"].value = True
    panel.kinds["win"].value = True
    panel.button.click()
    assert 'download="between-sessions-2026-03-31.zip"' in panel.download.value
    assert "http" not in panel.download.value.replace("data:application/zip", "")
    read = read_bundle(link_bytes(panel))
    assert read.kinds == ("mood", "win")
    assert read.manifest.counts == {"mood": 1, "win": 1}
    assert (read.manifest.start, read.manifest.end) == ("2026-03-02", "2026-03-31")
    assert read.frames["win"]["description"].tolist() == ["=SUM(A1) made tea"]
    assert "private" not in read.report_html
    assert "wb-ok" in panel.feedback.status.value
    assert "Mood check-in: 1, Small wins: 1" in panel.feedback.status.value
    assert panel.manifest == read.manifest


def test_a_changed_choice_takes_the_old_link_away(panel):
    panel.kinds["mood"].value = True
    panel.button.click()
    assert panel.download.value
    panel.kinds["win"].value = True
    assert panel.download.value == "" and panel.manifest is None
    panel.button.click()
    assert read_bundle(link_bytes(panel)).kinds == ("mood", "win")
    panel.start.value = dt.date(2026, 1, 1)
    assert panel.download.value == ""


def test_wider_range_and_an_open_start(panel):
    panel.kinds["mood"].value = True
    panel.start.value = None
    panel.button.click()
    assert read_bundle(link_bytes(panel)).manifest.counts == {"mood": 2}


def test_a_backwards_range_is_explained(panel):
    panel.kinds["mood"].value = True
    panel.start.value = dt.date(2026, 4, 2)
    panel.button.click()
    assert "is after end" in panel.feedback.error.value
    assert panel.download.value == ""


def test_an_unexpected_failure_reaches_the_page(panel, monkeypatch):
    import workbook.ui.share_panel as module

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(module, "make_bundle", broken)
    panel.kinds["mood"].value = True
    panel.button.click()
    assert "could not be made" in panel.feedback.error.value and "disk full" in panel.feedback.error.value
    assert panel.download.value == ""
    monkeypatch.setattr(module, "make_bundle", lambda *a: 1 / 0)
    panel.button.click()
    assert "ZeroDivisionError" in panel.feedback.error.value


def test_a_page_left_open_overnight_shares_up_to_the_new_day(store):
    """The default range is asked of the clock when the bundle is made, not when the page was built:
    a check-in saved after midnight on a page opened the evening before is in the bundle."""
    days = [dt.date(2026, 3, 30)]
    panel = SharePanel(store, today=lambda: days[0])
    assert panel.end.value == dt.date(2026, 3, 30)
    days[0] = dt.date(2026, 3, 31)
    store.add("mood", {"mood": 5, "note": "after midnight", "created_at": "2026-03-31T00:20:00+01:00"})
    panel.kinds["mood"].value = True
    manifest = panel.make()
    assert manifest is not None and (manifest.start, manifest.end) == ("2026-03-02", "2026-03-31")
    assert manifest.counts == {"mood": 1}
    assert "between-sessions-2026-03-31.zip" in panel.download.value
    assert (panel.start.value, panel.end.value) == (dt.date(2026, 3, 2), dt.date(2026, 3, 31))


def test_a_range_the_person_picked_is_never_moved(store):
    days = [dt.date(2026, 3, 30)]
    panel = SharePanel(store, today=lambda: days[0])
    panel.start.value, panel.end.value = dt.date(2026, 3, 1), dt.date(2026, 3, 15)
    days[0] = dt.date(2026, 3, 31)
    panel.refresh()
    panel.kinds["mood"].value = True
    store.add("mood", {"mood": 5, "created_at": "2026-03-10T09:00:00+01:00"})
    manifest = panel.make()
    assert (manifest.start, manifest.end) == ("2026-03-01", "2026-03-15")
