"""My homework: the assignments a therapist gave, and this week's progress counted from what is saved.

The person uploads the assignment file (`wb-upload`); its worksheets join the tools and it is
kept in the data folder. Each assignment shows the therapist's note, a checklist with this week's
count for each exercise and when the week's target is due, and a button to open the exercise.
Finished assignments (their last day has passed) are kept and shown apart. Every text that comes
from a file is escaped: a file is untrusted.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from workbook import homework, worksheets
from workbook.homework import Assignment, ItemProgress
from workbook.store import Store
from workbook.ui import controls
from workbook.ui.form import Feedback
from workbook.ui.text import esc, esc_lines, hosted
from workbook.words import full_day, plural

log = logging.getLogger(__name__)

ACCEPT = ".json,.yaml,.yml,application/json"


def uploaded_files(value: Any) -> list[tuple[str, bytes]]:
    """(name, content) of each file in a FileUpload's value (ipywidgets 8: a tuple of dicts)."""
    out = []
    for item in value or ():
        content = item.get("content", b"")
        out.append((str(item.get("name") or "the file"), bytes(content)))
    return out


def _times(count: int) -> str:
    return "once" if count == 1 else "twice" if count == 2 else f"{count} times"


class HomeworkPage(w.VBox):
    """The client's homework (`wb-page-homework`): upload, checklists, worksheets, finished ones.

    `open_tool(kind)` opens an exercise's page; the app passes its own `show`.
    """

    title = "My homework"

    def __init__(self, store: Store, open_tool: Callable[[str], None], today: dt.date | None = None):
        self.store = store
        self.open_tool = open_tool
        self.today = today
        self.assignments: list[Assignment] = []
        self.after_install: list[Callable[[Assignment], None]] = []
        where = ("The file is kept in your private workshop folder." if hosted(store)
                 else "The file stays on this computer.")
        header = w.HTML(
            f'<h2 class="wb-title">{esc(self.title)}</h2>'
            '<p class="wb-intro">What you and your therapist agreed to try between sessions. Add the '
            "file they gave you; counts come from what you save here, and every entry counts, "
            f"whenever it is written. {where}</p>")
        self.upload = w.FileUpload(accept=ACCEPT, multiple=False, description="Add homework file",
                                   layout=w.Layout(width="auto"))
        self.upload.add_class("wb-upload")
        self.feedback = Feedback()
        self.problems = w.HTML()
        self.problems.add_class("wb-homework-problems")
        self.current = w.VBox()
        self.current.add_class("wb-homework-current")
        self.tools = w.VBox()
        self.tools.add_class("wb-homework-tools")
        self.finished = w.VBox()
        self.finished.add_class("wb-homework-finished")
        self.open_buttons: dict[str, list[w.Button]] = {}
        self.tool_buttons: dict[str, w.Button] = {}
        super().__init__([header, self.upload, self.feedback, self.problems, self.current, self.tools,
                          self.finished])
        self.add_class("wb-page")
        self.add_class("wb-page-homework")
        self.upload.observe(self.feedback.guard(self._uploaded), names="value")
        self.refresh()

    def _today(self) -> dt.date:
        return self.today or dt.date.today()

    # -- adding an assignment ---------------------------------------------------------------------
    def _uploaded(self, change: dict) -> None:
        files = uploaded_files(change["new"])
        if not files:
            return
        try:
            for name, content in files:
                self.install(content, name)
        finally:
            try:
                self.upload.value = ()  # let the same file be chosen again; frees its bytes
            except Exception:  # a front-end without this must not lose the result
                log.debug("could not clear the upload", exc_info=True)

    def install(self, content: bytes | str, name: str = "the file") -> Assignment | None:
        """Add an assignment from its file; a refused file says why in `wb-error`, nothing is kept."""
        try:
            assignment = homework.install(self.store, content)
        except ValueError as exc:
            self.feedback.fail(f"{name} was not added. {exc} Nothing you saved before has changed. "
                               "A homework file from your therapist is named like "
                               "homework-….json; if this was it, ask them for a new copy.")
            return None
        span = f"{full_day(assignment.start)} to {full_day(assignment.until)}"
        sheets = len(assignment.worksheets)
        extra = f" and {plural(sheets, 'new worksheet')}" if sheets else ""
        self.feedback.ok(f"Homework added: {plural(len(assignment.items), 'exercise')}{extra}, {span}.")
        self.refresh()
        for callback in self.after_install:
            callback(assignment)
        return assignment

    # -- drawing ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the kept assignments and count this week's entries again."""
        today = self._today()
        try:
            self.assignments, problems = homework.saved_assignments(self.store)
        except OSError as exc:
            log.exception("could not read the homework folder")
            self.assignments, problems = [], ["Your homework files could not be read just now; your "
                                              "entries are not affected. Open this page again in a "
                                              f"moment. ({exc})"]
        problems = problems + list(self.store.worksheet_problems)
        self.problems.value = "".join(f'<p class="wb-problem">{esc(p)}</p>' for p in problems)
        self.open_buttons = {}
        active = sorted((a for a in self.assignments if not a.finished(today)), key=lambda a: a.start)
        done = sorted((a for a in self.assignments if a.finished(today)), key=lambda a: a.until,
                      reverse=True)
        if active:
            self.current.children = [self._card(a, today) for a in active]
        else:
            message = ("No homework yet. When your therapist gives you a homework file, add it above."
                       if not done else "No current homework. Your finished homework is below.")
            self.current.children = [w.HTML(f'<p class="wb-empty">{esc(message)}</p>')]
        self.tools.children = self._tools()
        if done:
            heading = w.HTML('<h3 class="wb-homework-heading">Finished homework</h3>'
                             '<p class="wb-help">Kept here, with what you did.</p>')
            self.finished.children = [heading, *[self._finished_card(a, today) for a in done]]
        else:
            self.finished.children = []

    def _progress(self, assignment: Assignment, today: dt.date) -> list[ItemProgress]:
        return homework.progress(assignment, self.store, today)

    def _intro(self, assignment: Assignment, today: dt.date) -> str:
        who = f" from {esc(assignment.therapist)}" if assignment.therapist.strip() else ""
        span = f"{esc(full_day(assignment.start))} to {esc(full_day(assignment.until))}"
        when = (f"Starts {esc(full_day(assignment.start))}." if assignment.upcoming(today)
                else f"Until {esc(full_day(assignment.until))}.")
        note = (f'<blockquote class="wb-homework-note">{esc_lines(assignment.note)}</blockquote>'
                if assignment.note.strip() else "")
        return (f'<div class="wb-homework-head"><strong>Homework{who}</strong>, {span}. '
                f'<span class="wb-help">{when}</span></div>{note}')

    def _card(self, assignment: Assignment, today: dt.date) -> w.VBox:
        rows: list[w.Widget] = [w.HTML(self._intro(assignment, today))]
        for item in self._progress(assignment, today):
            rows.append(self._row(item, assignment, today))
        card = w.VBox(rows)
        card.add_class("wb-homework")
        return card

    def _row(self, item: ItemProgress, assignment: Assignment, today: dt.date) -> w.Widget:
        status = self._status(item, assignment, today)
        prompt = (f'<div class="wb-homework-prompt">{esc_lines(item.prompt)}</div>'
                  if item.prompt.strip() else "")
        text = w.HTML(f'<div class="wb-homework-item-text"><strong>{esc(item.title)}</strong> '
                      f'{status}{prompt}</div>')
        parts: list[w.Widget] = [text]
        if item.kind in self.store.catalog:
            button = controls.button("Open", "wb-homework-open", f"wb-open-{item.kind}")
            button.tooltip = f"Open {item.title}"
            button.on_click(self.feedback.guard(lambda _b, k=item.kind: self.open_tool(k)))
            self.open_buttons.setdefault(item.kind, []).append(button)
            parts.insert(0, button)
        row = w.HBox(parts, layout=w.Layout(align_items="flex-start", flex_flow="row wrap"))
        row.add_class("wb-homework-item")
        row.add_class(f"wb-homework-item-{item.kind}")
        if item.week_target and item.met_this_week:
            row.add_class("wb-homework-met")
        return row

    def _status(self, item: ItemProgress, assignment: Assignment, today: dt.date) -> str:
        if item.problem:
            return f'<div class="wb-problem">{esc(item.problem)}.</div>'
        aim = (f"aim: {_times(item.target_per_week)} a week" if item.target_per_week
               else "whenever it helps")
        if assignment.upcoming(today):
            return f'<span class="wb-help">({esc(aim)}; starts {esc(full_day(assignment.start))})</span>'
        started = f", and {item.drafts} started" if item.drafts else ""
        if item.week_target:
            count = f"{item.this_week} of {item.week_target} this week{started}"
            if item.met_this_week:
                count += " - done for this week, well done"
            due = f" This week's ends {full_day(item.due)}." if item.due else ""
        else:
            count = f"{item.this_week} this week{started}"
            due = ""
        return (f'<div class="wb-homework-count">{esc(count)}</div>'
                f'<div class="wb-help">{esc(aim[0].upper() + aim[1:])}.{esc(due)}</div>')

    def _finished_card(self, assignment: Assignment, today: dt.date) -> w.HTML:
        lines = []
        for item in self._progress(assignment, today):
            if item.problem:
                lines.append(f"<li>{esc(item.title)}: {esc(item.problem)}</li>")
            else:
                started = f", {item.drafts} started" if item.drafts else ""
                lines.append(f"<li>{esc(item.title)}: {item.in_period} done{esc(started)}</li>")
        html = w.HTML(f'{self._intro(assignment, today)}<ul class="wb-homework-summary">{"".join(lines)}'
                      "</ul>")
        html.add_class("wb-homework-done")
        return html

    def _tools(self) -> list[w.Widget]:
        """One button for each therapist-written worksheet: they are tools like the others."""
        sheets = [e for e in self.store.catalog.values() if worksheets.is_worksheet(e)]
        self.tool_buttons = {}
        if not sheets:
            return []
        buttons = []
        for sheet in sheets:
            button = controls.button(sheet.nav, "wb-homework-tool", f"wb-nav-{sheet.kind}")
            button.tooltip = f"Open the worksheet {sheet.title}"
            button.on_click(self.feedback.guard(lambda _b, k=sheet.kind: self.open_tool(k)))
            self.tool_buttons[sheet.kind] = button
            buttons.append(button)
        heading = w.HTML('<h3 class="wb-homework-heading">Your worksheets</h3>'
                         '<p class="wb-help">Worksheets from your therapist, saved like every other '
                         "entry.</p>")
        return [heading, w.HBox(buttons, layout=w.Layout(flex_flow="row wrap"))]
