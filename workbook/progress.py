"""What the Progress charts say: the range shown and one plain sentence for each chart.

Pure functions: numbers and small frames in, a sentence out, written to the person who keeps the
workbook. Gentle by design: a dip is named with the reminder that ups and downs are part of the
path, and nothing is counted as missed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from workbook import scoring
from workbook.words import day, plural

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
            return f"since {day(self.start)}"
        return "in the last year" if self.days == 365 else f"in the last {self.days} days"


# -- sentences (pure: numbers in, one plain sentence out) ---------------------------------
def mood_summary(change: dict[str, Any], days_with_entries: int, mean: float, period: Period) -> str:
    """How the last two weeks compare with the two before, gently."""
    days = change["days"]
    recent, before = change["recent"], change["before"]
    if recent is None:
        return (f"No mood check-ins in the last {days} days; {period.during} your average mood "
                f"was {mean:.1f} out of 10, across {plural(days_with_entries, 'day')}.")
    opening = f"Your average mood over the last {days} days was {recent:.1f}"
    if before is None:
        return f"{opening}, across {plural(change['recent_days'], 'day')} with a check-in."
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
    return f"Across {plural(sessions, 'session')}, your average mood was {listed}."


def questionnaire_summary(scores: pd.DataFrame, phq: Any, gad: Any) -> str:
    """The latest totals with their ranges, and the PHQ-9 change since the first."""
    parts = []
    if phq is not None:
        latest = scores[scores["instrument"] == "PHQ-9"].iloc[-1]
        text = f"Your latest PHQ-9 total was {phq.current} ({latest['severity']} range)"
        if phq.previous is None:
            text += ", your first; the next check-in starts a line"
        elif phq.since_first < 0:
            text += (f", {plural(-phq.since_first, 'point')} lower than {scoring.start_words(phq)} "
                     f"({phq.first})")
            if phq.response:
                text += f", {scoring.RESPONSE_WORDS}"
            if phq.remission:
                text += f", {scoring.REMISSION_WORDS}"
        elif phq.since_first > 0:
            text += (f", {plural(phq.since_first, 'point')} higher than {scoring.start_words(phq)} "
                     f"({phq.first})")
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
    """How many wins, and that each one counts (never a streak, never a count of days missed)."""
    return f"You saved {plural(total, 'small win')} {period.during}. Each one counts."


def distortion_summary(counts: pd.DataFrame, records: int) -> str:
    """The thinking pattern noticed most often, framed as a skill."""
    top = counts.iloc[0]
    return (f"The pattern you noticed most often was {top['label']}, in {int(top['count'])} of "
            f"{plural(records, 'thought record')}; noticing it is a skill in itself.")


def emotion_summary(shift: pd.DataFrame) -> str:
    """How strong feelings were before and after a thought record, on average."""
    before, after = (float(v) for v in shift["intensity"])
    count = int(shift["records"].iloc[0])
    opening = (f"Across {plural(count, 'thought record')} where you re-rated your feelings, their "
               f"strength went from {before:.0f} to {after:.0f} on average")
    if after < before:
        return opening + "."
    return opening + "; some thoughts take more than one pass, and writing them down still counts."


# -- the same charts described for the therapist (the shared report and the review) ---------------
def shared_mood_summary(days_with_entries: int, mean: float, period: Period) -> str:
    """'Mood from 1 Mar 2026 to 31 Mar 2026: 21 days with a check-in, average 5.2 out of 10.'"""
    return (f"Mood from {day(period.start)} to {day(period.end)}: {plural(days_with_entries, 'day')} "
            f"with a check-in, average {mean:.1f} out of 10.")


def shared_wins_summary(total: int, period: Period) -> str:
    """'6 small wins saved from 1 Mar 2026 to 31 Mar 2026.'"""
    return f"{plural(total, 'small win')} saved from {day(period.start)} to {day(period.end)}."


def shared_scores_summary(counts: dict[str, int]) -> str:
    """'3 PHQ-9 totals and 2 GAD-7 totals over the range, on their published ranges.'"""
    parts = [plural(count, f"{name} total") for name, count in counts.items() if count]
    return " and ".join(parts) + " over the range, on their published ranges."
