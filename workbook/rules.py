"""When to reach out: the safety rules, as pure functions on the saved entries. No I/O, no widgets.

Every title and message an alert can show is a constant in this module and is quoted word for
word in docs/safety.md (a unit test checks this). Nothing here is a diagnosis: the rules only
suggest when to contact the care team, or a person right now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import pandas as pd

from workbook import scoring
from workbook.analysis import entry_dates

# -- the words shown (quoted in docs/safety.md) --------------------------------------------------

DIP_TITLE = "A harder stretch since your session"
DIP_MESSAGE = (
    "Since your last session, your check-ins show your mood lower than your usual level, or your "
    "anxiety higher, and it has not eased yet. Feeling worse for a little while after a session can "
    "be part of the process, and it does not erase your progress. Your care team still wants to hear "
    "about it: it helps them support you and adjust your plan if needed. Please consider contacting "
    "them today. If you ever feel unsafe, use Get help now."
)
DIP_SOURCE = (
    "Seed 001_3b0f73db7f126e1a.txt: when sadness, anxiety or hopelessness grow after a session and "
    "have not eased after a day or two, reach out to the care team."
)

RISE_TITLE = "Your PHQ-9 went up"
RISE_MESSAGE = (
    "Your PHQ-9 total is clearly higher than at your previous check-in. One questionnaire is a "
    "snapshot of two weeks, not a verdict, and scores do move up and down. A change this size is "
    "still worth sharing with your care team, so please let them know soon rather than waiting for "
    "your next appointment."
)
RISE_SOURCE = (
    "PHQ-9 (Kroenke, Spitzer & Williams 2001), whose severity ranges are 5 points wide; seed "
    "000_13870a73a02eb9df.txt: tell your provider promptly when symptoms come back."
)

SEVERE_TITLE = "Your PHQ-9 is in its highest range"
SEVERE_MESSAGE = (
    "Your latest PHQ-9 total is between 20 and 27, the highest of the questionnaire's five ranges. "
    "A score is not a diagnosis, but it is a good reason to talk with your care team soon. Please "
    "contact them and share this result. If you ever feel unsafe, use Get help now."
)
SEVERE_SOURCE = (
    "PHQ-9 severity ranges (Kroenke, Spitzer & Williams 2001): a total of 20 to 27 is the top range."
)

ITEM9_TITLE = "Please reach a person now"
ITEM9_MESSAGE = (
    "You answered that thoughts of being better off dead, or of hurting yourself, have come up. "
    "Thank you for being honest about it. Nobody monitors this app, so no one will see this answer. "
    "Please reach a person now: a crisis line, emergency services, your care team or someone you "
    "trust. The crisis resources are shown here, and behind Get help now at the top of every page."
)
ITEM9_SOURCE = (
    "PHQ-9 item 9 (Kroenke, Spitzer & Williams 2001): any answer above 'not at all' is a reason to "
    "reach a person now, not a number to track."
)

# rule -> (title, message, source): everything an Alert can say
TEXTS: dict[str, tuple[str, str, str]] = {
    "item9": (ITEM9_TITLE, ITEM9_MESSAGE, ITEM9_SOURCE),
    "phq9_severe": (SEVERE_TITLE, SEVERE_MESSAGE, SEVERE_SOURCE),
    "phq9_rise": (RISE_TITLE, RISE_MESSAGE, RISE_SOURCE),
    "post_session_dip": (DIP_TITLE, DIP_MESSAGE, DIP_SOURCE),
}
ORDER = tuple(TEXTS)  # the order evaluate() returns alerts in: urgent first
BASELINE_MIN_ENTRIES = 3

# the range each threshold may take (config.yaml, key `safety`)
LIMITS: dict[str, tuple[int, int]] = {
    "mood_drop": (1, 10),
    "anxiety_rise": (1, 10),
    "consecutive_days": (1, 90),
    "window_days": (1, 90),
    "baseline_days": (1, 90),
    "phq9_rise": (1, 27),
}


@dataclass(frozen=True)
class Thresholds:
    """The numbers behind the rules; change them under `safety:` in config.yaml."""

    mood_drop: int = 2  # mood at least this far below baseline
    anxiety_rise: int = 2  # or anxiety at least this far above baseline
    consecutive_days: int = 2  # on this many consecutive check-in days or more
    window_days: int = 7  # days after a session that are checked
    baseline_days: int = 14  # days before the session that make the baseline
    phq9_rise: int = 5  # PHQ-9 up this much since the last check-in

    def __post_init__(self) -> None:
        for name, (low, high) in LIMITS.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValueError(
                    f"safety.{name}: expected a whole number from {low} to {high}, got {value!r}."
                )
        if self.consecutive_days > self.window_days:
            raise ValueError(
                f"safety.consecutive_days: {self.consecutive_days} is more than safety.window_days "
                f"({self.window_days}), so the rule could never apply."
            )

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | None) -> Thresholds:
        """Thresholds from the `safety` section of config.yaml; unknown keys are ignored."""
        section = (config or {}).get("safety")
        if section is None:
            return cls()
        if not isinstance(section, Mapping):
            raise ValueError(f"safety: expected a section of settings (key: value), got {section!r}.")
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in section.items() if key in known})


@dataclass(frozen=True)
class Alert:
    """One reason to reach out: what to show, and where the rule comes from."""

    rule: str  # "post_session_dip" | "phq9_rise" | "phq9_severe" | "item9"
    title: str  # short, calm
    message: str  # supportive, plain, never diagnostic
    source: str  # one line: where the rule comes from
    urgent: bool  # True only for item9


def _alert(rule: str) -> Alert:
    title, message, source = TEXTS[rule]
    return Alert(rule=rule, title=title, message=message, source=source, urgent=rule == "item9")


# -- helpers ---------------------------------------------------------------------------------------


def _usable(frame: pd.DataFrame | None, *columns: str) -> bool:
    return frame is not None and not frame.empty and all(c in frame.columns for c in columns)


def _numbers(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column as float64 with NaN for missing or unreadable values (all NaN if absent)."""
    if column not in frame.columns:
        return pd.Series(float("nan"), index=frame.index, dtype="float64")
    return pd.to_numeric(frame[column].astype(object), errors="coerce").astype("float64")


def _oldest_first(checkins: pd.DataFrame) -> pd.DataFrame:
    """Check-ins in the order they were made (the moment, across time-zone offsets), else row order."""
    if "created_at" not in checkins.columns:
        return checkins
    when = pd.to_datetime(checkins["created_at"].astype(str), utc=True, errors="coerce", format="ISO8601")
    return checkins.assign(_when=when).sort_values("_when", kind="stable", na_position="first")


def _phq9_scores(checkins: pd.DataFrame | None, last: int = 2) -> list[scoring.Score]:
    """The `last` fully answered PHQ-9s, oldest first; rows with unreadable answers are skipped."""
    if not _usable(checkins):
        return []
    ordered = _oldest_first(checkins)
    answers = pd.concat([_numbers(ordered, item) for item in scoring.PHQ9_ITEMS], axis=1)
    complete = answers.isin([0.0, 1.0, 2.0, 3.0]).all(axis=1)  # NaN, 2.5 or 7: not a full PHQ-9
    return [scoring.phq9([int(v) for v in row])
            for row in answers[complete].tail(last).itertuples(index=False, name=None)]


def _answer(value: Any) -> float | None:
    """An item's answer as a number, or None when it is not answered (or not a number)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        if pd.isna(value):
            return None
        return float(value)
    except (TypeError, ValueError):
        return None


# -- the rules -------------------------------------------------------------------------------------


def _latest_session(sessions: pd.DataFrame, today: dt.date, window_days: int) -> pd.Series | None:
    """The most recent session whose day is within `window_days` days before today (or today)."""
    at = sessions["session_at"].astype(str)
    day = pd.to_datetime(at.str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    start = pd.Timestamp(today - dt.timedelta(days=window_days))
    recent = sessions.assign(_at=at, _day=day)
    recent = recent[(recent["_day"] >= start) & (recent["_day"] <= pd.Timestamp(today))]
    if recent.empty:
        return None
    return recent.sort_values("_at", kind="stable").iloc[-1]


def post_session_dip(
    mood: pd.DataFrame | None,
    sessions: pd.DataFrame | None,
    today: dt.date | None = None,
    thresholds: Thresholds = Thresholds(),
) -> Alert | None:
    """A dip in mood (or rise in anxiety) after the latest session that lasts and is not easing."""
    t = thresholds
    today = today or dt.date.today()
    if isinstance(today, dt.datetime):
        today = today.date()
    if not _usable(mood, "created_at", "mood") or not _usable(sessions, "session_at"):
        return None
    session = _latest_session(sessions, today, t.window_days)
    if session is None:
        return None
    session_day: pd.Timestamp = session["_day"]

    entries = pd.DataFrame({
        "day": entry_dates(mood["created_at"]),
        "mood": _numbers(mood, "mood"),
        "anxiety": _numbers(mood, "anxiety"),
    })
    before = entries[(entries["day"] >= session_day - pd.Timedelta(days=t.baseline_days))
                     & (entries["day"] < session_day)]
    moods, anxieties = before["mood"].dropna(), before["anxiety"].dropna()
    mood_base = float(moods.mean()) if len(moods) >= BASELINE_MIN_ENTRIES else None
    if mood_base is None:
        mood_base = _answer(session.get("mood_before"))
    anxiety_base = float(anxieties.mean()) if len(anxieties) >= BASELINE_MIN_ENTRIES else None
    if mood_base is None and anxiety_base is None:
        return None

    last_day = min(session_day + pd.Timedelta(days=t.window_days), pd.Timestamp(today))
    after = entries[(entries["day"] > session_day) & (entries["day"] <= last_day)]
    daily = after.groupby("day")[["mood", "anxiety"]].mean().sort_index()
    if daily.empty:
        return None
    low = pd.Series(False, index=daily.index)
    if mood_base is not None:
        low |= (daily["mood"] <= mood_base - t.mood_drop).fillna(False)
    if anxiety_base is not None:
        low |= (daily["anxiety"] >= anxiety_base + t.anxiety_rise).fillna(False)

    latest = daily.index[-1]
    run, day = 0, latest
    while day in low.index and low[day]:
        run += 1
        day -= pd.Timedelta(days=1)
    if run < t.consecutive_days:
        return None
    previous = latest - pd.Timedelta(days=1)
    if previous in daily.index and _better(daily.loc[latest], daily.loc[previous],
                                           mood_base is not None, anxiety_base is not None):
        return None
    return _alert("post_session_dip")


def _better(latest: pd.Series, previous: pd.Series, by_mood: bool, by_anxiety: bool) -> bool:
    """Easing: something improved since the day before and nothing got worse."""
    steps = []
    if by_mood:
        steps.append(latest["mood"] - previous["mood"])
    if by_anxiety:
        steps.append(previous["anxiety"] - latest["anxiety"])
    steps = [s for s in steps if s == s]  # NaN: not rated on one of the two days
    return any(s > 0 for s in steps) and not any(s < 0 for s in steps)


def phq9_rise(checkins: pd.DataFrame | None, thresholds: Thresholds = Thresholds()) -> Alert | None:
    """The latest full PHQ-9 is `phq9_rise` points or more above the previous full one."""
    scores = _phq9_scores(checkins)
    if len(scores) < 2 or scores[-1].total - scores[-2].total < thresholds.phq9_rise:
        return None
    return _alert("phq9_rise")


def phq9_severe(checkins: pd.DataFrame | None) -> Alert | None:
    """The latest full PHQ-9 is in the severe range (20-27)."""
    scores = _phq9_scores(checkins)
    if not scores or scores[-1].severity != "severe":
        return None
    return _alert("phq9_severe")


def item9(record_or_checkins: Mapping[str, Any] | pd.Series | pd.DataFrame | None) -> Alert | None:
    """PHQ-9 item 9 above 0: in one check-in (saved or not) or the latest check-in that answered it."""
    source = record_or_checkins
    if isinstance(source, pd.DataFrame):
        if not _usable(source, "phq9_9"):
            return None
        answered = [v for v in _oldest_first(source)["phq9_9"] if _answer(v) is not None]
        value = answered[-1] if answered else None
    elif isinstance(source, (Mapping, pd.Series)):
        value = source.get("phq9_9")
    else:
        return None
    answer = _answer(value)
    return _alert("item9") if answer is not None and answer > 0 else None


def evaluate(
    mood: pd.DataFrame | None,
    sessions: pd.DataFrame | None,
    checkins: pd.DataFrame | None,
    today: dt.date | None = None,
    thresholds: Thresholds = Thresholds(),
) -> list[Alert]:
    """Every rule that applies now, urgent (item 9) first, then severe, rise and dip."""
    found = [
        item9(checkins),
        phq9_severe(checkins),
        phq9_rise(checkins, thresholds),
        post_session_dip(mood, sessions, today, thresholds),
    ]
    alerts = [a for a in found if a is not None]
    return sorted(alerts, key=lambda a: (not a.urgent, ORDER.index(a.rule)))
