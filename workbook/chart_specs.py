"""The Progress charts as plain Vega-Lite dicts: the same charts as `workbook.charts`, without Altair.

Importing Altair takes seconds here (its schema validation alone loads a URI grammar), which
the person paid on their first visit to Progress. These functions write the very specs the
Altair functions in `workbook.charts` write (tests/unit/test_chart_specs.py holds them equal,
data, table and all), so the catalogue, the Progress page, the report and the review draw
them with pandas alone; the tool pages' wins chart (`wins_week_spec`) needs not even that.
`workbook.charts` stays the reference: Altair checks its charts against the Vega-Lite schema
in the tests.

Data travels inline (`{"values": rows}`); one list of rows shared by several layers is one
data set, as Altair's named data sets are (the "Show as a table" view groups by it).
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import TYPE_CHECKING, Any

from workbook.chart_theme import ALTAIR_VIEW, CONFIG, MOOD_COLOUR, WIN_COLOUR
from workbook.words import number

if TYPE_CHECKING:  # pandas is imported where a frame is read: the tool pages' wins chart needs none
    import pandas as pd

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"  # names the dialect; never fetched
# what Altair's top-level charts carry as config (the theme, with Altair's view defaults)
PAGE_CONFIG = {**CONFIG, "view": {**CONFIG["view"], **ALTAIR_VIEW}}

# the colours and sizes of `workbook.charts`, which reads them from here
SESSION_COLOUR = "#8a6bb8"
TREND_COLOUR = "#1f4e79"
SCORE_COLOUR = "#333a45"
LINE_COLOUR = "#2d6a41"
PATTERN_COLOUR = "#6a8caf"
BEFORE_COLOUR = "#c98a5a"
AFTER_COLOUR = "#5a9a7a"
BAND_COLOURS = {"minimal": "#edf6ef", "mild": "#f4f6e4", "moderate": "#fbf2de",
                "moderately severe": "#fbe8da", "severe": "#f8e0de"}
WIDE = 520
SCORE_WIDE = 430  # band names sit to the right of the plot
DOTS_UP_TO = 120  # longer series are drawn as a line only


def top(spec: dict) -> dict:
    """A top-level chart: its dialect, and the theme as its config (a copy: the page changes it)."""
    return {"$schema": SCHEMA, "config": copy.deepcopy(PAGE_CONFIG), **spec}


def rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain JSON values, missing ones null."""
    import pandas as pd

    missing = (None, pd.NA, pd.NaT)
    return [{k: (None if any(v is m for m in missing) or (isinstance(v, float) and v != v) else v)
             for k, v in row.items()} for row in frame.to_dict("records")]


def _day(values: pd.Series) -> pd.Series:
    import pandas as pd

    return pd.to_datetime(pd.Series(values)).dt.strftime("%Y-%m-%d")


def _floats(frame: pd.DataFrame, *names: str) -> pd.DataFrame:
    """Plain float columns (nullable ones become NaN, written as null)."""
    import pandas as pd

    return frame.assign(**{n: pd.to_numeric(frame[n], errors="coerce").astype("float64")
                           for n in names})


def count_axis(top_count: float) -> dict:
    """An axis for counts: whole numbers only (small counts get one tick per number)."""
    top_count = int(max(1, top_count))
    if top_count <= 8:
        return {"format": "d", "values": list(range(top_count + 1))}
    return {"format": "d", "tickMinStep": 1}


def _time_x(start: dt.date, end: dt.date) -> dict:
    return {"axis": {"labelOverlap": True, "tickCount": 6}, "field": "date",
            "scale": {"domain": [start.isoformat(), end.isoformat()]}, "title": None,
            "type": "temporal"}


def _q(name: str, **extra: Any) -> dict:
    return {"field": name, "type": "quantitative", **extra}


# -- the tool pages' wins chart, and the Progress page's for short ranges ---------------------------
def wins_week_spec(weekly: list[dict[str, Any]]) -> dict:
    """Wins per week as bars, from rows of `week` (a date) and `wins` (as `charts.wins_chart`)."""
    values = [{"week": f"{row['week']:%d %b}", "wins": int(row["wins"])} for row in weekly]
    return top({"data": {"values": values},
                "mark": {"type": "bar", "color": WIN_COLOUR, "cornerRadiusTopLeft": 3,
                         "cornerRadiusTopRight": 3},
                "encoding": {"tooltip": [{"field": "week", "title": "Week of", "type": "ordinal"},
                                         {"field": "wins", "title": "Wins", "type": "quantitative"}],
                             "x": {"axis": {"labelAngle": 0}, "field": "week", "sort": None,
                                   "title": "Week starting", "type": "ordinal"},
                             "y": _q("wins", title="Wins", axis=count_axis(
                                 max((row["wins"] for row in weekly), default=0)))},
                "height": 180, "title": "Wins per week", "width": 560})


# -- the Progress page ----------------------------------------------------------------------------
def mood_trend_spec(trend: pd.DataFrame, sessions: pd.Series, start: dt.date, end: dt.date,
                    unit: str = "day") -> dict:
    """Mood per day (or week) and its rolling average, sessions marked (as `charts.mood_trend_chart`)."""
    import pandas as pd

    data = _floats(trend.assign(date=_day(trend["date"])), "mood", "trend")[["date", "mood", "trend"]]
    held = pd.DataFrame({"date": _day(sessions).drop_duplicates()})
    if unit == "week":  # weeks are drawn at their Monday, which may come before `start`
        start = start - dt.timedelta(days=start.weekday())
    values = rows(data)
    y_scale = {"domain": [0, 10]}
    rule_encoding: dict[str, Any] = {"x": _time_x(start, end)}
    if unit != "day":
        rule_encoding |= {"y": {"datum": 0, "scale": y_scale}, "y2": {"datum": 0.8}}
    rules = {"data": {"values": rows(held)},
             "mark": {"type": "rule", "aria": False, "color": SESSION_COLOUR, "opacity": 0.7,
                      "strokeWidth": 1.5},
             "encoding": rule_encoding}
    if len(data) <= DOTS_UP_TO:
        mark = {"type": "circle", "aria": False, "color": MOOD_COLOUR, "opacity": 0.6, "size": 24}
    else:
        mark = {"type": "line", "aria": False, "color": MOOD_COLOUR, "opacity": 0.45,
                "strokeWidth": 1, "invalid": "break-paths-show-domains"}
    points = {"data": {"values": values}, "mark": mark,
              "encoding": {"x": _time_x(start, end),
                           "y": _q("mood", scale=y_scale, title="Mood (0-10)")}}
    line = {"data": {"values": values},
            "mark": {"type": "line", "aria": False, "color": TREND_COLOUR, "strokeWidth": 2.5,
                     "invalid": "break-paths-show-domains"},
            "encoding": {"x": _time_x(start, end), "y": _q("trend", scale=y_scale)}}
    each, average = ("daily", "7-day") if unit == "day" else ("weekly", "4-week")
    where = "thin lines" if unit == "day" else "ticks along the bottom"
    subtitle = f"Light: {each} average · dark line: {average} average · {where}: sessions"
    return top({"layer": [rules, points, line], "height": 200,
                "title": {"text": "Mood over time", "subtitle": subtitle}, "width": WIDE})


def mood_after_session_spec(after: pd.DataFrame, days: int = 14) -> dict:
    """Average mood on each day after a session, 0-10 (as `charts.mood_after_session_chart`)."""
    data = _floats(after, "mood")[["day", "mood", "sessions"]]
    encoding = {"x": _q("day", axis={"values": list(range(0, days + 1, 2))},
                        scale={"domain": [0, days]}, title="Days since a session"),
                "y": _q("mood", scale={"domain": [0, 10]}, title="Average mood (0-10)")}
    return top({"data": {"values": rows(data)},
                "layer": [{"mark": {"type": "line", "color": MOOD_COLOUR, "strokeWidth": 2},
                           "encoding": encoding},
                          {"mark": {"type": "circle", "color": MOOD_COLOUR, "opacity": 1, "size": 45},
                           "encoding": copy.deepcopy(encoding)}],
                "height": 180, "title": "Mood in the days after a session", "width": WIDE})


def _score_panel(scores: pd.DataFrame, instrument: str, start: dt.date, end: dt.date,
                 lines: list[dict[str, Any]]) -> dict:
    from workbook import analysis

    bands = analysis.severity_bands(instrument)
    y_scale = {"domain": [0, int(bands["high"].max())], "nice": False}
    bands = bands.assign(colour=[BAND_COLOURS.get(b, "#f2f2f2") for b in bands["label"]],
                         middle=(bands["low"] + bands["high"]) / 2)
    band_rows = rows(bands)
    layers = [
        {"data": {"values": band_rows}, "mark": {"type": "rect", "aria": False},
         "encoding": {"color": {"field": "colour", "scale": None, "type": "nominal"},
                      "y": _q("low", scale=y_scale, title=f"{instrument} total"),
                      "y2": {"field": "high"}}},
        {"data": {"values": band_rows},
         "mark": {"type": "text", "align": "left", "aria": False, "color": "#59636e", "dx": 6,
                  "fontSize": 10},
         "encoding": {"text": {"field": "label", "type": "nominal"}, "x": {"value": SCORE_WIDE},
                      "y": _q("middle", scale=y_scale)}},
    ]
    if lines:
        layers += [
            {"data": {"values": lines},
             "mark": {"type": "rule", "aria": False, "color": LINE_COLOUR, "strokeDash": [5, 4]},
             "encoding": {"y": _q("value", scale=y_scale)}},
            {"data": {"values": lines},
             "mark": {"type": "text", "align": "left", "aria": False, "color": LINE_COLOUR,
                      "dx": 4, "dy": -6, "fontSize": 10},
             "encoding": {"text": {"field": "label", "type": "nominal"}, "x": {"value": 0},
                          "y": _q("value", scale=y_scale)}},
        ]
    data = scores.assign(date=_day(scores["date"]), total=scores["total"].astype("int64"))
    values = rows(data[["date", "total"]])
    encoding = {"x": _time_x(start, end), "y": _q("total", scale=y_scale)}
    layers.append({"data": {"values": values},
                   "mark": {"type": "line", "aria": False, "color": SCORE_COLOUR, "strokeWidth": 2},
                   "encoding": encoding})
    if len(data) <= DOTS_UP_TO:
        layers.append({"data": {"values": values},
                       "mark": {"type": "circle", "aria": False, "color": SCORE_COLOUR,
                                "opacity": 1, "size": 36},
                       "encoding": copy.deepcopy(encoding)})
    return {"layer": layers, "height": 170, "title": instrument, "width": SCORE_WIDE}


def score_lines(instrument: str, response_at: float | None) -> list[tuple[float, str]]:
    """The PHQ-9 panel's marked lines and their words: remission (under 5) and, once there is a
    starting total, response (half of it); the GAD-7 panel has none."""
    from workbook import scoring

    if instrument != "PHQ-9":
        return []
    remission = f"remission: under {scoring.REMISSION_BELOW}"
    if response_at is None:
        return [(scoring.REMISSION_BELOW, remission)]
    if response_at == scoring.REMISSION_BELOW:
        return [(response_at, f"{remission}; response: half the starting total")]
    return [(scoring.REMISSION_BELOW, remission),
            (response_at, f"response: half the starting total ({number(response_at)})")]


def questionnaire_spec(scores: pd.DataFrame, start: dt.date, end: dt.date,
                       response_at: float | None = None) -> dict:
    """PHQ-9 and GAD-7 totals on their published bands (as `charts.questionnaire_chart`).

    The PHQ-9 panel shows the remission line (a total under 5) and, given `response_at` (half
    the starting total), the response line.
    """

    panels = []
    for instrument in ("PHQ-9", "GAD-7"):
        mine = scores[scores["instrument"] == instrument]
        if mine.empty:
            continue
        lines = score_lines(instrument, response_at)
        line_rows = [{"value": float(value), "label": label} for value, label in lines]
        panels.append(_score_panel(mine, instrument, start, end, line_rows))
    return top({"vconcat": panels, "spacing": 18,
                "title": {"text": "PHQ-9 and GAD-7 check-ins",
                          "subtitle": "Shaded: the published ranges"}})


def wins_month_spec(monthly: pd.DataFrame) -> dict:
    """Wins per month as bars, for ranges too long for a bar per week (as `charts.wins_month_chart`)."""
    label = "%b %Y" if len(monthly) <= 24 else "%Y"
    return top({"data": {"values": rows(monthly.assign(month=_day(monthly["month"])))},
                "mark": {"type": "bar", "aria": False, "color": WIN_COLOUR},
                "encoding": {"x": {"axis": {"format": label, "labelOverlap": True}, "field": "month",
                                   "timeUnit": "yearmonth", "title": None, "type": "temporal"},
                             "y": _q("wins", axis=count_axis(monthly["wins"].max()), title="Wins")},
                "height": 180, "title": "Wins per month", "width": WIDE})


def distortion_spec(counts: pd.DataFrame) -> dict:
    """The thinking patterns noticed most often, most frequent on top (as `charts.distortion_chart`)."""
    return top({"data": {"values": rows(counts[["label", "count"]])},
                "mark": {"type": "bar", "color": PATTERN_COLOUR, "cornerRadiusBottomRight": 3,
                         "cornerRadiusTopRight": 3},
                "encoding": {"x": _q("count", axis=count_axis(counts["count"].max()),
                                     title="Thought records"),
                             "y": {"axis": {"labelLimit": 220}, "field": "label", "sort": "-x",
                                   "title": None, "type": "nominal"}},
                "height": {"step": 22}, "title": "Thinking patterns you noticed", "width": 300})


def emotion_shift_spec(shift: pd.DataFrame) -> dict:
    """Average strength of feelings before and after a thought record, 0-100
    (as `charts.emotion_shift_chart`)."""
    data = _floats(shift, "intensity")[["stage", "intensity"]]
    x = {"axis": {"labelAngle": 0}, "field": "stage", "sort": ["Before", "After"], "title": None,
         "type": "nominal"}
    y = _q("intensity", scale={"domain": [0, 100]}, title="Average strength (0-100)")
    colour = {"field": "stage", "legend": None, "type": "nominal",
              "scale": {"domain": ["Before", "After"], "range": [BEFORE_COLOUR, AFTER_COLOUR]}}
    return top({"data": {"values": rows(data)},
                "layer": [{"mark": {"type": "bar", "size": 48},
                           "encoding": {"color": colour, "x": x, "y": y}},
                          {"mark": {"type": "text", "color": "#333", "dy": -8, "fontSize": 12},
                           "encoding": {"text": _q("intensity", format=".0f"),
                                        "x": copy.deepcopy(x), "y": copy.deepcopy(y)}}],
                "height": 180, "title": "Feelings, before and after", "width": 200})
