"""One input widget per field type, built from the field's declaration.

Each input carries the `wb-field-<name>` class on the element a person types into (or on
the group, for inputs made of several rows) so browser tests and styles can find it.

Why this module is over 400 lines: it is one short class per field type on a shared base
(`FieldInput`), with the shared layouts and styles at the top and `build_input` choosing among
them; parting them would spread what every input must do over several files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import ipywidgets as w

from workbook.exercises import Field
from workbook.ui.text import esc
from workbook.words import number

# -- shared layout and style models ------------------------------------------------------------
# Every ipywidget brings a Layout model and most a Style model of their own: two more things
# for the browser to build before the page answers a click. Widgets that look alike and are
# never hidden or restyled one by one share one of each instead. A shared model refuses to be
# changed (it would change every widget using it): give such a widget a layout of its own.


class _Sealed:
    """A model many widgets share: setting one of its synced traits raises."""

    _wb_sealed = False

    def __setattr__(self, name: str, value: Any) -> None:
        if self._wb_sealed and not name.startswith("_") and name in self.keys:
            raise AttributeError(f"this {type(self).__name__} is shared by many widgets; "
                                 f"give the widget a layout or style of its own to change {name}")
        super().__setattr__(name, value)


_SEALED_CLASSES: dict[type, type] = {}
_SHARED: dict[tuple, w.Widget] = {}


def shared(cls: type[w.Widget], **traits: Any) -> Any:
    """One sealed instance of a Layout or Style class with these traits, per kernel.

    A closed one (e.g. after `Widget.close_all()`) is replaced by a new one.
    """
    key = (cls, tuple(sorted(traits.items())))
    model = _SHARED.get(key)
    if model is None or model.comm is None:
        sealed = _SEALED_CLASSES.get(cls)
        if sealed is None:
            sealed = _SEALED_CLASSES[cls] = type(f"Shared{cls.__name__}", (_Sealed, cls), {})
        model = sealed(**traits)
        model._wb_sealed = True
        _SHARED[key] = model
    return model


def style_of(widget_class: type[w.Widget], **traits: Any) -> Any:
    """The shared style model for a kind of widget (e.g. `style_of(w.Button)`)."""
    return shared(widget_class.class_traits()["style"].klass, **traits)


def unlabelled(widget_class: type[w.Widget]) -> Any:
    """The shared style of an input whose label is shown above it, not beside it (the
    description stays as its accessible name; its visible width is zero)."""
    return style_of(widget_class, description_width="0px")


def plain_layout() -> w.Layout:
    """The shared layout with nothing set (boxes and text never hidden alone)."""
    return shared(w.Layout)


def auto_layout() -> w.Layout:
    """The shared `width: auto` layout (buttons and drop-downs that are never hidden alone)."""
    return shared(w.Layout, width="auto")


def full_layout() -> w.Layout:
    """The shared `width: 100%` layout (an input's box, never hidden alone)."""
    return shared(w.Layout, width="100%")


def html_widget(value: str = "", *classes: str) -> w.HTML:
    """An HTML widget with the shared plain layout and style (never hide it by its layout)."""
    widget = w.HTML(value, layout=plain_layout(), style=style_of(w.HTML))
    for css in classes:
        widget.add_class(css)
    return widget


def _label_html(field: Field, block: str = "div") -> str:
    """The field's heading, label, "(needed)" and help as HTML; `block="span"` for an input's own
    <label>, where the widgets' sanitizer keeps spans and drops divs (the style shows them as blocks)."""
    star = ' <span class="wb-required" title="needed to save">(needed)</span>' if field.required else ""
    help_text = f'<{block} class="wb-help">{esc(field.help)}</{block}>' if field.help else ""
    para = "p" if block == "div" else block
    heading = f'<{para} class="wb-heading">{esc(field.heading)}</{para}>' if field.heading else ""
    return f'{heading}<{block} class="wb-label">{esc(field.label)}{star}</{block}>{help_text}'


def _label(field: Field) -> w.HTML:
    return html_widget(_label_html(field))


class FieldInput:
    """A field's widget with a value in the field's Python form (None when empty)."""

    def __init__(self, field: Field):
        self.field = field
        self.widget: w.Widget  # each kind of input builds its own

    def get(self) -> Any:
        raise NotImplementedError

    def set(self, value: Any) -> None:
        raise NotImplementedError

    def reset(self) -> None:
        self.set(self.field.default)

    def _named(self, widget: w.Widget) -> w.Widget:
        """Give an input its field's label as its description, and its `wb-field-<name>` class."""
        widget.description = self.field.label
        widget.add_class(f"wb-field-{self.field.name}")
        return widget

    def _own_label(self, widget: w.Widget) -> w.Widget:
        """The input is the field's whole widget and shows the field's label in its own <label>,
        above it: no box and no label widget beside it, two models fewer per field for the
        browser to build. Its accessible name stays the field's label alone (workbook.js)."""
        self._named(widget)
        widget.description_allow_html = True
        widget.description = _label_html(self.field, block="span")
        for css in ("wb-input", "wb-own-label", f"wb-input-{self.field.name}"):
            widget.add_class(css)
        return widget

    def _box(self, *children: w.Widget) -> w.VBox:
        box = w.VBox([_label(self.field), *children], layout=full_layout())
        box.add_class("wb-input")
        box.add_class(f"wb-input-{self.field.name}")
        return box


class TextInput(FieldInput):
    def __init__(self, field: Field):
        super().__init__(field)
        cls = w.Textarea if field.type == "long_text" else w.Text
        self.input = cls(placeholder="", layout=full_layout(), continuous_update=False,
                         style=unlabelled(cls))
        if field.type == "long_text":
            self.input.rows = 3
        self.widget = self._own_label(self.input)

    def get(self) -> Any:
        return self.input.value if self.input.value.strip() else None

    def set(self, value: Any) -> None:
        self.input.value = "" if value is None else str(value)


class ScaleInput(FieldInput):
    """A slider; an optional one stays 'not rated' until the person moves it."""

    def __init__(self, field: Field):
        super().__init__(field)
        start = field.default if field.default is not None else (field.min + field.max) // 2
        self.slider = w.IntSlider(
            value=start, min=int(field.min), max=int(field.max), step=1,
            readout=False, continuous_update=True, style=unlabelled(w.IntSlider),
            layout=shared(w.Layout, width="min(100%, 420px)"),
        )
        self._named(self.slider)
        self.readout = html_widget("", "wb-readout")
        self.clear = w.Button(description="Clear", layout=auto_layout(), style=style_of(w.Button),
                              tooltip=f"Leave {field.label.lower()} unrated")
        self.clear.add_class("wb-clear")
        self.clear.on_click(lambda _: self.set(None))
        self.touched = field.required
        self.slider.observe(self._moved, names="value")
        row = [self.slider, self.readout] + ([] if field.required else [self.clear])
        self.widget = self._box(w.HBox(row, layout=shared(w.Layout, align_items="center")))
        self._show()

    def _moved(self, _change: Any) -> None:
        self.touched = True
        self._show()

    def _show(self) -> None:
        if self.touched:
            self.readout.value = f'<span class="wb-value">{self.slider.value}</span>'
        else:
            self.readout.value = '<span class="wb-value wb-unset">not rated</span>'
        if self.touched:  # hidden by a class (`wb-unset`), so its layout can be shared
            self.clear.remove_class("wb-unset")
        else:
            self.clear.add_class("wb-unset")

    def get(self) -> Any:
        return self.slider.value if self.touched else None

    def set(self, value: Any) -> None:
        if value is None and not self.field.required:
            with self.slider.hold_trait_notifications():
                self.slider.value = (
                    self.field.default if self.field.default is not None
                    else int((self.field.min + self.field.max) // 2)
                )
            self.touched = False
        else:
            value = self.field.default if value is None else value
            self.slider.value = int(value)
            self.touched = True
        self._show()


class NumberInput(FieldInput):
    """Typed as text so that an empty box means 'not given' and a typo gets a message."""

    def __init__(self, field: Field):
        super().__init__(field)
        self.input = w.Text(placeholder="e.g. 7 or 6.5", layout=full_layout(),
                            continuous_update=False, style=unlabelled(w.Text))
        self.input.add_class("wb-narrow")  # the box stays 12em wide under its label
        self.widget = self._own_label(self.input)

    def get(self) -> Any:
        return self.input.value if self.input.value.strip() else None

    def set(self, value: Any) -> None:
        if value is None:
            self.input.value = ""
        else:
            self.input.value = number(value, None)


class ChoiceInput(FieldInput):
    def __init__(self, field: Field):
        super().__init__(field)
        # "" rather than None: a Dropdown reads None as "nothing selected" and shows a blank box
        options = [("(choose one)", "")] + [(o.label, o.key) for o in field.options]
        self.input = w.Dropdown(options=options, value="", layout=full_layout(),
                                style=unlabelled(w.Dropdown))
        self.widget = self._own_label(self.input)

    def get(self) -> Any:
        return self.input.value or None

    def set(self, value: Any) -> None:
        self.input.value = value if value in self.field.option_keys() else ""


class MultiChoiceInput(FieldInput):
    """Tick boxes, each with its one-line explanation."""

    def __init__(self, field: Field):
        super().__init__(field)
        self.boxes: dict[str, w.Checkbox] = {}
        self.rows: dict[str, w.VBox] = {}  # one row (box and explanation) per option
        for option in field.options:
            box = w.Checkbox(description=option.label, value=False, indent=False,
                             layout=auto_layout(), style=style_of(w.Checkbox))
            box.add_class(f"wb-option-{option.key}")
            self.boxes[option.key] = box
            explain = html_widget(f'<div class="wb-explain">{esc(option.explanation)}</div>')
            self.rows[option.key] = w.VBox([box, explain], layout=w.Layout(margin="0 0 4px 0"))
        group = w.VBox(list(self.rows.values()), layout=plain_layout())
        group.add_class(f"wb-field-{field.name}")
        self.widget = self._box(group)

    def get(self) -> Any:
        picked = [key for key, box in self.boxes.items() if box.value]
        return picked or None

    def set(self, value: Any) -> None:
        chosen = set(value or [])
        for key, box in self.boxes.items():
            box.value = key in chosen

    def show_options(self, keys: Iterable[str]) -> None:
        """Show only these options, and any ticked one: nothing chosen is ever hidden."""
        shown = set(keys)
        for key, row in self.rows.items():
            row.layout.display = None if key in shown or self.boxes[key].value else "none"


class DateInput(FieldInput):
    def __init__(self, field: Field):
        super().__init__(field)
        self.input = w.DatePicker(value=None, layout=full_layout(), style=unlabelled(w.DatePicker))
        self.input.add_class("wb-narrow")
        self.widget = self._own_label(self.input)

    def get(self) -> Any:
        return self.input.value

    def set(self, value: Any) -> None:
        self.input.value = dt.date.fromisoformat(value) if isinstance(value, str) else value


class DateTimeInput(FieldInput):
    """A local date and time, starting at now (most entries are made on the day)."""

    def __init__(self, field: Field):
        super().__init__(field)
        self.input = w.NaiveDatetimePicker(value=_now_minute(), layout=full_layout(),
                                           style=unlabelled(w.NaiveDatetimePicker))
        self.input.add_class("wb-narrow")
        self.widget = self._own_label(self.input)

    def get(self) -> Any:
        return self.input.value

    def set(self, value: Any) -> None:
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        self.input.value = value

    def reset(self) -> None:
        self.input.value = _now_minute()


def _now_minute() -> dt.datetime:
    return dt.datetime.now().replace(second=0, microsecond=0)


class ChoiceScaleInput(FieldInput):
    """A scale whose every value has words (e.g. 0 = Not at all): one radio button each."""

    def __init__(self, field: Field):
        super().__init__(field)
        options = [(label, int(field.min) + i) for i, label in enumerate(field.labels)]
        self.input = w.RadioButtons(options=options, value=None, layout=full_layout(),
                                    style=unlabelled(w.RadioButtons))
        self.input.add_class("wb-choice-scale")
        self.widget = self._own_label(self.input)

    def get(self) -> Any:
        return self.input.value

    def set(self, value: Any) -> None:
        self.input.value = None if value is None else int(value)


class TagsInput(FieldInput):
    """Comma-separated tags (`wb-list`), with one-click suggestions."""

    def __init__(self, field: Field):
        super().__init__(field)
        self.input = w.Text(placeholder="e.g. sleep, walk with a friend",
                            layout=full_layout(), continuous_update=False, style=unlabelled(w.Text))
        self._named(self.input)
        self.input.add_class("wb-list")
        chips = []
        for tag in field.suggestions:
            chip = w.Button(description=tag, layout=auto_layout(), style=style_of(w.Button),
                            tooltip=f"Add the tag {tag}")
            chip.add_class("wb-chip")
            chip.on_click(lambda _, t=tag: self.add(t))
            chips.append(chip)
        self.widget = self._box(w.HBox(chips, layout=shared(w.Layout, flex_flow="row wrap")),
                                self.input)

    def tags(self) -> list[str]:
        return [t.strip() for t in self.input.value.split(",") if t.strip()]

    def add(self, tag: str) -> None:
        current = self.tags()
        if tag not in current:
            self.input.value = ", ".join([*current, tag])

    def get(self) -> Any:
        return self.tags() or None

    def set(self, value: Any) -> None:
        self.input.value = ", ".join(value or [])


class _RowsInput(FieldInput):
    """A list of rows the person can add to and remove from."""

    add_label = "Add another"

    def __init__(self, field: Field):
        super().__init__(field)
        self.rows: list[tuple[w.Widget, ...]] = []
        self.list_box = w.VBox(layout=plain_layout())
        self.list_box.add_class(f"wb-field-{field.name}")
        self.add_button = w.Button(description=self.add_label, icon="", layout=auto_layout(),
                                   style=style_of(w.Button))
        self.add_button.add_class("wb-add-row")
        self.add_button.on_click(lambda _: self.add_row())
        self.widget = self._box(self.list_box, self.add_button)

    def _render(self) -> None:
        self.list_box.children = [r[0] for r in self.rows]

    def remove_row(self, row: tuple) -> None:
        self.rows.remove(row)
        if not self.rows:
            self.add_row()
        self._render()

    def _remove_button(self, get_row: Any) -> w.Button:
        button = w.Button(description="Remove", layout=auto_layout(), style=style_of(w.Button))
        button.add_class("wb-remove-row")
        button.on_click(lambda _: self.remove_row(get_row()))
        return button


class RatingsInput(_RowsInput):
    """Named feelings, each with an intensity (e.g. sad 80)."""

    add_label = "Add a feeling"

    def __init__(self, field: Field):
        super().__init__(field)
        self.add_row()

    def add_row(self, name: str = "", intensity: int | None = None) -> None:
        mid = int((self.field.min + self.field.max) // 2)
        text = w.Text(value=name, placeholder="feeling, e.g. sad", style=unlabelled(w.Text),
                      layout=shared(w.Layout, width="14em"), continuous_update=False)
        text.description = "Feeling"
        text.add_class("wb-row-name")
        slider = w.IntSlider(value=mid if intensity is None else intensity,
                             min=int(self.field.min), max=int(self.field.max),
                             layout=shared(w.Layout, width="min(60%, 300px)"),
                             style=unlabelled(w.IntSlider))
        slider.description = "Intensity"
        slider.add_class("wb-row-intensity")
        row_ref: list = []
        box = w.HBox([text, slider, self._remove_button(lambda: row_ref[0])],
                     layout=shared(w.Layout, flex_flow="row wrap", align_items="center"))
        box.add_class("wb-row")
        row = (box, text, slider)
        row_ref.append(row)
        self.rows.append(row)
        self._render()

    def get(self) -> Any:
        out = [{"name": t.value, "intensity": s.value} for _, t, s in self.rows if t.value.strip()]
        return out or None

    def set(self, value: Any) -> None:
        self.rows = []
        for item in value or []:
            self.add_row(item["name"], item["intensity"])
        if not self.rows:
            self.add_row()
        self._render()


class ThoughtsInput(_RowsInput):
    """Automatic thoughts, one of them marked as the hot thought."""

    add_label = "Add a thought"

    def __init__(self, field: Field):
        super().__init__(field)
        self.on_change: list = []
        self.add_row()

    def add_row(self, text: str = "", hot: bool = False) -> None:
        area = w.Textarea(value=text, placeholder="the thought, in the words it came",
                          rows=2, layout=full_layout(), continuous_update=False,
                          style=unlabelled(w.Textarea))
        area.description = "Thought"
        area.add_class("wb-row-text")
        mark = w.Checkbox(value=hot, description="This is the hot thought", indent=False,
                          layout=plain_layout(), style=style_of(w.Checkbox))
        mark.add_class("wb-hot")
        row_ref: list = []
        mark.observe(lambda ch: self._marked(row_ref[0], ch), names="value")
        area.observe(lambda _: self._changed(), names="value")
        box = w.VBox([area, w.HBox([mark, self._remove_button(lambda: row_ref[0])],
                                   layout=plain_layout())], layout=plain_layout())
        box.add_class("wb-row")
        row = (box, area, mark)
        row_ref.append(row)
        self.rows.append(row)
        self._render()

    def _marked(self, row: tuple, change: dict) -> None:
        if change["new"]:
            for other in self.rows:
                if other is not row and other[2].value:
                    other[2].value = False
        self._changed()

    def _changed(self) -> None:
        for callback in self.on_change:
            callback()

    def get(self) -> Any:
        out = [{"text": a.value, "hot": m.value} for _, a, m in self.rows if a.value.strip()]
        if len(out) == 1:
            out[0]["hot"] = True
        return out or None

    def hot_thought(self) -> str | None:
        for item in self.get() or []:
            if item["hot"]:
                return item["text"]
        return None

    def set(self, value: Any) -> None:
        self.rows = []
        for item in value or []:
            self.add_row(item["text"], bool(item.get("hot")))
        if not self.rows:
            self.add_row()
        self._render()
        self._changed()


class RerateInput(FieldInput):
    """The feelings named earlier, rated again after the work."""

    def __init__(self, field: Field):
        super().__init__(field)
        self.sliders: dict[str, w.IntSlider] = {}
        self.readouts: dict[str, w.HTML] = {}
        self.rated: dict[str, int] = {}  # what the person re-rated (or a loaded entry had)
        self.before: dict[str, int] = {}
        self.group = w.VBox(layout=plain_layout())
        self.group.add_class(f"wb-field-{field.name}")
        self.empty = html_widget('<div class="wb-help">Name your feelings in the Emotions step first.</div>')
        self.widget = self._box(self.group)
        self.prepare([])

    def prepare(self, emotions: list[dict] | None, keep: bool = True) -> None:
        """Show one slider per feeling named earlier, keeping ratings already given.

        A slider starts where the feeling was and counts as re-rated only once moved (or
        loaded from a saved entry): a feeling left alone is not saved as 'unchanged'.
        """
        if not keep:
            self.rated = {}
        self.sliders, self.readouts, rows = {}, {}, []
        self.before = {e["name"]: e["intensity"] for e in emotions or []}
        for name, before in self.before.items():
            slider = w.IntSlider(value=self.rated.get(name, before), min=int(self.field.min),
                                 max=int(self.field.max), readout=False,
                                 layout=shared(w.Layout, width="min(60%, 300px)"),
                                 style=unlabelled(w.IntSlider))
            slider.description = name
            slider.add_class("wb-row-intensity")
            readout = html_widget("", "wb-readout")
            self.sliders[name], self.readouts[name] = slider, readout
            slider.observe(lambda change, n=name: self._moved(n, change["new"]), names="value")
            self._show(name)
            rows.append(w.HBox([html_widget(f'<span class="wb-row-label">{esc(name)}</span>'
                                       f' <span class="wb-help">(was {before})</span>'), slider,
                                readout],
                               layout=shared(w.Layout, flex_flow="row wrap", align_items="center")))
        self.group.children = rows or [self.empty]

    def _moved(self, name: str, value: int) -> None:
        self.rated[name] = int(value)
        self._show(name)

    def _show(self, name: str) -> None:
        if name in self.rated:
            self.readouts[name].value = f'<span class="wb-value">{self.rated[name]}</span>'
        else:
            self.readouts[name].value = '<span class="wb-value wb-unset">not re-rated</span>'

    def get(self) -> Any:
        # before the step is shown (an entry loaded for editing), the loaded ratings stand;
        # once it is, only feelings still named count
        names = list(self.sliders) if self.sliders else list(self.rated)
        out = [{"name": n, "intensity": self.rated[n]} for n in names if n in self.rated]
        return out or None

    def set(self, value: Any) -> None:
        self.rated = {str(item["name"]): int(item["intensity"]) for item in value or []
                      if isinstance(item, dict) and "name" in item and "intensity" in item}
        for name, slider in self.sliders.items():
            if name in self.rated:
                slider.value = self.rated[name]
            self._show(name)

    def reset(self) -> None:
        self.prepare([], keep=False)


INPUTS = {
    "short_text": TextInput,
    "long_text": TextInput,
    "scale": ScaleInput,
    "number": NumberInput,
    "choice": ChoiceInput,
    "multi_choice": MultiChoiceInput,
    "date": DateInput,
    "datetime": DateTimeInput,
    "tags": TagsInput,
    "ratings": RatingsInput,
    "thoughts": ThoughtsInput,
    "rerate": RerateInput,
}


def build_input(field: Field) -> FieldInput:
    """The input for a field, chosen by its declared type."""
    if field.type == "scale" and field.labels:
        return ChoiceScaleInput(field)
    return INPUTS[field.type](field)
