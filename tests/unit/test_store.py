import csv
import multiprocessing
import os

import pandas as pd
import pytest

from workbook.exercises import FieldError
from workbook.store import Store, default_data_dir

AWKWARD = [
    "commas, and \"quotes\" and 'single'",
    "line one\nline two\r\nline three\rend",
    "emoji 🌱🙂 and ümlauts, 漢字",
    "=SUM(A1:A9)",
    "+1 -1 @cmd",
    "<img src=x onerror=alert(1)>",
    "<script>alert('x')</script>",
    "  leading and trailing spaces  ",
    "\ttab\tseparated;semi;colon",
    "\"",
    "a" * 5000,
]


@pytest.mark.parametrize("text", AWKWARD)
def test_text_round_trips_exactly(store, text):
    entry_id = store.add("mood", {"mood": 4, "note": text})
    assert store.get("mood", entry_id)["note"] == text
    assert store.load("mood").loc[0, "note"] == text
    plain = pd.read_csv(store.path("mood"), dtype=str, keep_default_na=False)
    assert plain.loc[0, "note"] == text


def test_files_are_plain_csv_with_id_and_created_at(store):
    store.add("mood", {"mood": 7})
    store.add("win", {"description": "got up"})
    for kind in ("mood", "win"):
        frame = pd.read_csv(store.path(kind))
        assert {"id", "created_at"} <= set(frame.columns)
        assert pd.Timestamp(frame.loc[0, "created_at"]).tzinfo is not None


def test_load_types(store):
    store.add("mood", {"mood": 7, "sleep_hours": "6.5", "tags": "sleep, walk"})
    frame = store.load("mood")
    assert frame.loc[0, "mood"] == 7
    assert str(frame["mood"].dtype) == "Int64"
    assert frame.loc[0, "sleep_hours"] == 6.5
    assert frame.loc[0, "tags"] == ["sleep", "walk"]
    assert pd.isna(frame.loc[0, "anxiety"])


def test_empty_kind_loads_with_columns(store):
    frame = store.load("win")
    assert frame.empty
    assert list(frame.columns[:2]) == ["id", "created_at"]


def test_bad_value_writes_nothing(store):
    store.add("mood", {"mood": 3})
    before = store.path("mood").read_bytes()
    with pytest.raises(FieldError, match="mood"):
        store.add("mood", {"mood": 42})
    assert store.path("mood").read_bytes() == before


def test_unknown_kind(store):
    with pytest.raises(ValueError, match="kind"):
        store.add("diary", {"text": "x"})


def test_update_and_delete(store):
    first = store.add("win", {"description": "cooked"})
    second = store.add("win", {"description": "walked"})
    store.update("win", first, {"description": "cooked a meal", "effort": 6})
    entry = store.get("win", first)
    assert entry["description"] == "cooked a meal"
    assert entry["effort"] == 6
    assert entry["updated_at"]
    with pytest.raises(FieldError):
        store.update("win", first, {"effort": 99})
    assert store.get("win", first)["effort"] == 6
    store.delete("win", second)
    assert list(store.load("win")["id"]) == [first]
    with pytest.raises(KeyError):
        store.delete("win", second)


def test_drafts_can_be_finished(store):
    draft = store.save_draft("thought_record", {"situation": "at work"})
    assert store.get("thought_record", draft)["status"] == "draft"
    store.save_draft("thought_record", {"evidence_for": "none"}, draft)
    store.update("thought_record", draft, {"balanced_thought": "I can ask"}, status="complete")
    entry = store.get("thought_record", draft)
    assert entry["status"] == "complete"
    assert entry["situation"] == "at work"
    assert entry["evidence_for"] == "none"


def test_finishing_a_draft_checks_required_fields(store):
    draft = store.save_draft("thought_record", {"evidence_for": "x"})
    with pytest.raises(FieldError, match="situation"):
        store.update("thought_record", draft, {}, status="complete")


def test_created_at_can_be_given(store):
    entry_id = store.add("mood", {"mood": 5, "created_at": "2024-03-01T08:30:00+01:00"})
    assert store.get("mood", entry_id)["created_at"] == "2024-03-01T08:30:00+01:00"


def test_added_column_keeps_old_files_readable(store):
    store.data_dir.mkdir(parents=True)
    with open(store.path("mood"), "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "created_at", "mood", "mystery"])
        writer.writerow(["old1", "2024-01-01T09:00:00+00:00", "4", "kept"])
    frame = store.load("mood")
    assert frame.loc[0, "mood"] == 4
    assert pd.isna(frame.loc[0, "anxiety"])
    store.add("mood", {"mood": 6})
    rows = list(csv.DictReader(open(store.path("mood"), encoding="utf-8")))
    assert rows[0]["mystery"] == "kept"
    assert [r["mood"] for r in rows] == ["4", "6"]


def test_bom_from_a_spreadsheet_is_read(store):
    store.data_dir.mkdir(parents=True)
    store.path("win").write_bytes(
        "\ufeffid,created_at,description\r\nw1,2024-01-01T09:00:00+00:00,cooked\r\n".encode()
    )
    assert store.load("win").loc[0, "description"] == "cooked"


def test_no_temporary_files_left(store):
    for i in range(5):
        store.add("mood", {"mood": i})
    leftovers = [p.name for p in store.data_dir.iterdir() if p.suffix == ".tmp"]
    assert leftovers == []


def _writer(data_dir: str, worker: int, count: int) -> None:
    store = Store(data_dir)
    for i in range(count):
        store.add("win", {"description": f"worker {worker} win {i}, \"quoted\"\nline"})


def test_concurrent_writers_lose_nothing(tmp_path):
    data_dir = str(tmp_path / "data")
    workers, count = 4, 25
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(data_dir, w, count)) for w in range(workers)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(120)
        assert proc.exitcode == 0
    frame = Store(data_dir).load("win")
    expected = {f"worker {w} win {i}, \"quoted\"\nline" for w in range(workers) for i in range(count)}
    assert set(frame["description"]) == expected
    assert len(frame) == workers * count
    assert frame["id"].is_unique


def test_data_dir_resolution(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBOOK_DATA_DIR", str(tmp_path / "env"))
    assert default_data_dir(tmp_path / "flag") == tmp_path / "flag"
    assert default_data_dir() == tmp_path / "env"
    monkeypatch.delenv("WORKBOOK_DATA_DIR")
    assert "between-sessions" in str(default_data_dir())


def test_config_is_optional_and_read(store):
    assert store.config() == {}
    store.data_dir.mkdir(parents=True)
    (store.data_dir / "config.yaml").write_text("crisis_resources:\n  - name: Line\n    contact: 1\n")
    assert store.config()["crisis_resources"][0]["name"] == "Line"


def test_nothing_written_at_construction(tmp_path):
    Store(tmp_path / "never")
    assert not os.path.exists(tmp_path / "never")


def test_add_many_is_all_or_nothing(store):
    ids = store.add_many("win", [{"description": "a"}, {"description": "b"}])
    assert list(store.load("win")["id"]) == ids
    with pytest.raises(FieldError):
        store.add_many("win", [{"description": "c"}, {"description": ""}])
    assert len(store.load("win")) == 2


@pytest.mark.parametrize("kind,record", [("mood", {"mood": 4, "sleep_hours": 6.5, "tags": ["a"]}),
                                         ("win", {"description": "x", "effort": 3}),
                                         ("thought_record", {"situation": "s", "emotions": [
                                             {"name": "sad", "intensity": 70}]})])
def test_what_a_store_remembers_matches_a_fresh_read(store, kind, record):
    """Invariant S1: the cached records and frame, extended after each add, equal reading the
    file anew, after every write."""

    def same_as_a_fresh_read() -> None:
        fresh = Store(store.data_dir)
        pd.testing.assert_frame_equal(store.load(kind), fresh.load(kind))
        assert store.records(kind) == fresh.records(kind)

    for _ in range(3):
        store.load(kind)
        store.records(kind)
        store.add(kind, record)
        same_as_a_fresh_read()
    store.update(kind, store.records(kind)[0]["id"], {})
    same_as_a_fresh_read()
    store.add(kind, record)
    same_as_a_fresh_read()


def test_a_write_through_the_writer_is_seen_even_when_the_file_looks_unchanged(store, monkeypatch):
    """Invariant S2: on a file system whose clock is coarse and which reuses inode numbers, a
    rewrite of the same size can keep the old file's inode, time and size; the next read of any
    Store in this process still sees it, because the writer counts every write."""
    from workbook.store import writer

    entry = store.add("mood", {"mood": 4})
    assert store.load("mood").loc[0, "mood"] == 4 and store.records("mood")[0]["mood"] == 4
    path = str(store.path("mood"))
    frozen = os.stat(path)
    real_stat = os.stat

    class SameLook:  # the file as it is, but for the inode, time and size it had
        def __init__(self, info):
            self.info = info

        def __getattr__(self, name):
            kept = {"st_ino", "st_mtime_ns", "st_mtime", "st_size"}
            return getattr(frozen if name in kept else self.info, name)

    def same_look(target, *args, **kwargs):
        info = real_stat(target, *args, **kwargs)
        return SameLook(info) if os.fspath(target) == path else info

    monkeypatch.setattr(writer.os, "stat", same_look)
    Store(store.data_dir).update("mood", entry, {"mood": 5})  # another window, the same size
    assert writer.signature(path)[1:] == (frozen.st_ino, frozen.st_mtime_ns, frozen.st_size)
    assert store.load("mood").loc[0, "mood"] == 5
    assert store.records("mood")[0]["mood"] == 5


def test_a_file_replaced_by_another_process_is_read_again(store):
    """Invariant S3: another process's write replaces the file (a new inode), so it is seen."""
    import subprocess
    import sys

    store.add("win", {"description": "here first"})
    assert len(store.load("win")) == 1
    code = ("import sys; from workbook.store import Store; "
            "Store(sys.argv[1]).add('win', {'description': 'from elsewhere'})")
    subprocess.run([sys.executable, "-c", code, str(store.data_dir)], check=True, timeout=60,
                   env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert list(store.load("win")["description"]) == ["here first", "from elsewhere"]
    assert [r["description"] for r in store.records("win")] == ["here first", "from elsewhere"]
    store.add("win", {"description": "after"})  # the append starts from the file, not the memory
    assert len(Store(store.data_dir).load("win")) == 3


@pytest.mark.parametrize("code", [28, 30, 13])  # ENOSPC, EROFS, EACCES
def test_a_failed_write_raises_and_leaves_what_was_saved(store, monkeypatch, code):
    """Invariant E2: the page hears of a write that did not happen; the saved file is as it was,
    and what this store holds is too."""
    from workbook.store import writer

    kept = store.add("win", {"description": "saved before"})
    before = store.path("win").read_bytes()

    def refuse(src, dst):
        raise OSError(code, os.strerror(code), str(dst))

    monkeypatch.setattr(writer.os, "replace", refuse)
    with pytest.raises(OSError) as raised:
        store.add("win", {"description": "made tea"})
    assert raised.value.errno == code
    monkeypatch.undo()
    assert store.path("win").read_bytes() == before
    assert list(store.load("win")["id"]) == [kept]
    store.add("win", {"description": "made tea"})  # once the disk is fine, the same save works
    assert list(Store(store.data_dir).load("win")["description"]) == ["saved before", "made tea"]
