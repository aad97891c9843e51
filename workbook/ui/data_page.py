"""My data: where it lives, backups, sharing with a therapist, and bringing history in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import ipywidgets as w

from workbook import backup
from workbook.store import Store
from workbook.ui.controls import download_link
from workbook.ui.form import Feedback
from workbook.ui.text import esc, hosted


class RemindersPanel(w.VBox):
    """Calendar files for a daily check-in and for homework due dates (`wb-reminders`)."""

    def __init__(self, store: Store):
        self.store = store
        intro = w.HTML(
            '<h2 class="wb-title">Reminders</h2><p class="wb-intro">No account needed: make a '
            "calendar file and open it with your phone's or computer's calendar. Nothing is sent "
            "anywhere; you can delete the reminder in your calendar at any time.</p>")
        self.time = w.Text(value="20:00", description="Time of day", placeholder="20:30",
                           layout=w.Layout(width="16em"), style={"description_width": "initial"})
        self.time.add_class("wb-field-reminder_time")
        self.daily_button = w.Button(description="Daily check-in reminder",
                                     layout=w.Layout(width="auto"))
        self.daily_button.add_class("wb-make-reminder")
        self.homework_button = w.Button(description="Homework dates", layout=w.Layout(width="auto"))
        self.homework_button.add_class("wb-make-homework-reminders")
        self.download = w.HTML()
        self.download.add_class("wb-download")
        self.feedback = Feedback()
        self.daily_button.on_click(self.feedback.guard(lambda _: self.make_daily()))
        self.homework_button.on_click(self.feedback.guard(lambda _: self.make_homework()))
        super().__init__([intro, w.HBox([self.time, self.daily_button],
                                        layout=w.Layout(flex_flow="row wrap", align_items="center")),
                          self.homework_button, self.download, self.feedback])
        self.add_class("wb-reminders")

    def make_daily(self) -> None:
        from workbook import reminders

        try:
            at = reminders.parse_time(self.time.value)
        except ValueError as exc:
            self.download.value = ""
            self.feedback.fail(str(exc))
            return
        data = reminders.daily_checkin(at)
        self.download.value = download_link(data, "between-sessions-check-in.ics", "text/calendar",
                                            f"Save the daily reminder ({at.strftime('%H:%M')})")
        self.feedback.ok("Your calendar file is ready: save it, then open it to add the reminder.")

    def make_homework(self) -> None:
        from workbook import homework, reminders

        assignments, _problems = homework.saved_assignments(self.store)
        current = [a for a in assignments if not a.finished(dt.date.today())]
        if not current:
            self.download.value = ""
            self.feedback.ok("No current homework yet. When your therapist gives you some, upload "
                             "it in My homework and come back here.")
            return
        data = reminders.homework_dates(current)
        self.download.value = download_link(data, "between-sessions-homework.ics", "text/calendar",
                                            "Save the homework dates")
        self.feedback.ok("Your calendar file is ready: save it, then open it to add the dates.")


class TrackPanel(w.VBox):
    """What the person tracks (`wb-tracking`): the welcome's choice, changed at any time."""

    def __init__(self, store: Store, on_change: Callable[[list[str]], None] | None = None):
        from workbook import exercises

        trackable = exercises.trackable()
        self.store = store
        self.on_change = on_change
        chosen = store.settings().get("tools") or list(trackable)
        intro = w.HTML(
            '<h2 class="wb-title">What I track</h2><p class="wb-intro">Only the ticked tools are '
            "in the menu at the top. Hiding one deletes nothing: its entries stay, and come back "
            "when you tick it again.</p>")
        self.boxes = {}
        for kind, label in trackable.items():
            box = w.Checkbox(value=kind in chosen, description=label, indent=False,
                             layout=w.Layout(width="auto"))
            box.add_class(f"wb-tracking-{kind}")
            self.boxes[kind] = box
        self.save_button = w.Button(description="Save my choice", layout=w.Layout(width="auto"))
        self.save_button.add_class("wb-tracking-save")
        self.feedback = Feedback()
        self.save_button.on_click(self.feedback.guard(lambda _: self.save()))
        super().__init__([intro, *self.boxes.values(), self.save_button, self.feedback])
        self.add_class("wb-tracking")

    def save(self) -> list[str]:
        chosen = [kind for kind, box in self.boxes.items() if box.value]
        if not chosen:
            self.feedback.fail("Tick at least one tool, so there is somewhere to write. "
                               "Nothing was changed.")
            return []
        self.store.save_settings({"welcomed": True, "tools": chosen})
        if self.on_change:
            self.on_change(chosen)
        self.feedback.ok("Saved. The menu at the top now shows what you ticked.")
        return chosen


class DataPage(w.VBox):
    """Everything about the person's own files, in one place (`wb-page-data`)."""

    title = "My data"

    def __init__(self, store: Store, on_track: Callable[[list[str]], None] | None = None):
        from workbook.ui.import_panel import ImportPanel
        from workbook.ui.share_panel import SharePanel

        self.store = store
        self.where = w.HTML()
        self.where.add_class("wb-data-folder")
        self.share = SharePanel(store)
        self.importer = ImportPanel(store)
        self.reminders = RemindersPanel(store)
        self.tracking = TrackPanel(store, on_change=on_track)
        super().__init__([self.where, self.reminders, self.tracking, self.share, self.importer])
        self.add_class("wb-page")
        self.add_class("wb-page-data")

    def refresh(self) -> None:
        self.share.refresh()
        if hosted(self.store):
            self.where.value = (
                '<h2 class="wb-title">My data</h2>'
                "<p>What you write is kept in a private folder for this workshop, on the "
                "facilitator's computer; only your link opens it. The facilitator never sees your "
                "entries.</p><p class='wb-help'>To keep them after the workshop, use <em>Take my "
                "entries home</em> at the top of the page: you get a zip of plain CSV files you can "
                "open in a spreadsheet or carry on with in your own copy of Between Sessions.</p>"
            )
            return
        backups = backup.list_backups(self.store.data_dir)
        recent = ", ".join(esc(p.stem) for p in backups[-3:]) or "none yet"
        self.where.value = (
            '<h2 class="wb-title">My data</h2>'
            "<p>Everything you write is kept on this computer, in this folder, as plain CSV files "
            f"you can open in a spreadsheet:</p><p><code>{esc(self.store.data_dir)}</code></p>"
            "<p class='wb-help'>A copy of the folder is made each day you open the workbook "
            f"(the last {backup.KEEP_DAYS} days are kept, in <code>backups</code>; latest: {recent}). "
            "To put one back, close the workbook and run <code>workbook restore DATE</code>; what "
            "is there now is backed up first.</p>"
        )
