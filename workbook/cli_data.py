"""The `workbook` commands that look after the data folder: import, backup, restore, export.

Each is an `add_*` function that adds its parser to `workbook`'s and a `_run_*` handler the
parser calls. They only read and write the data folder (no server, no browser), so they live
apart from `workbook.cli`, which starts the workbook and builds the whole command line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbook.store import ENV_VAR, default_data_dir


def _run_import(args: argparse.Namespace) -> int:
    """`workbook import FORMAT FILE`: summary and problems on stdout; 1 if the file is refused.

    With --preview nothing is written: it says what would come in, as the page does before asking.
    """
    from workbook import importers
    from workbook.store import Store

    try:
        mapping = importers.parse_mapping(getattr(args, "map", None) or [])
    except ValueError as exc:
        print(f"--map {exc}", file=sys.stderr)
        return 2
    store = Store(default_data_dir(args.data_dir).resolve())
    try:
        if args.format == "daylio":
            plan = importers.read_daylio(args.file, store, mapping=mapping)
        elif args.format == "freecbt":
            plan = importers.read_freecbt(args.file, store)
        else:
            plan = importers.read_entries(args.file, store)
        if args.preview:
            preview = plan.preview(store)
            titles = {kind: exercise.title for kind, exercise in store.catalog.items()}
            print(f"Nothing was written. {args.file} would add {preview.total} "
                  f"{'entry' if preview.total == 1 else 'entries'}:")
            for line in preview.lines(titles):
                print(f"  {line}")
            for sentence in (plan.cut_off, *plan.notes):
                if sentence:
                    print(sentence)
            if preview.unknown_moods:
                import shlex

                example = shlex.quote(f"{preview.unknown_moods[0]}=N")
                print("Give each of your own mood names a place from 0 (lowest) to 10 (best) with --map, "
                      f"for example --map {example}.")
            for problem in plan.problems:
                print(f"  {problem}")
            return 0
        result = plan.apply(store)
    except importers.ImportRefused as exc:
        print(f"{args.file}: {exc} Nothing was imported.{_format_hint(args)}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"{args.file}: the data folder could not be written ({exc}).", file=sys.stderr)
        return 1
    print(result.summary())
    for problem in result.problems:
        print(f"  {problem}")
    return 0


def _format_hint(args: argparse.Namespace) -> str:
    """" It looks like a Daylio file: ..." when the refused file is plainly another app's."""
    from workbook import importers

    try:
        with open(args.file, "rb") as handle:
            likely = importers.guess_format(handle.read(importers.MAX_BYTES))
    except OSError:
        return ""
    if not likely or likely == args.format:
        return ""
    return (f" It looks like a file from {importers.FORMAT_NAMES[likely]}: try "
            f"`workbook import {likely} {args.file}`.")


def add_import(sub: argparse._SubParsersAction) -> None:
    """`workbook import daylio|freecbt|bundle FILE`, with --preview and Daylio's --map."""
    p = sub.add_parser("import", help="Bring in history from another app (Daylio, FreeCBT) or a bundle.")
    formats = p.add_subparsers(dest="format", required=True, metavar="FORMAT")
    daylio = formats.add_parser("daylio", help="Moods from a Daylio CSV export or .daylio backup.")
    freecbt = formats.add_parser("freecbt",
                                 help="Thought records from a FreeCBT (JSON or CSV) or Quirk export.")
    bundle = formats.add_parser(
        "bundle", help="Entries from a share bundle or `workbook export` zip, a take-home or backup zip, "
                       "or one CSV file from one of them.")
    for q in (daylio, freecbt, bundle):
        q.add_argument("file", metavar="FILE", help="The exported file.")
        q.add_argument("--data-dir", help=f"Data folder (default: ${ENV_VAR}, else your data folder).")
        q.add_argument("--preview", action="store_true",
                       help="Say what would come in, and write nothing.")
        q.set_defaults(func=_run_import)
    daylio.add_argument("--map", action="append", metavar="LABEL=N",
                        help="A mood you renamed in Daylio and its number from 0 to 10 (repeatable).")


def _run_backup(args: argparse.Namespace) -> int:
    from workbook import backup

    data_dir = default_data_dir(args.data_dir).resolve()
    made = backup.daily_backup(data_dir, keep=args.keep)
    if made is None:
        print(f"Nothing to back up yet in {data_dir}.")
        return 0
    print(made)
    for path in backup.list_backups(data_dir):
        print(f"  {path.name}")
    return 0


def _run_restore(args: argparse.Namespace) -> int:
    from workbook import backup

    data_dir = default_data_dir(args.data_dir).resolve()
    try:
        restored = backup.restore(data_dir, args.backup)
    except (OSError, ValueError) as exc:
        print(f"{args.backup}: {exc}", file=sys.stderr)
        return 1
    print(f"Restored {', '.join(restored)} into {data_dir}. What was there before is kept in "
          f"{data_dir / backup.BACKUP_DIR}, named before-restore-….")
    return 0


def add_backup(sub: argparse._SubParsersAction) -> None:
    """`workbook backup` (today's backup, and the list) and `workbook restore BACKUP`."""
    p = sub.add_parser("backup", help="Make today's backup of the data folder and list backups.")
    p.add_argument("--data-dir", help=f"Data folder (default: ${ENV_VAR}, else your data folder).")
    p.add_argument("--keep", type=int, default=14, help="Daily backups to keep (default 14).")
    p.set_defaults(func=_run_backup)
    r = sub.add_parser("restore", help="Put a backup back (the current data is backed up first).")
    r.add_argument("backup", metavar="BACKUP", help="A backup zip, or a date like 2026-03-01.")
    r.add_argument("--data-dir", help=f"Data folder (default: ${ENV_VAR}, else your data folder).")
    r.set_defaults(func=_run_restore)


def _day(text: str) -> str:
    import datetime as dt

    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-03-31") from None


def _run_export(args: argparse.Namespace) -> int:
    """`workbook export`: a share bundle for the care team; its path, then the entries per kind."""
    from workbook.bundle import make_bundle
    from workbook.store import Store

    data_dir = default_data_dir(args.data_dir).resolve()
    if not data_dir.is_dir():
        print(f"No data folder at {data_dir}; nothing to export.", file=sys.stderr)
        return 1
    store = Store(data_dir)
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()] if args.kinds else list(store.catalog)
    out = Path(args.out).expanduser().resolve()
    try:
        manifest = make_bundle(store, out, args.start, args.end, kinds)
    except ValueError as exc:
        print(f"Not exported: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"{out}: could not be written ({exc.strerror or exc}).", file=sys.stderr)
        return 1
    print(out)
    print(f"  {manifest.start} to {manifest.end}")
    for kind, count in manifest.counts.items():
        print(f"  {kind}: {count}")
    return 0


def add_export(sub: argparse._SubParsersAction) -> None:
    """`workbook export --out FILE.zip`, for a chosen period and chosen kinds of entries."""
    p = sub.add_parser("export", help="Make a share bundle (zip) for your therapist.")
    p.add_argument("--data-dir", help=f"Data folder (default: ${ENV_VAR}, else your data folder).")
    p.add_argument("--out", required=True, metavar="FILE.zip", help="Where to write the bundle.")
    p.add_argument("--from", dest="start", type=_day, metavar="YYYY-MM-DD",
                   help="First day to include (default: the first entry).")
    p.add_argument("--to", dest="end", type=_day, metavar="YYYY-MM-DD",
                   help="Last day to include (default: today).")
    p.add_argument("--kinds", metavar="KIND,KIND",
                   help="Which entries to share, e.g. mood,win (default: every kind).")
    p.set_defaults(func=_run_export)
