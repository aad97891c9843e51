"""Therapist-written worksheets kept in `<data folder>/worksheets/<kind>.yaml`.

A worksheet is an exercise like the built-in ones, declared in a file; the store adds the ones
found here to its catalog. A file that cannot be used is skipped with a sentence and never stops
the app; a new version of a worksheet is refused when entries already saved with it would no
longer fit, so installing one can never make saved entries unreadable.
"""

from __future__ import annotations

import dataclasses
from collections.abc import MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING

from workbook import exercises
from workbook.exercises import Exercise
from workbook.files import private_folder
from workbook.store import writer
from workbook.store.tables import read_table

if TYPE_CHECKING:
    from workbook.store.entries import Store

WORKSHEETS_DIR = "worksheets"


def load(data_dir: Path, catalog: MutableMapping[str, Exercise]) -> list[str]:
    """Add the worksheets in the folder to `catalog`, after what is there; returns the problems."""
    from workbook import worksheets

    problems: list[str] = []
    folder = data_dir / WORKSHEETS_DIR
    try:
        paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".yaml", ".yml"))
    except FileNotFoundError:
        return problems
    except OSError as exc:
        return [f"The worksheets folder could not be read ({exc})."]
    found: list[tuple[Path, Exercise]] = []
    for path in paths:
        try:
            if not path.is_file() or path.name.startswith("."):
                continue
            if path.stat().st_size > worksheets.MAX_BYTES:
                raise ValueError(f"it is larger than {worksheets.MAX_BYTES // 1000} kB")
            found.append((path, worksheets.parse(path.read_bytes(), filename=path.name)))
        except Exception as exc:  # noqa: BLE001 - one broken worksheet must not stop the app
            problems.append(_problem(path, str(exc)))
    # a file named after its kind (as install writes it) wins over a copy named otherwise
    found.sort(key=lambda item: (item[0].stem != item[1].kind, item[0].name))
    for path, exercise in found:
        if exercise.kind in catalog:
            used_by = catalog[exercise.kind].source or "a built-in exercise"
            problems.append(_problem(path, f"the kind {exercise.kind} is already used by {used_by}"))
            continue
        catalog[exercise.kind] = exercise
    return problems


def _problem(path: Path, reason: str) -> str:
    return (f"{WORKSHEETS_DIR}/{path.name} was skipped: {reason.rstrip('.')}. Your other worksheets "
            "and every saved entry are unaffected.")


def install(store: Store, text: str) -> Exercise:
    """Check a worksheet description and keep it as `worksheets/<kind>.yaml` in the store's folder.

    ValueError (a WorksheetError with the line) when the description is refused, when its kind
    is a built-in exercise's, or when a changed version would no longer fit entries already
    saved with it. Installing the same worksheet again changes nothing.
    """
    from workbook import worksheets

    exercise = worksheets.parse(text)
    kind = exercise.kind
    exercise = dataclasses.replace(exercise, source=f"worksheet {kind}.yaml")
    catalog = store.catalog
    if (kind in exercises.kinds() or not worksheets.KIND_PATTERN.fullmatch(kind)
            or (kind in catalog and not worksheets.is_worksheet(catalog[kind]))):
        raise ValueError(f"kind: {kind!r} is the name of a built-in exercise; give the worksheet "
                         "another name.")
    target = store.data_dir / WORKSHEETS_DIR / f"{kind}.yaml"
    with store._lock(kind):  # the kind's entries are read under the new declaration from now on
        previous = catalog.get(kind)
        if (previous is not None and _same_exercise(previous, exercise)
                and (target.exists() or previous.source != exercise.source)):
            return previous
        _check_fits(store.data_dir / f"{kind}.csv", exercise, previous)
        private_folder(target.parent)
        writer.write(target, text)
        catalog[kind] = exercise
    return exercise


def _check_fits(path: Path, new: Exercise, previous: Exercise | None) -> None:
    """Refuse a new version of a worksheet that entries already saved with it would not fit."""
    if not path.exists():
        return
    bad = read_table(path, new).bad
    before = len(read_table(path, previous).bad) if previous is not None else 0
    if len(bad) > before:
        count = len(bad) - before
        raise ValueError(
            f"kind: this version of {new.title} does not fit {count} "
            f"entr{'y' if count == 1 else 'ies'} already saved with the worksheet "
            f"({bad[-1].reason}). Nothing was changed. Give the changed worksheet a new name so both "
            "can be kept.")


def _same_exercise(a: Exercise, b: Exercise) -> bool:
    """The same declaration, wherever each was read from."""
    return dataclasses.replace(b, source=a.source) == a
