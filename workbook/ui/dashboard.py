"""The progress page: every chart of `workbook.chart_catalogue` over a range the person picks.

Every chart is a small Vega-Lite spec from an aggregated frame, drawn by the page's own
renderer (`ChartView`), with a one-sentence summary beside it; too little data gets a friendly
sentence instead of an empty axis. The store is read once per `refresh`; changing the range
only re-aggregates. What each chart shows and says lives in the catalogue, not here.
"""

from __future__ import annotations

import datetime as dt
import logging

import ipywidgets as w
import pandas as pd

from workbook import analysis, chart_catalogue
from workbook.chart_catalogue import Drawn, Entries, Figure, Note
from workbook.progress import Period
from workbook.store import Store
from workbook.ui.chart_view import ChartView
from workbook.ui.form import Feedback
from workbook.ui.text import esc

log = logging.getLogger(__name__)

RANGES = (("Last 30 days", 30), ("Last 90 days", 90), ("Last year", 365), ("All time", 0))


class SectionView(w.VBox):
    """One catalogue entry on the page (`wb-chart`): a heading, then charts or friendly sentences."""

    def __init__(self, name: str):
        self.heading = w.HTML()
        self.body = w.VBox()
        self.views: list[ChartView] = []
        self.drawn = Drawn(name, "", ())
        super().__init__([self.heading, self.body])
        self.add_class("wb-chart")
        self.add_class(f"wb-progress-{name}")

    def show(self, drawn: Drawn) -> None:
        self.heading.value = f'<h3 class="wb-progress-heading">{esc(drawn.title)}</h3>'
        self.drawn = drawn
        children = []
        charts_drawn = 0
        for block in drawn.blocks:
            if isinstance(block, Figure):
                if charts_drawn == len(self.views):
                    self.views.append(ChartView())
                view = self.views[charts_drawn]
                view.draw(block.chart, block.summary)
                children.append(view)
                charts_drawn += 1
            else:
                children.append(w.HTML(f'<p class="wb-empty">{esc(block.message)}</p>'))
        self.body.children = children

    @property
    def value(self) -> str:
        """The section's words as they read on the page (headings, summaries, messages)."""
        return self.heading.value + "".join(
            f'<p class="wb-chart-summary">{esc(b.summary)}</p>' if isinstance(b, Figure)
            else f'<p class="wb-empty">{esc(b.message)}</p>' for b in self.drawn.blocks)

    @property
    def specs(self) -> list[dict]:
        """The chart specs on the page now."""
        return [view.spec for view, _ in zip(self.views, self.drawn.figures, strict=False)]


class ProgressPage(w.VBox):
    """Charts and plain sentences about how things have moved, for a range the person picks."""

    title = "Progress"

    def __init__(self, store: Store, today: dt.date | None = None, days: int = 90, draw: bool = True):
        self.store = store
        self.today = today
        self.catalogue = tuple(chart_catalogue.CATALOGUE)
        self.entries = Entries({})
        self._drawn: dict[Period, list[Drawn]] = {}
        self.range = w.Dropdown(options=RANGES, value=days, description="Show",
                                layout=w.Layout(width="auto"))
        self.range.add_class("wb-range")
        self.feedback = Feedback()
        self.sections: dict[str, SectionView] = {c.name: SectionView(c.name) for c in self.catalogue}
        header = w.HTML(
            f'<h2 class="wb-title">{esc(self.title)}</h2>'
            '<p class="wb-intro">How things have moved over time. Ups and downs are part of the '
            "path; the longer view shows the bigger picture. Scores and ranges describe answers, "
            "not you: they are worth talking over with your care team.</p>")
        super().__init__([header, self.range, self.feedback, *self.sections.values()])
        self.add_class("wb-page")
        self.add_class("wb-page-progress")
        self.range.observe(lambda _change: self.redraw(), names="value")
        if draw:  # the app shows the page first and draws it after (App.show)
            self.refresh()

    @property
    def frames(self) -> dict[str, pd.DataFrame]:
        return self.entries.frames

    # -- reading ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read every kind the charts use and redraw what changed; a kind that fails says why."""
        problems = []
        frames = {}
        kinds = chart_catalogue.kinds(self.catalogue)
        for kind in kinds:
            try:
                frames[kind] = self.store.load(kind)
            except Exception as exc:  # say so on the page, draw the rest
                log.exception("could not read %s", kind)
                problems.append(f"Your {self._words(kind)} entries could not be read just now "
                                f"({exc}). They are not shown below.")
                frames[kind] = pd.DataFrame(columns=["id", "created_at"])
        old = self.entries.frames
        same = bool(old) and all(frames[k].equals(old.get(k)) for k in kinds)
        if not same or problems:
            self.entries = Entries(frames)
            self._drawn = {}
        self.redraw(problems)

    def _words(self, kind: str) -> str:
        """'mood check-in', 'PHQ-9 and GAD-7 check-in': the exercise's title inside a sentence."""
        try:
            title = self.store.exercise(kind).title
        except Exception:  # noqa: BLE001 - only words for a message
            return kind.replace("_", " ")
        return title if title[1:2].isupper() else title[:1].lower() + title[1:]

    def period(self) -> Period:
        days = self.range.value
        start, end = analysis.window(days or None, self.today, self.entries.earliest())
        return Period(start, end, days)

    # -- drawing ---------------------------------------------------------------------------
    def redraw(self, problems: list[str] | None = None) -> None:
        """Draw every section for the chosen range; one that fails says so and the rest still draw.

        What was drawn for a range is kept until the data changes, so going back to a range
        is instant.
        """
        problems = list(problems or [])
        try:
            period = self.period()
        except Exception as exc:  # never a lost traceback
            log.exception("could not work out the range")
            self.feedback.fail("\n".join([*problems, f"The charts could not be drawn ({type(exc).__name__}: "
                                                      f"{exc}). Your entries are safe."]))
            return
        drawn = self._drawn.get(period)
        if drawn is None:
            drawn, failures = self._draw(period)
            if not failures:
                self._drawn[period] = drawn
            problems += failures
        for part in drawn:
            self.sections[part.name].show(part)
        if problems:
            self.feedback.fail("\n".join(problems))
        else:
            self.feedback.clear()

    def _draw(self, period: Period) -> tuple[list[Drawn], list[str]]:
        drawn, failures = [], []
        for chart in self.catalogue:
            try:
                drawn.append(chart_catalogue.draw(chart, self.entries, period))
            except Exception as exc:  # a chart that fails must not hide the others
                log.exception("could not draw %s", chart.name)
                failures.append(f"The {chart.title} chart could not be drawn ({type(exc).__name__}: "
                                f"{exc}). Your entries are safe.")
                drawn.append(Drawn(chart.name, chart.title,
                                   (Note("This chart could not be drawn just now."),)))
        return drawn, failures
