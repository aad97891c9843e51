"""How counts, numbers and days are written, in one place for every page, chart, report and review.

A day reads the same on the Progress page, in the shared report and in the therapist's review
because they all ask here. Plain Python only: the tool pages import it and must stay quick to open
(no pandas, no Altair); a pandas Timestamp is a datetime, so it is written the same way.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


def plural(count: int, word: str, many: str | None = None) -> str:
    """'1 day', '3 days'; `many` for a plural that is not the word plus s ('2 entries')."""
    return f"{count} {word if count == 1 else many or word + 's'}"


def number(value: float, places: int | None = 1) -> str:
    """A whole number without its '.0' ('3'); any other rounded to `places` decimals ('2.5'),
    or written in full when `places` is None (a range limit a person typed, kept exact)."""
    value = float(value)
    if value.is_integer():
        return str(int(value))
    return str(value) if places is None else f"{value:.{places}f}"


def day(value: dt.date) -> str:
    """'21 Nov 2026'."""
    return f"{value.day} {value:%b %Y}"


def full_day(value: dt.date) -> str:
    """'Sat 21 Nov 2026': a day with its weekday, where a person plans by the week."""
    return f"{value:%a} {day(value)}"


def iso_day(created_at: Any) -> str:
    """'2026-03-31' from an ISO timestamp: the local date as it was written."""
    return str(created_at or "")[:10]


def stamp(created_at: Any) -> str:
    """'2026-03-31 09:30' from an ISO timestamp (the local time as written); the text otherwise."""
    text = "" if created_at is None else str(created_at)
    if _STAMP.match(text):
        return text[:10] + " " + text[11:16]
    return text


def when(created_at: str) -> str:
    """'Sat 21 Nov 2026, 19:40' from an ISO timestamp; the text itself if it does not parse."""
    try:
        moment = dt.datetime.fromisoformat(created_at)
    except (TypeError, ValueError):
        return str(created_at)
    return moment.strftime("%a %d %b %Y, %H:%M")
