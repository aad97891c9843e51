"""PHQ-9 and GAD-7 scores with their published severity bands, and change between check-ins.

Bands: PHQ-9 0-4 minimal, 5-9 mild, 10-14 moderate, 15-19 moderately severe, 20-27 severe
(Kroenke, Spitzer & Williams 2001). GAD-7 0-4 minimal, 5-9 mild, 10-14 moderate, 15-21
severe (Spitzer, Kroenke, Williams & Löwe 2006). These are information, never a diagnosis.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

PHQ9_BANDS = ((0, "minimal"), (5, "mild"), (10, "moderate"), (15, "moderately severe"),
              (20, "severe"))
GAD7_BANDS = ((0, "minimal"), (5, "mild"), (10, "moderate"), (15, "severe"))
PHQ9_ITEMS = tuple(f"phq9_{i}" for i in range(1, 10))
GAD7_ITEMS = tuple(f"gad7_{i}" for i in range(1, 8))
REMISSION_BELOW = 5
RESPONSE_DROP = 0.5
NOTABLE_CHANGE = 5


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


def _missing(value: Any) -> bool:
    """None, NaN or pandas' NA: an item left unanswered."""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or another non-scalar: not missing, and not valid
        return False


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
    """How a score moved: since the first check-in and since the one before."""

    first: int
    previous: int | None
    current: int
    since_first: int
    since_previous: int | None
    response: bool  # at least a 50% drop from the first score
    remission: bool  # PHQ-9 below 5
    notable: bool  # 5 points or more since the previous check-in, either way


def change(totals: Sequence[int], instrument: str = "PHQ-9") -> Change | None:
    """Change over a series of totals, oldest first; None with fewer than one total."""
    if not totals:
        return None
    first, current = int(totals[0]), int(totals[-1])
    previous = int(totals[-2]) if len(totals) > 1 else None
    since_previous = None if previous is None else current - previous
    return Change(
        first=first,
        previous=previous,
        current=current,
        since_first=current - first,
        since_previous=since_previous,
        response=len(totals) > 1 and first > 0 and current <= first * (1 - RESPONSE_DROP),
        remission=instrument == "PHQ-9" and len(totals) > 1 and current < REMISSION_BELOW,
        notable=since_previous is not None and abs(since_previous) >= NOTABLE_CHANGE,
    )
