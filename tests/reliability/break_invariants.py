"""Break each of the store's invariants on purpose and check that its tests fail.

docs/reliability.md names, for each numbered invariant, the tests that prove it. A test proves
a rule only if it fails when the rule is broken; this script breaks the code one rule at a time
(a small edit in the source), runs that rule's tests, says whether they failed, and puts the
source back. Run it after changing the store or its tests:

    PYTHONPATH=$PWD .venv/bin/python tests/reliability/break_invariants.py [W1 S2 ...]

It is not collected by pytest (it runs pytest itself, a few minutes in all);
`tests/unit/test_reliability_doc.py` checks that every edit below still applies to the code.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[2]


class Break(NamedTuple):
    invariant: str
    what: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]


W, S, U, R = ("tests/unit/test_writer.py::", "tests/unit/test_store.py::", "tests/unit/",
              "tests/reliability/")
BREAKS = [
    Break("W1", "no fsync before the rename", "workbook/store/writer.py",
          "            os.fsync(handle.fileno())\n", "",
          (W + "test_data_is_fsynced_before_the_rename_and_the_folder_after",)),
    Break("W1", "the temporary file is left after an error", "workbook/store/writer.py",
          "        Path(tmp).unlink(missing_ok=True)\n", "        pass\n",
          (W + "test_an_error_while_writing_leaves_the_old_file_and_no_temporary_file",)),
    Break("W2", "line endings changed on the way", "workbook/store/writer.py",
          'handle.write(data.encode("utf-8") if',
          'handle.write(data.replace("\\r\\n", "\\n").encode("utf-8") if',
          (W + "test_atomic_write_writes_exactly_what_it_was_given",)),
    Break("W3", "a restore writes around the writer", "workbook/backup.py",
          "            writer.write(data_dir / name, data)",
          "            (data_dir / name).write_bytes(data)",
          (W + "test_every_write_into_the_data_folder_goes_through_the_writer",)),
    Break("W3", "the sharing choice writes around the writer", "workbook/workshop.py",
          "        _write_private(path, json.dumps(", "        path.write_text(json.dumps(",
          (W + "test_every_write_into_the_data_folder_goes_through_the_writer",)),
    Break("W4", "an append without the lock", "workbook/store/entries.py",
          "        with self._lock(kind):\n            header, rows = self._rows_for_write(kind)\n"
          "            taken",
          "        if True:\n            header, rows = self._rows_for_write(kind)\n            taken",
          (S + "test_concurrent_writers_lose_nothing",)),
    Break("W4", "a restore without the lock", "workbook/backup.py",
          "        with writer.lock(data_dir / name):", "        if True:",
          (W + "test_a_restore_waits_for_a_save_in_progress",)),
    Break("W5", "a new file keeps the mode it was made with", "workbook/store/writer.py",
          "            os.fchmod(fd, mode)\n", "            pass\n",
          (W + "test_new_files_are_private_unless_a_mode_is_given",)),
    Break("S1", "an append forgets the new records", "workbook/store/entries.py",
          "known.records = before.records + new", "known.records = before.records",
          (S + "test_what_a_store_remembers_matches_a_fresh_read",)),
    Break("S2", "the signature leaves out the writes", "workbook/store/writer.py",
          "    written = generation(path)\n", "    written = 0\n",
          (S + "test_a_write_through_the_writer_is_seen_even_when_the_file_looks_unchanged",)),
    Break("S2", "the writer forgets to count", "workbook/store/writer.py",
          "        _generations[_key(path)] = next(_counter)\n", "        pass\n",
          (W + "test_the_generation_moves_with_every_write_and_only_for_its_file",
           S + "test_a_write_through_the_writer_is_seen_even_when_the_file_looks_unchanged")),
    Break("S3", "the file's inode, time and size are left out", "workbook/store/writer.py",
          "    return (written, info.st_ino, info.st_mtime_ns, info.st_size)",
          "    return (written, 0, 0, 0)",
          (S + "test_a_file_replaced_by_another_process_is_read_again",)),
    Break("S4", "a changed declaration is not noticed", "workbook/store/entries.py",
          "                    and known.exercise is exercise)", "                    )",
          (U + "test_worksheets.py::test_a_compatible_new_version_replaces_the_old",)),
    Break("S5", "a Store makes its folder", "workbook/store/entries.py",
          "        files.secure_folder(self.data_dir, PRIVATE_SUBFOLDERS)\n",
          "        files.private_folder(self.data_dir)\n",
          (S + "test_nothing_written_at_construction",)),
    Break("C1", "text trimmed on disk", "workbook/store/codec.py",
          "    return csv_text(rows, fieldnames=header,",
          "    return csv_text([{k: v.strip() for k, v in r.items()} for r in rows], fieldnames=header,",
          (S + "test_text_round_trips_exactly",)),
    Break("C2", "a bundle writes its CSV with the csv module itself", "workbook/store/codec.py",
          "    text = csv_text(table, quoting=csv.QUOTE_ALL, lineterminator=LINE_END)",
          "    buffer = io.StringIO()\n    csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator=LINE_END)"
          ".writerows(table)\n    text = buffer.getvalue()",
          (U + "test_csv_nul.py::test_a_share_bundle_carries_nul_and_reads_back",)),
    Break("C2", "a backup is read with the csv module itself", "workbook/store/codec.py",
          "    reader = csv_reader(text, delimiter=sniff_delimiter(text))",
          '    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))',
          (U + "test_csv_nul.py::test_a_deleted_note_with_nul_leaves_every_backup",)),
    Break("C3", "no spreadsheet escaping", "workbook/store/codec.py",
          "    return \"'\" + text if _NEEDS_ESCAPE.match(text) else text", "    return text",
          (U + "test_bundle.py::test_spreadsheet_copies_never_start_a_cell_with_a_formula",)),
    Break("E1", "entries added together are written one by one", "workbook/store/entries.py",
          '        new_rows = [self._new_row(kind, record, status, keep_identity) for record in records]\n',
          '        new_rows = [self._new_row(kind, record, status, keep_identity) '
          'for record in records[:1]]\n'
          '        self._append(kind, new_rows) if new_rows else None\n'
          '        new_rows += [self._new_row(kind, record, status, keep_identity)\n'
          '                     for record in records[1:]]\n',
          (S + "test_add_many_is_all_or_nothing",)),
    Break("E2", "a failed write is taken for a save", "workbook/store/entries.py",
          "        writer.write(path, text)\n",
          "        try:\n            writer.write(path, text)\n        except OSError:\n            pass\n",
          (S + "test_a_failed_write_raises_and_leaves_what_was_saved",)),
    Break("E3", "an edit forgets the values it does not change", "workbook/store/entries.py",
          "            merged = {f.name: current.get(f.name) for f in exercise.fields}\n",
          "            merged = {}\n",
          (S + "test_drafts_can_be_finished",)),
    Break("E4", "bad rows are not moved aside", "workbook/store/entries.py",
          "        if not bad:\n            return\n        target",
          "        if True:\n            return\n        target",
          (R + "test_hand_edited.py::test_bad_rows_are_moved_aside_with_their_line",)),
    Break("E5", "semicolons are not recognised", "workbook/store/codec.py",
          '    return ";" if first.count(";") > first.count(",") else ","', '    return ","',
          (R + "test_hand_edited.py::test_spreadsheet_bom_crlf_semicolons",)),
    Break("E6", "a file with no header reads as empty", "workbook/store/tables.py",
          "        raise UnreadableFile(path, str(exc)) from None",
          "        return Table(tuple(exercise.columns), (), ())",
          (R + "test_hand_edited.py::test_unparseable_file_is_never_overwritten",)),
    Break("B1", "old daily backups are never removed", "workbook/backup.py",
          "    for old in dailies[:-keep] if keep > 0 else []:", "    for old in []:",
          (R + "test_backup.py::test_daily_backup_rolls",)),
    Break("B2", "a restore without a backup first", "workbook/backup.py",
          "    if current:\n", "    if False:\n",
          (R + "test_backup.py::test_restore_brings_entries_back_and_keeps_the_current_state",)),
    Break("B3", "a restore without the guards", "workbook/backup.py",
          "                if not DATA_FILE.match(info.filename):", "                if False:",
          (R + "test_backup.py::test_restore_refuses_foreign_members",)),
    Break("B4", "a delete leaves the backups", "workbook/store/entries.py",
          "            backup.forget_entry(self.data_dir, kind, entry_id)\n", "",
          (R + "test_backup.py::test_a_deleted_entry_is_taken_out_of_every_backup_and_nothing_else",
           U + "test_csv_nul.py::test_a_deleted_note_with_nul_leaves_every_backup")),
]


def applies(item: Break) -> bool:
    """Whether the edit still finds exactly the code it breaks."""
    return (ROOT / item.path).read_text(encoding="utf-8").count(item.old) == 1


def run(item: Break) -> list[tuple[str, bool]]:
    """Each of the invariant's tests, and whether it failed with the invariant broken."""
    path = ROOT / item.path
    source = path.read_text(encoding="utf-8")
    path.write_text(source.replace(item.old, item.new), encoding="utf-8")
    try:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        return [(test, subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                                       test], cwd=ROOT, env=env, capture_output=True).returncode != 0)
                for test in item.tests]
    finally:
        path.write_text(source, encoding="utf-8")


def main(chosen: list[str]) -> int:
    caught = True
    for item in BREAKS:
        if chosen and item.invariant not in chosen:
            continue
        if not applies(item):
            print(f"{item.invariant} {item.what}: the edit no longer matches {item.path}")
            caught = False
            continue
        for test, failed in run(item):
            print(f"{item.invariant} {item.what}: {'fails, as it should' if failed else 'STILL PASSES'}"
                  f" - {test.split('::')[-1]}", flush=True)
            caught &= failed
    return 0 if caught else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
