"""The chart catalogue on its own: one entry per chart, frozen blocks, the same figures for every reader."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest

from workbook import chart_catalogue, exercises
from workbook.chart_catalogue import CATALOGUE, Entries, Figure, Note, shared_figures
from workbook.progress import Period

START, END = dt.date(2026, 3, 2), dt.date(2026, 3, 22)


def moods(*days: int) -> pd.DataFrame:
    return pd.DataFrame({"id": [str(d) for d in days], "mood": [4 + d % 3 for d in days],
                         "created_at": [f"2026-03-{d:02d}T20:00:00+01:00" for d in days]})


def test_each_chart_is_listed_once_with_what_it_reads():
    names = [chart.name for chart in CATALOGUE]
    assert len(names) == len(set(names))
    assert all(chart.title and chart.kinds for chart in CATALOGUE)
    known = exercises.builtin()
    assert all(kind in known for kind in chart_catalogue.kinds())
    assert chart_catalogue.kinds() == ("mood", "session", "checkin", "win", "thought_record")


def test_blocks_are_frozen():
    note = Note("Not yet.")
    with pytest.raises(dataclasses.FrozenInstanceError):
        note.message = "changed"  # type: ignore[misc]
    figure = Figure("t", "s", {"mark": "bar"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        figure.summary = "changed"  # type: ignore[misc]


def test_nothing_shared_draws_nothing_and_every_chart_says_why_it_is_empty():
    assert shared_figures({}, START, END) == ()
    entries, period = Entries({}), Period(START, END, 30)
    for chart in CATALOGUE:
        drawn = chart_catalogue.draw(chart, entries, period)
        assert drawn.blocks and all(isinstance(b, Note) and b.message for b in drawn.blocks), chart.name


def test_the_mood_chart_waits_for_three_days_on_the_page_but_not_in_the_report():
    period = Period(START, END, 0)
    few = Entries({"mood": moods(3, 4)})
    (block,) = chart_catalogue.draw(CATALOGUE[0], few, period).blocks
    assert isinstance(block, Note) and block.message.startswith("2 days with a mood check-in")
    (figure,) = shared_figures({"mood": moods(3, 4)}, START, END)
    assert figure.summary == ("Mood from 2 Mar 2026 to 22 Mar 2026: 2 days with a check-in, "
                              "average 4.5 out of 10.")  # moods 4 and 5


def test_derived_values_are_computed_once():
    entries = Entries({"mood": moods(3, 4, 5)})
    assert entries.daily_mood() is entries.daily_mood()
    assert entries.earliest() == dt.date(2026, 3, 3)


def test_a_figure_drawn_to_svg_stands_alone():
    (figure,) = shared_figures({"mood": moods(3, 4, 5)}, START, END)
    svg = figure.svg()
    assert svg.startswith("<svg") and "xmlns" not in svg.partition(">")[0]
    assert figure.spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
