import datetime as dt

import pytest
from icalendar import Calendar

from workbook import reminders
from workbook.homework import Item, make_assignment


@pytest.mark.parametrize(("text", "expected"), [("20:30", dt.time(20, 30)), ("8:30 pm", dt.time(20, 30)),
                                                ("8pm", dt.time(20, 0)), ("07.15", dt.time(7, 15))])
def test_times(text, expected):
    assert reminders.parse_time(text) == expected


def test_bad_time():
    with pytest.raises(ValueError, match="try 20:30"):
        reminders.parse_time("after dinner")


def test_daily_checkin_repeats_at_the_chosen_time():
    cal = Calendar.from_ical(reminders.daily_checkin(dt.time(20, 30), dt.date(2026, 3, 1)))
    event = next(c for c in cal.walk("VEVENT"))
    assert event["summary"] == "Mood check-in"
    assert event.decoded("dtstart") == dt.datetime(2026, 3, 1, 20, 30)
    assert event["rrule"]["FREQ"] == ["DAILY"]
    assert next(iter(event.walk("VALARM")))["action"] == "DISPLAY"


def test_homework_dates():
    assignment = make_assignment(start=dt.date(2026, 3, 2), until=dt.date(2026, 3, 15),
                                 items=[Item("mood", 7), Item("win", 5)], note="Small steps",
                                 therapist="Dr <Lee>")
    cal = Calendar.from_ical(reminders.homework_dates([assignment], today=dt.date(2026, 3, 5)))
    events = list(cal.walk("VEVENT"))
    assert [e.decoded("dtstart") for e in events] == [dt.date(2026, 3, 15)]
    assert "Mood check-in" in str(events[0]["description"])
    assert str(events[0]["summary"]) == "Homework from Dr <Lee>: last day"
