"""Every chart on the page carries its data as a table ("Show as a table"), escaped."""

from __future__ import annotations

import datetime as dt
import re

import altair as alt
import pandas as pd

from workbook import charts
from workbook.ui.chart_view import ChartView, chart_table, spec_for_page

XSS = '<img src=x onerror=alert(1)> "quoted" & more'


def cells(html: str) -> list[list[str]]:
    return [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row) for row in re.findall(r"<tr>(.*?)</tr>", html)]


def test_a_bar_chart_becomes_a_table_with_its_titles_and_escaped_text() -> None:
    counts = pd.DataFrame({"label": [XSS, "Mind reading"], "count": [3, 1]})
    html = chart_table(spec_for_page(charts.distortion_chart(counts)))
    assert html.startswith('<details class="wb-table-view"><summary>Show as a table</summary>')
    assert "<caption>Thinking patterns you noticed</caption>" in html
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt; &quot;quoted&quot; &amp; more" in html
    rows = cells(html)
    assert rows[0] == ["Label", "Thought records"]  # what a row is about first, then the number
    assert rows[1][1] == "3" and rows[2] == ["Mind reading", "1"]
    assert '<th scope="row">' in html and '<td class="wb-num">3</td>' in html


def test_dates_read_as_days_and_missing_values_stay_empty() -> None:
    daily = pd.DataFrame({"date": ["2026-03-02", "2026-03-03"], "mood": [6.25, None]})
    chart = alt.Chart(daily).mark_line().encode(x=alt.X("date:T", title=None),
                                                y=alt.Y("mood:Q", title="Mood (0-10)"))
    rows = cells(chart_table(spec_for_page(chart)))
    assert rows == [["Date", "Mood (0-10)"], ["Mon 2 Mar 2026", "6.2"], ["Tue 3 Mar 2026", ""]]


def test_reference_bands_are_left_out_and_panels_are_named() -> None:
    scores = pd.DataFrame({"date": pd.to_datetime(["2026-01-05", "2026-01-19"]),
                           "instrument": ["PHQ-9", "PHQ-9"], "total": [14, 9],
                           "severity": ["moderate", "mild"]})
    chart = charts.questionnaire_chart(scores, dt.date(2026, 1, 1), dt.date(2026, 1, 31), 7.0)
    html = chart_table(spec_for_page(chart))
    assert "minimal" not in html and "response" not in html  # the bands and the marker line
    assert "PHQ-9" in re.search(r"<caption>(.*?)</caption>", html)[1]
    assert [r[1] for r in cells(html)[1:]] == ["14", "9"]


def test_a_long_history_shows_its_latest_rows_and_says_so() -> None:
    frame = pd.DataFrame({"day": range(1000), "mood": [5] * 1000})
    chart = alt.Chart(frame).mark_line().encode(x="day:Q", y="mood:Q")
    html = chart_table(spec_for_page(chart), limit=50)
    rows = cells(html)
    assert len(rows) == 51 and rows[1][0] == "950" and rows[-1][0] == "999"
    assert "The latest 50 of 1,000 rows" in html


def test_chart_view_draws_the_table_and_clears_it_with_a_message() -> None:
    view = ChartView()
    weekly = pd.DataFrame({"week": pd.to_datetime(["2026-03-02", "2026-03-09"]), "wins": [2, 5]})
    view.draw(charts.wins_chart(weekly), "7 wins in 2 weeks.")
    assert "wb-chart-table" in view.table._dom_classes
    assert "<table>" in view.table.value and "Week starting" in view.table.value
    view.message("Nothing yet.")
    assert view.table.value == ""


def test_the_page_spec_looks_the_same_in_a_dark_page() -> None:
    """What Vega's dark theme would change is set, and the chart's own choices still win."""
    spec = spec_for_page(charts.wins_chart(pd.DataFrame({"week": ["2026-03-02"], "wins": [1]})))
    config = spec["config"]
    assert config["background"] == "white"
    assert config["axis"]["domainColor"] and config["axis"]["tickColor"]
    assert config["style"]["guide-label"]["fill"] and config["title"]["subtitleColor"]
    assert config["axis"]["labelColor"] == charts.theme()["config"]["axis"]["labelColor"]
