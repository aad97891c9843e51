"""The Progress charts written as plain Vega-Lite dicts (`workbook.chart_specs`) are the very
charts `workbook.charts` makes with Altair: same spec once data sets are inlined, same "Show as
a table", over every range and shape of data the page draws; and the page draws them without
importing Altair."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pandas as pd
import pytest

from workbook import analysis, chart_catalogue, chart_specs, charts, sample
from workbook.chart_catalogue import Entries
from workbook.progress import Period
from workbook.ui.chart_view import chart_table, spec_for_page

TODAY = dt.date(2026, 3, 18)
PAIRS = {  # the plain function -> the Altair one it stands for
    "mood_trend_spec": charts.mood_trend_chart,
    "mood_after_session_spec": charts.mood_after_session_chart,
    "questionnaire_spec": charts.questionnaire_chart,
    "wins_month_spec": charts.wins_month_chart,
    "distortion_spec": charts.distortion_chart,
    "emotion_shift_spec": charts.emotion_shift_chart,
}


def resolved(node, datasets=None):
    """A spec with every named data set inlined and `$schema` left out (Altair names its data
    sets by a hash of their rows; the plain specs carry their rows inline)."""
    if isinstance(node, dict):
        if datasets is None:
            datasets = node.get("datasets", {})
        if set(node) == {"name"} and node["name"] in datasets:
            return {"values": datasets[node["name"]]}
        return {k: resolved(v, datasets) for k, v in node.items() if k not in ("datasets", "$schema")}
    if isinstance(node, list):
        return [resolved(v, datasets) for v in node]
    return node


def weekly_wins_altair(weekly: list[dict]):
    return charts.wins_chart(pd.DataFrame(weekly, columns=["week", "wins"]))


@pytest.fixture
def pairs(monkeypatch):
    """Every plain spec the catalogue makes, with the Altair chart made from the same arguments."""
    made: list[tuple[str, dict, object]] = []

    def spy(name, plain, altair):
        def both(*args, **kwargs):
            spec = plain(*args, **kwargs)
            made.append((name, spec, altair(*args, **kwargs)))
            return spec
        monkeypatch.setattr(chart_specs, name, both)

    for name, altair in PAIRS.items():
        spy(name, getattr(chart_specs, name), altair)
    spy("wins_week_spec", chart_specs.wins_week_spec, weekly_wins_altair)
    return made


@pytest.mark.parametrize("size", [sample.ONE_YEAR, sample.TEN_YEARS], ids=["a year", "ten years"])
def test_every_progress_chart_equals_the_altair_one(store, pairs, size):
    sample.generate(store, size, seed=3, end=TODAY)
    entries = Entries({kind: store.load(kind) for kind in chart_catalogue.kinds()})
    for days in (7, 30, 90, 365, 0):
        start, end = analysis.window(days or None, TODAY, entries.earliest())
        period = Period(start, end, days)
        for chart in chart_catalogue.CATALOGUE:
            chart_catalogue.draw(chart, entries, period)
            if chart.shared:
                chart.shared(entries, period)
    assert {name for name, _, _ in pairs} == {*PAIRS, "wins_week_spec"}  # every kind of chart seen
    for name, plain, altair in pairs:
        page_plain, page_altair = spec_for_page(plain), spec_for_page(altair)
        assert resolved(page_plain) == resolved(page_altair), name
        assert chart_table(page_plain) == chart_table(page_altair), name


@pytest.mark.parametrize("response_at", [None, 5.0, 9.0])
def test_questionnaire_lines_and_single_panels(response_at):
    checkins = pd.DataFrame({
        "date": pd.to_datetime(["2026-01-05", "2026-02-01", "2026-03-01"]),
        "instrument": ["PHQ-9", "GAD-7", "PHQ-9"], "total": [18, 4, pd.NA]})
    checkins["total"] = checkins["total"].astype("Int64").fillna(0)
    for scores in (checkins, checkins[checkins["instrument"] == "GAD-7"]):
        plain = chart_specs.questionnaire_spec(scores, dt.date(2026, 1, 1), TODAY, response_at)
        altair = charts.questionnaire_chart(scores, dt.date(2026, 1, 1), TODAY, response_at)
        assert resolved(spec_for_page(plain)) == resolved(spec_for_page(altair))


def test_a_spec_handed_out_is_not_shared_with_the_next():
    """The page adds its own config to what it gets: one chart's spec must not change another's."""
    weekly = [{"week": dt.date(2026, 3, 16), "wins": 2}]
    first = chart_specs.wins_week_spec(weekly)
    first["config"]["axis"]["labelColor"] = "red"
    assert chart_specs.wins_week_spec(weekly)["config"]["axis"]["labelColor"] == "#333"


def test_drawing_progress_imports_no_altair(tmp_path):
    """A fresh kernel: the whole Progress page drawn on ten years of entries, every range;
    Altair (seconds to import here) never is."""
    code = f"""
import sys
from workbook import sample
from workbook.store import Store
from workbook.ui.dashboard import ProgressPage
store = Store({str(tmp_path / "data")!r})
sample.generate(store, sample.TEN_YEARS, seed=2)
page = ProgressPage(store)
for days in (30, 365, 0):
    page.range.value = days
shown = sum(len(section.specs) for section in page.sections.values())
assert shown >= 5, shown
assert not page.feedback.error.value, page.feedback.error.value
print(sorted(m for m in ("altair", "vl_convert") if m in sys.modules))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]", out.stderr
