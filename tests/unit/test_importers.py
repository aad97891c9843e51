"""Importers: Daylio CSV and FreeCBT / Quirk JSON into the store, refusals, dedup, the CLI."""

import datetime as dt
import json
import time
from pathlib import Path

import pytest

from workbook import importers
from workbook.cli import main
from workbook.importers import ImportRefused, ImportResult, import_daylio, import_freecbt, parse_mapping

DATA = Path(__file__).resolve().parent.parent / "data" / "imports"
CLASSIC = DATA / "daylio_classic.csv"
SCALES = DATA / "daylio_scales_bom_12h.csv"
FREECBT = DATA / "freecbt_export.json"
QUIRK = DATA / "quirk_legacy.json"
HEADER = "full_date,date,weekday,time,mood,activities,note_title,note\n"


def local(*parts: int) -> str:
    """What the store keeps for a wall-clock time on this machine."""
    return dt.datetime(*parts).astimezone().isoformat(timespec="seconds")


def utc(*parts: int) -> str:
    return dt.datetime(*parts, tzinfo=dt.timezone.utc).astimezone().isoformat(timespec="seconds")


def by_time(store, kind):
    return {r["created_at"]: r for r in store.records(kind)}


@pytest.fixture
def zone():
    """Run a test in a named time zone, then put the machine's back."""
    import os

    before = os.environ.get("TZ")

    def use(name: str) -> None:
        os.environ["TZ"] = name
        time.tzset()

    yield use
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


# -- Daylio ------------------------------------------------------------------------
def test_daylio_classic_export(store):
    result = import_daylio(CLASSIC, store)
    assert (result.added, result.duplicates, result.problems, result.skipped) == (6, 0, (), 0)
    rows = by_time(store, "mood")
    assert len(rows) == 6
    first = rows[local(2024, 3, 14, 21, 40)]
    assert (first["mood"], first["tags"], first["note"]) == (7, ["family", "walk", "cooked a meal"], None)
    long_day = rows[local(2024, 3, 13, 20, 5)]
    assert long_day["mood"] == 5  # "meh " with Daylio's trailing space
    assert long_day["note"] == 'Long day\n\nMeeting ran over, again. Said "no" to the extra shift 🙂'
    # newer exports write notes as HTML: <br> is a line break, as the app showed it
    assert rows[local(2024, 3, 12, 8, 15)]["note"] == (
        "Couldn't get up.\nStayed in bed till noon.\n\nTexted Sam though.")
    assert rows[local(2024, 3, 12, 8, 15)]["tags"] is None
    concert = rows[local(2024, 3, 11, 19, 30)]
    assert concert["mood"] == 9
    assert concert["tags"] == ["friends", "music", "movies / tv"]
    assert concert["note"] == ("Concert 🎶\n\nFirst time I enjoyed music in months.\nSang along, even.\n\n"
                               "Home by 11.")
    assert rows[local(2024, 3, 10, 13, 0)]["note"] == "Session 4"  # a title alone
    assert rows[local(2024, 3, 10, 13, 0)]["mood"] == 3
    assert rows[local(2024, 3, 9, 10, 20)]["mood"] == 7  # "Good": labels are not case-sensitive
    assert rows[local(2024, 3, 9, 10, 20)]["tags"] == ["walk", "outdoors"]
    assert result.summary() == "Added 6 mood check-ins from Daylio."


def test_daylio_moods_are_band_centres():
    assert importers.DAYLIO_MOODS == {"awful": 1, "bad": 3, "meh": 5, "good": 7, "rad": 9}


def test_daylio_scales_bom_12h_custom_labels_and_bad_rows(store):
    result = import_daylio(SCALES, store)
    assert result.added == 3
    assert result.problems == (
        "line 2: mood 'superb' is not a Daylio mood; map it with --map superb=N",
        "line 4: mood 'so-so' is not a Daylio mood; map it with --map so-so=N",
        "line 6: has 2 columns where a Daylio row has 9",  # after a two-line note: the real line
        "line 8: date '2025-02-30' is not a date like 2021-09-28",
    )
    assert result.skipped == 4
    assert result.unmapped_moods == ("superb", "so-so")
    rows = by_time(store, "mood")
    assert rows[local(2025, 1, 20, 9, 15)]["note"] == "Morning pages, done ✅"  # "9:15\u202fam"
    assert rows[local(2025, 1, 18, 12, 30)]["mood"] == 9  # 12:30 pm is half past noon
    side = rows[local(2025, 1, 17, 23, 45)]  # "11:45 PM"
    assert side["tags"] == ["medication", "bad sleep"]
    # <b> from a newer export is dropped; the scales column is kept, named, at the end of the note
    assert side["note"] == ("Side effects\n\nHeadache, nausea. Day 2 after session, expected "
                            "per the nurse.\n\nDaylio scales: Anxiety: 5")
    assert result.notes == ("What Daylio's scales column held (like sleep or energy scales) has no "
                            "place of its own here, so it was kept at the end of each entry's note.",)
    assert result.notes[0] in result.summary()


def test_daylio_mapping_imports_renamed_moods(store):
    result = import_daylio(SCALES, store, mapping={"Superb": 10, " so-so ": "4"})
    assert result.added == 5
    assert len(result.problems) == 2
    rows = by_time(store, "mood")
    assert rows[local(2025, 1, 20, 20, 30)]["mood"] == 10
    late = rows[local(2025, 1, 19, 0, 5)]  # "12:05 am" is just after midnight
    assert late["mood"] == 4
    assert late["note"] == ('Can\'t sleep\n\nLying awake, thinking about "what if"\r\nand everything else'
                            "\n\nDaylio scales: Sleep: 2")


def test_mapping_can_move_a_default_mood(store):
    csv_text = HEADER + '2024-05-01,May 1,Wednesday,09:00,meh,"","",""\n'
    import_daylio(csv_text.encode(), store, mapping={"meh": 4})
    assert store.load("mood")["mood"].tolist() == [4]


def test_second_import_adds_nothing(store):
    import_daylio(CLASSIC, store)
    before = store.path("mood").read_bytes()
    again = import_daylio(CLASSIC, store)
    assert (again.added, again.duplicates) == (0, 6)
    assert again.summary() == ("No new mood check-ins to add from Daylio. "
                               "6 were already in your workbook and were skipped.")
    assert store.path("mood").read_bytes() == before


def test_import_again_with_a_mapping_adds_only_what_was_missing(store):
    import_daylio(SCALES, store)
    result = import_daylio(SCALES, store, mapping={"superb": 9, "so-so": 5})
    assert (result.added, result.duplicates) == (2, 3)
    assert len(store.records("mood")) == 5


def test_dedup_tolerates_repeated_activities_and_hand_typed_entries(store):
    store.add("mood", {"mood": 6, "note": "typed by hand"})
    csv_text = HEADER + '2024-05-01,May 1,Wednesday,09:00,good,"walk | walk | music","",""\n'
    assert import_daylio(csv_text.encode(), store).added == 1
    assert import_daylio(csv_text.encode(), store).duplicates == 1
    assert store.records("mood")[1]["tags"] == ["walk", "music"]


def test_the_same_row_twice_in_one_file_is_kept_twice_and_found_twice(store):
    # two check-ins in the same minute with the same mood are two check-ins, not a duplicate
    row = '2024-05-01,May 1,Wednesday,09:00,good,"walk","",""\n'
    result = import_daylio((HEADER + row + row).encode(), store)
    assert (result.added, result.duplicates) == (2, 0)
    again = import_daylio((HEADER + row + row + row).encode(), store)
    assert (again.added, again.duplicates) == (1, 2)
    assert len(store.records("mood")) == 3


def test_scales_column_anywhere_and_crlf(store):
    text = ("scales,full_date,date,weekday,time,mood,activities,note_title,note\r\n"
            '"Sleep: 3",2024-05-01,May 1,Wednesday,7:05 am,rad,"","",""\r\n')
    assert import_daylio(text.encode(), store).added == 1
    assert store.records("mood")[0]["created_at"] == local(2024, 5, 1, 7, 5)


@pytest.mark.parametrize("source", ["path", "str", "bytes", "bytearray", "memoryview"])
def test_daylio_sources(store, source):
    value = {"path": CLASSIC, "str": str(CLASSIC), "bytes": CLASSIC.read_bytes(),
             "bytearray": bytearray(CLASSIC.read_bytes()),
             "memoryview": memoryview(CLASSIC.read_bytes())}[source]
    assert import_daylio(value, store).added == 6


@pytest.mark.parametrize(
    ("time_text", "expected", "problem"),
    [
        ("20:30", (20, 30), None),
        ("8:30 pm", (20, 30), None),
        ("08:30 PM", (20, 30), None),
        ("12:00 am", (0, 0), None),
        ("9:15\u202fAM", (9, 15), None),
        ("20.30", (20, 30), None),
        ("25:99", None, "time '25:99' is not a time like 20:30 or 8:30 pm"),
        ("5", None, "time '5' is not a time like 20:30 or 8:30 pm"),
        ("", None, "time '' is not a time like 20:30 or 8:30 pm"),
        ("noon-ish", None, "time 'noon-ish' is not a time like 20:30 or 8:30 pm"),
    ],
)
def test_daylio_times(store, time_text, expected, problem):
    text = HEADER + f'2024-05-01,May 1,Wednesday,{time_text},good,"","",""\n'
    result = import_daylio(text.encode(), store)
    if expected:
        assert result.problems == ()
        assert store.records("mood")[0]["created_at"] == local(2024, 5, 1, *expected)
    else:
        assert result.problems == (f"line 2: {problem}",)
        assert not store.path("mood").exists()


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ('2024-05-01,May 1,Wednesday,09:00,,"","",""', "line 2: has no mood"),
        ('01/05/2024,May 1,Wednesday,09:00,good,"","",""',
         "line 2: date '01/05/2024' is not a date like 2021-09-28"),
        ('2024-05-01,May 1,Wednesday,09:00,good,"' + "x" * 101 + '","",""',
         "line 2: Tags (tags): a tag should be at most 100 characters."),
        ('2024-05-01,May 1,Wednesday,09:00,good,"","","",extra',
         "line 2: has 9 columns where a Daylio row has 8"),
    ],
)
def test_daylio_bad_rows(store, row, problem):
    good = '2024-05-02,May 2,Thursday,09:00,good,"","",""\n'
    result = import_daylio((HEADER + row + "\n" + good).encode(), store)
    assert result.problems == (problem,)
    assert result.added == 1


def test_unclosed_quote_keeps_the_rows_before_it(store):
    text = (HEADER + '2024-05-02,May 2,Thursday,09:00,good,"","",""\n'
            '2024-05-03,May 3,Friday,09:00,good,"","","never closed\n')
    result = import_daylio(text.encode(), store)
    assert result.added == 1
    assert result.problems == ("line 3: could not be read as CSV (unexpected end of data)",)


def test_a_stray_quote_spoils_only_its_own_row(store):
    text = (HEADER + '2024-05-02,May 2,Thursday,09:00,good,"walk"ing,"",""\n'
            '2024-05-03,May 3,Friday,09:00,good,"","","two\nlines"\n'
            '2024-05-04,May 4,Saturday,09:00,good,"","",""\n')
    result = import_daylio(text.encode(), store)
    assert result.added == 2
    assert result.problems == ("line 2: could not be read as CSV (',' expected after '\"')",)


def test_created_at_is_local_time_of_this_machine(store, zone):
    zone("America/New_York")
    text = (HEADER + '2024-07-01,July 1,Monday,20:30,good,"","",""\n'
            '2024-01-15,January 15,Monday,8:30 pm,good,"","",""\n')
    import_daylio(text.encode(), store)
    assert [r["created_at"] for r in store.records("mood")] == [
        "2024-07-01T20:30:00-04:00", "2024-01-15T20:30:00-05:00"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.csv", "The file is empty."),
        ("photo.png", "This is not a Daylio CSV export: it is a binary file, not text."),
        ("not_daylio.csv", "This is not a Daylio CSV export: its first line should be "
                           "full_date,date,weekday,time,mood,activities,note_title,note."),
        ("freecbt_export.json", "This is not a Daylio CSV export: its first line should be"),
        ("header_only.csv", "This Daylio export has no entries in it."),
    ],
)
def test_daylio_refuses_what_is_not_a_daylio_export(store, name, message):
    with pytest.raises(ImportRefused) as caught:
        import_daylio(DATA / name, store)
    assert str(caught.value).startswith(message)
    assert not store.data_dir.exists()


def test_daylio_refusals_name_a_few_missing_columns(store):
    with pytest.raises(ImportRefused, match=r"\(it lacks note_title, note\)"):
        import_daylio(b"full_date,date,weekday,time,mood,activities\n2024-05-01,a,b,09:00,good,\n", store)


def test_refuses_text_that_is_not_utf8(store):
    with pytest.raises(ImportRefused, match="not UTF-8"):
        import_daylio((HEADER + '2024-05-01,1 mai,mercredi,09:00,good,"","","caf\xe9"\n').encode("cp1252"),
                      store)


def test_refuses_huge_files_without_reading_them(store, tmp_path):
    big = tmp_path / "big.csv"
    with open(big, "wb") as handle:
        handle.truncate(importers.MAX_BYTES + 1)
    with pytest.raises(ImportRefused, match="over 20 MB"):
        import_daylio(big, store)
    with pytest.raises(ImportRefused, match="over 20 MB"):
        import_freecbt(b" " * (importers.MAX_BYTES + 1), store)
    assert not store.data_dir.exists()


def test_refuses_a_missing_file_and_a_folder(store, tmp_path):
    with pytest.raises(ImportRefused, match="There is no file"):
        import_daylio(tmp_path / "nope.csv", store)
    with pytest.raises(ImportRefused, match="is a folder"):
        import_daylio(tmp_path, store)


def test_refuses_a_bad_mapping_before_reading(store):
    with pytest.raises(ImportRefused, match="from 0 to 10"):
        import_daylio(CLASSIC, store, mapping={"great": 11})
    with pytest.raises(ImportRefused, match="from 0 to 10"):
        import_daylio(CLASSIC, store, mapping={"great": "lots"})
    assert not store.data_dir.exists()


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (["great=9"], {"great": 9}),
        ([" ok = 5 ", "super rad=10"], {"ok": 5, "super rad": 10}),
        (["a=b=3"], {"a=b": 3}),
        ([], {}),
    ],
)
def test_parse_mapping(items, expected):
    assert parse_mapping(items) == expected


@pytest.mark.parametrize("item", ["great", "=5", "great=", "great=11", "great=-1", "great=7.5"])
def test_parse_mapping_refuses(item):
    with pytest.raises(ValueError):
        parse_mapping([item])


def test_problem_hint_quotes_names_with_spaces(store):
    row = '2024-05-01,May 1,Wednesday,09:00,super rad,"","",""\n'
    result = import_daylio((HEADER + row).encode(), store)
    assert result.problems == (
        "line 2: mood 'super rad' is not a Daylio mood; map it with --map 'super rad=N'",)


# -- FreeCBT / Quirk -------------------------------------------------------------------
def test_freecbt_export(store):
    result = import_freecbt(FREECBT, store)
    assert result.added == 3
    assert result.problems == (
        "entry 4: createdAt 'yesterday' is not a date",
        "entry 5: has no thought, challenge or alternative thought in it",
    )
    assert result.skipped == 2
    rows = by_time(store, "thought_record")
    evening = rows[utc(2023, 6, 2, 18, 45, 10)]
    assert evening["situation"] == "Imported from FreeCBT"
    assert evening["automatic_thoughts"] == [
        {"text": "I ruined the whole evening for everyone.", "hot": True}]
    assert evening["distortions"] == ["all_or_nothing", "mind_reading", "catastrophising"]
    assert evening["evidence_against"].startswith("Two people thanked me")
    assert evening["balanced_thought"] == "I had a hard moment, and the evening was still mostly good."
    assert evening["status"] == "complete"
    early = rows[utc(2023, 6, 5, 7, 30)]
    assert early["automatic_thoughts"] == [
        {"text": "Nothing will ever change — the treatment isn't working 😞", "hot": True}]
    assert early["distortions"] == ["fortune_telling", "blaming_others", "overgeneralising"]
    assert early["balanced_thought"].endswith("next session.\nOne day at a time.")
    assert rows[utc(2023, 6, 7, 21, 15)]["automatic_thoughts"][0]["text"].startswith("<img src=x")
    assert result.summary() == ("Added 3 thought records from FreeCBT. "
                                "2 could not be imported; each is listed with the reason.")


def test_freecbt_second_import_adds_nothing(store):
    import_freecbt(FREECBT, store)
    again = import_freecbt(FREECBT, store)
    assert (again.added, again.duplicates) == (0, 3)
    assert len(store.records("thought_record")) == 3


def test_freecbt_dedup_survives_an_edit_that_adds_a_thought(store):
    import_freecbt(FREECBT, store)
    entry = store.records("thought_record")[0]
    thoughts = entry["automatic_thoughts"] + [{"text": "and another", "hot": False}]
    store.update("thought_record", entry["id"], {"automatic_thoughts": thoughts})
    assert import_freecbt(FREECBT, store).added == 0


def test_quirk_legacy_list_with_epoch_ms_and_selected_flags(store):
    result = import_freecbt(QUIRK, store)
    assert result.added == 2
    assert result.skipped == 0
    assert result.problems == ()  # other-blaming has its own pattern now
    first, second = store.records("thought_record")
    assert first["created_at"] == utc(2019, 5, 1, 18, 30)
    assert first["distortions"] == ["should_statements", "personalising"]  # unselected ones left out
    assert second["created_at"] == utc(2019, 5, 4, 20, 0)  # "1557000000000" as text
    assert second["distortions"] == ["mind_reading", "blaming_others"]
    assert second["evidence_against"] is None


@pytest.mark.parametrize(
    "data",
    [
        {"v": "Archive-v1", "thoughts": [{"automaticThought": "x", "createdAt": 1700000000000}]},
        [{"automaticThought": "x", "createdAt": 1700000000}],  # seconds, not ms
        {"@Quirk:thoughts:abc": json.dumps({"automaticThought": "x", "createdAt": "2023-11-14T22:13:20Z"})},
        {"automaticThought": "x", "createdAt": "2023-11-14T22:13:20.000Z"},
        {"thoughts": {"abc": {"automaticThought": "x", "createdAt": "2023-11-14T22:13:20+00:00"}}},
    ],
)
def test_freecbt_shapes(store, data):
    result = import_freecbt(json.dumps(data).encode(), store)
    assert (result.added, result.problems) == (1, ())
    record = store.records("thought_record")[0]
    assert record["created_at"] == utc(2023, 11, 14, 22, 13, 20)
    assert record["automatic_thoughts"] == [{"text": "x", "hot": True}]


def test_freecbt_keeps_a_situation_and_evidence_when_the_file_has_them(store):
    data = [{"automaticThought": "x", "createdAt": "2023-11-14T22:13:20Z", "situation": "At the bus stop",
             "evidenceFor": "I was late", "cognitiveDistortions": ["Mind Reading", "labelling"]}]
    import_freecbt(json.dumps(data).encode(), store)
    record = store.records("thought_record")[0]
    assert (record["situation"], record["evidence_for"]) == ("At the bus stop", "I was late")
    assert record["distortions"] == ["mind_reading", "labelling"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("not_json.json", "This is not a FreeCBT or Quirk export: it is not JSON"),
        ("settings.json", "This is not a FreeCBT or Quirk export: it has no thoughts"),
        ("freecbt_backup.txt", "This is a FreeCBT backup (the compressed kind)"),
        ("photo.png", "This is not a FreeCBT or Quirk export: it is a binary file"),
        ("daylio_classic.csv", "This is not a FreeCBT or Quirk export: it looks like a CSV file. In "
                               "FreeCBT, open Export and choose JSON"),
        ("empty.csv", "The file is empty."),
    ],
)
def test_freecbt_refuses_what_is_not_an_export(store, name, message):
    with pytest.raises(ImportRefused) as caught:
        import_freecbt(DATA / name, store)
    assert str(caught.value).startswith(message)
    assert not store.data_dir.exists()


def test_freecbt_refuses_an_empty_export(store):
    with pytest.raises(ImportRefused, match="has no thoughts in it"):
        import_freecbt(b'{"v": "Archive-v1", "thoughts": []}', store)


def test_distortion_map_targets_exist(store):
    keys = set(store.exercise("thought_record").field("distortions").option_keys())
    assert set(importers.FREECBT_DISTORTIONS.values()) <= keys


# -- the result ------------------------------------------------------------------------
def test_result_is_frozen_and_summary_counts_in_words():
    result = ImportResult(added=1, duplicates=1, problems=("line 3: x",), skipped=1)
    with pytest.raises(AttributeError):
        result.added = 2  # type: ignore[misc]
    assert result.summary() == ("Added 1 mood check-in. 1 was already in your workbook and was skipped. "
                                "1 could not be imported; each is listed with the reason.")


# -- the command line --------------------------------------------------------------------
def test_cli_import_daylio(tmp_path, capsys):
    data_dir = tmp_path / "data"
    assert main(["import", "daylio", str(SCALES), "--data-dir", str(data_dir), "--map", "superb=9",
                 "--map", "so-so=5"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Added 5 mood check-ins from Daylio. "
                             "2 could not be imported; each is listed with the reason. What Daylio's")
    assert out[1:] == ["  line 6: has 2 columns where a Daylio row has 9",
                       "  line 8: date '2025-02-30' is not a date like 2021-09-28"]
    assert main(["import", "daylio", str(SCALES), "--data-dir", str(data_dir), "--map", "superb=9",
                 "--map", "so-so=5"]) == 0
    assert "5 were already in your workbook" in capsys.readouterr().out


def test_cli_import_daylio_without_a_map_lists_unknown_moods(tmp_path, capsys):
    assert main(["import", "daylio", str(SCALES), "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "  line 2: mood 'superb' is not a Daylio mood; map it with --map superb=N" in out


def test_cli_import_freecbt(tmp_path, capsys):
    assert main(["import", "freecbt", str(FREECBT), "--data-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out.startswith("Added 3 thought records from FreeCBT.")


def test_cli_uses_the_data_dir_from_the_environment(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("WORKBOOK_DATA_DIR", str(tmp_path / "env"))
    assert main(["import", "freecbt", str(QUIRK)]) == 0
    assert (tmp_path / "env" / "thought_record.csv").exists()


def test_cli_refused_file_exits_1_and_writes_nothing(tmp_path, capsys):
    data_dir = tmp_path / "data"
    assert main(["import", "daylio", str(DATA / "not_daylio.csv"), "--data-dir", str(data_dir)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "This is not a Daylio CSV export" in captured.err
    assert "Nothing was imported." in captured.err
    assert not data_dir.exists()
    assert main(["import", "freecbt", str(DATA / "missing.json"), "--data-dir", str(data_dir)]) == 1


def test_cli_bad_map_is_a_usage_error(tmp_path, capsys):
    assert main(["import", "daylio", str(CLASSIC), "--data-dir", str(tmp_path), "--map", "great"]) == 2
    assert "should look like great=9" in capsys.readouterr().err


def test_cli_import_needs_a_format(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["import"])
    assert caught.value.code == 2


# -- files made to each app's published export code ---------------------------------------------
# Daylio's 2018 CSV: seven columns, as documented by MichaelCurrin/daylio-csv-parser docs/usage.md.
# Daylio's backup: a zip whose backup.daylio member is base64 of the app's JSON, as read and written by
# Guekka/DaylioBackupTools src/load_store.rs (load_daylio_backup / store_daylio_backup), with the
# fields of its tests/data/official/english.json (customMoods.mood_group_id, dayEntries.month from 0,
# timeZoneOffset in milliseconds, notes in HTML).
# FreeCBT's CSV: erosson/freecbt expo47/src/screen/ExportScreen.tsx, toCSV and escapeCSV (distortion
# slugs sorted and joined with commas, rows joined with "\n", no newline at the end).
DAYLIO_2018 = DATA / "daylio_2018.csv"
UTF16 = DATA / "daylio_utf16_html.csv"
TRUNCATED = DATA / "daylio_truncated.csv"
BACKUP = DATA / "daylio_backup.daylio"
FREECBT_CSV = DATA / "freecbt_export.csv"


def test_daylio_2018_seven_column_export(store):
    plan = importers.read_daylio(DAYLIO_2018, store)
    assert plan.unknown_moods == ("happy", "average", "horrible")  # that person's own mood names
    assert not store.data_dir.exists()  # reading writes nothing
    result = plan.with_moods({"happy": 8, "average": 5, "horrible": 1}).apply(store)
    assert (result.added, result.problems) == (4, ())
    rows = by_time(store, "mood")
    assert rows[local(2018, 5, 18, 23, 54)]["mood"] == 8
    assert rows[local(2018, 5, 18, 23, 54)]["tags"] == ["clean", "cook", "music"]
    assert rows[local(2018, 5, 18, 23, 54)]["note"] == "Went to a party"
    assert rows[local(2018, 5, 17, 22, 21)]["tags"] == ["cook", "stressed"]
    assert rows[local(2018, 5, 16, 23, 41)]["mood"] == 1
    assert rows[local(2018, 5, 15, 8, 2)]["mood"] == 7  # "good" is one of Daylio's own


def test_daylio_2018_without_places_for_own_moods_imports_the_rest(store):
    result = import_daylio(DAYLIO_2018, store)
    assert result.added == 1
    assert result.unmapped_moods == ("happy", "average", "horrible")
    assert result.problems[0] == "line 2: mood 'happy' is not a Daylio mood; map it with --map happy=N"


def test_utf16_export_with_html_notes_and_a_spring_forward_time(store, zone):
    zone("America/New_York")  # clocks went from 2:00 to 3:00 on 2024-03-10
    result = import_daylio(UTF16, store)
    assert (result.added, result.problems) == (2, ())
    night, dinner = sorted(store.records("mood"), key=lambda r: r["created_at"], reverse=True)
    assert night["created_at"] == "2024-03-10T02:30:00-05:00"  # 2:30 as Daylio showed it
    assert night["note"] == ("Up in the night\n\nCouldn't sleep.\nTried the breathing exercise & it "
                             "helped a bit.")
    assert dinner["note"] == "Dinner with Ana 🍲\n\nLaughed a lot. I <3 them."


def test_utf16_is_not_called_binary_and_real_binary_still_is(store):
    assert importers.read_daylio(UTF16.read_text(encoding="utf-16").encode("utf-16-le"), store).entries
    with pytest.raises(ImportRefused, match="binary file"):
        import_daylio(DATA / "photo.png", store)


@pytest.mark.parametrize(
    ("note", "text"),
    [
        ("a<br>b<br/><br />c", "a\nb\n\nc"),
        ("<b>bold</b> and <i>it</i>", "bold and it"),
        ("Tom &amp; Jerry &#39;n&#x27; me", "Tom & Jerry 'n' me"),
        ("<ol><li>one</li><li>two</li></ol>", "• one\n• two"),
        ("I <3 you & 2 > 1", "I <3 you & 2 > 1"),  # no tags or entities: kept as written
        ("plain\nlines", "plain\nlines"),
    ],
)
def test_plain_text_of_notes(note, text):
    assert importers.plain_text(note) == text


def test_a_cut_off_export_is_said_to_be_cut_off(store):
    result = import_daylio(TRUNCATED, store)
    assert result.added == 2
    assert result.cut_off.startswith("The file looks cut off: it ends part-way through an entry (line 4).")
    assert "looks cut off" in result.summary()
    plan = importers.read_daylio(TRUNCATED, store)
    assert plan.cut_off == result.cut_off


def test_a_file_cut_between_cells_is_said_to_be_cut_off(store):
    text = HEADER + '2024-05-02,May 2,Thursday,09:00,good,"","",""\n2024-05-01,May 1,Wednesday,09:00'
    result = import_daylio(text.encode(), store)
    assert result.added == 1
    assert "line 3" in result.cut_off
    whole = HEADER + '2024-05-02,May 2,Thursday,09:00,good,"","",""'  # no newline at the end: complete
    assert importers.read_daylio(whole.encode(), store).cut_off == ""
    middle = HEADER + '2024-05-03,May 3\n2024-02-30,Feb 30,Friday,09:00,good,"","",""'
    plan = importers.read_daylio(middle.encode(), store)  # a short row with a whole (if odd) row after it
    assert plan.cut_off == ""
    assert plan.problems == ("line 2: has 2 columns where a Daylio row has 8",
                             "line 3: date '2024-02-30' is not a date like 2021-09-28")


def test_reimport_after_moving_to_another_time_zone_adds_nothing(store, zone):
    zone("Europe/London")
    assert import_daylio(CLASSIC, store).added == 6
    zone("America/Los_Angeles")
    again = import_daylio(CLASSIC, store)
    assert (again.added, again.duplicates) == (0, 6)
    assert len(store.records("mood")) == 6


def test_daylio_backup_needs_no_mapping(store):
    result = import_daylio(BACKUP, store)
    assert (result.added, result.problems, result.unmapped_moods) == (4, (), ())
    rows = by_time(store, "mood")
    assert rows["2023-01-24T11:36:00+01:00"]["mood"] == 9  # "love it", in Daylio's rad group
    session = rows["2023-01-24T09:59:00+01:00"]  # "bof": a renamed meh
    assert session["mood"] == 5
    assert session["tags"] == ["famille", "exercice", "dormir tôt"]
    assert session["note"] == "Séance 2\n\nPremier jour après la séance.\nFatigué mais ça va."
    assert rows["2023-01-04T20:00:00-05:00"]["mood"] == 1  # "heavy", in the awful group, written in New York
    assert rows["2015-05-16T20:00:00+02:00"]["note"] == "No tag\nAn old note."
    assert rows["2015-05-16T20:00:00+02:00"]["mood"] == 7
    assert result.notes == ("Photos (1) stay in Daylio: this workbook keeps text only.",)
    assert import_daylio(BACKUP, store).duplicates == 4


def test_daylio_backup_and_its_csv_find_each_other(store):
    import_daylio(BACKUP, store)
    row = '2023-01-24,January 24,Tuesday,11:36,rad,"","",""\n'  # the same entry in the CSV export
    assert import_daylio((HEADER + row).encode(), store).duplicates == 1


@pytest.mark.parametrize("cut", [30, 200, -100])
def test_a_damaged_backup_is_refused_and_says_why(store, cut):
    data = BACKUP.read_bytes()
    with pytest.raises(ImportRefused, match="looks cut off or damaged"):
        import_daylio(data[:cut], store)
    assert not store.data_dir.exists()


def test_a_zip_that_is_not_a_daylio_backup(store, tmp_path):
    import zipfile

    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(ImportRefused, match="the zip has no backup.daylio"):
        import_daylio(path, store)


def test_freecbt_csv_export_keeps_every_pattern(store):
    result = import_freecbt(FREECBT_CSV, store)
    assert (result.added, result.problems) == (2, ())
    rows = by_time(store, "thought_record")
    first = rows[utc(2023, 6, 2, 18, 45, 10)]
    # catastrophising and magnifying stay two patterns, as they were two ticks in FreeCBT
    assert first["distortions"] == ["catastrophising", "fortune_telling", "magnifying_minimising"]
    assert first["evidence_against"] == "It's the third of eight. The nurse said \"it often takes a few\"."
    assert first["balanced_thought"] == ("It's early; one session is not the whole treatment.\n"
                                         "I'll note how I feel each day.")
    second = rows[utc(2023, 6, 5, 7, 30)]
    assert second["distortions"] == ["all_or_nothing", "blaming_others"]
    assert second["evidence_against"] is None
    assert import_freecbt(FREECBT_CSV, store).duplicates == 2


def test_freecbt_csv_and_json_of_the_same_thought_are_one(store):
    one = {"v": "Archive-v1", "thoughts": [{
        "uuid": "a2d4c6e8-0b1d-4f3a-8c5e-7a9b1c3d5e6f", "createdAt": "2023-06-05T07:30:00.000Z",
        "automaticThought": "My sister made me late, so the whole day is ruined",
        "cognitiveDistortions": ["all-or-nothing", "other-blaming"]}]}
    import_freecbt(json.dumps(one).encode(), store)
    assert import_freecbt(FREECBT_CSV, store).added == 1


def test_a_cut_off_freecbt_csv_or_json_says_so(store):
    text = FREECBT_CSV.read_text(encoding="utf-8")
    result = import_freecbt(text[: text.index("all-or-nothing")].encode(), store)
    assert result.added == 1
    assert "looks cut off" in result.cut_off
    with pytest.raises(ImportRefused, match="looks cut off: it ends before its JSON does"):
        import_freecbt(FREECBT.read_bytes()[:700], store)


def test_freecbt_pattern_with_no_match_is_named_not_lost_silently(store):
    data = [{"automaticThought": "x", "createdAt": "2023-11-14T22:13:20Z",
             "cognitiveDistortions": ["catastrophizing", "magnification-of-the-negative", "future-slug"]}]
    result = import_freecbt(json.dumps(data).encode(), store)
    assert store.records("thought_record")[0]["distortions"] == ["catastrophising", "magnifying_minimising"]
    assert result.problems == ("entry 1: thinking pattern 'future-slug' has no match in this workbook and "
                               "was left off; the rest of the entry was imported.",)


def test_every_freecbt_distortion_has_its_own_pattern(store):
    # FreeCBT's slugs (erosson/freecbt src/locales/en-US/cbt.ftl, cbt-distortion-*)
    slugs = ["all-or-nothing", "catastrophizing", "emotional-reasoning", "fortune-telling", "labeling",
             "magnification-of-the-negative", "mind-reading", "minimization-of-the-positive",
             "other-blaming", "overgeneralization", "self-blaming", "should-statements"]
    targets = [importers.FREECBT_DISTORTIONS[s] for s in slugs]
    assert len(set(targets)) == len(slugs)


# -- preview before writing ----------------------------------------------------------------------
def test_preview_counts_dates_and_unknown_moods_and_writes_nothing(store):
    store.add("mood", {"mood": 9, "created_at": local(2025, 1, 18, 12, 30), "tags": ["sunshine", "walk"]})
    plan = importers.read_daylio(SCALES, store)
    before = store.path("mood").read_bytes()
    preview = plan.preview(store)
    assert store.path("mood").read_bytes() == before
    assert (preview.new, preview.already) == ({"mood": 2}, {"mood": 1})
    assert (preview.first, preview.last) == ("2025-01-17", "2025-01-20")
    assert preview.unknown_moods == ("superb", "so-so")
    assert (preview.waiting, preview.left_out) == (2, 2)
    assert preview.lines({"mood": "Mood check-in"}) == [
        "Mood check-in: 2 new", "Dates: 2025-01-17 to 2025-01-20",
        "Already in your workbook, so not added again: 1",
        "Waiting for a place on the scale: 2 (superb, so-so)",
        "Cannot be imported (listed below): 2"]
    placed = plan.with_moods({"superb": 10}).preview(store)
    assert (placed.new, placed.waiting, placed.unknown_moods) == ({"mood": 3}, 1, ("so-so",))
    with pytest.raises(ValueError, match="from 0 to 10"):
        plan.with_moods({"superb": 11})


def test_cli_preview_writes_nothing(tmp_path, capsys):
    assert main(["import", "daylio", str(SCALES), "--data-dir", str(tmp_path / "d"), "--preview"]) == 0
    out = capsys.readouterr().out
    assert "Nothing was written." in out
    assert "Waiting for a place on the scale: 2 (superb, so-so)" in out
    assert "with --map, for example --map superb=N." in out
    assert not (tmp_path / "d").exists()


# -- the round trip: a bundle, an export, a take-home zip come back with nothing lost or changed ---------
AWKWARD = ["-5 degrees", "=SUM(A1:A9)", "+1 for me", "@home", "\tindented", "'-quoted already",
           "''=two quotes", "line one\nline two\r\nthree", "<b>not bold</b> &amp; <br>", "  spaces  ",
           'comma, "quote"', "🙂 émoji", "\rcarriage"]


def awkward_value(f, i: int):
    """A value every field type allows, with text a spreadsheet would take for a formula."""
    text = AWKWARD[i % len(AWKWARD)]
    if f.type in ("short_text", "long_text"):
        return text[: f.max_length]
    if f.type == "scale":
        return f.max if i % 2 else f.min
    if f.type == "number":
        return min(f.max, max(f.min, 6.5)) if f.max is not None else 6.5
    if f.type == "choice":
        return f.option_keys()[-1]
    if f.type == "multi_choice":
        return list(f.option_keys()[:2])
    if f.type == "tags":
        return ["-tag", "=formula", "two words"]
    if f.type in ("ratings", "rerate"):
        return [{"name": "-sad", "intensity": f.min}, {"name": "=anxious", "intensity": f.max}]
    if f.type == "thoughts":
        return [{"text": "-I can't", "hot": True}, {"text": "@them\nagain", "hot": False}]
    if f.type == "datetime":
        return "2026-03-05T09:30"
    if f.type == "date":
        return "2026-03-05"
    raise AssertionError(f"no awkward value for {f.type}")


def fill_every_kind(store) -> None:
    for day, (kind, exercise) in enumerate(sorted(store.catalog.items()), start=1):
        for i in range(2):
            record = {f.name: awkward_value(f, i + day) for f in exercise.fields}
            record["created_at"] = f"2026-03-{day:02d}T0{i + 8}:15:00+01:00"
            store.add(kind, record)
        if exercise.drafts:
            store.save_draft(kind, {exercise.fields[-1].name: awkward_value(exercise.fields[-1], 3),
                                    "created_at": f"2026-03-{day:02d}T22:00:00-05:00"})


def comparable(store) -> dict:
    """Every value of every entry, without the workbook's own bookkeeping (id, updated_at)."""
    out = {}
    for kind in store.catalog:
        rows = [{k: v for k, v in r.items() if k not in ("id", "updated_at")} for r in store.records(kind)]
        out[kind] = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, default=str))
    return out


def identities(store) -> dict:
    """Each entry's id and last-edit time, per kind."""
    return {kind: sorted((str(r["id"]), str(r.get("updated_at") or "")) for r in store.records(kind))
            for kind in store.catalog}


def test_an_id_already_in_the_file_or_malformed_is_not_reused(store, tmp_path):
    from workbook.store import Store

    store.add("mood", {"mood": 5})
    mine = store.records("mood")[0]
    (tmp_path / "mood.csv").write_text(
        "id,created_at,updated_at,mood\n"
        f"{mine['id']},2024-03-01T09:00:00+00:00,2024-03-02T10:00:00+00:00,2\n"
        "<script>,2024-03-03T09:00:00+00:00,not a time,3\n", encoding="utf-8")
    result = importers.import_entries(tmp_path / "mood.csv", store)
    assert result.added == 2
    ids = [str(r["id"]) for r in store.records("mood")]
    assert len(set(ids)) == 3 and "<script>" not in ids
    by_mood = {int(r["mood"]): r for r in store.records("mood")}
    assert str(by_mood[2]["updated_at"]).startswith("2024-03-02T10:00:00")
    assert not by_mood[3]["updated_at"] or str(by_mood[3]["updated_at"]) in ("", "nan")
    other = Store(tmp_path / "other")
    importers.import_entries(tmp_path / "mood.csv", other)
    assert mine["id"] in {str(r["id"]) for r in other.records("mood")}  # free there: kept


def test_a_bundle_comes_back_with_nothing_lost_or_changed(store, tmp_path):
    from workbook.bundle import make_bundle
    from workbook.store import Store

    fill_every_kind(store)
    edited = store.records("mood")[0]["id"]
    store.update("mood", edited, {"note": "changed later"})
    out = tmp_path / "bundle.zip"
    make_bundle(store, out, None, None, list(store.catalog))
    assert b'"\'@home"' in _member(out, "mood.csv")  # the bundle is escaped for spreadsheets
    home = Store(tmp_path / "home")
    plan = importers.read_entries(out, home)
    assert not home.data_dir.exists()
    assert plan.preview(home).new == {kind: len(store.records(kind)) for kind in store.catalog}
    result = plan.apply(home)
    assert result.problems == ()
    assert result.summary().startswith(f"Added {result.added} entries from your export.")
    assert comparable(home) == comparable(store)
    assert any(r["status"] == "draft" for r in home.records("thought_record"))
    # each entry keeps its id and its last-edit time
    assert identities(home) == identities(store)
    assert any(updated for _id, updated in identities(home)["mood"])
    again = importers.import_entries(out, home)
    assert (again.added, again.duplicates) == (0, result.added)
    assert importers.import_entries(out, store).added == 0  # back into the workbook it came from


def _member(path, name: str) -> bytes:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def test_one_csv_from_a_bundle_comes_back_unescaped(store, tmp_path):
    from workbook.bundle import make_bundle
    from workbook.store import Store

    fill_every_kind(store)
    out = tmp_path / "bundle.zip"
    make_bundle(store, out, None, None, ["mood", "win"])
    home = Store(tmp_path / "home")
    result = importers.import_entries(_member(out, "mood.csv"), home)
    assert result.added == len(store.records("mood"))
    assert comparable(home)["mood"] == comparable(store)["mood"]
    (tmp_path / "wins.csv").write_bytes(_member(out, "win.csv"))  # renamed: found by its columns
    assert importers.import_entries(tmp_path / "wins.csv", home).added == len(store.records("win"))


def test_a_take_home_zip_and_a_data_file_come_back(store, tmp_path):
    from workbook.store import Store
    from workbook.workshop import take_home_zip

    fill_every_kind(store)
    home = Store(tmp_path / "home")
    result = importers.import_entries(take_home_zip(store.data_dir), home)
    assert result.problems == ()
    assert comparable(home) == comparable(store)
    other = Store(tmp_path / "other")
    importers.import_entries(store.path("session"), other)  # a data file as it is, not escaped
    assert comparable(other)["session"] == comparable(store)["session"]


def test_cli_export_then_import_bundle(store, tmp_path, capsys):
    fill_every_kind(store)
    out = tmp_path / "export.zip"
    assert main(["export", "--data-dir", str(store.data_dir), "--out", str(out)]) == 0
    home = tmp_path / "home"
    assert main(["import", "bundle", str(out), "--data-dir", str(home)]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("Added ")
    from workbook.store import Store

    assert comparable(Store(home)) == comparable(store)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04broken", "looks cut off or damaged"),
        (b"just some text\n", "This is not a Between Sessions file"),
        (b"id,created_at,nothing_like_ours\n1,2026-03-01T09:00:00+00:00,x\n",
         "This is not a Between Sessions"),
    ],
)
def test_import_entries_refuses_what_is_not_ours(store, content, message):
    with pytest.raises(ImportRefused, match=message):
        importers.import_entries(content, store)
    assert not store.data_dir.exists()


def test_a_changed_bundle_is_refused(store, tmp_path):
    import zipfile

    from workbook.bundle import make_bundle

    store.add("win", {"description": "cooked"})
    out = tmp_path / "bundle.zip"
    make_bundle(store, out, None, None, ["win"])
    changed = tmp_path / "changed.zip"
    with zipfile.ZipFile(out) as source, zipfile.ZipFile(changed, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info, data.replace(b"cooked", b"baked!") if info.filename == "win.csv" else data)
    with pytest.raises(ImportRefused, match="changed after the bundle was made"):
        importers.import_entries(changed, store)


def test_a_bundle_row_that_does_not_fit_is_listed_and_the_rest_come_in(store, tmp_path):
    from workbook.store import Store

    text = ("id,created_at,updated_at,description\n"
            "a,2026-03-01T09:00:00+00:00,,cooked a meal\n"
            "b,not a date,,walked\n"
            "c,2026-03-02T09:00:00+00:00,,\n")
    home = Store(tmp_path / "home")
    result = importers.import_entries(text.encode(), home)
    assert result.added == 1
    assert result.problems[0] == "win.csv line 3: created_at 'not a date' is not a date and time"
    assert result.problems[1].startswith("win.csv line 4: ")


def test_freecbt_v2_thought_keeps_emotion_ratings_and_beliefs(store):
    # the optional fields of erosson/freecbt expo54/src/model/thought.ts (Thought-v2 Json)
    data = {"v": "Archive-v2", "thoughts": [{
        "v": "Thought-v2", "uuid": "u1", "createdAt": "2025-02-01T10:00:00.000Z",
        "updatedAt": "2025-02-01T10:20:00.000Z", "automaticThought": "I'll never feel normal again",
        "cognitiveDistortions": ["fortune-telling"], "challenge": "I felt better on Tuesday.",
        "alternativeThought": "Some days are heavy; they pass.", "situation": "Morning after the session",
        "emotion": "hopeless", "emotionIntensity": 80, "automaticBelief": 90, "evidenceFor": "Tired all day",
        "alternativeBelief": 60, "emotionIntensityAfter": 45}]}
    result = import_freecbt(json.dumps(data).encode(), store)
    record = store.records("thought_record")[0]
    assert record["situation"] == "Morning after the session"
    assert record["emotions"] == [{"name": "hopeless", "intensity": 80}]
    assert record["emotions_after"] == [{"name": "hopeless", "intensity": 45}]
    assert record["balanced_belief"] == 60
    assert record["evidence_for"] == "Tired all day"
    assert result.problems == ("entry 1: how much you believed the automatic thought (90) has no place in "
                               "this workbook's thought record and was left off; the rest of the entry "
                               "was imported.",)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("daylio_classic.csv", "daylio"), ("daylio_2018.csv", "daylio"), ("daylio_utf16_html.csv", "daylio"),
        ("daylio_backup.daylio", "daylio"), ("freecbt_export.json", "freecbt"),
        ("freecbt_export.csv", "freecbt"),
        ("quirk_legacy.json", "freecbt"), ("freecbt_backup.txt", "freecbt"), ("photo.png", None),
        ("settings.json", None), ("not_daylio.csv", None),
    ],
)
def test_guess_format(name, expected):
    assert importers.guess_format((DATA / name).read_bytes()) == expected


def test_guess_format_knows_our_own(store, tmp_path):
    from workbook.bundle import make_bundle

    store.add("win", {"description": "x"})
    make_bundle(store, tmp_path / "b.zip", None, None, ["win"])
    assert importers.guess_format((tmp_path / "b.zip").read_bytes()) == "bundle"
    assert importers.guess_format(store.path("win").read_bytes()) == "bundle"


def test_cli_points_to_the_right_format(tmp_path, capsys):
    assert main(["import", "bundle", str(FREECBT_CSV), "--data-dir", str(tmp_path / "d")]) == 1
    err = capsys.readouterr().err
    assert ("Nothing was imported. It looks like a file from FreeCBT or Quirk: try "
            "`workbook import freecbt") in err


def test_a_backup_takes_the_places_the_person_chose(store):
    import_daylio(BACKUP, store, mapping={"love it": 10, "meh": 4, "bof": 6})
    moods = {r["created_at"]: r["mood"] for r in store.records("mood")}
    assert moods["2023-01-24T11:36:00+01:00"] == 10  # "love it", placed by the person
    assert moods["2023-01-24T09:59:00+01:00"] == 6  # "bof" is this person's name for the meh group
    assert moods["2015-05-16T20:00:00+02:00"] == 7  # "good", not mentioned: its group's place


def test_entries_from_an_earlier_import_are_found_again(store):
    # what an earlier version stored for two rows of daylio_classic.csv and daylio_scales_bom_12h.csv:
    # the HTML as it was, and no scales
    store.add("mood", {"mood": 1, "created_at": local(2024, 3, 12, 8, 15),
                       "note": "Couldn't get up.<br>Stayed in bed till noon.<br><br>Texted Sam though."})
    store.add("mood", {"mood": 1, "created_at": local(2025, 1, 17, 23, 45),
                       "tags": ["medication", "bad sleep"],
                       "note": ("Side effects\n\nHeadache, nausea. Day 2 after session, <b>expected</b> per "
                                "the nurse.")})
    assert import_daylio(CLASSIC, store).duplicates == 1
    assert import_daylio(SCALES, store).duplicates == 1


def test_a_backup_that_unpacks_like_a_zip_bomb_is_refused_before_unpacking(store):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("backup.daylio", b"A" * 5_000_000)
    with pytest.raises(ImportRefused, match="compressed more than 100 to 1"):
        import_daylio(buffer.getvalue(), store)
    assert import_daylio(BACKUP, store).added == 4  # a real backup is nowhere near
