"""report.html and report.pdf: self-contained, escaped, printable, and never stopped by odd text."""

from __future__ import annotations

import datetime as dt
import io
import re
import zlib
from html.parser import HTMLParser

import pytest
from markupsafe import escape

from workbook import report_pdf, rules
from workbook.report import build_report, render_html, render_pdf
from workbook.report_pdf import MISSING_GLYPH, pdf_text

START, END = dt.date(2026, 3, 1), dt.date(2026, 3, 31)
HOSTILE = "<img src=x onerror=alert(1)>"
KNOWN = "Walked to the bakery and said hello"


def at(day: int, hour: int = 9) -> str:
    return f"2026-03-{day:02d}T{hour:02d}:00:00+01:00"


@pytest.fixture
def shared(store):
    """A month of entries in every kind, with hostile and international text."""
    for day in range(1, 29):
        store.add("mood", {"mood": 3 + day % 5, "anxiety": 4, "tags": ["sleep", HOSTILE],
                           "note": f"{HOSTILE} day {day}\nsecond line", "created_at": at(day)})
    store.add("win", {"description": KNOWN, "category": "connection", "effort": 6, "created_at": at(3)})
    store.add("win", {"description": "Café crème, Łódź, ❤️ 😀 你好 مرحبا", "created_at": at(4)})
    store.add("win", {"description": HOSTILE + ' "quoted" & <b>bold</b>', "created_at": at(5)})
    store.add("thought_record", {
        "situation": f"Meeting {HOSTILE}", "emotions": [{"name": "sad", "intensity": 80}],
        "automatic_thoughts": [{"text": "I always fail", "hot": True}], "distortions": ["labelling"],
        "evidence_for": "one", "evidence_against": "two", "balanced_thought": "It was one meeting.",
        "balanced_belief": 60, "emotions_after": [{"name": "sad", "intensity": 40}], "created_at": at(6)})
    store.add("session", {"session_at": "2026-03-10T10:00", "treatment": "esketamine", "dose": "56 mg",
                          "mood_before": 5, "dissociation": 6, "came_up": HOSTILE, "created_at": at(10, 8)})
    store.add("checkin", {**{f"phq9_{i}": 2 for i in range(1, 10)}, **{f"gad7_{i}": 1 for i in range(1, 8)},
                          "created_at": at(2)})
    store.add("checkin", {**{f"phq9_{i}": 3 for i in range(1, 10)}, "note": HOSTILE, "created_at": at(16)})
    return store


def made(store, kinds=("mood", "win", "thought_record", "session", "checkin"), start=START, end=END):
    from workbook.bundle import in_range

    frames = {}
    for kind in kinds:
        frame = store.load(kind)
        frames[kind] = frame[in_range(frame["created_at"], start, end).to_numpy()].reset_index(drop=True)
    return build_report(frames, store.catalog, start, end, app_version="test")


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


# -- HTML ------------------------------------------------------------------------------------------
def test_html_is_self_contained_and_runs_nothing(shared):
    html = render_html(made(shared))
    assert "<script" not in html.lower()
    assert "http://" not in html and "https://" not in html
    parser = Tags()
    parser.feed(html)
    names = {tag for tag, _ in parser.tags}
    assert not names & {"script", "img", "link", "iframe", "object", "embed", "base", "form", "image"}
    for tag, attrs in parser.tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        assert attrs.get("href", "#").startswith("#"), (tag, attrs)
        assert "src" not in attrs and "xlink:href" not in attrs
    assert "default-src 'none'" in html  # even a slip could load nothing


def test_user_text_is_escaped_everywhere(shared):
    html = render_html(made(shared))
    assert "<img" not in html
    assert "<b>bold</b>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert html.count("&lt;img src=x onerror=alert(1)&gt;") >= 28 + 3
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "&#34;quoted&#34; &amp;" in html


def test_html_says_who_made_it_for_which_days_and_that_it_is_not_a_diagnosis(shared):
    html = render_html(made(shared))
    head = html[: html.index("<nav")]
    assert "Made by the person who keeps this workbook" in head
    assert "between 1 Mar 2026 and 31 Mar 2026" in head
    assert "This is not a diagnosis." in head


def test_html_prints_well_and_draws_charts_inline(shared):
    html = render_html(made(shared))
    assert "@media print" in html and "break-before: page" in html
    assert html.count("<svg") == 3  # mood, wins, PHQ-9/GAD-7
    assert 'role="img" aria-label="Mood from 1 Mar 2026 to 31 Mar 2026' in html


def test_summaries_scores_bands_and_alerts(shared):
    built = made(shared)
    html = render_html(built)
    checkin = next(s for s in built.sections if s.kind == "checkin")
    assert "PHQ-9: latest total 27 (severe range) on 16 Mar 2026; first in this range 18 (moderately " \
           "severe range) on 2 Mar 2026; 2 questionnaires in all." in checkin.summary
    assert any(line.startswith("GAD-7: latest total 7 (mild range)") for line in checkin.summary)
    assert any("item 9" in line and "2 check-ins" in line for line in checkin.summary)
    mood = next(s for s in built.sections if s.kind == "mood")
    assert mood.summary[0] == "28 check-ins on 28 days."
    # item 9 was answered above 0 on 16 Mar, 15 days before the range ends: a new check-in is due
    assert [a.rule for a in built.alerts] == ["item9_recheck", "phq9_severe", "phq9_rise"]
    for alert in built.alerts:
        assert str(escape(alert.title)) in html and str(escape(alert.message)) in html
    assert rules.RECHECK_TITLE in html


def test_entries_as_tables_and_cards(shared):
    built = made(shared)
    by_kind = {s.kind: s for s in built.sections}
    assert by_kind["mood"].layout == "table"
    assert by_kind["mood"].table.columns[:2] == ("Date", "Mood right now")
    assert len(by_kind["mood"].table.rows) == 28
    assert by_kind["thought_record"].layout == "cards"
    card = by_kind["thought_record"].cards[0]
    assert card.title == "2026-03-06 09:00"
    assert ("Automatic thoughts", "I always fail (hot thought)") in card.rows
    assert ("Thinking patterns", "Labelling") in card.rows
    assert ("Emotions", "sad 80") in card.rows
    assert by_kind["checkin"].table.columns == ("Date", "PHQ-9 total", "PHQ-9 answers (items 1-9)",
                                                "PHQ-9 item 9", "GAD-7 total", "GAD-7 answers (items 1-7)",
                                                "Note")
    assert by_kind["checkin"].table.rows[0][1:4] == ("18 (moderately severe)", "2 2 2 2 2 2 2 2 2", "2")
    assert "Esketamine (Spravato)" in by_kind["session"].table.rows[0]
    html = render_html(built)
    assert 'class="wb-card"' in html and 'class="wb-entries"' in html


def test_only_the_shared_kinds_and_what_could_not_be_checked(shared):
    built = made(shared, kinds=("win",))
    html = render_html(built)
    assert [s.kind for s in built.sections] == ["win"]
    assert built.alerts == ()
    assert "Not checked: the PHQ-9 rules need check-ins" in html
    assert "None of the workbook's reach-out rules applied" in html
    assert html.count("<svg") == 1


def test_an_empty_range_still_reports(store):
    built = made(store, kinds=("mood", "checkin"))
    assert built.charts == ()
    assert built.sections[0].summary == ("No mood check-in entries in this range.",)
    assert "No mood check-in entries in this range." in render_html(built)
    assert render_pdf(built).startswith(b"%PDF")


# -- PDF -------------------------------------------------------------------------------------------
def pdf_mapped_text(data: bytes) -> set[str]:
    """The characters the PDF's embedded fonts map back to Unicode (ToUnicode CMaps)."""
    chars: set[str] = set()
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            text = zlib.decompress(stream)
        except zlib.error:
            text = stream
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", text, re.S):
            for code in re.findall(rb"<[0-9A-Fa-f]+>\s*<([0-9A-Fa-f]+)>", block):
                chars.add(bytes.fromhex(code.decode()).decode("utf-16-be"))
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", text, re.S):
            for first, last, dest in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>",
                                                block):
                start = ord(bytes.fromhex(dest.decode()).decode("utf-16-be"))
                chars.update(chr(start + i) for i in range(int(last, 16) - int(first, 16) + 1))
    return chars


def test_pdf_is_a_pdf_with_the_entries_fonts_embedded(shared):
    data = render_pdf(made(shared))
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    assert b"/FontFile2" in data  # the TTF travels with the file: no font needed on the reader's side
    assert set(KNOWN.replace(" ", "")) <= pdf_mapped_text(data)


def test_pdf_text_holds_the_entries():
    import pypdf

    from workbook.store import Store

    def text_of(data: bytes) -> str:
        return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)

    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        store = Store(folder)
        store.add("win", {"description": KNOWN, "created_at": at(3)})
        store.add("win", {"description": "Café crème ❤️ 你好", "created_at": at(4)})
        store.add("checkin", {**{f"phq9_{i}": 3 for i in range(1, 10)}, "created_at": at(5)})
        text = text_of(render_pdf(made(store, kinds=("win", "checkin"))))
    assert KNOWN in text
    assert "Café crème ❤️ □□" in text  # what the font lacks is a visible square
    assert "not a diagnosis" in text
    assert rules.RECHECK_TITLE in text  # item 9 on 5 Mar, the range ends on the 31st
    assert "27 (severe)" in text


def test_pdf_text_substitutes_visibly_instead_of_failing():
    assert pdf_text("Café Łódź naïve ñ ß Ωμέγα Привет") == "Café Łódź naïve ñ ß Ωμέγα Привет"
    assert pdf_text("你好") == MISSING_GLYPH * 2
    assert pdf_text("e\u0301") == "é"  # combining accent composed
    assert pdf_text("a\x00b\x07c\td\re") == "abc d e"  # control characters draw nothing
    assert pdf_text("line\nbreak") == "line\nbreak"


def test_pdf_with_any_unicode_and_a_very_long_note(store):
    weird = "😀👍🏽 你好世界 こんにちは 안녕 مرحبا שלום ∑∫ \U0001f9ec 🏳️‍🌈 \u0000 \u202e reversed \U0010ffff"
    store.add("mood", {"mood": 4, "note": weird, "created_at": at(2)})
    store.add("mood", {"mood": 5, "note": ("a long note, " * 1500).strip(), "created_at": at(3)})
    store.add("win", {"description": "x" * 2000, "created_at": at(3)})  # one word wider than any column
    data = render_pdf(made(store, kinds=("mood", "win")))
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page\b", data))
    assert pages >= 5  # the long note runs over several pages instead of being cut or refused
    assert MISSING_GLYPH in pdf_mapped_text(data)


def test_pdf_without_the_font_package_still_works(shared, monkeypatch):
    monkeypatch.setattr(report_pdf, "_font_dir", lambda: None)
    report_pdf._covered.cache_clear()
    try:
        assert pdf_text("Café Łódź") == "Café ?ód?"
        assert render_pdf(made(shared)).startswith(b"%PDF")
    finally:
        report_pdf._covered.cache_clear()
