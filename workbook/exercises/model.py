"""What an exercise is: its fields, their types and ranges, and how a value is checked and stored.

A value is cleaned here, by its field, before anything is written; the message of a refusal
names the field, as the page shows it.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

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
MAX_HOMEWORK_TARGET = 50  # times a week, in an assignment and as an exercise's default


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
