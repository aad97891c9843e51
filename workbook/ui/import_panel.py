"""Bring history in from another app: pick the format, upload the export, Import.

Everything shown from the file (problems quote mood names and dates from it) is escaped.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import ipywidgets as w

from workbook.importers import ImportRefused, ImportResult, import_daylio, import_freecbt, parse_mapping
from workbook.store import Store
from workbook.ui.form import Feedback
from workbook.ui.text import esc

FORMATS = (("Daylio (CSV)", "daylio"), ("FreeCBT or Quirk (JSON)", "freecbt"))
ACCEPT = {"daylio": ".csv,text/csv", "freecbt": ".json,application/json"}
SHOWN_PROBLEMS = 100


class ImportPanel(w.VBox):
    """The import tool (`wb-import`): format, file (`wb-upload`), Import (`wb-import-button`)."""

    def __init__(self, store: Store, on_imported: Callable[[ImportResult], None] | None = None):
        self.store = store
        self.on_imported = on_imported or (lambda _result: None)
        self.result: ImportResult | None = None
        intro = w.HTML(
            '<h2 class="wb-title">Bring in your history</h2>'
            '<p class="wb-intro">Moods from Daylio and thought records from FreeCBT or Quirk can join '
            "what you write here. Export them from the app, then choose the file below. "
            "Importing the same file again adds nothing twice.</p>"
        )
        self.format = w.ToggleButtons(options=FORMATS, value="daylio", description="From")
        self.format.add_class("wb-import-format")
        self.mapping = w.Text(
            description="Own moods",
            placeholder="great=9, so-so=5",
            layout=w.Layout(width="auto"),
        )
        self.mapping.add_class("wb-import-map")
        self.mapping_help = w.HTML(
            '<p class="wb-help">Renamed your moods in Daylio? Give each name a number from 0 (lowest) '
            "to 10 (best). Daylio's own moods are set already: awful 1, bad 3, meh 5, good 7, rad 9.</p>"
        )
        self.mapping_box = w.VBox([self.mapping, self.mapping_help])
        self.upload = w.FileUpload(accept=ACCEPT["daylio"], multiple=False, description="Choose file")
        self.upload.add_class("wb-upload")
        self.import_button = w.Button(description="Import", button_style="primary",
                                      layout=w.Layout(width="auto"))
        self.import_button.add_class("wb-import-button")
        self.feedback = Feedback()
        self.problems = w.HTML()
        self.problems.add_class("wb-import-problems")
        self.import_button.on_click(self.feedback.guard(lambda _: self.run_import()))
        self.format.observe(self._format_changed, names="value")
        super().__init__([intro, self.format, self.mapping_box, self.upload, self.import_button,
                          self.feedback, self.problems])
        self.add_class("wb-import")

    def _format_changed(self, change: dict) -> None:
        self.upload.accept = ACCEPT[change["new"]]
        self.mapping_box.layout.display = None if change["new"] == "daylio" else "none"
        self.feedback.clear()
        self.problems.value = ""

    def run_import(self) -> ImportResult | None:
        """Import the chosen file; the summary goes to `wb-status`, a refusal to `wb-error`."""
        self.problems.value = ""
        files = self.upload.value
        if not files:
            self.feedback.fail("Choose the exported file first, then Import.")
            return None
        upload = files[0]
        name = str(upload.get("name") or "The file")
        data = bytes(upload["content"])
        self.feedback.ok("Importing… a long history can take a minute.")
        self.import_button.disabled = True
        try:
            if self.format.value == "daylio":
                mapping = parse_mapping(t for t in re.split(r"[,\n]", self.mapping.value) if t.strip())
                result = import_daylio(data, self.store, mapping=mapping)
            else:
                result = import_freecbt(data, self.store)
        except ImportRefused as exc:
            self.feedback.fail(f"{name}: {exc} Nothing was imported.")
            return None
        except ValueError as exc:  # the own-moods box
            self.feedback.fail(f"Own moods: {exc}")
            return None
        finally:
            self.import_button.disabled = False
        self.result = result
        self.feedback.ok(result.summary())
        self.problems.value = problem_list(result)
        self.on_imported(result)
        return result


def problem_list(result: ImportResult) -> str:
    """The problems as an escaped list (at most SHOWN_PROBLEMS), with a hint for unknown moods."""
    if not result.problems:
        return ""
    items = "".join(f"<li>{esc(p)}</li>" for p in result.problems[:SHOWN_PROBLEMS])
    more = len(result.problems) - SHOWN_PROBLEMS
    if more > 0:
        items += f"<li>…and {more} more.</li>"
    hint = ""
    if result.unmapped_moods:
        names = ", ".join(result.unmapped_moods)
        hint = (f'<p class="wb-help">Moods you named yourself: {esc(names)}. Give each a number in '
                "<em>Own moods</em> above, like great=9, and Import again; what is already in is "
                "not added twice.</p>")
    return f'<div class="wb-problems"><ul>{items}</ul>{hint}</div>'
