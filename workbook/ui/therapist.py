"""For therapists: compose a homework assignment, and build a worksheet without writing YAML.

Both end in a download link (`wb-download`): a data: URL made here, so the file never leaves
this computer until the therapist gives it to the client. Nothing is written to any folder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from workbook import exercises, homework, worksheets
from workbook.exercises import Exercise
from workbook.homework import Assignment, Item
from workbook.ui import lab
from workbook.ui.controls import button, download_link
from workbook.ui.fields import build_input
from workbook.ui.form import Feedback
from workbook.ui.homework_page import uploaded_files
from workbook.ui.text import esc, esc_lines
from workbook.words import full_day, plural

DEFAULT_DAYS = 28
WORKSHEET_TARGET = 1


def _labelled(widget: w.Widget, css: str, label: str, width: str = "auto") -> w.Widget:
    widget.add_class(css)
    widget.description = label
    widget.style.description_width = "initial"
    widget.layout.width = width
    return widget


class ExerciseChoice(w.HBox):
    """One exercise of the composer: include it, how often a week, and an optional prompt."""

    def __init__(self, exercise: Exercise, target: int):
        self.exercise = exercise
        kind = exercise.kind
        self.include = w.Checkbox(value=False, description=exercise.title, indent=False,
                                  layout=w.Layout(width="16em"))
        self.include.add_class(f"wb-field-include_{kind}")
        self.target = w.BoundedIntText(value=target, min=0, max=homework.MAX_TARGET,
                                       layout=w.Layout(width="11em"))
        _labelled(self.target, f"wb-field-target_{kind}", "per week", "11em")
        self.prompt = w.Text(placeholder="your prompt (optional)", continuous_update=False)
        _labelled(self.prompt, f"wb-field-prompt_{kind}", "", "min(100%, 28em)")
        super().__init__([self.include, self.target, self.prompt],
                         layout=w.Layout(flex_flow="row wrap", align_items="center"))
        self.add_class("wb-composer-exercise")
        self.add_class(f"wb-composer-{kind}")

    def item(self) -> Item | None:
        if not self.include.value:
            return None
        return Item(kind=self.exercise.kind, target_per_week=int(self.target.value),
                    prompt=self.prompt.value.strip())


class AssignmentComposer(w.VBox):
    """Choose exercises and targets, dates, a note; Make the file (`wb-save`), then download it."""

    def __init__(self, today: dt.date | None = None):
        today = today or dt.date.today()
        self.assignment: Assignment | None = None
        self.data = b""
        self.therapist = _labelled(w.Text(continuous_update=False), "wb-field-therapist",
                                   "Your name (optional)", "min(100%, 28em)")
        self.client = _labelled(w.Text(continuous_update=False), "wb-field-client",
                                "Client's name or initials (optional)", "min(100%, 28em)")
        self.start = _labelled(w.DatePicker(value=today), "wb-field-start", "From")
        self.until = _labelled(w.DatePicker(value=today + dt.timedelta(days=DEFAULT_DAYS - 1)),
                               "wb-field-until", "Until")
        self.note = w.Textarea(rows=3, continuous_update=False, placeholder="A personal note for your client")
        _labelled(self.note, "wb-field-note", "Note", "100%")
        self.choices: dict[str, ExerciseChoice] = {}
        self.exercise_box = w.VBox()
        self.exercise_box.add_class("wb-composer-exercises")
        for kind, exercise in exercises.builtin().items():
            self.choices[kind] = ExerciseChoice(exercise, exercise.homework_target)
        self.worksheet_upload = w.FileUpload(accept=".yaml,.yml,.json", multiple=True,
                                             description="Load a worksheet", layout=w.Layout(width="auto"))
        self.worksheet_upload.add_class("wb-upload")
        self.worksheet_upload.add_class("wb-worksheet-upload")
        self.make_button = button("Make the homework file", "wb-save", style="primary")
        self.feedback = Feedback()
        self.download = w.HTML()
        self.download.add_class("wb-download")
        self._show_choices()
        header = w.HTML(
            '<h2 class="wb-title">Compose homework</h2>'
            '<p class="wb-intro">Tick the exercises, set how many times a week for each (a daily mood '
            "check-in is 7), the dates, and a note if you like. Make the file and give it to your "
            "client; they add it under <em>My homework</em>. Nothing is sent anywhere.</p>")
        dates = w.HBox([self.start, self.until], layout=w.Layout(flex_flow="row wrap"))
        choose = w.HTML('<p class="wb-help">Exercises, times per week, and a prompt of your own '
                        "(optional):</p>")
        sheets = w.HTML('<p class="wb-help">A worksheet of your own (YAML or JSON, or built below) '
                        "joins the list:</p>")
        super().__init__([header, self.therapist, self.client, dates, self.note, choose, self.exercise_box,
                          sheets, self.worksheet_upload, self.make_button, self.feedback, self.download])
        self.add_class("wb-composer")
        self.make_button.on_click(self.feedback.guard(lambda _: self.make()))
        self.worksheet_upload.observe(self.feedback.guard(self._worksheets_uploaded), names="value")
        self._watch(self.therapist, self.client, self.start, self.until, self.note)
        for choice in self.choices.values():
            self._watch(choice.include, choice.target, choice.prompt)

    def _watch(self, *controls: w.Widget) -> None:
        for control in controls:
            control.observe(lambda _change: self._stale(), names="value")

    def _stale(self) -> None:
        """A change makes the last file out of date: take its link away rather than mislead."""
        if self.download.value:
            self.download.value = ""
            self.data = b""
            self.assignment = None
            self.feedback.clear()

    def _show_choices(self) -> None:
        self.exercise_box.children = list(self.choices.values())

    # -- worksheets --------------------------------------------------------------------------------
    def _worksheets_uploaded(self, change: dict) -> None:
        files = uploaded_files(change["new"])
        if not files:
            return
        added = []
        for name, content in files:
            exercise = self.add_worksheet(content, filename=name)
            if exercise is None:
                break
            added.append(exercise.title)
        if added:
            self.feedback.ok(f"Added to the list: {', '.join(added)}.")
        try:
            self.worksheet_upload.value = ()
        except Exception:  # noqa: BLE001 - only tidying
            pass

    def add_worksheet(self, definition: str | bytes | Exercise, filename: str = "worksheet.yaml"
                      ) -> Exercise | None:
        """Add a worksheet (its description, or an Exercise) to the list, ticked; None if refused."""
        if isinstance(definition, Exercise):
            exercise = definition
        else:
            try:
                exercise = worksheets.parse(definition, filename=filename)
            except worksheets.WorksheetError as exc:
                self.feedback.fail(f"The worksheet was not added. {exc}")
                return None
        old = self.choices.get(exercise.kind)
        choice = ExerciseChoice(exercise, old.target.value if old else WORKSHEET_TARGET)
        choice.include.value = True
        if old:
            choice.prompt.value = old.prompt.value
        self.choices[exercise.kind] = choice
        self._watch(choice.include, choice.target, choice.prompt)
        self._show_choices()
        self._stale()
        return exercise

    # -- making the file -----------------------------------------------------------------------------
    def build(self) -> Assignment:
        """The assignment as chosen; AssignmentError (a ValueError) says what is missing."""
        items = [item for item in (c.item() for c in self.choices.values()) if item is not None]
        if not items:
            raise homework.AssignmentError("Tick at least one exercise.")
        if self.start.value is None or self.until.value is None:
            raise homework.AssignmentError("Choose the first and the last day.")
        sheets = [c.exercise for c in self.choices.values() if worksheets.is_worksheet(c.exercise)]
        return homework.make_assignment(start=self.start.value, until=self.until.value, items=items,
                                        note=self.note.value.strip(), therapist=self.therapist.value.strip(),
                                        client=self.client.value.strip(), worksheet_list=sheets)

    def file_name(self, assignment: Assignment) -> str:
        who = worksheets.slug(assignment.client)[:30]
        return f"homework-{who + '-' if who else ''}{assignment.start.isoformat()}.json"

    def make(self) -> Assignment | None:
        """Make the assignment file and offer it as a download link."""
        self._stale()
        try:
            assignment = self.build()
        except ValueError as exc:
            self.feedback.fail(f"No file yet. {exc}")
            return None
        self.data = assignment.to_json().encode("utf-8")
        self.assignment = assignment
        name = self.file_name(assignment)
        self.download.value = (
            download_link(self.data, name, "application/json")
            + '<p class="wb-help">The link saves the file on this computer; nothing is sent anywhere. '
            "Give it to your client the way you agreed (in person, by email, on a stick).</p>")
        count = len(assignment.items)
        self.feedback.ok(f"Homework file ready: {plural(count, 'exercise')}, "
                         f"{full_day(assignment.start)} to {full_day(assignment.until)}.")
        return assignment


class WorksheetBuilder(w.VBox):
    """Build a worksheet field by field (`wb-add-field`), see it as the client will, download its YAML.

    `on_use(text)` (e.g. the composer's `add_worksheet`) takes the description when the therapist
    clicks Use in this homework (`wb-use-worksheet`), and returns None when it refuses it.
    """

    def __init__(self, on_use: Callable[[str], Any] | None = None):
        self.on_use = on_use
        self.fields: list[dict[str, Any]] = []
        self.text = ""
        self.exercise: Exercise | None = None
        self.title = _labelled(w.Text(continuous_update=False), "wb-field-ws_title", "Title",
                               "min(100%, 28em)")
        self.intro = w.Textarea(rows=2, continuous_update=False,
                                placeholder="What the worksheet is for, in a sentence or two")
        _labelled(self.intro, "wb-field-ws_intro", "Intro", "100%")
        question = w.Text(continuous_update=False, placeholder="the question, e.g. What did you do?")
        self.label = _labelled(question, "wb-field-field_label", "Question", "min(100%, 28em)")
        self.type = _labelled(w.Dropdown(options=worksheets.BUILDER_TYPES, value="short text"),
                              "wb-field-field_type", "Answer")
        self.help = _labelled(w.Text(continuous_update=False), "wb-field-field_help", "Help (optional)",
                              "min(100%, 28em)")
        self.options = _labelled(w.Text(continuous_update=False, placeholder="alone, with someone"),
                                 "wb-field-field_options", "Choices, separated by commas", "min(100%, 28em)")
        self.options.add_class("wb-list")
        self.required = w.Checkbox(value=False, description="Needed to save", indent=False)
        self.required.add_class("wb-field-field_required")
        self.add_button = button("Add this question", "wb-add-field", style="info")
        self.field_list = w.VBox()
        self.field_list.add_class("wb-builder-fields")
        self.preview = w.VBox()
        self.preview.add_class("wb-preview")
        self.yaml_view = w.HTML()
        self.yaml_view.add_class("wb-yaml")
        self.download = w.HTML()
        self.download.add_class("wb-download")
        self.use_button = button("Use in this homework", "wb-use-worksheet", hidden_alone=True)
        self.use_button.layout.display = None if on_use else "none"
        self.feedback = Feedback()
        header = w.HTML(
            '<h2 class="wb-title">Build a worksheet</h2>'
            '<p class="wb-intro">Give it a title, then add its questions one by one. The preview shows '
            "it as your client will see it. Download the description to keep or share, or use it in "
            "the homework above.</p>")
        adder = w.VBox([self.label, self.type, self.options, self.help, self.required, self.add_button])
        adder.add_class("wb-builder-adder")
        preview_head = w.HTML('<h3 class="wb-builder-heading">Preview</h3>')
        super().__init__([header, self.title, self.intro, adder, self.feedback, self.field_list,
                          preview_head, self.preview, self.yaml_view, w.HBox([self.use_button]),
                          self.download])
        self.add_class("wb-builder")
        self.add_button.on_click(self.feedback.guard(lambda _: self.add_field()))
        self.use_button.on_click(self.feedback.guard(lambda _: self.use()))
        self.type.observe(lambda _change: self._show_options(), names="value")
        for control in (self.title, self.intro):
            control.observe(lambda _change: self.update(), names="value")
        self._show_options()
        self.update()

    def _show_options(self) -> None:
        self.options.layout.display = None if self.type.value in ("choice", "multiple choice") else "none"

    def new_field(self) -> dict[str, Any]:
        """The question being written, as a worksheet description's field."""
        spec: dict[str, Any] = {"label": self.label.value.strip(), "type": self.type.value}
        if self.type.value in ("choice", "multiple choice"):
            spec["options"] = [o.strip() for o in self.options.value.split(",") if o.strip()]
        if self.help.value.strip():
            spec["help"] = self.help.value.strip()
        if self.required.value:
            spec["required"] = True
        return spec

    def definition(self, fields: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"title": self.title.value.strip() or "Untitled worksheet"}
        if self.intro.value.strip():
            out["intro"] = self.intro.value.strip()
        out["fields"] = list(self.fields if fields is None else fields)
        return out

    def add_field(self) -> bool:
        """Add the question being written; a question that cannot be used is refused with why."""
        spec = self.new_field()
        if not spec["label"]:
            self.feedback.fail("Write the question first.")
            return False
        candidate = [*self.fields, spec]
        try:
            worksheets.parse(worksheets.to_yaml(self.definition(candidate)), filename="worksheet")
        except worksheets.WorksheetError as exc:
            self.feedback.fail(f"Not added: {exc.reason}")
            return False
        self.fields = candidate
        for control in (self.label, self.help, self.options):
            control.value = ""
        self.required.value = False
        self.update()
        self.feedback.ok(f"Added: {spec['label']}")
        return True

    def remove_field(self, index: int) -> None:
        del self.fields[index]
        self.update()

    def _field_rows(self) -> list[w.Widget]:
        rows = []
        for index, spec in enumerate(self.fields):
            extra = f" ({', '.join(spec['options'])})" if spec.get("options") else ""
            needed = ", needed" if spec.get("required") else ""
            text = w.HTML(f'<span class="wb-builder-field">{index + 1}. {esc(spec["label"])} '
                          f'<span class="wb-help">[{esc(spec["type"])}{esc(extra)}{needed}]</span></span>')
            remove = button("Remove", "wb-remove-field")
            remove.on_click(lambda _b, i=index: self.remove_field(i))
            rows.append(w.HBox([remove, text], layout=w.Layout(align_items="center")))
        return rows

    def update(self) -> None:
        """Redraw the list, the preview, the YAML and the download link from the fields."""
        self.field_list.children = self._field_rows()
        self.exercise, self.text = None, ""
        self.download.value = ""
        self.use_button.disabled = True
        if not self.fields:
            self.preview.children = [w.HTML('<p class="wb-empty">Add a question to see the worksheet.</p>')]
            self.yaml_view.value = ""
            return
        text = worksheets.to_yaml(self.definition())
        try:
            exercise = worksheets.parse(text, filename="worksheet")
        except worksheets.WorksheetError as exc:
            self.preview.children = []
            self.yaml_view.value = ""
            self.feedback.fail(f"The worksheet cannot be used yet: {exc.reason}")
            return
        head = w.HTML(f'<h3 class="wb-title">{esc(exercise.title)}</h3>'
                      + (f'<p class="wb-intro">{esc_lines(exercise.intro)}</p>' if exercise.intro else ""))
        self.preview.children = [head, *[build_input(f).widget for f in exercise.fields]]
        self.yaml_view.value = (f'<details><summary>The description (YAML)</summary>'
                                f'<pre class="wb-yaml-text">{esc(text)}</pre></details>')
        if not self.title.value.strip():
            self.download.value = ('<p class="wb-help wb-needs-title">Give the worksheet a title to '
                                   "download it or use it.</p>")
            return
        self.exercise, self.text = exercise, text
        self.use_button.disabled = False
        self.download.value = download_link(text.encode("utf-8"), f"{exercise.kind}.yaml",
                                            "application/x-yaml")

    def use(self) -> None:
        if self.exercise is None or self.on_use is None:
            self.feedback.fail("Give the worksheet a title and at least one question first.")
            return
        if self.on_use(self.text) is None:
            self.feedback.fail("The homework above did not take the worksheet; its message says why.")
            return
        self.feedback.ok(f"{self.exercise.title} is in the homework list above, ticked.")


class TherapistPage(w.VBox):
    """The 'For therapists' notebook: the composer, and the worksheet builder feeding it."""

    def __init__(self, today: dt.date | None = None):
        self.composer = AssignmentComposer(today=today)
        self.builder = WorksheetBuilder(on_use=self.composer.add_worksheet)
        header = w.HTML(
            '<h1 class="wb-title">Between Sessions: for therapists</h1>'
            '<p class="wb-intro">Make a homework file for your client here. It works with files '
            "alone: no server, no account, nothing sent. Your client adds the file in their workbook, "
            "and later shares a bundle you open in the review notebook.</p>")
        super().__init__([header, self.composer, self.builder])
        self.add_class("wb-page")
        self.add_class("wb-page-therapist")
        lab.dress(self)  # JupyterLab: the app's look, kept to this page
