"""The share bundle: make -> read round trips, range, spreadsheet safety, hostile zips, the CLI."""

from __future__ import annotations

import builtins
import csv
import datetime as dt
import hashlib
import io
import json
import os
import stat
import zipfile
from contextlib import nullcontext

import pandas as pd
import pytest

from workbook import bundle
from workbook.bundle import BundleError, escape_cell, make_bundle, read_bundle, unescape_cell
from workbook.cli import main
from workbook.store import Store

AWKWARD = [
    "=SUM(A1)",
    "+1",
    "-2",
    "@x",
    "=HYPERLINK(\"http://example.invalid\",\"click\")",
    "<img src=x onerror=alert(1)>",
    "line one\nline two\r\nline three",
    "emoji 😀👍🏽 ❤️ 你好 Łódź café",
    "'=already quoted by hand",
    "''+two quotes",
    "'plain quote",
    "\ttab first",
    "\rcarriage return first",
    '"quoted", with commas; and semicolons',
    "trailing spaces   ",
]


def at(day: str, hour: int = 9) -> str:
    return f"{day}T{hour:02d}:00:00+01:00"


def fill(store: Store) -> Store:
    """Every kind, with awkward text wherever text goes."""
    for i, text in enumerate(AWKWARD):
        store.add("win", {"description": text, "category": "chores", "effort": i % 11,
                          "created_at": at(f"2026-03-{i + 1:02d}")})
        store.add("mood", {"mood": i % 11, "note": text, "tags": [f"{text[:20]}", "sleep"],
                           "sleep_hours": 6.5, "created_at": at(f"2026-03-{i + 1:02d}", 20)})
    store.add("thought_record", {"situation": "=cmd|' /C calc'!A0",
                                 "emotions": [{"name": "+sad", "intensity": 80}],
                                 "automatic_thoughts": [{"text": "-I always fail", "hot": True}],
                                 "distortions": ["labelling"], "created_at": at("2026-03-05")})
    store.save_draft("session", {"session_at": "2026-03-04T10:00", "treatment": "esketamine",
                                 "intention": "@rest", "created_at": at("2026-03-04", 8)})
    store.add("checkin", {**{f"phq9_{i}": 1 for i in range(1, 10)}, "note": "=1+1",
                          "created_at": at("2026-03-06")})
    return store


@pytest.fixture
def filled(store):
    return fill(store)


def make(store, kinds=("mood", "win", "thought_record", "session", "checkin"), start=None, end=None):
    buffer = io.BytesIO()
    manifest = make_bundle(store, buffer, start, end, list(kinds))
    return manifest, buffer.getvalue()


# -- round trip --------------------------------------------------------------------------------------
def test_round_trip_keeps_every_character(filled):
    manifest, data = make(filled)
    read = read_bundle(data)
    assert read.kinds == manifest.kinds == ("mood", "win", "thought_record", "session", "checkin")
    for kind in manifest.kinds:
        pd.testing.assert_frame_equal(read.frames[kind], filled.load(kind))
    assert list(read.frames["win"]["description"]) == AWKWARD
    assert list(read.frames["mood"]["note"]) == AWKWARD


def test_spreadsheet_copies_never_start_a_cell_with_a_formula(filled):
    _, data = make(filled)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = [n for n in archive.namelist() if n.endswith(".csv")]
        assert sorted(names) == ["checkin.csv", "mood.csv", "session.csv", "thought_record.csv", "win.csv"]
        for name in names:
            text = archive.read(name).decode("utf-8-sig")
            for row in csv.reader(io.StringIO(text, newline="")):
                for cell in row:
                    assert not cell or cell[0] not in "=+-@\t\r\n", (name, cell)
        wins = list(csv.DictReader(io.StringIO(archive.read("win.csv").decode("utf-8-sig"), newline="")))
    assert [w["description"] for w in wins][:4] == ["'=SUM(A1)", "'+1", "'-2", "'@x"]
    assert wins[8]["description"] == "''=already quoted by hand"
    assert wins[10]["description"] == "'plain quote"  # no formula character: left alone
    # the data folder still holds the text exactly as typed
    stored = filled.path("win").read_text(encoding="utf-8")
    assert ",=SUM(A1)," in stored


@pytest.mark.parametrize("text", AWKWARD + ["", "'", "''", "'''=", "=", "a=b", "-", "'-"])
def test_escape_is_undone_exactly(text):
    escaped = escape_cell(text)
    assert unescape_cell(escaped) == text
    assert not escaped or escaped[0] not in "=+-@\t\r\n"


# OWASP's list of characters that start a formula: = + - @ tab, carriage return, line feed
@pytest.mark.parametrize(("text", "expected"), [
    ("\n=1+1", "'\n=1+1"),
    ("\r=cmd|' /C calc'!A0", "'\r=cmd|' /C calc'!A0"),
    ("\t=HYPERLINK(\"http://evil.invalid\")", "'\t=HYPERLINK(\"http://evil.invalid\")"),
    ("\r\n@SUM(1)", "'\r\n@SUM(1)"),
    ("\nplain second line", "'\nplain second line"),
    ("'\n=1", "''\n=1"),
    ("line one\n=not at the start", "line one\n=not at the start"),
], ids=["lf-equals", "cr-equals", "tab-equals", "crlf-at", "lf-text", "quoted-lf", "inner-lf"])
def test_a_cell_led_by_a_line_break_or_tab_is_prefixed_and_undone(text, expected):
    assert escape_cell(text) == expected
    assert unescape_cell(escape_cell(text)) == text


@pytest.mark.parametrize("text", ["\n=1+1", "\r=1+1", "\r\n=1+1", "\t-2"])
def test_line_break_led_cells_in_a_bundle_are_prefixed_and_read_back_as_typed(store, text):
    store.add("win", {"description": text})
    _, data = make(store, kinds=["win"])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read("win.csv").decode("utf-8-sig"), newline="")))
    assert rows[0]["description"] == "'" + text
    assert list(read_bundle(data).frames["win"]["description"]) == [text]
    assert store.load("win")["description"][0] == text  # the data folder keeps it as typed


def test_raw_copy_is_not_included(filled):
    _, data = make(filled, kinds=["win"])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sorted(archive.namelist()) == ["manifest.json", "report.html", "report.pdf", "win.csv"]


# -- choosing what to share --------------------------------------------------------------------------
def test_range_includes_both_end_days_by_the_date_as_written(store):
    for day in ("2026-02-27", "2026-02-28", "2026-03-10", "2026-03-20", "2026-03-21"):
        store.add("mood", {"mood": 5, "created_at": f"{day}T23:30:00-05:00"})
    manifest, data = make(store, kinds=["mood"], start=dt.date(2026, 2, 28), end=dt.date(2026, 3, 20))
    frame = read_bundle(data).frames["mood"]
    assert [c[:10] for c in frame["created_at"]] == ["2026-02-28", "2026-03-10", "2026-03-20"]
    assert manifest.counts == {"mood": 3}
    assert (manifest.start, manifest.end) == ("2026-02-28", "2026-03-20")


def test_open_range_takes_everything_and_names_the_days_it_covers(store):
    store.add("win", {"description": "first", "created_at": at("2019-05-01")})
    store.add("win", {"description": "later", "created_at": at("2026-01-02")})
    manifest, data = make(store, kinds=["win"])
    assert manifest.counts == {"win": 2}
    assert manifest.start == "2019-05-01"
    assert manifest.end == max(dt.date.today(), dt.date(2026, 1, 2)).isoformat()
    only_start, _ = make(store, kinds=["win"], start=dt.date(2020, 1, 1))
    assert only_start.counts == {"win": 1}


def test_nothing_is_shared_by_default(store, tmp_path):
    out = tmp_path / "b.zip"
    with pytest.raises(ValueError, match="nothing is shared unless you choose it"):
        make_bundle(store, out, None, None, [])
    assert not out.exists()


def test_bad_choices_are_value_errors(store):
    with pytest.raises(ValueError, match="unknown exercise 'diary'"):
        make(store, kinds=["diary"])
    with pytest.raises(ValueError, match="after end"):
        make(store, kinds=["mood"], start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 1))


def test_empty_kind_still_makes_a_readable_bundle(store):
    manifest, data = make(store, kinds=["checkin"])
    read = read_bundle(data)
    assert manifest.counts == {"checkin": 0}
    assert read.frames["checkin"].empty
    assert "id" in read.frames["checkin"].columns


# -- the manifest ------------------------------------------------------------------------------------
def test_manifest_lists_every_other_file_with_its_sha256(filled):
    manifest, data = make(filled, kinds=["mood", "win"], start=dt.date(2026, 3, 1),
                          end=dt.date(2026, 3, 31))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        raw = json.loads(archive.read("manifest.json"))
        for name, entry in raw["files"].items():
            assert hashlib.sha256(archive.read(name)).hexdigest() == entry["sha256"]
        assert set(raw["files"]) == set(archive.namelist()) - {"manifest.json"}
    assert raw["format"] == "between-sessions-bundle"
    assert raw["format_version"] == 1
    assert raw["app_version"]
    assert dt.datetime.fromisoformat(raw["created_at"]).tzinfo is not None
    assert raw["range"] == {"start": "2026-03-01", "end": "2026-03-31"}
    assert raw["kinds"] == ["mood", "win"]
    assert raw["counts"] == {"mood": len(AWKWARD), "win": len(AWKWARD)}
    assert raw["csv_escaped"] is True
    assert manifest.to_dict() == raw


def test_bundle_written_to_a_path_in_one_piece(filled, tmp_path):
    out = tmp_path / "share" / "bundle.zip"
    manifest = make_bundle(filled, out, None, None, ["win"])
    assert read_bundle(out).manifest == manifest
    assert read_bundle(str(out)).frames["win"]["description"].tolist() == AWKWARD
    with open(out, "rb") as handle:
        assert read_bundle(handle).kinds == ("win",)
    assert os.listdir(out.parent) == ["bundle.zip"]  # no temporary file left behind


# -- the therapist's side: refusing what cannot be trusted -------------------------------------------
@pytest.fixture(scope="module")
def good(tmp_path_factory) -> bytes:
    """One good bundle, shared by the tests that spoil a copy of it."""
    store = fill(Store(tmp_path_factory.mktemp("good") / "data"))
    return make(store, kinds=["mood", "win"])[1]


def rezip(data: bytes, change=None, extra=(), manifest=None, drop=()) -> bytes:
    """A copy of a bundle with members changed, added or dropped, and optionally a new manifest."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in drop:
                continue
            content = src.read(info)
            if info.filename == "manifest.json" and manifest is not None:
                content = json.dumps(manifest(json.loads(content))).encode()
            if change and info.filename in change:
                content = change[info.filename](content)
            dst.writestr(info.filename, content)
        for item in extra:
            if isinstance(item, zipfile.ZipInfo):
                dst.writestr(item, b"x")
            else:
                name, content, *method = item
                dst.writestr(name, content, compress_type=method[0] if method else zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_a_changed_file_is_refused(good):
    tampered = rezip(good, change={"win.csv": lambda b: b.replace(b"SUM", b"SUN")})
    with pytest.raises(BundleError, match="win.csv was changed after the bundle was made"):
        read_bundle(tampered)
    report = rezip(good, change={"report.html": lambda b: b + b"<!-- -->"})
    with pytest.raises(BundleError, match="report.html was changed"):
        read_bundle(report)


def test_a_changed_checksum_is_refused(good):
    def wrong(m):
        m["files"]["mood.csv"]["sha256"] = "0" * 64
        return m

    with pytest.raises(BundleError, match="mood.csv was changed"):
        read_bundle(rezip(good, manifest=wrong))


def _symlink() -> zipfile.ZipInfo:
    info = zipfile.ZipInfo("link.csv")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def _big_stored() -> list:
    block = os.urandom(1024) * (18 * 1024)  # 18 MB each, stored: ratio 1, under the 20 MB limit
    return [(f"big{i}.bin", block, zipfile.ZIP_STORED) for i in range(6)]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ([("../evil.txt", b"x")], "unsafe name"),
        ([("/etc/cron.d/evil", b"x")], "unsafe name"),
        ([("C:/evil.txt", b"x")], "unsafe name"),
        ([("evil\\..\\x.txt", b"x")], "unsafe name"),
        ([("sub/evil.txt", b"x")], "folder"),
        ([_symlink()], "symbolic link"),
        ([(f"extra{i}.txt", b"x") for i in range(47)], "at most 50"),
        ([("huge.csv", b"\0" * (21 * 1024 * 1024))], "at most 20 MB"),
        (_big_stored, "more than 100 MB"),
        ([("bomb.csv", b"\0" * (5 * 1024 * 1024))], "zip bomb"),
        ([("notes.txt", b"hello")], "does not list: notes.txt"),
        ([("win.csv", b"id,created_at\n")], "twice"),
    ],
    ids=["dotdot", "absolute", "drive", "backslash", "folder", "symlink", "members", "member-size",
         "total-size", "ratio", "unlisted", "duplicate"],
)
def test_hostile_zips_are_refused(good, extra, message):
    with pytest.warns(UserWarning, match="Duplicate") if message == "twice" else nullcontext():
        hostile = rezip(good, extra=extra() if callable(extra) else extra)
    with pytest.raises(BundleError, match=message):
        read_bundle(hostile)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda m: {**m, "format_version": 2}, "format_version 2; this version"),
        (lambda m: {**m, "format_version": "1"}, "format_version '1'"),
        (lambda m: {**m, "format": "something-else"}, "not a Between Sessions bundle"),
        (lambda m: {k: v for k, v in m.items() if k != "files"}, "incomplete or malformed"),
        (lambda m: {**m, "counts": {"mood": 1, "win": len(AWKWARD)}}, "the manifest says 1"),
        (lambda m: {**m, "kinds": ["mood"]}, "do not match its kinds"),
    ],
    ids=["newer", "string-version", "format", "no-files", "counts", "kinds"],
)
def test_wrong_manifests_are_refused(good, mutate, message):
    with pytest.raises(BundleError, match=message):
        read_bundle(rezip(good, manifest=mutate))


def test_missing_pieces_are_refused(good):
    with pytest.raises(BundleError, match="no manifest.json"):
        read_bundle(rezip(good, drop={"manifest.json"}))
    with pytest.raises(BundleError, match="report.pdf listed but missing"):
        read_bundle(rezip(good, drop={"report.pdf"}))
    with pytest.raises(BundleError, match="not a zip file"):
        read_bundle(b"PK not really a zip")


def test_reading_writes_nothing(good, monkeypatch, tmp_path):
    real_open = builtins.open

    def read_only(file, mode="r", *args, **kwargs):
        if any(flag in mode for flag in "wax+"):
            raise AssertionError(f"read_bundle tried to write {file!r}")
        return real_open(file, mode, *args, **kwargs)

    path = tmp_path / "in.zip"
    path.write_bytes(good)
    before = sorted(os.listdir(tmp_path))
    monkeypatch.setattr(builtins, "open", read_only)
    monkeypatch.setattr(io, "open", read_only)
    monkeypatch.chdir(tmp_path)
    read = read_bundle(path)
    assert read.report_pdf.startswith(b"%PDF")
    assert sorted(os.listdir(tmp_path)) == before


# -- the command line --------------------------------------------------------------------------------
def test_cli_export_all_kinds(filled, tmp_path, capsys):
    out = tmp_path / "out.zip"
    assert main(["export", "--data-dir", str(filled.data_dir), "--out", str(out)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == str(out.resolve())
    assert f"  mood: {len(AWKWARD)}" in printed
    assert "  session: 1" in printed
    assert read_bundle(out).kinds == tuple(filled.catalog)


def test_cli_export_narrowed(filled, tmp_path, capsys):
    out = tmp_path / "out.zip"
    code = main(["export", "--data-dir", str(filled.data_dir), "--out", str(out), "--from", "2026-03-02",
                 "--to", "2026-03-03", "--kinds", "win,mood"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "  2026-03-02 to 2026-03-03" in printed and "  win: 2" in printed and "  mood: 2" in printed
    assert read_bundle(out).kinds == ("win", "mood")


def test_cli_export_refusals(filled, tmp_path, capsys):
    out = tmp_path / "out.zip"
    assert main(["export", "--data-dir", str(filled.data_dir), "--out", str(out), "--kinds", "diary"]) == 2
    assert "unknown exercise 'diary'" in capsys.readouterr().err
    assert main(["export", "--data-dir", str(tmp_path / "nowhere"), "--out", str(out)]) == 1
    assert "No data folder" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["export", "--data-dir", str(filled.data_dir), "--out", str(out), "--from", "March"])
    assert "not a date like 2026-03-31" in capsys.readouterr().err
    assert not out.exists()


def test_a_bundle_too_large_to_open_is_never_made(filled, monkeypatch, tmp_path):
    monkeypatch.setattr(bundle, "MAX_MEMBER_BYTES", 2000)
    out = tmp_path / "big.zip"
    with pytest.raises(ValueError, match="too large to open .*choose a shorter range or fewer kinds"):
        make_bundle(filled, out, None, None, ["mood"])
    assert not out.exists()


def test_limits_are_the_documented_ones():
    assert bundle.MAX_MEMBERS == 50
    assert bundle.MAX_MEMBER_BYTES == 20 * 1024 * 1024
    assert bundle.MAX_TOTAL_BYTES == 100 * 1024 * 1024
    assert bundle.MAX_RATIO == 100


def test_a_safety_plan_written_before_the_range_is_still_shared(tmp_path):
    """The plan is a document kept up to date: its latest version travels whatever the range."""
    store = Store(tmp_path / "data")
    store.add("safety_plan", {"reasons": "first plan"})
    latest = store.add("safety_plan", {"reasons": "my dog, my sister"})
    store.add("mood", {"mood": 5})
    later = dt.date.today() + dt.timedelta(days=1)
    out = tmp_path / "b.zip"
    made = make_bundle(store, out, later, later + dt.timedelta(days=7), ["safety_plan", "mood"])
    assert made.counts == {"safety_plan": 1, "mood": 0}
    rows = read_bundle(out).frames["safety_plan"]
    assert list(rows["id"]) == [latest]
