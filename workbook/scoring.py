"""PHQ-9 and GAD-7 scores with their published severity bands, and change between check-ins.

Bands: PHQ-9 0-4 minimal, 5-9 mild, 10-14 moderate, 15-19 moderately severe, 20-27 severe
(Kroenke, Spitzer & Williams 2001). GAD-7 0-4 minimal, 5-9 mild, 10-14 moderate, 15-21
severe (Spitzer, Kroenke, Williams & Löwe 2006). These are information, never a diagnosis.
"""

from __future__ import annotations

import json
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

PHQ9_BANDS = ((0, "minimal"), (5, "mild"), (10, "moderate"), (15, "moderately severe"),
              (20, "severe"))
GAD7_BANDS = ((0, "minimal"), (5, "mild"), (10, "moderate"), (15, "severe"))
PHQ9_ITEMS = tuple(f"phq9_{i}" for i in range(1, 10))
GAD7_ITEMS = tuple(f"gad7_{i}" for i in range(1, 8))
# Response: a drop of 50% or more from the starting score; remission: a PHQ-9 total below 5
# (Kroenke & Spitzer 2002, "The PHQ-9: a new depression diagnostic and severity measure").
REMISSION_BELOW = 5
RESPONSE_DROP = 0.5
# Reliable change: a move larger than the questionnaire's measurement error (IAPT Manual,
# National Collaborating Centre for Mental Health: PHQ-9 6 points or more, GAD-7 4 or more).
RELIABLE_CHANGE = {"PHQ-9": 6, "GAD-7": 4}
BASELINE_FIELD = "before_treatment"  # the check-in field that marks a pre-treatment score


@dataclass(frozen=True)
class Score:
    """A questionnaire's total and band; `item9_positive` is PHQ-9 item 9 above 0."""

    instrument: str
    total: int
    severity: str
    item9_positive: bool = False

    @property
    def maximum(self) -> int:
        return 27 if self.instrument == "PHQ-9" else 21


def _check(answers: Sequence[Any], count: int, name: str) -> list[int]:
    if isinstance(answers, (str, bytes)) or not isinstance(answers, Sequence):
        raise ValueError(f"{name}: expected a list of {count} answers, each 0-3.")
    if len(answers) != count:
        raise ValueError(f"{name}: expected {count} answers, got {len(answers)}.")
    for i, value in enumerate(answers, start=1):
        if _is_bool(value) or not isinstance(value, numbers.Integral) or not 0 <= value <= 3:
            raise ValueError(f"{name}: answer {i} should be a whole number 0-3, got {value!r}.")
    return [int(v) for v in answers]


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool) or type(value).__name__ == "bool_"  # numpy's bool too


def _band(total: int, bands: tuple[tuple[int, str], ...]) -> str:
    return [label for floor, label in bands if total >= floor][-1]


def phq9(answers: Sequence[int]) -> Score:
    """Score nine PHQ-9 answers (each 0-3)."""
    values = _check(answers, 9, "PHQ-9")
    total = sum(values)
    return Score("PHQ-9", total, _band(total, PHQ9_BANDS), item9_positive=values[8] > 0)


def gad7(answers: Sequence[int]) -> Score:
    """Score seven GAD-7 answers (each 0-3)."""
    values = _check(answers, 7, "GAD-7")
    total = sum(values)
    return Score("GAD-7", total, _band(total, GAD7_BANDS))


def is_missing(value: Any) -> bool:
    """None, NaN (of any float type) or pandas' NA / NaT: an item left unanswered.

    Plain Python, so scoring a check-in never needs pandas.
    """
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return True
    try:
        return bool(value != value)  # only NaN differs from itself
    except (TypeError, ValueError):  # a list or another non-scalar: not missing, and not valid
        return False


_missing = is_missing


def _whole(value: Any) -> Any:
    """A float that is a whole number (a CSV column read as float) as int; anything else unchanged."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _answers(record: Mapping[str, Any], items: tuple[str, ...]) -> list[Any] | None:
    values = [record.get(name) for name in items]
    if any(_missing(v) for v in values):
        return None
    return [_whole(v) for v in values]


def from_record(record: Mapping[str, Any]) -> tuple[Score | None, Score | None]:
    """The PHQ-9 and GAD-7 scores of a check-in; None for a questionnaire not fully answered."""
    phq = _answers(record, PHQ9_ITEMS)
    gad = _answers(record, GAD7_ITEMS)
    return (phq9(phq) if phq else None, gad7(gad) if gad else None)


@dataclass(frozen=True)
class Change:
    """How a score moved: since the starting score and since the one before.

    The starting score (`first`) is the check-in marked as from before treatment when there is
    one (`marked`), else the first; response and remission are measured from it.
    """

    instrument: str
    first: int
    previous: int | None
    current: int
    since_first: int
    since_previous: int | None
    response: bool  # the latest is half the starting score or less (a drop of 50% or more)
    remission: bool  # PHQ-9 below 5, after the starting score
    reliable: bool  # moved by the reliable change or more since the previous check-in, either way
    reliable_since_first: bool  # the same, since the starting score
    marked: bool = False  # the starting score is the one marked as from before treatment

    @property
    def reliable_points(self) -> int:
        return RELIABLE_CHANGE[self.instrument]


def change(totals: Sequence[int], instrument: str = "PHQ-9", baseline: int | None = None) -> Change | None:
    """Change over a series of totals, oldest first; None without any.

    `baseline` is the position in `totals` of the score marked as from before treatment; change
    is measured from it (else from the first). Response and remission need a score after it.
    """
    if not totals:
        return None
    start = baseline if baseline is not None and 0 <= baseline < len(totals) else 0
    first, current = int(totals[start]), int(totals[-1])
    later = len(totals) - 1 > start
    previous = int(totals[-2]) if len(totals) > 1 else None
    since_previous = None if previous is None else current - previous
    step = RELIABLE_CHANGE[instrument]
    return Change(
        instrument=instrument,
        first=first,
        previous=previous,
        current=current,
        since_first=current - first,
        since_previous=since_previous,
        response=later and first > 0 and current <= first * (1 - RESPONSE_DROP),
        remission=instrument == "PHQ-9" and later and current < REMISSION_BELOW,
        reliable=since_previous is not None and abs(since_previous) >= step,
        reliable_since_first=later and abs(current - first) >= step,
        marked=baseline is not None and start == baseline,
    )


# -- what a change means, in words (every sentence here is tested for its meaning) ---------------

RESPONSE_WORDS = "half or less of where you started (a drop of 50% or more, often called a response)"
REMISSION_WORDS = "below 5, the range often called remission"


def reliable_words(instrument: str) -> str:
    """Why a change of this size is worth mentioning, for the instrument's own threshold."""
    return (f"A change of {RELIABLE_CHANGE[instrument]} points or more on the {instrument} is more "
            "than its usual ups and downs, so it is worth mentioning to your care team.")


def start_words(moved: Change) -> str:
    """What the starting score is: the one marked as before treatment, or the first."""
    return "your score from before treatment" if moved.marked else "your first"


def signed(value: int | None) -> str:
    """A change in points as words: "up 3", "down 8" or "no change"."""
    if not value:
        return "no change"
    return f"{'up' if value > 0 else 'down'} {abs(value)}"


def describe(latest: Score, moved: Change | None) -> str:
    """The person's own summary of one questionnaire: the latest score, how it moved, and what
    that means (reliable change, response, remission), in plain sentences."""
    text = f"Your latest {latest.instrument} score is {latest.total} of {latest.maximum} ({latest.severity})."
    if moved is None or moved.previous is None:
        return text
    text += (f" That is {signed(moved.since_previous)} since the check-in before and "
             f"{signed(moved.since_first)} since {start_words(moved)}.")
    if moved.reliable:
        text += " " + reliable_words(moved.instrument)
    if moved.response:
        text += f" It is {RESPONSE_WORDS}."
    if moved.remission:
        text += f" It is {REMISSION_WORDS}."
    return text


def is_marked(value: Any) -> bool:
    """A tick box cell (a list of chosen keys, or its JSON text) with its one option chosen."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return False
    return isinstance(value, (list, tuple)) and "yes" in value
