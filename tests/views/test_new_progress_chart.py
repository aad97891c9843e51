"""A new Progress chart is an analysis function, one catalogue entry and this test: with the entry
registered, the Progress page, the shared report (in the bundle too) and the therapist's review
show it, and nothing else had to change."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import altair as alt
import pandas as pd
import pytest

from workbook import analysis, chart_catalogue
from workbook.bundle import make_bundle
from workbook.chart_catalogue import Block, Entries, Figure, Note, ProgressChart
from workbook.progress import Period
from workbook.report import build_report, render_html
from workbook.store import Store
from workbook.ui.dashboard import ProgressPage
from workbook.ui.review import ReviewBoard
from workbook.words import plural

TODAY = dt.date(2026, 3, 18)
START = TODAY - dt.timedelta(days=20)
XSS = "<img src=x onerror=alert(1)>"


# -- the newcomer's chart: an analysis function, a chart function and the entry -----------------------
def energy_by_day(moods: pd.DataFrame) -> pd.DataFrame:
    """Average energy (0-10) on each day a mood check-in rated it."""
    if "energy" not in moods:
        return pd.DataFrame(columns=["date", "energy"])
    frame = moods.assign(date=analysis.entry_dates(moods["created_at"]).dt.strftime("%Y-%m-%d"),
                         energy=pd.to_numeric(moods["energy"], errors="coerce"))
    return frame.dropna(subset=["energy"]).groupby("date", as_index=False)["energy"].mean()


def draw_energy(entries: Entries, period: Period) -> list[Block]:
    daily = energy_by_day(analysis.between(entries["mood"], period.start, period.end))
    if daily.empty:
        return [Note("Your energy appears here once a mood check-in rates it.")]
    chart = (alt.Chart(daily).mark_line().encode(x="date:T", y=alt.Y("energy:Q", title="Energy (0-10)"))
             .properties(title="Energy over time"))
    return [Figure("Energy over time", f"Energy rated on {plural(len(daily), 'day')}, "
                   f"average {daily['energy'].mean():.1f} out of 10.", chart)]


ENERGY = ProgressChart("energy", "Energy", ("mood",), draw_energy, shared=draw_energy)
SENTENCE = "Energy rated on 4 days, average 6.5 out of 10."


@pytest.fixture
def with_energy(monkeypatch):
    monkeypatch.setattr(chart_catalogue, "CATALOGUE", [*chart_catalogue.CATALOGUE, ENERGY])


def at(day: dt.date, hour: int = 20) -> str:
    return f"{day.isoformat()}T{hour:02d}:00:00+01:00"


@pytest.fixture
def rated(store: Store) -> Store:
    for offset, energy in zip((1, 3, 5, 7), (5, 6, 7, 8), strict=True):
        store.add("mood", {"mood": 5, "energy": energy, "created_at": at(TODAY - dt.timedelta(days=offset))})
    store.add("win", {"description": XSS, "created_at": at(TODAY - dt.timedelta(days=2))})
    return store


def test_a_new_chart_is_on_the_progress_page(rated, with_energy):
    page = ProgressPage(rated, today=TODAY, days=30)
    assert list(page.sections)[-1] == "energy"
    section = page.sections["energy"]
    assert {"wb-chart", "wb-progress-energy"} <= set(section._dom_classes)
    assert section in page.children
    assert ">Energy</h3>" in section.value and SENTENCE in section.value
    (spec,) = section.specs
    (rows,) = spec["datasets"].values()  # Altair names a DataFrame's rows as a data set
    assert sorted(row["energy"] for row in rows) == [5, 6, 7, 8]
    assert page.feedback.error.value == ""


def test_a_new_chart_says_so_while_there_is_nothing_to_draw(store, with_energy):
    store.add("mood", {"mood": 4, "created_at": at(TODAY)})  # no energy rated
    page = ProgressPage(store, today=TODAY)
    assert "once a mood check-in rates it" in page.sections["energy"].value
    assert page.sections["energy"].specs == []


def test_a_new_chart_is_in_the_report(rated, with_energy):
    frames = {kind: analysis.between(rated.load(kind), START, TODAY) for kind in ("mood", "win")}
    report = build_report(frames, rated.catalog, START, TODAY)
    assert [chart.title for chart in report.charts] == ["Mood over the range", "Wins per week",
                                                         "Energy over time"]
    html = render_html(report)
    assert SENTENCE in html and html.count("<svg") == 3


def test_a_new_chart_is_in_the_bundle_and_the_review(rated, with_energy):
    buffer = io.BytesIO()
    make_bundle(rated, buffer, START, TODAY, ["mood", "win"])
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as bundle:
        assert SENTENCE in bundle.read("report.html").decode("utf-8")
    board = ReviewBoard()
    board.add_files([("sam.zip", buffer.getvalue())])
    charts = board.reviews["sam.zip"].charts.value
    assert SENTENCE in charts and charts.count("<figure") == 3
    assert XSS not in charts


def test_without_the_entry_nothing_shows_it(rated):
    page = ProgressPage(rated, today=TODAY, days=30)
    assert "energy" not in page.sections
    frames = {kind: rated.load(kind) for kind in ("mood", "win")}
    assert all(chart.title != "Energy over time" for chart in build_report(
        frames, rated.catalog, START, TODAY).charts)


def test_the_review_says_what_the_report_says(rated):
    buffer = io.BytesIO()
    make_bundle(rated, buffer, START, TODAY, ["mood", "win"])
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as bundle:
        report = bundle.read("report.html").decode("utf-8")
    board = ReviewBoard()
    board.add_files([("sam.zip", buffer.getvalue())])
    charts = board.reviews["sam.zip"].charts.value
    for sentence in ("1 small win saved from 26 Feb 2026 to 18 Mar 2026.",
                     "Mood from 26 Feb 2026 to 18 Mar 2026: 4 days with a check-in, average 5.0 out of 10."):
        assert sentence in report and sentence in charts
