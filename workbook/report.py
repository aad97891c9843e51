"""The report a person shares with their therapist: `report.html` and `report.pdf`, same content.

`build_report` turns the shared entries into a plain `Report` (text, numbers, the shared charts
of `workbook.chart_catalogue`); `render_html` and `render_pdf` (in `workbook.report_pdf`) only
lay it out. The HTML is one self-contained file: no script, no external URL, charts inline as
SVG, readable with scripts off and printable. Every piece of text a person typed goes through
Jinja's autoescape (HTML) or the PDF's glyph check; nothing is concatenated into markup by hand.

Why this module is over 400 lines: about a hundred of them are the HTML template, kept beside
the `Report` it lays out so a field and its markup change together; the rest is the report's
data and its sentences, one concern.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from workbook import analysis, chart_catalogue, rules, scoring, words
from workbook.chart_catalogue import Figure
from workbook.exercises import Exercise, Field
from workbook.words import day, number, plural

TABLE_MAX_COLUMNS = 7  # wider entries are shown one small table per entry ("cards")
DISCLAIMER = (
    "This is not a diagnosis. Scores, ranges and charts describe answers given in a self-help "
    "workbook; they are a starting point for talking together, not a clinical assessment."
)


# -- the report as plain data ---------------------------------------------------------------------
@dataclass(frozen=True)
class Table:
    """Rows of text under column headings; `title` names one entry (cards) or is empty."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    title: str = ""


@dataclass(frozen=True)
class Section:
    """One exercise kind: what it adds up to, then its entries (one table, or one card each)."""

    kind: str
    title: str
    count: int
    summary: tuple[str, ...]
    layout: str  # "table" | "cards"
    table: Table | None = None
    cards: tuple[Table, ...] = ()


@dataclass(frozen=True)
class Report:
    """Everything both reports show, in order: who and when, reach-out alerts, charts, sections."""

    made_at: dt.datetime
    start: dt.date
    end: dt.date
    app_version: str
    titles: tuple[str, ...]  # the exercises shared, by title
    alerts: tuple[rules.Alert, ...]
    unchecked: tuple[str, ...]  # why some reach-out rules could not be checked
    charts: tuple[Figure, ...]  # from the chart catalogue, for the therapist
    sections: tuple[Section, ...]

    @property
    def intro(self) -> str:
        return (f"Made by the person who keeps this workbook on {day(self.made_at)}, from their own "
                f"entries between {day(self.start)} and {day(self.end)}. It holds only what they "
                f"chose to share: {', '.join(self.titles)}.")

    def texts(self) -> Iterable[str]:
        """Every string the report shows (for the PDF's glyph check)."""
        yield self.intro
        for alert in self.alerts:
            yield alert.title
            yield alert.message
        for chart in self.charts:
            yield chart.summary
        for section in self.sections:
            yield from section.summary
            for table in ((section.table,) if section.table else ()) + section.cards:
                yield table.title
                yield from table.columns
                for row in table.rows:
                    yield from row


# -- words and numbers ----------------------------------------------------------------------------
def _missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def stamp(created_at: Any) -> str:
    """'2026-03-31 09:30' from an ISO timestamp (the local time as written); the text otherwise."""
    return words.stamp(None if _missing(created_at) else created_at)


def show(f: Field, value: Any) -> str:
    """A stored value as a person reads it: labels for choices, lists joined, text as typed."""
    if _missing(value):
        return ""
    labels = {o.key: o.label for o in f.options}
    if isinstance(value, list):
        parts = []
        for item in value:
            if isinstance(item, Mapping) and "text" in item:
                parts.append(str(item.get("text", "")) + (" (hot thought)" if item.get("hot") else ""))
            elif isinstance(item, Mapping) and "name" in item:
                parts.append(f"{item.get('name', '')} {item.get('intensity', '')}".strip())
            else:
                parts.append(labels.get(str(item), str(item)))
        return "\n".join(parts) if f.type == "thoughts" else ", ".join(parts)
    if f.type == "choice":
        return labels.get(str(value), str(value))
    if f.type in ("scale", "number") and isinstance(value, (int, float)) and not isinstance(value, bool):
        return number(value)
    if f.type == "datetime" and isinstance(value, str):
        return value.replace("T", " ")
    return str(value)


def plain_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts with None for missing values (nullable ints and floats included)."""
    if frame.empty:
        return []
    plain = frame.astype(object)
    return plain.where(plain.notna(), None).to_dict("records")


# -- summaries -------------------------------------------------------------------------------------
QUESTIONNAIRE_ITEMS = set(scoring.PHQ9_ITEMS) | set(scoring.GAD7_ITEMS)


def _averages(exercise: Exercise, frame: pd.DataFrame) -> list[str]:
    out = []
    for f in exercise.fields:
        if f.type not in ("scale", "number") or f.name in QUESTIONNAIRE_ITEMS or f.name not in frame:
            continue
        values = pd.to_numeric(frame[f.name].astype(object), errors="coerce").dropna()
        if values.empty:
            continue
        scale = f" ({number(f.min)}-{number(f.max)})" if f.type == "scale" else ""
        out.append(f"{f.label}{scale}: average {float(values.mean()):.1f} across "
                   f"{plural(len(values), 'answer')}.")
    return out


def _top(counts: Mapping[str, int], top: int = 6) -> str:
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])[:top]
    return ", ".join(f"{name} ({count})" for name, count in ranked)


def _choice_counts(f: Field, values: Iterable[Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in values:
        items = value if isinstance(value, list) else [value]
        for item in items:
            if not _missing(item) and str(item).strip():
                name = show(f, item)
                counts[name] = counts.get(name, 0) + 1
    return counts


def _questionnaire_lines(frame: pd.DataFrame) -> list[str]:
    scores = analysis.questionnaire_scores(frame)
    out = []
    for instrument in ("PHQ-9", "GAD-7"):
        mine = scores[scores["instrument"] == instrument]
        if mine.empty:
            out.append(f"{instrument}: no fully answered questionnaire in this range.")
            continue
        first, latest = mine.iloc[0], mine.iloc[-1]
        line = (f"{instrument}: latest total {int(latest['total'])} ({latest['severity']} range) on "
                f"{day(latest['date'])}")
        if len(mine) > 1:
            line += (f"; first in this range {int(first['total'])} ({first['severity']} range) on "
                     f"{day(first['date'])}; {plural(len(mine), 'questionnaire')} in all")
        marked = mine[mine["baseline"].eq(True)]
        if len(marked):
            line += (f"; marked as from before treatment: {int(marked['total'].iloc[-1])} on "
                     f"{day(marked['date'].iloc[-1])}")
        moved = analysis.score_change(scores, instrument)
        if moved is not None and moved.response:
            line += (f"; the latest is half or less of the starting score {moved.first} (a drop of 50% "
                     "or more, often called a response)")
        if moved is not None and moved.remission:
            line += f"; the latest is under {scoring.REMISSION_BELOW}, the range often called remission"
        out.append(line + ".")
    if "phq9_9" in frame:
        item9 = pd.to_numeric(frame["phq9_9"].astype(object), errors="coerce")
        positive = frame[item9 > 0]
        if len(positive):
            days = ", ".join(stamp(c)[:10] for c in positive["created_at"])
            out.append(f"PHQ-9 item 9 (thoughts of being better off dead or of self-harm) was answered "
                       f"above 'not at all' in {plural(len(positive), 'check-in')}: {days}.")
        else:
            out.append("PHQ-9 item 9 was not answered above 'not at all' in this range.")
    return out


def summary_lines(exercise: Exercise, frame: pd.DataFrame) -> tuple[str, ...]:
    """Counts and averages of one kind's entries, in plain sentences."""
    kind = exercise.kind
    count = len(frame)
    if count == 0:
        return (f"No {exercise.title.lower()} entries in this range.",)
    lines = []
    if kind == "mood":
        days = analysis.entry_dates(frame["created_at"]).dt.date.nunique()
        lines.append(f"{plural(count, 'check-in')} on {plural(days, 'day')}.")
    else:
        lines.append(f"{plural(count, 'entry', 'entries')}.")
    if exercise.drafts and "status" in frame:
        drafts = int((frame["status"].astype(str) == "draft").sum())
        if drafts:
            lines.append(f"{count - drafts} complete, {plural(drafts, 'draft')} not finished.")
    lines += _averages(exercise, frame)
    for f in exercise.fields:
        if f.type in ("choice", "multi_choice", "tags") and f.name in frame and f.name != "distortions":
            counts = _choice_counts(f, frame[f.name])
            if counts:
                lines.append(f"{f.label}: {_top(counts)}.")
    if kind == "thought_record":
        patterns = analysis.distortion_counts(frame)
        if not patterns.empty:
            lines.append("Thinking patterns noticed most: "
                         + ", ".join(f"{r.label} ({r.count})" for r in patterns.itertuples()) + ".")
        shift = analysis.emotion_shift(frame)
        if not shift.empty:
            before, after = (float(v) for v in shift["intensity"])
            lines.append(f"Feelings re-rated in {plural(int(shift['records'].iloc[0]), 'record')}: average "
                         f"strength {before:.0f} before, {after:.0f} after (0-100).")
    if kind == "checkin":
        lines += _questionnaire_lines(frame)
    return tuple(lines)


# -- entries as tables -----------------------------------------------------------------------------
def _score_cells(record: Mapping[str, Any], items: tuple[str, ...], score: Any) -> tuple[str, str]:
    """A questionnaire's total with its range (when every item is answered) and its answers."""
    answers = [record.get(i) for i in items]
    given = [a for a in answers if not _missing(a)]
    if not given:
        return "", ""
    total = f"{len(given)} of {len(items)} answered"
    if len(given) == len(items):
        try:
            result = score([int(a) for a in answers])
            total = f"{result.total} ({result.severity})"
        except (TypeError, ValueError):
            total = "not scored"
    return total, " ".join("-" if _missing(a) else str(a) for a in answers)


def _checkin_table(frame: pd.DataFrame) -> Table:
    """Check-ins in seven columns: totals with their range, the answers, item 9 and the note."""
    rows = []
    for record in plain_records(frame):
        phq_total, phq_answers = _score_cells(record, scoring.PHQ9_ITEMS, scoring.phq9)
        gad_total, gad_answers = _score_cells(record, scoring.GAD7_ITEMS, scoring.gad7)
        item9 = record.get("phq9_9")
        note = record.get("note")
        rows.append((stamp(record.get("created_at")), phq_total, phq_answers,
                     "" if _missing(item9) else str(item9), gad_total, gad_answers,
                     "" if _missing(note) else str(note)))
    columns = ("Date", "PHQ-9 total", "PHQ-9 answers (items 1-9)", "PHQ-9 item 9", "GAD-7 total",
               "GAD-7 answers (items 1-7)", "Note")
    used = [i for i in range(len(columns)) if i == 0 or any(row[i] for row in rows)]
    return Table(tuple(columns[i] for i in used), tuple(tuple(row[i] for i in used) for row in rows))


def entry_tables(exercise: Exercise, frame: pd.DataFrame) -> tuple[str, Table | None, tuple[Table, ...]]:
    """The entries as one table (few columns) or one two-column table per entry (many)."""
    if frame.empty:
        return "table", None, ()
    if exercise.kind == "checkin":
        return "table", _checkin_table(frame), ()
    records = plain_records(frame)
    used = [f for f in exercise.fields if any(not _missing(r.get(f.name)) and show(f, r.get(f.name))
                                              for r in records)]
    with_status = exercise.drafts and any(r.get("status") == "draft" for r in records)
    columns = ("Date", *(("Status",) if with_status else ()), *(f.label for f in used))
    rows = []
    for r in records:
        status = (str(r.get("status") or ""),) if with_status else ()
        rows.append((stamp(r.get("created_at")), *status, *(show(f, r.get(f.name)) for f in used)))
    if len(columns) <= TABLE_MAX_COLUMNS:
        return "table", Table(columns, tuple(rows)), ()
    cards = []
    for row in rows:
        title = row[0] + (f" ({row[1]})" if with_status and row[1] == "draft" else "")
        pairs = tuple((label, value) for label, value in zip(columns[1:], row[1:], strict=True)
                      if value and label != "Status")
        cards.append(Table(("Field", "Entry"), pairs, title=title))
    return "cards", None, tuple(cards)


# -- building --------------------------------------------------------------------------------------
def _alerts(frames: Mapping[str, pd.DataFrame], end: dt.date,
            thresholds: rules.Thresholds) -> tuple[tuple[rules.Alert, ...], tuple[str, ...]]:
    unchecked = []
    if "checkin" not in frames:
        unchecked.append("the PHQ-9 rules need check-ins, which were not shared")
    if "mood" not in frames or "session" not in frames:
        unchecked.append("the rule about a dip after a session needs mood check-ins and treatment "
                         "sessions, and not both were shared")
    alerts = rules.evaluate(frames.get("mood"), frames.get("session"), frames.get("checkin"),
                            today=end, thresholds=thresholds)
    return tuple(alerts), tuple(unchecked)


def build_report(
    frames: Mapping[str, pd.DataFrame],
    catalog: Mapping[str, Exercise],
    start: dt.date,
    end: dt.date,
    made_at: dt.datetime | None = None,
    thresholds: rules.Thresholds | None = None,
    app_version: str = "",
) -> Report:
    """The report of the shared entries (`frames`, already limited to `start`..`end`), by kind."""
    made_at = made_at or dt.datetime.now().astimezone()
    alerts, unchecked = _alerts(frames, end, thresholds or rules.Thresholds())
    sections = []
    for kind, frame in frames.items():
        exercise = catalog[kind]
        layout, table, cards = entry_tables(exercise, frame)
        sections.append(Section(kind=kind, title=exercise.title, count=len(frame),
                                summary=summary_lines(exercise, frame), layout=layout, table=table,
                                cards=cards))
    return Report(made_at=made_at, start=start, end=end, app_version=app_version,
                  titles=tuple(catalog[k].title for k in frames), alerts=alerts, unchecked=unchecked,
                  charts=chart_catalogue.shared_figures(frames, start, end), sections=tuple(sections))


# -- HTML -------------------------------------------------------------------------------------------
HTML_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Between Sessions {{ r.app_version }}">
<title>Between Sessions: shared report, {{ day(r.start) }} to {{ day(r.end) }}</title>
<style>
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222;
       max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: .3rem; }
h2 { font-size: 1.25rem; border-bottom: 1px solid #ccd; padding-bottom: .2rem; margin-top: 2rem; }
h3 { font-size: 1rem; margin: 1.2rem 0 .3rem; }
.wb-disclaimer { background: #f4f6f8; border-left: 4px solid #3b6ea5; padding: .6rem .9rem; }
.wb-alert { border-left: 4px solid #b35c00; background: #fff7ee; padding: .5rem .9rem; margin: .6rem 0; }
.wb-alert-item9 { border-left-color: #a11; background: #fdeeee; }
figure { margin: 1rem 0; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-size: .9rem; color: #444; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; font-size: .9rem; }
th, td { border: 1px solid #ccd; padding: .25rem .4rem; text-align: left; vertical-align: top;
         white-space: pre-wrap; overflow-wrap: anywhere; }
thead th { background: #eef1f5; }
.wb-card th { width: 14rem; background: #f6f7f9; font-weight: 600; }
/* typed text keeps its own direction, and a stray direction mark stays inside its cell */
td, .wb-summary li, .wb-card-title { unicode-bidi: plaintext; }
.wb-muted { color: #555; font-size: .9rem; }
nav ul { padding-left: 1.2rem; }
@page { size: A4; margin: 15mm 13mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10pt; }
  .wb-section { break-before: page; }
  h2, h3 { break-after: avoid; }
  tr, figure, .wb-alert, .wb-card-title { break-inside: avoid; }
  thead { display: table-header-group; }
  nav { display: none; }
}
</style>
</head>
<body>
<header>
<h1>Between Sessions: a shared report</h1>
<p class="wb-intro">{{ r.intro }}</p>
<p class="wb-disclaimer">{{ disclaimer }}</p>
</header>
<nav aria-label="Contents"><ul>
<li><a href="#reach-out">When to reach out</a></li>
{% if r.charts %}<li><a href="#charts">Charts</a></li>{% endif %}
{% for s in r.sections %}<li><a href="#kind-{{ s.kind }}">{{ s.title }}</a> ({{ s.count }})</li>{% endfor %}
</ul></nav>
<main>
<section id="reach-out" aria-labelledby="reach-out-h">
<h2 id="reach-out-h">When to reach out</h2>
{% if r.alerts %}
<p>The workbook's reach-out rules, checked on the shared entries as of {{ day(r.end) }}, showed the
person these messages:</p>
{% for a in r.alerts %}
<div class="wb-alert wb-alert-{{ a.rule }}"><strong>{{ a.title }}</strong><p>{{ a.message }}</p></div>
{% endfor %}
{% else %}
<p>None of the workbook's reach-out rules applied to the shared entries as of {{ day(r.end) }}.</p>
{% endif %}
{% for why in r.unchecked %}<p class="wb-muted">Not checked: {{ why }}.</p>{% endfor %}
</section>
{% if r.charts %}
<section id="charts" class="wb-section" aria-labelledby="charts-h">
<h2 id="charts-h">Charts</h2>
{% for c in r.charts %}
<figure role="img" aria-label="{{ c.summary }}">{{ svg(c) }}<figcaption>{{ c.summary }}</figcaption></figure>
{% endfor %}
</section>
{% endif %}
{% for s in r.sections %}
<section id="kind-{{ s.kind }}" class="wb-section" aria-labelledby="kind-{{ s.kind }}-h">
<h2 id="kind-{{ s.kind }}-h">{{ s.title }}</h2>
<ul class="wb-summary">{% for line in s.summary %}<li>{{ line }}</li>{% endfor %}</ul>
{% if s.table %}
<table class="wb-entries"><thead><tr>
{%- for c in s.table.columns %}<th scope="col">{{ c }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in s.table.rows %}<tr>{% for cell in row %}<td>{{ cell }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table>
{% endif %}
{% for card in s.cards %}
<h3 class="wb-card-title">{{ card.title }}</h3>
<table class="wb-card"><tbody>
{% for label, value in card.rows %}<tr><th scope="row">{{ label }}</th><td>{{ value }}</td></tr>
{% endfor %}</tbody></table>
{% endfor %}
</section>
{% endfor %}
</main>
<footer class="wb-muted"><p>Made with Between Sessions {{ r.app_version }}, a self-guided CBT workbook
kept on the person's own computer. {{ disclaimer }}</p></footer>
</body>
</html>
"""

@functools.cache
def _template() -> Any:
    import jinja2

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    return env.from_string(HTML_TEMPLATE)


def render_html(report: Report) -> str:
    """One self-contained HTML page; user text is escaped by the template's autoescape."""
    from markupsafe import Markup

    def svg(chart: Figure) -> Markup:
        return Markup(chart.svg())  # noqa: S704 - drawn by vl-convert from our own spec

    return _template().render(r=report, day=day, svg=svg, disclaimer=DISCLAIMER)


def render_pdf(report: Report) -> bytes:
    """The same content as the HTML, as an A4 PDF with its fonts embedded (`workbook.report_pdf`)."""
    from workbook import report_pdf

    return report_pdf.render_pdf(report)
