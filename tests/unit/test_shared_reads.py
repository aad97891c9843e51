"""A kernel kept ready reads the person's files before they arrive; the App's Store, made when
the page is claimed, finds them read (`workbook.store.share_reads`), and still sees every change."""

from __future__ import annotations

import os

import pytest

from workbook import preheat, sample
from workbook.store import Store, entries, share_reads
from workbook.store.codec import encode_rows


@pytest.fixture
def reads(monkeypatch):
    """The kinds read from disk, in order."""
    seen: list[str] = []
    real = entries.read_table

    def counted(path, exercise):
        seen.append(exercise.kind)
        return real(path, exercise)

    monkeypatch.setattr(entries, "read_table", counted)
    yield seen
    share_reads(None)


@pytest.fixture
def year(tmp_path):
    folder = tmp_path / "data"
    sample.generate(Store(folder), sample.ONE_YEAR, seed=4)
    return folder


def test_a_warmed_kernel_opens_progress_without_reading_a_file_again(year, reads, monkeypatch):
    preheat.warm(str(year))
    assert {"mood", "session", "checkin", "win", "thought_record"} <= set(reads)
    reads.clear()
    decoded: list[str] = []
    real = Store._decode_all
    monkeypatch.setattr(Store, "_decode_all",
                        lambda self, kind, *a: decoded.append(kind) or real(self, kind, *a))
    from workbook.ui.dashboard import ProgressPage

    page = ProgressPage(Store(year))  # the App's Store, made at the claim
    assert sum(len(s.specs) for s in page.sections.values()) >= 5
    assert reads == [] and decoded == []  # neither read nor decoded again


def test_a_shared_read_still_sees_every_change(year, reads):
    share_reads(year)
    first, second = Store(year), Store(year)
    assert len(first.records("win")) == len(second.records("win"))
    assert reads == ["win"]  # read once for both
    first.add("win", {"description": "made tea"})  # a write in this process
    assert second.records("win")[-1]["description"] == "made tea"
    # another process replaces the file: a new inode, whatever the clock says
    header = list(first.load("win").columns)
    rows = [{k: str(v) for k, v in r.items()} for r in first.records("win")][:3]
    path = year / "win.csv"
    (year / "other.tmp").write_text(encode_rows(header, rows), encoding="utf-8")
    os.replace(year / "other.tmp", path)
    assert len(second.records("win")) == 3 and len(first.records("win")) == 3


def test_only_the_one_folder_is_shared(tmp_path, year, reads):
    share_reads(year)
    other = tmp_path / "other"
    sample.generate(Store(other), sample.ONE_YEAR, seed=5)
    reads.clear()
    Store(other).records("win")
    Store(other).records("win")
    assert reads == ["win", "win"]  # a workshop server's many folders: nothing held for them
