"""Pure functions on entries: daily series, counts and changes. No I/O, no widgets."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from workbook.scoring import is_marked  # where it was first; plain Python there


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


# -- the progress dashboard ----------------------------------------------------
# Each function takes whole frames (as `Store.load` gives them) and returns a small frame
# ready to draw: daily or weekly points, never one row per entry.

TREND_DAYS = 7
TREND_WEEKS = 4
WEEKLY_AFTER_DAYS = 183  # ranges longer than about six months are drawn week by week
AFTER_SESSION_DAYS = 14
COMPARE_DAYS = 14


def window(days: int | None, today: dt.date | None = None,
           earliest: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """First and last day of a range: the last `days` days, or (None) since the earliest entry."""
    today = today or dt.date.today()
    if days:
        return today - dt.timedelta(days=days - 1), today
    if earliest is None or earliest > today:
        return today - dt.timedelta(days=29), today
    return earliest, today


def earliest_date(*frames: pd.DataFrame) -> dt.date | None:
    """The first day with an entry in any of the frames (by `created_at`)."""
    firsts = []
    for frame in frames:
        if frame is not None and not frame.empty and "created_at" in frame:
            first = entry_dates(frame["created_at"]).min()
            if pd.notna(first):
                firsts.append(first.date())
    return min(firsts) if firsts else None


def trend_unit(start: dt.date, end: dt.date) -> str:
    """'day' for ranges up to about six months, 'week' beyond, so a chart stays small."""
    return "day" if (end - start).days < WEEKLY_AFTER_DAYS else "week"


def daily_mood(moods: pd.DataFrame) -> pd.Series:
    """Mean mood of each day with a check-in, indexed by day, oldest first (float)."""
    if moods.empty or "mood" not in moods:
        return pd.Series(dtype="float64", index=pd.DatetimeIndex([], name="date"), name="mood")
    values = pd.to_numeric(moods["mood"], errors="coerce").astype("float64")
    frame = pd.DataFrame({"date": entry_dates(moods["created_at"]), "mood": values}).dropna()
    return frame.groupby("date")["mood"].mean().sort_index()


def mood_trend(moods: pd.DataFrame, start: dt.date, end: dt.date, unit: str = "day") -> pd.DataFrame:
    """Mood per day (or week) from `start` to `end` with a rolling average beside it.

    `mood` is the mean of the period's check-ins, `trend` the mean over the last 7 days
    (`unit="day"`) or 4 weeks (`unit="week"`), computed on the whole history so the line
    does not restart at the edge of the range; a gap as long as the window leaves no trend.
    `entries` counts the days with a check-in in the period.
    """
    columns = ["date", "mood", "trend", "entries"]
    daily = daily_mood(moods)
    if daily.empty:
        return pd.DataFrame(columns=columns)
    first, last = pd.Timestamp(start), pd.Timestamp(end)
    if unit == "week":
        weeks = daily.index - pd.to_timedelta(daily.index.day_of_week, unit="D")
        grouped = daily.groupby(weeks)
        series = grouped.mean()
        counts = grouped.size()
        span = pd.date_range(series.index.min(), series.index.max(), freq="7D")
        first = first - pd.Timedelta(days=first.day_of_week)
        window_size = TREND_WEEKS
    else:
        series, counts = daily, pd.Series(1, index=daily.index)
        span = pd.date_range(series.index.min(), series.index.max(), freq="D")
        window_size = TREND_DAYS
    full = series.reindex(span)
    trend = full.rolling(window_size, min_periods=1).mean()
    out = pd.DataFrame({"mood": full, "trend": trend,
                        "entries": counts.reindex(span, fill_value=0).astype("int64")})
    out = out[(out.index >= first) & (out.index <= last)]
    out = out[out["mood"].notna() | out["trend"].notna()]
    out = out.assign(mood=out["mood"].round(2), trend=out["trend"].round(2))
    return out.rename_axis("date").reset_index()[columns]


def mood_change(moods: pd.DataFrame, end: dt.date, days: int = COMPARE_DAYS) -> dict[str, Any]:
    """Average mood over the last `days` days to `end`, and over the `days` days before.

    Each day counts once (its mean), so a day with five check-ins does not outweigh one with a
    single check-in. Means are None where there was no check-in.
    """
    daily = daily_mood(moods)
    last = pd.Timestamp(end)
    recent_start = last - pd.Timedelta(days=days - 1)
    before_start = recent_start - pd.Timedelta(days=days)
    recent = daily[(daily.index >= recent_start) & (daily.index <= last)]
    before = daily[(daily.index >= before_start) & (daily.index < recent_start)]
    return {
        "days": days,
        "recent": float(recent.mean()) if len(recent) else None,
        "recent_days": len(recent),
        "before": float(before.mean()) if len(before) else None,
        "before_days": len(before),
    }


def session_dates(sessions: pd.DataFrame) -> pd.Series:
    """The day of each treatment session (from `session_at`, else when it was written), sorted."""
    if sessions.empty:
        return pd.Series([], dtype="datetime64[ns]", name="session")
    when = sessions["session_at"] if "session_at" in sessions else pd.Series(None, index=sessions.index)
    days = pd.to_datetime(when.astype("string").str.slice(0, 10), errors="coerce")
    days = days.fillna(entry_dates(sessions["created_at"]))
    return days.dropna().sort_values().reset_index(drop=True).rename("session")


def in_range(days: pd.Series, start: dt.date, end: dt.date) -> pd.Series:
    """Which of these days fall between `start` and `end`, both included."""
    return (days >= pd.Timestamp(start)) & (days <= pd.Timestamp(end))


def mood_after_sessions(moods: pd.DataFrame, sessions: pd.DataFrame, start: dt.date, end: dt.date,
                        days: int = AFTER_SESSION_DAYS) -> pd.DataFrame:
    """Mean mood on day 0 (the session day) to day `days` after a session, across sessions.

    Each day with a check-in belongs to the most recent session on or before it, so when
    sessions are close together a day is counted once, after the latest one. A session's own
    days are averaged first, then the sessions, so a busy week does not outweigh a quiet one.
    Only sessions between `start` and `end` count. `sessions` is how many sessions gave a value.
    """
    columns = ["day", "mood", "sessions"]
    daily = daily_mood(moods)
    held = session_dates(sessions).drop_duplicates()
    if daily.empty or held.empty:
        return pd.DataFrame(columns=columns)
    points = pd.DataFrame({"date": daily.index.astype("datetime64[ns]"), "mood": daily.to_numpy()})
    held = held.astype("datetime64[ns]")
    joined = pd.merge_asof(points, pd.DataFrame({"session": held, "at": held}), left_on="date",
                           right_on="at", direction="backward").dropna(subset=["session"])
    joined["day"] = (joined["date"] - joined["session"]).dt.days
    joined = joined[(joined["day"] <= days) & in_range(joined["session"], start, end)]
    if joined.empty:
        return pd.DataFrame(columns=columns)
    grouped = joined.groupby("day")
    out = pd.DataFrame({"mood": grouped["mood"].mean().round(2),
                        "sessions": grouped["session"].nunique().astype("int64")})
    return out.reset_index()[columns]


def severity_bands(instrument: str) -> pd.DataFrame:
    """The published bands of PHQ-9 or GAD-7 as rows low, high (exclusive) and label."""
    from workbook import scoring

    bands = scoring.PHQ9_BANDS if instrument == "PHQ-9" else scoring.GAD7_BANDS
    top = 27 if instrument == "PHQ-9" else 21
    lows = [low for low, _ in bands]
    highs = lows[1:] + [top]
    return pd.DataFrame({"low": lows, "high": highs, "label": [label for _, label in bands]})


def questionnaire_scores(checkins: pd.DataFrame) -> pd.DataFrame:
    """PHQ-9 and GAD-7 totals of each check-in, one row per complete questionnaire, oldest first.

    A check-in may hold only one of the two questionnaires; the other is left out. `baseline` is
    True for a check-in the person marked as from before treatment started.
    """
    from workbook import scoring

    columns = ["date", "instrument", "total", "severity", "baseline"]
    if checkins.empty:
        return pd.DataFrame(columns=columns)
    items = [c for c in (*scoring.PHQ9_ITEMS, *scoring.GAD7_ITEMS) if c in checkins]
    answers = checkins[items].astype("object")
    answers = answers.where(answers.notna(), None)
    dates = entry_dates(checkins["created_at"])
    marks = (checkins[scoring.BASELINE_FIELD] if scoring.BASELINE_FIELD in checkins
             else pd.Series(None, index=checkins.index, dtype="object"))
    rows = []
    for date, record, mark in zip(dates, answers.to_dict("records"), marks, strict=True):
        if pd.isna(date):
            continue
        try:
            scores = scoring.from_record(record)
        except (ValueError, TypeError):
            continue  # a hand-edited answer out of range: leave that check-in out
        for score in scores:
            if score is not None:
                rows.append((date, score.instrument, score.total, score.severity, is_marked(mark)))
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values("date", kind="stable").reset_index(drop=True)


def score_change(scores: pd.DataFrame, instrument: str = "PHQ-9") -> Any:
    """`scoring.change` over every total of one questionnaire (None without any), measured from
    the latest check-in marked as from before treatment, if any, else the first."""
    from workbook import scoring

    mine = scores[scores["instrument"] == instrument]
    totals = mine["total"].astype(int).tolist()
    marked = mine["baseline"].tolist() if "baseline" in mine else []
    baseline = max((i for i, m in enumerate(marked) if m is True), default=None)
    return scoring.change(totals, instrument, baseline)


def wins_by_month(wins: pd.DataFrame, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Wins per calendar month from `start` to `end`, zeros included."""
    first = pd.Timestamp(start).to_period("M")
    index = pd.period_range(first, pd.Timestamp(end).to_period("M"), freq="M")
    counts = pd.Series(0, index=index, dtype="int64")
    if not wins.empty:
        dates = entry_dates(wins["created_at"]).dropna()
        dates = dates[in_range(dates, start, end)]
        counts = counts.add(dates.dt.to_period("M").value_counts(), fill_value=0).astype("int64")
    return pd.DataFrame({"month": index.to_timestamp(), "wins": counts.reindex(index).to_numpy()})


def count_between(frame: pd.DataFrame, start: dt.date, end: dt.date) -> int:
    """How many entries were written between `start` and `end`."""
    if frame.empty:
        return 0
    return int(in_range(entry_dates(frame["created_at"]), start, end).sum())


def between(frame: pd.DataFrame, start: dt.date, end: dt.date) -> pd.DataFrame:
    """The entries written between `start` and `end`, both days included."""
    if frame.empty:
        return frame
    return frame[in_range(entry_dates(frame["created_at"]), start, end).to_numpy()]


def distortion_counts(records: pd.DataFrame, labels: dict[str, str] | None = None,
                      top: int = 6) -> pd.DataFrame:
    """How many thought records noticed each thinking pattern, most frequent first.

    Only known pattern keys count (a hand-edited cell cannot put free text in a chart).
    """
    if labels is None:
        labels = distortion_labels()
    columns = ["key", "label", "count"]
    if records.empty or "distortions" not in records:
        return pd.DataFrame(columns=columns)
    counts: dict[str, int] = {}
    for picked in records["distortions"]:
        if isinstance(picked, list):
            for key in dict.fromkeys(k for k in picked if isinstance(k, str) and k in labels):
                counts[key] = counts.get(key, 0) + 1
    order = list(labels)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], order.index(kv[0])))[:top]
    return pd.DataFrame([(k, labels[k], n) for k, n in ranked], columns=columns)


def distortion_labels() -> dict[str, str]:
    """Pattern key to its name, from the thought record's declaration."""
    from workbook import exercises

    return {o.key: o.label for o in exercises.get("thought_record").field("distortions").options}


def _intensity(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        return None
    return float(value)


def _ratings(value: Any) -> dict[str, float]:
    out: dict[str, float] = {}
    if isinstance(value, list):
        for item in value:
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                level = _intensity(item.get("intensity"))
                if level is not None:
                    out.setdefault(item["name"], level)
    return out


def emotion_shift(records: pd.DataFrame) -> pd.DataFrame:
    """Mean intensity of feelings before and after a thought record, over records re-rated.

    Only feelings rated both times count, so a feeling left un-re-rated does not pull the
    average. One row per stage ("Before", "After") with `records`, the records that counted.
    Feeling names are used only to pair ratings; they do not leave this function.
    """
    columns = ["stage", "intensity", "records"]
    if records.empty or "emotions" not in records or "emotions_after" not in records:
        return pd.DataFrame(columns=columns)
    befores, afters = [], []
    for before, after in zip(records["emotions"], records["emotions_after"], strict=True):
        first, second = _ratings(before), _ratings(after)
        paired = [name for name in first if name in second]
        if paired:
            befores.append(sum(first[n] for n in paired) / len(paired))
            afters.append(sum(second[n] for n in paired) / len(paired))
    if not befores:
        return pd.DataFrame(columns=columns)
    count = len(befores)
    return pd.DataFrame({"stage": ["Before", "After"],
                         "intensity": [round(sum(befores) / count, 1), round(sum(afters) / count, 1)],
                         "records": [count, count]})
