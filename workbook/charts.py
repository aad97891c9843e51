"""Charts as pure functions: a DataFrame in, an `alt.Chart` out, one theme for all.

The app draws their plain twins (`workbook.chart_specs`, no Altair to import); these are the
reference the tests hold those equal to, and Altair checks them against the Vega-Lite schema.
"""

from __future__ import annotations

import copy
import datetime as dt

import altair as alt
import pandas as pd

from workbook.chart_specs import (  # the colours and sizes the plain specs use too
    AFTER_COLOUR,
    BAND_COLOURS,
    BEFORE_COLOUR,
    DOTS_UP_TO,
    LINE_COLOUR,
    PATTERN_COLOUR,
    SCORE_COLOUR,
    SCORE_WIDE,
    SESSION_COLOUR,
    TREND_COLOUR,
    WIDE,
    score_lines,
)
from workbook.chart_theme import CONFIG, MOOD_COLOUR, WIN_COLOUR


def theme() -> dict:
    """The one theme (`workbook.chart_theme.CONFIG`), as Altair's theme functions return it."""
    return {"config": copy.deepcopy(CONFIG)}


def themed(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """The chart with the theme as its config: every top-level chart goes through here, once.

    Set in place: `.configure()` copies the whole chart, which for a layered chart costs more
    than drawing it.
    """
    chart.config = alt.Config(**copy.deepcopy(CONFIG))
    return chart


def mood_chart(daily: pd.DataFrame, days: int = 30, today: dt.date | None = None) -> alt.Chart:
    """Mood (daily mean) over the last `days` days on a fixed 0-10 scale."""
    today = today or dt.date.today()
    start = today - dt.timedelta(days=days - 1)
    data = daily.assign(date=pd.to_datetime(daily["date"]).dt.strftime("%Y-%m-%d"))
    data = data.assign(mood=data["mood"].astype("float64"))
    x = alt.X("date:T", title=None, scale=alt.Scale(domain=[start.isoformat(), today.isoformat()]),
              axis=alt.Axis(format="%d %b", tickCount=6))
    y = alt.Y("mood:Q", title="Mood (0-10)", scale=alt.Scale(domain=[0, 10]))
    line = alt.Chart(data).mark_line(color=MOOD_COLOUR, strokeWidth=2).encode(x=x, y=y)
    points = alt.Chart(data).mark_circle(color=MOOD_COLOUR, size=50).encode(
        x=x, y=y, tooltip=[alt.Tooltip("date:T", title="Day"), alt.Tooltip("mood:Q", title="Mood")]
    )
    return themed(alt.layer(line, points).properties(width=560, height=200, title=f"Mood, last {days} days"))


def wins_chart(weekly: pd.DataFrame) -> alt.Chart:
    """Wins per week as bars: every week counts on its own, nothing resets."""
    data = weekly.assign(week=pd.to_datetime(weekly["week"]).dt.strftime("%d %b"))
    return themed(
        alt.Chart(data)
        .mark_bar(color=WIN_COLOUR, cornerRadiusTopLeft=3, cornerRadiusTopRight=3)
        .encode(
            x=alt.X("week:O", title="Week starting", sort=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("wins:Q", title="Wins", axis=count_axis(weekly["wins"].max())),
            tooltip=[alt.Tooltip("week:O", title="Week of"), alt.Tooltip("wins:Q", title="Wins")],
        )
        .properties(width=560, height=180, title="Wins per week")
    )


# -- the progress dashboard ----------------------------------------------------
# Drawn as SVG (by the page's renderer, or to a file for the report), with no tooltips on these
# (a report cannot show them, and the summary and table say it all); marks drawn by the hundred
# carry no aria-label each (the figure's label is the chart's one-sentence summary), which
# keeps a ten-year chart to tens of kilobytes.


def _day(values: pd.Series) -> pd.Series:
    return pd.to_datetime(pd.Series(values)).dt.strftime("%Y-%m-%d")


def _floats(frame: pd.DataFrame, *names: str) -> pd.DataFrame:
    """Plain float columns (nullable ones become NaN, which Altair writes as null)."""
    return frame.assign(**{n: pd.to_numeric(frame[n], errors="coerce").astype("float64")
                           for n in names})


def _values(frame: pd.DataFrame) -> alt.InlineData:
    """Rows as plain JSON values, missing ones null (Altair takes these faster than a DataFrame)."""
    rows = frame.to_dict("records")
    return alt.InlineData(values=[{k: (None if _missing(v) else v) for k, v in row.items()} for row in rows])


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)


def _layered(*layers: alt.Chart, top: bool = True, **props: object) -> alt.LayerChart:
    """Layers with their size and title given at once (chained `.properties()` copy the whole
    chart each time, which for a layered chart costs more than drawing it); themed at the top."""
    chart = alt.LayerChart(layer=list(layers), **props)
    return themed(chart) if top else chart


def _time_axis(start: dt.date, end: dt.date) -> alt.X:
    return alt.X("date:T", title=None, scale=alt.Scale(domain=[start.isoformat(), end.isoformat()]),
                 axis=alt.Axis(tickCount=6, labelOverlap=True))


def mood_trend_chart(trend: pd.DataFrame, sessions: pd.Series, start: dt.date, end: dt.date,
                     unit: str = "day") -> alt.LayerChart:
    """Mood per day (or week) and its rolling average from `start` to `end`, sessions marked.

    `trend` comes from `analysis.mood_trend`; `sessions` are session days. Daily views mark each
    session with a thin full-height rule, weekly views with a short tick along the bottom.
    """
    data = _floats(trend.assign(date=_day(trend["date"])), "mood", "trend")[["date", "mood", "trend"]]
    held = pd.DataFrame({"date": _day(sessions).drop_duplicates()})
    if unit == "week":  # weeks are drawn at their Monday, which may come before `start`
        start = start - dt.timedelta(days=start.weekday())
    x = _time_axis(start, end)
    y_scale = alt.Scale(domain=[0, 10])
    rows = _values(data)
    rule = alt.Chart(_values(held)).mark_rule(color=SESSION_COLOUR, strokeWidth=1.5, opacity=0.7,
                                              aria=False)
    if unit == "day":
        rules = rule.encode(x=x)
    else:
        rules = rule.encode(x=x, y=alt.Y(datum=0, scale=y_scale), y2=alt.Y2(datum=0.8))
    if len(data) <= DOTS_UP_TO:
        points = alt.Chart(rows).mark_circle(color=MOOD_COLOUR, size=24, opacity=0.6, aria=False)
    else:
        points = alt.Chart(rows).mark_line(color=MOOD_COLOUR, strokeWidth=1, opacity=0.45, aria=False,
                                           invalid="break-paths-show-domains")
    points = points.encode(x=x, y=alt.Y("mood:Q", title="Mood (0-10)", scale=y_scale))
    line = alt.Chart(rows).mark_line(color=TREND_COLOUR, strokeWidth=2.5, aria=False,
                                     invalid="break-paths-show-domains").encode(
        x=x, y=alt.Y("trend:Q", scale=y_scale))
    each, average = ("daily", "7-day") if unit == "day" else ("weekly", "4-week")
    where = "thin lines" if unit == "day" else "ticks along the bottom"
    subtitle = f"Light: {each} average · dark line: {average} average · {where}: sessions"
    return _layered(rules, points, line, width=WIDE, height=200,
                    title=alt.Title("Mood over time", subtitle=subtitle))


def mood_after_session_chart(after: pd.DataFrame, days: int = 14) -> alt.LayerChart:
    """Average mood on each day after a session (day 0 is the session day), 0-10."""
    data = _floats(after, "mood")[["day", "mood", "sessions"]]
    x = alt.X("day:Q", title="Days since a session", scale=alt.Scale(domain=[0, days]),
              axis=alt.Axis(values=list(range(0, days + 1, 2))))
    y = alt.Y("mood:Q", title="Average mood (0-10)", scale=alt.Scale(domain=[0, 10]))
    base = alt.Chart(_values(data)).encode(x=x, y=y)
    return _layered(base.mark_line(color=MOOD_COLOUR, strokeWidth=2),
                    base.mark_circle(color=MOOD_COLOUR, size=45, opacity=1),
                    width=WIDE, height=180, title="Mood in the days after a session")


def _score_panel(scores: pd.DataFrame, instrument: str, start: dt.date, end: dt.date,
                 lines: pd.DataFrame) -> alt.LayerChart:
    from workbook import analysis

    bands = analysis.severity_bands(instrument)
    y_scale = alt.Scale(domain=[0, int(bands["high"].max())], nice=False)
    bands = bands.assign(colour=[BAND_COLOURS.get(b, "#f2f2f2") for b in bands["label"]],
                         middle=(bands["low"] + bands["high"]) / 2)
    band = alt.Chart(_values(bands))
    layers = [
        band.mark_rect(aria=False).encode(y=alt.Y("low:Q", scale=y_scale, title=f"{instrument} total"),
                                          y2=alt.Y2("high:Q"), color=alt.Color("colour:N", scale=None)),
        band.mark_text(align="left", dx=6, fontSize=10, color="#59636e", aria=False).encode(
            y=alt.Y("middle:Q", scale=y_scale), x=alt.XValue(SCORE_WIDE), text=alt.Text("label:N")),
    ]
    if not lines.empty:
        marks = alt.Chart(_values(lines)).encode(y=alt.Y("value:Q", scale=y_scale))
        layers += [marks.mark_rule(color=LINE_COLOUR, strokeDash=[5, 4], aria=False),
                   marks.mark_text(align="left", dx=4, dy=-6, fontSize=10, color=LINE_COLOUR,
                                   aria=False).encode(x=alt.XValue(0), text=alt.Text("label:N"))]
    data = scores.assign(date=_day(scores["date"]), total=scores["total"].astype("int64"))
    points = alt.Chart(_values(data[["date", "total"]])).encode(x=_time_axis(start, end),
                                                       y=alt.Y("total:Q", scale=y_scale))
    layers.append(points.mark_line(color=SCORE_COLOUR, strokeWidth=2, aria=False))
    if len(data) <= DOTS_UP_TO:
        layers.append(points.mark_circle(color=SCORE_COLOUR, size=36, opacity=1, aria=False))
    return _layered(*layers, top=False, width=SCORE_WIDE, height=170, title=instrument)


def questionnaire_chart(scores: pd.DataFrame, start: dt.date, end: dt.date,
                        response_at: float | None = None) -> alt.VConcatChart:
    """PHQ-9 and GAD-7 totals over time on their published bands, one panel for each one present.

    `scores` comes from `analysis.questionnaire_scores`. The PHQ-9 panel shows the remission
    line (a total under 5) and, given `response_at` (half the starting total), the response line.
    """

    panels = []
    for instrument in ("PHQ-9", "GAD-7"):
        mine = scores[scores["instrument"] == instrument]
        if mine.empty:
            continue
        lines = score_lines(instrument, response_at)
        panels.append(_score_panel(mine, instrument, start, end,
                                   pd.DataFrame(lines, columns=["value", "label"])))
    return themed(alt.VConcatChart(vconcat=panels, spacing=18,
                                   title=alt.Title("PHQ-9 and GAD-7 check-ins",
                                                   subtitle="Shaded: the published ranges")))


def count_axis(top: float) -> alt.Axis:
    """An axis for counts: whole numbers only (small counts get one tick per number)."""
    top = int(max(1, top))
    if top <= 8:
        return alt.Axis(values=list(range(top + 1)), format="d")
    return alt.Axis(tickMinStep=1, format="d")


def wins_month_chart(monthly: pd.DataFrame) -> alt.Chart:
    """Wins per month as bars, for ranges too long for a bar per week."""
    label = "%b %Y" if len(monthly) <= 24 else "%Y"
    return themed(
        alt.Chart(_values(monthly.assign(month=_day(monthly["month"]))))
        .mark_bar(color=WIN_COLOUR, aria=False)
        .encode(x=alt.X("yearmonth(month):T", title=None, axis=alt.Axis(labelOverlap=True, format=label)),
                y=alt.Y("wins:Q", title="Wins", axis=count_axis(monthly["wins"].max())))
        .properties(width=WIDE, height=180, title="Wins per month")
    )


def distortion_chart(counts: pd.DataFrame) -> alt.Chart:
    """The thinking patterns noticed most often as horizontal bars, most frequent on top."""
    return themed(
        alt.Chart(_values(counts[["label", "count"]]))
        .mark_bar(color=PATTERN_COLOUR, cornerRadiusTopRight=3, cornerRadiusBottomRight=3)
        .encode(y=alt.Y("label:N", title=None, sort="-x", axis=alt.Axis(labelLimit=220)),
                x=alt.X("count:Q", title="Thought records", axis=count_axis(counts["count"].max())))
        .properties(width=300, height=alt.Step(22), title="Thinking patterns you noticed")
    )


def emotion_shift_chart(shift: pd.DataFrame) -> alt.LayerChart:
    """Average strength of feelings before and after a thought record, on 0-100."""
    data = _floats(shift, "intensity")[["stage", "intensity"]]
    base = alt.Chart(_values(data)).encode(
        x=alt.X("stage:N", title=None, sort=["Before", "After"], axis=alt.Axis(labelAngle=0)),
        y=alt.Y("intensity:Q", title="Average strength (0-100)", scale=alt.Scale(domain=[0, 100])))
    colour = alt.Color("stage:N", legend=None,
                       scale=alt.Scale(domain=["Before", "After"], range=[BEFORE_COLOUR, AFTER_COLOUR]))
    return _layered(
        base.mark_bar(size=48).encode(color=colour),
        base.mark_text(dy=-8, fontSize=12, color="#333").encode(text=alt.Text("intensity:Q", format=".0f")),
        width=200, height=180, title="Feelings, before and after")
