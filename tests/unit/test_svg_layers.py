"""The Progress page's charts, drawn as SVG from their specs: every chart of the catalogue at
every range draws; bars, bands, rules and lines sit where their scales put them; text is
escaped; a shape not drawn here is left to the page's renderer."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from workbook import chart_specs, sample
from workbook.store import Store
from workbook.ui import svg_chart, svg_layers
from workbook.ui.chart_view import ChartView, spec_for_page
from workbook.ui.dashboard import RANGES, ProgressPage

NS = {"s": "http://www.w3.org/2000/svg"}


def parsed(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # raises on anything that is not well-formed


@pytest.fixture(scope="module")
def ten_years(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("ten") / "data")
    sample.generate(store, sample.TEN_YEARS, seed=3)
    return store


def test_every_progress_chart_at_every_range_is_drawn_here(ten_years):
    page = ProgressPage(ten_years, today=dt.date.today())
    seen = set()
    for _label, days in RANGES:
        page.range.value = days
        for name, section in page.sections.items():
            for view in section.views[:len(section.specs)]:
                assert view.as_svg, name  # none was left to the renderer
                root = parsed(view.out.value)
                assert root.get("role") == "img"
                assert root.get("aria-label") == svg_layers._title(view.spec.get("title"))[0]
                seen.add(name)
    assert seen == {"mood", "after_session", "checkins", "wins", "thoughts"}


def test_bars_across_are_sorted_by_count_and_as_long_as_their_count():
    counts = pd.DataFrame({"label": ["Mind reading", "Labelling", "Fortune telling"],
                           "count": [3, 12, 6]})
    root = parsed(svg_chart.draw(spec_for_page(chart_specs.distortion_spec(counts))))
    bars = root.findall("s:rect/[s:title]", NS)
    assert [b.find("s:title", NS).text for b in bars] == [
        "Mind reading: 3", "Labelling: 12", "Fortune telling: 6"]
    widths = {b.find("s:title", NS).text.split(":")[0]: float(b.get("width")) for b in bars}
    tops = {b.find("s:title", NS).text.split(":")[0]: float(b.get("y")) for b in bars}
    assert widths["Labelling"] == pytest.approx(4 * widths["Mind reading"], rel=0.01)
    assert widths["Fortune telling"] == pytest.approx(2 * widths["Mind reading"], rel=0.01)
    assert tops["Labelling"] < tops["Fortune telling"] < tops["Mind reading"]  # most on top


def score_spec(totals: list[int], response_at: float | None = 9) -> dict:
    start = dt.date(2026, 1, 1)
    dates = [pd.Timestamp(start + dt.timedelta(days=7 * i)) for i in range(len(totals))]
    scores = pd.DataFrame({"date": dates, "instrument": "PHQ-9", "total": totals})
    return spec_for_page(chart_specs.questionnaire_spec(scores, start, start + dt.timedelta(days=90),
                                                        response_at))


def test_the_published_bands_and_the_lines_sit_at_their_scores():
    root = parsed(svg_chart.draw(score_spec([18, 12, 4])))
    # five PHQ-9 bands, 0-27 over the panel's 170 px: each as tall as its range
    bands = [r for r in root.findall("s:rect", NS) if r.get("fill") in chart_specs.BAND_COLOURS.values()]
    assert len(bands) == 5
    per_point = 170 / 27
    heights = sorted(round(float(b.get("height")) / per_point) for b in bands)
    assert heights == sorted([5, 5, 5, 5, 7])  # 0-4, 5-9, 10-14, 15-19, 20-27
    words = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "moderately severe" in words and "remission: under 5" in words
    assert "response: half the starting total (9)" in words
    dashed = [line for line in root.findall("s:line", NS) if line.get("stroke-dasharray")]
    assert len(dashed) == 2
    ys = sorted(float(line.get("y1")) for line in dashed)
    assert ys[1] - ys[0] == pytest.approx((9 - 5) * per_point, abs=0.2)  # response above remission
    dots = root.findall("s:circle", NS)
    assert [float(d.get("cy")) for d in dots] == sorted(float(d.get("cy")) for d in dots)  # 18, 12, 4


def test_a_session_is_a_rule_at_its_date_and_a_missing_day_breaks_the_line():
    start, end = dt.date(2026, 3, 1), dt.date(2026, 3, 31)
    days = pd.date_range(start, end)
    mood = [5.0] * len(days)
    mood[10] = None
    trend = pd.DataFrame({"date": days, "mood": mood, "trend": mood})
    spec = spec_for_page(chart_specs.mood_trend_spec(trend, pd.Series([pd.Timestamp("2026-03-16")]),
                                                     start, end))
    root = parsed(svg_chart.draw(spec))
    rules = [line for line in root.findall("s:line", NS) if line.get("stroke") == chart_specs.SESSION_COLOUR]
    assert len(rules) == 1
    left = [float(line.get("x1")) for line in root.findall("s:line", NS)
            if line.get("stroke") == "#888"][0]  # the x axis starts at the plot's left edge
    assert float(rules[0].get("x1")) - left == pytest.approx(15 / 30 * 520, abs=0.2)
    trend_lines = [p for p in root.findall("s:polyline", NS) if p.get("stroke") == chart_specs.TREND_COLOUR]
    assert len(trend_lines) == 2  # broken at the day without a value


def test_text_is_escaped():
    counts = pd.DataFrame({"label": ['<script>alert("x")</script> & co'], "count": [2]})
    spec = spec_for_page(chart_specs.distortion_spec(counts))
    spec["title"] = "<b>Patterns</b>"
    svg = svg_chart.draw(spec)
    assert "<script" not in svg and "<b>" not in svg
    assert parsed(svg).get("aria-label") == "<b>Patterns</b>"


def test_a_shape_not_drawn_here_goes_to_the_renderer():
    with pytest.raises(ValueError, match="not drawn here"):
        svg_layers.draw({"mark": "arc", "encoding": {"theta": {"field": "n", "type": "quantitative"}},
                         "data": {"values": [{"n": 1}]}})
    view = ChartView(as_svg=True)
    canvas = view.out
    view.draw({"mark": "arc", "data": {"values": [{"n": 1}]},
               "encoding": {"theta": {"field": "n", "type": "quantitative"}}}, "One slice.")
    assert not view.as_svg and view.shown is not None  # the page's Vega renderer draws it
    assert view.row.children[0] is view.out
    assert "wb-chart-canvas" in view.out._dom_classes
    assert canvas.comm is None  # the SVG canvas it replaced is closed, not left in the page
