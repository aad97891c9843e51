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
    "Patient guidance, \"Worsening Depression After Ketamine Therapy? Here's Why\" (5 Nov 2025): "
    "if low mood grows or has not eased after a day or two, contact the care team."
)

RISE_TITLE = "Your PHQ-9 went up"
RISE_MESSAGE = (
    "Your PHQ-9 total is clearly higher than at your previous check-in. One questionnaire is a "
    "snapshot of two weeks, not a verdict, and scores do move up and down. A change this size is "
    "still worth sharing with your care team, so please let them know soon rather than waiting for "
    "your next appointment."
)
RISE_SOURCE = (
    "IAPT Manual (NCCMH 2019): a PHQ-9 rise of 6 points or more is a reliable change; seed "
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

# Item 9, while the answer is recent: the words follow the answer given (1, 2 or 3).
ITEM9_ANSWERS = {1: "several days", 2: "more than half the days", 3: "nearly every day"}
ITEM9_WHO_SEES = (
    "Nobody watches this app, so no one has been alerted. Your answer is saved with your other "
    "entries in your own data folder, and your care team sees it only if you share your check-ins "
    "with them."
)
ITEM9_WHERE_HELP = (
    "The crisis resources are shown here, and behind Get help now at the top of every page."
)
ITEM9_TITLE_TODAY = "Please talk with a person today"
ITEM9_TITLE = "Please reach a person now"
ITEM9_MESSAGE_SEVERAL_DAYS = (
    "You answered that thoughts of being better off dead, or of hurting yourself, came up on "
    "several days in the last two weeks. Thank you for being honest about it. Please tell a person "
    "about these thoughts today: your care team, a crisis line or someone you trust. If the thoughts "
    "grow stronger, or you feel you might act on them, reach a crisis line or emergency services "
    f"now. {ITEM9_WHO_SEES} {ITEM9_WHERE_HELP}"
)
ITEM9_MESSAGE_MORE_THAN_HALF = (
    "You answered that thoughts of being better off dead, or of hurting yourself, came up on more "
    "than half the days in the last two weeks. Thank you for being honest about it. Please reach a "
    "person now: a crisis line, emergency services, your care team or someone you trust. "
    f"{ITEM9_WHO_SEES} {ITEM9_WHERE_HELP}"
)
ITEM9_MESSAGE_NEARLY_EVERY_DAY = (
    "You answered that thoughts of being better off dead, or of hurting yourself, came up nearly "
    "every day in the last two weeks. That is a lot to carry, and you do not have to carry it alone. "
    "Please reach a person now: a crisis line, emergency services, your care team or someone you "
    f"trust. {ITEM9_WHO_SEES} {ITEM9_WHERE_HELP}"
)
ITEM9_SOURCE = (
    "PHQ-9 instructions for use: any item 9 answer above 'not at all' calls for a person to ask "
    "about safety; Simon et al. 2013: risk grows with each step of the answer."
)

RECHECK_TITLE = "A new check-in is due"
RECHECK_MESSAGE = (
    "At your last check-in that asked, you said thoughts of being better off dead, or of hurting "
    "yourself, had come up. That was two weeks ago or more, and the questionnaire only looks back "
    "two weeks, so a new check-in would show how things are now, whenever you feel able. If those "
    "thoughts are with you today, please reach a person: the crisis lines are behind Get help now "
    "at the top of every page, and your care team wants to know."
)
RECHECK_SOURCE = (
    "The PHQ-9 asks about the last 2 weeks, so an item 9 answer older than that is a reason for a "
    "new check-in; the crisis lines stay one click away."
)

# wording key -> (title, message, source): everything an Alert can say. A key's rule is the part
# before any ":" (item 9 has one wording per answer).
TEXTS: dict[str, tuple[str, str, str]] = {
    "item9:1": (ITEM9_TITLE_TODAY, ITEM9_MESSAGE_SEVERAL_DAYS, ITEM9_SOURCE),
    "item9:2": (ITEM9_TITLE, ITEM9_MESSAGE_MORE_THAN_HALF, ITEM9_SOURCE),
    "item9:3": (ITEM9_TITLE, ITEM9_MESSAGE_NEARLY_EVERY_DAY, ITEM9_SOURCE),
    "item9_recheck": (RECHECK_TITLE, RECHECK_MESSAGE, RECHECK_SOURCE),
    "phq9_severe": (SEVERE_TITLE, SEVERE_MESSAGE, SEVERE_SOURCE),
    "phq9_rise": (RISE_TITLE, RISE_MESSAGE, RISE_SOURCE),
    "post_session_dip": (DIP_TITLE, DIP_MESSAGE, DIP_SOURCE),
}
# the order evaluate() returns alerts in: urgent first
ORDER = ("item9", "item9_recheck", "phq9_severe", "phq9_rise", "post_session_dip")
URGENT = ("item9",)
BASELINE_MIN_DAYS = 3  # days with a check-in needed for a usual level
SETTLING_DAYS = 2  # "a day or two" after a session: left out of the usual level when possible
ITEM9_RECENT_DAYS = 14  # the PHQ-9 looks back two weeks: an item 9 answer is "now" for 14 days
MOOD_TOP = ANXIETY_TOP = 10  # the mood check-in's scales run 0-10

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

    mood_drop: int = 2  # a day's mood at least this far below the usual level is low
    anxiety_rise: int = 2  # or its anxiety at least this far above the usual level
    consecutive_days: int = 2  # this many low check-in days in a run (a missed day does not end it)
    window_days: int = 7  # the run starts within this many days after a session
    baseline_days: int = 14  # days before the session that make the usual level
    phq9_rise: int = 6  # PHQ-9 up this much since the last check-in (IAPT reliable change)

    def __post_init__(self) -> None:
        for name, (low, high) in LIMITS.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValueError(
                    f"safety.{name}: expected a whole number from {low} to {high}, got {value!r}."
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

    rule: str  # "item9" | "item9_recheck" | "phq9_severe" | "phq9_rise" | "post_session_dip"
    title: str  # short, calm
    message: str  # supportive, plain, never diagnostic
    source: str  # one line: where the rule comes from
    urgent: bool  # True only for item9 (a recent answer above 0)


def _alert(wording: str) -> Alert:
    title, message, source = TEXTS[wording]
    rule = wording.split(":")[0]
    return Alert(rule=rule, title=title, message=message, source=source, urgent=rule in URGENT)


# -- helpers ---------------------------------------------------------------------------------------


def _usable(frame: pd.DataFrame | None, *columns: str) -> bool:
    return frame is not None and not frame.empty and all(c in frame.columns for c in columns)


def _numbers(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column as float64 with NaN for missing or unreadable values (all NaN if absent)."""
    if column not in frame.columns:
        return pd.Series(float("nan"), index=frame.index, dtype="float64")
    return pd.to_numeric(frame[column].astype(object), errors="coerce").astype("float64")


def _moments(created_at: pd.Series) -> pd.Series:
    return pd.to_datetime(created_at.astype(str), utc=True, errors="coerce", format="ISO8601")


def _oldest_first(checkins: pd.DataFrame) -> pd.DataFrame:
    """Check-ins in the order they were made (the moment, across time-zone offsets), else row order."""
    if "created_at" not in checkins.columns:
        return checkins
    return checkins.assign(_when=_moments(checkins["created_at"])).sort_values(
        "_when", kind="stable", na_position="first")


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


def _as_day(today: dt.date | None) -> pd.Timestamp:
    today = today or dt.date.today()
    if isinstance(today, dt.datetime):
        today = today.date()
    return pd.Timestamp(today)


# -- the dip after a session -----------------------------------------------------------------------


def _daily(mood: pd.DataFrame) -> pd.DataFrame:
    """Mean mood and anxiety of each calendar day (the local date written), oldest first."""
    entries = pd.DataFrame({
        "day": entry_dates(mood["created_at"]),
        "mood": _numbers(mood, "mood"),
        "anxiety": _numbers(mood, "anxiety"),
    }).dropna(subset=["day"])
    entries = entries[entries["mood"].notna() | entries["anxiety"].notna()]
    return entries.groupby("day")[["mood", "anxiety"]].mean().sort_index()


def _session_days(sessions: pd.DataFrame) -> pd.DataFrame:
    """One row per day with a session (from `session_at`, else when it was written), with the
    latest `mood_before` given that day; sorted by day."""
    missing = pd.Series(None, index=sessions.index, dtype="object")
    when = sessions["session_at"] if "session_at" in sessions.columns else missing
    day = pd.to_datetime(when.astype("string").str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    if "created_at" in sessions.columns:
        day = day.fillna(entry_dates(sessions["created_at"]))
    frame = pd.DataFrame({"day": day, "at": when.astype("string").fillna(""),
                          "mood_before": _numbers(sessions, "mood_before")}).dropna(subset=["day"])
    frame = frame.sort_values(["day", "at"], kind="stable")
    before = frame.dropna(subset=["mood_before"]).groupby("day")["mood_before"].last()
    days = pd.DataFrame(index=pd.DatetimeIndex(frame["day"].unique(), name="day"))
    return days.assign(mood_before=before.reindex(days.index))


def usual_level(values: pd.Series, session_day: pd.Timestamp, session_days: pd.Index,
                baseline_days: int) -> float | None:
    """The person's usual level before a session: the median of the daily values in the
    `baseline_days` days before it.

    The days right after an earlier session (its first `SETTLING_DAYS` days) are left out, so a
    twice-weekly schedule does not fill the usual level with post-session dips; if that leaves
    fewer than `BASELINE_MIN_DAYS` days, every day in the span counts. The median, not the mean,
    so one very good or very bad day does not move it. None with too few days.
    """
    span = values[(values.index >= session_day - pd.Timedelta(days=baseline_days))
                  & (values.index < session_day)].dropna()
    settling = {s + pd.Timedelta(days=k) for s in session_days for k in range(1, SETTLING_DAYS + 1)}
    clean = span[~span.index.isin(list(settling))]
    for chosen in (clean, span):
        if len(chosen) >= BASELINE_MIN_DAYS:
            return float(chosen.median())
    return None


def low_line(usual: float | None, step: int, top: int, rising: bool) -> float | None:
    """Where a day counts as low (mood at or below) or high (anxiety at or above), or None.

    The step is `step` points from the usual level, but never more than the room left on the
    scale: with a usual mood of 1, a day at 0 is low. With less than a point of room (a usual mood
    under 1), the scale cannot show a change and there is no line.
    """
    if usual is None:
        return None
    room = top - usual if rising else usual
    needed = min(float(step), room)
    if needed < 1:
        return None
    return usual + needed if rising else usual - needed


def post_session_dip(
    mood: pd.DataFrame | None,
    sessions: pd.DataFrame | None,
    today: dt.date | None = None,
    thresholds: Thresholds = Thresholds(),
) -> Alert | None:
    """A dip in mood (or rise in anxiety) after a session that has lasted and not come back near
    the usual level; the steps are in docs/safety.md, rule 5."""
    t = thresholds
    day_today = _as_day(today)
    if not _usable(mood, "created_at") or not _usable(sessions):
        return None
    daily = _daily(mood)
    daily = daily[daily.index <= day_today]
    held = _session_days(sessions)
    held = held[held.index <= day_today]
    if daily.empty or held.empty:
        return None
    latest = daily.index[-1]
    if latest < day_today - pd.Timedelta(days=t.window_days):
        return None  # no check-in for longer than the window: nothing says how things are now
    for session_day in reversed(held.index[held.index < latest]):
        mood_usual = usual_level(daily["mood"], session_day, held.index, t.baseline_days)
        if mood_usual is None:
            mood_usual = _answer(held.at[session_day, "mood_before"])
        mood_line = low_line(mood_usual, t.mood_drop, MOOD_TOP, rising=False)
        anxiety_line = low_line(usual_level(daily["anxiety"], session_day, held.index, t.baseline_days),
                                t.anxiety_rise, ANXIETY_TOP, rising=True)
        if mood_line is None and anxiety_line is None:
            continue  # no usual level for this session: the dip may have begun after an earlier one
        after = daily[daily.index > session_day]
        low = pd.Series(False, index=after.index)
        if mood_line is not None:
            low |= (after["mood"] <= mood_line).fillna(False)
        if anxiety_line is not None:
            low |= (after["anxiety"] >= anxiety_line).fillna(False)
        run = 0  # low check-in days back from the latest; a day without a check-in does not end it
        for is_low in reversed(low.to_list()):
            if not is_low:
                break
            run += 1
        if run == 0:
            return None  # the latest check-in is back near the usual level: eased
        started = low.index[-run]
        if run >= t.consecutive_days and started - session_day <= pd.Timedelta(days=t.window_days):
            return _alert("post_session_dip")
        if run < len(low):
            return None  # a day near the usual level came first: this dip started after it
        # every check-in since this session is low: the dip may have begun after the one before
    return None


# -- the PHQ-9 rules -------------------------------------------------------------------------------


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


def item9(record_or_checkins: Mapping[str, Any] | pd.Series | pd.DataFrame | None,
          today: dt.date | None = None) -> Alert | None:
    """PHQ-9 item 9 above 0, in one check-in (saved or not) or the latest check-in that answered it.

    Urgent, in words graded by the answer, while that check-in is less than `ITEM9_RECENT_DAYS`
    old (a record not yet saved is now); after that a calm `item9_recheck`: a new check-in is due.
    """
    source, when = record_or_checkins, None
    if isinstance(source, pd.DataFrame):
        if not _usable(source, "phq9_9"):
            return None
        ordered = _oldest_first(source)
        answered = ordered[[_answer(v) is not None for v in ordered["phq9_9"]]]
        if answered.empty:
            return None
        value = answered["phq9_9"].iloc[-1]
        if "created_at" in answered.columns:
            when = entry_dates(answered["created_at"].iloc[-1:]).iloc[0]
    elif isinstance(source, (Mapping, pd.Series)):
        value = source.get("phq9_9")
        if source.get("created_at") is not None and source.get("id") is not None:  # a saved row
            when = entry_dates(pd.Series([source.get("created_at")])).iloc[0]
    else:
        return None
    answer = _answer(value)
    if answer is None or answer <= 0:
        return None
    if when is not None and not pd.isna(when) and (
            _as_day(today) - when >= pd.Timedelta(days=ITEM9_RECENT_DAYS)):
        return _alert("item9_recheck")
    return _alert(f"item9:{min(3, max(1, round(answer)))}")


def evaluate(
    mood: pd.DataFrame | None,
    sessions: pd.DataFrame | None,
    checkins: pd.DataFrame | None,
    today: dt.date | None = None,
    thresholds: Thresholds = Thresholds(),
) -> list[Alert]:
    """Every rule that applies now, urgent (a recent item 9) first, then the order of ORDER."""
    found = [
        item9(checkins, today),
        phq9_severe(checkins),
        phq9_rise(checkins, thresholds),
        post_session_dip(mood, sessions, today, thresholds),
    ]
    alerts = [a for a in found if a is not None]
    return sorted(alerts, key=lambda a: (not a.urgent, ORDER.index(a.rule)))
