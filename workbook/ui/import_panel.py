"""Bring history in: pick the format, choose the file, check what would come in, then add it.

Nothing is written until the person presses the add button under the preview: the preview says
how many entries of each kind are new, for which dates, what is already in the workbook, and
asks for a place on the 0-10 scale for each mood name Daylio does not define. Everything shown
from the file (problems quote mood names and dates from it) is escaped.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

from workbook.importers import (
    DAYLIO_MOODS,
    FORMAT_NAMES,
    ImportPlan,
    ImportRefused,
    ImportResult,
    Preview,
    guess_format,
    read_daylio,
    read_entries,
    read_freecbt,
)
from workbook.store import Store
from workbook.ui.form import Feedback
from workbook.ui.text import esc

FORMATS = (("Daylio", "daylio"), ("FreeCBT or Quirk", "freecbt"), ("Between Sessions", "bundle"))
ACCEPT = {
    "daylio": ".csv,.daylio,text/csv",
    "freecbt": ".json,.csv,application/json,text/csv",
    "bundle": ".zip,.csv,application/zip,text/csv",
}
HELP = {
    "daylio": "In Daylio: More, then Export Entries (CSV), or Backup &amp; Restore for a .daylio backup. "
              "A backup knows where your own mood names sit, so nothing needs placing.",
    "freecbt": "In FreeCBT: Export, then JSON or CSV. Quirk's JSON export works too.",
    "bundle": "A share bundle or <code>workbook export</code> zip, a take-home zip from a workshop, a "
              "backup zip, or one of the CSV files from them. Entries already here are not added twice.",
}
NOT_PLACED = "Leave out for now"
SCALE_CHOICES = [(NOT_PLACED, None)] + [
    (f"{n}" + (" (best)" if n == 10 else " (lowest)" if n == 0 else ""), n) for n in range(10, -1, -1)
]
SHOWN_PROBLEMS = 100


class ImportPanel(w.VBox):
    """The import tool (`wb-import`): format, file (`wb-upload`), Check (`wb-import-button`),
    then a preview (`wb-import-preview`) with a place on the scale for each unknown mood name
    (`wb-import-mood`) and the button that writes (`wb-import-confirm`) or forgets it (`wb-import-cancel`).
    """

    def __init__(self, store: Store, on_imported: Callable[[ImportResult], None] | None = None):
        self.store = store
        self.on_imported = on_imported or (lambda _result: None)
        self.result: ImportResult | None = None
        self.plan: ImportPlan | None = None
        self.file_name = ""
        intro = w.HTML(
            '<h2 class="wb-title">Bring in your history</h2>'
            '<p class="wb-intro">Moods from Daylio, thought records from FreeCBT or Quirk, and entries '
            "from a Between Sessions bundle or export can join what you write here. Choose the file: "
            "you see what would come in before anything is added.</p>"
        )
        self.format = w.ToggleButtons(options=FORMATS, value="daylio", description="From")
        self.format.add_class("wb-import-format")
        self.format_help = w.HTML(f'<p class="wb-help">{HELP["daylio"]}</p>')
        self.upload = w.FileUpload(accept=ACCEPT["daylio"], multiple=False, description="Choose file")
        self.upload.add_class("wb-upload")
        self.import_button = w.Button(description="Check the file", button_style="primary",
                                      layout=w.Layout(width="auto"))
        self.import_button.add_class("wb-import-button")
        self.feedback = Feedback()
        self.summary = w.HTML()
        self.summary.add_class("wb-import-summary")
        self.moods_help = w.HTML()
        self.moods = w.VBox()
        self.mood_pickers: dict[str, w.Dropdown] = {}
        self.confirm_button = w.Button(description="Add them", button_style="primary",
                                       layout=w.Layout(width="auto"))
        self.confirm_button.add_class("wb-import-confirm")
        self.cancel_button = w.Button(description="Cancel", layout=w.Layout(width="auto"))
        self.cancel_button.add_class("wb-import-cancel")
        self.preview_box = w.VBox([self.summary, self.moods_help, self.moods,
                                   w.HBox([self.confirm_button, self.cancel_button])])
        self.preview_box.add_class("wb-import-preview")
        self.preview_box.layout.display = "none"
        self.problems = w.HTML()
        self.problems.add_class("wb-import-problems")
        self.import_button.on_click(self.feedback.guard(lambda _: self.check()))
        self.confirm_button.on_click(self.feedback.guard(lambda _: self.confirm()))
        self.cancel_button.on_click(self.feedback.guard(lambda _: self.cancel()))
        self.format.observe(self._format_changed, names="value")
        self.upload.observe(lambda _change: self._forget(), names="value")
        super().__init__([intro, self.format, self.format_help, self.upload, self.import_button,
                          self.feedback, self.preview_box, self.problems])
        self.add_class("wb-import")

    def _format_changed(self, change: dict) -> None:
        self.upload.accept = ACCEPT[change["new"]]
        self.format_help.value = f'<p class="wb-help">{HELP[change["new"]]}</p>'
        self._forget()
        self.feedback.clear()
        self.problems.value = ""

    def _forget(self) -> None:
        """Drop a checked file that was not added (another file or format was chosen)."""
        self.plan = None
        self.preview_box.layout.display = "none"

    def check(self) -> Preview | None:
        """Read the chosen file and show what would come in; nothing is written."""
        self._forget()
        self.problems.value = ""
        files = self.upload.value
        if not files:
            self.feedback.fail("Choose the exported file first, then Check the file.")
            return None
        upload = files[0]
        self.file_name = str(upload.get("name") or "The file")
        data = bytes(upload["content"])
        self.feedback.ok("Checking the file… a long history can take a few seconds.")
        self.import_button.disabled = True
        try:
            if self.format.value == "daylio":
                plan = read_daylio(data, self.store)
            elif self.format.value == "freecbt":
                plan = read_freecbt(data, self.store)
            else:
                plan = read_entries(data, self.store, name=self.file_name)
        except ImportRefused as exc:
            hint = ""
            likely = guess_format(data)
            if likely and likely != self.format.value:
                hint = (f" It looks like a file from {FORMAT_NAMES[likely]}: choose {FORMAT_NAMES[likely]} "
                        "above, then Check the file again.")
            self.feedback.fail(f"{self.file_name}: {exc} Nothing was imported.{hint}")
            return None
        finally:
            self.import_button.disabled = False
        self.plan = plan
        self._build_mood_pickers(plan.unknown_moods)
        self.feedback.clear()
        return self._show_preview()

    def _build_mood_pickers(self, names: tuple[str, ...]) -> None:
        self.mood_pickers = {}
        rows = []
        for name in names:
            picker = w.Dropdown(options=SCALE_CHOICES, value=None, description=name,
                                style={"description_width": "initial"})
            picker.add_class("wb-import-mood")
            picker.observe(self.feedback.guard(lambda _change: self._show_preview()), names="value")
            self.mood_pickers[name] = picker
            rows.append(picker)
        self.moods.children = rows
        if names:
            defaults = ", ".join(f"{k} {v}" for k, v in DAYLIO_MOODS.items())
            self.moods_help.value = (
                '<p class="wb-help">These mood names are your own. Give each a place on the scale from '
                f"0 (lowest) to 10 (best); Daylio's own are set already ({defaults}). Entries with a "
                "name you leave out wait until you import the file again.</p>")
        else:
            self.moods_help.value = ""

    def _placed_plan(self) -> ImportPlan:
        assert self.plan is not None
        placed = {name: p.value for name, p in self.mood_pickers.items() if p.value is not None}
        return self.plan.with_moods(placed)

    def _show_preview(self) -> Preview | None:
        if self.plan is None:
            return None
        plan = self._placed_plan()
        preview = plan.preview(self.store)
        titles = {kind: exercise.title for kind, exercise in self.store.catalog.items()}
        items = "".join(f"<li>{esc(line)}</li>" for line in preview.lines(titles))
        sentences = "".join(f"<p>{esc(s)}</p>" for s in (plan.cut_off, *plan.notes) if s)
        count = preview.total
        noun = "entry" if count == 1 else "entries"
        head = (f"<p><strong>{esc(self.file_name)}</strong> would add {count} {noun}. Nothing is added "
                "until you say so.</p>" if count else
                f"<p><strong>{esc(self.file_name)}</strong> has nothing new to add.</p>")
        self.summary.value = f"{head}<ul>{items}</ul>{sentences}"
        self.confirm_button.description = f"Add {count} {noun}" if count else "Nothing to add"
        self.confirm_button.disabled = count == 0
        self.problems.value = problem_list(plan.problems)
        self.preview_box.layout.display = None
        return preview

    def confirm(self) -> ImportResult | None:
        """Write what the preview showed; the summary goes to `wb-status`."""
        if self.plan is None:
            self.feedback.fail("Check a file first; nothing was added.")
            return None
        plan = self._placed_plan()
        self.confirm_button.disabled = True
        try:
            result = plan.apply(self.store)
        finally:
            self.confirm_button.disabled = False
        self.result = result
        self._forget()
        self.feedback.ok(result.summary())
        shown = tuple(p for p in result.problems if p not in result.waiting)
        self.problems.value = problem_list(shown, result.unmapped_moods)
        self.on_imported(result)
        return result

    def cancel(self) -> None:
        """Forget the checked file; nothing was written."""
        self._forget()
        self.problems.value = ""
        self.feedback.ok("Nothing was added.")


def problem_list(problems: tuple[str, ...], waiting: tuple[str, ...] = ()) -> str:
    """The problems as an escaped list (at most SHOWN_PROBLEMS), and the mood names left waiting."""
    if not problems and not waiting:
        return ""
    items = "".join(f"<li>{esc(p)}</li>" for p in problems[:SHOWN_PROBLEMS])
    more = len(problems) - SHOWN_PROBLEMS
    if more > 0:
        items += f"<li>…and {more} more.</li>"
    hint = ""
    if waiting:
        names = esc(", ".join(waiting))
        hint = (f'<p class="wb-help">Moods you named yourself and left out for now: {names}. '
                "Their entries come in when you import the file again and give each name a place on "
                "the scale; what is already in is not added twice.</p>")
    listed = f"<ul>{items}</ul>" if items else ""
    return f'<div class="wb-problems">{listed}{hint}</div>'
