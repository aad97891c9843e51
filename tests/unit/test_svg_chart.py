"""The tool pages' mood and wins charts, drawn as SVG from their specs: every value the spec
holds is drawn where its scale puts it, the text is escaped, and the result is well-formed SVG
that names itself to a screen reader."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest

from workbook.ui import chart_view, svg_chart
from workbook.ui.chart_view import spec_for_page

TODAY = dt.date(2026, 3, 18)  # a Wednesday
NS = {"s": "http://www.w3.org/2000/svg"}


def parsed(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # raises on anything that is not well-formed


def mood_spec(rows: list[dict]) -> dict:
    return spec_for_page(chart_view.mood_spec(rows, today=TODAY))


def day(n: int) -> str:
    return (TODAY - dt.timedelta(days=n)).isoformat()


def test_a_dot_per_day_placed_by_date_and_mood():
    rows = [{"date": day(29), "mood": 0.0}, {"date": day(10), "mood": 5.5},
            {"date": day(0), "mood": 10.0}, {"date": day(3), "mood": None}]
    root = parsed(svg_chart.draw(mood_spec(rows)))
    assert root.get("role") == "img" and root.get("aria-label") == "Mood, last 30 days"
    dots = root.findall("s:circle", NS)
    assert len(dots) == 3  # a day without a mood value is not drawn
    xs = [float(d.get("cx")) for d in dots]
    ys = [float(d.get("cy")) for d in dots]
    left, width, top, height = svg_chart.LEFT, 560, svg_chart.TOP, 200
    assert xs[0] == pytest.approx(left) and xs[2] == pytest.approx(left + width)
    assert xs[1] == pytest.approx(left + 19 / 29 * width, abs=0.1)
    assert ys == [pytest.approx(top + height), pytest.approx(top + height * 0.45, abs=0.1),
                  pytest.approx(top)]
    tips = [d.find("s:title", NS).text for d in dots]
    assert tips[1] == "Sun 8 Mar 2026: mood 5.5"
    line = root.find("s:polyline", NS)
    assert len(line.get("points").split()) == 3  # the line joins the same points, in date order


def test_one_day_is_a_dot_without_a_line():
    root = parsed(svg_chart.draw(mood_spec([{"date": day(2), "mood": 4.0}])))
    assert len(root.findall("s:circle", NS)) == 1 and root.find("s:polyline", NS) is None


def test_dates_under_each_monday_and_the_mood_scale():
    root = parsed(svg_chart.draw(mood_spec([{"date": day(2), "mood": 4.0}])))
    labels = [t.text for t in root.findall("s:text", NS)]
    # 30 days to Wednesday 18 March start on Thursday 18 February: Mondays 23 Feb to 16 Mar
    assert [t for t in labels if re.fullmatch(r"\d\d [A-Z][a-z]{2}", t or "")] == [
        "23 Feb", "02 Mar", "09 Mar", "16 Mar"]
    assert [t for t in labels if t and t.isdigit()] == ["0", "2", "4", "6", "8", "10"]
    assert "Mood (0-10)" in labels


def wins_spec(counts: list[int]) -> dict:
    monday = TODAY - dt.timedelta(days=TODAY.weekday())
    weekly = [{"week": monday - dt.timedelta(weeks=len(counts) - 1 - i), "wins": n}
              for i, n in enumerate(counts)]
    return spec_for_page(chart_view.wins_spec(weekly))


@pytest.mark.parametrize("counts", [[0, 1, 0, 3, 2, 0, 0, 1], [0, 0, 0, 0, 0, 0, 0, 12],
                                    [40, 7, 0, 0, 0, 0, 0, 3]])
def test_a_bar_per_week_with_wins_as_tall_as_its_count(counts):
    root = parsed(svg_chart.draw(wins_spec(counts)))
    bars = root.findall("s:path", NS)
    assert len(bars) == sum(1 for n in counts if n)  # a week without a win has no bar
    tips = [b.find("s:title", NS).text for b in bars]
    drawn = [int(re.search(r": (\d+) wins?$", t).group(1)) for t in tips]
    assert drawn == [n for n in counts if n]
    base = svg_chart.TOP + 180
    tops = [float(re.search(r"Q[\d.]+,([\d.]+)", b.get("d")).group(1)) for b in bars]
    # the axis ends at the tallest week here (3, 12 and 40 are on the axis' ticks)
    assert [base - t for t in tops] == [pytest.approx(n / max(counts) * 180, abs=0.1) for n in drawn]
    labels = [t.text for t in root.findall("s:text", NS)]
    assert "Week starting" in labels and "Wins" in labels
    assert labels.count("09 Mar") == 1  # the week's Monday under its bar


def test_whole_number_ticks_for_counts():
    assert svg_chart.nice_ticks(3) == [0, 1, 2, 3]
    assert svg_chart.nice_ticks(12) == [0, 2, 4, 6, 8, 10, 12]
    assert svg_chart.nice_ticks(43) == [0, 10, 20, 30, 40, 50]
    assert svg_chart.nice_ticks(0) == [0, 1]
    # up to 8 wins a week: a tick for every number, as the spec's axis says
    labels = [t.text for t in parsed(svg_chart.draw(wins_spec([0, 2, 0, 0, 0, 0, 0, 1]))).findall(
        "s:text", NS)]
    assert [t for t in labels if t.isdigit()] == ["0", "1", "2"]


def test_text_is_escaped():
    spec = mood_spec([{"date": day(1), "mood": 3.0}])
    spec["title"] = 'Mood <script>alert("x")</script> & more'
    svg = svg_chart.draw(spec)
    assert "<script" not in svg
    assert parsed(svg).get("aria-label") == spec["title"]


def test_any_other_chart_is_left_to_the_renderer():
    with pytest.raises(ValueError, match="not drawn here"):
        svg_chart.draw({"mark": "point", "encoding": {}})
    bars_in_time = wins_spec([1] * 8)
    bars_in_time["encoding"]["x"]["type"] = "temporal"
    with pytest.raises(ValueError):
        svg_chart.draw(bars_in_time)
