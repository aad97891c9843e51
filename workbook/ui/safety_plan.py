"""The safety plan: one plan, the latest saved version shown, printable, never required.

Each Save adds a new row to safety_plan.csv, so an earlier version is never overwritten; the
page always opens on the newest one. A first plan starts with the person's crisis list in its
"professionals and crisis lines" part.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as w

from workbook.exercises import Exercise, content
from workbook.store import Store
from workbook.ui.controls import download_link
from workbook.ui.form import ExerciseForm
from workbook.ui.help import crisis_resources, crisis_text
from workbook.ui.page import Links
from workbook.ui.pages import ToolPage
from workbook.ui.text import esc, esc_lines, shorten
from workbook.words import plural, when

KIND = "safety_plan"
PRINT_FILE = "my-safety-plan.html"
PRINT_LABEL = "Download my plan to print"


def latest_plan(records: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The version saved last (by `created_at`; the file's order breaks ties)."""
    if not records:
        return None
    return max(enumerate(records), key=lambda pair: (str(pair[1].get("created_at") or ""), pair[0]))[1]


def starter_values(store: Store) -> dict[str, Any]:
    """A first plan: empty, except the crisis lines the person already has."""
    return {"professionals": crisis_text(store)}


def printable_html(exercise: Exercise, plan: dict[str, Any], crisis: list[dict[str, str]]) -> str:
    """The plan as a page of its own, made to be printed: no script, nothing fetched."""
    words = content("safety_plan.yaml")
    sections = []
    for f in exercise.fields:
        text = plan.get(f.name)
        body = (f"<p>{esc_lines(text)}</p>" if text
                else f'<p class="empty">{esc(words["empty_section"])}</p>')
        sections.append(f"<section><h2>{esc(f.label)}</h2>{body}</section>")
    saved = f"<p class=\"meta\">Saved {esc(when(str(plan['created_at'])))}</p>" if plan.get(
        "created_at") else ""
    lines = "".join(f"<li><strong>{esc(r['name'])}</strong>: {esc(r['contact'])}</li>" for r in crisis)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(exercise.title)}</title><style>"
        "body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:1.5rem auto;padding:0 1rem;"
        "color:#111;background:#fff}h1{font-size:1.6rem;margin:0 0 .2rem}"
        "h2{font-size:1.1rem;margin:1.2rem 0 .2rem;border-bottom:1px solid #999}"
        "section{break-inside:avoid}.empty{color:#555;min-height:3.5rem}"
        ".meta,.credit{color:#444;font-size:.9rem}"
        "@media print{body{margin:0;max-width:none}a{color:inherit}}</style></head><body>"
        f"<h1>{esc(exercise.title)}</h1>{saved}<p>{esc(words['how_to_use'])}</p>"
        f"{''.join(sections)}"
        f"<h2>Crisis lines in my workbook</h2><ul>{lines}</ul>"
        f"<p class=\"meta\">{esc(words['print_note'])}</p>"
        f"<p class=\"credit\">{esc(words['credit'])}</p></body></html>"
    )


def _normal(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v if v not in ("", None) else None) for k, v in values.items()}


class SafetyPlanForm(ExerciseForm):
    """Every part of the plan at once; Save keeps a new version and leaves the plan on screen."""

    saved_message = "Your safety plan is saved. It is here whenever you need it."

    def __init__(self, exercise: Exercise, store: Store, on_saved: Callable[[str], None] | None = None):
        super().__init__(exercise, store, on_saved)
        self.save_button.description = "Save my plan"

    def save(self) -> str:
        entry_id = self.store.add(self.exercise.kind, self.values())
        self.editing = None
        self.cancel_button.layout.display = "none"
        self._show_heading()
        self.feedback.ok(self.saved_message)
        self.on_saved(entry_id)
        return entry_id

    def edit(self, entry: dict[str, Any]) -> None:
        """Open an earlier version: Save then makes it the current plan again (as a new version)."""
        self.load(entry)
        self.feedback.ok(f"This is the version saved {when(str(entry.get('created_at') or ''))}. "
                         "Save to make it your plan again; the newer one is kept too.")
        self._show_heading(focus=True, text="An earlier version of your plan")

    def load(self, values: dict[str, Any]) -> None:
        """Put a version (or starting values) in the form, without entering edit mode."""
        for name, entry_input in self.inputs.items():
            entry_input.set(values.get(name))


class SafetyPlanPage(ToolPage):
    """The plan (`wb-page-safety_plan`), its printable copy (`wb-safety-plan-print`), versions."""

    form_class = SafetyPlanForm

    def __init__(self, exercise: Exercise, store: Store, links: Links | None = None):
        self._shown: dict[str, Any] | None = None
        super().__init__(exercise, store, links)
        self.entries.title.value = "<h3>Saved versions</h3>"

    def extra_top(self) -> list[w.Widget]:
        words = content("safety_plan.yaml")
        note = w.HTML(f'<p class="wb-help">{esc(words["how_to_use"])}</p>'
                      f'<p class="wb-help">{esc(words["never_required"])}</p>')
        note.add_class("wb-safety-plan-note")
        return [note]

    def _saved(self, entry_id: str) -> None:
        self._shown = _normal(self.form.values())
        super()._saved(entry_id)

    def refresh(self) -> None:
        super().refresh()
        self._load_latest()

    def _load_latest(self) -> None:
        """Show the newest version, unless the person has typed something not yet saved."""
        if self._shown is not None and _normal(self.form.values()) != self._shown:
            return
        try:
            latest = latest_plan(self.store.records(KIND))
        except Exception:  # noqa: BLE001 - the summary already says what went wrong
            return
        self.form.load(latest if latest is not None else starter_values(self.store))
        self._shown = _normal(self.form.values())

    def summarise(self, records: list[dict[str, Any]]) -> list[w.Widget]:
        words = content("safety_plan.yaml")
        latest = latest_plan(records)
        credit = f'<p class="wb-help wb-credit">{esc(words["credit"])}</p>'
        if latest is None:
            box = w.HTML('<p class="wb-empty">No plan saved yet. Whatever you write is kept when you '
                         f"press Save my plan; you can print it after that.</p>{credit}")
            box.add_class("wb-safety-plan-print")
            return [box]
        page = printable_html(self.exercise, latest, crisis_resources(self.store))
        earlier = len(records) - 1
        versions = (f" {plural(earlier, 'earlier version')} kept below."
                    if earlier else "")
        box = w.HTML(
            f'<p>Your plan, saved {esc(when(str(latest.get("created_at") or "")))}.{versions}</p>'
            f'<p>{download_link(page.encode("utf-8"), PRINT_FILE, "text/html;charset=utf-8", PRINT_LABEL)}'
            " <span class=\"wb-help\">(a web page: open it and print "
            "it, or keep it on your phone)</span></p>"
            f"{credit}")
        box.add_class("wb-safety-plan-print")
        return [box]

    def describe(self, entry: dict[str, Any]) -> str:
        filled = [f.label for f in self.exercise.fields if entry.get(f.name)]
        parts = f"{len(filled)} of {len(self.exercise.fields)} parts filled in"
        out = f"<strong>{esc(when(str(entry.get('created_at') or '')))}</strong> · {esc(parts)}"
        if entry.get("reasons"):
            out += ('<div class="wb-note"><em>Reasons to keep going:</em> '
                    f'{esc(shorten(entry["reasons"], 200))}</div>')
        return out

