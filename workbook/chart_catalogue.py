"""Every progress chart, listed once: its name, its title, and a pure function from the entries to
the chart and the sentence beside it.

The Progress page, the shared report and the therapist's review all read `CATALOGUE`, so a new
chart is an analysis function, one entry here and a test. Each entry draws for the person who
keeps the workbook (`draw`: charts, or a friendly sentence while there is too little to show)
and, if it is part of what is shared, for their therapist (`shared`: charts only, described in
the third person over the shared range).

Adding a chart: a function from entries to a small frame in `workbook.analysis`; an entry in
`CATALOGUE` whose `draw` (and, to share it, `shared`) returns `Figure`s with their sentence, or
a `Note` while there is too little to show; a test (`tests/views/test_new_progress_chart.py`
registers one and finds it on all three). The chart itself is a Vega-Lite dict, written in
`workbook.chart_specs` (no Altair to import: see there), with its Altair twin in `workbook.charts`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from workbook import analysis, chart_specs, progress, scoring
from workbook.chart_blocks import Block, Drawn, Figure, Note
from workbook.progress import Period
from workbook.words import day, plural

MIN_MOOD_DAYS = 3  # fewer days than this make a sentence, not a chart
MIN_AFTER_DAYS = 3
WEEKLY_WINS_UP_TO_DAYS = 92  # longer ranges count wins per month (a bar per week gets too thin)


class Entries:
    """The entries a chart reads, by kind (an empty frame for a kind not there), with the values
    derived from the whole history computed once: changing the range only re-aggregates."""

    def __init__(self, frames: Mapping[str, pd.DataFrame]):
        self.frames = dict(frames)
        self._derived: dict[str, Any] = {}

    def __getitem__(self, kind: str) -> pd.DataFrame:
        frame = self.frames.get(kind)
        return frame if frame is not None else pd.DataFrame(columns=["id", "created_at"])

    def has(self, kind: str) -> bool:
        """Whether any entry of `kind` is here."""
        frame = self.frames.get(kind)
        return frame is not None and not frame.empty

    def once(self, key: str, compute: Callable[[], Any]) -> Any:
        """A value derived from these entries, computed the first time it is asked for."""
        if key not in self._derived:
            self._derived[key] = compute()
        return self._derived[key]

    def daily_mood(self) -> pd.Series:
        return self.once("daily_mood", lambda: analysis.daily_mood(self["mood"]))

    def sessions(self) -> pd.Series:
        return self.once("sessions", lambda: analysis.session_dates(self["session"]))

    def scores(self) -> pd.DataFrame:
        return self.once("scores", lambda: analysis.questionnaire_scores(self["checkin"]))

    def earliest(self) -> dt.date | None:
        """The first day anything happened: an entry written, or a session held."""
        def compute() -> dt.date | None:
            first = analysis.earliest_date(*self.frames.values())
            sessions = self.sessions()
            if len(sessions):
                held = sessions.iloc[0].date()
                first = held if first is None else min(first, held)
            return first
        return self.once("earliest", compute)


Draw = Callable[[Entries, Period], Iterable[Block]]


@dataclass(frozen=True)
class ProgressChart:
    """One entry of the catalogue.

    `kinds` are the exercises it reads (the Progress page loads them); `draw` is what the person
    sees on the Progress page; `shared`, if given, is what the report and the review show of it.
    """

    name: str
    title: str
    kinds: tuple[str, ...]
    draw: Draw
    shared: Draw | None = None


# -- the charts both audiences see, built once ------------------------------------------------------
def _mood_figure(entries: Entries, period: Period, summary: str, title: str) -> Figure | None:
    unit = analysis.trend_unit(period.start, period.end)
    trend = analysis.mood_trend(entries["mood"], period.start, period.end, unit)
    if trend.empty:
        return None
    sessions = entries.sessions()
    sessions = sessions[analysis.in_range(sessions, period.start, period.end)]  # one outside would widen it
    return Figure(title, summary,
                  chart_specs.mood_trend_spec(trend, sessions, period.start, period.end, unit))


def _wins_figure(entries: Entries, period: Period, summary: str) -> Figure:
    """Wins per week over a short range, per month over a long one."""
    wins, start, end = entries["win"], period.start, period.end
    if (end - start).days < WEEKLY_WINS_UP_TO_DAYS:
        weeks = (analysis.week_start(end) - analysis.week_start(start)).days // 7 + 1
        shown = analysis.between(wins, start, end)  # a first week cut by the range
        return Figure("Wins per week", summary, chart_specs.wins_week_spec(
            chart_specs.rows(analysis.wins_by_week(shown, weeks=weeks, today=end))))
    return Figure("Wins per month", summary,
                  chart_specs.wins_month_spec(analysis.wins_by_month(wins, start, end)))


def _scores_figure(entries: Entries, shown: pd.DataFrame, period: Period, summary: str) -> Figure:
    """PHQ-9 and GAD-7 totals on their bands; the response line from the whole history's start."""
    starting = analysis.score_change(entries.scores(), "PHQ-9")  # marked pre-treatment, else first
    response_at = starting.first * scoring.RESPONSE_DROP if starting and starting.first else None
    return Figure("PHQ-9 and GAD-7 totals", summary,
                  chart_specs.questionnaire_spec(shown, period.start, period.end, response_at))


# -- mood -----------------------------------------------------------------------------------------
def draw_mood(entries: Entries, period: Period) -> list[Block]:
    if not entries.has("mood"):
        return [Note("Your mood over time appears here after a few mood check-ins. "
                     "One slider and Save is a whole check-in.")]
    daily = entries.daily_mood()
    shown = daily[analysis.in_range(daily.index.to_series(), period.start, period.end).to_numpy()]
    if shown.empty:
        return [Note(f"No mood check-ins {period.during}. Try a longer range to see earlier ones.")]
    if len(shown) < MIN_MOOD_DAYS:
        return [Note(f"{plural(len(shown), 'day')} with a mood check-in {period.during} "
                     f"(average {shown.mean():.1f} out of 10). After a few more, a chart of "
                     "your mood over time appears here.")]
    summary = progress.mood_summary(analysis.mood_change(entries["mood"], period.end), len(shown),
                                    float(shown.mean()), period)
    figure = _mood_figure(entries, period, summary, "Mood over time")
    return [figure] if figure else []


def shared_mood(entries: Entries, period: Period) -> list[Block]:
    if not entries.has("mood"):
        return []
    daily = entries.daily_mood()
    summary = progress.shared_mood_summary(len(daily), float(daily.mean()), period)
    figure = _mood_figure(entries, period, summary, "Mood over the range")
    return [figure] if figure else []


# -- after a session ------------------------------------------------------------------------------
def draw_after_session(entries: Entries, period: Period) -> list[Block]:
    held = int(analysis.in_range(entries.sessions().drop_duplicates(), period.start, period.end).sum())
    if held == 0:
        return [Note("Add your treatment sessions and keep doing mood check-ins: this chart then "
                     "shows how your mood tends to move in the two weeks after a session.")]
    after = analysis.mood_after_sessions(entries["mood"], entries["session"], period.start, period.end)
    if len(after) < MIN_AFTER_DAYS:
        return [Note(f"{plural(held, 'session')} {period.during}, but too few mood check-ins in the "
                     "two weeks after them to show a pattern yet.")]
    return [Figure("Mood in the days after a session", progress.after_session_summary(after, held),
                   chart_specs.mood_after_session_spec(after))]


# -- PHQ-9 and GAD-7 ------------------------------------------------------------------------------
def draw_checkins(entries: Entries, period: Period) -> list[Block]:
    scores = entries.scores()
    if scores.empty:
        return [Note("Your PHQ-9 and GAD-7 totals appear here once you fill in a check-in. "
                     "Every two weeks is a good rhythm.")]
    shown = scores[analysis.in_range(scores["date"], period.start, period.end)]
    if shown.empty:
        last = scores["date"].iloc[-1]
        return [Note(f"No PHQ-9 or GAD-7 check-ins {period.during}; your last one was on "
                     f"{day(last)}. A longer range shows it.")]
    # change since the very first total (not the first in view), up to the last one in view
    upto = scores[scores["date"] <= shown["date"].iloc[-1]]
    phq, gad = (analysis.score_change(upto, name) if (shown["instrument"] == name).any() else None
                for name in ("PHQ-9", "GAD-7"))
    return [_scores_figure(entries, shown, period, progress.questionnaire_summary(shown, phq, gad))]


def shared_checkins(entries: Entries, period: Period) -> list[Block]:
    scores = entries.scores()
    if scores.empty:
        return []
    counts = {name: int((scores["instrument"] == name).sum()) for name in ("PHQ-9", "GAD-7")}
    return [_scores_figure(entries, scores, period, progress.shared_scores_summary(counts))]


# -- small wins -----------------------------------------------------------------------------------
def draw_wins(entries: Entries, period: Period) -> list[Block]:
    total = analysis.count_between(entries["win"], period.start, period.end)
    if total == 0:
        return [Note(f"No small wins saved {period.during} yet. Small things count: getting "
                     "up, a shower, a message to a friend.")]
    return [_wins_figure(entries, period, progress.wins_summary(total, period))]


def shared_wins(entries: Entries, period: Period) -> list[Block]:
    if not entries.has("win"):
        return []
    return [_wins_figure(entries, period, progress.shared_wins_summary(len(entries["win"]), period))]


# -- thought records ------------------------------------------------------------------------------
def draw_thoughts(entries: Entries, period: Period) -> list[Block]:
    records = analysis.between(entries["thought_record"], period.start, period.end)
    if records.empty:
        return [Note(f"No thought records {period.during}. When you write some, this shows the "
                     "thinking patterns you notice most and how strong feelings are before and "
                     "after.")]
    out: list[Block] = []
    counts = analysis.distortion_counts(records)
    if counts.empty:
        out.append(Note("None of these thought records has a thinking pattern ticked; that step "
                        "is optional."))
    else:
        out.append(Figure("Thinking patterns you noticed", progress.distortion_summary(counts, len(records)),
                          chart_specs.distortion_spec(counts)))
    shift = analysis.emotion_shift(records)
    if shift.empty:
        out.append(Note("Re-rate your feelings at the end of a thought record to see how their "
                        "strength changes."))
    else:
        out.append(Figure("Feelings, before and after", progress.emotion_summary(shift),
                          chart_specs.emotion_shift_spec(shift)))
    return out


# -- the catalogue --------------------------------------------------------------------------------
CATALOGUE: list[ProgressChart] = [
    ProgressChart("mood", "Mood over time", ("mood", "session"), draw_mood, shared_mood),
    ProgressChart("after_session", "After a session", ("mood", "session"), draw_after_session),
    ProgressChart("checkins", "PHQ-9 and GAD-7", ("checkin",), draw_checkins, shared_checkins),
    ProgressChart("wins", "Small wins", ("win",), draw_wins, shared_wins),
    ProgressChart("thoughts", "Thought records", ("thought_record",), draw_thoughts),
]


def kinds(charts: Iterable[ProgressChart] | None = None) -> tuple[str, ...]:
    """Every exercise some chart (of `charts`, else of the catalogue) reads, in their order."""
    return tuple(dict.fromkeys(kind for chart in (CATALOGUE if charts is None else charts)
                               for kind in chart.kinds))


def draw(chart: ProgressChart, entries: Entries, period: Period) -> Drawn:
    """One entry drawn for the person, for one range."""
    return Drawn(chart.name, chart.title, tuple(chart.draw(entries, period)))


def shared_figures(frames: Mapping[str, pd.DataFrame], start: dt.date, end: dt.date) -> tuple[Figure, ...]:
    """The charts of a share bundle's entries (already limited to `start`..`end`), for the
    therapist: every shared entry of the catalogue, in order, each only where it has data."""
    entries = Entries(frames)
    period = Period(start, end, 0)
    return tuple(block for chart in CATALOGUE if chart.shared
                 for block in chart.shared(entries, period) if isinstance(block, Figure))
