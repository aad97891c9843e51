"""The progress page: every chart of `workbook.chart_catalogue` over a range the person picks.

Every chart is a small Vega-Lite spec from an aggregated frame, drawn by the kernel as SVG
(`ChartView`, `workbook.ui.svg_layers`), with a one-sentence summary beside it; too little
data gets a friendly sentence instead of an empty axis. The store is read once per
`refresh`; changing the range only re-aggregates. What each chart shows and says lives in
the catalogue, not here.

In the app the page is shown before it is drawn: `refresh` returns at once, the app shows the
page's frame, and the kernel then reads and draws one chart at a time, handling the person's
clicks between them; the browser starts drawing the first chart while the kernel makes the
rest. Nothing here imports pandas until that first step.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING

import ipywidgets as w

from workbook.chart_blocks import Drawn, Figure, Note
from workbook.store import Store
from workbook.ui.chart_view import ChartView
from workbook.ui.form import Feedback
from workbook.ui.sent_whole import sent_whole
from workbook.ui.text import esc

if TYPE_CHECKING:
    import pandas as pd

    from workbook.chart_catalogue import Entries, ProgressChart
    from workbook.progress import Period

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
                    self.views.append(ChartView(as_svg=True))
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


def _kernel_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop the kernel is handling messages on, if this runs inside one."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class ProgressPage(w.VBox):
    """Charts and plain sentences about how things have moved, for a range the person picks."""

    title = "Progress"

    def __init__(self, store: Store, today: dt.date | None = None, days: int = 90, draw: bool = True):
        """`draw=False`: drawn by `refresh` (the app's way), step by step when a kernel runs."""
        self.store = store
        self.today = today
        self.catalogue: tuple[ProgressChart, ...] = ()
        self.entries: Entries | None = None
        self.sections: dict[str, SectionView] = {}
        self._drawn: dict[Period, list[Drawn]] = {}
        self._turn = 0  # which refresh is drawing: a newer one stops an older one's steps
        self.range = w.Dropdown(options=RANGES, value=days, description="Show",
                                layout=w.Layout(width="auto"))
        self.range.add_class("wb-range")
        self.feedback = Feedback()
        self.header = w.HTML(
            f'<h2 class="wb-title">{esc(self.title)}</h2>'
            '<p class="wb-intro">How things have moved over time. Ups and downs are part of the '
            "path; the longer view shows the bigger picture. Scores and ranges describe answers, "
            "not you: they are worth talking over with your care team.</p>")
        self.drawing = w.HTML()
        self.drawing.add_class("wb-drawing")
        super().__init__([self.header, self.range, self.feedback, self.drawing])
        self.add_class("wb-page")
        self.add_class("wb-page-progress")
        self.range.observe(lambda _change: self.redraw(), names="value")
        if draw:
            self._finish(self._refresh_steps())

    @property
    def frames(self) -> dict[str, pd.DataFrame]:
        return self.entries.frames if self.entries is not None else {}

    def _sections(self) -> None:
        """One section per catalogue entry, made when the catalogue is first needed."""
        from workbook import chart_catalogue

        if self.sections:
            return
        self.catalogue = tuple(chart_catalogue.CATALOGUE)
        self.sections = {c.name: SectionView(c.name) for c in self.catalogue}
        self.children = [self.header, self.range, self.feedback, self.drawing,
                         *self.sections.values()]

    # -- reading ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read every kind the charts use and redraw what changed; a kind that fails says why.

        Inside a kernel this returns at once and the work goes on one step at a time after it
        (the app shows the page meanwhile), each step a turn of the kernel's loop, so a click
        the person makes is handled before the next chart; elsewhere (tests, scripts) it is
        all done before it returns.
        """
        self._turn += 1
        loop = _kernel_loop()
        if loop is None:
            self._finish(self._refresh_steps())
            return
        self.drawing.value = '<p class="wb-opening" role="status">Drawing your charts…</p>'
        loop.call_soon(self._step, loop, self._refresh_steps(), self._turn)

    def _step(self, loop: asyncio.AbstractEventLoop, steps: Iterator[None], turn: int) -> None:
        """One step of a drawing, then the next one queued behind whatever else is waiting."""
        if turn != self._turn:  # a newer refresh, or the person changed the range: stop here
            return
        try:
            with sent_whole():  # what the step builds reaches the page whole
                next(steps)
        except StopIteration:
            return
        except Exception as exc:  # never a lost traceback
            log.exception("could not draw the progress page")
            self._failed(exc)
            return
        loop.call_soon(self._step, loop, steps, turn)

    def _finish(self, steps: Iterator[None]) -> None:
        try:
            for _ in steps:
                pass
        except Exception as exc:  # never a lost traceback
            log.exception("could not draw the progress page")
            self._failed(exc)

    def _failed(self, exc: Exception) -> None:
        self.drawing.value = ""
        self.feedback.fail(f"The charts could not be drawn ({type(exc).__name__}: {exc}). "
                           "Your entries are safe.")

    def _refresh_steps(self) -> Iterator[None]:
        """Read (the first step), then draw one section per step."""
        import pandas as pd

        from workbook import chart_catalogue
        from workbook.chart_catalogue import Entries

        self._sections()
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
        old = self.frames
        same = bool(old) and all(frames[k].equals(old.get(k)) for k in kinds)
        if not same or problems:
            self.entries = Entries(frames)
            self._drawn = {}
        yield
        yield from self._draw_steps(problems)

    def _words(self, kind: str) -> str:
        """'mood check-in', 'PHQ-9 and GAD-7 check-in': the exercise's title inside a sentence."""
        try:
            title = self.store.exercise(kind).title
        except Exception:  # noqa: BLE001 - only words for a message
            return kind.replace("_", " ")
        return title if title[1:2].isupper() else title[:1].lower() + title[1:]

    def period(self) -> Period:
        from workbook import analysis
        from workbook.progress import Period

        days = self.range.value
        entries = self.entries
        start, end = analysis.window(days or None, self.today,
                                     entries.earliest() if entries is not None else None)
        return Period(start, end, days)

    # -- drawing ---------------------------------------------------------------------------
    def redraw(self, problems: list[str] | None = None) -> None:
        """Draw every section for the chosen range; one that fails says so and the rest still draw.

        What was drawn for a range is kept until the data changes, so going back to a range
        is instant. The person asked for it: drawn now, whatever was still being drawn stops.
        """
        self._turn += 1
        if self.entries is None:  # not read yet: read first
            self._finish(self._refresh_steps())
            return
        self._finish(self._draw_steps(list(problems or [])))

    def _draw_steps(self, problems: list[str]) -> Iterator[None]:
        try:
            period = self.period()
        except Exception as exc:  # never a lost traceback
            log.exception("could not work out the range")
            self.drawing.value = ""
            self.feedback.fail("\n".join([*problems, f"The charts could not be drawn ({type(exc).__name__}: "
                                                      f"{exc}). Your entries are safe."]))
            return
        drawn = self._drawn.get(period)
        if drawn is None:
            drawn, failures = [], []
            for chart in self.catalogue:
                part, failure = self._draw_one(chart, period)
                drawn.append(part)
                failures += failure
                self.sections[part.name].show(part)
                yield
            if not failures:
                self._drawn[period] = drawn
            problems += failures
        else:
            for part in drawn:
                self.sections[part.name].show(part)
        self.drawing.value = ""
        if problems:
            self.feedback.fail("\n".join(problems))
        else:
            self.feedback.clear()

    def _draw_one(self, chart: ProgressChart, period: Period) -> tuple[Drawn, list[str]]:
        from workbook import chart_catalogue

        try:
            return chart_catalogue.draw(chart, self.entries, period), []
        except Exception as exc:  # a chart that fails must not hide the others
            log.exception("could not draw %s", chart.name)
            return (Drawn(chart.name, chart.title, (Note("This chart could not be drawn just now."),)),
                    [f"The {chart.title} chart could not be drawn ({type(exc).__name__}: {exc}). "
                     "Your entries are safe."])
