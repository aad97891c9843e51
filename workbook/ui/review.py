"""The therapist's review: open clients' share bundles and see, per client, what to talk about.

Upload one or more bundles (and, if you like, the homework files they answer). Each bundle is
checked by `workbook.bundle.read_bundle` (format, version, checksums; hostile zips refused) and
read in memory. Per client: completion against the homework, the reach-out flags (PHQ-9 item 9
first), the charts, the PHQ-9/GAD-7 trajectory, recent thought records and wins.

Nothing is written anywhere: there is no Store here, only the DataFrames inside the bundle.
Every text from a file (entries, names, notes, file names) is escaped before it is shown.

Why this module is over 400 lines: each section is a short pure function from a bundle to HTML
and the two views only place them; kept together, one file reads as the review a therapist sees,
top to bottom. The charts come from `workbook.chart_catalogue`, as in the report.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Mapping
from typing import Any

import ipywidgets as w
import pandas as pd

from workbook import analysis, chart_catalogue, exercises, homework, rules, scoring, thoughts, worksheets
from workbook.bundle import Bundle, BundleError, read_bundle
from workbook.homework import Assignment, AssignmentError
from workbook.ui import lab
from workbook.ui.form import Feedback
from workbook.ui.homework_page import uploaded_files
from workbook.ui.text import esc, esc_lines, shorten
from workbook.words import full_day, iso_day, plural

log = logging.getLogger(__name__)

ACCEPT = ".zip,.json,.yaml,.yml,application/zip,application/json"
RECENT_THOUGHTS = 5
RECENT_WINS = 10
RECENT_OTHER = 5
NO_ASSIGNMENT = "(none)"
# the kinds this review draws a section of its own for (charts, scores, thoughts, wins); every
# other kind of a bundle, whatever its file, is listed by other_html
OWN_SECTIONS = ("mood", "thought_record", "win", "session", "checkin")
STYLE = (".wb-review-table{border-collapse:collapse;margin:.3rem 0 1rem}"
         ".wb-review-table th,.wb-review-table td{padding:2px 10px;border-bottom:1px solid #e3e6ea;"
         "text-align:left;vertical-align:top}"
         ".wb-review-table td.wb-met{background:#eaf5ee}"
         ".wb-review-client{border-top:2px solid #ccd;margin-top:1.5rem;padding-top:.5rem}")
# what each reach-out rule means, said to the therapist (the client saw the rule's own message)
FLAG_MEANING = {
    "item9": "PHQ-9 item 9 (thoughts of being better off dead or of self-harm) was answered above 0 in "
             "the latest check-in that answered it, less than two weeks before the end of the range. "
             "The client was shown the crisis resources.",
    "item9_recheck": "PHQ-9 item 9 was answered above 0 in the latest check-in that answered it, two "
                     "weeks or more before the end of the range, and not answered since. The client "
                     "was asked for a new check-in and shown where help is.",
    "phq9_severe": "The latest full PHQ-9 total is 20 or more, the top range.",
    "phq9_rise": "The PHQ-9 total rose by 6 points or more (a reliable change) since the check-in before.",
    "post_session_dip": "After a session, mood fell below (or anxiety rose above) the client's usual "
                        "level on at least two check-in days, missed days not counted, and the latest "
                        "check-in has not come back near it.",
}


# -- small helpers ----------------------------------------------------------------------------------
def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain dicts, None where a value is missing, oldest first."""
    if frame is None or frame.empty:
        return []
    plain = frame.astype(object)
    rows = plain.where(plain.notna(), None).to_dict("records")
    return sorted(rows, key=lambda r: str(r.get("created_at") or ""))


def _date(text: Any) -> str:
    """'2026-03-31' from an ISO timestamp, escaped (the text comes from a file)."""
    return esc(iso_day(text))


def _declared(kind: str, sheets: Mapping[str, exercises.Exercise]) -> exercises.Exercise | None:
    """What a kind of the bundle is: a worksheet from a homework file, else the workbook's own."""
    return sheets.get(kind) or exercises.builtin().get(kind)


def _title(kind: str, sheets: Mapping[str, exercises.Exercise]) -> str:
    found = _declared(kind, sheets)
    return found.title if found else kind


def _period(bundle: Bundle) -> tuple[dt.date, dt.date]:
    manifest = bundle.manifest
    try:
        return dt.date.fromisoformat(manifest.start), dt.date.fromisoformat(manifest.end)
    except ValueError:
        today = dt.date.today()
        return today, today


# -- sections: pure functions from a bundle's frames to HTML ----------------------------------------
def summary_html(name: str, bundle: Bundle, sheets: Mapping[str, exercises.Exercise]) -> str:
    start, end = _period(bundle)
    counts = ", ".join(f"{esc(_title(kind, sheets))}: {bundle.manifest.counts.get(kind, 0)}"
                       for kind in bundle.kinds)
    return (f'<h2 class="wb-title">{esc(name)}</h2>'
            f'<p class="wb-review-range">Shared entries from {esc(full_day(start))} to {esc(full_day(end))} '
            f"(made {esc(str(bundle.manifest.created_at)[:16].replace('T', ' '))}, checksums verified). "
            f"{counts or 'No entries shared.'}</p>")


def completion_html(assignment: Assignment | None, bundle: Bundle) -> str:
    """Each assigned exercise week by week: done / target, from the shared entries."""
    if assignment is None:
        return ('<h3>Homework</h3><p class="wb-empty">No homework file chosen for this client. Upload '
                "the assignment file too to see completion against it.</p>")
    start, end = _period(bundle)
    shown = homework.progress_from_frames(assignment, bundle.frames, today=end)
    who = f" for {esc(assignment.client)}" if assignment.client.strip() else ""
    head = (f"<h3>Homework{who}: {esc(full_day(assignment.start))} to {esc(full_day(assignment.until))}</h3>")
    notes = []
    if start > assignment.start or end < min(assignment.until, dt.date.today()):
        notes.append(f"The bundle covers {esc(full_day(start))} to {esc(full_day(end))}; weeks outside "
                     "it count nothing shared.")
    weeks = homework.weeks_of(assignment.start, assignment.until)
    cells = "".join(f"<th>{esc(first.strftime('%d %b'))}</th>" for first, _ in weeks)
    rows = []
    for item in shown:
        label = esc(item.title)
        if item.prompt:
            label += f'<div class="wb-help">Prompt: {esc(shorten(item.prompt, 160))}</div>'
        if item.problem:
            rows.append(f"<tr><td>{label}</td><td>{item.target_per_week}</td>"
                        f'<td colspan="{len(weeks) + 1}" class="wb-help">{esc(item.problem)}</td></tr>')
            continue
        counts = "".join(
            f'<td class="{"wb-met" if c.met and c.target else "wb-open"}">'
            f"{c.done if c.start <= end else ''}{f' / {c.target}' if c.start <= end else ''}</td>"
            for c in item.weeks)
        drafts = f", {item.drafts} unfinished" if item.drafts else ""
        total = f"{item.in_period} of {item.target_so_far}{drafts}"
        rows.append(f"<tr><td>{label}</td><td>{item.target_per_week}</td>{counts}<td>{esc(total)}</td></tr>")
    note = f'<p class="wb-help">{" ".join(notes)}</p>' if notes else ""
    therapist_note = (f'<p class="wb-help">Your note: {esc_lines(shorten(assignment.note, 300))}</p>'
                      if assignment.note.strip() else "")
    return (f"{head}{note}{therapist_note}<table class=\"wb-review-table\"><thead><tr><th>Exercise</th>"
            f"<th>per week</th>{cells}<th>done / target so far</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def flags_html(bundle: Bundle) -> str:
    """The reach-out rules on the shared entries as of the bundle's last day; item 9 first."""
    _, end = _period(bundle)
    frames = bundle.frames
    out = ["<h3>Flags</h3>"]
    try:
        alerts = rules.evaluate(frames.get("mood"), frames.get("session"), frames.get("checkin"), today=end)
    except Exception as exc:  # a rule that cannot run is said, never hidden
        log.exception("rules failed on a bundle")
        return f'<h3>Flags</h3><p class="wb-problem">The reach-out rules could not run ({esc(exc)}).</p>'
    for alert in alerts:
        out.append(f'<div class="wb-alert wb-alert-{esc(alert.rule)}"><strong>{esc(alert.title)}</strong>'
                   f"<p>{esc(FLAG_MEANING.get(alert.rule, alert.message))}</p>"
                   f'<p class="wb-help">{esc(alert.source)}</p></div>')
    checkins = frames.get("checkin")
    if checkins is not None and "phq9_9" in checkins and not checkins.empty:
        answers = pd.to_numeric(checkins["phq9_9"], errors="coerce")
        days = sorted(f"{str(c)[:10]} ({rules.ITEM9_ANSWERS.get(int(min(3, max(1, round(a)))))})"
                      for c, a in zip(checkins["created_at"], answers, strict=True)
                      if not _missing(a) and a > 0)
        if days:
            out.append(f'<p class="wb-review-item9"><strong>Item 9 above 0</strong> in '
                       f"{plural(len(days), 'check-in')} in the range: {esc(', '.join(days))}.</p>")
    if len(out) == 1:
        out.append('<p class="wb-review-no-flags">None of the reach-out rules apply to the shared '
                   "entries.</p>")
    unchecked = []
    if "checkin" not in frames:
        unchecked.append("the PHQ-9 rules (no check-ins shared)")
    if "mood" not in frames or "session" not in frames:
        unchecked.append("the dip after a session (needs mood check-ins and sessions)")
    if unchecked:
        out.append(f'<p class="wb-help">Not checked: {esc("; ".join(unchecked))}.</p>')
    return "".join(out)


def charts_html(bundle: Bundle) -> str:
    """The shared charts of the catalogue (as in the report), drawn to SVG here: no script, no network."""
    start, end = _period(bundle)
    figures = chart_catalogue.shared_figures(bundle.frames, start, end)
    if not figures:
        return '<h3>Charts</h3><p class="wb-empty">Nothing in the shared entries to chart yet.</p>'
    return "<h3>Charts</h3>" + "".join(
        f'<figure class="wb-figure" role="img" aria-label="{esc(f.summary)}">{f.svg()}</figure>'
        f'<p class="wb-chart-summary">{esc(f.summary)}</p>' for f in figures)


def scores_html(bundle: Bundle) -> str:
    """Every PHQ-9 and GAD-7 total in the range, with how the PHQ-9 moved."""
    checkins = bundle.frames.get("checkin")
    if checkins is None:
        return '<h3>PHQ-9 and GAD-7</h3><p class="wb-empty">Check-ins were not shared.</p>'
    scores = analysis.questionnaire_scores(checkins)
    if scores.empty:
        return '<h3>PHQ-9 and GAD-7</h3><p class="wb-empty">No complete questionnaire in the range.</p>'
    lines = []
    for instrument in ("PHQ-9", "GAD-7"):
        change = analysis.score_change(scores, instrument)
        if change is None:
            continue
        lines.append(f"<li>{esc(change_line(change, scores))}</li>")
    rows = "".join(f"<tr><td>{esc(pd.Timestamp(r['date']).date().isoformat())}</td><td>{esc(r['instrument'])}"
                   f"</td><td>{esc(r['total'])}</td><td>{esc(r['severity'])}</td></tr>"
                   for r in scores.to_dict("records"))
    return (f'<h3>PHQ-9 and GAD-7</h3><ul class="wb-review-change">{"".join(lines)}</ul>'
            '<table class="wb-review-table"><thead><tr><th>Date</th><th>Questionnaire</th><th>Total</th>'
            f"<th>Range</th></tr></thead><tbody>{rows}</tbody></table>")


def change_line(change: scoring.Change, scores: pd.DataFrame) -> str:
    """How one questionnaire moved over the shared range, said to the therapist: from the check-in
    the client marked as before treatment when it is in the range, else from the first."""
    name = change.instrument
    if change.previous is None:
        return f"{name}: {change.current}, the only one in the range."
    if change.marked:
        mine = scores[(scores["instrument"] == name) & scores["baseline"].eq(True)]
        start = f"the check-in marked as before treatment ({pd.Timestamp(mine['date'].iloc[-1]).date()})"
    else:
        start = "the first in the range (none in the range is marked as before treatment)"
    text = (f"{name}: {change.first} to {change.current} ({change.since_first:+d} since {start}, "
            f"{change.since_previous:+d} since the one before)")
    if change.reliable:
        text += f"; a reliable change since the one before ({change.reliable_points} points or more)"
    if change.response:
        text += "; half the starting score or less, a response (a drop of 50% or more)"
    if change.remission:
        text += f"; under {scoring.REMISSION_BELOW}, the remission range"
    return text + "."


def thoughts_html(bundle: Bundle, count: int = RECENT_THOUGHTS) -> str:
    frame = bundle.frames.get("thought_record")
    if frame is None:
        return ""
    shown = records(frame)[-count:][::-1]
    if not shown:
        return '<h3>Recent thought records</h3><p class="wb-empty">None in the range.</p>'
    items = []
    for r in shown:
        parts = [f"<strong>{_date(r.get('created_at'))}</strong>"]
        if r.get("status") == "draft":
            parts.append('<span class="wb-help">(unfinished)</span>')
        if r.get("situation"):
            parts.append(f"<div>Situation: {esc_lines(shorten(r['situation'], 300))}</div>")
        hot = _safe(thoughts.hot_thought, r)
        if hot:
            parts.append(f'<div class="wb-hot-line">Hot thought: “{esc(shorten(hot, 300))}”</div>')
        changes = _safe(thoughts.emotion_change, r) or []
        if changes:
            shifts = "; ".join(f"{esc(n)} {esc('?' if b is None else b)} → "
                               f"{esc('not re-rated' if a is None else a)}" for n, b, a in changes)
            parts.append(f"<div>Feelings: {shifts}</div>")
        if r.get("balanced_thought"):
            parts.append(f"<div>Balanced thought: {esc_lines(shorten(r['balanced_thought'], 300))}</div>")
        items.append(f"<li>{' '.join(parts)}</li>")
    return (f"<h3>Recent thought records (latest {len(shown)} of {len(frame)})</h3>"
            f'<ul class="wb-review-list">{"".join(items)}</ul>')


def _safe(function: Any, record: dict[str, Any]) -> Any:
    """A helper on a record whose lists may be hand-edited text: None when it does not fit."""
    try:
        return function(record)
    except (AttributeError, KeyError, TypeError):
        return None


def wins_html(bundle: Bundle, count: int = RECENT_WINS) -> str:
    frame = bundle.frames.get("win")
    if frame is None:
        return ""
    shown = records(frame)[-count:][::-1]
    if not shown:
        return '<h3>Recent wins</h3><p class="wb-empty">None in the range.</p>'
    items = []
    for r in shown:
        extra = f' <span class="wb-help">({esc(r["category"])})</span>' if r.get("category") else ""
        items.append(f"<li><strong>{_date(r.get('created_at'))}</strong> "
                     f"{esc_lines(shorten(r.get('description'), 300))}{extra}</li>")
    return (f"<h3>Recent wins (latest {len(shown)} of {len(frame)})</h3>"
            f'<ul class="wb-review-list">{"".join(items)}</ul>')


def other_html(bundle: Bundle, sheets: Mapping[str, exercises.Exercise], count: int = RECENT_OTHER) -> str:
    """Entries of every kind without a section of its own (worksheets, any exercise added by its file):
    the latest few, as written, under the exercise's title and its fields' labels."""
    out = []
    for kind in bundle.kinds:
        if kind == "safety_plan":
            out.append(safety_plan_html(bundle))
            continue
        if kind in OWN_SECTIONS:
            continue
        frame = bundle.frames[kind]
        sheet = _declared(kind, sheets)
        labels = {f.name: f.label for f in sheet.fields} if sheet else {}
        columns = [c for c in frame.columns if c not in ("id", "updated_at", "status")]
        shown = records(frame)[-count:][::-1]
        head = "".join(f"<th>{esc(labels.get(c, 'Date' if c == 'created_at' else c))}</th>" for c in columns)
        rows = "".join("<tr>" + "".join(f"<td>{_cell(c, r.get(c))}</td>" for c in columns) + "</tr>"
                       for r in shown)
        title = sheet.title if sheet else kind
        out.append(f"<h3>{esc(title)} (latest {len(shown)} of {len(frame)})</h3>"
                   f'<table class="wb-review-table"><thead><tr>{head}</tr></thead>'
                   f"<tbody>{rows}</tbody></table>")
    return "".join(out)


def safety_plan_html(bundle: Bundle) -> str:
    """The client's safety plan: the latest version shared, every part in full, as written."""
    exercise = exercises.builtin()["safety_plan"]
    shown = records(bundle.frames.get("safety_plan"))
    if not shown:
        return '<h3>Safety plan</h3><p class="wb-empty">No version saved in the range.</p>'
    latest = shown[-1]
    parts = "".join(f"<dt>{esc(f.label)}</dt><dd>{esc_lines(latest.get(f.name)) or '-'}</dd>"
                    for f in exercise.fields)
    earlier = len(shown) - 1
    more = f" ({plural(earlier, 'earlier version')} in the bundle)" if earlier else ""
    return (f"<h3>Safety plan, saved {_date(latest.get('created_at'))}{more}</h3>"
            f'<dl class="wb-review-plan">{parts}</dl>')


def _cell(column: str, value: Any) -> str:
    if column == "created_at":
        return _date(value)
    return esc_lines(shorten(value, 200)) if not _missing(value) else ""


# -- the views ----------------------------------------------------------------------------------------
def _section(css: str) -> w.HTML:
    html = w.HTML()
    html.add_class(css)
    return html


class ClientReview(w.VBox):
    """One client's bundle, with a choice of which homework file to compare it with."""

    def __init__(self, name: str, bundle: Bundle, assignments: Mapping[str, Assignment],
                 chosen: str | None = None):
        self.name = name
        self.bundle = bundle
        self.assignments: dict[str, Assignment] = dict(assignments)
        self._quiet = False
        self.summary = _section("wb-review-summary")
        self.choice = w.Dropdown(description="Compare with", style={"description_width": "initial"},
                                 layout=w.Layout(width="auto"))
        self.choice.add_class("wb-review-assignment")
        self.completion = _section("wb-review-completion")
        self.flags = _section("wb-review-flags")
        self.charts = _section("wb-chart")
        self.scores = _section("wb-review-scores")
        self.thoughts = _section("wb-review-thoughts")
        self.wins = _section("wb-review-wins")
        self.other = _section("wb-review-other")
        super().__init__([self.summary, self.choice, self.completion, self.flags, self.charts, self.scores,
                          self.thoughts, self.wins, self.other])
        self.add_class("wb-review-client")
        self._set_options(chosen)
        self.choice.observe(lambda _change: self._quiet or self._draw_completion(), names="value")
        self.draw()

    @property
    def assignment(self) -> Assignment | None:
        return self.assignments.get(self.choice.value) if self.choice.value != NO_ASSIGNMENT else None

    def _sheets(self) -> dict[str, exercises.Exercise]:
        """Worksheet definitions from any homework file uploaded, for their labels."""
        return {s.kind: s for a in self.assignments.values() for s in a.worksheets}

    def _set_options(self, chosen: str | None) -> None:
        self._quiet = True
        try:
            self.choice.options = [NO_ASSIGNMENT, *self.assignments]
            self.choice.value = chosen if chosen in self.assignments else NO_ASSIGNMENT
        finally:
            self._quiet = False

    def set_assignments(self, assignments: Mapping[str, Assignment], chosen: str | None) -> None:
        """New homework files were uploaded: offer them, keep an explicit choice."""
        keep = self.choice.value if self.choice.value != NO_ASSIGNMENT else chosen
        self.assignments = dict(assignments)
        self._set_options(keep)
        self.draw()

    def _draw_completion(self) -> None:
        self.completion.value = completion_html(self.assignment, self.bundle)

    def draw(self) -> None:
        sheets = self._sheets()
        self.summary.value = summary_html(self.name, self.bundle, sheets)
        self._draw_completion()
        self.flags.value = flags_html(self.bundle)
        try:
            self.charts.value = charts_html(self.bundle)
        except Exception as exc:  # the rest of the review stays readable
            log.exception("charts failed")
            self.charts.value = f'<p class="wb-problem">The charts could not be drawn ({esc(exc)}).</p>'
        self.scores.value = scores_html(self.bundle)
        self.thoughts.value = thoughts_html(self.bundle)
        self.wins.value = wins_html(self.bundle)
        self.other.value = other_html(self.bundle, sheets)


def match_assignment(bundle_name: str, assignments: Mapping[str, Assignment]) -> str | None:
    """The homework file a bundle most likely answers: the client's name in the bundle's file name,
    else the only one uploaded."""
    plain = worksheets.slug(bundle_name)
    for name, assignment in assignments.items():
        who = worksheets.slug(assignment.client)
        if who and who in plain:
            return name
    return next(iter(assignments)) if len(assignments) == 1 else None


class ReviewBoard(w.VBox):
    """Upload bundles and homework files (`wb-upload`, several at once); one review per client."""

    def __init__(self) -> None:
        self.bundles: dict[str, Bundle] = {}
        self.assignments: dict[str, Assignment] = {}
        self.refused: dict[str, str] = {}
        self.reviews: dict[str, ClientReview] = {}
        header = w.HTML(
            f"<style>{STYLE}</style>"
            '<h1 class="wb-title">Between Sessions: review shared bundles</h1>'
            '<p class="wb-intro">Choose your clients\' share bundles (.zip) and, to see completion, '
            "the homework files you gave them (.json). Each bundle's checksums and version are checked "
            "before anything is shown. Everything stays in this page: nothing is written to any "
            "folder.</p>")
        self.upload = w.FileUpload(accept=ACCEPT, multiple=True, description="Choose files",
                                   layout=w.Layout(width="auto"))
        self.upload.add_class("wb-upload")
        self.feedback = Feedback()
        self.files = _section("wb-review-files")
        self.clients = w.VBox()
        self.clients.add_class("wb-review-clients")
        super().__init__([header, self.upload, self.feedback, self.files, self.clients])
        self.add_class("wb-page")
        self.add_class("wb-page-review")
        lab.dress(self)  # JupyterLab: the app's look, kept to this page
        self.upload.observe(self.feedback.guard(self._uploaded), names="value")
        self._draw_files()

    def _uploaded(self, change: dict) -> None:
        files = uploaded_files(change["new"])
        if not files:
            return
        self.add_files(files)
        try:
            self.upload.value = ()
        except Exception:  # noqa: BLE001 - only tidying
            pass

    def add_files(self, files: list[tuple[str, bytes]]) -> None:
        """Check each file (bundle or homework), then redraw the reviews."""
        added, refused = 0, 0
        for name, data in files:
            if self.add_file(name, data):
                added += 1
            else:
                refused += 1
        self._draw_files()
        self._draw_clients()
        if refused:
            self.feedback.fail(f"{plural(refused, 'file')} could not be used; see the list below.")
        elif added:
            self.feedback.ok(f"{plural(added, 'file')} checked and opened.")

    def add_file(self, name: str, data: bytes) -> bool:
        """Read one upload in memory; a refusal is kept with its reason (shown escaped)."""
        self.refused.pop(name, None)
        if data[:4] == b"PK\x03\x04" or name.lower().endswith(".zip"):
            try:
                self.bundles[name] = read_bundle(bytes(data))
            except BundleError as exc:
                self.bundles.pop(name, None)
                self.refused[name] = str(exc)
                return False
            return True
        try:
            self.assignments[name] = homework.parse_assignment(data)
        except AssignmentError as exc:
            self.assignments.pop(name, None)
            self.refused[name] = str(exc)
            return False
        return True

    def _draw_files(self) -> None:
        lines = [f"<li>{esc(name)}: bundle, {esc(b.manifest.start)} to {esc(b.manifest.end)}</li>"
                 for name, b in self.bundles.items()]
        lines += [f"<li>{esc(name)}: homework{' for ' + esc(a.client) if a.client.strip() else ''}, "
                  f"{esc(a.start.isoformat())} to {esc(a.until.isoformat())}</li>"
                  for name, a in self.assignments.items()]
        lines += [f'<li class="wb-problem">{esc(name)}: refused. {esc(reason)}</li>'
                  for name, reason in self.refused.items()]
        self.files.value = (f'<ul class="wb-review-file-list">{"".join(lines)}</ul>' if lines else
                            '<p class="wb-empty">No files yet.</p>')

    def _draw_clients(self) -> None:
        for name in list(self.reviews):
            if name not in self.bundles:
                del self.reviews[name]
        for name, bundle in self.bundles.items():
            chosen = match_assignment(name, self.assignments)
            review = self.reviews.get(name)
            if review is None or review.bundle is not bundle:
                self.reviews[name] = ClientReview(name, bundle, self.assignments, chosen)
            elif review.assignments != self.assignments:
                review.set_assignments(self.assignments, chosen)
        self.clients.children = list(self.reviews.values())
