"""Homework: what a therapist assigns, as one small file, and how far along it is.

An assignment names exercises with a target per week (a mood check-in daily is 7, two thought
records is 2), a first and a last day, a personal note and optional prompts, and carries any
therapist-written worksheet it uses, so the file alone is enough: no server, no account. It is
JSON tagged `between-sessions-assignment`, version 1. Everything in it is untrusted text.

Progress is counted from what is saved: entries written on each day of the assignment, weeks
starting on Monday. Counts only grow; nothing resets and nothing is "missed".

Why this module is over 400 lines: the file format and the progress counted against it share
`Assignment`, `Item` and their limits; much of the length is the checks an untrusted file goes
through, one small function per part, kept beside the format they check.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import yaml

from workbook import exercises, safeparse, worksheets
from workbook.analysis import entry_dates, week_start
from workbook.exercises import Exercise

FORMAT = "between-sessions-assignment"
FORMAT_VERSION = 1
MAX_BYTES = 1_000_000
MAX_ITEMS = 20
MAX_WORKSHEETS = 10
MAX_TARGET = exercises.MAX_HOMEWORK_TARGET  # times a week; an exercise file's default is checked too
MAX_DAYS = 366
LIMITS = {"therapist": 100, "client": 100, "note": 5_000, "prompt": 2_000}


class AssignmentError(ValueError):
    """An assignment file that cannot be used, with what is wrong in plain words."""


@dataclass(frozen=True)
class Item:
    """One exercise of an assignment: how many times a week, and the therapist's own prompt."""

    kind: str
    target_per_week: int
    prompt: str = ""


@dataclass(frozen=True)
class Assignment:
    """Homework from `start` to `until` (both days included)."""

    start: dt.date
    until: dt.date
    items: tuple[Item, ...]
    note: str = ""
    therapist: str = ""
    client: str = ""
    worksheets: tuple[Exercise, ...] = ()
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    created_at: str = ""

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(item.kind for item in self.items)

    def worksheet(self, kind: str) -> Exercise | None:
        return next((w for w in self.worksheets if w.kind == kind), None)

    def title(self, kind: str) -> str:
        """The exercise's title from the assignment itself or the built-ins."""
        found = self.worksheet(kind) or exercises.builtin().get(kind)
        return found.title if found else kind

    def finished(self, today: dt.date) -> bool:
        return today > self.until

    def upcoming(self, today: dt.date) -> bool:
        return today < self.start

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "id": self.id,
            "created_at": self.created_at,
            "therapist": self.therapist,
            "client": self.client,
            "start": self.start.isoformat(),
            "until": self.until.isoformat(),
            "note": self.note,
            "items": [{"kind": i.kind, "target_per_week": i.target_per_week, "prompt": i.prompt}
                      for i in self.items],
            "worksheets": [worksheets.to_definition(w) for w in self.worksheets],
        }

    def to_json(self) -> str:
        """The assignment file's text."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"


def make_assignment(
    start: dt.date,
    until: dt.date,
    items: list[Item] | tuple[Item, ...],
    note: str = "",
    therapist: str = "",
    client: str = "",
    worksheet_list: list[Exercise] | tuple[Exercise, ...] = (),
) -> Assignment:
    """A new assignment, checked exactly as a client's app will check its file."""
    used = {item.kind for item in items}
    made = Assignment(start=start, until=until, items=tuple(items), note=note, therapist=therapist,
                      client=client, worksheets=tuple(w for w in worksheet_list if w.kind in used),
                      created_at=dt.datetime.now().astimezone().isoformat(timespec="seconds"))
    return parse_assignment(made.to_json())


# -- reading a file -------------------------------------------------------------------------------
def _decode(data: bytes | bytearray | memoryview | str) -> str:
    if isinstance(data, str):
        raw = data.encode("utf-8")
    else:
        raw = bytes(data)
    if len(raw) > MAX_BYTES:
        raise AssignmentError(f"Refused: the file is {len(raw):,} bytes; an assignment is a small file "
                              f"(at most {MAX_BYTES // 1_000_000} MB).")
    if raw.startswith(b"PK\x03\x04"):
        raise AssignmentError("This is a zip file (perhaps a share bundle), not a homework assignment.")
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AssignmentError("This is not a homework assignment: it is not a text file.") from None


def _load(text: str) -> Any:
    """The file's data: JSON (what the therapist's page makes), else YAML; bounded by `safeparse`."""
    if not text.strip():
        raise AssignmentError("The file is empty; it is not a homework assignment.")
    try:
        return safeparse.load_json(text)
    except safeparse.Refused as exc:
        raise AssignmentError(f"Refused: {exc}.") from None
    except json.JSONDecodeError as json_error:
        try:
            return safeparse.load_yaml(text)
        except safeparse.Refused as exc:
            where = f" (line {exc.line})" if exc.line else ""
            raise AssignmentError(f"Refused{where}: {exc}.") from None
        except yaml.YAMLError:
            raise AssignmentError(f"This is not a homework assignment: it could not be read as JSON "
                                  f"(line {json_error.lineno}: {json_error.msg}).") from None


def _date(data: Mapping[str, Any], key: str, label: str) -> dt.date:
    value = data.get(key)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise AssignmentError(f"The {label} date {value!r} is not a date like 2026-03-02.") from None


def _text(data: Mapping[str, Any], key: str, label: str, limit: int) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise AssignmentError(f"The {label} should be text.")
    text = str(value)
    if len(text) > limit:
        raise AssignmentError(f"The {label} is longer than {limit:,} characters.")
    return text


def parse_assignment(data: bytes | bytearray | memoryview | str) -> Assignment:
    """The assignment in an uploaded file; AssignmentError says plainly why a file is refused."""
    loaded = _load(_decode(data))
    if not isinstance(loaded, Mapping) or loaded.get("format") != FORMAT:
        found = loaded.get("format") if isinstance(loaded, Mapping) else None
        extra = f" (its format is {str(found)[:60]!r})" if found else ""
        raise AssignmentError(f"This is not a Between Sessions homework assignment{extra}.")
    version = loaded.get("format_version")
    if version != FORMAT_VERSION:
        raise AssignmentError(f"This assignment has format_version {str(version)[:20]}; this version of "
                              f"Between Sessions reads version {FORMAT_VERSION}. Ask for a file made "
                              "with a matching version, or update the app.")
    start = _date(loaded, "start", "first")
    until = _date(loaded, "until", "last")
    if until < start:
        raise AssignmentError(f"The dates are reversed: the last day ({until.isoformat()}) is before the "
                              f"first ({start.isoformat()}).")
    if (until - start).days + 1 > MAX_DAYS:
        raise AssignmentError(f"The assignment runs {(until - start).days + 1} days; it may run at most "
                              f"{MAX_DAYS} days. Make a new one for the next stretch.")
    sheets = _worksheets(loaded.get("worksheets"))
    items = _items(loaded.get("items"), {w.kind for w in sheets})
    return Assignment(
        start=start,
        until=until,
        items=items,
        note=_text(loaded, "note", "note", LIMITS["note"]),
        therapist=_text(loaded, "therapist", "therapist's name", LIMITS["therapist"]),
        client=_text(loaded, "client", "client's name", LIMITS["client"]),
        worksheets=sheets,
        id=_text(loaded, "id", "id", 64) or uuid.uuid4().hex,
        created_at=_text(loaded, "created_at", "creation time", 40),
    )


def _worksheets(value: Any) -> tuple[Exercise, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise AssignmentError("The worksheets should be a list of worksheet descriptions.")
    if len(value) > MAX_WORKSHEETS:
        raise AssignmentError(f"An assignment may carry at most {MAX_WORKSHEETS} worksheets.")
    out: list[Exercise] = []
    for index, definition in enumerate(value, start=1):
        if not isinstance(definition, Mapping):
            raise AssignmentError(f"Worksheet {index} in the assignment is not a worksheet description.")
        try:
            sheet = worksheets.from_definition(definition, where=f"worksheet {index} in the assignment")
        except worksheets.WorksheetError as exc:
            raise AssignmentError(f"Worksheet {index} in the assignment cannot be used: "
                                  f"{exc.reason}") from None
        if any(w.kind == sheet.kind for w in out):
            raise AssignmentError(f"The worksheet {sheet.kind!r} is in the assignment twice.")
        out.append(sheet)
    return tuple(out)


def _items(value: Any, worksheet_kinds: set[str]) -> tuple[Item, ...]:
    if not isinstance(value, list) or not value:
        raise AssignmentError("The assignment names no exercises (its items list is missing or empty).")
    if len(value) > MAX_ITEMS:
        raise AssignmentError(f"An assignment may name at most {MAX_ITEMS} exercises.")
    items: list[Item] = []
    for index, raw in enumerate(value, start=1):
        if not isinstance(raw, Mapping):
            raise AssignmentError(f"Item {index} of the assignment is not an exercise with a target.")
        kind = raw.get("kind")
        if not isinstance(kind, str) or not kind:
            raise AssignmentError(f"Item {index} of the assignment names no exercise.")
        builtin = exercises.kinds()
        if kind not in builtin and worksheets.kind_for(kind) in worksheet_kinds:
            kind = worksheets.kind_for(kind)  # a worksheet named as its file says, without ws_
        if kind not in builtin and kind not in worksheet_kinds:
            raise AssignmentError(f"Item {index} names the exercise {kind[:60]!r}, which is not one of "
                                  "the workbook's and has no worksheet in the file.")
        if any(i.kind == kind for i in items):
            raise AssignmentError(f"The exercise {kind!r} is in the assignment twice.")
        target = raw.get("target_per_week")
        if (isinstance(target, bool) or not isinstance(target, (int, float))
                or not float(target).is_integer() or not 0 <= target <= MAX_TARGET):
            raise AssignmentError(f"Item {index} ({kind}): the target per week should be a whole number "
                                  f"from 0 to {MAX_TARGET}, not {str(target)[:20]!r}.")
        items.append(Item(kind=kind, target_per_week=int(target),
                          prompt=_text(raw, "prompt", f"prompt of item {index}", LIMITS["prompt"])))
    return tuple(items)


# -- the client's side: installing, and the assignments kept -------------------------------------
def install(store: Any, data: bytes | bytearray | memoryview | str) -> Assignment:
    """Check an uploaded assignment, add its worksheets to the store, and keep the file.

    Nothing is kept when the file is refused; a worksheet whose changed version would not fit
    entries already saved is refused the same way (ValueError).
    """
    assignment = parse_assignment(data)
    for sheet in assignment.worksheets:
        store.install_worksheet(worksheets.to_yaml(worksheets.to_definition(sheet)))
    store.save_assignment(assignment.to_json())
    return assignment


def saved_assignments(store: Any) -> tuple[list[Assignment], list[str]]:
    """The assignments kept in the store (one per id, the last saved), and why any was skipped."""
    found: dict[str, Assignment] = {}
    problems: list[str] = []
    for text in store.assignments():
        try:
            assignment = parse_assignment(text)
        except AssignmentError as exc:
            problems.append(f"A saved homework file was skipped: {exc}")
            continue
        found[assignment.id] = assignment
    return list(found.values()), problems


def prompts_for(store: Any, kind: str, today: dt.date | None = None) -> list[tuple[str, str]]:
    """(therapist, prompt) for `kind` from each current assignment, shown on that exercise's page."""
    today = today or dt.date.today()
    assignments, _problems = saved_assignments(store)
    out = []
    for assignment in sorted(assignments, key=lambda a: a.start):
        if assignment.start > today or assignment.finished(today):
            continue
        out += [(assignment.therapist, item.prompt) for item in assignment.items
                if item.kind == kind and item.prompt.strip()]
    return out


# -- progress -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class WeekCount:
    """One week of an assignment (Monday to Sunday, cut to its first and last day)."""

    start: dt.date
    end: dt.date
    done: int
    target: int

    @property
    def met(self) -> bool:
        return self.done >= self.target


@dataclass(frozen=True)
class ItemProgress:
    """How far along one exercise of an assignment is, counted from the saved entries."""

    kind: str
    title: str
    prompt: str
    target_per_week: int
    this_week: int  # entries saved this week (from Monday, within the assignment)
    week_target: int  # this week's target: less in a first or last week of fewer days
    due: dt.date | None  # the last day of this week's target (Sunday, or the assignment's last day)
    in_period: int  # entries from the first day to the last
    target_so_far: int  # the targets of the weeks begun by today
    period_target: int  # the targets of every week of the assignment
    weeks: tuple[WeekCount, ...]
    drafts: int = 0  # started and not finished (thought records), in the period
    problem: str = ""  # e.g. a worksheet that could not be loaded, or a kind not shared

    @property
    def met_this_week(self) -> bool:
        return self.this_week >= self.week_target


def weeks_of(start: dt.date, until: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The weeks from `start` to `until`, each cut to the assignment (first and last day)."""
    out = []
    monday = week_start(start)
    while monday <= until:
        out.append((max(monday, start), min(monday + dt.timedelta(days=6), until)))
        monday += dt.timedelta(days=7)
    return out


def week_target(per_week: int, first: dt.date, last: dt.date) -> int:
    """The target for a week of `first`..`last`: the whole target for 7 days, rounded up for fewer."""
    days = (last - first).days + 1
    return math.ceil(per_week * days / 7) if days < 7 else per_week


def _day_counts(frame: pd.DataFrame | None) -> tuple[pd.Series, pd.Series]:
    """Complete entries and drafts per day."""
    empty = pd.Series(dtype="int64")
    if frame is None or frame.empty or "created_at" not in frame:
        return empty, empty
    days = entry_dates(frame["created_at"]).dt.date
    if "status" in frame:
        drafts = frame["status"].astype(str).eq("draft").to_numpy()
    else:
        drafts = pd.Series(False, index=frame.index).to_numpy()
    return days[~drafts].value_counts(), days[drafts].value_counts()


def _count(counts: pd.Series, first: dt.date, last: dt.date) -> int:
    if counts.empty:
        return 0
    days = pd.Series(counts.index, index=counts.index)
    return int(counts[((days >= first) & (days <= last)).to_numpy()].sum())


def item_progress(assignment: Assignment, item: Item, frame: pd.DataFrame | None, today: dt.date,
                  title: str | None = None, problem: str = "") -> ItemProgress:
    """Progress of one item from its kind's entries (`frame` as `Store.load` gives it, or None)."""
    done, drafts = _day_counts(frame)
    weeks = tuple(WeekCount(first, last, _count(done, first, last),
                            week_target(item.target_per_week, first, last))
                  for first, last in weeks_of(assignment.start, assignment.until))
    current = next((w for w in weeks if w.start <= today <= w.end), None)
    return ItemProgress(
        kind=item.kind,
        title=title or assignment.title(item.kind),
        prompt=item.prompt,
        target_per_week=item.target_per_week,
        this_week=current.done if current else 0,
        week_target=current.target if current else 0,
        due=current.end if current else None,
        in_period=_count(done, assignment.start, assignment.until),
        target_so_far=sum(w.target for w in weeks if w.start <= today),
        period_target=sum(w.target for w in weeks),
        weeks=weeks,
        drafts=_count(drafts, assignment.start, assignment.until),
        problem=problem,
    )


def progress_from_frames(assignment: Assignment, frames: Mapping[str, pd.DataFrame],
                         today: dt.date | None = None,
                         missing: str = "not in the shared entries") -> list[ItemProgress]:
    """Progress of every item from entries already loaded (e.g. a share bundle's); no I/O."""
    today = today or dt.date.today()
    return [item_progress(assignment, item, frames.get(item.kind), today,
                          problem="" if item.kind in frames else missing)
            for item in assignment.items]


def progress(assignment: Assignment, store: Any, today: dt.date | None = None) -> list[ItemProgress]:
    """Progress of every item from what is saved in `store`: this week (from Monday) and overall."""
    today = today or dt.date.today()
    out = []
    for item in assignment.items:
        frame, problem = None, ""
        title = None
        try:
            title = store.exercise(item.kind).title
            frame = store.load(item.kind)
        except ValueError as exc:
            problem = (f"{assignment.title(item.kind)} could not be loaded ({exc})" if title is None
                       else f"your {title} entries could not be read just now ({exc})")
        out.append(item_progress(assignment, item, frame, today, title=title, problem=problem))
    return out
