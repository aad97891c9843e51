"""The check-in's wording against the published PHQ-9 and GAD-7 forms, word for word.

The texts below are typed from the published questionnaires (PHQ-9: Kroenke, Spitzer & Williams;
GAD-7: Spitzer, Kroenke, Williams & Löwe; both free to reproduce). Each form keeps its own header:
the GAD-7's has no "any of".
"""

from __future__ import annotations

import pytest

from workbook import exercises, scoring

PHQ9_HEADER = "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
GAD7_HEADER = "Over the last 2 weeks, how often have you been bothered by the following problems?"
ANSWERS = ("Not at all", "Several days", "More than half the days", "Nearly every day")
PHQ9_ITEMS = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so "
    "fidgety or restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead or of hurting yourself in some way",
)
GAD7_ITEMS = (
    "Feeling nervous, anxious or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid as if something awful might happen",
)
DIFFICULTY = ("If you checked off any problems, how difficult have these problems made it for you to do "
              "your work, take care of things at home, or get along with other people?")
DIFFICULTY_ANSWERS = ("Not difficult at all", "Somewhat difficult", "Very difficult", "Extremely difficult")


def checkin() -> exercises.Exercise:
    return exercises.builtin()["checkin"]


def test_each_form_has_its_own_published_header():
    form = checkin()
    assert form.field("phq9_1").heading == PHQ9_HEADER
    assert form.field("gad7_1").heading == GAD7_HEADER
    headed = [f.name for f in form.fields if f.heading]
    assert headed == ["phq9_1", "gad7_1"]
    assert "any of" not in form.intro  # the intro no longer lends the PHQ-9's header to both


def test_items_and_answers_are_the_published_ones():
    form = checkin()
    for prefix, items in (("phq9", PHQ9_ITEMS), ("gad7", GAD7_ITEMS)):
        for number, text in enumerate(items, start=1):
            f = form.field(f"{prefix}_{number}")
            assert f.label == f"{number}. {text}"
            assert f.labels == ANSWERS and (f.min, f.max) == (0, 3)


@pytest.mark.parametrize("prefix, last, after", [("phq9", 9, "gad7_1"), ("gad7", 7, None)])
def test_the_difficulty_question_is_asked_and_not_scored(prefix, last, after):
    """Both published forms end with the same unscored question on how hard the problems made life."""
    name = f"{prefix}_difficulty"
    f = checkin().field(name)
    assert f.label == DIFFICULTY
    assert tuple(o.label for o in f.options) == DIFFICULTY_ANSWERS
    assert not f.required and name not in scoring.PHQ9_ITEMS + scoring.GAD7_ITEMS
    names = [x.name for x in checkin().fields]
    assert names.index(f"{prefix}_{last}") < names.index(name)
    if after:
        assert names.index(name) < names.index(after)
    record = {**{f"phq9_{i}": 1 for i in range(1, 10)}, **{f"gad7_{i}": 1 for i in range(1, 8)},
              name: "extremely_difficult"}
    phq, gad = scoring.from_record(record)
    assert (phq.total, gad.total) == (9, 7)  # the answer does not change either score


def test_the_before_treatment_mark_is_an_optional_tick_box():
    f = checkin().field(scoring.BASELINE_FIELD)
    assert f.type == "multi_choice" and not f.required
    options = [(o.key, o.label) for o in f.options]
    assert options == [("yes", "This is my score from before treatment started")]


def test_a_heading_is_optional_for_every_other_declaration():
    spec = {"kind": "tiny", "title": "Tiny", "fields": [{"name": "a", "type": "short_text"}]}
    assert exercises.from_mapping(spec).field("a").heading == ""
