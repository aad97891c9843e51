"""Therapist-written worksheets: parsing, refusals with their line, and life in the Store."""

from __future__ import annotations

import dataclasses
import json
import os

import pytest

from workbook import exercises, worksheets
from workbook.exercises import FieldError
from workbook.store import WORKSHEETS_DIR, Store
from workbook.worksheets import WorksheetError, parse

ACTIVITY = """\
# a behavioural activation worksheet
name: activity plan
title: Activity planning
intro: Plan one small thing.
fields:
  - label: What I plan to do
    type: short text
    required: true
  - label: How it went
    type: long text
    help: A sentence is plenty.
  - name: enjoyment
    label: Enjoyment
    type: 0-10 scale
  - label: Sense of achievement
    type: 0-100 scale
  - label: With whom
    type: choice
    options: [alone, with someone]
  - label: Where
    type: multiple choice
    options: [home, outside, work]
  - label: When
    type: date
  - label: Minutes
    type: number
    min: 0
    max: 600
"""


def one_field(spec: str) -> str:
    return "title: Check\nfields:\n  - " + spec.strip().replace("\n", "\n    ") + "\n"


# -- good definitions -----------------------------------------------------------------------------
def test_every_field_type_from_yaml():
    exercise = parse(ACTIVITY)
    assert exercise.kind == "ws_activity_plan"
    assert exercise.title == exercise.nav == "Activity planning"
    assert exercise.intro == "Plan one small thing."
    got = {f.name: (f.type, f.min, f.max, f.required) for f in exercise.fields}
    assert got == {
        "what_i_plan_to_do": ("short_text", None, None, True),
        "how_it_went": ("long_text", None, None, False),
        "enjoyment": ("scale", 0, 10, False),
        "sense_of_achievement": ("scale", 0, 100, False),
        "with_whom": ("choice", None, None, False),
        "where": ("multi_choice", None, None, False),
        "when": ("date", None, None, False),
        "minutes": ("number", 0, 600, False),
    }
    assert exercise.field("where").option_keys() == ("home", "outside", "work")
    assert exercise.field("how_it_went").help == "A sentence is plenty."
    assert exercise.columns[:3] == ("id", "created_at", "updated_at")


@pytest.mark.parametrize(("spec", "ftype", "lo", "hi"), [
    ("label: A\ntype: short text", "short_text", None, None),
    ("label: A\ntype: short_text", "short_text", None, None),
    ("label: A\ntype: Long Text", "long_text", None, None),
    ("label: A\ntype: 0-10 scale", "scale", 0, 10),
    ("label: A\ntype: 0–10 scale", "scale", 0, 10),
    ("label: A\ntype: scale 0-100", "scale", 0, 100),
    ("label: A\ntype: scale\nmin: 1\nmax: 7", "scale", 1, 7),
    ("label: A\ntype: choice\noptions: [x, y]", "choice", None, None),
    ("label: A\ntype: multiple choice\noptions: [x, y]", "multi_choice", None, None),
    ("label: A\ntype: multi_choice\noptions: [x]", "multi_choice", None, None),
    ("label: A\ntype: date", "date", None, None),
    ("label: A\ntype: number", "number", None, None),
    ("label: A\ntype: number\nmin: -5.5", "number", -5.5, None),
])
def test_field_types(spec, ftype, lo, hi):
    field = parse(one_field(spec)).fields[0]
    assert (field.type, field.min, field.max) == (ftype, lo, hi)


def test_json_definition():
    text = json.dumps({"title": "Sleep diary", "fields": [
        {"label": "Went to bed", "type": "date", "required": True},
        {"label": "Quality", "type": "0-10 scale"}]}, indent=2)
    exercise = parse(text, filename="sleep.json")
    assert exercise.kind == "ws_sleep_diary"
    assert [f.type for f in exercise.fields] == ["date", "scale"]


@pytest.mark.parametrize(("head", "kind"), [
    ("title: Gefühle heute", "ws_gefuhle_heute"),
    ("name: Mood-Log 2\ntitle: x", "ws_mood_log_2"),
    ("kind: mood\ntitle: x", "ws_mood"),  # never a built-in's kind
    ("kind: ws_sleep\ntitle: x", "ws_sleep"),
    ("title: " + "long " * 20, "ws_" + ("long_" * 8)[:37].strip("_")),
])
def test_kind_is_safe_and_prefixed(head, kind):
    exercise = parse(head + "\nfields:\n  - label: A\n    type: date\n")
    assert exercise.kind == kind
    assert len(exercise.kind) <= worksheets.MAX_KIND
    assert worksheets.KIND_PATTERN.fullmatch(exercise.kind)
    assert exercise.kind not in exercises.kinds()


def test_round_trip_through_a_description():
    exercise = parse(ACTIVITY)
    again = parse(worksheets.to_yaml(worksheets.to_definition(exercise)))
    assert dataclasses.replace(again, source=exercise.source) == exercise


def test_a_worksheet_validates_like_any_exercise():
    exercise = parse(ACTIVITY)
    cleaned = exercise.validate({"what_i_plan_to_do": "walk", "enjoyment": "7", "where": ["home"],
                                 "when": "2026-03-02", "minutes": "20,5"})
    assert cleaned["enjoyment"] == 7 and cleaned["minutes"] == 20.5 and cleaned["where"] == ["home"]
    with pytest.raises(FieldError, match="what_i_plan_to_do"):
        exercise.validate({"how_it_went": "fine"})
    with pytest.raises(FieldError, match="with_whom"):
        exercise.validate({"what_i_plan_to_do": "walk", "with_whom": "a crowd"})
    with pytest.raises(FieldError, match="enjoyment"):
        exercise.validate({"what_i_plan_to_do": "walk", "enjoyment": 11})
    with pytest.raises(FieldError, match="longer than 1000"):
        exercise.validate({"what_i_plan_to_do": "x" * 1001})


# -- refused, with the line -----------------------------------------------------------------------
@pytest.mark.parametrize(("text", "line", "reason"), [
    ("title: x\nfields:\n  - label: a\n    type: short text\n   oops: [\n", 5, "not valid YAML"),
    ("title: x\nfields: [\n", 3, "not valid YAML"),
    ("title: x\nfields:\n  - label: a\n    type: colour\n", 4, "unknown type 'colour'"),
    ("title: x\nfields:\n  - label: a\n    type: scale\n", 4, "needs its range"),
    ("title: x\nfields:\n  - label: a\n    type: scale\n    min: 0\n", 3, "needs its range"),
    ("title: x\nfields:\n  - label: a\n    type: scale\n    min: 5\n    max: 5\n", 6, "below max"),
    ("title: x\nfields:\n  - label: a\n    type: scale\n    min: 0\n    max: 1000\n", 6, "at most 100"),
    ("title: x\nfields:\n  - label: a\n    type: 0-10 scale\n    max: 7\n", 5, "goes from 0 to 10"),
    ("title: x\nfields:\n  - label: a\n    type: date\n  - label: b\n    type: date\n"
     "  - name: a\n    type: number\n", 7, "'a' is used twice (first on line 3)"),
    ("name: ../x\ntitle: x\nfields:\n  - label: a\n    type: date\n", 1, "may hold only letters"),
    ("kind: ../../etc/passwd\ntitle: x\nfields:\n  - label: a\n    type: date\n", 1, "lower-case"),
    ("title: x\nfields:\n  - label: a\n    type: date\n  - name: ../x\n    type: date\n", 5,
     "field 2: the field name '../x'"),
    ("title: x\nfields:\n  - name: id\n    type: date\n", 3, "app's own column"),
    ("title: x\nfields:\n  - label: a\n    type: choice\n", 3, "needs options"),
    ("title: x\nfields:\n  - label: a\n    type: choice\n    options: [x, x]\n", 5, "given twice"),
    ("title: x\nfields:\n  - label: a\n    type: date\n    options: [x]\n", 5, "only choice fields"),
    ("title: x\nfields:\n  - label: a\n    type: short text\n    min: 1\n", 5, "only scale and number"),
    ("title: x\nfields:\n  - label: a\n    type: date\n    required: maybe\n", 5, "true or false"),
    ("title: x\nfields:\n  - label: a\n    type: date\n    requried: true\n", 5, "unknown key 'requried'"),
    ("title: x\nfeilds:\n  - label: a\n", 2, "unknown key 'feilds'"),
    ("title: x\nfields: []\n", 2, "needs fields"),
    ("title: x\nfields:\n  - just a string\n", 3, "set of keys"),
    ("title: x\nfields:\n  - type: date\n", 3, "needs a label"),
    ("intro: no title\nfields:\n  - label: a\n    type: date\n", 1, "needs a title"),
    ("title: x\ntitle: y\nfields:\n  - label: a\n    type: date\n", 2, "'title' is given twice"),
    ("a: &x [1, 2]\nb: *x\n", 2, "aliases"),
    ("- a\n- b\n", 1, "set of keys"),
    ("", 1, "empty"),
    ('{"title": "x",\n "fields": [\n  {"label": "a", "type": "wat"}\n ]}', 3, "unknown type"),
])
def test_bad_definitions_are_refused_with_line_and_reason(text, line, reason):
    with pytest.raises(WorksheetError) as caught:
        parse(text, filename="mine.yaml")
    assert caught.value.line == line, str(caught.value)
    assert reason in caught.value.reason
    assert str(caught.value).startswith(f"mine.yaml, line {line}: ")


@pytest.mark.parametrize(("text", "line", "reason"), [
    # a trailing comma: its own line, the same on every Python (3.13's json names it at the
    # comma, older versions at the bracket on the next line)
    ('{"title": "x",\n "fields": [\n  {"label": "a", "type": "date"},\n ]}', 3,
     "a comma before the closing ]"),
    ('{"title": "x",\n "fields": [{"label": "a", "type": "date"}],\n\n}', 2, "a comma before the closing }"),
    ('{"title": "x",\n "fields": [\n  {"label": "a" "type": "date"}\n ]}', 3, "Expecting ',' delimiter"),
])
def test_json_syntax_error_has_its_line(text, line, reason):
    with pytest.raises(WorksheetError) as caught:
        parse(text, filename="w.json")
    assert caught.value.line == line
    assert "not valid JSON" in caught.value.reason and reason in caught.value.reason


def test_too_big_and_not_text():
    with pytest.raises(WorksheetError, match="larger than"):
        parse("title: x\n" + "#" * worksheets.MAX_BYTES)
    with pytest.raises(WorksheetError, match="not a text file"):
        parse(b"\xff\xfe\x00bad")


# -- in the Store ---------------------------------------------------------------------------------
def test_install_add_and_load(store):
    exercise = store.install_worksheet(ACTIVITY)
    assert exercise.kind in store.catalog
    path = store.data_dir / WORKSHEETS_DIR / f"{exercise.kind}.yaml"
    assert path.read_text(encoding="utf-8") == ACTIVITY  # kept as written, comments too
    assert not [p for p in path.parent.iterdir() if p.suffix == ".tmp"]
    entry = store.add(exercise.kind, {"what_i_plan_to_do": "a walk, \"short\"", "enjoyment": 6,
                                      "where": ["outside"], "minutes": 25})
    assert (store.data_dir / f"{exercise.kind}.csv").exists()
    with pytest.raises(ValueError, match="what_i_plan_to_do"):
        store.add(exercise.kind, {"enjoyment": 3})
    again = Store(store.data_dir)  # a new process: the worksheet is loaded after the built-ins
    assert list(again.catalog)[: len(exercises.kinds())] == list(exercises.kinds())
    frame = again.load(exercise.kind)
    assert list(frame["id"]) == [entry]
    assert frame.loc[0, "what_i_plan_to_do"] == 'a walk, "short"'
    assert frame.loc[0, "enjoyment"] == 6 and frame.loc[0, "where"] == ["outside"]
    assert str(frame["enjoyment"].dtype) == "Int64"
    assert again.worksheet_problems == []


def test_installing_the_same_worksheet_again_changes_nothing(store):
    first = store.install_worksheet(ACTIVITY)
    path = store.data_dir / WORKSHEETS_DIR / f"{first.kind}.yaml"
    stamp = path.stat().st_mtime_ns
    assert store.install_worksheet(ACTIVITY) == first
    assert path.stat().st_mtime_ns == stamp


def test_a_compatible_new_version_replaces_the_old(store):
    kind = store.install_worksheet(ACTIVITY).kind
    store.add(kind, {"what_i_plan_to_do": "walk"})
    assert "next_time" not in store.load(kind).columns
    newer = ACTIVITY + "  - label: Next time\n    type: long text\n"
    assert store.install_worksheet(newer).fields[-1].name == "next_time"
    assert store.load(kind).loc[0, "what_i_plan_to_do"] == "walk"
    assert "next_time" in store.load(kind).columns  # invariant S4: read under the new declaration
    assert "next_time" in store.records(kind)[0]
    assert "next_time" in Store(store.data_dir).exercise(kind).columns


def test_a_version_that_saved_entries_would_not_fit_is_refused(store):
    kind = store.install_worksheet(ACTIVITY).kind
    store.add(kind, {"what_i_plan_to_do": "walk", "with_whom": "alone"})
    changed = ACTIVITY.replace("options: [alone, with someone]", "options: [by myself, with someone]")
    with pytest.raises(ValueError, match="does not fit 1 entry"):
        store.install_worksheet(changed)
    assert store.exercise(kind).field("with_whom").option_keys() == ("alone", "with someone")
    assert Store(store.data_dir).exercise(kind).field("with_whom").option_keys() == ("alone", "with someone")
    assert store.load(kind).loc[0, "with_whom"] == "alone"


def test_refused_definitions_are_not_installed(store):
    with pytest.raises(WorksheetError, match="line 1"):
        store.install_worksheet("name: ../x\ntitle: x\nfields:\n  - label: a\n    type: date\n")
    folder = store.data_dir / WORKSHEETS_DIR
    assert not folder.exists() or not list(folder.iterdir())
    assert [k for k in store.catalog if k.startswith("ws_")] == []


def test_a_kind_taken_by_a_non_worksheet_is_refused(tmp_path):
    own = exercises.from_mapping({"kind": "ws_sleep", "title": "Sleep", "fields": [
        {"name": "hours", "type": "number"}]}, source="sleep.yaml")
    store = Store(tmp_path, catalog={**exercises.builtin(), "ws_sleep": own})
    with pytest.raises(ValueError, match="built-in"):
        store.install_worksheet("name: sleep\ntitle: Mine\nfields:\n  - label: a\n    type: date\n")
    assert store.exercise("ws_sleep") is own


def test_a_broken_worksheet_file_is_skipped_and_reported(store):
    good = store.install_worksheet(ACTIVITY)
    folder = store.data_dir / WORKSHEETS_DIR
    (folder / "broken.yaml").write_text("title: x\nfields:\n  - label: a\n    type: colour\n",
                                        encoding="utf-8")
    (folder / "binary.yaml").write_bytes(b"\x00\xff\xfe")
    (folder / "notes.txt").write_text("not a worksheet", encoding="utf-8")
    (folder / "copy.yaml").write_text(ACTIVITY, encoding="utf-8")  # same kind as the installed one
    again = Store(store.data_dir)
    assert good.kind in again.catalog
    problems = "\n".join(again.worksheet_problems)
    assert len(again.worksheet_problems) == 3
    assert "broken.yaml was skipped" in problems and "line 4" in problems and "colour" in problems
    assert "binary.yaml was skipped" in problems
    assert "copy.yaml was skipped" in problems and "already used" in problems
    assert again.exercise(good.kind).source == f"worksheet {good.kind}.yaml"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a folder that cannot be read")
def test_an_unreadable_worksheets_folder_is_reported(store):
    folder = store.data_dir / WORKSHEETS_DIR
    folder.mkdir(parents=True)
    folder.chmod(0)
    try:
        assert Store(store.data_dir).worksheet_problems
    finally:
        folder.chmod(0o755)
