"""Forms built from an exercise declaration: all fields at once, or one step at a time.

A form never throws away what the person typed: a bad value shows a message in
`wb-error` beside the form and every input keeps its text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import ipywidgets as w

from workbook.exercises import Exercise, FieldError
from workbook.store import Store
from workbook.ui.fields import (
    FieldInput,
    RerateInput,
    ThoughtsInput,
    auto_layout,
    build_input,
    html_widget,
    plain_layout,
    shared,
    style_of,
)
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
            except Exception as exc:  # noqa: BLE001 - any error must reach the page
                log.exception("callback failed")
                self.fail("That did not work. Everything you typed is still here, and what was "
                          "saved before is safe; please try again in a moment. "
                          f"(For whoever helps you with it: {type(exc).__name__}: {exc})")
            return None

        return run


def _button(label: str, css: str, style: str = "", hidden_alone: bool = False) -> w.Button:
    """A form button; one that is hidden and shown on its own gets a layout of its own."""
    layout = w.Layout(width="auto") if hidden_alone else auto_layout()
    button = w.Button(description=label, button_style=style, layout=layout, style=style_of(w.Button))
    button.add_class(css)
    return button


class ExerciseForm(w.VBox):
    """Every field of an exercise and a Save button; also edits an existing entry."""

    saved_message = "Saved. Well done for taking the time."

    def __init__(self, exercise: Exercise, store: Store, on_saved: Callable[[str], None] | None = None):
        self.exercise = exercise
        self.store = store
        self.on_saved = on_saved or (lambda _id: None)
        self.inputs: Mapping[str, FieldInput] = self._make_inputs(exercise)
        self.editing: str | None = None
        self.feedback = Feedback()
        self.save_button = _button("Save", "wb-save", "primary", hidden_alone=True)
        self.save_button.on_click(self.feedback.guard(lambda _: self.save()))
        self.cancel_button = _button("Cancel editing", "wb-cancel", hidden_alone=True)
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
        return [self.heading, *[i.widget for i in self.inputs.values()], buttons, self.feedback]

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
        self.on_build: list[Callable[[FieldInput], None]] = []

    def __getitem__(self, name: str) -> FieldInput:
        entry_input = self._built.get(name)
        if entry_input is None:
            entry_input = self._built[name] = build_input(self._fields[name])
            if name in self._waiting:
                entry_input.set(self._waiting.pop(name))
            for hook in self.on_build:
                hook(entry_input)
        return entry_input

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields)

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
        self.back_button = _button("Back", "wb-back")
        self.next_button = _button("Next", "wb-next", "primary", hidden_alone=True)
        self.draft_button = _button("Save draft", "wb-save-draft")
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
        steps = self.exercise.steps
        index = max(0, min(index, len(steps) - 1))
        self.step = index
        step = steps[index]
        for name in step.fields:
            entry_input = self.inputs[name]
            if isinstance(entry_input, RerateInput) and entry_input.field.of:
                entry_input.prepare(self.inputs[entry_input.field.of].get())
        self.step_box.children = [self.inputs[n].widget for n in step.fields]
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
