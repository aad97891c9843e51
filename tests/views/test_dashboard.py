"""The progress page driven without a browser: a real store, the range control, the widgets."""

import datetime as dt

import pytest

from workbook import chart_specs
from workbook.store import Store
from workbook.ui.dashboard import ProgressPage

TODAY = dt.date(2026, 3, 18)
XSS = "<img src=x onerror=alert(1)>"


def ago(days: int, hour: int = 20) -> str:
    day = TODAY - dt.timedelta(days=days)
    return f"{day.isoformat()}T{hour:02d}:00:00+01:00"


def texts(page: ProgressPage) -> dict[str, str]:
    return {name: section.value for name, section in page.sections.items()}


def charted(page: ProgressPage, name: str) -> bool:
    """A chart spec is on the page in that section."""
    return any(page.sections[name].specs)


@pytest.fixture
def filled(store: Store) -> Store:
    """Two months of entries: recent ones, and a few only the longer ranges show."""
    for days in range(0, 60, 2):
        store.add("mood", {"mood": 3 + days % 5, "created_at": ago(days)})
    for days in (40, 20, 6):
        when = (TODAY - dt.timedelta(days=days)).isoformat()
        store.add("session", {"session_at": f"{when}T09:30", "treatment": "esketamine",
                              "intention": XSS, "created_at": ago(days, 8)})
    store.add("checkin", {**{f"phq9_{i}": 2 for i in range(1, 10)},
                          **{f"gad7_{i}": 2 for i in range(1, 8)}, "created_at": ago(45, 10)})
    store.add("checkin", {**{f"phq9_{i}": 1 for i in range(1, 10)}, "created_at": ago(5, 10)})
    for days in (1, 3, 50):
        store.add("win", {"description": XSS, "created_at": ago(days, 12)})
    store.add("thought_record", {"situation": XSS, "distortions": ["mind_reading", "labelling"],
                                 "emotions": [{"name": XSS, "intensity": 80}],
                                 "emotions_after": [{"name": XSS, "intensity": 30}],
                                 "created_at": ago(4)})
    store.add("thought_record", {"situation": "work", "distortions": ["mind_reading"],
                                 "created_at": ago(70)})
    return store


def test_the_page_and_its_hooks(store):
    page = ProgressPage(store, today=TODAY)
    assert ProgressPage.title == "Progress"
    assert "wb-page-progress" in page._dom_classes
    assert "wb-range" in page.range._dom_classes
    assert page.range.value == 90
    assert [label for label, _ in page.range.options] == ["Last 30 days", "Last 90 days", "Last year",
                                                         "All time"]
    for section in page.sections.values():
        assert "wb-chart" in section._dom_classes
    assert page.feedback.error._dom_classes == ("wb-error",)


def test_no_data_explains_each_chart_instead_of_empty_axes(store):
    page = ProgressPage(store, today=TODAY)
    for name, html in texts(page).items():
        assert not charted(page, name), name
        assert 'class="wb-empty"' in html, name
    assert "after a few mood check-ins" in page.sections["mood"].value
    assert "treatment sessions" in page.sections["after_session"].value
    assert "Every two weeks" in page.sections["checkins"].value
    assert "Small things count" in page.sections["wins"].value
    assert page.feedback.error.value == ""


def test_every_chart_drawn_with_its_summary(filled):
    page = ProgressPage(filled, today=TODAY)
    html = texts(page)
    for name in ("mood", "after_session", "checkins", "wins", "thoughts"):
        assert charted(page, name), name
        assert 'class="wb-chart-summary"' in html[name], name
    assert "Your average mood over the last 14 days was" in html["mood"]
    assert "Across 3 sessions, your average mood was" in html["after_session"]
    assert ("Your latest PHQ-9 total was 9 (mild range), 9 points lower than your first (18), half or "
            "less of where you started (a drop of 50% or more, often called a response); GAD-7 14 "
            "(moderate range).") in html["checkins"]
    assert "You saved 3 small wins in the last 90 days." in html["wins"]
    assert ("The pattern you noticed most often was Mind reading, in 2 of 2 thought records"
            in html["thoughts"])
    assert "from 80 to 30 on average" in html["thoughts"]
    assert page.feedback.error.value == ""


def test_range_control_redraws_every_chart_and_summary(filled):
    page = ProgressPage(filled, today=TODAY)
    before = texts(page)
    before_specs = {name: section.specs for name, section in page.sections.items()}
    page.range.value = 30
    after = texts(page)
    assert all(after[name] != before[name] or page.sections[name].specs != before_specs[name]
               for name in after)
    assert "You saved 2 small wins in the last 30 days." in after["wins"]
    assert "Across 2 sessions" in after["after_session"]
    assert ("Your latest PHQ-9 total was 9 (mild range), 9 points lower than your first (18)"
            in after["checkins"])
    assert "GAD-7" not in after["checkins"].split("</h3>")[-1]  # the GAD-7 check-in is older
    assert "in 1 of 1 thought record;" in after["thoughts"]
    page.range.value = 0
    assert "You saved 3 small wins since 7 Jan 2026." in page.sections["wins"].value
    page.range.value = 30
    assert texts(page) == after  # drawn again the same way (kept, not recomputed)


def test_sparse_data_gets_a_sentence(store):
    store.add("mood", {"mood": 6, "created_at": ago(1)})
    store.add("mood", {"mood": 4, "created_at": ago(100)})
    store.add("session", {"session_at": f"{TODAY.isoformat()}T09:00", "treatment": "tms",
                          "created_at": ago(0, 8)})
    store.add("checkin", {**{f"gad7_{i}": 0 for i in range(1, 8)}, "created_at": ago(200, 10)})
    page = ProgressPage(store, today=TODAY)
    html = texts(page)
    assert "1 day with a mood check-in in the last 90 days (average 6.0 out of 10)" in html["mood"]
    assert not charted(page, "mood")
    assert "1 session in the last 90 days, but too few mood check-ins" in html["after_session"]
    assert ("No PHQ-9 or GAD-7 check-ins in the last 90 days; your last one was on 30 Aug 2025"
            in html["checkins"])
    assert "No thought records in the last 90 days" in html["thoughts"]
    page.range.value = 0
    assert charted(page, "checkins")
    assert "Your latest GAD-7 total was 0 (minimal range)." in page.sections["checkins"].value


def test_refresh_rereads_the_store(filled):
    page = ProgressPage(filled, today=TODAY)
    assert "You saved 3 small wins" in page.sections["wins"].value
    filled.add("win", {"description": "cooked", "created_at": ago(0, 13)})
    page.refresh()
    assert "You saved 4 small wins" in page.sections["wins"].value


def test_text_people_typed_never_becomes_html(filled):
    page = ProgressPage(filled, today=TODAY)
    for days in (30, 90, 365, 0):
        page.range.value = days
        for name, html in texts(page).items():
            assert XSS not in html, name
            assert "onerror" not in html, name  # not even escaped: a count will do
            assert "onerror" not in str(page.sections[name].specs), name


def test_a_chart_that_fails_says_so_and_the_rest_still_draw(filled, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("no ink")

    monkeypatch.setattr(chart_specs, "mood_trend_spec", broken)
    page = ProgressPage(filled, today=TODAY)
    assert "Mood over time chart could not be drawn (RuntimeError: no ink)" in page.feedback.error.value
    assert "could not be drawn just now" in page.sections["mood"].value
    assert charted(page, "wins")
    monkeypatch.undo()
    page.range.value = 30
    assert charted(page, "mood")
    assert page.feedback.error.value == ""


def test_a_kind_that_cannot_be_read_says_so(filled, monkeypatch):
    load = filled.load

    def failing(kind):
        if kind == "checkin":
            raise OSError("disk unplugged")
        return load(kind)

    monkeypatch.setattr(filled, "load", failing)
    page = ProgressPage(filled, today=TODAY)
    assert ("Your PHQ-9 and GAD-7 check-in entries could not be read just now (disk unplugged)"
            in page.feedback.error.value)
    assert charted(page, "mood")
    assert not charted(page, "checkins")


def test_a_range_that_cannot_be_worked_out_says_so(filled, monkeypatch):
    from workbook import analysis

    page = ProgressPage(filled, today=TODAY)
    monkeypatch.setattr(analysis, "window", lambda *a: 1 / 0)
    page.range.value = 30
    assert "The charts could not be drawn (ZeroDivisionError" in page.feedback.error.value
