"""The data dictionary (docs/data.md), written from the exercise declarations."""

from __future__ import annotations

import sys

from workbook import exercises
from workbook.exercises import Exercise, Field
from workbook.words import number

TYPE_TEXT = {
    "short_text": "text, exactly as typed",
    "long_text": "text, exactly as typed (may hold line breaks)",
    "scale": "whole number from {min} to {max}",
    "number": "number from {min} to {max} (decimal point `.`)",
    "choice": "one of: {options}",
    "multi_choice": "JSON list of keys, from: {options}",
    "date": "date, `YYYY-MM-DD`",
    "datetime": "local date and time, `YYYY-MM-DDTHH:MM`",
    "tags": 'JSON list of text, e.g. `["sleep", "walk"]`',
    "ratings": 'JSON list of `{{"name": text, "intensity": {min}-{max}}}`',
    "thoughts": 'JSON list of `{{"text": text, "hot": true/false}}`; one is the hot thought',
    "rerate": 'JSON list of `{{"name": text, "intensity": {min}-{max}}}`, the feelings of `{of}` '
              "rated again",
}

SYSTEM = [
    ("id", "text", "yes", "A unique id for the entry."),
    ("created_at", "ISO 8601 date and time with its UTC offset", "yes",
     "When the entry was made (or the original time, for imported history)."),
    ("updated_at", "ISO 8601 date and time with its UTC offset", "no",
     "When the entry was last edited; empty if never."),
]


def _num(value: float | None) -> str:
    if value is None:
        return "any"
    return number(value, None)


def describe_type(field: Field) -> str:
    options = ", ".join(f"`{o.key}`" for o in field.options)
    if field.labels:
        return ", ".join(f"{_num(field.min + i)} = {label}" for i, label in enumerate(field.labels))
    return TYPE_TEXT[field.type].format(min=_num(field.min), max=_num(field.max),
                                        options=options, of=field.of)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def section(exercise: Exercise) -> str:
    lines = [f"## `{exercise.kind}.csv`: {exercise.title}", "", _cell(exercise.intro), "",
             "| column | values | needed | meaning |", "|---|---|---|---|"]
    for name, kind, needed, meaning in SYSTEM:
        lines.append(f"| `{name}` | {kind} | {needed} | {meaning} |")
    if exercise.drafts:
        lines.append("| `status` | `draft` or `complete` | yes | A draft can be reopened and "
                     "finished. |")
    for f in exercise.fields:
        meaning = f.label + ((" " if f.label.endswith(("?", ".", "!")) else ". ") + f.help if f.help else "")
        needed = "yes" if f.required else "no"
        lines.append(f"| `{f.name}` | {_cell(describe_type(f))} | {needed} | {_cell(meaning)} |")
    return "\n".join(lines)


def render() -> str:
    parts = [
        "# Your data",
        "",
        "<!-- Written by `python -m workbook.datadoc` from workbook/exercises/*.yaml; "
        "do not edit by hand. -->",
        "",
        "Everything you save lives in one folder: `--data-dir` if you give one, else the "
        "folder named by the `WORKBOOK_DATA_DIR` environment variable, else your per-user data "
        "folder (on Linux `~/.local/share/between-sessions`, on macOS "
        "`~/Library/Application Support/between-sessions`, on Windows "
        "`%LOCALAPPDATA%\\between-sessions`). `workbook serve` prints it when it starts.",
        "",
        "Each exercise has one CSV file: UTF-8, a header row, one row per entry, readable by "
        "any spreadsheet and by `pandas.read_csv`. Text is stored exactly as you typed it. An "
        "empty cell means the field was left out. Columns may be added in later versions; old "
        "files stay readable, and columns the app does not know are kept as they are.",
        "",
        "`config.yaml` (optional) holds your settings; `crisis_resources` is the list shown "
        "behind *Get help now*, each item with `name`, `contact` and `detail`.",
        "",
        "Besides the CSV files, the folder may hold `worksheets/` (worksheets your therapist "
        "gave you, as YAML; each one's entries go to its own `ws_<name>.csv`), `homework/` "
        "(the assignment files you uploaded), `backups/` (a copy of the folder for each of the "
        "last 14 days you opened the workbook) and `<kind>.quarantine.csv` (lines of a file that "
        "could not be read, moved aside with their line number and the reason, never deleted).",
        "",
        "To back up, copy the whole folder while the app is closed, or run `workbook backup`; "
        "`workbook restore DATE` puts a daily copy back (what is there is backed up first).",
        "",
    ]
    for exercise in exercises.builtin().values():
        parts += [section(exercise), ""]
    return "\n".join(parts)


if __name__ == "__main__":
    sys.stdout.write(render())
