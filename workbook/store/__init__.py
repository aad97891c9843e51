"""The only code that touches the data folder: one UTF-8 CSV file per exercise, and the
person's settings, homework files and worksheets beside them.

Every write happens under a lock shared between processes and lands by an atomic rename,
so a crash mid-write never leaves a half-written file and two open tabs never lose each
other's entries. Text is stored exactly as typed.

The folder is the person's alone: it is 0700 and every file in it 0600 whatever the umask, and a
folder found with looser modes is tightened when a Store opens it (and said once in the log).
YAML and JSON in it (worksheets, homework, config.yaml, settings.yaml) are read through
`workbook.safeparse`: size and nesting are bounded before anything is parsed.

One module per job, each changeable on its own:

- `codec`: rows to CSV text and back, pure (NUL on every Python, hand-edited files, spreadsheet
  escaping);
- `writer`: every write into the data folder, atomic and under its lock;
- `tables`: a kind's file read under its declaration (which rows can be used, and why not);
- `entries`: `Store`, the entries of each kind and what is remembered of them;
- `settings`, `assignments`, `worksheet_files`: config.yaml and settings.yaml, homework files,
  therapist-written worksheets.

docs/reliability.md states the guarantees as numbered invariants, each with its test.
"""

from workbook.store.assignments import HOMEWORK_DIR, MAX_ASSIGNMENT_BYTES
from workbook.store.codec import BadRow
from workbook.store.entries import (
    APP_NAME,
    ENV_VAR,
    PRIVATE_SUBFOLDERS,
    QUARANTINE_SUFFIX,
    Store,
    default_data_dir,
    now_iso,
    share_reads,
)
from workbook.store.settings import CONFIG_FILE, MAX_CONFIG_BYTES, SETTINGS_FILE
from workbook.store.tables import UnreadableFile
from workbook.store.worksheet_files import WORKSHEETS_DIR
from workbook.store.writer import LOCK_TIMEOUT_S, atomic_write

__all__ = [
    "APP_NAME", "CONFIG_FILE", "ENV_VAR", "HOMEWORK_DIR", "LOCK_TIMEOUT_S", "MAX_ASSIGNMENT_BYTES",
    "MAX_CONFIG_BYTES", "PRIVATE_SUBFOLDERS", "QUARANTINE_SUFFIX", "SETTINGS_FILE", "WORKSHEETS_DIR",
    "BadRow", "Store", "UnreadableFile", "atomic_write", "default_data_dir", "now_iso", "share_reads",
]
