"""The review board driven without a browser: bundles and homework files in, per-client review out."""

from __future__ import annotations

import builtins
import datetime as dt
import io
import os
import zipfile
from pathlib import Path

import pytest

from workbook import homework, worksheets
from workbook.bundle import make_bundle
from workbook.homework import Item, make_assignment
from workbook.store import Store
from workbook.ui.review import NO_ASSIGNMENT, ClientReview, ReviewBoard, match_assignment

XSS = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"
START, END = dt.date(2026, 3, 2), dt.date(2026, 3, 22)
SHEET = worksheets.parse("name: activity\ntitle: Activity log\nfields:\n  - label: What I did\n"
                         "    type: short text\n")


def at(day: dt.date, hour: int = 9) -> str:
    return f"{day.isoformat()}T{hour:02d}:00:00+01:00"


def upload(*files: tuple[str, bytes]) -> tuple[dict, ...]:
    """What the browser sends for several chosen files (ipywidgets 8)."""
    return tuple({"name": name, "type": "", "size": len(data), "content": memoryview(data),
                  "last_modified": dt.datetime(2026, 3, 23, tzinfo=dt.timezone.utc)} for name, data in files)


def assignment_file(client: str = "Sam") -> bytes:
    made = make_assignment(start=START, until=START + dt.timedelta(days=27),
                           items=[Item("mood", 7), Item("win", 3, f"prompt {XSS}"), Item("thought_record", 1),
                                  Item(SHEET.kind, 2), Item("checkin", 1)],
                           note=f"note {XSS}", client=client, worksheet_list=[SHEET])
    return made.to_json().encode("utf-8")


@pytest.fixture(scope="module")
def bundle_bytes(tmp_path_factory) -> bytes:
    store = Store(tmp_path_factory.mktemp("client") / "data")
    homework.install(store, assignment_file())
    for offset in range(21):
        day = START + dt.timedelta(days=offset)
        store.add("mood", {"mood": 3 + offset % 5, "anxiety": 4, "created_at": at(day, 20)})
    store.add("session", {"session_at": "2026-03-10T10:00", "treatment": "esketamine",
                          "created_at": at(dt.date(2026, 3, 10), 8)})
    for day, answers in ((dt.date(2026, 3, 3), [1] * 8 + [0]), (dt.date(2026, 3, 17), [2] * 8 + [1])):
        store.add("checkin", {**{f"phq9_{i + 1}": a for i, a in enumerate(answers)},
                              **{f"gad7_{i}": 1 for i in range(1, 8)}, "created_at": at(day)})
    for day in (3, 4, 10, 11, 12):
        store.add("win", {"description": f"win {day} {XSS}", "category": "chores",
                          "created_at": at(dt.date(2026, 3, day))})
    store.add("thought_record", {"situation": f"meeting {XSS}",
                                 "emotions": [{"name": f"sad{XSS}", "intensity": 80}],
                                 "automatic_thoughts": [{"text": f"I always fail {XSS}", "hot": True}],
                                 "emotions_after": [{"name": f"sad{XSS}", "intensity": 40}],
                                 "balanced_thought": f"Sometimes I do fine {XSS}",
                                 "created_at": at(dt.date(2026, 3, 12))})
    store.add(SHEET.kind, {"what_i_did": f"walked {XSS}", "created_at": at(dt.date(2026, 3, 11))})
    buffer = io.BytesIO()
    kinds = ["mood", "session", "checkin", "win", "thought_record", SHEET.kind]
    make_bundle(store, buffer, START, END, kinds)
    return buffer.getvalue()


@pytest.fixture
def board() -> ReviewBoard:
    return ReviewBoard()


def every_text(board: ReviewBoard) -> str:
    values = [board.files.value, board.feedback.error.value, board.feedback.status.value]
    for review in board.reviews.values():
        values += [child.value for child in review.children if isinstance(getattr(child, "value", None), str)]
    return "\n".join(values)


def test_hooks_for_browser_tests(board):
    assert {"wb-page", "wb-page-review"} <= set(board._dom_classes)
    assert "wb-upload" in board.upload._dom_classes and board.upload.multiple
    assert ".zip" in board.upload.accept
    assert "No files yet" in board.files.value


def test_a_bundle_with_its_homework(board, bundle_bytes):
    board.upload.value = upload(("sam-march.zip", bundle_bytes), ("homework-sam.json", assignment_file()))
    assert board.feedback.error.value == ""
    assert "2 files checked and opened" in board.feedback.status.value
    assert board.upload.value == ()
    review = board.reviews["sam-march.zip"]
    assert "wb-review-client" in review._dom_classes
    assert review.choice.value == "homework-sam.json"
    assert "checksums verified" in review.summary.value
    completion = review.completion.value
    assert "Homework for Sam" in completion
    # mood daily: 7 in each full week; wins 3 a week: 2, 3, then none
    assert "<td>Mood check-in</td><td>7</td><td class=\"wb-met\">7 / 7</td>" in completion
    assert "2 / 3" in completion and "3 / 3" in completion
    assert "Activity log" in completion
    assert "21 of 21" in completion  # mood so far, as of the bundle's last day
    flags = review.flags.value
    assert "wb-alert-item9" in flags and "Item 9 above 0</strong> in 1 check-in" in flags
    assert "2026-03-17 (several days)" in flags  # the answer given, in the published words
    assert "<svg" in review.charts.value and review.charts.value.count("<figure") == 3
    assert "PHQ-9: 8 to 17 (+9 since the first in the range" in review.scores.value
    assert "moderately severe" in review.scores.value
    assert "Hot thought" in review.thoughts.value and "sad" in review.thoughts.value
    assert "win 12" in review.wins.value
    assert "What I did" in review.other.value  # the worksheet's labels, from the homework file
    shown = every_text(board)
    assert XSS not in shown
    assert ESCAPED in review.thoughts.value and ESCAPED in review.wins.value
    assert ESCAPED in review.other.value and ESCAPED in review.completion.value


def test_homework_uploaded_later_and_changed(board, bundle_bytes):
    board.add_files([("sam.zip", bundle_bytes)])
    review = board.reviews["sam.zip"]
    assert review.choice.value == NO_ASSIGNMENT and "No homework file chosen" in review.completion.value
    board.add_files([("hw.json", assignment_file())])
    assert board.reviews["sam.zip"] is review
    assert review.choice.value == "hw.json" and "7 / 7" in review.completion.value
    review.choice.value = NO_ASSIGNMENT
    assert "No homework file chosen" in review.completion.value


def test_several_clients_are_matched_by_name(board, bundle_bytes):
    board.add_files([("alex.zip", bundle_bytes), ("sam.zip", bundle_bytes),
                     ("a.json", assignment_file("Alex")), ("s.json", assignment_file("Sam"))])
    assert [r.name for r in board.clients.children] == ["alex.zip", "sam.zip"]
    assert board.reviews["alex.zip"].choice.value == "a.json"
    assert board.reviews["sam.zip"].choice.value == "s.json"
    both = {"a.json": homework.parse_assignment(assignment_file("Alex")),
            "s.json": homework.parse_assignment(assignment_file("Sam"))}
    assert match_assignment("someone.zip", both) is None


def tampered(bundle_bytes: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(bundle_bytes))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "win.csv":
                data = data.replace(b"win 3", b"win 9")
            target.writestr(info, data)
    return out.getvalue()


def test_bad_files_are_refused_with_a_reason(board, bundle_bytes):
    board.add_files([("changed.zip", tampered(bundle_bytes)), (f"{XSS}.zip", b"not a zip"),
                     ("notes.json", b'{"hello": 1}'), ("ok.zip", bundle_bytes)])
    files = board.files.value
    assert "changed.zip: refused" in files and "SHA-256" in files
    assert f"{ESCAPED}.zip: refused" in files and "not a zip file" in files
    assert "notes.json: refused" in files and "not a Between Sessions homework" in files
    assert "3 files could not be used" in board.feedback.error.value
    assert list(board.reviews) == ["ok.zip"]
    assert XSS not in every_text(board)


def test_a_bundle_without_questionnaires_says_what_was_not_checked(tmp_path):
    store = Store(tmp_path / "data")
    store.add("win", {"description": "one", "created_at": at(START)})
    buffer = io.BytesIO()
    make_bundle(store, buffer, START, END, ["win"])
    board = ReviewBoard()
    board.add_files([("wins.zip", buffer.getvalue())])
    review = board.reviews["wins.zip"]
    assert "Not checked: the PHQ-9 rules" in review.flags.value
    assert "Check-ins were not shared" in review.scores.value
    assert review.charts.value.count("<figure") == 1
    board.add_files([("hw.json", assignment_file())])
    assert "not in the shared entries" in review.completion.value


def test_the_review_never_writes(tmp_path, monkeypatch, bundle_bytes):
    """No Store, no file opened for writing, no folder made: the bundle is only read in memory."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WORKBOOK_DATA_DIR", str(tmp_path / "data"))
    writes: list[str] = []
    real_open = builtins.open

    def watching_open(file, mode="r", *args, **kwargs):
        if any(flag in str(mode) for flag in "wax+"):
            writes.append(str(file))
        return real_open(file, mode, *args, **kwargs)

    def no_store(*args, **kwargs):
        raise AssertionError("the review made a Store")

    monkeypatch.setattr(builtins, "open", watching_open)
    monkeypatch.setattr("workbook.store.Store.__init__", no_store)
    monkeypatch.setattr(os, "makedirs", lambda *a, **k: writes.append(str(a)))
    monkeypatch.setattr(Path, "mkdir", lambda *a, **k: writes.append(str(a)))
    board = ReviewBoard()
    board.upload.value = upload(("sam.zip", bundle_bytes), ("hw.json", assignment_file()))
    review = board.reviews["sam.zip"]
    assert isinstance(review, ClientReview) and "<svg" in review.charts.value
    assert writes == []
    assert list(tmp_path.iterdir()) == []
