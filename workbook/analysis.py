"""Pure functions on entries: daily series, counts and changes. No I/O, no widgets."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd


def entry_dates(created_at: pd.Series) -> pd.Series:
    """The calendar day of each entry as the person lived it (the local date written)."""
    return pd.to_datetime(created_at.astype(str).str.slice(0, 10), errors="coerce")


def mood_by_day(moods: pd.DataFrame, days: int = 30, today: dt.date | None = None) -> pd.DataFrame:
    """Mean mood, anxiety and energy for each day with a check-in in the last `days` days."""
    today = today or dt.date.today()
    columns = ["date", "mood", "anxiety", "energy", "entries"]
    if moods.empty:
        return pd.DataFrame(columns=columns)
    frame = moods.assign(date=entry_dates(moods["created_at"]))
    start = pd.Timestamp(today - dt.timedelta(days=days - 1))
    frame = frame[(frame["date"] >= start) & (frame["date"] <= pd.Timestamp(today))]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    values = frame[["mood", "anxiety", "energy"]].astype("Float64")
    grouped = values.groupby(frame["date"])
    daily = grouped.mean().round(1)
    daily["entries"] = grouped.size()
    return daily.reset_index()[columns]


def week_start(day: dt.date) -> dt.date:
    """Monday of the week that holds `day`."""
    return day - dt.timedelta(days=day.weekday())


def wins_this_week(wins: pd.DataFrame, today: dt.date | None = None) -> int:
    """How many wins were saved since Monday: a count that only grows, never a streak."""
    today = today or dt.date.today()
    if wins.empty:
        return 0
    dates = entry_dates(wins["created_at"])
    start = pd.Timestamp(week_start(today))
    return int(((dates >= start) & (dates <= pd.Timestamp(today))).sum())


def wins_by_week(wins: pd.DataFrame, weeks: int = 8, today: dt.date | None = None) -> pd.DataFrame:
    """Wins per week (Monday first) for the last `weeks` weeks, zeros included."""
    today = today or dt.date.today()
    first = week_start(today) - dt.timedelta(weeks=weeks - 1)
    index = pd.date_range(pd.Timestamp(first), periods=weeks, freq="7D")
    counts = pd.Series(0, index=index, dtype="int64")
    if not wins.empty:
        dates = entry_dates(wins["created_at"]).dropna()
        starts = dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")
        found = starts[starts >= pd.Timestamp(first)].value_counts()
        counts = counts.add(found, fill_value=0).astype("int64").reindex(index, fill_value=0)
    return pd.DataFrame({"week": index, "wins": counts.to_numpy()})


def emotion_change(record: dict[str, Any]) -> list[tuple[str, int | None, int | None]]:
    """Each feeling of a thought record with its intensity before and after."""
    before = {e["name"]: e["intensity"] for e in record.get("emotions") or []}
    after = {e["name"]: e["intensity"] for e in record.get("emotions_after") or []}
    names = list(before) + [n for n in after if n not in before]
    return [(name, before.get(name), after.get(name)) for name in names]


def hot_thought(record: dict[str, Any]) -> str | None:
    """The thought marked hot (or the only one)."""
    thoughts = record.get("automatic_thoughts") or []
    for item in thoughts:
        if item.get("hot"):
            return item.get("text")
    return thoughts[0].get("text") if len(thoughts) == 1 else None
