"""Bring history in: Daylio (CSV export or `.daylio` backup), FreeCBT / Quirk, and our own bundles.

An import happens in two steps. A reader (`read_daylio`, `read_freecbt`, `read_entries`) checks
the whole file and returns an `ImportPlan` without writing anything: a file that is not what it
claims (wrong header, binary, not JSON, empty, over 20 MB) raises `ImportRefused`. The plan can
show a `preview` (what would come in, for which dates, which mood names still need a place on
the scale), take mood names (`with_moods`), and is written only by `apply`. `import_daylio` and
friends do both steps at once (the command line).

Nothing is lost on the way in: a row that cannot be used is listed in the problems with its line
(CSV) or entry (JSON) number; a file that stops part-way through an entry is said to look cut
off; Daylio's scales and any column we have no place for are kept in the note, and the plan says
so. Entries already in the workbook are skipped (matched one for one, so two identical entries
in a file are both kept, and importing the same file twice adds nothing).

The work is split by job: `common` (plan, result, refusals, decoding, times), `daylio`,
`freecbt`, `entries` (our own bundles and exports) and `detect` (which app a file came from).
Everything public is importable from `workbook.importers` as before.
"""

from __future__ import annotations

from workbook.importers.common import (
    MAX_BYTES,
    ImportPlan,
    ImportRefused,
    ImportResult,
    Incoming,
    Preview,
)
from workbook.importers.daylio import (
    DAYLIO_2018_COLUMNS,
    DAYLIO_BACKUP_MEMBER,
    DAYLIO_COLUMNS,
    DAYLIO_GROUP_NAMES,
    DAYLIO_GROUPS,
    DAYLIO_MOODS,
    import_daylio,
    parse_mapping,
    plain_text,
    read_daylio,
)
from workbook.importers.detect import (
    FORMAT_NAMES,
    guess_format,
)
from workbook.importers.entries import (
    import_entries,
    read_entries,
)
from workbook.importers.freecbt import (
    FREECBT_CSV_COLUMNS,
    FREECBT_DISTORTIONS,
    FREECBT_SITUATION,
    import_freecbt,
    read_freecbt,
)

__all__ = [
    "MAX_BYTES",
    "DAYLIO_MOODS",
    "DAYLIO_GROUPS",
    "DAYLIO_GROUP_NAMES",
    "DAYLIO_COLUMNS",
    "DAYLIO_2018_COLUMNS",
    "DAYLIO_BACKUP_MEMBER",
    "FREECBT_DISTORTIONS",
    "FREECBT_CSV_COLUMNS",
    "FREECBT_SITUATION",
    "ImportRefused",
    "ImportResult",
    "Incoming",
    "Preview",
    "ImportPlan",
    "plain_text",
    "parse_mapping",
    "read_daylio",
    "import_daylio",
    "read_freecbt",
    "import_freecbt",
    "read_entries",
    "import_entries",
    "FORMAT_NAMES",
    "guess_format",
]
