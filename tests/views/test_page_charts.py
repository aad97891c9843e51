"""The mood and wins pages draw their charts without pandas or Altair; the numbers and the
spec are the same as the analysis and chart functions (which the reports and dashboard use)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from workbook import analysis, charts, sample
from workbook.ui import chart_view
from workbook.ui.chart_view import spec_for_page

TODAY = dt.date(2026, 3, 18)  # a Wednesday


def resolved(spec: dict) -> dict:
    """The spec with its data inline (Altair names its datasets by a hash)."""
    spec = dict(spec)
    data = spec.pop("data")
    datasets = spec.pop("datasets", {})
    spec["rows"] = data["values"] if "values" in data else datasets[data["name"]]
    return spec


@pytest.fixture
def year(store):
    sample.generate(store, sample.ONE_YEAR, seed=5, end=TODAY)
    return store


def test_mood_chart_matches_the_altair_one(year):
    year.add("mood", {"mood": 2, "anxiety": 9})  # a second check-in today: a mean of two
    records = year.records("mood")
    today = dt.date.today()
    plain = chart_view.mood_by_day(records, today=today)
    frame = analysis.mood_by_day(year.load("mood"), today=today)
    assert resolved(spec_for_page(chart_view.mood_spec(plain, today=today))) == resolved(
        spec_for_page(charts.mood_chart(frame, today=today)))


@pytest.mark.parametrize("extra", [0, 12])  # up to 8 a week: a tick per number; more: fewer ticks
def test_wins_chart_and_count_match_the_altair_ones(year, extra):
    for i in range(extra):
        year.add("win", {"description": f"win {i}"})
    records = year.records("win")
    today = dt.date.today()
    frame = year.load("win")
    assert chart_view.wins_this_week(records, today) == analysis.wins_this_week(frame, today)
    plain = chart_view.wins_by_week(records, weeks=8, today=today)
    assert resolved(spec_for_page(chart_view.wins_spec(plain))) == resolved(
        spec_for_page(charts.wins_chart(analysis.wins_by_week(frame, weeks=8, today=today))))


def test_no_check_in_in_the_window_and_odd_dates(store):
    records = [{"created_at": "not a date", "mood": 5},
               {"created_at": "2026-03-18T23:59:00-05:00", "mood": 7, "anxiety": None},
               {"created_at": "2026-01-01T10:00:00+00:00", "mood": 3}]
    assert chart_view.mood_by_day(records, today=TODAY) == [
        {"date": "2026-03-18", "mood": 7.0, "anxiety": None, "energy": None, "entries": 1}]
    assert chart_view.mood_by_day(records[:1], today=TODAY) == []
    assert chart_view.wins_this_week(records, TODAY) == 1  # the day as written, not UTC's


def test_opening_the_mood_page_and_saving_imports_neither_altair_nor_pandas(tmp_path):
    """A fresh kernel: open the mood page with entries, save a check-in; what got imported."""
    code = f"""
import sys
from workbook.store import Store
from workbook.ui.pages import MoodPage, WinsPage
store = Store({str(tmp_path / "data")!r})
store.add("mood", {{"mood": 4}})
store.add("win", {{"description": "tea"}})
page = MoodPage(store.exercise("mood"), store)
page.refresh()
page.form.inputs["mood"].slider.value = 6
page.form.save_button.click()
assert "wb-ok" in page.form.feedback.status.value, page.form.feedback.error.value
assert page.chart.shown is not None
wins = WinsPage(store.exercise("win"), store)
wins.refresh()
print(sorted(m for m in ("altair", "pandas", "vl_convert") if m in sys.modules))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stderr


def test_saving_a_check_in_in_the_app_runs_the_rules_without_pandas(tmp_path):
    """A fresh kernel with the whole app: a mood check-in and a PHQ-9 check-in saved, the
    'when to reach out' rules run on each save (an item-9 answer shows its alert), and pandas,
    Altair and vl-convert are never imported."""
    code = f"""
import sys
from workbook.store import Store
from workbook.ui.app import App
store = Store({str(tmp_path / "data")!r})
for day in range(1, 20):
    store.add("mood", {{"mood": 6, "created_at": f"2026-03-{{day:02d}}T20:00:00+01:00"}})
store.add("session", {{"session_at": "2026-03-10T10:00", "treatment": "esketamine"}})
app = App(store)
app.show("mood")
page = app.pages["mood"]
page.form.inputs["mood"].slider.value = 2
page.form.save_button.click()
assert "wb-ok" in page.form.feedback.status.value, page.form.feedback.error.value
app.show("checkin")
checkin = app.pages["checkin"]
for i in range(1, 10):
    checkin.form.inputs[f"phq9_{{i}}"].input.value = 1
checkin.form.save_button.click()
assert "wb-ok" in checkin.form.feedback.status.value, checkin.form.feedback.error.value
assert "wb-alert-item9" in app.reach_out.value, app.reach_out.value
print(sorted(m for m in ("altair", "pandas", "vl_convert") if m in sys.modules))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]", out.stderr
