"""One page per tool: the form, what the entries add up to, and the list of entries."""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from workbook import thoughts
from workbook.exercises import Exercise, content
from workbook.store import Store
from workbook.ui import chart_view
from workbook.ui.chart_view import ChartView
from workbook.ui.entries import EntryList
from workbook.ui.fields import auto_layout, html_widget, plain_layout, style_of
from workbook.ui.form import ExerciseForm, Feedback, StepForm
from workbook.ui.page import Links
from workbook.ui.text import esc, esc_lines, shorten
from workbook.words import number, plural

log = logging.getLogger(__name__)


class ToolPage(w.VBox):
    """A tool: heading, intro, form, summary (chart, counts) and recent entries.

    Every exercise's page is built the same way, `cls(exercise, store, links)`, and is a
    `workbook.ui.page.EntryPage`: the app calls `refresh()` when it is shown and `prefill()`
    to start an entry from another page's values.
    """

    form_class = ExerciseForm
    saved_message = ""

    def __init__(self, exercise: Exercise, store: Store, links: Links | None = None):
        self.exercise = exercise
        self.store = store
        self.links = links or Links()
        self.after_save: list[Callable[[str], None]] = list(self.links.on_saved)
        self.form = self.form_class(exercise, store, on_saved=self._saved)
        if self.saved_message:
            self.form.saved_message = self.saved_message
        self.summary = w.VBox(layout=plain_layout())
        self.summary.add_class("wb-summary")
        self.chart = ChartView(as_svg=True)  # the mood and wins charts: no renderer to start
        self.summary_feedback = Feedback()
        self.entries = EntryList(exercise.kind, store, self.describe, on_edit=self.form.edit,
                                 on_deleted=self.refresh)
        header = html_widget(f'<h2 class="wb-title">{esc(exercise.title)}</h2>'
                             f'<p class="wb-intro">{esc(exercise.intro)}</p>')
        self.homework_prompt = html_widget("", "wb-homework-prompt")
        super().__init__([header, self.homework_prompt, *self.extra_top(), self.form,
                          self.summary_feedback, self.summary, self.entries], layout=plain_layout())
        self.add_class("wb-page")
        self.add_class(f"wb-page-{exercise.kind}")

    def extra_top(self) -> list[w.Widget]:
        return []

    def prefill(self, values: dict[str, Any]) -> None:
        """Start a new entry from another page's values (a session's small step, say)."""
        self.form.prefill(values)

    def _saved(self, entry_id: str) -> None:
        self.refresh()
        for callback in self.after_save:
            callback(entry_id)

    def show_prompts(self) -> None:
        """The therapist's own prompts for this exercise, from current homework, above the form."""
        try:
            if not self.store.assignments():  # no homework: pandas and the parser stay unloaded
                self.homework_prompt.value = ""
                return
            from workbook.homework import prompts_for

            prompts = prompts_for(self.store, self.exercise.kind)
        except Exception:  # a homework file must never keep the form away
            log.exception("homework prompts could not be read")
            prompts = []
        self.homework_prompt.value = "".join(
            f'<div class="wb-homework-prompt-box"><strong>From your homework'
            f"{' (' + esc(who) + ')' if who else ''}:</strong> {esc_lines(prompt)}</div>"
            for who, prompt in prompts)

    def refresh(self) -> None:
        """Redraw the summary and the list from what is on disk."""
        self.show_prompts()
        try:
            records = self.store.records(self.exercise.kind)
        except Exception as exc:  # show it, keep the form usable
            log.exception("could not read entries")
            self.summary_feedback.fail("Your saved entries could not be shown just now; they have not "
                                       "been changed. The form above still works. Open this page "
                                       f"again in a moment to see them. ({exc})")
            return
        self.entries.refresh(records)
        problems = self.store.problems.get(self.exercise.kind) or []
        if problems:
            shown = problems[:5] + ([f"... and {len(problems) - 5} more."] if len(problems) > 5 else [])
            self.summary_feedback.fail("Some lines of your data file could not be read. Nothing "
                                       "has been deleted:\n" + "\n".join(shown)
                                       + "\nEverything else is here.")
        else:
            self.summary_feedback.clear()
        try:
            self.summary.children = self.summarise(records)
        except Exception as exc:
            log.exception("could not draw the summary")
            self.summary_feedback.fail(f"The chart could not be drawn ({exc}). Your entries are safe.")

    def summarise(self, records: list[dict[str, Any]]) -> list[w.Widget]:
        return []

    def describe(self, entry: dict[str, Any]) -> str:
        """An entry's line in the list: its `list_summary` from the exercise's file, else its first answer."""
        return esc(shorten(self.exercise.summarise(entry)))


class MoodPage(ToolPage):
    def summarise(self, records: list[dict[str, Any]]) -> list[w.Widget]:
        # plain Python on the records already read: no pandas or Altair between Save and "Saved"
        if not records:
            self.chart.message("Your mood chart appears here after your first check-in.")
            return [self.chart]
        daily = chart_view.mood_by_day(records, days=30)
        if not daily:
            self.chart.message("No check-ins in the last 30 days yet. Whenever you are ready.")
            return [self.chart]
        days = len(daily)
        moods = [row["mood"] for row in daily if row["mood"] is not None]
        mean = sum(moods) / len(moods) if moods else float("nan")
        text = (f"{plural(days, 'day')} with a check-in in the last 30 days; "
                f"average mood {mean:.1f} out of 10.")
        self.chart.draw(chart_view.mood_spec(daily), text)
        return [self.chart]

    def describe(self, entry: dict[str, Any]) -> str:
        parts = [f"<strong>Mood {esc(entry.get('mood'))}/10</strong>"]
        for name, label in (("anxiety", "anxiety"), ("energy", "energy")):
            if entry.get(name) is not None:
                parts.append(f"{label} {esc(entry[name])}/10")
        if entry.get("sleep_hours") is not None:
            parts.append(f"slept {esc(number(entry['sleep_hours'], None))} h")
        if entry.get("tags"):
            parts.append("tags: " + esc(", ".join(entry["tags"])))
        note = f'<div class="wb-note">{esc(shorten(entry["note"], 200))}</div>' if entry.get("note") else ""
        return " · ".join(parts) + note


class ThoughtRecordPage(ToolPage):
    form_class = StepForm
    saved_message = "Thought record saved. That took courage."

    def describe(self, entry: dict[str, Any]) -> str:
        out = f'<div class="wb-situation">{esc(shorten(entry.get("situation"), 160))}</div>'
        hot = thoughts.hot_thought(entry)
        if hot:
            out += f'<div class="wb-hot-line">Hot thought: “{esc(shorten(hot, 160))}”</div>'
        changes = []
        for name, before, after in thoughts.emotion_change(entry):
            b = "?" if before is None else before
            a = "not re-rated" if after is None else after
            changes.append(f"{esc(name)} {esc(b)} → {esc(a)}")
        if changes:
            out += f'<div class="wb-emotion-change">{"; ".join(changes)}</div>'
        if entry.get("balanced_thought"):
            out += (f'<div class="wb-balanced">Balanced thought: '
                    f'{esc(shorten(entry["balanced_thought"], 160))}</div>')
        return out


class WinsPage(ToolPage):
    def extra_top(self) -> list[w.Widget]:
        self.examples = html_widget("", "wb-examples")
        self.wins_week = html_widget()
        button = w.Button(description="Nothing comes to mind", layout=auto_layout(),
                          style=style_of(w.Button))
        button.add_class("wb-show-examples")
        button.on_click(lambda _: self.show_examples())
        return [w.VBox([button, self.examples], layout=plain_layout())]

    def show_examples(self, count: int = 4) -> None:
        items = content("win_examples.yaml")
        picked = random.sample(items, k=min(count, len(items)))
        lines = "".join(f"<li>{esc(i['text'])} <span class='wb-help'>({esc(i['category'])})</span></li>"
                        for i in picked)
        self.examples.value = ("<div class='wb-examples-box'><p>Small things count. Did any of these "
                               f"happen today, or something like them?</p><ul>{lines}</ul></div>")

    def summarise(self, records: list[dict[str, Any]]) -> list[w.Widget]:
        count = chart_view.wins_this_week(records, dt.date.today())
        if count == 0:
            text = "No wins saved this week yet. Even one small thing counts."
        else:
            text = f"{plural(count, 'win')} this week. Each one counts."
        total = self.wins_week  # one widget, its words changed in place after each save
        total.value = f'<p class="wb-wins-week">{esc(text)}</p>'
        if not records:
            return [total]
        weekly = chart_view.wins_by_week(records, weeks=8)
        total_8 = sum(row["wins"] for row in weekly)
        self.chart.draw(chart_view.wins_spec(weekly),
                        f"{plural(total_8, 'win')} in the last 8 weeks, week by week.")
        return [total, self.chart]

    def describe(self, entry: dict[str, Any]) -> str:
        out = f'<div class="wb-win-text">{esc_lines(shorten(entry.get("description"), 300))}</div>'
        extra = []
        if entry.get("category"):
            extra.append(esc(entry["category"]))
        if entry.get("effort") is not None:
            extra.append(f"felt {esc(entry['effort'])}/10 hard")
        if extra:
            out += f'<div class="wb-help">{" · ".join(extra)}</div>'
        return out


def page_class(kind: str) -> type[ToolPage]:
    """The page for an exercise; exercises without a page of their own get the plain one."""
    from workbook.ui.safety_plan import SafetyPlanPage
    from workbook.ui.treatment import CheckinPage, SessionPage

    pages = {"mood": MoodPage, "thought_record": ThoughtRecordPage, "win": WinsPage,
             "session": SessionPage, "checkin": CheckinPage, "safety_plan": SafetyPlanPage}
    return pages.get(kind, ToolPage)
