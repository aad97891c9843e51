"""PHQ-9 and GAD-7 scores against the published bands, strict input checks, and change over time."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbook import scoring


def answers_for(total: int, count: int) -> list[int]:
    """`count` answers (each 0-3) that add up to `total`, filled from the first item."""
    out = []
    for _ in range(count):
        step = min(3, total)
        out.append(step)
        total -= step
    assert total == 0
    return out


def phq9_record(answers: list[int]) -> dict[str, int]:
    return {f"phq9_{i}": v for i, v in enumerate(answers, start=1)}


def gad7_record(answers: list[int]) -> dict[str, int]:
    return {f"gad7_{i}": v for i, v in enumerate(answers, start=1)}


@pytest.mark.parametrize(
    ("total", "band"),
    [(0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
     (15, "moderately severe"), (19, "moderately severe"), (20, "severe"), (27, "severe")],
)
def test_phq9_bands_at_every_boundary(total, band):
    score = scoring.phq9(answers_for(total, 9))
    assert (score.instrument, score.total, score.severity, score.maximum) == ("PHQ-9", total, band, 27)


@pytest.mark.parametrize(
    ("total", "band"),
    [(0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
     (15, "severe"), (21, "severe")],
)
def test_gad7_bands_at_every_boundary(total, band):
    score = scoring.gad7(answers_for(total, 7))
    assert (score.instrument, score.total, score.severity, score.maximum) == ("GAD-7", total, band, 21)
    assert score.item9_positive is False


@pytest.mark.parametrize(("item9", "positive"), [(0, False), (1, True), (2, True), (3, True)])
def test_item9_positive_follows_the_ninth_answer_only(item9, positive):
    assert scoring.phq9([0] * 8 + [item9]).item9_positive is positive
    assert scoring.phq9([3] * 8 + [item9]).item9_positive is positive


def test_item9_positive_even_in_the_minimal_band():
    score = scoring.phq9([0] * 8 + [1])
    assert (score.total, score.severity, score.item9_positive) == (1, "minimal", True)


@pytest.mark.parametrize("count", [0, 1, 8, 10])
def test_phq9_wrong_count(count):
    with pytest.raises(ValueError, match="PHQ-9"):
        scoring.phq9([1] * count)


@pytest.mark.parametrize("count", [0, 6, 8, 9])
def test_gad7_wrong_count(count):
    with pytest.raises(ValueError, match="GAD-7"):
        scoring.gad7([1] * count)


BAD_ANSWERS = [-1, 4, 10, 1.0, 2.5, float("nan"), True, False, "2", "", None, [1], np.bool_(True)]


@pytest.mark.parametrize("bad", BAD_ANSWERS, ids=repr)
@pytest.mark.parametrize(("score", "count"), [(scoring.phq9, 9), (scoring.gad7, 7)])
def test_bad_answer_anywhere_is_a_value_error(score, count, bad):
    for position in (0, count - 1):
        answers: list = [1] * count
        answers[position] = bad
        with pytest.raises(ValueError, match=f"answer {position + 1} "):
            score(answers)


@pytest.mark.parametrize("bad", ["111111111", b"111111111", None, 9, {f"phq9_{i}": 1 for i in range(9)}])
def test_not_a_list_is_a_value_error(bad):
    with pytest.raises(ValueError):
        scoring.phq9(bad)


def test_tuples_and_numpy_integers_are_accepted():
    assert scoring.phq9(tuple([2] * 9)).total == 18
    score = scoring.gad7([np.int64(3)] * 7)
    assert (score.total, type(score.total)) == (21, int)


# -- from_record -------------------------------------------------------------------------------


def test_from_record_both_questionnaires():
    phq, gad = scoring.from_record({**phq9_record([2] * 9), **gad7_record([1] * 7), "note": "x"})
    assert (phq.total, phq.severity, phq.item9_positive) == (18, "moderately severe", True)
    assert (gad.total, gad.severity) == (7, "mild")


@pytest.mark.parametrize(
    ("record", "has_phq", "has_gad"),
    [
        ({}, False, False),
        (phq9_record([1] * 9), True, False),
        (gad7_record([1] * 7), False, True),
        ({"phq9_9": 2}, False, False),  # item 9 alone: no total, item9 rule handles it
        ({**phq9_record([1] * 8)}, False, False),  # 8 of 9
        ({**phq9_record([1] * 9), "phq9_4": None, **gad7_record([0] * 7)}, False, True),
        ({**phq9_record([1] * 9), **gad7_record([0] * 7), "gad7_7": float("nan")}, True, False),
        ({**phq9_record([1] * 9), **gad7_record([0] * 7), "gad7_2": pd.NA}, True, False),
    ],
)
def test_from_record_partial_answers(record, has_phq, has_gad):
    phq, gad = scoring.from_record(record)
    assert (phq is not None, gad is not None) == (has_phq, has_gad)


def test_from_record_on_a_row_loaded_from_the_store(store):
    """A DataFrame row holds pandas' NA for unanswered items; this used to raise TypeError."""
    store.add("checkin", {**gad7_record([3, 3, 3, 2, 2, 1, 1]), "phq9_9": 1})
    store.add("checkin", phq9_record([1, 1, 1, 1, 1, 1, 1, 1, 0]))
    frame = store.load("checkin")
    first, second = (scoring.from_record(row) for _, row in frame.iterrows())
    assert first[0] is None and first[1].total == 15 and first[1].severity == "severe"
    assert second[0].total == 8 and second[0].item9_positive is False and second[1] is None
    assert scoring.from_record(frame.to_dict("records")[1])[0].total == 8


def test_from_record_accepts_whole_floats_and_rejects_bad_values():
    phq, _ = scoring.from_record(phq9_record([2.0] * 9))  # a CSV column read as float
    assert phq.total == 18
    with pytest.raises(ValueError, match="PHQ-9"):
        scoring.from_record(phq9_record([1] * 8 + [2.5]))
    with pytest.raises(ValueError, match="GAD-7"):
        scoring.from_record(gad7_record([1] * 6 + [7]))
    with pytest.raises(ValueError, match="GAD-7"):
        scoring.from_record(gad7_record([1] * 6 + ["often"]))


# -- change ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("totals", "response", "remission", "reliable"),
    [
        ([20], False, False, False),  # a single score is a starting point, nothing more
        ([3], False, False, False),
        ([20, 10], True, False, True),  # exactly 50% down
        ([16, 8], True, False, True),  # half of 16: a response (the case that once read "at least half")
        ([16, 9], False, False, True),  # 44% down
        ([20, 11], False, False, True),  # 45% down
        ([21, 10], True, False, True),
        ([20, 15, 10], True, False, False),  # response is judged against the first; -5 since the previous
        ([10, 4], True, True, True),
        ([6, 4], False, True, False),  # remission below 5 without a 50% drop
        ([8, 5], False, False, False),  # 5 is not below 5
        ([0, 0], False, True, False),  # no drop from 0 counts as response
        ([12, 18], False, False, True),  # +6: the PHQ-9's reliable change (IAPT), either way
        ([12, 17], False, False, False),  # +5: within the questionnaire's noise
        ([18, 12], False, False, True),  # -6
        ([20, 16, 12], False, False, False),  # 4 since the previous; 40% since the first
        ([20, 12, 16], False, False, False),
    ],
)
def test_change_phq9(totals, response, remission, reliable):
    result = scoring.change(totals)
    assert (result.response, result.remission, result.reliable) == (response, remission, reliable)
    assert result.first == totals[0] and result.current == totals[-1] and not result.marked
    assert result.since_first == totals[-1] - totals[0]
    if len(totals) > 1:
        assert result.previous == totals[-2]
        assert result.since_previous == totals[-1] - totals[-2]
    else:
        assert result.previous is None and result.since_previous is None


@pytest.mark.parametrize(
    ("totals", "response", "reliable"),
    [([16, 8], True, True), ([16, 9], False, True), ([3, 2], False, False), ([4, 9], False, True),
     ([4, 8], False, True), ([4, 7], False, False), ([10, 7], False, False)],  # GAD-7: 4 points (IAPT)
)
def test_change_gad7_has_no_remission(totals, response, reliable):
    result = scoring.change(totals, instrument="GAD-7")
    assert (result.response, result.remission, result.reliable) == (response, False, reliable)
    assert result.reliable_points == 4


@pytest.mark.parametrize(
    ("totals", "baseline", "first", "response", "remission", "why"),
    [
        ([8, 20, 10], 1, 20, True, False, "marked 20 before treatment: 10 is half of it"),
        ([8, 20, 10], None, 8, False, False, "no mark: measured from the first, 8"),
        ([20, 12, 4], 1, 12, True, True, "the marked check-in need not be the first"),
        ([20, 12], 1, 12, False, False, "the marked one is the latest: nothing after it yet"),
        ([20, 4], 5, 20, True, True, "a mark out of range is ignored"),
    ],
)
def test_change_from_the_marked_pre_treatment_score(totals, baseline, first, response, remission, why):
    result = scoring.change(totals, "PHQ-9", baseline)
    assert (result.first, result.response, result.remission) == (first, response, remission), why
    assert result.since_first == totals[-1] - first
    assert result.marked == (baseline is not None and baseline < len(totals))


def test_change_of_nothing_is_none():
    assert scoring.change([]) is None
