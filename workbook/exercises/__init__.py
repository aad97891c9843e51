"""Exercises as data: each one is declared in a YAML file beside this module.

The form, the CSV columns, validation and the data dictionary are all derived from
these declarations, so a new exercise (or a therapist's worksheet) is a new file, not
new code. `model` says what an exercise is, `declaration` reads one; this module is the
registry: every declaration in this folder, found rather than listed, and what the rest of
the workbook asks of them all (the menu, what can be tracked, counted, assigned).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

import yaml

from workbook.exercises.declaration import DECLARATION_KEYS, content, from_mapping
from workbook.exercises.model import (
    DEFAULT_MAX_LENGTH,
    DEFAULT_ORDER,
    FIELD_TYPES,
    LIST_TYPES,
    MAX_HOMEWORK_TARGET,
    SYSTEM_COLUMNS,
    DefinitionError,
    Exercise,
    Field,
    FieldError,
    Option,
    Step,
)

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

__all__ = [
    "DECLARATION_KEYS", "DEFAULT_MAX_LENGTH", "DEFAULT_ORDER", "FIELD_TYPES", "LIST_TYPES",
    "MAX_HOMEWORK_TARGET", "SYSTEM_COLUMNS", "TOOL_ENV", "DefinitionError", "Exercise", "Field",
    "FieldError", "Option", "Step", "builtin", "content", "folder", "from_mapping", "get",
    "homework_targets", "in_menu", "kinds", "trackable", "workshop_counted",
]

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
