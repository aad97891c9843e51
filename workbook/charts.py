"""Charts as pure functions: a DataFrame in, an `alt.Chart` out, one theme for all."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
MOOD_COLOUR = "#3b6ea5"
WIN_COLOUR = "#3f8f5a"


def theme() -> dict:
    """Calm colours, readable type, no chart border."""
    return {
        "config": {
            "font": FONT,
            "view": {"stroke": None},
            "axis": {"labelFontSize": 12, "titleFontSize": 12, "grid": True,
                     "gridColor": "#e6e6e6", "labelColor": "#333", "titleColor": "#333"},
            "title": {"fontSize": 14, "anchor": "start", "color": "#222"},
            "background": "white",
        }
    }


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
    return (
        alt.layer(line, points)
        .properties(width=560, height=200, title=f"Mood, last {days} days")
        .configure(**theme()["config"])
    )


def wins_chart(weekly: pd.DataFrame) -> alt.Chart:
    """Wins per week as bars: every week counts on its own, nothing resets."""
    data = weekly.assign(week=pd.to_datetime(weekly["week"]).dt.strftime("%d %b"))
    return (
        alt.Chart(data)
        .mark_bar(color=WIN_COLOUR, cornerRadiusTopLeft=3, cornerRadiusTopRight=3)
        .encode(
            x=alt.X("week:O", title="Week starting", sort=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("wins:Q", title="Wins", axis=alt.Axis(tickMinStep=1)),
            tooltip=[alt.Tooltip("week:O", title="Week of"), alt.Tooltip("wins:Q", title="Wins")],
        )
        .properties(width=560, height=180, title="Wins per week")
        .configure(**theme()["config"])
    )
