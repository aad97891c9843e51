"""When to reach out: the safety rules, as pure functions on the saved entries. No I/O, no widgets.

Every title and message an alert can show is a constant in this module and is quoted word for
word in docs/safety.md (a unit test checks this). Nothing here is a diagnosis: the rules only
suggest when to contact the care team, or a person right now.

Why this module is over 400 lines: each rule is a short pure function over the same row helpers
(`_rows`, `_daily`, `_mean`, ...), and about a hundred lines are the alerts' words and sources at
the top; parting them would spread one safety check, and what it says, over several files.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from workbook import scoring

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


# -- entries as plain rows ---------------------------------------------------------------------------
# The rules run on every save, so they are plain Python: no pandas on the save path. They take
# what `Store.records` returns (a list of dicts) or what `Store.load` returns (a DataFrame, read
# through its own `to_dict`), with identical results.

Row = Mapping[str, Any]
Entries = Any  # a DataFrame, a list of row dicts, or None


def _rows(entries: Entries) -> list[Row] | None:
    """The entries as a list of rows, or None when there are none."""
    if entries is None:
        return None
    if hasattr(entries, "columns") and hasattr(entries, "to_dict"):  # a DataFrame
        columns = list(entries.columns)
        rows = entries.to_dict("records")
        if not rows:
            return None
        return [_Row(row, columns) for row in rows]
    rows = list(entries)
    return rows or None


class _Row(dict):
    """A DataFrame row: every column is a key, even when a list of rows would leave it out."""

    def __init__(self, row: Mapping[str, Any], columns: list[str]) -> None:
        super().__init__({c: row.get(c) for c in columns})


def _has(rows: list[Row] | None, *columns: str) -> bool:
    """Some entries, and every column named (rows from a frame all have the same keys)."""
    return bool(rows) and all(any(c in row for row in rows) for c in columns)


def _answer(value: Any) -> float | None:
    """An item's answer as a number, or None when it is not answered (or not a number)."""
    if value is None or isinstance(value, bool) or scoring.is_missing(value):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number


def _moment(created_at: Any) -> dt.datetime | None:
    """When an entry was made, as a moment in UTC (a time without an offset is taken as UTC)."""
    text = str(created_at).strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc)


def entry_day(created_at: Any) -> dt.date | None:
    """The calendar day an entry was made as the person lived it: the local date written."""
    try:
        return dt.date.fromisoformat(str(created_at)[:10])
    except ValueError:
        return None


def _oldest_first(rows: list[Row]) -> list[Row]:
    """Entries in the order they were made (the moment, across time-zone offsets), else row order;
    an entry without a readable moment comes first."""
    if not any("created_at" in row for row in rows):
        return list(rows)
    keyed = [(_moment(row.get("created_at")), i, row) for i, row in enumerate(rows)]
    undated = [row for moment, _, row in keyed if moment is None]
    dated = sorted(((m, i, r) for m, i, r in keyed if m is not None), key=lambda item: (item[0], item[1]))
    return undated + [row for _, _, row in dated]


def _phq9_scores(checkins: Entries, last: int = 2) -> list[scoring.Score]:
    """The `last` fully answered PHQ-9s, oldest first; rows with unreadable answers are skipped."""
    rows = _rows(checkins)
    if not rows:
        return []
    complete = []
    for row in _oldest_first(rows):
        answers = [_answer(row.get(item)) for item in scoring.PHQ9_ITEMS]
        if all(a in (0.0, 1.0, 2.0, 3.0) for a in answers):  # None, 2.5 or 7: not a full PHQ-9
            complete.append([int(a) for a in answers])  # type: ignore[arg-type]
    return [scoring.phq9(answers) for answers in complete[-last:]] if last else []


def _as_day(today: dt.date | None) -> dt.date:
    today = today or dt.date.today()
    return today.date() if isinstance(today, dt.datetime) else today


def _day(value: Any) -> dt.date:
    """A date, datetime or pandas Timestamp as a calendar day."""
    return value.date() if isinstance(value, dt.datetime) else value


# -- the dip after a session -----------------------------------------------------------------------


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _daily(mood: list[Row]) -> dict[dt.date, tuple[float | None, float | None]]:
    """Mean mood and anxiety of each calendar day (the local date written), oldest first."""
    days: dict[dt.date, tuple[list[float], list[float]]] = {}
    for row in mood:
        day = entry_day(row.get("created_at"))
        level, anxiety = _answer(row.get("mood")), _answer(row.get("anxiety"))
        if day is None or (level is None and anxiety is None):
            continue
        levels, anxieties = days.setdefault(day, ([], []))
        if level is not None:
            levels.append(level)
        if anxiety is not None:
            anxieties.append(anxiety)
    return {day: (_mean(levels), _mean(anxieties)) for day, (levels, anxieties) in sorted(days.items())}


def _session_days(sessions: list[Row]) -> dict[dt.date, float | None]:
    """Each day with a session (from `session_at`, else when it was written) with the latest
    `mood_before` given that day, oldest first."""
    held = []
    for i, row in enumerate(sessions):
        raw = row.get("session_at")
        at = "" if scoring.is_missing(raw) else str(raw)
        try:
            day = dt.datetime.strptime(at[:10], "%Y-%m-%d").date() if at else None
        except ValueError:
            day = None
        if day is None and "created_at" in row:
            day = entry_day(row.get("created_at"))
        if day is not None:
            held.append((day, at, i, _answer(row.get("mood_before"))))
    held.sort(key=lambda item: (item[0], item[1], item[2]))
    days: dict[dt.date, float | None] = {}
    for day, _, _, before in held:  # the last mood_before given on a day counts
        if before is not None or day not in days:
            days[day] = before
    return days


def usual_level(values: Any, session_day: dt.date, session_days: Any, baseline_days: int) -> float | None:
    """The person's usual level before a session: the median of the daily values in the
    `baseline_days` days before it.

    The days right after an earlier session (its first `SETTLING_DAYS` days) are left out, so a
    twice-weekly schedule does not fill the usual level with post-session dips; if that leaves
    fewer than `BASELINE_MIN_DAYS` days, every day in the span counts. The median, not the mean,
    so one very good or very bad day does not move it. None with too few days.
    `values` maps each day to its value (a dict, or a pandas Series indexed by day).
    """
    session = _day(session_day)
    start = session - dt.timedelta(days=baseline_days)
    span = [(_day(day), _answer(value)) for day, value in values.items()]
    span = [(day, value) for day, value in span if value is not None and start <= day < session]
    settling = {_day(s) + dt.timedelta(days=k) for s in session_days for k in range(1, SETTLING_DAYS + 1)}
    clean = [(day, value) for day, value in span if day not in settling]
    for chosen in (clean, span):
        if len(chosen) >= BASELINE_MIN_DAYS:
            return float(statistics.median(value for _, value in chosen))
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
    mood: Entries,
    sessions: Entries,
    today: dt.date | None = None,
    thresholds: Thresholds = Thresholds(),
) -> Alert | None:
    """A dip in mood (or rise in anxiety) after a session that has lasted and not come back near
    the usual level; the steps are in docs/safety.md, rule 5."""
    t = thresholds
    day_today = _as_day(today)
    mood_rows, session_rows = _rows(mood), _rows(sessions)
    if not _has(mood_rows, "created_at") or not session_rows:
        return None
    daily = {day: values for day, values in _daily(mood_rows).items() if day <= day_today}
    held = {day: before for day, before in _session_days(session_rows).items() if day <= day_today}
    if not daily or not held:
        return None
    days = list(daily)
    latest = days[-1]
    if latest < day_today - dt.timedelta(days=t.window_days):
        return None  # no check-in for longer than the window: nothing says how things are now
    moods = {day: level for day, (level, _) in daily.items()}
    anxieties = {day: anxiety for day, (_, anxiety) in daily.items()}
    for session_day in reversed([day for day in held if day < latest]):
        mood_usual = usual_level(moods, session_day, held, t.baseline_days)
        if mood_usual is None:
            mood_usual = held[session_day]
        mood_line = low_line(mood_usual, t.mood_drop, MOOD_TOP, rising=False)
        anxiety_line = low_line(usual_level(anxieties, session_day, held, t.baseline_days),
                                t.anxiety_rise, ANXIETY_TOP, rising=True)
        if mood_line is None and anxiety_line is None:
            continue  # no usual level for this session: the dip may have begun after an earlier one
        after = [day for day in days if day > session_day]
        low = []
        for day in after:
            level, anxiety = daily[day]
            low.append((mood_line is not None and level is not None and level <= mood_line)
                       or (anxiety_line is not None and anxiety is not None and anxiety >= anxiety_line))
        run = 0  # low check-in days back from the latest; a day without a check-in does not end it
        for is_low in reversed(low):
            if not is_low:
                break
            run += 1
        if run == 0:
            return None  # the latest check-in is back near the usual level: eased
        started = after[-run]
        if run >= t.consecutive_days and started - session_day <= dt.timedelta(days=t.window_days):
            return _alert("post_session_dip")
        if run < len(low):
            return None  # a day near the usual level came first: this dip started after it
        # every check-in since this session is low: the dip may have begun after the one before
    return None


# -- the PHQ-9 rules -------------------------------------------------------------------------------


def phq9_rise(checkins: Entries, thresholds: Thresholds = Thresholds()) -> Alert | None:
    """The latest full PHQ-9 is `phq9_rise` points or more above the previous full one."""
    scores = _phq9_scores(checkins)
    if len(scores) < 2 or scores[-1].total - scores[-2].total < thresholds.phq9_rise:
        return None
    return _alert("phq9_rise")


def phq9_severe(checkins: Entries) -> Alert | None:
    """The latest full PHQ-9 is in the severe range (20-27)."""
    scores = _phq9_scores(checkins)
    if not scores or scores[-1].severity != "severe":
        return None
    return _alert("phq9_severe")


def item9(record_or_checkins: Any, today: dt.date | None = None) -> Alert | None:
    """PHQ-9 item 9 above 0, in one check-in (saved or not) or the latest check-in that answered it.

    Takes one record (a dict, or a row of a DataFrame) or the check-ins (a DataFrame or a list of
    rows). Urgent, in words graded by the answer, while that check-in is less than
    `ITEM9_RECENT_DAYS` old (a record not yet saved is now); after that a calm `item9_recheck`:
    a new check-in is due.
    """
    source, when = record_or_checkins, None
    if source is None:
        return None
    if hasattr(source, "columns") or isinstance(source, (list, tuple)):
        rows = _rows(source)
        if not _has(rows, "phq9_9"):
            return None
        answered = [row for row in _oldest_first(rows) if _answer(row.get("phq9_9")) is not None]
        if not answered:
            return None
        value = answered[-1].get("phq9_9")
        if "created_at" in answered[-1]:
            when = entry_day(answered[-1].get("created_at"))
    elif hasattr(source, "get"):  # one record: a dict or a DataFrame's row
        value = source.get("phq9_9")
        if source.get("created_at") is not None and source.get("id") is not None:  # a saved row
            when = entry_day(source.get("created_at"))
    else:
        return None
    answer = _answer(value)
    if answer is None or answer <= 0:
        return None
    if when is not None and _as_day(today) - when >= dt.timedelta(days=ITEM9_RECENT_DAYS):
        return _alert("item9_recheck")
    return _alert(f"item9:{min(3, max(1, round(answer)))}")


def evaluate(
    mood: Entries,
    sessions: Entries,
    checkins: Entries,
    today: dt.date | None = None,
    thresholds: Thresholds = Thresholds(),
) -> list[Alert]:
    """Every rule that applies now, urgent (a recent item 9) first, then the order of ORDER.

    The entries are DataFrames as `Store.load` returns them, or lists of rows as `Store.records`
    returns them (what the app uses on every save: no pandas needed), or None.
    """
    checkin_rows = _rows(checkins)
    found = [
        item9(checkin_rows or [], today),
        phq9_severe(checkin_rows),
        phq9_rise(checkin_rows, thresholds),
        post_session_dip(mood, sessions, today, thresholds),
    ]
    alerts = [a for a in found if a is not None]
    return sorted(alerts, key=lambda a: (not a.urgent, ORDER.index(a.rule)))
