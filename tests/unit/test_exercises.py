import re

import pytest

from workbook import exercises
from workbook.exercises import DefinitionError, FieldError, from_mapping


def test_builtin_exercises_load():
    catalog = exercises.builtin()
    assert {"mood", "thought_record", "win", "session", "checkin", "safety_plan"} <= set(catalog)
    files = {e.name[: -len(".yaml")] for e in exercises.folder().iterdir() if e.name.endswith(".yaml")}
    assert set(catalog) == files  # every declaration in the folder, and nothing else
    assert catalog["mood"].columns[:4] == ("id", "created_at", "updated_at", "mood")
    assert "status" in catalog["thought_record"].columns


def test_mood_needs_only_mood():
    cleaned = exercises.get("mood").validate({"mood": 4})
    assert cleaned["mood"] == 4
    assert cleaned["anxiety"] is None


def test_win_needs_only_description():
    assert exercises.get("win").validate({"description": "cooked"})["description"] == "cooked"


@pytest.mark.parametrize(
    ("kind", "record", "field"),
    [
        ("mood", {}, "mood"),
        ("mood", {"mood": 11}, "mood"),
        ("mood", {"mood": -1}, "mood"),
        ("mood", {"mood": 4.5}, "mood"),
        ("mood", {"mood": True}, "mood"),
        ("mood", {"mood": "high"}, "mood"),
        ("mood", {"mood": 3, "sleep_hours": "lots"}, "sleep_hours"),
        ("mood", {"mood": 3, "sleep_hours": 25}, "sleep_hours"),
        ("mood", {"mood": 3, "colour": "blue"}, "colour"),
        ("win", {"description": "   "}, "description"),
        ("win", {"description": "x", "category": "gardening"}, "category"),
        ("thought_record", {"situation": "s", "emotions": [{"name": "sad", "intensity": 101}]},
         "emotions"),
        ("thought_record", {"situation": "s", "automatic_thoughts": [
            {"text": "a", "hot": True}, {"text": "b", "hot": True}]}, "automatic_thoughts"),
        ("thought_record", {"situation": "s", "distortions": ["not_a_pattern"]}, "distortions"),
    ],
)
def test_bad_values_name_the_field(kind, record, field):
    with pytest.raises(FieldError) as info:
        exercises.get(kind).validate(record)
    assert info.value.field == field
    assert field in str(info.value)


def test_value_types_are_cleaned():
    tr = exercises.get("thought_record")
    cleaned = tr.validate({
        "situation": "s",
        "emotions": [{"name": "sad", "intensity": "80"}, {"name": "", "intensity": None}],
        "automatic_thoughts": ["only one"],
        "distortions": ["mind_reading", "mind_reading"],
    })
    assert cleaned["emotions"] == [{"name": "sad", "intensity": 80}]
    assert cleaned["automatic_thoughts"] == [{"text": "only one", "hot": False}]
    assert cleaned["distortions"] == ["mind_reading"]


def test_tags_from_text_are_split_and_deduplicated():
    field = exercises.get("mood").field("tags")
    assert field.clean(" sleep, walk ,sleep,, ") == ["sleep", "walk"]


def test_distortions_have_explanations():
    options = exercises.get("thought_record").field("distortions").options
    # Burns' ten, plus catastrophising and blaming others, which FreeCBT offers on their own
    assert 10 <= len(options) <= 13
    assert all(o.explanation for o in options)


# What each published definition turns on (workbook/content/distortions.yaml names the
# sources), as words a description must keep: a rewording may change anything else, but a
# description that lost one of these would no longer say what its source says.
PATTERN_MEANING = {
    # Burns 1980: black-and-white categories; short of perfect is a total failure
    "all_or_nothing": [r"all good or all bad", r"perfect", r"failure"],
    # a single negative event seen as a never-ending pattern of defeat
    "overgeneralising": [r"always|never"],
    # one negative detail dwelt on until all else darkens
    "mental_filter": [r"only the painful", r"everything else"],
    # positive experiences rejected: they "don't count"
    "discounting_positive": [r"good things", r"count"],
    # concluding that someone reacts negatively, without checking
    "mind_reading": [r"others think", r"bad", r"without checking"],
    # expecting things to turn out badly, the prediction taken as fact
    "fortune_telling": [r"predict", r"badly", r"fact"],
    # exaggerating some things (mistakes), shrinking others (strengths)
    "magnifying_minimising": [r"mistakes look huge", r"strengths look tiny"],
    # "I feel it, therefore it must be true"
    "emotional_reasoning": [r"feel", r"true"],
    # motivating oneself with shoulds and musts; guilt follows
    "should_statements": [r"should", r"must", r"guilty"],
    # a negative label instead of describing the error
    "labelling": [r"one harsh word", r"single slip"],
    # seeing oneself as the cause of what one was not (mainly) responsible for
    "personalising": [r"blame yourself", r"outside your control"],
    # J. Beck 2011: predicting the future negatively, other likelier outcomes not considered
    "catastrophising": [r"the worst", r"certain", r"likelier outcomes"],
    # Burns 1989: others or circumstances blamed, one's own part overlooked
    "blaming_others": [r"other people", r"circumstances", r"your hands to change"],
}


def test_thinking_patterns_say_what_their_published_sources_say():
    options = {o.key: o for o in exercises.get("thought_record").field("distortions").options}
    assert set(options) == set(PATTERN_MEANING), "a pattern was added or removed: give it its source"
    for key, needed in PATTERN_MEANING.items():
        text = options[key].explanation.lower()
        missing = [words for words in needed if not re.search(words, text)]
        assert not missing, f"{key}: {options[key].explanation!r} lost {missing}"


def test_the_two_patterns_beyond_burns_ten_stay_apart_from_their_neighbours():
    """Catastrophising is the worst case taken as certain, not any bad prediction (fortune
    telling); blaming others points outward, personalising points inward."""
    options = {o.key: o.explanation.lower() for o in
               exercises.get("thought_record").field("distortions").options}
    assert "worst" in options["catastrophising"] and "worst" not in options["fortune_telling"]
    assert "yourself" in options["personalising"]
    assert "yourself" not in options["blaming_others"]
    assert "other people" in options["blaming_others"]


def test_draft_skips_required_but_not_bad_values():
    tr = exercises.get("thought_record")
    assert tr.validate({"evidence_for": "x"}, partial=True)["situation"] is None
    with pytest.raises(FieldError):
        tr.validate({"balanced_belief": 200}, partial=True)


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        ({"title": "x", "fields": []}, "missing 'kind'"),
        ({"kind": "Bad Kind", "title": "x", "fields": []}, "lower-case"),
        ({"kind": "k", "title": "x", "fields": [{"name": "a", "type": "colour"}]}, "unknown type"),
        ({"kind": "k", "title": "x", "fields": [{"name": "a", "type": "scale"}]}, "min below max"),
        ({"kind": "k", "title": "x", "fields": [{"name": "id", "type": "short_text"}]},
         "already used"),
        ({"kind": "k", "title": "x", "fields": [{"name": "a", "type": "choice"}]}, "needs options"),
        ({"kind": "k", "title": "x", "fields": [{"name": "a", "type": "short_text"}],
          "steps": [{"title": "s", "fields": ["b"]}]}, "unknown field"),
    ],
)
def test_bad_definitions_are_refused_with_a_reason(definition, message):
    with pytest.raises(DefinitionError, match=message):
        from_mapping(definition)
