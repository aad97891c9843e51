"""Reminders without an account: calendar files (.ics) the person imports into their own calendar.

A daily check-in at a time they choose, and the homework's due dates. Made with `icalendar`;
nothing is sent anywhere, the file is simply downloaded.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from icalendar import Alarm, Calendar, Event

PRODID = "-//Between Sessions//workbook reminders//EN"
DAILY_TEXT = ("A gentle reminder: a 10-second mood check-in, if you feel like it. "
              "Missing a day is fine.")


def _calendar() -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "Between Sessions")
    return cal


def _alarm(text: str) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", text)
    alarm.add("trigger", dt.timedelta(0))
    return alarm


def parse_time(text: str) -> dt.time:
    """'20:30', '8:30 pm' or '8pm' as a time; ValueError with a plain message otherwise."""
    cleaned = text.strip().lower().replace(".", ":").replace(" ", "")
    for fmt in ("%H:%M", "%I:%M%p", "%I%p", "%H"):
        try:
            return dt.datetime.strptime(cleaned, fmt).time()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a time; try 20:30 or 8:30 pm.")


def daily_checkin(at: dt.time, start: dt.date | None = None, minutes: int = 5) -> bytes:
    """A repeating event each day at `at` (local, floating time: it follows the person's zone)."""
    start = start or dt.date.today()
    event = Event()
    event.add("uid", f"daily-checkin-{uuid.uuid4().hex}@between-sessions")
    event.add("dtstamp", dt.datetime.now(dt.timezone.utc))
    event.add("summary", "Mood check-in")
    event.add("description", DAILY_TEXT)
    begin = dt.datetime.combine(start, at)
    event.add("dtstart", begin)
    event.add("dtend", begin + dt.timedelta(minutes=minutes))
    event.add("rrule", {"freq": "daily"})
    event.add_component(_alarm(DAILY_TEXT))
    cal = _calendar()
    cal.add_component(event)
    return cal.to_ical()


def homework_dates(assignments: Iterable, today: dt.date | None = None) -> bytes:
    """An all-day event on each homework's last day (and its first), for assignments not over."""
    today = today or dt.date.today()
    cal = _calendar()
    for assignment in assignments:
        if assignment.until < today:
            continue
        names = ", ".join(assignment.title(kind) for kind in assignment.kinds)
        who = f" from {assignment.therapist}" if assignment.therapist else ""
        for day, summary in ((assignment.start, f"Homework{who} starts"),
                             (assignment.until, f"Homework{who}: last day")):
            if day < today:
                continue
            event = Event()
            event.add("uid", f"homework-{assignment.id}-{day.isoformat()}@between-sessions")
            event.add("dtstamp", dt.datetime.now(dt.timezone.utc))
            event.add("summary", summary)
            event.add("description", f"{names}. {assignment.note}".strip())
            event.add("dtstart", day)
            event.add("dtend", day + dt.timedelta(days=1))
            cal.add_component(event)
    return cal.to_ical()
