"""Share with your therapist: pick dates and kinds, make a bundle, download it. Nothing is ticked."""

from __future__ import annotations

import base64
import datetime as dt
import io
import logging
from collections.abc import Callable

import ipywidgets as w
import traitlets

from workbook.bundle import Manifest, make_bundle
from workbook.store import Store
from workbook.ui.form import Feedback
from workbook.ui.text import esc

log = logging.getLogger(__name__)

DEFAULT_DAYS = 30


def download_name(today: dt.date) -> str:
    return f"between-sessions-{today.isoformat()}.zip"


def _size(count: int) -> str:
    return f"{count / 1024:.0f} KB" if count < 1024 * 1024 else f"{count / 1024 / 1024:.1f} MB"


class SharePanel(w.VBox):
    """A bundle for the care team, made on this computer; `manifest` holds the last one made."""

    manifest = traitlets.Instance(Manifest, allow_none=True, help="The bundle last made, or None.")

    def __init__(self, store: Store, today: dt.date | Callable[[], dt.date] | None = None):
        self.store = store
        # A page can stay open past midnight: "today" is asked for when it is needed, not kept.
        if today is None:
            self._clock: Callable[[], dt.date] = dt.date.today
        elif callable(today):
            self._clock = today
        else:
            self._clock = lambda: today
        self.data = b""
        self._range_day = self.today
        self._range_chosen = False  # True once the person picks a date themselves
        self.start = w.DatePicker(description="From", value=self._default_start(self._range_day))
        self.start.add_class("wb-range-from")
        self.end = w.DatePicker(description="To", value=self._range_day)
        self.end.add_class("wb-range-to")
        self.kinds: dict[str, w.Checkbox] = {}
        for kind, exercise in store.catalog.items():
            box = w.Checkbox(value=False, description=exercise.title, indent=False,
                             layout=w.Layout(width="auto"))
            box.add_class(f"wb-share-kind-{kind}")
            self.kinds[kind] = box
        self.button = w.Button(description="Make bundle", button_style="primary",
                               layout=w.Layout(width="auto"))
        self.button.add_class("wb-make-bundle")
        self.download = w.HTML()
        self.download.add_class("wb-download")
        self.feedback = Feedback()
        header = w.HTML(
            '<h2 class="wb-title">Share with your care team</h2>'
            '<p class="wb-intro">Make one file to give your therapist: a report (web page and PDF) '
            "and spreadsheet copies of the entries you choose. Nothing is shared unless you tick it, "
            "and the file comes straight to you as a download: nobody else gets a copy, and you "
            "decide where it goes.</p>")
        choose = w.HTML('<p class="wb-help">What to include:</p>')
        super().__init__([header, w.HBox([self.start, self.end], layout=w.Layout(flex_flow="row wrap")),
                          choose, w.VBox(list(self.kinds.values())), self.button, self.feedback,
                          self.download])
        self.add_class("wb-share")
        self.add_class("wb-page")
        self.add_class("wb-page-share")
        self.button.on_click(self.feedback.guard(lambda _: self.make()))
        for control in (self.start, self.end, *self.kinds.values()):
            control.observe(lambda _change: self._stale(), names="value")
        for picker in (self.start, self.end):
            picker.observe(self._picked, names="value")

    @property
    def today(self) -> dt.date:
        return self._clock()

    @staticmethod
    def _default_start(day: dt.date) -> dt.date:
        return day - dt.timedelta(days=DEFAULT_DAYS - 1)

    def _picked(self, _change: object) -> None:
        if not self._moving:
            self._range_chosen = True

    _moving = False

    def follow_today(self) -> None:
        """Move the untouched default range on to today (a page left open overnight).

        A range the person picked stays exactly as they picked it."""
        day = self.today
        if self._range_chosen or day == self._range_day:
            return
        self._moving = True
        try:
            self.end.value = day
            self.start.value = self._default_start(day)
        finally:
            self._moving = False
        self._range_day = day

    def refresh(self) -> None:
        self.follow_today()

    def chosen(self) -> list[str]:
        return [kind for kind, box in self.kinds.items() if box.value]

    def _stale(self) -> None:
        """A changed choice makes the last link out of date: take it away rather than mislead."""
        if self.download.value:
            self.download.value = ""
            self.data = b""
            self.manifest = None
            self.feedback.clear()

    def make(self) -> Manifest | None:
        """Make the bundle in memory and offer it as a download link (a data: URL, so it stays here)."""
        self.follow_today()
        self._stale()
        buffer = io.BytesIO()
        try:
            manifest = make_bundle(self.store, buffer, self.start.value, self.end.value, self.chosen())
        except ValueError as exc:
            self.feedback.fail(str(exc))
            return None
        except OSError as exc:
            log.exception("could not make the bundle")
            self.feedback.fail(f"The bundle could not be made: your entries could not be read just now "
                               f"({exc.strerror or exc}). Nothing was shared; try again in a moment.")
            return None
        self.data = buffer.getvalue()
        counts = ", ".join(f"{self.store.exercise(k).title}: {n}" for k, n in manifest.counts.items())
        name = download_name(self.today)
        link = base64.b64encode(self.data).decode("ascii")
        self.download.value = (
            f'<a class="wb-download-link" download="{esc(name)}" '
            f'href="data:application/zip;base64,{link}">Download {esc(name)} ({_size(len(self.data))})</a>'
            '<p class="wb-help">Opening the link saves the file on this computer; nothing is sent '
            "anywhere. Give it to your therapist the way you agreed (in person, by email, on a "
            "stick).</p>")
        self.feedback.ok(f"Bundle ready, {manifest.start} to {manifest.end}. {counts}.")
        self.manifest = manifest
        return manifest
