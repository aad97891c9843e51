"""Forms built from an exercise declaration: all fields at once, or one step at a time.

A form never throws away what the person typed: a bad value shows a message in
`wb-error` beside the form and every input keeps its text.

Why this module is over 400 lines: `StepForm` is `ExerciseForm` shown one step at a time (a
subclass, with `LazyInputs` building each step's inputs when it is reached), so saving, messages
and keeping what was typed are written once, here, for both.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import ipywidgets as w

from workbook.exercises import Exercise, FieldError
from workbook.store import Store
from workbook.ui.controls import button
from workbook.ui.fields import (
    FieldInput,
    RerateInput,
    ThoughtsInput,
    build_input,
    html_widget,
    plain_layout,
    shared,
)
from workbook.ui.sent_whole import sent_whole
from workbook.ui.text import esc, esc_lines, focus_attrs

log = logging.getLogger(__name__)


class Feedback(w.VBox):
    """The status line (`wb-status`) and the error line (`wb-error`) of a form."""

    def __init__(self) -> None:
        self.status = html_widget("", "wb-status")
        self.error = html_widget("", "wb-error")
        super().__init__([self.error, self.status], layout=plain_layout())

    def ok(self, message: str, focus: bool = False) -> None:
        """A calm confirmation; `focus` moves keyboard focus to it (the thing acted on is gone)."""
        self.error.value = ""
        attrs = f" {focus_attrs()}" if focus else ""
        self.status.value = f'<div class="wb-ok" role="status"{attrs}>{esc(message)}</div>'

    def fail(self, message: str) -> None:
        self.status.value = ""
        self.error.value = f'<div class="wb-problem" role="alert">{esc_lines(message)}</div>'

    def clear(self) -> None:
        self.status.value = ""
        self.error.value = ""

    def guard(self, action: Callable[..., Any]) -> Callable[..., Any]:
        """Wrap a callback so any error is shown on the page instead of vanishing."""

        def run(*args: Any) -> Any:
            try:
                return action(*args)
            except FieldError as exc:
                if exc.label:
                    self.fail(f"Not saved yet. {exc.plain} Everything you typed is still here.")
                else:  # the form as a whole, e.g. nothing filled in
                    self.fail(exc.plain)
            except KeyError as exc:
                self.fail(f"{exc.args[0]} Everything you typed is still here.")
            except OSError as exc:
                log.exception("could not write")
                advice = getattr(exc, "advice", "")  # an error that knows what helps says so
                if advice:
                    self.fail(f"Not saved: {exc}. Everything you typed is still here. {advice}")
                    return None
                self.fail(
                    "Not saved yet: the data folder could not be written to "
                    f"({exc.strerror or exc}). Everything you typed is still here. "
                    "Check that the disk has space and the folder can be written, then Save again."
                )
            except Exception as exc:  # any error must reach the page
                log.exception("callback failed")
                self.fail("That did not work. Everything you typed is still here, and what was "
                          "saved before is safe; please try again in a moment. "
                          f"(For whoever helps you with it: {type(exc).__name__}: {exc})")
            return None

        return run


class ExerciseForm(w.VBox):
    """Every field of an exercise and a Save button; also edits an existing entry."""

    saved_message = "Saved. Well done for taking the time."

    def __init__(self, exercise: Exercise, store: Store, on_saved: Callable[[str], None] | None = None):
        self.exercise = exercise
        self.store = store
        self.on_saved = on_saved or (lambda _id: None)
        self._before: dict[str, list[w.Widget]] = {}  # a page's own widgets beside a field (place)
        self._after: dict[str, list[w.Widget]] = {}
        self.inputs: Mapping[str, FieldInput] = self._make_inputs(exercise)
        self.editing: str | None = None
        self.feedback = Feedback()
        self.save_button = button("Save", "wb-save", style="primary", hidden_alone=True)
        self.save_button.on_click(self.feedback.guard(lambda _: self.save()))
        self.cancel_button = button("Cancel editing", "wb-cancel", hidden_alone=True)
        self.cancel_button.on_click(self.feedback.guard(lambda _: self.cancel()))
        self.cancel_button.layout.display = "none"
        self.heading = html_widget()
        super().__init__(self._children(), layout=plain_layout())
        self.add_class("wb-form")
        self._show_heading()

    def _make_inputs(self, exercise: Exercise) -> Mapping[str, FieldInput]:
        return {f.name: build_input(f) for f in exercise.fields}

    def _children(self) -> list[w.Widget]:
        buttons = w.HBox([self.save_button, self.cancel_button], layout=plain_layout())
        return [self.heading, *self._field_widgets(self.inputs), buttons, self.feedback]

    def _field_widgets(self, names: Iterable[str]) -> list[w.Widget]:
        """The inputs of these fields, in order, each with what a page placed beside it."""
        out: list[w.Widget] = []
        for name in names:
            out += [*self._before.get(name, ()), self.inputs[name].widget, *self._after.get(name, ())]
        return out

    # -- what a page may change: its own widgets beside a field, and hearing a field change ----------
    def place(self, widget: w.Widget, *, before: str | None = None, after: str | None = None) -> None:
        """Show a page's own widget (a section heading, a notice) just before or after a field.

        The form keeps its own order; a page adds beside a named field instead of re-sorting the
        form's children, so a form built differently later still shows what the page added.
        """
        if (before is None) == (after is None):
            raise ValueError("place: name one field, either before= or after=.")
        name = before if before is not None else after
        if name not in self.inputs:
            raise ValueError(f"place: {name!r} is not a field of {self.exercise.title}.")
        (self._before if before is not None else self._after).setdefault(name, []).append(widget)
        self._relayout()

    def _relayout(self) -> None:
        self.children = self._children()

    def value(self, name: str) -> Any:
        """One field's value as it stands in the form (None when empty); a field on a step not
        built yet holds only what an opened entry gave it."""
        inputs = self.inputs
        if isinstance(inputs, LazyInputs) and name in inputs and name not in inputs.built():
            return inputs.waiting(name)
        return self.inputs[name].get()

    def _with_input(self, name: str, act: Callable[[FieldInput], None]) -> None:
        """Do `act` to a field's input now, or, on a step not built yet, when it is built (a
        page's changes never make the browser build a step it is not showing)."""
        if name not in self.inputs:
            raise ValueError(f"{name!r} is not a field of {self.exercise.title}.")
        inputs = self.inputs
        if isinstance(inputs, LazyInputs) and name not in inputs.built():
            inputs.when_built(name, act)
        else:
            act(inputs[name])

    def show_field(self, name: str, shown: bool) -> None:
        """Show or hide one field (a page fitting the form to an answer); its value is kept."""
        def act(entry_input: FieldInput) -> None:
            widget = entry_input.widget
            if getattr(widget.layout, "_wb_sealed", False):  # boxes share one layout: hidden alone,
                widget.layout = w.Layout(width="100%")  # a field gets its own, once
            widget.layout.display = None if shown else "none"
        self._with_input(name, act)

    def show_options(self, name: str, keys: Iterable[str]) -> None:
        """Show only these options of a tick-box field, and any already ticked."""
        if self.exercise.field(name).type != "multi_choice":
            raise ValueError(f"show_options: {name!r} is not a field of tick boxes.")
        keys = tuple(keys)
        self._with_input(name, lambda entry_input: entry_input.show_options(keys))  # type: ignore[attr-defined]

    def watch(self, name: str, callback: Callable[[Any], None]) -> None:
        """Call `callback` with a field's new value each time it changes, before any Save."""
        if self.exercise.field(name).type in ("multi_choice", "ratings", "thoughts", "rerate"):
            raise ValueError(f"watch: the {name!r} input has no single value to follow.")

        def act(entry_input: FieldInput) -> None:
            control = getattr(entry_input, "input", None) or getattr(entry_input, "slider", None)
            if control is None:
                raise ValueError(f"watch: the {name!r} input has no single value to follow.")
            control.observe(lambda _change: callback(entry_input.get()), names="value")
        self._with_input(name, act)

    def _show_heading(self, focus: bool = False, text: str | None = None) -> None:
        """'Editing an earlier entry' above the form; `focus` takes keyboard users there."""
        if text is None:
            text = "Editing an earlier entry" if self.editing else ""
        attrs = f" {focus_attrs()}" if focus and text else ""
        self.heading.value = f'<div class="wb-editing"{attrs}>{esc(text)}</div>' if text else ""

    def values(self) -> dict[str, Any]:
        return {name: entry.get() for name, entry in self.inputs.items()}

    def save(self) -> str:
        values = self.values()
        if self.editing:
            entry_id = self.editing
            self.store.update(self.exercise.kind, entry_id, values)
            message = "Changes saved."
        else:
            entry_id = self.store.add(self.exercise.kind, values)
            message = self.saved_message
        self.reset()
        self.feedback.ok(message)
        self.on_saved(entry_id)
        return entry_id

    def edit(self, entry: dict[str, Any]) -> None:
        """Load an entry into the form; Save then changes it instead of adding one."""
        self.reset()
        self._load(entry)
        self.editing = entry["id"]
        self.cancel_button.layout.display = None
        self.feedback.ok("Editing an earlier entry. Save keeps your changes.")
        self._show_heading(focus=True)  # the Edit button may be far down the list

    def _load(self, entry: dict[str, Any]) -> None:
        for name, entry_input in self.inputs.items():
            entry_input.set(entry.get(name))

    def prefill(self, values: dict[str, Any]) -> None:
        """Start a new entry with some fields already filled (e.g. from a session's small step)."""
        self.reset()
        for name, value in values.items():
            self.inputs[name].set(value)
        self.feedback.ok("Started from your session notes. Change anything you like.")
        self._show_heading(focus=True, text="Started from your session notes")

    def cancel(self) -> None:
        self.reset()
        self.feedback.ok("Editing cancelled; nothing was changed.")

    def reset(self) -> None:
        for entry_input in self.inputs.values():
            entry_input.reset()
        self.editing = None
        self.cancel_button.layout.display = "none"
        self.feedback.clear()
        self._show_heading()


class LazyInputs(Mapping[str, FieldInput]):
    """A step form's inputs, each built the first time it is needed: when its step is shown, or
    when its value is asked for. A page then sends the browser only the step on screen.

    A value set for an input not built yet (an entry opened to edit) waits and is put in when the
    input is built. Iterating over the values builds every input (what `values()` needs to save).
    """

    def __init__(self, exercise: Exercise) -> None:
        self._fields = {f.name: f for f in exercise.fields}
        self._built: dict[str, FieldInput] = {}
        self._waiting: dict[str, Any] = {}
        self._later: dict[str, list[Callable[[FieldInput], None]]] = {}
        self.on_build: list[Callable[[FieldInput], None]] = []

    def __getitem__(self, name: str) -> FieldInput:
        entry_input = self._built.get(name)
        if entry_input is None:
            entry_input = self._built[name] = build_input(self._fields[name])
            if name in self._waiting:
                entry_input.set(self._waiting.pop(name))
            for hook in self.on_build:
                hook(entry_input)
            for act in self._later.pop(name, ()):
                act(entry_input)
        return entry_input

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields)

    def __contains__(self, name: object) -> bool:  # without building it
        return name in self._fields

    def waiting(self, name: str) -> Any:
        """The value an input not built yet will be given (None if none)."""
        return self._waiting.get(name)

    def when_built(self, name: str, act: Callable[[FieldInput], None]) -> None:
        """Do `act` to this input when it is built (at once if it is)."""
        if name in self._built:
            act(self._built[name])
        else:
            self._later.setdefault(name, []).append(act)

    def __len__(self) -> int:
        return len(self._fields)

    def built(self) -> dict[str, FieldInput]:
        """The inputs built so far, by name."""
        return dict(self._built)

    def set_later(self, name: str, value: Any) -> None:
        """Set an input's value now if it is built, else when it is."""
        if name in self._built:
            self._built[name].set(value)
        else:
            self._waiting[name] = value

    def reset(self) -> None:
        """Every built input back to its start; nothing left waiting."""
        self._waiting.clear()
        for entry_input in self._built.values():
            entry_input.reset()


class StepForm(ExerciseForm):
    """One step at a time (`wb-next`), the hot thought in view, drafts saved part-way."""

    def __init__(self, exercise: Exercise, store: Store, on_saved: Callable[[str], None] | None = None):
        self.step = 0
        self.draft_id: str | None = None
        self.progress = html_widget()
        self.prompt = html_widget()
        self.hot = html_widget("", "wb-hot-thought")
        self.step_box = w.VBox(layout=plain_layout())
        self.back_button = button("Back", "wb-back")
        self.next_button = button("Next", "wb-next", style="primary", hidden_alone=True)
        self.draft_button = button("Save draft", "wb-save-draft")
        super().__init__(exercise, store, on_saved)
        self.save_button.description = f"Save {exercise.title.lower()}"
        self.back_button.on_click(self.feedback.guard(lambda _: self.go(self.step - 1)))
        self.next_button.on_click(self.feedback.guard(lambda _: self.go(self.step + 1)))
        self.draft_button.on_click(self.feedback.guard(lambda _: self.save_draft()))
        self.go(0)

    def _make_inputs(self, exercise: Exercise) -> LazyInputs:
        inputs = LazyInputs(exercise)
        inputs.on_build.append(self._built)
        return inputs

    def _built(self, entry_input: FieldInput) -> None:
        if isinstance(entry_input, ThoughtsInput):
            entry_input.on_change.append(self._show_hot)

    def _load(self, entry: dict[str, Any]) -> None:
        for name in self.inputs:  # the steps not shown yet get their values when built
            self.inputs.set_later(name, entry.get(name))  # type: ignore[attr-defined]

    def _children(self) -> list[w.Widget]:
        buttons = w.HBox([self.back_button, self.next_button, self.save_button, self.draft_button,
                          self.cancel_button], layout=shared(w.Layout, flex_flow="row wrap"))
        return [self.heading, self.progress, self.hot, self.prompt, self.step_box, buttons,
                self.feedback]

    def _relayout(self) -> None:
        self.go(self.step)  # what a page placed shows with its field's step

    def _thoughts(self) -> ThoughtsInput | None:
        """The thoughts input, if built (past its step it is built, with any value it waited for)."""
        name = next((f.name for f in self.exercise.fields if f.type == "thoughts"), None)
        if name is None:
            return None
        if self.step > self._thoughts_step():
            return self.inputs[name]  # type: ignore[return-value]
        return self.inputs.built().get(name)  # type: ignore[attr-defined,return-value]

    def _thoughts_step(self) -> int:
        for index, step in enumerate(self.exercise.steps):
            if any(self.exercise.field(n).type == "thoughts" for n in step.fields):
                return index
        return len(self.exercise.steps)

    def _show_hot(self) -> None:
        thoughts = self._thoughts()
        text = thoughts.hot_thought() if thoughts else None
        if text and self.step > self._thoughts_step():
            self.hot.value = (f'<div class="wb-hot-box"><div class="wb-hot-label">Hot thought</div>'
                              f'<div class="wb-hot-text">{esc_lines(text)}</div></div>')
        else:
            self.hot.value = ""

    def go(self, index: int) -> None:
        """Show step `index`; its inputs, built the first time, reach the page whole."""
        with sent_whole():
            self._go(index)

    def _go(self, index: int) -> None:
        steps = self.exercise.steps
        index = max(0, min(index, len(steps) - 1))
        self.step = index
        step = steps[index]
        for name in step.fields:
            entry_input = self.inputs[name]
            if isinstance(entry_input, RerateInput) and entry_input.field.of:
                entry_input.prepare(self.inputs[entry_input.field.of].get())
        self.step_box.children = self._field_widgets(step.fields)
        self.progress.value = (f'<div class="wb-progress">Step {index + 1} of {len(steps)}: '
                               f"<strong>{esc(step.title)}</strong></div>")
        self.prompt.value = f'<div class="wb-prompt">{esc(step.prompt)}</div>'
        last = index == len(steps) - 1
        self.back_button.disabled = index == 0
        self.next_button.layout.display = "none" if last else None
        self.save_button.layout.display = None if last else "none"
        self._show_hot()

    def save_draft(self) -> str:
        """Keep what is written so far; it can be reopened and finished later."""
        values = self.values()
        target = self.editing or self.draft_id
        entry_id = self.store.save_draft(self.exercise.kind, values, target)
        self.draft_id = entry_id
        self.editing = None if not self.editing else self.editing
        self.feedback.ok("Draft saved. You can come back and finish it any time.")
        self.on_saved(entry_id)
        return entry_id

    def save(self) -> str:
        values = self.values()
        target = self.editing or self.draft_id
        if target:
            self.store.update(self.exercise.kind, target, values, status="complete")
            entry_id = target
        else:
            entry_id = self.store.add(self.exercise.kind, values)
        self.reset()
        self.feedback.ok(self.saved_message)
        self.on_saved(entry_id)
        return entry_id

    def edit(self, entry: dict[str, Any]) -> None:
        super().edit(entry)
        if entry.get("status") == "draft":
            self.feedback.ok("Draft reopened. Carry on where you left off.")
        self.go(0)

    def reset(self) -> None:
        self.inputs.reset()  # type: ignore[attr-defined]
        self.editing = None
        self.cancel_button.layout.display = "none"
        self.feedback.clear()
        self._show_heading()
        self.draft_id = None
        if hasattr(self, "step_box"):
            self.go(0)
