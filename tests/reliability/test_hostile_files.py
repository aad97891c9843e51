"""Files made to burn CPU or crash a parser are refused in milliseconds, with a sentence.

Every door a YAML or JSON file comes in by: a homework file (upload and CLI-free install), a
worksheet (given or lying in worksheets/), config.yaml, settings.yaml, a FreeCBT import (and the
`workbook import` command), a share bundle's manifest, a CSV cell holding JSON.
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import time
import zipfile
from collections.abc import Iterator

import pytest

from workbook import bundle, homework, importers, worksheets
from workbook.store import Store

FAST_S = 0.5  # "milliseconds" with room to spare; these took 25 s and more before

DEEP = 16_000
HOSTILE = {
    "flow-yaml-32kB": "[" * DEEP + "]" * DEEP,  # also JSON: json's own recursion error
    "flow-yaml-400kB": "[" * 200_000 + "]" * 200_000,
    "flow-under-a-key": "a: " + "[" * DEEP + "]" * DEEP,  # not JSON: 49 s in PyYAML, then a RecursionError
    "flow-under-a-key-400kB": "a: " + "[" * 200_000 + "]" * 200_000,
    "flow-mapping": "{a: " * 8_000 + "x" + "}" * 8_000,
    "block-yaml": "".join(" " * i + "a:\n" for i in range(200)),
    "compact-sequences": "- " * DEEP + "x\n",
    "billion-laughs": "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(9)),
    "deep-json-object": '{"a": ' * 10_000 + "1" + "}" * 10_000,
}
REFUSED = ("nested more than", "anchors or aliases", "larger than", "bytes, more than")


@contextlib.contextmanager
def quickly() -> Iterator[None]:
    """The block must take less than FAST_S of this thread's CPU time.

    CPU time, not wall time: other work on a shared machine does not count, a parser that burns
    seconds still does. A full collection first, so that one of the test process's own heap (the
    whole suite's objects) does not fall inside the block by chance.
    """
    gc.collect()
    start = time.thread_time()
    yield
    assert time.thread_time() - start < FAST_S


def refused_quickly(call, error=ValueError) -> str:
    """Run `call`, which must raise `error` (never RecursionError) within FAST_S; its message."""
    with quickly(), pytest.raises(error) as caught:
        call()
    assert not isinstance(caught.value, RecursionError)
    return str(caught.value)


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_homework_file(text):
    message = refused_quickly(lambda: homework.parse_assignment(text.encode()), homework.AssignmentError)
    assert any(r in message for r in REFUSED) or "not a homework assignment" in message


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_homework_file_on_the_page_names_the_file(store, text):
    from workbook.ui.homework_page import HomeworkPage

    page = HomeworkPage(store, open_tool=lambda kind: None)
    with quickly():
        assert page.install(text.encode()[:homework.MAX_BYTES], "homework-nested.yaml") is None
    shown = page.feedback.error.value
    assert "homework-nested.yaml was not added" in shown and "Traceback" not in shown
    assert "RecursionError" not in shown


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_worksheet(text):
    message = refused_quickly(lambda: worksheets.parse(text[:worksheets.MAX_BYTES], "deep.yaml"),
                              worksheets.WorksheetError)
    assert message.startswith("deep.yaml")


def test_a_worksheet_lying_in_the_folder_is_skipped_with_a_sentence(store):
    folder = store.data_dir / "worksheets"
    folder.mkdir(parents=True)
    (folder / "deep.yaml").write_text(HOSTILE["flow-mapping"][:worksheets.MAX_BYTES])
    (folder / "laughs.yaml").write_text(HOSTILE["billion-laughs"])
    with quickly():
        again = Store(store.data_dir)
    problems = " ".join(again.worksheet_problems)
    assert "worksheets/deep.yaml was skipped" in problems and "nested more than" in problems
    assert "worksheets/laughs.yaml was skipped" in problems and "aliases" in problems


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_config_yaml_is_refused_in_a_sentence_naming_it(store, text):
    store.data_dir.mkdir(parents=True, exist_ok=True)
    (store.data_dir / "config.yaml").write_text(text)
    message = refused_quickly(store.config)
    assert "config.yaml" in message


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_settings_yaml_starts_afresh(store, text):
    store.data_dir.mkdir(parents=True, exist_ok=True)
    (store.data_dir / "settings.yaml").write_text(text)
    with quickly():
        assert store.settings() == {}
    assert store.save_settings({"welcome_seen": True}) == {"welcome_seen": True}


def test_settings_are_written_without_aliases(store):
    shared = ["mood", "win"]
    store.save_settings({"tracked": shared, "shown": shared})
    assert "*" not in (store.data_dir / "settings.yaml").read_text()
    assert store.settings() == {"tracked": shared, "shown": shared}


@pytest.mark.parametrize("text", [HOSTILE["flow-yaml-32kB"], HOSTILE["deep-json-object"],
                                  '{"thoughts": ' + "[" * 5000 + "]" * 5000 + "}"],
                         ids=["deep-array", "deep-object", "deep-thoughts"])
def test_a_freecbt_import(store, text):
    message = refused_quickly(lambda: importers.import_freecbt(text.encode(), store),
                              importers.ImportRefused)
    assert "nested more than" in message or "no thoughts" in message


def test_the_import_command_says_a_sentence_not_a_traceback(store, tmp_path, capsys):
    from workbook.cli import main

    path = tmp_path / "freecbt-export.json"
    path.write_text(HOSTILE["flow-yaml-32kB"])
    with quickly():
        assert main(["import", "freecbt", str(path), "--data-dir", str(store.data_dir)]) == 1
    err = capsys.readouterr().err
    assert str(path) in err and "nested more than" in err and "Traceback" not in err


def test_a_bundle_with_a_deep_manifest(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:  # stored: past the ratio check
        archive.writestr(bundle.MANIFEST, HOSTILE["deep-json-object"])
    message = refused_quickly(lambda: bundle.read_bundle(buffer.getvalue()), bundle.BundleError)
    assert "manifest.json could not be read" in message and "nested more than" in message


def test_a_csv_cell_of_deep_json_is_quarantined_not_a_crash(store):
    store.add("thought_record", {"situation": "x"})
    path = store.path("thought_record")
    header = path.read_text().splitlines()[0].split(",")
    cells = ["" for _ in header]
    cells[header.index("id")] = "hand-made"
    cells[header.index("created_at")] = "2026-03-01T09:00:00+01:00"
    cells[header.index("automatic_thoughts")] = '"' + "[" * 5000 + "]" * 5000 + '"'
    with open(path, "a", encoding="utf-8", newline="") as handle:
        handle.write(",".join(cells) + "\r\n")
    again = Store(store.data_dir)
    assert len(again.load("thought_record")) == 1
    assert "nested too deeply" in " ".join(again.problems["thought_record"])


def test_ordinary_files_still_read():
    """The limits leave room for every real file: the workbook's own exercises and a homework."""
    made = homework.make_assignment(
        homework.dt.date(2026, 3, 2), homework.dt.date(2026, 3, 29), [homework.Item("mood", 7)])
    assert homework.parse_assignment(made.to_json()).items == made.items
    assert homework.parse_assignment(json.dumps(json.loads(made.to_json()))).items == made.items
