"""The app page: one kernel, every tool, switched in place; help always one click away."""

from __future__ import annotations

import datetime as dt
import logging
import os
from typing import Any

import ipywidgets as w

from workbook.store import Store, default_data_dir
from workbook.ui.ahead import Ahead, Later, kernel_later, the_kernel, watch_messages
from workbook.ui.controls import button
from workbook.ui.fields import html_widget
from workbook.ui.help import CrisisPanel, PlanLink, StartPage
from workbook.ui.lab import PageSignal, outside_voila, show_page_setup
from workbook.ui.page import EntryPage, Links, Page
from workbook.ui.sent_whole import sent_whole
from workbook.ui.text import esc, hosted

log = logging.getLogger(__name__)

APP_PAGES = ("homework", "progress", "data")  # the app's own pages, after the exercises
PLAN = "safety_plan"  # reached from where help is offered, not from the menu
HIDDEN = "wb-hidden"  # a menu button for an exercise the person does not track
NAV_LABELS = {"start": "Start here", "progress": "Progress", "data": "My data", "homework": "My homework"}


def menu() -> tuple[str, ...]:
    """The whole app's menu: every exercise whose file puts it there, in order, then the app's pages."""
    from workbook import exercises

    return (*exercises.in_menu(), *APP_PAGES)


class App(w.VBox):
    """Navigation, the crisis panel, the reach-out notice, and the page that is open.

    Every page opened (or built ahead) stays in the browser, each in a box of its own that is
    hidden while another page is open: a later visit only makes it visible again, instead of
    asking the browser to build the whole page anew.
    """

    def __init__(self, store: Store, start: str = "start", tools: tuple[str, ...] | None = None,
                 wait_for_page: bool = False, later: Later | None = None):
        """`wait_for_page`: open the first page only once a browser shows the app (outside
        Voila, so that a headless run's saved copy holds none of the person's entries).
        `later`: how to run work later on the kernel's event loop (default: the running
        kernel's own); with it, the tool pages are built ahead once a browser shows the app."""
        self.store = store
        self.whole = tools is None  # the whole app, not one tool on a page of its own
        self.tools = tools = menu() if tools is None else tools
        self.pages: dict[str, Page] = {}
        self.holders: dict[str, w.VBox] = {}  # kind -> the box that shows or hides its page
        self.links = Links(navigate=self.open_with, on_saved=(lambda _id: self.check_rules(),),
                           open_plan=self.open_plan, on_track=self.track)
        self.crisis = CrisisPanel(store, open_plan=self.open_plan)
        # The bar's buttons share one layout and one style (controls.button): a model less
        # for the browser to build per button before the page answers (hidden by a class).
        self.help_button = button("Get help now", "wb-help-button", style="warning")
        self.help_button.tooltip = "Crisis lines and what to do if you are not safe"
        self.help_button.on_click(lambda _: self.crisis.toggle())
        self.nav_buttons: dict[str, w.Button] = {}
        nav = []
        for kind in ("start", *tools):
            label = NAV_LABELS.get(kind) or store.exercise(kind).nav
            nav_button = button(label, "wb-nav", f"wb-nav-{kind}")
            nav_button.on_click(lambda _, k=kind: self.show(k))
            self.nav_buttons[kind] = nav_button
            nav.append(nav_button)
        # Light or dark: the page's script follows the system and flips on this button
        # (aria-pressed = dark); the choice lasts as long as the page, stored nowhere.
        self.theme_button = button("Dark theme", "wb-theme-toggle")
        self.theme_button.tooltip = "Switch between a light and a dark page"
        brand = html_widget('<span class="wb-brand">Between Sessions</span>')
        bar = w.HBox([brand, w.HBox(nav, layout=w.Layout(flex_flow="row wrap")), self.help_button,
                      self.theme_button],
                     layout=w.Layout(flex_flow="row wrap", align_items="center"))
        bar.add_class("wb-bar")
        self.reach_out = html_widget("", "wb-reach-out")
        self.reach_out_plan = PlanLink()  # shown with a reach-out alert
        self.reach_out_plan.open_plan = self.open_plan
        self.reach_out_plan.layout.display = "none"
        self.opening = w.HTML(layout=w.Layout(display="none"))
        self.content = w.VBox([self.opening])
        self.content.add_class("wb-content")
        self.welcome = self._welcome(start, tools)
        self.sample_note = html_widget()
        if self.settings.get("sample"):
            self.sample_note.value = (
                '<div class="wb-sample-note" role="note"><strong>Sample data.</strong> Everything '
                "here is made up, so you can look around and try things. It is kept apart from your "
                "own workbook, which starts empty: close this and run <code>make run</code> (or "
                "<code>workbook serve</code>) when you want to begin.</div>")
        super().__init__([bar, self.sample_note, self.crisis, self.reach_out, self.reach_out_plan,
                          self.welcome, self.content])
        self.add_class("wb-app")
        self.current = ""
        self._urgent_shown: set[tuple[str, str]] = set()
        self.page_signal: PageSignal | None = None
        in_kernel = later is None
        later = kernel_later() if later is None else later
        self.ahead = Ahead(later, self._ahead_wanted, self._build_ahead, self._fill_ahead) if later else None
        if self.ahead is not None and in_kernel:
            watch_messages(the_kernel(), self.ahead.poke)
        if wait_for_page:
            self._opening()
            self.page_signal = PageSignal(self._on_page(start))
        else:
            self.show(start)
            if self.ahead is not None:  # nothing is built ahead before a browser has the app
                self.page_signal = PageSignal(self._on_page(None))

    def _on_page(self, start: str | None):
        """What happens once a browser has the app: the first page (if it waited for one),
        then the other pages built ahead while the person is idle."""
        def on_page() -> None:
            if start and not self.current:
                self.show(start)
            if self.ahead is not None:
                self.ahead.start()
        return on_page

    def __repr__(self) -> str:
        """What a notebook saves as the app's plain-text output: its name, none of its widgets'
        values (ipywidgets' own repr lists them, entries included)."""
        return "Between Sessions (the workbook app: open this notebook in Voila or JupyterLab)"

    def _welcome(self, start: str, tools: tuple[str, ...]) -> w.Widget:
        """The first-run welcome (the full app on an empty folder), and what the person tracks."""
        try:
            settings = self.store.settings()
            first_run = (start == "start" and self.whole and not settings.get("welcomed")
                         and not self.store.has_entries())
        except Exception:  # a settings file that cannot be read must not block
            log.exception("settings could not be read")
            settings, first_run = {}, False
        self.settings = settings
        self.track(settings.get("tools"))
        if not first_run:
            return w.VBox()
        from workbook.ui.welcome import Welcome

        return Welcome(self.store, on_done=self.track)

    def track(self, kinds: list[str] | None) -> None:
        """Show only the exercises the person chose to track (all when they have not chosen)."""
        from workbook import exercises

        trackable = exercises.trackable()
        for kind, nav_button in self.nav_buttons.items():
            hidden = bool(kinds) and kind in trackable and kind not in kinds
            if hidden:
                nav_button.add_class(HIDDEN)
            else:
                nav_button.remove_class(HIDDEN)

    def page(self, kind: str) -> Page:
        """A tool's page, built the first time it is opened."""
        if kind not in self.pages:
            self.pages[kind] = self._build(kind)
        return self.pages[kind]

    def _build(self, kind: str) -> Page:
        """Every page from the same store and links: the app's own by name, any exercise by kind."""
        if kind == "start":
            return StartPage(hosted=hosted(self.store))
        if kind == "progress":
            from workbook.ui.dashboard import ProgressPage

            return ProgressPage(self.store, draw=False)
        if kind == "homework":
            from workbook.ui.homework_page import HomeworkPage

            page = HomeworkPage(self.store, open_tool=self.show)
            page.after_install.append(lambda _assignment: self.forget("data"))
            return page
        if kind == "data":
            from workbook.ui.data_page import DataPage

            return DataPage(self.store, on_track=self.links.on_track)
        from workbook.ui.pages import page_class

        return page_class(kind)(self.store.exercise(kind), self.store, self.links)

    def forget(self, kind: str) -> None:
        """Drop a page (built again when next opened): its contents depend on something changed."""
        self.pages.pop(kind, None)
        holder = self.holders.pop(kind, None)
        if holder is not None:
            self.content.children = tuple(c for c in self.content.children if c is not holder)

    @property
    def shown(self) -> w.Widget | None:
        """What is on screen below the bar: a page, the line saying one is opening, or None."""
        if self.opening.layout.display != "none":
            return self.opening
        for kind, holder in self.holders.items():
            if holder.layout.display != "none":
                return self.pages[kind]
        return None

    def _opening(self) -> None:
        """The line saying a page is opening, alone (its page is being built and filled)."""
        self.opening.value = '<p class="wb-opening" role="status">Opening…</p>'
        self._display(None)

    def _hold(self, kind: str) -> w.VBox:
        """The page's own box in the content, hidden until it is shown (added the first time)."""
        if kind not in self.holders:
            holder = w.VBox([self.page(kind)], layout=w.Layout(display="none"))
            holder.add_class("wb-page-holder")
            self.holders[kind] = holder
            self.content.children = (*self.content.children, holder)
        return self.holders[kind]

    def _display(self, kind: str | None) -> None:
        """One page visible (None: the opening line), every other hidden, hidden first so two
        pages are never on screen at once."""
        shown = self.opening if kind is None else self._hold(kind)
        for box in (self.opening, *self.holders.values()):
            if box is not shown:
                box.layout.display = "none"
        shown.layout.display = None

    def _ahead_wanted(self) -> list[str]:
        """The tool pages to build ahead, in menu order: in the menu, tracked, not yet in the page."""
        from workbook import exercises

        in_menu = set(exercises.in_menu())
        return [kind for kind in self.tools
                if kind in in_menu and kind not in self.holders and kind != self.current
                and HIDDEN not in self.nav_buttons[kind]._dom_classes]

    def _build_ahead(self, kind: str) -> None:
        """A page's widgets made ahead, sent to the page whole."""
        with sent_whole():
            self.page(kind)

    def _fill_ahead(self, kind: str) -> None:
        """A page built ahead, filled from disk and put in the page, hidden."""
        with sent_whole():
            self.page(kind).refresh()
            self._hold(kind)

    def show(self, kind: str, prefill: dict[str, Any] | None = None) -> None:
        """Open a tool: it is shown once it is whole (form, list and chart), never before.

        A form on screen while its list and chart were still being read would take the
        person's first click and make it wait, unseen, behind that work; so a page not yet in
        the browser is built and filled first, with a line saying it is opening, and then shown
        ready to use. A page already there (opened before, or built ahead) is refreshed from
        disk while the page the person was on stays in view, then shown.
        """
        if kind == self.current and not prefill:
            return
        if self.ahead is not None:
            self.ahead.poke()  # the person's click first; pages ahead wait until they are idle
        before = self.current
        self._mark_nav(kind)
        self.current = kind
        if kind not in self.holders:
            self._opening()
        with sent_whole():  # the page arrives whole: one message per new widget
            self._open(kind, before, prefill)

    def _open(self, kind: str, before: str, prefill: dict[str, Any] | None) -> None:
        try:
            page = self.page(kind)
            if prefill:
                if not isinstance(page, EntryPage):
                    raise ValueError(f"{kind}: this page has no form to start an entry in.")
                page.prefill(prefill)
            page.refresh()
        except Exception as exc:  # never a lost traceback
            log.exception("could not open %s", kind)
            self._mark_nav(before)  # still on the page it was
            self.current = before
            if before:
                self._display(before)
            else:
                self.opening.layout.display = "none"
            self.reach_out.value = ('<div class="wb-problem" role="alert">That page did not open. '
                                    "Everything you saved is safe. Try it again, or choose another "
                                    "page. (For whoever helps you with it: "
                                    f"{esc(type(exc).__name__)}: {esc(exc)})</div>")
            return
        self._display(kind)

    def _mark_nav(self, kind: str) -> None:
        for name, nav_button in self.nav_buttons.items():
            nav_button.button_style = "info" if name == kind else ""
            if name == kind:
                nav_button.add_class("wb-current")
            else:
                nav_button.remove_class("wb-current")

    def open_with(self, kind: str, prefill: dict[str, Any]) -> None:
        """Open a tool with a new entry started from `prefill` (one click from a session)."""
        if kind not in self.nav_buttons:
            return
        self.show(kind, prefill)

    def open_plan(self) -> None:
        """The safety plan, from Get help now, the item-9 box or a reach-out alert.

        Whatever was typed on the page left behind stays in its form (pages are kept).
        """
        self.show(PLAN)

    def check_rules(self, today: dt.date | None = None) -> list:
        """Run the 'when to reach out' rules on what is saved; show any that apply."""
        try:
            from workbook import rules

            thresholds = rules.Thresholds.from_config(self.store.config())
            # plain rows, not DataFrames: nothing on the save path imports pandas
            alerts = rules.evaluate(self.store.records("mood"), self.store.records("session"),
                                    self.store.records("checkin"), today=today, thresholds=thresholds)
        except Exception as exc:  # the rules must never break saving
            log.exception("rules failed")
            self.reach_out.value = ('<div class="wb-problem">Your entry is saved. The check that '
                                    "suggests when to contact your care team could not run this "
                                    "time, so trust how you feel: if things are getting harder, "
                                    "contact them, and use <em>Get help now</em> if you are not safe. "
                                    f"({esc(exc)})</div>")
            return []
        if not alerts:
            self.reach_out.value = ""
            self.reach_out_plan.layout.display = "none"
            return []
        items = "".join(
            f'<div class="wb-alert wb-alert-{esc(a.rule)}"><strong>{esc(a.title)}</strong>'
            f"<p>{esc(a.message)}</p></div>"
            for a in alerts
        )
        self.reach_out.value = (f'<div class="wb-reach-out-box" role="status">{items}'
                                '<p class="wb-help">The crisis lines are behind '
                                "<em>Get help now</em> at the top of every page, "
                                "and your safety plan is one click away.</p></div>")
        self.reach_out_plan.layout.display = None
        # The crisis panel opens once for an urgent answer, not again on every later save of
        # anything while that answer is under two weeks old (it stays in view above).
        urgent = {(a.rule, a.message) for a in alerts if a.urgent}
        if urgent - self._urgent_shown:
            self.crisis.show()
        self._urgent_shown |= urgent
        return alerts


def _open_store(data_dir: str | None) -> Store:
    """The person's store; today's rolling backup is made first, without being asked."""
    store = Store(default_data_dir(data_dir))
    try:
        from workbook.backup import daily_backup

        daily_backup(store.data_dir)
    except Exception:  # a failed backup must not keep anyone from the page
        log.exception("daily backup failed")
    return store


def _outside_voila() -> bool:
    """Outside Voila (JupyterLab, a headless run): show the app's stylesheet and theme script
    first, and let the first page wait for a browser (`workbook.ui.lab`)."""
    if not outside_voila():
        return False
    try:
        show_page_setup()
    except Exception:  # an unstyled app is still the whole app
        log.exception("the stylesheet for JupyterLab could not be made")
    return True


def app(data_dir: str | None = None, start: str = "start") -> App:
    """The whole workbook on the data folder (`--data-dir`, $WORKBOOK_DATA_DIR, or default).

    In a kernel `workbook serve` started ahead of time, the slow steps run first and the App is
    built once a request that proved the key claims the kernel, from the folder as it is then.
    """
    from workbook import preheat

    if preheat.waiting_in_pool():
        preheat.warm(data_dir)
    preheat.wait_until_claimed()
    return App(_open_store(data_dir), start=start, wait_for_page=_outside_voila())


def tool(kind: str | None = None, data_dir: str | None = None) -> App:
    """One tool on its own page (for a notebook a therapist points to), help still in reach.

    Without `kind`, the exercise named in $WORKBOOK_TOOL (`workbook serve --tool KIND` sets it
    for an exercise without a notebook of its own), else the first in the menu.
    """
    from workbook import exercises

    kind = kind or os.environ.get(exercises.TOOL_ENV) or exercises.in_menu()[0]
    exercises.get(kind)  # ValueError naming the known exercises
    return App(_open_store(data_dir), start=kind, tools=(kind,), wait_for_page=_outside_voila())
