"""The app page: one kernel, every tool, switched in place; help always one click away."""

from __future__ import annotations

import ipywidgets as w

from workbook.store import Store, default_data_dir
from workbook.ui.help import CrisisPanel, StartPage
from workbook.ui.pages import build_page

TOOLS = ("mood", "thought_record", "win")


class App(w.VBox):
    """Navigation, the crisis panel, and the page of the tool that is open."""

    def __init__(self, store: Store, start: str = "start", tools: tuple[str, ...] = TOOLS):
        self.store = store
        self.tools = tools
        self.pages: dict[str, w.Widget] = {}
        self.crisis = CrisisPanel(store)
        self.help_button = w.Button(description="Get help now", button_style="warning",
                                    layout=w.Layout(width="auto"),
                                    tooltip="Crisis lines and what to do if you are not safe")
        self.help_button.add_class("wb-help-button")
        self.help_button.on_click(lambda _: self.crisis.toggle())
        self.nav_buttons: dict[str, w.Button] = {}
        nav = []
        for kind in ("start", *tools):
            label = "Start here" if kind == "start" else store.exercise(kind).nav
            button = w.Button(description=label, layout=w.Layout(width="auto"))
            button.add_class("wb-nav")
            button.add_class(f"wb-nav-{kind}")
            button.on_click(lambda _, k=kind: self.show(k))
            self.nav_buttons[kind] = button
            nav.append(button)
        brand = w.HTML('<span class="wb-brand">Between Sessions</span>')
        bar = w.HBox([brand, w.HBox(nav, layout=w.Layout(flex_flow="row wrap")), self.help_button],
                     layout=w.Layout(flex_flow="row wrap", align_items="center"))
        bar.add_class("wb-bar")
        self.content = w.VBox()
        self.content.add_class("wb-content")
        super().__init__([bar, self.crisis, self.content])
        self.add_class("wb-app")
        self.current = ""
        self.show(start)

    def page(self, kind: str) -> w.Widget:
        """A tool's page, built the first time it is opened."""
        if kind not in self.pages:
            if kind == "start":
                self.pages[kind] = StartPage()
            else:
                self.pages[kind] = build_page(self.store.exercise(kind), self.store)
        return self.pages[kind]

    def show(self, kind: str) -> None:
        page = self.page(kind)
        if kind != "start" and kind == self.current:
            return
        if kind != "start" and self.current:
            page.refresh()
        self.content.children = [page]
        for name, button in self.nav_buttons.items():
            button.button_style = "info" if name == kind else ""
            if name == kind:
                button.add_class("wb-current")
            else:
                button.remove_class("wb-current")
        self.current = kind


def app(data_dir: str | None = None, start: str = "start") -> App:
    """The whole workbook on the data folder (`--data-dir`, $WORKBOOK_DATA_DIR, or default)."""
    return App(Store(default_data_dir(data_dir)), start=start)


def tool(kind: str, data_dir: str | None = None) -> App:
    """One tool on its own page (for a notebook a therapist points to), help still in reach."""
    return App(Store(default_data_dir(data_dir)), start=kind, tools=(kind,))
