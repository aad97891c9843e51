import base64
import datetime as dt
import re

from icalendar import Calendar

from workbook.homework import Item, make_assignment
from workbook.ui.data_page import DataPage


def ics_from(html: str) -> Calendar:
    payload = re.search(r'base64,([^"]+)"', html).group(1)
    return Calendar.from_ical(base64.b64decode(payload))


def test_data_page_shows_the_folder_and_reminders(store):
    store.add("mood", {"mood": 5})
    page = DataPage(store)
    page.refresh()
    assert str(store.data_dir) in page.where.value
    panel = page.reminders
    panel.time.value = "8:30 pm"
    panel.daily_button.click()
    event = next(iter(ics_from(panel.download.value).walk("VEVENT")))
    assert event.decoded("dtstart").time() == dt.time(20, 30)
    assert 'download="between-sessions-check-in.ics"' in panel.download.value


def test_a_bad_time_says_what_to_type(store):
    panel = DataPage(store).reminders
    panel.time.value = "<b>later</b>"
    panel.daily_button.click()
    assert "try 20:30" in panel.feedback.error.value
    assert "<b>later" not in panel.feedback.error.value
    assert panel.download.value == ""


def test_homework_dates(store):
    panel = DataPage(store).reminders
    panel.homework_button.click()
    assert "No current homework yet" in panel.feedback.status.value
    today = dt.date.today()
    assignment = make_assignment(start=today, until=today + dt.timedelta(days=14),
                                 items=[Item("mood", 7)])
    store.save_assignment(assignment.to_json())
    panel.homework_button.click()
    days = [e.decoded("dtstart") for e in ics_from(panel.download.value).walk("VEVENT")]
    assert days == [today, today + dt.timedelta(days=14)]
