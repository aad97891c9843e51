"""Every sentence that describes a change in a PHQ-9 or GAD-7 score, tested for what it means.

Response is a drop of 50% or more from the starting score (the latest is half of it or less) and
remission a PHQ-9 below 5 (Kroenke & Spitzer 2002); a reliable change is 6 points or more on the
PHQ-9 and 4 or more on the GAD-7 (IAPT Manual). Each place that words a change (the check-in
page, the progress dashboard, the therapist's review, the report) is checked over every pair of
totals the questionnaires allow, so a sentence can never say the opposite of the numbers.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from workbook import analysis, progress, report, scoring
from workbook.ui import review

TOP = {"PHQ-9": 27, "GAD-7": 21}


def score(instrument: str, total: int) -> scoring.Score:
    bands = scoring.PHQ9_BANDS if instrument == "PHQ-9" else scoring.GAD7_BANDS
    return scoring.Score(instrument, total, [label for floor, label in bands if total >= floor][-1])


def frame(instrument: str, *totals: int, marked: int | None = None) -> pd.DataFrame:
    """Scores as `analysis.questionnaire_scores` gives them, one a fortnight from 5 Jan 2026."""
    return pd.DataFrame({
        "date": pd.date_range("2026-01-05", periods=len(totals), freq="14D"),
        "instrument": instrument,
        "total": list(totals),
        "severity": [score(instrument, t).severity for t in totals],
        "baseline": [i == marked for i in range(len(totals))],
    })


def pairs(instrument: str):
    return [(a, b) for a in range(TOP[instrument] + 1) for b in range(TOP[instrument] + 1)]


def is_response(first: int, current: int) -> bool:
    return first > 0 and current * 2 <= first


# -- the check-in page's summary (the person's own words) ----------------------------------------


@pytest.mark.parametrize("instrument", ["PHQ-9", "GAD-7"])
def test_checkin_summary_means_what_the_numbers_say(instrument):
    step = scoring.RELIABLE_CHANGE[instrument]
    for first, current in pairs(instrument):
        said = scoring.describe(score(instrument, current), scoring.change([first, current], instrument))
        where = f"{instrument} {first} then {current}: {said}"
        assert ("half or less of where you started" in said) == is_response(first, current), where
        assert "at least half" not in said, where
        assert ("remission" in said) == (instrument == "PHQ-9" and current < 5), where
        moved = current - first
        expected = "no change" if moved == 0 else f"{'up' if moved > 0 else 'down'} {abs(moved)}"
        assert f"{expected} since the check-in before and {expected} since your first" in said, where
        assert (f"A change of {step} points or more" in said) == (abs(moved) >= step), where
        assert f"score is {current} of {TOP[instrument]} ({score(instrument, current).severity})" in said


CHECKIN_ROWS = [
    # (totals, marked, the sentence, why)
    ([16, 8], None,
     "Your latest PHQ-9 score is 8 of 27 (mild). That is down 8 since the check-in before and down 8 "
     "since your first. A change of 6 points or more on the PHQ-9 is more than its usual ups and downs, "
     "so it is worth mentioning to your care team. It is half or less of where you started (a drop of "
     "50% or more, often called a response).",
     "16 then 8 is a response; it once said 'at least half of where you started', the opposite"),
    ([16, 9], None,
     "Your latest PHQ-9 score is 9 of 27 (mild). That is down 7 since the check-in before and down 7 "
     "since your first. A change of 6 points or more on the PHQ-9 is more than its usual ups and downs, "
     "so it is worth mentioning to your care team.",
     "9 is more than half of 16: no response"),
    ([12, 17], None,
     "Your latest PHQ-9 score is 17 of 27 (moderately severe). That is up 5 since the check-in before "
     "and up 5 since your first.",
     "5 points is within the PHQ-9's noise, so no call to mention it"),
    ([8, 20, 4], 1,
     "Your latest PHQ-9 score is 4 of 27 (minimal). That is down 16 since the check-in before and down "
     "16 since your score from before treatment. A change of 6 points or more on the PHQ-9 is more than "
     "its usual ups and downs, so it is worth mentioning to your care team. It is half or less of where "
     "you started (a drop of 50% or more, often called a response). It is below 5, the range often "
     "called remission.",
     "measured from the check-in marked as before treatment (20), not the first (8)"),
]


@pytest.mark.parametrize(("totals", "marked", "sentence", "why"), CHECKIN_ROWS)
def test_checkin_summary_rows(totals, marked, sentence, why):
    moved = scoring.change(totals, "PHQ-9", marked)
    assert scoring.describe(score("PHQ-9", totals[-1]), moved) == sentence, why


# -- the progress dashboard ----------------------------------------------------------------------


def test_dashboard_summary_means_what_the_numbers_say():
    for first, current in pairs("PHQ-9"):
        scores = frame("PHQ-9", first, current)
        said = progress.questionnaire_summary(scores, analysis.score_change(scores, "PHQ-9"), None)
        where = f"{first} then {current}: {said}"
        assert ("half or less of where you started" in said) == is_response(first, current), where
        assert ("remission" in said) == (current < 5 and current < first), where
        if current < first:
            points = f"{first - current} point{'s' if first - current > 1 else ''}"
            assert f"{points} lower than your first ({first})" in said, where
        elif current > first:
            assert f"higher than your first ({first})" in said, where
        else:
            assert f"the same as your first ({first})" in said, where


def test_dashboard_measures_from_the_marked_score():
    scores = frame("PHQ-9", 8, 20, 10, marked=1)
    said = progress.questionnaire_summary(scores, analysis.score_change(scores, "PHQ-9"), None)
    assert said == ("Your latest PHQ-9 total was 10 (moderate range), 10 points lower than your score "
                    "from before treatment (20), half or less of where you started (a drop of 50% or "
                    "more, often called a response).")


# -- the therapist's review ----------------------------------------------------------------------


@pytest.mark.parametrize("instrument", ["PHQ-9", "GAD-7"])
def test_review_line_means_what_the_numbers_say(instrument):
    step = scoring.RELIABLE_CHANGE[instrument]
    for first, current in pairs(instrument):
        scores = frame(instrument, first, current)
        said = review.change_line(analysis.score_change(scores, instrument), scores)
        where = f"{instrument} {first} then {current}: {said}"
        assert ("half the starting score or less, a response" in said) == is_response(first, current), where
        assert "at least halved" not in said, where
        assert ("remission" in said) == (instrument == "PHQ-9" and current < 5), where
        assert f"{current - first:+d} since the first in the range" in said, where
        reliable = f"reliable change since the one before ({step} points" in said
        assert reliable == (abs(current - first) >= step), where


def test_review_uses_the_marked_check_in_and_says_so():
    scores = frame("PHQ-9", 8, 20, 10, marked=1)
    said = review.change_line(analysis.score_change(scores, "PHQ-9"), scores)
    assert said == ("PHQ-9: 20 to 10 (-10 since the check-in marked as before treatment (2026-01-19), -10 "
                    "since the one before); a reliable change since the one before (6 points or more); "
                    "half the starting score or less, a response (a drop of 50% or more).")
    unmarked = frame("PHQ-9", 8, 20, 10)
    assert "since the first in the range (none in the range is marked" in review.change_line(
        analysis.score_change(unmarked, "PHQ-9"), unmarked)


# -- the report ----------------------------------------------------------------------------------


def checkin_rows(*totals: int, marked: int | None = None) -> pd.DataFrame:
    rows = []
    for i, total in enumerate(totals):
        answers, rest = [], total
        for _ in range(9):
            answers.append(min(3, rest))
            rest -= answers[-1]
        when = pd.Timestamp("2026-01-05 09:00+00:00") + pd.Timedelta(days=14 * i)
        rows.append({"id": f"c{i}", "created_at": when.isoformat(),
                     **{f"phq9_{n}": a for n, a in enumerate(answers, start=1)},
                     scoring.BASELINE_FIELD: ["yes"] if i == marked else None})
    return pd.DataFrame(rows)


@pytest.mark.parametrize(("totals", "marked", "says", "never"), [
    ((16, 8), None, ["half or less of the starting score 16"], ["remission"]),
    ((16, 9), None, [], ["half or less", "response"]),
    ((16, 4), None, ["half or less of the starting score 16",
                     "under 5, the range often called remission"], []),
    ((8, 20, 10), 1, ["marked as from before treatment: 20 on 19 Jan 2026",
                      "half or less of the starting score 20"], ["remission"]),
])
def test_report_lines(totals, marked, says, never):
    lines = " ".join(report._questionnaire_lines(checkin_rows(*totals, marked=marked)))
    for words in says:
        assert words in lines
    for words in never:
        assert words not in lines
    assert not re.search(r"at least half|at least halved", lines)
