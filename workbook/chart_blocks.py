"""What a progress chart gives back: a chart with its sentence, a friendly sentence instead, or
one catalogue entry drawn for a range. Plain data, nothing to import: the Progress page shows
its frame with these before pandas is imported (`workbook.chart_catalogue` makes them)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

_XMLNS = re.compile(r'\s+xmlns(:\w+)?="[^"]*"')


@dataclass(frozen=True)
class Figure:
    """A chart with the one sentence beside it (also its text alternative)."""

    title: str
    summary: str
    chart: Any = field(compare=False, repr=False)  # an Altair chart or a Vega-Lite dict

    @cached_property
    def spec(self) -> dict:
        """The chart as a Vega-Lite dict (the chart functions' tests check it against the schema)."""
        return dict(self.chart) if isinstance(self.chart, dict) else self.chart.to_dict(validate=False)

    def svg(self) -> str:
        """The chart drawn to SVG for a page that must stand alone (the report, the review): no
        script, no network; namespace URLs dropped (inline SVG in HTML5 needs none)."""
        import vl_convert

        head, sep, rest = vl_convert.vegalite_to_svg(self.spec).partition(">")
        return _XMLNS.sub("", head) + sep + rest


@dataclass(frozen=True)
class Note:
    """No chart: a friendly sentence instead (too little data yet, or nothing in the range)."""

    message: str


Block = Figure | Note


@dataclass(frozen=True)
class Drawn:
    """One catalogue entry drawn for one range: its title, then its charts and sentences in order."""

    name: str
    title: str
    blocks: tuple[Block, ...]

    @property
    def figures(self) -> tuple[Figure, ...]:
        return tuple(b for b in self.blocks if isinstance(b, Figure))
