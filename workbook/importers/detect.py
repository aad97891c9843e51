"""Which app a file came from, from its first bytes, to say so beside a refusal."""

from __future__ import annotations

import io
import zipfile

from workbook.importers.common import _ZIP_MAGIC, ImportRefused, _decode
from workbook.importers.daylio import DAYLIO_BACKUP_MEMBER

# -- which app a file came from ---------------------------------------------------------------
FORMAT_NAMES = {"daylio": "Daylio", "freecbt": "FreeCBT or Quirk", "bundle": "Between Sessions"}


def guess_format(data: bytes) -> str | None:
    """Which reader a file is for ("daylio", "freecbt", "bundle"), from its first bytes; None if unsure.

    Used only to say "this looks like a ... file" beside a refusal; the readers decide for real.
    """
    if data.startswith(_ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, EOFError):
            return None
        if DAYLIO_BACKUP_MEMBER in names:
            return "daylio"
        return "bundle" if any(n.endswith(".csv") for n in names) else None
    try:
        text = _decode(data[:4096], "file")
    except ImportRefused:
        return None
    first = text.lstrip().split("\n", 1)[0].strip().lower()
    cells = {c.strip().strip('"') for c in first.split(",")}
    if {"mood", "activities"} <= cells:
        return "daylio"
    if first.startswith(("uuid,createdat", ":freecbt:")) or (first[:1] in "[{" and "automaticthought"
                                                              in text.lower()):
        return "freecbt"
    if {"id", "created_at"} <= cells:
        return "bundle"
    return None
