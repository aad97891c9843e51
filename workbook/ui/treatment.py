"""Treatment pages: session notes in words that fit the treatment, and PHQ-9/GAD-7 check-ins."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ipywidgets as w

from workbook.exercises import Exercise, content
from workbook.store import Store
from workbook.ui.form import StepForm
from workbook.ui.help import Item9Box, crisis_html
from workbook.ui.page import Links
from workbook.ui.pages import ToolPage
from workbook.ui.text import esc, esc_lines, shorten
from workbook.words import number


def last_session(records: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The session with the latest start time."""
    timed = [r for r in records if r.get("session_at")]
    return max(timed, key=lambda r: str(r["session_at"])) if timed else None


def days_since(session_at: str, today: dt.date | None = None) -> int | None:
    try:
        day = dt.datetime.fromisoformat(str(session_at)).date()
    except ValueError:
        return None
    return ((today or dt.date.today()) - day).days


def treatment_group(treatment: str | None) -> str | None:
    """The set of words a treatment uses (ketamine, tms, ect, general); None when not chosen."""
    if not treatment:
        return None
    return content("treatment.yaml")["groups"].get(treatment, "general")


def checklist_items(treatment: str | None) -> list[str]:
    """The pre-session checklist's keys that fit a treatment (all of them when none is chosen)."""
    group = treatment_group(treatment)
    keys = []
    for item in content("session_checklist.yaml"):
        fits = item.get("for")
        if group is None or not fits or treatment in fits or group in fits:
            keys.append(item["key"])
    return keys


def effect_fields(treatment: str | None, all_fields: tuple[str, ...]) -> tuple[str, ...]:
    """The side effects asked about after a kind of session (all of them when none is chosen)."""
    group = treatment_group(treatment)
    chosen = content("treatment.yaml")["effects"].get(group or "")
    return all_fields if not chosen else tuple(n for n in all_fields if n in chosen)


class SessionPage(ToolPage):
    """Before and after a session: a checklist, the days after, the small step carried forward.

    The words, the checklist and the side effects asked about follow the treatment chosen in
    the form (or, before one is chosen, the latest session's).
    """

    form_class = StepForm
    saved_message = "Session notes saved."

    def __init__(self, exercise: Exercise, store: Store, links: Links | None = None):
        self.window = w.HTML()
        self.window.add_class("wb-integration")
        self.latest: dict[str, Any] | None = None
        super().__init__(exercise, store, links)
        self.navigate = self.links.navigate
        self.entries.extra_actions = self.carry_forward_buttons
        self.effects = next(s.fields for s in exercise.steps if "headache" in s.fields)
        self.form.watch("treatment", self._treatment_changed)
        self.entries.on_edit = self.edit

    def edit(self, entry: dict[str, Any]) -> None:
        """Open a saved session: the form fits its treatment once every value is in place."""
        self.form.edit(entry)
        self.fit_form(entry.get("treatment"))

    def extra_top(self) -> list[w.Widget]:
        return [self.window]

    def _treatment_changed(self, treatment: str | None) -> None:
        self.fit_form(treatment or None)
        self.draw_window()

    def fit_form(self, treatment: str | None) -> None:
        """Show the checklist items and side effects that fit the treatment; a ticked or rated
        one stays in view whatever the treatment, so nothing entered is hidden (steps not built
        yet are fitted when they are)."""
        shown = effect_fields(treatment, self.effects)
        for name in self.effects:
            self.form.show_field(name, name in shown or self.form.value(name) is not None)
        self.form.show_options("prepared", checklist_items(treatment))

    def summarise(self, records: list[dict[str, Any]]) -> list[w.Widget]:
        self.latest = last_session(records)
        self.draw_window()
        return []

    def draw_window(self) -> None:
        """The box above the form: the days after the last session, and the session-day facts."""
        text = content("treatment.yaml")
        latest = self.latest
        since = days_since(latest["session_at"]) if latest else None
        chosen = self.form.value("treatment")
        parts = []
        if latest is not None and since is not None and 0 <= since < text["window_days"]:
            group = treatment_group(latest.get("treatment")) or "general"
            words = text["window"][group]
            when_text = {0: "today", 1: "yesterday"}.get(since, f"{since} days ago")
            box = (f"<strong>Your last session was {when_text}: {esc(words['title'])}</strong>"
                   f"<p>{esc(words['text'])}</p>")
            if group in ("ketamine", "general"):
                prompts = "".join(f"<li>{esc(p)}</li>" for p in text["prompts"])
                box += f"<p>Some prompts for your notes, if they help:</p><ul>{prompts}</ul>"
            if group == "ketamine":
                box += f'<p class="wb-first-lift">{esc(text["first_lift"])}</p>'
            box += f"<p>{esc(text['dip'])}</p><p class=\"wb-longer-dip\">{esc(text['longer_dip'])}</p>"
            parts.append(f'<div class="wb-window-box">{box}</div>')
        else:
            parts.append(f'<p class="wb-help">{esc(text["dip"])} {esc(text["longer_dip"])}</p>')
        parts.append(f'<p class="wb-help wb-treatment-day">{esc(text["treatment_day"])}</p>')
        about = chosen or (latest or {}).get("treatment")
        if about == "esketamine":
            parts.append(self._esketamine_box(today_session=latest is not None and since == 0
                                              and latest.get("treatment") == "esketamine"))
        elif about is None:
            parts.append(f'<p class="wb-help wb-driving">{esc(text["esketamine_driving"])}</p>')
        self.window.value = "".join(parts)

    @staticmethod
    def _esketamine_box(today_session: bool) -> str:
        """What the Spravato label says about the session day, with its source."""
        facts = content("treatment.yaml")["esketamine"]
        items = "".join(f"<li>{esc(f)}</li>" for f in facts["facts"])
        driving = content("treatment.yaml")["esketamine_driving"]
        today = (f'<p class="wb-driving"><strong>{esc(driving)}</strong></p>' if today_session
                 else "")
        return (f'<div class="wb-esketamine-facts"><strong>{esc(facts["title"])}</strong>'
                f"<ul>{items}</ul>{today}"
                f'<p class="wb-help wb-source">Source: {esc(facts["source"])} '
                f'({esc(facts["source_url"])})</p></div>')

    def carry_forward_buttons(self, entry: dict[str, Any]) -> list[w.Button]:
        step = entry.get("next_step")
        if not step:
            return []
        win = w.Button(description="Make it a small win", layout=w.Layout(width="auto"))
        win.add_class("wb-to-win")
        win.on_click(lambda _: self.navigate("win", {"description": step, "category": "treatment"}))
        record = w.Button(description="Start a thought record", layout=w.Layout(width="auto"))
        record.add_class("wb-to-thought_record")
        record.on_click(lambda _: self.navigate("thought_record", {"situation": step}))
        return [win, record]

    def describe(self, entry: dict[str, Any]) -> str:
        treatment = self.exercise.field("treatment")
        labels = {o.key: o.label for o in treatment.options}
        title = labels.get(entry.get("treatment"), entry.get("treatment") or "Session")
        when_text = str(entry.get("session_at") or "").replace("T", " ")
        out = f"<strong>{esc(title)}</strong> · {esc(when_text)}"
        if entry.get("dose"):
            out += f" · {esc(entry['dose'])}"
        effects = [f"{esc(self.exercise.field(n).label.lower())} {esc(entry[n])}"
                   for n in self.effects if n != "other_effect_name" and entry.get(n) is not None]
        if effects:
            out += f'<div class="wb-help">Side effects: {", ".join(effects)}</div>'
        readings = [esc(f'{number(entry[f"{pre}systolic"], None)}/{number(entry[f"{pre}diastolic"], None)}')
                    for pre in ("bp_", "bp_after_")
                    if entry.get(f"{pre}systolic") is not None and entry.get(f"{pre}diastolic") is not None]
        if readings:
            out += f'<div class="wb-help">Blood pressure {" then ".join(readings)}</div>'
        for name, label in (("intention", "Intention"), ("came_up", "What came up"),
                            ("next_step", "Small step")):
            if entry.get(name):
                out += (f'<div class="wb-note"><em>{label}:</em> '
                        f"{esc_lines(shorten(entry[name], 200))}</div>")
        return out


class CheckinPage(ToolPage):
    """PHQ-9 and GAD-7: scores as information, item 9 answered at once and calmly."""

    saved_message = "Check-in saved. Thank you for taking stock."

    def __init__(self, exercise: Exercise, store: Store, links: Links | None = None):
        self.item9 = Item9Box()  # its words, and the safety plan one click away
        self.item9.add_class("wb-item9")
        self.score_summary = w.HTML()  # one widget, its words changed after each save
        self.score_summary.add_class("wb-score-summary")
        super().__init__(exercise, store, links)
        self.item9.link.open_plan = self.links.open_plan
        self.form.place(w.HTML("<h3>PHQ-9 (mood)</h3>"), before="phq9_1")
        self.form.place(self.item9, after="phq9_9")
        self.form.place(w.HTML("<h3>GAD-7 (anxiety)</h3>"), before="gad7_1")
        self.form.watch("phq9_9", self._item9_changed)

    def _item9_changed(self, answer: int | None) -> None:
        """Item 9 above 0: the crisis resources now, before any Save (wording in rules.py)."""
        from workbook import rules

        alert = rules.item9({"phq9_9": answer})
        if alert is None:
            self.item9.value = ""
            return
        self.item9.value = (
            '<div class="wb-crisis wb-item9-box" role="alert">'
            f"<p><strong>{esc(alert.title)}</strong></p><p>{esc(alert.message)}</p>"
            f"{crisis_html(self.store)}</div>"
        )

    def summarise(self, records: list[dict[str, Any]]) -> list[w.Widget]:
        from workbook import scoring
        from workbook.scoring import is_marked

        phq_totals, gad_totals, last_day = [], [], None
        marked: dict[str, int] = {}  # the latest check-in marked as from before treatment
        for record in records:
            phq, gad = scoring.from_record(record)
            for score, found in ((phq, phq_totals), (gad, gad_totals)):
                if score:
                    found.append(score)
                    if is_marked(record.get(scoring.BASELINE_FIELD)):
                        marked[score.instrument] = len(found) - 1
            last_day = str(record.get("created_at", ""))[:10] or last_day
        lines = []
        for name, scores in (("PHQ-9", phq_totals), ("GAD-7", gad_totals)):
            if not scores:
                continue
            moved = scoring.change([s.total for s in scores], name, marked.get(name))
            lines.append(f"<li>{esc(scoring.describe(scores[-1], moved))}</li>")
        if not lines:
            body = ('<p class="wb-empty">Your scores will show here after your first check-in. '
                    "These questionnaires are information for you and your care team, "
                    "not a diagnosis.</p>")
        else:
            next_day = ""
            if last_day:
                try:
                    due = dt.date.fromisoformat(last_day) + dt.timedelta(days=14)
                    next_day = f" A suggested next check-in: around {due.strftime('%a %d %b')}."
                except ValueError:
                    pass
            body = (f'<ul class="wb-scores">{"".join(lines)}</ul><p class="wb-help">'
                    "Scores are information for you and your care team, not a diagnosis. "
                    f"Every two weeks is a good rhythm.{esc(next_day)}</p>")
        self.score_summary.value = body
        return [self.score_summary]

    def describe(self, entry: dict[str, Any]) -> str:
        from workbook import scoring

        phq, gad = scoring.from_record(entry)
        parts = []
        if phq:
            parts.append(f"PHQ-9 {phq.total} ({esc(phq.severity)})")
        if gad:
            parts.append(f"GAD-7 {gad.total} ({esc(gad.severity)})")
        out = " · ".join(parts) or "Partly answered"
        if entry.get("note"):
            out += f'<div class="wb-note">{esc(shorten(entry["note"], 200))}</div>'
        return out
