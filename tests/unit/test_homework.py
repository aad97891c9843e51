"""Homework assignments: the file round trip, refusals, installing, and progress at week boundaries."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from workbook import homework, worksheets
from workbook.homework import Assignment, AssignmentError, Item, make_assignment, parse_assignment, progress
from workbook.store import HOMEWORK_DIR, Store

SHEET = worksheets.parse("name: activity\ntitle: Activity log\nfields:\n  - label: What I did\n"
                         "    type: short text\n    required: true\n"
                         "  - label: Enjoyment\n    type: 0-10 scale\n")
MON = dt.date(2026, 3, 2)  # a Monday


def assignment(**changes) -> Assignment:
    base = dict(start=MON, until=MON + dt.timedelta(days=27),
                items=[Item("mood", 7), Item("thought_record", 2, "When the 'I always fail' thought comes"),
                       Item("win", 5), Item(SHEET.kind, 3)],
                note="Be gentle with yourself.\nSee you on the 30th.", therapist="Dr Ana Ruiz",
                client="Sam", worksheet_list=[SHEET])
    base.update(changes)
    return make_assignment(**base)


def raw(**changes) -> dict:
    data = json.loads(assignment().to_json())
    data.update(changes)
    return data


# -- the file -------------------------------------------------------------------------------------
def test_round_trip():
    made = assignment()
    text = made.to_json()
    data = json.loads(text)
    assert data["format"] == "between-sessions-assignment" and data["format_version"] == 1
    assert data["items"][0] == {"kind": "mood", "target_per_week": 7, "prompt": ""}
    assert data["worksheets"][0]["name"] == "activity"
    again = parse_assignment(text.encode("utf-8"))
    assert again == made
    assert again.kinds == ("mood", "thought_record", "win", "ws_activity")
    assert again.worksheet("ws_activity").field("what_i_did").required
    assert again.title("ws_activity") == "Activity log" and again.title("win") == "Small wins"
    assert len(text.encode("utf-8")) < 5_000  # one small file


def test_a_hand_written_file_may_name_a_worksheet_without_its_prefix():
    data = raw(items=[{"kind": "activity", "target_per_week": 2}])
    assert parse_assignment(json.dumps(data)).kinds == ("ws_activity",)


def test_only_worksheets_in_use_travel():
    other = worksheets.parse("title: Unused\nfields:\n  - label: a\n    type: date\n")
    made = assignment(items=[Item("mood", 7), Item(SHEET.kind, 1)], worksheet_list=[SHEET, other])
    assert [w.kind for w in made.worksheets] == [SHEET.kind]


def test_yaml_and_bom_are_read():
    text = ("format: between-sessions-assignment\nformat_version: 1\nstart: 2026-03-02\n"
            "until: 2026-03-29\nitems:\n  - kind: win\n    target_per_week: 5\n")
    got = parse_assignment(("\ufeff" + text).encode("utf-8"))
    assert got.start == MON and got.items == (Item("win", 5),)
    assert got.id  # a file without an id still gets one


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "empty"),
    (b"\x00\x01\xff\xfe", "not a text file"),
    (b"PK\x03\x04rest of a zip", "zip file"),
    (b"x" * (homework.MAX_BYTES + 1), "at most 1 MB"),
    (b"[1, 2, 3]", "not a Between Sessions homework"),
    (b"just words", "not a Between Sessions homework"),
    (b"a: &x [1]\nb: *x\n", "aliases"),
    (json.dumps({"format": "between-sessions-bundle", "format_version": 1}).encode(), "its format is"),
])
def test_not_an_assignment(data, reason):
    with pytest.raises(AssignmentError, match=reason):
        parse_assignment(data)


@pytest.mark.parametrize(("changes", "reason"), [
    ({"format_version": 2}, "format_version 2"),
    ({"format_version": None}, "format_version None"),
    ({"start": "2026-03-30", "until": "2026-03-02"}, "reversed"),
    ({"start": "next week"}, "not a date"),
    ({"until": "2027-06-01"}, "at most 366 days"),
    ({"items": []}, "names no exercises"),
    ({"items": [{"kind": "yoga", "target_per_week": 1}]}, "not one of the workbook's and has no worksheet"),
    ({"items": [{"kind": "ws_activity", "target_per_week": 1}], "worksheets": []}, "has no worksheet"),
    ({"items": [{"kind": "mood", "target_per_week": 7}, {"kind": "mood", "target_per_week": 1}]}, "twice"),
    ({"items": [{"kind": "mood", "target_per_week": -1}]}, "from 0 to 50"),
    ({"items": [{"kind": "mood", "target_per_week": 1.5}]}, "whole number"),
    ({"items": [{"kind": "mood", "target_per_week": True}]}, "whole number"),
    ({"items": [{"kind": "mood"}]}, "whole number"),
    ({"items": ["mood"]}, "not an exercise"),
    ({"note": "x" * 5001}, "longer than 5,000"),
    ({"therapist": ["a"]}, "should be text"),
    ({"worksheets": [{"title": "x", "fields": [{"label": "a", "type": "colour"}]}]}, "unknown type"),
    ({"worksheets": [{"name": "../x", "title": "x", "fields": [{"label": "a", "type": "date"}]}]},
     "may hold only letters"),
    ({"worksheets": "not a list"}, "should be a list"),
])
def test_bad_assignments_are_refused(changes, reason):
    with pytest.raises(AssignmentError, match=reason):
        parse_assignment(json.dumps(raw(**changes)))


# -- the client's side ----------------------------------------------------------------------------
def test_install_adds_worksheets_and_keeps_the_file(store):
    made = assignment()
    got = homework.install(store, made.to_json().encode("utf-8"))
    assert got == made
    assert store.exercise("ws_activity").title == "Activity log"
    assert len(store.assignments()) == 1
    homework.install(store, made.to_json())  # the same file again: kept once
    assert len(store.assignments()) == 1
    fresh = Store(store.data_dir)
    assert "ws_activity" in fresh.catalog
    assert homework.saved_assignments(fresh) == ([made], [])


def test_a_refused_file_keeps_nothing(store):
    with pytest.raises(AssignmentError):
        homework.install(store, json.dumps(raw(format_version=9)))
    assert store.assignments() == []
    assert not (store.data_dir / HOMEWORK_DIR).exists()
    assert "ws_activity" not in store.catalog


def test_several_assignments_and_a_broken_file(store):
    first = assignment()
    second = assignment(start=MON + dt.timedelta(days=28), until=MON + dt.timedelta(days=55))
    homework.install(store, first.to_json())
    homework.install(store, second.to_json())
    (store.data_dir / HOMEWORK_DIR / "zz.json").write_text('{"format": "other"}', encoding="utf-8")
    found, problems = homework.saved_assignments(Store(store.data_dir))
    assert {a.id for a in found} == {first.id, second.id}
    assert len(problems) == 1 and "skipped" in problems[0]


def test_save_assignment_refuses_huge_text(store):
    with pytest.raises(ValueError, match="larger than 1 MB"):
        store.save_assignment("x" * 1_000_001)


# -- progress -------------------------------------------------------------------------------------
def at(day: dt.date, time: str = "09:00", offset: str = "+01:00") -> str:
    return f"{day.isoformat()}T{time}:00{offset}"


def test_weeks_are_monday_based_and_cut_to_the_assignment():
    weeks = homework.weeks_of(dt.date(2026, 3, 5), dt.date(2026, 3, 17))  # Thursday to a Tuesday
    assert weeks == [(dt.date(2026, 3, 5), dt.date(2026, 3, 8)), (dt.date(2026, 3, 9), dt.date(2026, 3, 15)),
                     (dt.date(2026, 3, 16), dt.date(2026, 3, 17))]
    assert homework.week_target(7, *weeks[0]) == 4  # daily, four days
    assert homework.week_target(2, *weeks[0]) == 2
    assert homework.week_target(2, *weeks[2]) == 1
    assert homework.week_target(5, *weeks[1]) == 5
    assert homework.week_target(0, *weeks[1]) == 0


def test_progress_counts_this_week_from_monday(store):
    made = assignment()
    sunday = MON + dt.timedelta(days=6)
    store.add("mood", {"mood": 4, "created_at": at(MON - dt.timedelta(days=1), "23:59")})  # before start
    store.add("mood", {"mood": 5, "created_at": at(sunday, "23:59")})  # last minute of week 1
    store.add("mood", {"mood": 6, "created_at": at(sunday + dt.timedelta(days=1), "00:00")})  # week 2 starts
    store.add("mood", {"mood": 6, "created_at": at(sunday + dt.timedelta(days=2), "23:30", "-08:00")})
    store.add("win", {"description": "after the end", "created_at": at(made.until + dt.timedelta(days=1))})
    store.save_draft("thought_record", {"situation": "started", "created_at": at(MON + dt.timedelta(days=8))})
    store.add("thought_record", {"situation": "done", "created_at": at(MON + dt.timedelta(days=8))})
    today = MON + dt.timedelta(days=9)  # Wednesday of week 2
    got = {p.kind: p for p in progress(made, store, today)}
    mood = got["mood"]
    assert [w.done for w in mood.weeks] == [1, 2, 0, 0]
    assert (mood.this_week, mood.week_target, mood.due) == (2, 7, sunday + dt.timedelta(days=7))
    assert mood.in_period == 3 and mood.target_so_far == 14 and mood.period_target == 28
    assert not mood.met_this_week
    thought = got["thought_record"]
    assert (thought.this_week, thought.drafts, thought.prompt) == (1, 1, made.items[1].prompt)
    assert got["win"].in_period == 0  # the day after the last day is not counted
    assert got[SHEET.kind].title == "Activity log"
    assert got[SHEET.kind].problem  # the worksheet was never installed in this store


def test_progress_before_the_start_and_after_the_end(store):
    made = assignment()
    store.add("win", {"description": "w", "created_at": at(MON + dt.timedelta(days=3))})
    before = {p.kind: p for p in progress(made, store, MON - dt.timedelta(days=3))}["win"]
    assert (before.this_week, before.week_target, before.due, before.target_so_far) == (0, 0, None, 0)
    after = {p.kind: p for p in progress(made, store, made.until + dt.timedelta(days=10))}["win"]
    assert (after.this_week, after.due, after.in_period, after.target_so_far) == (0, None, 1, 20)
    assert made.finished(made.until + dt.timedelta(days=1)) and not made.finished(made.until)
    assert made.upcoming(MON - dt.timedelta(days=1)) and not made.upcoming(MON)


def test_progress_of_a_met_week_and_a_zero_target(store):
    made = assignment(items=[Item("win", 2), Item("session", 0)], worksheet_list=[])
    for hour in ("08:00", "12:00", "20:00"):
        store.add("win", {"description": "w", "created_at": at(MON, hour)})
    got = {p.kind: p for p in progress(made, store, MON)}
    assert got["win"].this_week == 3 and got["win"].met_this_week
    assert got["session"].week_target == 0 and got["session"].met_this_week


def test_progress_from_frames_says_what_was_not_shared():
    made = assignment()
    frames = {"mood": pd.DataFrame({"id": ["a", "b"], "created_at": [at(MON), "garbage"], "mood": [3, 4]})}
    got = homework.progress_from_frames(made, frames, today=MON)
    assert got[0].this_week == 1 and got[0].problem == ""
    assert all(p.problem == "not in the shared entries" for p in got[1:])
