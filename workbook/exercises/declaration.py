"""Reading an exercise's declaration (a YAML mapping) into an `Exercise`, with where and why it fails."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

import yaml

from workbook.exercises.model import (
    DEFAULT_MAX_LENGTH,
    DEFAULT_ORDER,
    FIELD_TYPES,
    MAX_HOMEWORK_TARGET,
    SYSTEM_COLUMNS,
    DefinitionError,
    Exercise,
    Field,
    Option,
    Step,
)


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
    ("homework_target", "1", "times a week a therapist's new homework suggests (0 to 50)"),
)
