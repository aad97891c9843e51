"""Files edited by hand or by a spreadsheet: good rows load, bad rows are moved aside."""

import csv

import pytest

from workbook.store import Store, UnreadableFile

HEADER = "id,created_at,mood,note"


def write(store: Store, kind: str, data: bytes) -> None:
    store.data_dir.mkdir(parents=True, exist_ok=True)
    store.path(kind).write_bytes(data)


def test_spreadsheet_bom_crlf_semicolons(store):
    write(store, "mood", "\ufeffid;created_at;mood;note\r\na1;2026-03-01T08:00:00+01:00;4;"
          "\"semi; colon, comma\"\r\n".encode())
    frame = store.load("mood")
    assert frame.loc[0, "note"] == "semi; colon, comma"
    assert store.problems["mood"] == []


def test_extra_and_missing_columns(store):
    write(store, "mood", (
        b"id,created_at,mood,note,from_my_spreadsheet\n"
        b"a1,2026-03-01T08:00:00+00:00,4,ok,kept\n"
    ))
    frame = store.load("mood")
    assert frame.loc[0, "from_my_spreadsheet"] == "kept"
    assert frame["energy"].isna().all()  # a declared column missing from the file


@pytest.mark.parametrize(
    ("bad_line", "reason"),
    [
        ("this is not a row at all", "values for"),
        ("a2,2026-03-02T08:00:00+00:00,eleven,x", "mood"),
        ("a2,2026-03-02T08:00:00+00:00,42,x", "mood"),
        ("a2,yesterday,4,x", "created_at"),
        (",2026-03-02T08:00:00+00:00,4,x", "no id"),
        ("a2,2026-03-02T08:00:00+00:00,4,x,surplus", "values for"),
        ("a1,2026-03-02T08:00:00+00:00,4,duplicate id", "appears twice"),
    ],
)
def test_bad_rows_are_moved_aside_with_their_line(store, bad_line, reason):
    text = (f"{HEADER}\na1,2026-03-01T08:00:00+00:00,4,first\n{bad_line}\n"
            "a3,2026-03-03T08:00:00+00:00,6,last\n")
    write(store, "mood", text.encode())
    frame = store.load("mood")
    assert list(frame["note"]) == ["first", "last"]
    assert len(store.problems["mood"]) == 1
    assert "mood.csv line 3" in store.problems["mood"][0]
    assert reason in store.problems["mood"][0]
    # The next save moves the bad row into the quarantine file, then rewrites the good ones.
    store.add("mood", {"mood": 5, "note": "new"})
    quarantine = list(csv.DictReader(open(store.data_dir / "mood.quarantine.csv", encoding="utf-8")))
    assert quarantine[0]["line"] == "3"
    assert reason in quarantine[0]["reason"]
    assert quarantine[0]["row"].replace('"', "") == bad_line.replace('"', "")
    assert list(store.load("mood")["note"]) == ["first", "last", "new"]
    assert store.problems["mood"] == []


def test_truncated_last_line(store):
    text = f'{HEADER}\na1,2026-03-01T08:00:00+00:00,4,fine\na2,2026-03-02T08:00:00+00:00,5,"cut of'
    write(store, "mood", text.encode())
    frame = store.load("mood")
    assert list(frame["note"]) == ["fine"]
    assert "line 3" in store.problems["mood"][0]


def test_windows_encoding_from_an_old_spreadsheet(store):
    write(store, "mood", f"{HEADER}\na1,2026-03-01T08:00:00+00:00,4,caf\xe9\n".encode("cp1252"))
    assert store.load("mood").loc[0, "note"] == "café"


def test_unparseable_file_is_never_overwritten(store):
    garbage = b"\x00\x01\x02 this is a picture, not a table \xff\xfe"
    write(store, "mood", garbage)
    with pytest.raises(UnreadableFile, match="has not been changed"):
        store.load("mood")
    with pytest.raises(UnreadableFile):
        store.add("mood", {"mood": 5})
    assert store.path("mood").read_bytes() == garbage


def test_file_removed_while_running(store):
    store.add("mood", {"mood": 5})
    store.path("mood").unlink()
    assert store.load("mood").empty
    store.add("mood", {"mood": 6})
    assert list(store.load("mood")["mood"]) == [6]


def test_empty_file(store):
    write(store, "mood", b"")
    assert store.load("mood").empty
    store.add("mood", {"mood": 3})
    assert len(store.load("mood")) == 1
