"""A NUL character in a note saves and reads back on every supported Python.

Python 3.10's csv module refuses NUL both ways ("need to escape, but no escapechar set" on write,
"line contains NUL" on read); 3.11 made it an ordinary character. `workbook.store.codec` lets a
stand-in character carry it through the csv module on 3.10, so every version writes and reads
the same bytes. The tests run on the oldest and newest supported Python (`make test-pythons`),
and the stand-in path is also checked on newer ones against the csv module's own output.
"""

import csv
import io

import pytest

from workbook.store import Store, codec

NOTES = ["pasted\x00from a PDF", "\x00", "a,\x00\"quoted\"\x00\nnext line", "\ue000 already \x00 there"]


class _RefusesNul:
    """A csv reader or writer that refuses NUL as Python 3.10's does, around this Python's."""

    def __init__(self, inner):
        self._inner = inner

    @staticmethod
    def _check(cells, message):
        cells = list(cells)  # DictWriter gives a generator
        if any(isinstance(c, str) and "\x00" in c for c in cells):
            raise csv.Error(message)
        return cells

    def __iter__(self):
        return self

    def __next__(self):
        return self._check(next(self._inner), "line contains NUL")

    def writerow(self, row):
        return self._inner.writerow(self._check(row, "need to escape, but no escapechar set"))

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)

    @property
    def line_num(self):
        return self._inner.line_num


def python_310_csv(monkeypatch) -> None:
    """The csv module as Python 3.10 has it: NUL refused both ways (for everything that uses it)."""
    real_reader, real_writer = csv.reader, csv.writer
    monkeypatch.setattr(codec, "CSV_HANDLES_NUL", False)
    monkeypatch.setattr(csv, "reader", lambda *a, **k: _RefusesNul(real_reader(*a, **k)))
    monkeypatch.setattr(csv, "writer", lambda *a, **k: _RefusesNul(real_writer(*a, **k)))


@pytest.fixture(params=["this Python", "the 3.10 path"])
def either_path(request, monkeypatch):
    if request.param == "the 3.10 path":
        python_310_csv(monkeypatch)
    return request.param


def test_the_310_stand_in_refuses_nul_as_python_310_does(monkeypatch):
    python_310_csv(monkeypatch)
    with pytest.raises(csv.Error, match="NUL"):
        list(csv.reader(io.StringIO("a\x00b\r\n")))
    with pytest.raises(csv.Error, match="escape"):
        csv.writer(io.StringIO()).writerow(["a\x00b"])
    with pytest.raises(csv.Error, match="escape"):
        csv.DictWriter(io.StringIO(), fieldnames=["a"]).writerow({"a": "\x00"})


@pytest.mark.parametrize("note", NOTES)
def test_a_note_with_nul_is_saved_and_read_back_exactly(tmp_path, either_path, note):
    store = Store(tmp_path)
    entry_id = store.add("mood", {"mood": 4, "note": note})
    store.add("mood", {"mood": 5, "note": "after it"})
    fresh = Store(tmp_path)
    assert fresh.get("mood", entry_id)["note"] == note
    assert list(fresh.load("mood")["note"]) == [note, "after it"]
    assert not fresh.problems.get("mood")
    assert b"\x00" in store.path("mood").read_bytes()  # written as it is, as Python 3.11+ does


@pytest.mark.skipif(not codec.CSV_HANDLES_NUL, reason="compares with the csv module of Python 3.11+")
@pytest.mark.parametrize("note", NOTES)
def test_the_stand_in_writes_and_reads_the_bytes_python_311_does(monkeypatch, note):
    rows = [["id", "note"], ["1", note], ["2", "x"]]
    native = io.StringIO()
    csv.writer(native, lineterminator="\r\n").writerows(rows)
    python_310_csv(monkeypatch)
    assert codec.csv_text(rows, lineterminator="\r\n") == native.getvalue()
    assert list(codec.csv_reader(native.getvalue())) == rows
    as_dicts = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert codec.csv_text(as_dicts, fieldnames=rows[0], header=True, lineterminator="\r\n") \
        == native.getvalue()


def test_a_hand_edited_file_with_nul_in_a_cell_is_read(tmp_path, either_path):
    store = Store(tmp_path)
    store.add("mood", {"mood": 3, "note": "first"})
    path = store.path("mood")
    path.write_bytes(path.read_bytes().replace(b"first", b"fi\x00rst"))
    assert list(Store(tmp_path).load("mood")["note"]) == ["fi\x00rst"]


def test_the_stand_in_is_a_character_the_text_does_not_hold():
    taken = "".join(chr(c) for c in range(0xE000, 0xE010))
    assert codec._unused_character(taken) == "\ue010"


def test_a_share_bundle_carries_nul_and_reads_back(tmp_path, either_path):
    """Invariant C2: a bundle's CSV goes through the codec like the data files."""
    from workbook import bundle

    store = Store(tmp_path)
    store.add("mood", {"mood": 4, "note": NOTES[2]})
    out = io.BytesIO()
    bundle.make_bundle(store, out, None, None, ["mood"])
    assert list(bundle.read_bundle(out.getvalue()).frames["mood"]["note"]) == [NOTES[2]]


def test_a_deleted_note_with_nul_leaves_every_backup(tmp_path, either_path):
    """Invariant C2, for the backups: deleting an entry finds it in them whatever it holds."""
    import datetime as dt
    import zipfile

    from workbook import backup

    store = Store(tmp_path)
    gone = store.add("mood", {"mood": 4, "note": NOTES[0]})
    kept = store.add("mood", {"mood": 5, "note": NOTES[3]})
    made = backup.daily_backup(tmp_path, today=dt.date(2026, 3, 1))
    store.delete("mood", gone)
    with zipfile.ZipFile(made) as archive:
        text = archive.read("mood.csv").decode("utf-8")
    assert gone not in text and kept in text and NOTES[3] in text
