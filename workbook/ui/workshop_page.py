"""The workshop page: whoever opens a link gets their own workbook, the counts page, or a kind no.

`workshop.ipynb` calls `warm()` first (in a preheated kernel, before anyone has asked for the
page) and then `entry()`, which waits for the request, learns which participant the server let
in and builds:

- `ParticipantPage`: the whole App on the participant's own folder, with a strip above it for
  the workshop (share my counts, take my entries home);
- `FacilitatorPage`: counts only, only from participants who chose to share them;
- `DeniedPage` (`wb-denied`): for a missing, wrong or closed link; no form at all (the workshop
  server refuses those before a kernel is taken; this is the kernel's own second check).
"""

from __future__ import annotations

import datetime as dt
import logging
import os

import ipywidgets as w
import traitlets

from workbook import workshop as ws
from workbook.store import Store
from workbook.ui.form import Feedback
from workbook.ui.help import CrisisPanel
from workbook.ui.text import esc

log = logging.getLogger(__name__)

SECRET_ENV = ("QUERY_STRING", "VOILA_REQUEST_URL", "WORKBOOK_QUERY_URL")
MEMBER_ENV = "WORKBOOK_MEMBER"  # workbook.workshop_server.MEMBER_ENV (kept apart: no server import here)


def warm() -> None:
    """The imports a participant's page and first save use, done before a participant is known
    (in Voila's preheated kernels), and the exercises read.

    Only what the page and a save need: no pandas, Altair or chart engine. Those (~80 MB of each
    kernel's own memory, ~3 s of imports) are imported the first time a participant opens a page
    that needs them (Progress, a report); a workshop runs a kernel per participant, and most
    check in and write, so importing them everywhere up front made a room of 30 cost ~6 GB.
    """
    from workbook import backup, exercises, rules, scoring, workshop  # noqa: F401
    from workbook.ui import app, help, pages, treatment, welcome  # noqa: F401

    exercises.builtin()


def request_member() -> str:
    """The id of the participant this kernel serves, as the server checked their link; then forgotten.

    The server checks the link before it hands a kernel out and passes the participant's id, never
    their key: a kernel started for the request has it in its environment; a preheated kernel
    waits (`wait_for_request`) on the server's request-info socket, whose address carries a
    secret only this launch's kernels are given.
    """
    from workbook import request_info  # Voila's own helper would import its whole server

    url = os.environ.get("WORKBOOK_QUERY_URL")
    if url:
        request_info.wait_for_request(url=url)
    member = os.environ.pop(MEMBER_ENV, "")
    for name in SECRET_ENV:  # nothing later in this kernel can show them
        os.environ.pop(name, None)
    return member


def request_query() -> str:
    """The query string of the request this kernel serves (standalone Voila without the
    workshop server); then forgotten by the kernel."""
    from workbook import request_info

    request_info.wait_for_request()
    query = os.environ.get("QUERY_STRING", "")
    for name in SECRET_ENV:  # the key is not needed again; nothing later can show it
        os.environ.pop(name, None)
    return query


def entry(query: str | None = None, root: str | os.PathLike | None = None,
          member_id: str | None = None) -> w.Widget:
    """The page for the link that was opened.

    `member_id` is the participant the server let in (defaults to this request's); `query` is
    a link's query string to check here instead (the views tests, a facilitator's own Jupyter).
    """
    workshop = ws.Workshop(ws.workshop_dir(root))
    if query is None and member_id is None:
        member_id = request_member()
    try:
        member = workshop.check(ws.key_from_query(query)) if query is not None else workshop.open_member(
            member_id or "")
    except (OSError, ValueError):
        log.exception("the workshop's participants file could not be read")
        return DeniedPage(workshop, reason="unreadable")
    if member is None:
        return DeniedPage(workshop)
    if member.role == ws.FACILITATOR:
        return FacilitatorPage(workshop)
    return ParticipantPage(workshop, member)


def facilitator_page(root: str | os.PathLike | None = None) -> FacilitatorPage:
    """The counts page straight from the workshop folder (for the facilitator's own Jupyter)."""
    return FacilitatorPage(ws.Workshop(ws.workshop_dir(root)))


class DeniedPage(w.VBox):
    """A link that opens nothing (`wb-denied`): said kindly, help in reach, no form."""

    def __init__(self, workshop: ws.Workshop, reason: str = "link"):
        if reason == "unreadable":
            text = ("The workshop could not be opened just now. Please try the link again in a minute; "
                    "if it still does not open, tell your facilitator.")
        else:
            text = ("This link does not open a workbook. Check that the whole link was copied "
                    "(it ends with a long code), or scan the QR code again. If it still does not "
                    "open, the link may have been closed: ask your facilitator for a new one. "
                    "Entries you saved before are not lost.")
        self.message = w.HTML(
            '<h2 class="wb-title">This link does not open a workbook</h2>'
            f'<p class="wb-intro">{esc(text)}</p>')
        self.crisis = CrisisPanel(Store(workshop.root))
        self.help_button = w.Button(description="Get help now", button_style="warning",
                                    layout=w.Layout(width="auto"),
                                    tooltip="Crisis lines and what to do if you are not safe")
        self.help_button.add_class("wb-help-button")
        self.help_button.on_click(lambda _: self.crisis.toggle())
        super().__init__([self.message, self.help_button, self.crisis])
        for css in ("wb-app", "wb-denied"):
            self.add_class(css)


class WorkshopBar(w.VBox):
    """The participant's strip above the app: privacy in one line, sharing counts, taking entries home."""

    share_counts = traitlets.Bool(False, help="Whether this participant shares counts with the facilitator.")

    def __init__(self, store: Store, today: dt.date | None = None):
        self.store = store
        self.today = today or dt.date.today()
        self.intro = w.HTML(
            '<p class="wb-help"><strong>Workshop</strong>: what you write here is private. It is kept '
            "in a folder that only your link opens, on your facilitator's computer, for this workshop. "
            "To keep your entries, use <em>Take my entries home</em> before the workshop ends.</p>")
        self.share_box = w.Checkbox(value=ws.shares_counts(store.data_dir),
                                    description="Share my counts with the facilitator",
                                    indent=False, layout=w.Layout(width="auto"))
        self.share_box.add_class("wb-share-counts")
        self.share_help = w.HTML(
            '<p class="wb-help">Only numbers, added up with everyone else who shares (and shown only once '
            f"at least {ws.MIN_SHARING} people share): that you joined, and how many entries you made "
            "today in each tool. Never what you wrote. You can untick it any time.</p>")
        self.take_home = w.Button(description="Take my entries home", layout=w.Layout(width="auto"),
                                  tooltip="A zip of your entries to keep on your own device")
        self.take_home.add_class("wb-take-home")
        self.download = w.HTML()
        self.download.add_class("wb-take-home-download")
        self.feedback = Feedback()
        super().__init__([self.intro, w.HBox([self.share_box, self.take_home],
                                             layout=w.Layout(flex_flow="row wrap", align_items="center")),
                          self.share_help, self.feedback, self.download])
        self.add_class("wb-workshop-bar")
        self.share_counts = self.share_box.value
        self.share_box.observe(self.feedback.guard(self._on_share), names="value")
        self.take_home.on_click(self.feedback.guard(lambda _: self.make_take_home()))

    def _on_share(self, change: dict) -> None:
        ws.set_shares_counts(self.store.data_dir, bool(change["new"]))
        self.share_counts = bool(change["new"])
        self.feedback.ok("Your counts are shared with the facilitator." if change["new"]
                         else "Your counts are no longer shared.")

    def make_take_home(self) -> bytes:
        """Offer the participant's files as a download (a data: link: it stays in their browser)."""
        data = ws.take_home_zip(self.store.data_dir)
        if not data or len(data) <= 22:  # an empty zip
            self.download.value = ""
            self.feedback.ok("Nothing saved yet: your entries will be here to take home once you save one.")
            return b""
        name = f"between-sessions-workshop-{self.today.isoformat()}.zip"
        self.download.value = (
            f'<a class="wb-take-home-link" download="{esc(name)}" href="{ws.data_url(data)}">'
            f"Download {esc(name)}</a>"
            '<p class="wb-help">The zip holds your entries as spreadsheet files (CSV). To carry on with '
            "them in your own copy of Between Sessions, run <code>workbook restore FILE.zip</code> "
            "(it keeps a backup of anything already there). <em>My data</em> also makes a report for "
            "your care team.</p>")
        self.feedback.ok("Your entries are ready to download.")
        return data


class ParticipantPage(w.VBox):
    """The whole workbook on one participant's folder, under the workshop strip."""

    def __init__(self, workshop: ws.Workshop, member: ws.Member):
        from workbook.backup import daily_backup
        from workbook.ui.app import App

        self.member = member
        folder = workshop.open_folder(member)
        ws.participant_env(folder)
        self.store = ws.ParticipantStore(workshop, member.id)
        try:
            daily_backup(folder)
        except Exception:  # a failed backup must not keep anyone from the page
            log.exception("daily backup failed")
        self.bar = WorkshopBar(self.store)
        self.app = App(self.store)
        super().__init__([self.bar, self.app])
        self.add_class("wb-workshop")


class FacilitatorPage(w.VBox):
    """Counts only, only from participants who share them; and the list of links by id."""

    def __init__(self, workshop: ws.Workshop, today: dt.date | None = None):
        self.workshop = workshop
        self.today = today
        self.title = w.HTML(
            '<h2 class="wb-title">Workshop: counts</h2>'
            '<p class="wb-intro">Numbers only, and only from participants who ticked <em>Share my counts '
            f"with the facilitator</em>, added up once at least {ws.MIN_SHARING} share. Nobody's entries "
            "are shown here, and nobody's folder can be opened from this page.</p>")
        self.refresh_button = w.Button(description="Refresh", layout=w.Layout(width="auto"))
        self.refresh_button.add_class("wb-admin-refresh")
        self.counts = w.HTML()
        self.counts.add_class("wb-admin-counts")
        self.links = w.HTML()
        self.links.add_class("wb-admin-links")
        self.feedback = Feedback()
        super().__init__([self.title, self.refresh_button, self.feedback, self.counts, self.links])
        for css in ("wb-app", "wb-admin", "wb-page-admin"):
            self.add_class(css)
        self.refresh_button.on_click(self.feedback.guard(lambda _: self.refresh()))
        self.refresh()

    def refresh(self) -> ws.Counts:
        from workbook import exercises

        counts = self.workshop.counts(self.today)
        catalog = exercises.builtin()
        joined = (
            f'<p class="wb-admin-joined">Joined and sharing their counts: <strong>{counts.sharing}</strong> '
            f"of {counts.links_open} open links"
            + (f" ({counts.links_closed} closed)" if counts.links_closed else "") + ".</p>")
        if counts.too_few:
            self.counts.value = joined + (
                '<p class="wb-admin-too-few">Entries are added up once at least '
                f"{ws.MIN_SHARING} participants share their counts. With fewer, the numbers would be "
                "one person's own activity, so they are not shown.</p>")
        else:
            rows = "".join(
                f'<tr class="wb-admin-kind-{esc(kind)}"><td>{esc(catalog[kind].title)}</td>'
                f'<td class="wb-admin-n">{n}</td></tr>'
                for kind, n in counts.today.items())
            self.counts.value = joined + (
                f'<table class="wb-admin-table"><caption>Entries today ({counts.day.isoformat()}), '
                f"added up from the {counts.sharing} who share</caption>"
                f"<tr><th>Tool</th><th>Entries</th></tr>{rows}</table>")
        members = sorted(self.workshop.participants(), key=lambda m: m.number)
        items = "".join(
            f"<li>{esc(m.label)}: <code>{esc(m.id)}</code>{'' if m.active else ' (closed)'}</li>"
            for m in members)
        self.links.value = (
            "<details><summary>Links by id (to close one)</summary>"
            f"<ul>{items}</ul><p class='wb-help'>Close a link with <code>workbook workshop --revoke ID "
            f"--data-dir {esc(self.workshop.root)}</code>; add links with <code>--add N</code>. "
            "Both work while the workshop is running.</p></details>")
        return counts
