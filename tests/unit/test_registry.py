"""The exercise registry: every declaration in the folder is found; its optional keys have defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbook import exercises
from workbook.exercises import DefinitionError, from_mapping

TODAYS_FORMAT = {"kind": "gratitude", "title": "Gratitude", "fields": [
    {"name": "what", "type": "long_text", "required": True, "label": "What I am grateful for"},
    {"name": "tags", "type": "tags", "label": "Tags"}]}


SHIPPED = ("mood", "thought_record", "win", "session", "checkin", "safety_plan")


def shipped(found):
    """The shipped exercises among those found, in the order found (a newer file may sit anywhere)."""
    return tuple(k for k in found if k in SHIPPED)


def test_the_shipped_exercises_keep_their_places():
    # what seven lists used to say, now read from the files
    assert shipped(exercises.kinds()) == SHIPPED
    assert shipped(exercises.in_menu()) == ("mood", "thought_record", "win", "session", "checkin")
    assert {k: v for k, v in exercises.trackable().items() if k in SHIPPED} == {
        "mood": "Mood check-ins: a slider a day, about ten seconds",
        "thought_record": "Thought records, for when a thought hurts",
        "win": "Small wins, however small",
        "session": "Treatment sessions: notes before and after",
        "checkin": "PHQ-9 and GAD-7 check-ins, every two weeks or so",
    }
    assert shipped(exercises.workshop_counted()) == ("mood", "thought_record", "win", "session", "checkin")
    assert {k: v for k, v in exercises.homework_targets().items() if k in SHIPPED} == {
        "mood": 7, "thought_record": 2, "win": 5, "session": 1, "checkin": 1, "safety_plan": 0}


def test_a_file_in_todays_format_gets_every_default():
    exercise = from_mapping(TODAYS_FORMAT)
    assert (exercise.menu, exercise.trackable, exercise.workshop_counted) == (True, True, True)
    assert exercise.homework_target == 1 and exercise.order == exercises.DEFAULT_ORDER
    assert exercise.nav == "Gratitude" and exercise.track_text == "Gratitude"


@pytest.mark.parametrize(("key", "value", "said"), [
    ("menu", "yes", "'menu' should be true or false"),
    ("trackable", 1, "'trackable' should be true or false"),
    ("counted_in_workshop", None, "'counted_in_workshop' should be true or false"),
    ("homework_target", 51, "'homework_target' should be a whole number from 0 to 50"),
    ("homework_target", 2.5, "'homework_target' should be a whole number"),
    ("homework_target", True, "'homework_target' should be a whole number"),
    ("order", -1, "'order' should be a whole number"),
    ("track", ["a"], "'track' should be text"),
])
def test_a_bad_registry_key_is_refused_with_where_and_why(key, value, said):
    with pytest.raises(DefinitionError, match=said) as caught:
        from_mapping({**TODAYS_FORMAT, key: value}, source="gratitude.yaml")
    assert str(caught.value).startswith("gratitude.yaml:")


def write(folder: Path, name: str, kind: str, **keys) -> None:
    lines = [f"kind: {kind}", f"title: {kind.title()}"] + [f"{k}: {v}" for k, v in keys.items()]
    lines += ["fields:", "  - name: note", "    type: long_text"]
    (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_every_yaml_file_in_the_folder_is_found_in_order(tmp_path, monkeypatch):
    write(tmp_path, "zeta.yaml", "zeta", order=5)
    write(tmp_path, "alpha.yaml", "alpha")
    write(tmp_path, "hidden.yaml", "hidden", menu="false", trackable="false")
    (tmp_path / "README.md").write_text("not an exercise", encoding="utf-8")
    monkeypatch.setattr(exercises, "FOLDER", tmp_path)
    assert exercises.kinds() == ("zeta", "alpha", "hidden")  # by order, then by kind
    assert exercises.in_menu() == ("zeta", "alpha")
    assert list(exercises.trackable()) == ["zeta", "alpha"]
    assert exercises.get("alpha").title == "Alpha"
    with pytest.raises(ValueError, match="unknown exercise 'mood' .one of zeta, alpha, hidden"):
        exercises.get("mood")


def test_a_file_named_for_another_kind_is_refused(tmp_path, monkeypatch):
    write(tmp_path, "gratitude.yaml", "thanks")
    monkeypatch.setattr(exercises, "FOLDER", tmp_path)
    said = "gratitude.yaml: its kind is 'thanks'; name the file thanks.yaml"
    with pytest.raises(DefinitionError, match=said):
        exercises.kinds()


@pytest.mark.parametrize(("summary", "entry", "line"), [
    ("{what}", {"what": "the sun", "tags": ["a"]}, "the sun"),
    ("{what} ({tags})", {"what": "tea", "tags": ["calm", "home"]}, "tea (calm, home)"),
    ("{what}", {"tags": ["calm"]}, "calm"),  # its field left empty: the first answer given
    ("{nothing}", {"what": "tea"}, "tea"),  # a summary naming no field: the first answer
    ("", {"what": "tea"}, "tea"),
    ("{what}", {}, ""),
])
def test_an_entry_is_summarised_by_its_list_summary(summary, entry, line):
    exercise = from_mapping({**TODAYS_FORMAT, "list_summary": summary})
    assert exercise.summarise(entry) == line


def test_a_misspelt_key_is_refused_not_ignored(tmp_path, monkeypatch):
    write(tmp_path, "alpha.yaml", "alpha", homework_targt=3)
    monkeypatch.setattr(exercises, "FOLDER", tmp_path)
    with pytest.raises(DefinitionError, match="alpha.yaml: unknown key 'homework_targt'"):
        exercises.kinds()


DOC = Path(__file__).parents[2] / "docs" / "exercises.md"


def test_every_key_and_type_is_documented_for_whoever_writes_an_exercise():
    text = DOC.read_text(encoding="utf-8")
    for key, default, _meaning in exercises.DECLARATION_KEYS:
        row = next((line for line in text.splitlines() if line.startswith(f"| `{key}` |")), None)
        assert row is not None, key
        assert default.strip("()").split()[0] in row, (key, default)
    for field_type in exercises.FIELD_TYPES:
        assert f"`{field_type}`" in text, field_type


def test_the_example_in_the_doc_is_a_valid_exercise():
    import re

    import yaml

    block = re.search(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S).group(1)
    data = yaml.safe_load(block)
    assert set(data) <= {key for key, _, _ in exercises.DECLARATION_KEYS}
    exercise = from_mapping(data)
    assert exercise.kind == "three_good_things" and exercise.homework_target == 7
