"""How counts, numbers and days are written: one helper each, the same wherever they show."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from workbook import words


@pytest.mark.parametrize(("count", "word", "many", "expected"), [
    (0, "day", None, "0 days"), (1, "day", None, "1 day"), (2, "day", None, "2 days"),
    (1, "entry", "entries", "1 entry"), (3, "entry", "entries", "3 entries"),
])
def test_plural(count, word, many, expected):
    assert words.plural(count, word, many) == expected


@pytest.mark.parametrize(("value", "places", "expected"), [
    (3, 1, "3"), (3.0, 1, "3"), (4.5, 1, "4.5"), (4.46, 1, "4.5"), (2.25, None, "2.25"),
    (-1.0, None, "-1"), (7.5, 0, "8"),
])
def test_number(value, places, expected):
    assert words.number(value, places) == expected


def test_days():
    assert words.day(dt.date(2026, 3, 2)) == "2 Mar 2026"
    assert words.full_day(dt.date(2026, 3, 2)) == "Mon 2 Mar 2026"
    assert words.day(pd.Timestamp("2019-06-03")) == "3 Jun 2019"  # a pandas day reads the same
    assert words.iso_day("2026-03-31T09:30:00+02:00") == "2026-03-31"
    assert words.iso_day(None) == ""


@pytest.mark.parametrize(("text", "stamp", "when"), [
    ("2026-03-31T09:30:00+02:00", "2026-03-31 09:30", "Tue 31 Mar 2026, 09:30"),
    ("yesterday", "yesterday", "yesterday"),  # hand-edited text is shown as it is
    ("", "", ""),
])
def test_moments(text, stamp, when):
    assert words.stamp(text) == stamp
    assert words.when(text) == when
