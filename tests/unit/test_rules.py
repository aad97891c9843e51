"""The "when to reach out" rules on constructed histories, their settings, and their documentation."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest

from workbook import rules
from workbook.rules import Alert, Thresholds

SAFETY_DOC = Path(__file__).resolve().parents[2] / "docs" / "safety.md"
SESSION_AT = "2026-03-10T10:00"  # a session on Tuesday 10 March
BASELINE = {f"2026-03-{d:02d}": 7 for d in range(1, 10)}  # 9 check-ins at 7 before it


def mood_frame(days: dict[str, int | tuple | list], hour: str = "20:00") -> pd.DataFrame:
    """Mood check-ins: {day: mood} or {day: (mood, anxiety)}; a list gives several in one day."""
    rows = []
    for day, value in days.items():
        for item in value if isinstance(value, list) else [value]:
            mood, anxiety = item if isinstance(item, tuple) else (item, None)
            rows.append({"id": f"m{len(rows)}", "created_at": f"{day}T{hour}:00+01:00",
                         "mood": mood, "anxiety": anxiety})
    frame = pd.DataFrame(rows, columns=["id", "created_at", "mood", "anxiety"])
    return frame.astype({"mood": "Int64", "anxiety": "Int64"})


def session_frame(*sessions: str | tuple[str, int | None]) -> pd.DataFrame:
    """Sessions: a session_at string, or (session_at, mood_before)."""
    rows = []
    for item in sessions:
        at, before = item if isinstance(item, tuple) else (item, None)
        rows.append({"id": f"s{len(rows)}", "created_at": f"{at[:10]}T09:00:00+01:00", "status": "complete",
                     "session_at": at, "treatment": "esketamine", "mood_before": before})
    columns = ["id", "created_at", "status", "session_at", "treatment", "mood_before"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({"mood_before": "Int64"})


def checkin_frame(*checkins: dict) -> pd.DataFrame:
    """Check-ins, one a day from 1 March unless a record says its own created_at."""
    columns = ["id", "created_at", *rules.scoring.PHQ9_ITEMS, *rules.scoring.GAD7_ITEMS]
    rows = [{"id": f"c{i}", "created_at": f"2026-03-{i + 1:02d}T08:00:00+01:00", **c}
            for i, c in enumerate(checkins)]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({c: "Int64" for c in columns[2:]})


def phq(total: int, item9: int = 0) -> dict[str, int]:
    """A full PHQ-9 with this total (item 9 as given, the rest filled from item 1)."""
    rest, answers = total - item9, []
    for _ in range(8):
        answers.append(min(3, rest))
        rest -= answers[-1]
    assert rest == 0
    return {f"phq9_{i}": v for i, v in enumerate([*answers, item9], start=1)}


DEFAULTS = Thresholds()


def dip(after: dict, today: str = "2026-03-13", sessions: pd.DataFrame | None = None,
        before: dict | None = None, thresholds: Thresholds = DEFAULTS) -> Alert | None:
    moods = mood_frame({**(BASELINE if before is None else before), **after})
    return rules.post_session_dip(moods, session_frame(SESSION_AT) if sessions is None else sessions,
                                  today=dt.date.fromisoformat(today), thresholds=thresholds)


# -- post_session_dip: the cases it exists for, one row each -----------------------------------

DAY0 = dt.date(2026, 3, 10)  # the session day in the table below


def on(offset: int) -> str:
    """The date `offset` days after DAY0 (negative: before it)."""
    return (DAY0 + dt.timedelta(days=offset)).isoformat()


def history(usual: int | tuple[int, int] | dict[int, int | tuple[int, int]], after: dict[int, object],
            sessions: tuple[int, ...] = (0,),
            mood_before: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check-ins: `usual` every day of the 14 before DAY0 (or {offset: value}), then `after`
    ({offset: mood or (mood, anxiety)}; a day not listed has no check-in). Sessions at the offsets."""
    before = usual if isinstance(usual, dict) else {d: usual for d in range(-14, 0)}
    moods = mood_frame({on(d): v for d, v in sorted({**before, **after}.items())})
    rows = [(f"{on(d)}T10:00", mood_before if d == 0 else None) for d in sessions]
    return moods, session_frame(*rows)


# usual mood 6 for two weeks, unless the row says otherwise; the session is on day 0
TWICE_WEEKLY = (-14, -11, -7, -4, 0)  # Mondays and Thursdays
DIPPING_SCHEDULE = {d: (3 if any(0 < d - s <= 2 for s in TWICE_WEEKLY) else 7) for d in range(-14, 0)}
DIP_CASES = [
    # (why, usual, after, today, sessions, expected)
    ("2 then 3: a one-point uptick still far below a usual 6 is not easing",
     6, {1: 2, 2: 3}, 2, (0,), True),
    ("1, 1, 1, 2: low for four days, a little up on the fourth, still far below usual",
     6, {1: 1, 2: 1, 3: 1, 4: 2}, 4, (0,), True),
    ("2 on days 1, 3 and 5: missed days (often the worst) do not reset the run",
     6, {1: 2, 3: 2, 5: 2}, 5, (0,), True),
    ("2 on days 1 and 3: two low check-ins with a gap are already two low days",
     6, {1: 2, 3: 2}, 3, (0,), True),
    ("low every day to day 10: a dip that began in the week after keeps the note past day 7",
     6, {d: 2 for d in range(1, 11)}, 10, (0,), True),
    ("usual 1, then 0, 0, 0: a drop to the bottom of the scale counts when 2 points do not fit",
     1, {1: 0, 2: 0, 3: 0}, 3, (0,), True),
    ("a dip back near usual by day 2 is the short dip the seeds describe",
     6, {1: 2, 2: 5}, 2, (0,), False),
    ("one low day so far: feeling worse for a day can happen",
     6, {1: 2}, 1, (0,), False),
    ("one low day after an ordinary one: still a single low day",
     6, {1: 6, 2: 2}, 2, (0,), False),
    ("a steady mood", 6, {1: 6, 2: 6, 3: 6}, 3, (0,), False),
    ("a one-point dip is within the usual range", 6, {1: 5, 2: 5}, 2, (0,), False),
    ("usual 0, then 0s: nothing lower is possible, and steady is not a dip",
     0, {1: 0, 2: 0, 3: 0}, 3, (0,), False),
    ("usual 1, one day at 0, the next at 1: eased", 1, {1: 0, 2: 1}, 2, (0,), False),
    ("eased on day 2, low again on day 3: one low day since it eased",
     6, {1: 2, 2: 6, 3: 2}, 3, (0,), False),
    ("eased on day 2, then low on days 3 and 4: a new run",
     6, {1: 2, 2: 6, 3: 2, 4: 2}, 4, (0,), True),
    ("a dip starting on day 8 is not in the week after the session",
     6, {1: 6, 8: 2, 9: 2}, 9, (0,), False),
    ("low on days 1 and 2, nothing since, today day 12: no check-in says how things are now",
     6, {1: 2, 2: 2}, 12, (0,), False),
    ("low on days 1 and 2, nothing since, today day 6: nothing shows it eased",
     6, {1: 2, 2: 2}, 6, (0,), True),
    ("twice weekly, usual 7 but 3 on each of the two days after every session: those days are left "
     "out of the usual level, so 4 and 4 after this session is low",
     DIPPING_SCHEDULE, {1: 4, 2: 4}, 2, TWICE_WEEKLY, True),
    ("twice weekly, a dip that runs across the next session (day 3) keeps counting from day 1",
     6, {1: 2, 2: 2, 4: 2}, 4, (0, 3), True),
    ("twice weekly, one low day after the next session, the dip before it had eased",
     6, {1: 2, 2: 6, 4: 2}, 4, (0, 3), False),
    ("anxiety 3 usually, 6 and 7 after, mood holding at 6: anxiety rising counts",
     (6, 3), {1: (6, 6), 2: (6, 7)}, 2, (0,), True),
    ("anxiety one point up is within the usual range", (6, 3), {1: (6, 4), 2: (6, 4)}, 2, (0,), False),
    ("anxiety high on day 1, back near usual on day 2", (6, 3), {1: (6, 7), 2: (6, 4)}, 2, (0,), False),
    ("mood low on day 1, anxiety high on day 2: two harder days",
     (6, 3), {1: (3, 3), 2: (6, 6)}, 2, (0,), True),
    ("mood back near usual but anxiety still high: not eased",
     (6, 3), {1: (3, 6), 2: (6, 6)}, 2, (0,), True),
    ("usual anxiety 9: a day at 10 is as high as the scale goes",
     (6, 9), {1: (6, 10), 2: (6, 10)}, 2, (0,), True),
    ("the session day itself does not count as a day after it",
     6, {0: 2, 1: 2}, 1, (0,), False),
]


@pytest.mark.parametrize(("why", "usual", "after", "today", "sessions", "expected"), DIP_CASES,
                         ids=[row[0][:60] for row in DIP_CASES])
def test_post_session_dip_cases(why, usual, after, today, sessions, expected):
    moods, held = history(usual, after, sessions)
    alert = rules.post_session_dip(moods, held, today=DAY0 + dt.timedelta(days=today))
    assert (alert is not None) is expected, why
    if alert:
        assert (alert.rule, alert.urgent, alert.title) == ("post_session_dip", False, rules.DIP_TITLE)


def test_the_usual_level_leaves_out_the_days_right_after_earlier_sessions():
    moods, held = history(DIPPING_SCHEDULE, {}, TWICE_WEEKLY)
    daily = moods.assign(day=pd.to_datetime(moods["created_at"].str.slice(0, 10)))
    values = daily.groupby("day")["mood"].mean().astype(float)
    days = pd.DatetimeIndex([pd.Timestamp(on(s)) for s in TWICE_WEEKLY])
    assert (values == 3).sum() > (values == 7).sum()  # most days of the fortnight are post-session dips
    assert rules.usual_level(values, pd.Timestamp(DAY0), days, 14) == 7
    # with only post-session days to go on, they are used rather than nothing
    only_after = values[values == 3]
    assert rules.usual_level(only_after, pd.Timestamp(DAY0), days, 14) == 3


@pytest.mark.parametrize(("usual", "step", "rising", "line"), [
    (6, 2, False, 4), (1, 2, False, 0), (1.5, 2, False, 0), (0.5, 2, False, None), (0, 2, False, None),
    (3, 2, True, 5), (9, 2, True, 10), (9.5, 2, True, None), (None, 2, False, None)])
def test_low_line_never_asks_for_more_than_the_scale_has(usual, step, rising, line):
    assert rules.low_line(usual, step, 10, rising) == line


def test_dip_on_two_consecutive_days_after_a_session_alerts():
    alert = dip({"2026-03-11": 5, "2026-03-12": 5}, today="2026-03-12")  # baseline 7, drop 2: <= 5
    assert alert is not None
    assert (alert.rule, alert.urgent, alert.title) == ("post_session_dip", False, rules.DIP_TITLE)
    assert "part of the process" in alert.message and "care team" in alert.message


@pytest.mark.parametrize(
    "after",
    [
        {"2026-03-11": 4},  # one low day
        {"2026-03-11": 7, "2026-03-12": 4},  # one low day, the latest
        {"2026-03-11": 4, "2026-03-12": 6},  # back above baseline - 2 on the latest day
        {"2026-03-11": 4, "2026-03-12": 4, "2026-03-13": 7},  # eased after two low days
        {"2026-03-11": 6, "2026-03-12": 6},  # a small dip (1 point) is within the usual range
        {},
    ],
)
def test_no_alert_without_a_lasting_dip(after):
    assert dip(after) is None


@pytest.mark.parametrize(
    "after",
    [
        {"2026-03-11": 4, "2026-03-12": 4},  # not better than the day before
        {"2026-03-11": 5, "2026-03-12": 3},  # worse
        {"2026-03-11": 3, "2026-03-12": 4},  # a little better, still far below the usual 7
        {"2026-03-11": 4, "2026-03-13": 4},  # no check-in on the 12th: the run goes on
        {"2026-03-11": 2, "2026-03-12": 7, "2026-03-13": 4, "2026-03-14": 5, "2026-03-15": 5},
        {"2026-03-11": 0, "2026-03-12": 0, "2026-03-13": 0},
    ],
)
def test_lasting_dips_that_are_not_easing_alert(after):
    assert dip(after, today="2026-03-15") is not None


def test_the_session_day_itself_and_days_after_today_do_not_count():
    # The session day is low and so is the 11th: only one low day after the session.
    assert dip({"2026-03-10": 3, "2026-03-11": 4}, today="2026-03-11") is None
    # A check-in dated after "today" is not seen yet.
    assert dip({"2026-03-11": 4, "2026-03-12": 4}, today="2026-03-11") is None
    assert dip({"2026-03-11": 4, "2026-03-12": 4}, today="2026-03-12") is not None


def test_a_day_is_the_mean_of_its_check_ins():
    assert dip({"2026-03-11": [2, 8], "2026-03-12": [5, 5]}) is not None  # means 5 and 5
    assert dip({"2026-03-11": [2, 9], "2026-03-12": [5, 5]}) is None  # 5.5 on the 11th


def test_the_calendar_day_is_the_local_date_written():
    moods = pd.concat([
        mood_frame(BASELINE),
        pd.DataFrame({"id": ["a", "b"],
                      "created_at": ["2026-03-11T23:50:00-08:00", "2026-03-12T00:10:00+09:00"],
                      "mood": pd.array([4, 4], dtype="Int64"),
                      "anxiety": pd.array([None, None], dtype="Int64")}),
    ], ignore_index=True)
    alert = rules.post_session_dip(moods, session_frame(SESSION_AT), today=dt.date(2026, 3, 12))
    assert alert is not None


def test_anxiety_rise_alerts_even_when_mood_holds():
    before = {f"2026-03-{d:02d}": (7, 3) for d in range(1, 10)}
    assert dip({"2026-03-11": (7, 5), "2026-03-12": (7, 6)}, before=before) is not None
    assert dip({"2026-03-11": (7, 4), "2026-03-12": (7, 4)}, before=before) is None  # +1 only
    assert dip({"2026-03-11": (7, 6), "2026-03-12": (7, 4)}, before=before) is None  # back near usual
    assert dip({"2026-03-11": (7, 6), "2026-03-12": (7, 5)}, before=before) is not None  # still 2 above
    assert dip({"2026-03-11": (7, 5), "2026-03-12": (7, None)}, before=before) is None  # not rated


def test_mood_and_anxiety_together():
    before = {f"2026-03-{d:02d}": (7, 3) for d in range(1, 10)}
    # Day 11 low by mood, day 12 by anxiety: two low days in a row.
    assert dip({"2026-03-11": (4, 3), "2026-03-12": (7, 6)}, before=before) is not None
    # Mood better but anxiety worse on the latest day: mixed is not easing.
    assert dip({"2026-03-11": (4, 5), "2026-03-12": (5, 6)}, before=before) is not None
    # Both a little better on the latest day but still far from usual: not eased.
    assert dip({"2026-03-11": (3, 6), "2026-03-12": (4, 5)}, before=before) is not None
    # Both back near usual: eased.
    assert dip({"2026-03-11": (3, 6), "2026-03-12": (6, 4)}, before=before) is None


def test_anxiety_needs_its_own_baseline():
    before = {**BASELINE, "2026-03-08": (7, 2), "2026-03-09": (7, 2)}  # two anxiety ratings only
    assert dip({"2026-03-11": (7, 9), "2026-03-12": (7, 9)}, before=before) is None
    before["2026-03-07"] = (7, 2)  # three
    assert dip({"2026-03-11": (7, 9), "2026-03-12": (7, 9)}, before=before) is not None


@pytest.mark.parametrize(
    ("session_at", "today", "alerts"),
    [
        ("2026-03-10T10:00", "2026-03-12", True),
        ("2026-03-04T10:00", "2026-03-12", True),  # the dip began 7 days after: in the window
        ("2026-03-03T10:00", "2026-03-12", False),  # it began 8 days after: not after the session
        ("2026-03-13T10:00", "2026-03-12", False),  # planned, not yet happened
    ],
)
def test_only_a_session_in_the_window_counts(session_at, today, alerts):
    moods = mood_frame({**{f"2026-02-{d:02d}": 7 for d in range(18, 29)}, "2026-03-01": 7, "2026-03-02": 7,
                        "2026-03-03": 7, "2026-03-11": 4, "2026-03-12": 4})
    result = rules.post_session_dip(moods, session_frame(session_at), today=dt.date.fromisoformat(today))
    assert (result is not None) == alerts


def test_no_session_at_all_means_no_alert():
    assert dip({"2026-03-11": 2, "2026-03-12": 2}, sessions=session_frame()) is None


def test_the_most_recent_session_is_the_one_checked():
    # A dip after the session on the 5th alerts on its own ...
    before = {f"2026-02-{d:02d}": 7 for d in range(20, 29)}
    assert dip({"2026-03-06": 3, "2026-03-07": 3}, sessions=session_frame("2026-03-05T10:00"), before=before,
               today="2026-03-11") is not None
    # ... and a later session (the 11th, no check-ins after it yet) does not show it has eased.
    sessions = session_frame("2026-03-05T10:00", "2026-03-11T18:00")
    assert dip({"2026-03-06": 3, "2026-03-07": 3}, sessions=sessions, before=before,
               today="2026-03-11") is not None
    # A check-in back near the usual level after the later session does.
    assert dip({"2026-03-06": 3, "2026-03-07": 3, "2026-03-12": 7}, sessions=sessions, before=before,
               today="2026-03-12") is None
    # Rows out of order: the same.
    sessions = session_frame("2026-03-11T18:00", "2026-03-05T10:00")
    assert dip({"2026-03-06": 3, "2026-03-07": 3, "2026-03-12": 7}, sessions=sessions, before=before,
               today="2026-03-12") is None


def test_sparse_baseline_falls_back_to_mood_before():
    before = {"2026-03-08": 3, "2026-03-09": 3}  # two check-ins: too few for a baseline
    low = {"2026-03-11": 6, "2026-03-12": 6}
    assert dip(low, before=before, sessions=session_frame((SESSION_AT, 8))) is not None  # 6 <= 8 - 2
    assert dip(low, before=before, sessions=session_frame((SESSION_AT, 7))) is None
    assert dip(low, before=before, sessions=session_frame(SESSION_AT)) is None  # no baseline at all
    # With a full baseline the check-ins win over mood_before.
    assert dip(low, sessions=session_frame((SESSION_AT, 9))) is None


def test_baseline_window_is_baseline_days_before_the_session():
    old = {f"2026-02-{d:02d}": 9 for d in range(1, 20)}  # more than 14 days before: ignored
    assert dip({"2026-03-11": 6, "2026-03-12": 6}, before={**old, **BASELINE}) is None
    assert dip({"2026-03-11": 6, "2026-03-12": 6}, before=old) is None  # nothing in the 14 days
    assert dip({"2026-03-11": 6, "2026-03-12": 6}, before=old,
               thresholds=Thresholds(baseline_days=40)) is not None


def test_thresholds_change_the_dip_rule():
    two_days = {"2026-03-11": 4, "2026-03-12": 4}
    assert dip(two_days, thresholds=Thresholds(consecutive_days=3)) is None
    assert dip({**two_days, "2026-03-13": 4}, thresholds=Thresholds(consecutive_days=3)) is not None
    assert dip(two_days, thresholds=Thresholds(mood_drop=4)) is None
    assert dip({"2026-03-11": 4}, thresholds=Thresholds(consecutive_days=1)) is not None
    late = {"2026-03-11": 7, "2026-03-13": 4, "2026-03-14": 4}  # the dip begins on day 3
    assert dip(late, today="2026-03-14", thresholds=Thresholds(window_days=3)) is not None
    assert dip(late, today="2026-03-14", thresholds=Thresholds(window_days=2)) is None  # began too late
    assert dip(two_days, today="2026-03-15", thresholds=Thresholds(window_days=3)) is not None
    # no check-in for 4 days, more than the window: nothing says how things are now
    assert dip(two_days, today="2026-03-16", thresholds=Thresholds(window_days=3)) is None


def test_dip_from_the_store(store):
    for day in range(1, 10):
        store.add("mood", {"mood": 6, "anxiety": 4, "created_at": f"2026-03-{day:02d}T21:00:00+01:00"})
    store.add("session", {"status": "draft", "session_at": SESSION_AT, "treatment": "tms"})
    for day in (11, 12):
        store.add("mood", {"mood": 3, "created_at": f"2026-03-{day:02d}T21:00:00+01:00"})
    alert = rules.post_session_dip(store.load("mood"), store.load("session"), today=dt.date(2026, 3, 12))
    assert alert is not None and alert.rule == "post_session_dip"


def test_empty_frames_never_alert(store):
    empty_mood, empty_sessions = store.load("mood"), store.load("session")
    moods, sessions = mood_frame({**BASELINE, "2026-03-11": 1, "2026-03-12": 1}), session_frame(SESSION_AT)
    today = dt.date(2026, 3, 12)
    for m, s in [(empty_mood, sessions), (moods, empty_sessions), (empty_mood, empty_sessions),
                 (pd.DataFrame(), pd.DataFrame()), (None, None)]:
        assert rules.post_session_dip(m, s, today=today) is None
    assert rules.post_session_dip(moods, sessions, today=today) is not None
    assert rules.post_session_dip(empty_mood, empty_sessions) is None  # today defaults to the real date


def test_unreadable_values_are_skipped():
    moods = mood_frame({**BASELINE, "2026-03-11": 4, "2026-03-12": 4}).astype({"mood": object})
    moods.loc[len(moods)] = ["x", "not a date", "seven", None]
    sessions = pd.concat([session_frame(SESSION_AT), pd.DataFrame({"id": ["bad"], "session_at": ["soon"]})])
    assert rules.post_session_dip(moods, sessions, today=dt.date(2026, 3, 12)) is not None


# -- PHQ-9 rise and severe range ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("totals", "alerts"),
    [([5, 11], True), ([5, 10], False), ([12, 19], True), ([10, 5], False), ([3, 10, 14], False),
     ([3, 14, 10], False), ([10], False), ([], False)],  # 6 points: the IAPT reliable change
)
def test_phq9_rise(totals, alerts):
    alert = rules.phq9_rise(checkin_frame(*(phq(t) for t in totals)))
    assert (alert is not None) == alerts
    if alert:
        assert (alert.rule, alert.urgent, alert.title) == ("phq9_rise", False, rules.RISE_TITLE)


def test_phq9_rise_compares_full_phq9s_in_time_order():
    gad_only = {f"gad7_{i}": 2 for i in range(1, 8)}
    # A GAD-7-only and a partial PHQ-9 check-in in between are not "the previous PHQ-9".
    frame = checkin_frame(phq(6), gad_only, {"phq9_1": 3, "phq9_9": 0}, phq(12))
    assert rules.phq9_rise(frame) is not None
    # Rows out of order in the file: created_at decides, across offsets.
    frame = checkin_frame(
        {**phq(15), "created_at": "2026-03-02T01:00:00+01:00"},  # 00:00 UTC on the 2nd: later
        {**phq(8), "created_at": "2026-03-01T23:30:00-01:00"},  # 00:30 UTC on the 2nd: latest
        {**phq(14), "created_at": "2026-03-01T08:00:00+00:00"},
    )
    assert rules.phq9_rise(frame) is None  # latest 8 after 15
    assert rules.phq9_rise(frame, Thresholds(phq9_rise=1)) is None


def test_phq9_rise_threshold_from_settings():
    frame = checkin_frame(phq(5), phq(8))
    assert rules.phq9_rise(frame) is None
    assert rules.phq9_rise(checkin_frame(phq(5), phq(10))) is None  # 5 points: within the noise
    assert rules.phq9_rise(frame, Thresholds(phq9_rise=3)) is not None


@pytest.mark.parametrize(("totals", "alerts"), [([20], True), ([27], True), ([19], False), ([22, 12], False),
                                                ([12, 22], True), ([], False)])
def test_phq9_severe_looks_at_the_latest_full_phq9(totals, alerts):
    alert = rules.phq9_severe(checkin_frame(*(phq(t, item9=max(0, t - 24)) for t in totals)))
    assert (alert is not None) == alerts
    if alert:
        assert (alert.rule, alert.urgent, alert.title) == ("phq9_severe", False, rules.SEVERE_TITLE)


def test_phq9_rules_skip_a_hand_edited_row(store):
    frame = checkin_frame(phq(4), phq(21))
    frame = frame.astype({"phq9_1": object})
    frame.loc[len(frame)] = ["odd", "2026-03-09T08:00:00+01:00", "lots", *([1] * 15)]
    assert rules.phq9_severe(frame) is not None and rules.phq9_rise(frame) is not None
    assert rules.phq9_rise(store.load("checkin")) is None and rules.phq9_severe(pd.DataFrame()) is None


# -- item 9 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("record", "alerts"),
    [({"phq9_9": 1}, True), ({"phq9_9": 3}, True), ({"phq9_9": 0}, False), ({}, False),
     ({"phq9_9": None}, False), ({"phq9_9": pd.NA}, False), ({"phq9_9": float("nan")}, False),
     ({**phq(0), "phq9_9": 2}, True), ({"gad7_1": 3}, False), ({"phq9_9": ""}, False)],
)
def test_item9_from_an_unsaved_record(record, alerts):
    alert = rules.item9(record)
    assert (alert is not None) == alerts
    if alert:
        assert (alert.rule, alert.urgent) == ("item9", True)
        assert "Nobody watches this app" in alert.message and "crisis line" in alert.message


def test_item9_from_saved_checkins(store):
    assert rules.item9(store.load("checkin")) is None
    store.add("checkin", {"phq9_9": 1, "created_at": "2026-03-01T08:00:00+01:00"})
    assert rules.item9(store.load("checkin")) is not None
    assert rules.item9(store.load("checkin").iloc[0]) is not None  # a row works like a record
    # A later check-in that skipped item 9 (GAD-7 only) does not hide the answer.
    store.add("checkin", {**{f"gad7_{i}": 1 for i in range(1, 8)}, "created_at": "2026-03-05T08:00:00+01:00"})
    assert rules.item9(store.load("checkin")) is not None
    # A later check-in that answered item 9 with 0 is the latest answer.
    store.add("checkin", {"phq9_9": 0, "created_at": "2026-03-09T08:00:00+01:00"})
    assert rules.item9(store.load("checkin")) is None


def test_item9_latest_answer_by_time_not_row_order():
    frame = checkin_frame({"phq9_9": 2, "created_at": "2026-03-09T08:00:00+01:00"},
                          {"phq9_9": 0, "created_at": "2026-03-02T08:00:00+01:00"})
    assert rules.item9(frame) is not None
    assert rules.item9(None) is None and rules.item9(pd.DataFrame()) is None
    # A frame built without created_at (not from the store) is read in row order, never ignored.
    assert rules.item9(pd.DataFrame({"phq9_9": [0, 1]})) is not None
    assert rules.item9(pd.DataFrame({"phq9_9": [1, None]}, dtype="Int64")) is not None
    assert rules.item9(pd.DataFrame({"phq9_9": [1, None]}, dtype="Int64")).urgent  # no date: now


ITEM9_WORDS = [
    # (answer, title, words the message must say, words it must not say)
    (1, "Please talk with a person today", ["on several days", "today", "If the thoughts grow stronger"],
     ["nearly every day", "more than half"]),
    (2, "Please reach a person now", ["on more than half the days", "Please reach a person now"],
     ["several days", "nearly every day"]),
    (3, "Please reach a person now", ["nearly every day", "Please reach a person now", "not have to carry"],
     ["several days", "more than half"]),
]


@pytest.mark.parametrize(("answer", "title", "says", "never"), ITEM9_WORDS)
def test_item9_words_follow_the_answer_given(answer, title, says, never):
    alert = rules.item9({"phq9_9": answer})
    assert (alert.rule, alert.urgent, alert.title) == ("item9", True, title)
    for words in says:
        assert words in alert.message, words
    for words in never:
        assert words not in alert.message, words
    # who can see it, said truthfully: nobody watches, it is in the person's files, and the care
    # team sees it only through a shared bundle; never "no one will see this answer"
    assert "Nobody watches this app" in alert.message
    assert "your own data folder" in alert.message and "only if you share your check-ins" in alert.message
    assert "no one will see" not in alert.message.lower()
    assert rules.ITEM9_ANSWERS[answer] in alert.message


ITEM9_AGE = [
    # (days since the check-in that answered item 9, rule, urgent, why)
    (0, "item9", True, "answered today"),
    (13, "item9", True, "still inside the two weeks the PHQ-9 asks about"),
    (14, "item9_recheck", False, "two weeks on: a new check-in is due, calmly"),
    (120, "item9_recheck", False, "months later: never an urgent alarm on every save"),
    (-1, "item9", True, "dated after today (a clock ahead): treated as now"),
]


@pytest.mark.parametrize(("age", "rule", "urgent", "why"), ITEM9_AGE)
def test_item9_is_urgent_for_two_weeks_then_asks_for_a_new_check_in(age, rule, urgent, why):
    frame = checkin_frame({**phq(9, item9=2), "created_at": "2026-03-01T08:00:00+01:00"})
    alert = rules.item9(frame, today=dt.date(2026, 3, 1) + dt.timedelta(days=age))
    assert (alert.rule, alert.urgent) == (rule, urgent), why
    if rule == "item9_recheck":
        assert alert.title == rules.RECHECK_TITLE and "new check-in" in alert.message
        assert "Get help now" in alert.message  # where help is, still
    # evaluate shows the same, with the dates it is given
    alerts = rules.evaluate(None, None, frame, today=dt.date(2026, 3, 1) + dt.timedelta(days=age))
    assert [(a.rule, a.urgent) for a in alerts] == [(rule, urgent)]


def test_a_saved_row_counts_its_age_and_a_new_answer_of_0_ends_both():
    frame = checkin_frame({"phq9_9": 1, "created_at": "2026-03-01T08:00:00+01:00"})
    assert rules.item9(frame.iloc[0], today=dt.date(2026, 3, 20)).rule == "item9_recheck"
    assert rules.item9({"phq9_9": 1}, today=dt.date(2026, 3, 20)).rule == "item9"  # unsaved: now
    later = checkin_frame({"phq9_9": 1, "created_at": "2026-03-01T08:00:00+01:00"},
                          {"phq9_9": 0, "created_at": "2026-03-16T08:00:00+01:00"})
    assert rules.item9(later, today=dt.date(2026, 3, 20)) is None
    assert rules.phq9_severe(checkin_frame(phq(22)).drop(columns="created_at")) is not None


# -- thresholds --------------------------------------------------------------------------------


def test_thresholds_defaults():
    assert Thresholds() == Thresholds(mood_drop=2, anxiety_rise=2, consecutive_days=2, window_days=7,
                                      baseline_days=14, phq9_rise=6)


@pytest.mark.parametrize("config", [{}, {"safety": None}, {"safety": {}}, {"theme": "dark"}, None])
def test_thresholds_from_config_without_settings(config):
    assert Thresholds.from_config(config) == Thresholds()


def test_thresholds_from_config_reads_known_keys_and_ignores_the_rest():
    config = {"safety": {"mood_drop": 3, "consecutive_days": 3, "window_days": 10, "baseline_days": 21,
                         "anxiety_rise": 4, "phq9_rise": 6, "colour": "blue"}, "crisis_resources": []}
    assert Thresholds.from_config(config) == Thresholds(3, 4, 3, 10, 21, 6)


@pytest.mark.parametrize(
    ("key", "value"),
    [("mood_drop", "3"), ("mood_drop", 0), ("mood_drop", -1), ("mood_drop", 11), ("mood_drop", 2.5),
     ("anxiety_rise", True), ("consecutive_days", 0), ("window_days", None), ("baseline_days", [14]),
     ("phq9_rise", 28), ("phq9_rise", 3.0)],
)
def test_thresholds_from_config_bad_value_names_the_key(key, value):
    with pytest.raises(ValueError, match=f"safety.{key}"):
        Thresholds.from_config({"safety": {key: value}})


def test_thresholds_refuse_a_section_that_is_not_settings():
    # more low days than the window is fine now: the run may go on past the window
    assert Thresholds.from_config({"safety": {"consecutive_days": 5, "window_days": 3}}).consecutive_days == 5
    with pytest.raises(ValueError, match="safety"):
        Thresholds.from_config({"safety": ["mood_drop", 2]})


def test_thresholds_and_alerts_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Thresholds().mood_drop = 5  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        rules.item9({"phq9_9": 1}).urgent = False  # type: ignore[union-attr]


# -- evaluate ----------------------------------------------------------------------------------


def everything() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    moods = mood_frame({**BASELINE, "2026-03-11": 3, "2026-03-12": 3})
    checkins = checkin_frame(phq(12), phq(22, item9=1))
    return moods, session_frame(SESSION_AT), checkins


def test_evaluate_returns_every_alert_urgent_first():
    moods, sessions, checkins = everything()
    alerts = rules.evaluate(moods, sessions, checkins, today=dt.date(2026, 3, 12))
    assert [a.rule for a in alerts] == ["item9", "phq9_severe", "phq9_rise", "post_session_dip"]
    assert [a.urgent for a in alerts] == [True, False, False, False]


def test_evaluate_returns_only_what_applies():
    moods, sessions, checkins = everything()
    assert [a.rule for a in rules.evaluate(moods, sessions, checkin_frame(phq(12), phq(18)),
                                           today=dt.date(2026, 3, 12))] == ["phq9_rise", "post_session_dip"]
    assert [a.rule for a in rules.evaluate(moods, sessions, checkins, today=dt.date(2026, 3, 30))] == [
        "item9_recheck", "phq9_severe", "phq9_rise"]  # item 9 answered 28 days before
    assert rules.evaluate(moods, sessions, checkin_frame(phq(3)), today=dt.date(2026, 3, 12),
                          thresholds=Thresholds(mood_drop=4))[0].rule == "post_session_dip"  # 3 <= 7 - 4
    assert rules.evaluate(moods, sessions, checkin_frame(phq(3)), today=dt.date(2026, 3, 12),
                          thresholds=Thresholds(mood_drop=5)) == []


def test_evaluate_on_empty_data(store):
    assert rules.evaluate(store.load("mood"), store.load("session"), store.load("checkin")) == []
    assert rules.evaluate(pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), today=dt.date(2026, 1, 1)) == []
    assert rules.evaluate(None, None, None) == []


# -- the words, and their documentation --------------------------------------------------------


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_every_alert_says_what_rules_texts_says():
    moods, sessions, checkins = everything()
    for today in (dt.date(2026, 3, 12), dt.date(2026, 3, 30)):
        for alert in rules.evaluate(moods, sessions, checkins, today=today):
            assert (alert.title, alert.message, alert.source) in rules.TEXTS.values()
    assert {key.split(":")[0] for key in rules.TEXTS} == set(rules.ORDER)


def test_every_constant_text_is_one_that_alerts_use():
    constants = {v for k, v in vars(rules).items()
                 if k.endswith(("_TITLE", "_SOURCE", "_TODAY")) or "_MESSAGE" in k}
    assert constants == {text for texts in rules.TEXTS.values() for text in texts}


def test_every_title_message_and_source_is_in_the_safety_doc():
    doc = flat(SAFETY_DOC.read_text(encoding="utf-8"))
    for rule, texts in rules.TEXTS.items():
        for text in texts:
            assert flat(text) in doc, f"{rule}: not quoted word for word in docs/safety.md: {text!r}"


def test_the_safety_doc_lists_every_setting_with_its_default():
    doc = SAFETY_DOC.read_text(encoding="utf-8")
    for field in dataclasses.fields(Thresholds):
        assert re.search(rf"\b{field.name}: {field.default}\b", doc), field.name


def test_texts_are_calm_and_never_diagnostic():
    for title, message, source in rules.TEXTS.values():
        assert len(title) <= 40 and "!" not in title + message
        assert "\n" not in source and len(source) <= 200
        said = message.lower().replace("not a diagnosis", "")
        for word in ("you have", "diagnos", "disorder", "relapse", "failure", "failing", "worse off"):
            assert word not in said, (word, message)
