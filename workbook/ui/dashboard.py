"""The progress page: mood, sessions, check-ins, wins and thought records over a chosen range.

Every chart is a small Vega-Lite spec from an aggregated frame, drawn by the page's own
renderer (`ChartView`), with a one-sentence summary beside it; too little data gets a friendly
sentence instead of an empty axis. The store is read once per `refresh`; changing the range
only re-aggregates.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ipywidgets as w
import pandas as pd

from workbook import analysis, scoring
from workbook.store import Store
from workbook.ui.chart_view import ChartView
from workbook.ui.form import Feedback
from workbook.ui.text import esc

log = logging.getLogger(__name__)

RANGES = (("Last 30 days", 30), ("Last 90 days", 90), ("Last year", 365), ("All time", 0))
KINDS = {"mood": "mood check-in", "session": "treatment session", "checkin": "PHQ-9 and GAD-7 check-in",
         "win": "small win", "thought_record": "thought record"}
SECTIONS = {
    "mood": "Mood over time",
    "after_session": "After a session",
    "checkins": "PHQ-9 and GAD-7",
    "wins": "Small wins",
    "thoughts": "Thought records",
}
MIN_MOOD_DAYS = 3  # fewer days than this make a sentence, not a chart
MIN_AFTER_DAYS = 3
WEEKLY_WINS_UP_TO_DAYS = 92
STEADY = 0.3  # a change in average mood smaller than this reads as "about the same"


@dataclass(frozen=True)
class Period:
    """The range shown: first and last day, and how to say it in a sentence."""

    start: dt.date
    end: dt.date
    days: int  # 0 for all time

    @property
    def during(self) -> str:
        """'in the last 30 days', 'in the last year' or 'since 3 Jun 2019'."""
        if not self.days:
            return f"since {_day(self.start)}"
        return "in the last year" if self.days == 365 else f"in the last {self.days} days"


# -- sentences (pure: numbers in, one plain sentence out) ---------------------------------
def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _day(day: dt.date | pd.Timestamp) -> str:
    return f"{day.day} {day:%b %Y}"


def mood_summary(change: dict[str, Any], days_with_entries: int, mean: float, period: Period) -> str:
    """How the last two weeks compare with the two before, gently."""
    days = change["days"]
    recent, before = change["recent"], change["before"]
    if recent is None:
        return (f"No mood check-ins in the last {days} days; {period.during} your average mood "
                f"was {mean:.1f} out of 10, across {_n(days_with_entries, 'day')}.")
    opening = f"Your average mood over the last {days} days was {recent:.1f}"
    if before is None:
        return f"{opening}, across {_n(change['recent_days'], 'day')} with a check-in."
    if abs(recent - before) < STEADY:
        return f"{opening}, about the same as the {days} days before ({before:.1f})."
    if recent > before:
        return f"{opening}, up from {before:.1f} the {days} days before."
    return (f"{opening}, down from {before:.1f} the {days} days before; ups and downs are part of "
            "the path, and the longer line shows the bigger picture.")


def after_session_summary(after: pd.DataFrame, sessions: int) -> str:
    """Where mood sat on the session day, where it was lowest, and where it was by the end."""
    after = after.assign(mood=after["mood"].astype("float64")).sort_values("day")
    low = after.loc[after["mood"].idxmin()]
    low_day, last = int(low["day"]), after.iloc[-1]
    parts = []
    if low_day == 0:
        parts.append(f"lowest on the session day itself ({low['mood']:.1f})")
    else:
        if after["day"].iloc[0] == 0:
            parts.append(f"{after['mood'].iloc[0]:.1f} on the session day")
        parts.append(f"lowest on day {low_day} after ({low['mood']:.1f})")
    if int(last["day"]) != low_day:
        parts.append(f"{last['mood']:.1f} by day {int(last['day'])}")
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"Across {_n(sessions, 'session')}, your average mood was {listed}."


def questionnaire_summary(scores: pd.DataFrame, phq: Any, gad: Any) -> str:
    """The latest totals with their ranges, and the PHQ-9 change since the first."""
    parts = []
    if phq is not None:
        latest = scores[scores["instrument"] == "PHQ-9"].iloc[-1]
        text = f"Your latest PHQ-9 total was {phq.current} ({latest['severity']} range)"
        if phq.previous is None:
            text += ", your first; the next check-in starts a line"
        elif phq.since_first < 0:
            text += f", {_n(-phq.since_first, 'point')} lower than {scoring.start_words(phq)} ({phq.first})"
            if phq.response:
                text += f", {scoring.RESPONSE_WORDS}"
            if phq.remission:
                text += f", {scoring.REMISSION_WORDS}"
        elif phq.since_first > 0:
            text += f", {_n(phq.since_first, 'point')} higher than {scoring.start_words(phq)} ({phq.first})"
        else:
            text += f", the same as {scoring.start_words(phq)} ({phq.first})"
        parts.append(text)
    if gad is not None:
        latest = scores[scores["instrument"] == "GAD-7"].iloc[-1]
        gad_text = f"GAD-7 {gad.current} ({latest['severity']} range)"
        parts.append(gad_text if parts else f"Your latest GAD-7 total was {gad.current} "
                     f"({latest['severity']} range)")
    return "; ".join(parts) + "."


def wins_summary(total: int, period: Period) -> str:
    return f"You saved {_n(total, 'small win')} {period.during}. Each one counts."


def distortion_summary(counts: pd.DataFrame, records: int) -> str:
    top = counts.iloc[0]
    return (f"The pattern you noticed most often was {top['label']}, in {int(top['count'])} of "
            f"{_n(records, 'thought record')}; noticing it is a skill in itself.")


def emotion_summary(shift: pd.DataFrame) -> str:
    before, after = (float(v) for v in shift["intensity"])
    count = int(shift["records"].iloc[0])
    opening = (f"Across {_n(count, 'thought record')} where you re-rated your feelings, their "
               f"strength went from {before:.0f} to {after:.0f} on average")
    if after < before:
        return opening + "."
    return opening + "; some thoughts take more than one pass, and writing them down still counts."


# -- the page ------------------------------------------------------------------------------
Block = tuple  # ("chart", chart, summary) or ("empty", message)


def _item(chart: Any, summary: str) -> Block:
    """A chart with its summary beside it (below it on a narrow screen)."""
    return ("chart", chart, summary)


def _empty(message: str) -> Block:
    return ("empty", message)


class Section(w.VBox):
    """One part of the page (`wb-chart`): a heading, then charts or friendly sentences."""

    def __init__(self, name: str):
        self.heading = w.HTML()
        self.body = w.VBox()
        self.views: list[ChartView] = []
        self.blocks: list[Block] = []
        super().__init__([self.heading, self.body])
        self.add_class("wb-chart")
        self.add_class(f"wb-progress-{name}")

    def show(self, title: str, blocks: list[Block]) -> None:
        self.heading.value = f'<h3 class="wb-progress-heading">{esc(title)}</h3>'
        self.blocks = blocks
        children = []
        charts_drawn = 0
        for block in blocks:
            if block[0] == "chart":
                if charts_drawn == len(self.views):
                    self.views.append(ChartView())
                view = self.views[charts_drawn]
                view.draw(block[1], block[2])
                children.append(view)
                charts_drawn += 1
            else:
                children.append(w.HTML(f'<p class="wb-empty">{esc(block[1])}</p>'))
        self.body.children = children

    @property
    def value(self) -> str:
        """The section's words as they read on the page (headings, summaries, messages)."""
        return self.heading.value + "".join(
            f'<p class="{"wb-chart-summary" if b[0] == "chart" else "wb-empty"}">'
            f"{esc(b[2] if b[0] == 'chart' else b[1])}</p>" for b in self.blocks)

    @property
    def specs(self) -> list[dict]:
        """The chart specs on the page now."""
        return [view.spec for view, block in zip(self.views, [b for b in self.blocks
                                                               if b[0] == "chart"], strict=False)]


class ProgressPage(w.VBox):
    """Charts and plain sentences about how things have moved, for a range the person picks."""

    title = "Progress"

    def __init__(self, store: Store, today: dt.date | None = None, days: int = 90, draw: bool = True):
        self.store = store
        self.today = today
        self.frames: dict[str, pd.DataFrame] = {}
        self._derived: dict[str, Any] = {}
        self._drawn: dict[Period, dict[str, tuple[str, list[Block]]]] = {}
        self.range = w.Dropdown(options=RANGES, value=days, description="Show",
                                layout=w.Layout(width="auto"))
        self.range.add_class("wb-range")
        self.feedback = Feedback()
        self.sections: dict[str, Section] = {name: Section(name) for name in SECTIONS}
        header = w.HTML(
            f'<h2 class="wb-title">{esc(self.title)}</h2>'
            '<p class="wb-intro">How things have moved over time. Ups and downs are part of the '
            "path; the longer view shows the bigger picture. Scores and ranges describe answers, "
            "not you: they are worth talking over with your care team.</p>")
        super().__init__([header, self.range, self.feedback, *self.sections.values()])
        self.add_class("wb-page")
        self.add_class("wb-page-progress")
        self.range.observe(lambda _change: self.redraw(), names="value")
        if draw:  # the app shows the page first and draws it after (App.show)
            self.refresh()

    # -- reading ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read every kind from the store and redraw what changed; a kind that fails says why."""
        problems = []
        frames = {}
        for kind in KINDS:
            try:
                frames[kind] = self.store.load(kind)
            except Exception as exc:  # say so on the page, draw the rest
                log.exception("could not read %s", kind)
                problems.append(f"Your {KINDS[kind]} entries could not be read just now "
                                f"({exc}). They are not shown below.")
                frames[kind] = pd.DataFrame(columns=["id", "created_at"])
        same = bool(self.frames) and all(frames[k].equals(self.frames.get(k)) for k in KINDS)
        if not same or problems:
            self.frames = frames
            self._derived = {}
            self._drawn = {}
        self.redraw(problems)

    def _once(self, key: str, compute: Callable[[], Any]) -> Any:
        """A value derived from the whole history, computed once per change of the data."""
        if key not in self._derived:
            self._derived[key] = compute()
        return self._derived[key]

    def period(self) -> Period:
        days = self.range.value
        earliest = self._once("earliest", lambda: _earliest(self.frames))
        start, end = analysis.window(days or None, self.today, earliest)
        return Period(start, end, days)

    # -- drawing ---------------------------------------------------------------------------
    def redraw(self, problems: list[str] | None = None) -> None:
        """Draw every section for the chosen range; one that fails says so and the rest still draw.

        What was drawn for a range is kept until the data changes, so going back to a range
        is instant.
        """
        problems = list(problems or [])
        try:
            period = self.period()
        except Exception as exc:  # never a lost traceback
            log.exception("could not work out the range")
            self.feedback.fail("\n".join([*problems, f"The charts could not be drawn ({type(exc).__name__}: "
                                                      f"{exc}). Your entries are safe."]))
            return
        drawn = self._drawn.get(period)
        if drawn is None:
            drawn, failures = self._draw(period)
            if not failures:
                self._drawn[period] = drawn
            problems += failures
        for name, (title, blocks) in drawn.items():
            self.sections[name].show(title, blocks)
        if problems:
            self.feedback.fail("\n".join(problems))
        else:
            self.feedback.clear()

    def _draw(self, period: Period) -> tuple[dict[str, tuple[str, list[Block]]], list[str]]:
        drawn, failures = {}, []
        for name, title in SECTIONS.items():
            try:
                body = getattr(self, f"_draw_{name}")(period)
            except Exception as exc:  # a chart that fails must not hide the others
                log.exception("could not draw %s", name)
                failures.append(f"The {title} chart could not be drawn ({type(exc).__name__}: {exc}). "
                                "Your entries are safe.")
                body = _empty("This chart could not be drawn just now.")
            drawn[name] = (title, body if isinstance(body, list) else [body])
        return drawn, failures

    def _draw_mood(self, period: Period) -> Block | list[Block]:
        from workbook import charts

        moods = self.frames["mood"]
        if moods.empty:
            return _empty("Your mood over time appears here after a few mood check-ins. "
                          "One slider and Save is a whole check-in.")
        daily = self._once("daily_mood", lambda: analysis.daily_mood(moods))
        shown = daily[analysis.in_range(daily.index.to_series(), period.start, period.end).to_numpy()]
        if shown.empty:
            return _empty(f"No mood check-ins {period.during}. Try a longer range to see earlier ones.")
        if len(shown) < MIN_MOOD_DAYS:
            return _empty(f"{_n(len(shown), 'day')} with a mood check-in {period.during} "
                          f"(average {shown.mean():.1f} out of 10). After a few more, a chart of "
                          "your mood over time appears here.")
        unit = analysis.trend_unit(period.start, period.end)
        trend = analysis.mood_trend(moods, period.start, period.end, unit)
        sessions = self._once("sessions", lambda: analysis.session_dates(self.frames["session"]))
        sessions = sessions[analysis.in_range(sessions, period.start, period.end)]
        summary = mood_summary(analysis.mood_change(moods, period.end), len(shown), float(shown.mean()),
                               period)
        chart = charts.mood_trend_chart(trend, sessions, period.start, period.end, unit)
        return _item(chart, summary)

    def _draw_after_session(self, period: Period) -> Block | list[Block]:
        from workbook import charts

        sessions = self._once("sessions", lambda: analysis.session_dates(self.frames["session"]))
        held = int(analysis.in_range(sessions.drop_duplicates(), period.start, period.end).sum())
        if held == 0:
            return _empty("Add your treatment sessions and keep doing mood check-ins: this chart then "
                          "shows how your mood tends to move in the two weeks after a session.")
        after = analysis.mood_after_sessions(self.frames["mood"], self.frames["session"],
                                             period.start, period.end)
        if len(after) < MIN_AFTER_DAYS:
            return _empty(f"{_n(held, 'session')} {period.during}, but too few mood check-ins in the "
                          "two weeks after them to show a pattern yet.")
        summary = after_session_summary(after, held)
        return _item(charts.mood_after_session_chart(after), summary)

    def _draw_checkins(self, period: Period) -> Block | list[Block]:
        from workbook import charts, scoring

        scores = self._once("scores", lambda: analysis.questionnaire_scores(self.frames["checkin"]))
        if scores.empty:
            return _empty("Your PHQ-9 and GAD-7 totals appear here once you fill in a check-in. "
                          "Every two weeks is a good rhythm.")
        shown = scores[analysis.in_range(scores["date"], period.start, period.end)]
        if shown.empty:
            last = scores["date"].iloc[-1]
            return _empty(f"No PHQ-9 or GAD-7 check-ins {period.during}; your last one was on "
                          f"{_day(last)}. A longer range shows it.")
        # change since the very first total (not the first in view), up to the last one in view
        upto = scores[scores["date"] <= shown["date"].iloc[-1]]
        phq, gad = (analysis.score_change(upto, name) if (shown["instrument"] == name).any() else None
                    for name in ("PHQ-9", "GAD-7"))
        baseline = analysis.score_change(scores, "PHQ-9")
        response_at = baseline.first * scoring.RESPONSE_DROP if baseline and baseline.first else None
        summary = questionnaire_summary(shown, phq, gad)
        return _item(charts.questionnaire_chart(shown, period.start, period.end, response_at), summary)

    def _draw_wins(self, period: Period) -> Block | list[Block]:
        from workbook import charts

        wins = self.frames["win"]
        total = analysis.count_between(wins, period.start, period.end)
        if total == 0:
            return _empty(f"No small wins saved {period.during} yet. Small things count: getting "
                          "up, a shower, a message to a friend.")
        if (period.end - period.start).days < WEEKLY_WINS_UP_TO_DAYS:
            weeks = (analysis.week_start(period.end) - analysis.week_start(period.start)).days // 7 + 1
            shown = analysis.between(wins, period.start, period.end)  # a first week cut by the range
            chart = charts.wins_chart(analysis.wins_by_week(shown, weeks=weeks, today=period.end))
        else:
            chart = charts.wins_month_chart(analysis.wins_by_month(wins, period.start, period.end))
        return _item(chart, wins_summary(total, period))

    def _draw_thoughts(self, period: Period) -> Block | list[Block]:
        from workbook import charts

        records = analysis.between(self.frames["thought_record"], period.start, period.end)
        if records.empty:
            return _empty(f"No thought records {period.during}. When you write some, this shows the "
                          "thinking patterns you notice most and how strong feelings are before and "
                          "after.")
        out = []
        counts = analysis.distortion_counts(records)
        if counts.empty:
            out.append(_empty("None of these thought records has a thinking pattern ticked; that step "
                              "is optional."))
        else:
            out.append(_item(charts.distortion_chart(counts), distortion_summary(counts, len(records))))
        shift = analysis.emotion_shift(records)
        if shift.empty:
            out.append(_empty("Re-rate your feelings at the end of a thought record to see how their "
                              "strength changes."))
        else:
            out.append(_item(charts.emotion_shift_chart(shift), emotion_summary(shift)))
        return out


def _earliest(frames: dict[str, pd.DataFrame]) -> dt.date | None:
    first = analysis.earliest_date(*frames.values())
    sessions = analysis.session_dates(frames.get("session", pd.DataFrame()))
    if len(sessions):
        held = sessions.iloc[0].date()
        first = held if first is None else min(first, held)
    return first
