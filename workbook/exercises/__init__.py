"""Exercises as data: each one is declared in a YAML file beside this module.

The form, the CSV columns, validation and the data dictionary are all derived from
these declarations, so a new exercise (or a therapist's worksheet) is a new file, not
new code.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

FIELD_TYPES = (
    "short_text",
    "long_text",
    "scale",
    "number",
    "choice",
    "multi_choice",
    "date",
    "datetime",
    "tags",
    "ratings",
    "thoughts",
    "rerate",
)
LIST_TYPES = ("multi_choice", "tags", "ratings", "thoughts", "rerate")
SYSTEM_COLUMNS = ("id", "created_at", "updated_at")
DEFAULT_MAX_LENGTH = 20_000
DEFAULT_ORDER = 100
MAX_HOMEWORK_TARGET = 21  # as homework.MAX_TARGET: three a day, every day of the week


class FieldError(ValueError):
    """A value that does not fit its field; the message names the field."""

    def __init__(self, field_name: str, label: str, reason: str):
        self.field = field_name
        self.label = label
        self.reason = reason
        super().__init__(f"{label} ({field_name}): {reason}" if label else reason)

    @property
    def plain(self) -> str:
        """The message as the page says it: the field's label, never its column name."""
        return f"{self.label}: {self.reason}" if self.label else self.reason


class DefinitionError(ValueError):
    """An exercise declaration that cannot be used, with where and why."""


@dataclass(frozen=True)
class Option:
    key: str
    label: str
    explanation: str = ""


@dataclass(frozen=True)
class Field:
    """One input of an exercise and one column of its CSV file."""

    name: str
    type: str
    label: str
    help: str = ""
    required: bool = False
    min: float | None = None
    max: float | None = None
    default: Any = None
    options: tuple[Option, ...] = ()
    suggestions: tuple[str, ...] = ()
    of: str | None = None
    max_length: int = DEFAULT_MAX_LENGTH
    labels: tuple[str, ...] = ()
    heading: str = ""  # text shown above the field, e.g. a questionnaire's own instruction

    def _fail(self, reason: str) -> FieldError:
        return FieldError(self.name, self.label, reason)

    def is_empty(self, value: Any) -> bool:
        if value is None:
            return True
        if isinstance(value, float) and math.isnan(value):
            return True
        if isinstance(value, str):
            return value.strip() == ""
        if isinstance(value, (list, tuple)):
            return len(value) == 0
        return False

    def clean(self, value: Any) -> Any:
        """The value in its stored Python form, or FieldError saying what is wrong."""
        if self.is_empty(value):
            return None
        handler = getattr(self, f"_clean_{self.type}")
        return handler(value)

    # -- one cleaner per type -------------------------------------------------
    def _text(self, value: Any) -> str:
        if not isinstance(value, str):
            raise self._fail("should be text.")
        if len(value) > self.max_length:
            raise self._fail(f"is longer than {self.max_length} characters.")
        return value

    _clean_short_text = _text
    _clean_long_text = _text

    def _range_text(self) -> str:
        return f"between {_fmt(self.min)} and {_fmt(self.max)}"

    def _clean_scale(self, value: Any) -> int:
        if isinstance(value, bool):
            raise self._fail("should be a whole number.")
        if isinstance(value, str):
            try:
                value = float(value.strip())
            except ValueError:
                raise self._fail(f"should be a whole number {self._range_text()}.") from None
        if isinstance(value, float):
            if not value.is_integer():
                raise self._fail(f"should be a whole number {self._range_text()}.")
            value = int(value)
        if not isinstance(value, int):
            raise self._fail(f"should be a whole number {self._range_text()}.")
        if not (self.min <= value <= self.max):
            raise self._fail(f"should be {self._range_text()}.")
        return value

    def _clean_number(self, value: Any) -> float:
        if isinstance(value, bool):
            raise self._fail("should be a number.")
        if isinstance(value, str):
            try:
                value = float(value.strip().replace(",", "."))
            except ValueError:
                raise self._fail(f"should be a number, like 7 or 6.5 (not “{str(value)[:40]}”).") from None
        if not isinstance(value, (int, float)) or not math.isfinite(value):
            raise self._fail("should be a number.")
        value = float(value)
        if self.min is not None and value < self.min or self.max is not None and value > self.max:
            raise self._fail(f"should be {self._range_text()}.")
        return value

    def option_keys(self) -> tuple[str, ...]:
        return tuple(o.key for o in self.options)

    def _clean_choice(self, value: Any) -> str:
        if value not in self.option_keys():
            raise self._fail(f"should be one of: {', '.join(self.option_keys())}.")
        return value

    def _clean_multi_choice(self, value: Any) -> list[str]:
        if isinstance(value, str):
            value = [value]
        picked = []
        for item in value:
            if item not in self.option_keys():
                raise self._fail(f"{item!r} is not one of the choices.")
            if item not in picked:
                picked.append(item)
        return picked

    def _clean_date(self, value: Any) -> str:
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip()).isoformat()
            except ValueError:
                raise self._fail("should be a date like 2026-03-31.") from None
        raise self._fail("should be a date.")

    def _clean_datetime(self, value: Any) -> str:
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=None).isoformat(timespec="minutes")
        if isinstance(value, str):
            try:
                parsed = dt.datetime.fromisoformat(value.strip())
            except ValueError:
                raise self._fail("should be a date and time like 2026-03-31T09:30.") from None
            return parsed.replace(tzinfo=None).isoformat(timespec="minutes")
        raise self._fail("should be a date and time.")

    def _clean_tags(self, value: Any) -> list[str]:
        if isinstance(value, str):
            value = value.split(",")
        tags: list[str] = []
        for item in value:
            if not isinstance(item, str):
                raise self._fail("each tag should be text.")
            item = item.strip()
            if len(item) > 100:
                raise self._fail("a tag should be at most 100 characters.")
            if item and item not in tags:
                tags.append(item)
        return tags or None

    def _rating_list(self, value: Any, allow_empty_names: bool = False) -> list[dict]:
        if isinstance(value, str):
            value = json.loads(value)
        out = []
        for item in value:
            if not isinstance(item, Mapping):
                raise self._fail("each entry should have a name and an intensity.")
            name = item.get("name", "")
            if not isinstance(name, str):
                raise self._fail("each name should be text.")
            if not name.strip():
                if item.get("intensity") in (None, ""):
                    continue  # an empty row the person did not use
                raise self._fail("each feeling needs a name.")
            if len(name) > 200:
                raise self._fail("a name should be at most 200 characters.")
            intensity = item.get("intensity")
            if intensity is None or intensity == "":
                raise self._fail(f"give {name!r} an intensity {self._range_text()}.")
            scale = Field(self.name, "scale", self.label, min=self.min, max=self.max)
            try:
                intensity = scale._clean_scale(intensity)
            except FieldError:
                raise self._fail(f"the intensity of {name!r} should be {self._range_text()}.") from None
            out.append({"name": name, "intensity": intensity})
        return out or None

    _clean_ratings = _rating_list
    _clean_rerate = _rating_list

    def _clean_thoughts(self, value: Any) -> list[dict]:
        if isinstance(value, str):
            value = json.loads(value)
        out = []
        for item in value:
            if isinstance(item, str):
                item = {"text": item, "hot": False}
            if not isinstance(item, Mapping) or not isinstance(item.get("text", ""), str):
                raise self._fail("each thought should be text.")
            text = item.get("text", "")
            if not text.strip():
                continue
            if len(text) > self.max_length:
                raise self._fail(f"a thought is longer than {self.max_length} characters.")
            out.append({"text": text, "hot": bool(item.get("hot", False))})
        if sum(t["hot"] for t in out) > 1:
            raise self._fail("mark only one thought as the hot thought.")
        return out or None

    # -- CSV cell encoding ---------------------------------------------------
    def encode(self, value: Any) -> str:
        """The CSV cell for a cleaned value: text exactly as typed, lists as JSON."""
        if value is None:
            return ""
        if self.type in LIST_TYPES:
            return json.dumps(value, ensure_ascii=False)
        if self.type == "number":
            return _fmt(value)
        return str(value)

    def decode(self, cell: str) -> Any:
        """The Python value of a CSV cell; raises ValueError for a cell that does not parse."""
        if cell == "":
            return None
        if self.type in LIST_TYPES:
            return json.loads(cell)
        if self.type == "scale":
            return int(float(cell))
        if self.type == "number":
            return float(cell)
        return cell


@dataclass(frozen=True)
class Step:
    title: str
    prompt: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Exercise:
    """What an exercise is: its fields and, for step-by-step forms, its steps."""

    kind: str
    title: str
    nav: str
    fields: tuple[Field, ...]
    intro: str = ""
    steps: tuple[Step, ...] = ()
    drafts: bool = False
    list_summary: str = ""
    source: str = ""
    # a document kept up to date (a safety plan) rather than a log: its latest version is what
    # counts, so a bundle carries it even when it was saved before the shared range
    current_version: bool = False
    # -- where the exercise appears (registry keys, optional in the YAML) ----------------------
    menu: bool = True  # a button in the app's menu (the safety plan is reached from help instead)
    order: int = DEFAULT_ORDER  # place in the menu and in every list of exercises, lowest first
    trackable: bool = True  # offered on the welcome and on My data as something to track
    track_label: str = ""  # the words beside that tick box; the title when not given
    workshop_counted: bool = True  # added up (as counts only) for a workshop's facilitator
    homework_target: int = 1  # times a week a therapist's new homework suggests
    _by_name: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_name.update({f.name: f for f in self.fields})

    def field(self, name: str) -> Field:
        return self._by_name[name]

    @property
    def track_text(self) -> str:
        """What the tick box for tracking this exercise says."""
        return self.track_label or self.title

    def summarise(self, entry: Mapping[str, Any]) -> str:
        """One line for an entry in a list: `list_summary` filled in, else its first answer.

        `list_summary` names fields in braces ("{mood}/10 mood"); a field left empty shows as
        nothing, and a summary that names an unknown field falls back to the first answer.
        """
        if self.list_summary:
            values = {f.name: _plain(entry.get(f.name)) for f in self.fields}
            try:
                text = self.list_summary.format_map(values).strip()
            except (KeyError, IndexError, ValueError):
                text = ""
            if text:
                return text
        for f in self.fields:
            if not f.is_empty(entry.get(f.name)):
                return _plain(entry.get(f.name))
        return ""

    @property
    def columns(self) -> tuple[str, ...]:
        extra = ("status",) if self.drafts else ()
        return SYSTEM_COLUMNS + extra + tuple(f.name for f in self.fields)

    def validate(self, record: Mapping[str, Any], partial: bool = False) -> dict[str, Any]:
        """Cleaned values for every field; FieldError names the first bad field.

        `partial` (a draft) skips the required check but still refuses bad values.
        """
        unknown = set(record) - set(self._by_name) - set(self.columns)
        if unknown:
            name = sorted(unknown)[0]
            raise FieldError(name, name, f"is not a field of {self.title}.")
        cleaned: dict[str, Any] = {}
        for f in self.fields:
            value = f.clean(record.get(f.name))
            if value is None and f.required and not partial:
                raise FieldError(f.name, f.label, "is needed to save.")
            cleaned[f.name] = value
        if all(v is None for v in cleaned.values()):
            raise FieldError(self.fields[0].name, "",
                             "Nothing is filled in yet. Answer any one question, then Save.")
        return cleaned


def _plain(value: Any) -> str:
    """A value as a person reads it: lists joined with commas, whole numbers without '.0'."""
    if value is None or isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v.get("text") or v.get("name") or "") if isinstance(v, Mapping) else str(v)
                         for v in value)
    if isinstance(value, float):
        return _fmt(value)
    return str(value)


def _fmt(number: float | None) -> str:
    if number is None:
        return ""
    if float(number).is_integer():
        return str(int(number))
    return repr(float(number))


# -- loading declarations ----------------------------------------------------
@cache
def content(name: str) -> Any:
    """A YAML file from workbook/content (wording kept apart from code)."""
    text = resources.files("workbook.content").joinpath(name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _options(spec: Mapping[str, Any], where: str) -> tuple[Option, ...]:
    if "options_from" in spec:
        items = content(f"{spec['options_from']}.yaml")
        return tuple(Option(i["key"], i["name"], i.get("explanation", "")) for i in items)
    options = []
    for item in spec.get("options", []):
        if isinstance(item, Mapping):
            options.append(Option(str(item["key"]), str(item.get("label", item["key"]))))
        else:
            options.append(Option(str(item), str(item)))
    if spec["type"] in ("choice", "multi_choice") and not options:
        raise DefinitionError(f"{where}: a {spec['type']} field needs options.")
    return tuple(options)


def from_mapping(data: Mapping[str, Any], source: str = "") -> Exercise:
    """Build an Exercise from its declaration; DefinitionError says where and why."""
    where = source or str(data.get("kind", "exercise"))
    for key in ("kind", "title", "fields"):
        if key not in data:
            raise DefinitionError(f"{where}: missing '{key}'.")
    kind = str(data["kind"])
    if not kind.replace("_", "").isalnum() or not kind.islower():
        raise DefinitionError(f"{where}: kind {kind!r} should be lower-case letters, digits, _.")
    fields = []
    names: set[str] = set()
    for i, spec in enumerate(data["fields"]):
        at = f"{where}: field {i + 1}"
        if not isinstance(spec, Mapping) or "name" not in spec or "type" not in spec:
            raise DefinitionError(f"{at}: needs a name and a type.")
        name, ftype = str(spec["name"]), str(spec["type"])
        if ftype not in FIELD_TYPES:
            raise DefinitionError(f"{at}: unknown type {ftype!r} (one of {', '.join(FIELD_TYPES)}).")
        if name in names or name in SYSTEM_COLUMNS or name == "status":
            raise DefinitionError(f"{at}: the name {name!r} is already used.")
        names.add(name)
        lo, hi = spec.get("min"), spec.get("max")
        if ftype in ("scale", "ratings", "rerate") and (lo is None or hi is None or lo >= hi):
            raise DefinitionError(f"{at}: a {ftype} field needs min below max.")
        if spec.get("labels") and len(spec["labels"]) != int(hi) - int(lo) + 1:
            raise DefinitionError(f"{at}: give one label for each value from {lo} to {hi}.")
        fields.append(
            Field(
                name=name,
                type=ftype,
                label=str(spec.get("label", name.replace("_", " ").capitalize())),
                help=str(spec.get("help", "")),
                required=bool(spec.get("required", False)),
                min=lo,
                max=hi,
                default=spec.get("default"),
                options=_options(spec, at),
                suggestions=tuple(str(s) for s in spec.get("suggestions", ())),
                of=spec.get("of"),
                max_length=int(spec.get("max_length", DEFAULT_MAX_LENGTH)),
                labels=tuple(str(x) for x in spec.get("labels", ())),
                heading=str(spec.get("heading", "")),
            )
        )
    steps = tuple(
        Step(str(s["title"]), str(s.get("prompt", "")), tuple(s["fields"]))
        for s in data.get("steps", ())
    )
    for step in steps:
        for name in step.fields:
            if name not in names:
                raise DefinitionError(f"{where}: step {step.title!r} names unknown field {name!r}.")
    return Exercise(
        kind=kind,
        title=str(data["title"]),
        nav=str(data.get("nav", data["title"])),
        fields=tuple(fields),
        intro=str(data.get("intro", "")),
        steps=steps,
        drafts=bool(data.get("drafts", False)),
        list_summary=str(data.get("list_summary", "")),
        current_version=bool(data.get("current_version", False)),
        source=where,
        **_placement(data, where),
    )


def _placement(data: Mapping[str, Any], where: str) -> dict[str, Any]:
    """The optional registry keys: where an exercise appears, each with its default."""
    flags = {}
    for key, attr in (("menu", "menu"), ("trackable", "trackable"),
                      ("counted_in_workshop", "workshop_counted")):
        value = data.get(key, True)
        if not isinstance(value, bool):
            raise DefinitionError(f"{where}: '{key}' should be true or false.")
        flags[attr] = value
    numbers = {}
    for key, attr, low, high, default in (("order", "order", 0, 10_000, DEFAULT_ORDER),
                                          ("homework_target", "homework_target", 0,
                                           MAX_HOMEWORK_TARGET, 1)):
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise DefinitionError(f"{where}: '{key}' should be a whole number from {low} to {high}.")
        numbers[attr] = value
    track = data.get("track", "")
    if not isinstance(track, str):
        raise DefinitionError(f"{where}: 'track' should be text.")
    return {**flags, **numbers, "track_label": track.strip()}


# The top-level keys of an exercise's file: (key, default, what it decides). docs/exercises.md
# explains each one (a test checks); a file in this folder with any other key is refused, so a
# misspelt key is said, not silently ignored.
DECLARATION_KEYS: tuple[tuple[str, str, str], ...] = (
    ("kind", "(required)", "the name of its CSV file and CSS hooks: lower-case letters, digits, _"),
    ("title", "(required)", "the page's heading and its name in homework, bundles and reports"),
    ("fields", "(required)", "the questions, in order: each one an input and a CSV column"),
    ("nav", "the title", "the words on its menu button"),
    ("intro", "none", "a line under the heading"),
    ("list_summary", "the first answer", "an entry's line in the page's list, fields in braces"),
    ("steps", "none", "one step at a time: a title, a prompt and the fields of each step"),
    ("drafts", "false", "step forms: save part-way and finish later"),
    ("current_version", "false", "a document kept up to date: a bundle always carries the latest"),
    ("order", str(DEFAULT_ORDER), "its place in the menu and in every list of exercises"),
    ("menu", "true", "a button in the app's menu"),
    ("trackable", "true", "offered on the welcome and on My data as something to track"),
    ("track", "the title", "the words beside that tick box"),
    ("counted_in_workshop", "true", "today's entries added up (counts only) for a facilitator"),
    ("homework_target", "1", "times a week a therapist's new homework suggests (0 to 21)"),
)

# The registry: every exercise declared in a YAML file in this folder, found, not listed.
TOOL_ENV = "WORKBOOK_TOOL"  # the exercise a one-exercise page opens (`workbook serve --tool KIND`)
FOLDER: Traversable | None = None  # None: this package's folder (tests point it at a copy)


def folder() -> Traversable:
    """Where the exercise declarations are read from."""
    return FOLDER if FOLDER is not None else resources.files(__package__)


@cache
def _read(where: Traversable) -> dict[str, Exercise]:
    found = []
    for entry in where.iterdir():
        if not entry.name.endswith(".yaml") or not entry.is_file():
            continue
        data = yaml.safe_load(entry.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise DefinitionError(f"{entry.name}: should be a set of keys (kind, title, fields, ...).")
        unknown = sorted(set(data) - {key for key, _, _ in DECLARATION_KEYS})
        if unknown:
            raise DefinitionError(f"{entry.name}: unknown key {unknown[0]!r} (the keys are in "
                                  "docs/exercises.md).")
        exercise = from_mapping(data, source=entry.name)
        if f"{exercise.kind}.yaml" != entry.name:
            raise DefinitionError(f"{entry.name}: its kind is {exercise.kind!r}; name the file "
                                  f"{exercise.kind}.yaml.")
        found.append(exercise)
    found.sort(key=lambda e: (e.order, e.kind))
    return {e.kind: e for e in found}


def builtin() -> dict[str, Exercise]:
    """The exercises that ship with the workbook, by kind, in menu order (read once per folder)."""
    return dict(_read(folder()))


def kinds() -> tuple[str, ...]:
    """Every built-in exercise's kind, in menu order."""
    return tuple(_read(folder()))


def in_menu() -> tuple[str, ...]:
    """The exercises with a button in the app's menu."""
    return tuple(e.kind for e in _read(folder()).values() if e.menu)


def trackable() -> dict[str, str]:
    """The exercises a person may choose to track, with the words of each tick box."""
    return {e.kind: e.track_text for e in _read(folder()).values() if e.trackable}


def workshop_counted() -> tuple[str, ...]:
    """The exercises whose entries a workshop adds up (counts only) for its facilitator."""
    return tuple(e.kind for e in _read(folder()).values() if e.workshop_counted)


def homework_targets() -> dict[str, int]:
    """Times a week each exercise is suggested at in new homework."""
    return {e.kind: e.homework_target for e in _read(folder()).values()}


def get(kind: str) -> Exercise:
    try:
        return _read(folder())[kind]
    except KeyError:
        raise ValueError(f"kind: unknown exercise {kind!r} (one of {', '.join(kinds())}).") from None
