"""Therapist-written worksheets: a small YAML or JSON description becomes an exercise.

A therapist names each field in plain words (short text, long text, 0-10 scale, choice, multiple
choice, date, number) with a label, help and whether it is needed. `parse` checks the description
and builds the same `Exercise` the built-in exercises are, through `exercises.from_mapping`, so a
worksheet gets a form, a CSV file, validation and a list like any other exercise. A description
that cannot be used is refused with the line and the reason (`WorksheetError`).

A worksheet's kind is `ws_` followed by a safe name (lower-case letters, digits and `_`), so it
can never take a built-in exercise's place, and as a file name it never leaves its folder.

Why this module is over 400 lines: reading a description (`parse`) and writing one back
(`to_definition`, `to_yaml`) are two directions of one format, tested as a round trip; most of
the length is the checks, each saying which line to fix and why.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

import yaml

from workbook import safeparse
from workbook.exercises import SYSTEM_COLUMNS, DefinitionError, Exercise, Field, from_mapping

PREFIX = "ws_"
MAX_KIND = 40
MAX_BYTES = 100_000
MAX_FIELDS = 40
MAX_OPTIONS = 40
MAX_SCALE_SPAN = 100
SHORT_TEXT_MAX = 1_000
LIMITS = {"title": 120, "intro": 2_000, "label": 300, "help": 1_000, "option": 200}
KIND_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
_SAFE_NAME = re.compile(r"[A-Za-z0-9 _-]+")

# the words a therapist may write for a type -> (field type, preset range or None)
TYPE_WORDS: dict[str, tuple[str, tuple[int, int] | None]] = {
    "short text": ("short_text", None),
    "text": ("short_text", None),
    "long text": ("long_text", None),
    "paragraph": ("long_text", None),
    "scale": ("scale", None),
    "0-10 scale": ("scale", (0, 10)),
    "scale 0-10": ("scale", (0, 10)),
    "0-100 scale": ("scale", (0, 100)),
    "scale 0-100": ("scale", (0, 100)),
    "choice": ("choice", None),
    "single choice": ("choice", None),
    "multiple choice": ("multi_choice", None),
    "multi choice": ("multi_choice", None),
    "checkboxes": ("multi_choice", None),
    "date": ("date", None),
    "number": ("number", None),
}
# the types offered by the worksheet builder, in the order shown
BUILDER_TYPES = ("short text", "long text", "0-10 scale", "0-100 scale", "choice", "multiple choice",
                 "date", "number")
TYPE_NAMES = {"short_text": "short text", "long_text": "long text", "scale": "scale", "choice": "choice",
              "multi_choice": "multiple choice", "date": "date", "number": "number"}
TOP_KEYS = ("name", "kind", "title", "intro", "fields")
FIELD_KEYS = ("name", "label", "type", "help", "required", "min", "max", "options")


class WorksheetError(DefinitionError):
    """A worksheet description that cannot be used: where (file and line) and why."""

    def __init__(self, filename: str, line: int | None, reason: str):
        self.filename = filename
        self.line = line
        self.reason = reason
        where = f"{filename}, line {line}" if line else filename
        super().__init__(f"{where}: {reason}")


# -- where things are: lines of the YAML nodes ------------------------------------------------------
class _Lines:
    """Line numbers (1-based) of the keys and list items of a worksheet description."""

    def __init__(self, root: yaml.Node | None, filename: str):
        self.root = root
        self.filename = filename

    def fail(self, line: int | None, reason: str) -> WorksheetError:
        return WorksheetError(self.filename, line, reason)

    @staticmethod
    def _line(node: yaml.Node | None) -> int | None:
        return None if node is None else node.start_mark.line + 1

    def _pairs(self, node: yaml.Node | None) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            return {}
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key, value in node.value:
            name = str(key.value) if isinstance(key, yaml.ScalarNode) else ""
            if name in out:
                raise self.fail(self._line(key), f"'{name}' is given twice (first on line "
                                                 f"{self._line(out[name][0])}).")
            out[name] = (key, value)
        return out

    def top(self, key: str | None = None) -> int | None:
        """The line of a top-level key (of the whole document without a key)."""
        if key is None:
            return self._line(self.root) or 1
        pair = self._pairs(self.root).get(key)
        return self._line(pair[0]) if pair else self.top()

    def _field_node(self, index: int) -> yaml.Node | None:
        pair = self._pairs(self.root).get("fields")
        if pair and isinstance(pair[1], yaml.SequenceNode) and index < len(pair[1].value):
            return pair[1].value[index]
        return None

    def field(self, index: int, key: str | None = None) -> int | None:
        """The line of field `index` (from 0), or of one of its keys."""
        node = self._field_node(index)
        if node is None:
            return self.top("fields")
        if key is not None:
            pair = self._pairs(node).get(key)
            if pair:
                return self._line(pair[0])
        return self._line(node)

    def check_duplicates(self) -> None:
        """Refuse a key written twice in the same mapping (YAML would silently keep the last)."""
        self._pairs(self.root)
        pair = self._pairs(self.root).get("fields")
        if pair and isinstance(pair[1], yaml.SequenceNode):
            for item in pair[1].value:
                self._pairs(item)


def _json_problem(text: str, exc: json.JSONDecodeError) -> tuple[int, str]:
    """json's line and message, with a trailing comma named at its own line on every Python.

    Python 3.13 says "Illegal trailing comma before end of array" at the comma; older versions
    say "Expecting value" (or "Expecting property name") at the bracket after it, a line later.
    The comma is what the person has to remove, so its line is the one given, always.
    """
    at = exc.pos
    if text[at:at + 1] != ",":  # Python 3.12 and older: at the closing bracket after the comma
        before = text[:at].rstrip()
        at = len(before) - 1 if before.endswith(",") else -1
    closer = text[at + 1:].lstrip()[:1] if at >= 0 else ""
    if closer in ("]", "}"):
        return text.count("\n", 0, at) + 1, f"a comma before the closing {closer} (remove that comma)"
    return exc.lineno, exc.msg


def _syntax_error(exc: yaml.YAMLError, filename: str) -> WorksheetError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    reason = f"this is not valid YAML: {problem}" + (f" ({context})" if context else "") + "."
    return WorksheetError(filename, line, reason)


def _looks_like_json(text: str, filename: str) -> bool:
    return filename.lower().endswith(".json") or text.lstrip().startswith(("{", "["))


def _load(text: str, filename: str) -> tuple[Any, _Lines]:
    """The description as plain data, with the line of every key; syntax errors with their line.

    Size is checked by the caller; nesting and aliases are refused by `safeparse` before any
    structure is built, so a hostile file costs milliseconds.
    """
    data: Any = None
    as_json = _looks_like_json(text, filename)
    if as_json:
        try:
            data = safeparse.load_json(text)
        except json.JSONDecodeError as exc:
            if filename.lower().endswith(".json"):
                line, msg = _json_problem(text, exc)
                raise WorksheetError(filename, line, f"this is not valid JSON: {msg}.") from None
            as_json = False  # a YAML flow mapping such as {title: x}: read it as YAML
        except safeparse.Refused as exc:
            raise WorksheetError(filename, exc.line, f"{exc}.") from None
    source = text.replace("\t", " ") if as_json else text  # JSON allows tabs where YAML does not
    try:
        root = safeparse.compose_yaml(source)
        if not as_json:
            data = yaml.load(text, Loader=safeparse.loader())  # noqa: S506 - a safe loader
    except safeparse.Refused as exc:
        raise WorksheetError(filename, exc.line, f"{exc}.") from None
    except yaml.YAMLError as exc:
        if not as_json:
            raise _syntax_error(exc, filename) from None
        root = None  # valid JSON that YAML cannot read: no line numbers, line 1 is said instead
    return data, _Lines(root, filename)


# -- names ----------------------------------------------------------------------------------------
def slug(text: str) -> str:
    """A safe name from any text: ASCII lower-case letters, digits and `_`, starting with a letter."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    name = re.sub(r"[^a-z0-9]+", "_", folded).strip("_")
    name = re.sub(r"^[0-9_]+", "", name)
    return name


def _name(value: Any, what: str, limit: int, fail: Any) -> str:
    """A name as written by a therapist: letters, digits, spaces, - and _ only; never a path."""
    text = str(value).strip()
    if not text or not _SAFE_NAME.fullmatch(text) or not text[0].isalpha():
        raise fail(f"the {what} {text!r} may hold only letters (a-z), digits, spaces, - and _, and "
                   "should start with a letter; it becomes a file or column name.")
    name = slug(text)
    if len(name) > limit:
        raise fail(f"the {what} {text!r} is longer than {limit} characters.")
    return name


def kind_for(name: str) -> str:
    """The kind of a worksheet called `name` (already safe): `ws_` in front, once."""
    return name if name.startswith(PREFIX) else PREFIX + name


# -- checking a description -----------------------------------------------------------------------
def _text(value: Any, what: str, limit: int, fail: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (Mapping, list)):
        raise fail(f"{what} should be text, not a list or a set of keys.")
    text = str(value)
    if len(text) > limit:
        raise fail(f"{what} is longer than {limit} characters.")
    return text


def _whole(value: Any, what: str, fail: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not float(value).is_integer():
        raise fail(f"{what} should be a whole number, not {value!r}.")
    return int(value)


def _number(value: Any, what: str, fail: Any) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise fail(f"{what} should be a number, not {value!r}.")
    return value


def _type(value: Any, fail: Any) -> tuple[str, tuple[int, int] | None]:
    if value is None:
        raise fail(f"a field needs a type (one of: {', '.join(BUILDER_TYPES)}, or scale with min "
                   "and max).")
    word = " ".join(str(value).lower().replace("_", " ").replace("\u2013", "-").replace("\u2014", "-")
                    .split())
    word = re.sub(r"\s*-\s*", "-", word)  # "0 - 10 scale" is "0-10 scale"
    if word not in TYPE_WORDS:
        raise fail(f"unknown type {str(value)!r} (use one of: {', '.join(BUILDER_TYPES)}, or scale "
                   "with min and max).")
    return TYPE_WORDS[word]


def _field(spec: Any, index: int, lines: _Lines) -> dict[str, Any]:
    """One field of the description as `from_mapping` reads it."""

    def fail_at(key: str | None) -> Any:
        return lambda reason: lines.fail(lines.field(index, key), f"field {index + 1}: {reason}")

    if not isinstance(spec, Mapping):
        raise fail_at(None)("each field should be a set of keys (label, type, ...), not "
                            f"{type(spec).__name__}.")
    for key in spec:
        if str(key) not in FIELD_KEYS:
            raise lines.fail(lines.field(index, str(key)),
                             f"field {index + 1}: unknown key {str(key)!r} (a field may have: "
                             f"{', '.join(FIELD_KEYS)}).")
    label = _text(spec.get("label"), "the label", LIMITS["label"], fail_at("label")).strip()
    if spec.get("name") is not None:
        name = _name(spec["name"], "field name", MAX_KIND, fail_at("name"))
    elif label:
        name = slug(label)[:MAX_KIND].strip("_")
        if not name:
            raise fail_at("label")(f"no column name can be made from the label {label!r}; give the "
                                   "field a name (letters a-z, digits, _).")
    else:
        raise fail_at(None)("a field needs a label (the question shown).")
    if name in SYSTEM_COLUMNS or name == "status":
        raise fail_at("name" if "name" in spec else "label")(
            f"the name {name!r} is kept for the app's own column; choose another.")
    ftype, preset = _type(spec.get("type"), fail_at("type"))
    out: dict[str, Any] = {
        "name": name,
        "type": ftype,
        "label": label or name.replace("_", " ").capitalize(),
        "help": _text(spec.get("help"), "the help", LIMITS["help"], fail_at("help")),
    }
    required = spec.get("required", False)
    if not isinstance(required, bool):
        raise fail_at("required")(f"required should be true or false, not {required!r}.")
    out["required"] = required
    has_range = "min" in spec or "max" in spec
    if ftype == "scale":
        if preset is not None:
            lo = _whole(spec.get("min", preset[0]), "min", fail_at("min"))
            hi = _whole(spec.get("max", preset[1]), "max", fail_at("max"))
            if (lo, hi) != preset:
                raise fail_at("min" if lo != preset[0] else "max")(
                    f"a {preset[0]}-{preset[1]} scale goes from {preset[0]} to {preset[1]}; for "
                    "another range write type: scale with its own min and max.")
        else:
            if spec.get("min") is None or spec.get("max") is None:
                raise fail_at("type" if not has_range else ("min" if spec.get("min") is None else "max"))(
                    "a scale needs its range: min and max (e.g. min: 0 and max: 10), or write "
                    "type: 0-10 scale.")
            lo = _whole(spec["min"], "min", fail_at("min"))
            hi = _whole(spec["max"], "max", fail_at("max"))
        if lo >= hi:
            raise fail_at("max")(f"min ({lo}) should be below max ({hi}).")
        if hi - lo > MAX_SCALE_SPAN:
            raise fail_at("max")(f"a scale may span at most {MAX_SCALE_SPAN} steps ({lo} to {hi} is "
                                 f"{hi - lo}); use a number field for wider ranges.")
        out.update(min=lo, max=hi)
    elif ftype == "number":
        for key in ("min", "max"):
            if spec.get(key) is not None:
                out[key] = _number(spec[key], key, fail_at(key))
        if "min" in out and "max" in out and out["min"] > out["max"]:
            raise fail_at("max")(f"min ({out['min']}) should not be above max ({out['max']}).")
    elif has_range:
        key = "min" if "min" in spec else "max"
        raise fail_at(key)(f"only scale and number fields have {key}; a {TYPE_NAMES[ftype]} field "
                           "does not.")
    if ftype in ("choice", "multi_choice"):
        out["options"] = _options(spec.get("options"), fail_at("options"))
    elif spec.get("options") is not None:
        raise fail_at("options")(f"only choice fields have options; a {TYPE_NAMES[ftype]} field does "
                                 "not.")
    if ftype == "short_text":
        out["max_length"] = SHORT_TEXT_MAX
    return out


def _options(value: Any, fail: Any) -> list[str]:
    if not isinstance(value, list) or not value:
        raise fail("a choice field needs options: a list of the answers to choose from.")
    if len(value) > MAX_OPTIONS:
        raise fail(f"a choice field may have at most {MAX_OPTIONS} options.")
    options: list[str] = []
    for item in value:
        if isinstance(item, (Mapping, list)) or item is None:
            raise fail("each option should be a short text.")
        text = str(item).strip()
        if not text:
            raise fail("an option is empty.")
        if len(text) > LIMITS["option"]:
            raise fail(f"an option is longer than {LIMITS['option']} characters.")
        if text in options:
            raise fail(f"the option {text!r} is given twice.")
        options.append(text)
    return options


def _declaration(data: Any, lines: _Lines) -> dict[str, Any]:
    """The description checked and turned into the declaration `from_mapping` reads."""
    if data is None:
        raise lines.fail(1, "the file is empty; a worksheet needs a title and fields.")
    if not isinstance(data, Mapping):
        raise lines.fail(lines.top(), "a worksheet should be a set of keys (title, fields, ...), not "
                                      f"{type(data).__name__}.")
    lines.check_duplicates()
    for key in data:
        if str(key) not in TOP_KEYS:
            raise lines.fail(lines.top(str(key)), f"unknown key {str(key)!r} (a worksheet may have: "
                                                  f"{', '.join(TOP_KEYS)}).")

    def fail_at(key: str) -> Any:
        return lambda reason: lines.fail(lines.top(key), reason)

    title = _text(data.get("title"), "the title", LIMITS["title"], fail_at("title")).strip()
    if data.get("kind") is not None:
        kind_text = str(data["kind"]).strip()
        if not KIND_PATTERN.fullmatch(kind_text):
            raise fail_at("kind")(f"the kind {kind_text!r} may hold only lower-case letters a-z, digits "
                                  "and _, starting with a letter; it becomes a file name.")
        kind = kind_for(kind_text)
    elif data.get("name") is not None:
        kind = kind_for(_name(data["name"], "name", MAX_KIND - len(PREFIX), fail_at("name")))
    elif title:
        base = slug(title)[: MAX_KIND - len(PREFIX)].strip("_")
        if not base:
            raise fail_at("title")(f"no file name can be made from the title {title!r}; add a name "
                                   "(letters a-z, digits, _).")
        kind = kind_for(base)
    else:
        raise lines.fail(lines.top(), "a worksheet needs a title.")
    if len(kind) > MAX_KIND:
        raise fail_at("kind" if "kind" in data else "name")(
            f"the kind {kind!r} is longer than {MAX_KIND} characters.")
    if not title:
        title = str(data.get("name") or kind[len(PREFIX):]).replace("_", " ").strip().capitalize()
    fields = data.get("fields")
    if not isinstance(fields, list) or not fields:
        raise fail_at("fields")("a worksheet needs fields: a list with at least one question.")
    if len(fields) > MAX_FIELDS:
        raise fail_at("fields")(f"a worksheet may have at most {MAX_FIELDS} fields.")
    declared: list[dict[str, Any]] = []
    first_line: dict[str, int | None] = {}
    for index, spec in enumerate(fields):
        item = _field(spec, index, lines)
        if item["name"] in first_line:
            raise lines.fail(lines.field(index, "name" if "name" in spec else "label"),
                             f"field {index + 1}: the field name {item['name']!r} is used twice (first "
                             f"on line {first_line[item['name']]}); give one of them another name.")
        first_line[item["name"]] = lines.field(index)
        declared.append(item)
    return {
        "kind": kind,
        "title": title,
        "nav": title,
        "intro": _text(data.get("intro"), "the intro", LIMITS["intro"], fail_at("intro")),
        "fields": declared,
    }


def _exercise(declaration: dict[str, Any], lines: _Lines) -> Exercise:
    try:
        return from_mapping(declaration, source=f"worksheet {lines.filename}")
    except (DefinitionError, KeyError, TypeError, ValueError) as exc:  # checked above; kept as a net
        found = re.search(r"field (\d+)", str(exc))
        line = lines.field(int(found.group(1)) - 1) if found else lines.top()
        raise lines.fail(line, str(exc).split(": ", 1)[-1]) from None


def parse(text: str | bytes, filename: str = "worksheet.yaml") -> Exercise:
    """The worksheet described in `text` (YAML or JSON); WorksheetError gives the line and reason."""
    if isinstance(text, (bytes, bytearray)):
        if len(text) > MAX_BYTES:
            raise WorksheetError(filename, None, f"the file is larger than {MAX_BYTES // 1000} kB; a "
                                                 "worksheet description is a small text file.")
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise WorksheetError(filename, None, "this is not a text file (UTF-8).") from None
    if len(text) > MAX_BYTES:
        raise WorksheetError(filename, None, f"the file is larger than {MAX_BYTES // 1000} kB; a "
                                             "worksheet description is a small text file.")
    text = text.lstrip("\ufeff")
    data, lines = _load(text, filename)
    return _exercise(_declaration(data, lines), lines)


def from_definition(definition: Mapping[str, Any], where: str = "worksheet") -> Exercise:
    """The worksheet of an already-loaded description (e.g. embedded in an assignment)."""
    return parse(to_yaml(definition), filename=where)


# -- writing a description ------------------------------------------------------------------------
def is_worksheet(exercise: Exercise) -> bool:
    """A therapist-written worksheet (read by `parse`), not an exercise of the workbook's own."""
    return exercise.kind.startswith(PREFIX) and exercise.source.startswith("worksheet ")


def to_definition(exercise: Exercise) -> dict[str, Any]:
    """The description a therapist would write for `exercise` (parse gives the same exercise back)."""
    fields = []
    for f in exercise.fields:
        spec: dict[str, Any] = {"name": f.name, "label": f.label, "type": _type_word(f)}
        if f.type in ("scale", "number"):
            for key in ("min", "max"):
                value = getattr(f, key)
                if value is not None:
                    spec[key] = int(value) if float(value).is_integer() and f.type == "scale" else value
        if f.options:
            spec["options"] = [o.key for o in f.options]
        if f.help:
            spec["help"] = f.help
        if f.required:
            spec["required"] = True
        fields.append(spec)
    name = exercise.kind[len(PREFIX):] if exercise.kind.startswith(PREFIX) else exercise.kind
    out: dict[str, Any] = {"name": name,
                           "title": exercise.title}
    if exercise.intro:
        out["intro"] = exercise.intro
    out["fields"] = fields
    return out


def _type_word(f: Field) -> str:
    if f.type not in TYPE_NAMES:
        raise ValueError(f"{f.name}: a worksheet cannot hold a {f.type} field.")
    return TYPE_NAMES[f.type]


def to_yaml(definition: Mapping[str, Any]) -> str:
    """A description as YAML text, keys in the order a person reads them."""
    return yaml.safe_dump(_plain(definition), sort_keys=False, allow_unicode=True, width=100)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
