"""Where help is: the crisis resources (one click from every tool) and the Start here page."""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import mistune

from workbook.exercises import content
from workbook.store import Store
from workbook.ui.text import esc, hosted


def crisis_resources(store: Store) -> list[dict[str, str]]:
    """The person's own list from config.yaml, else the default list."""
    try:
        custom = store.config().get("crisis_resources")
    except ValueError:
        custom = None
    if isinstance(custom, list) and custom:
        return [{k: str(item.get(k, "")) for k in ("name", "contact", "detail")}
                for item in custom if isinstance(item, dict)]
    return list(content("crisis_default.yaml")["resources"])


def crisis_html(store: Store) -> str:
    """The list of crisis resources as HTML (every part escaped: the list can be the person's)."""
    items = "".join(
        f'<li><strong>{esc(r["name"])}</strong>: {esc(r["contact"])}'
        f'<div class="wb-help">{esc(r.get("detail", ""))}</div></li>'
        for r in crisis_resources(store)
    )
    return f'<ul class="wb-crisis-list">{items}</ul>'


class CrisisPanel(w.VBox):
    """The crisis resources (`wb-crisis`), hidden until the help button is pressed."""

    def __init__(self, store: Store):
        defaults: dict[str, Any] = content("crisis_default.yaml")
        # Only the owner of the folder can edit config.yaml: no hint on a workshop page.
        hint = "" if hosted(store) else f'<p class="wb-help">{esc(defaults["edit_hint"])}</p>'
        self.body = w.HTML(
            f'<div class="wb-crisis-box" role="region" aria-label="Crisis resources">'
            f'<p class="wb-crisis-intro">{esc(defaults["intro"])}</p>{crisis_html(store)}'
            f"{hint}</div>"
        )
        self.close_button = w.Button(description="Close", layout=w.Layout(width="auto"))
        self.close_button.add_class("wb-crisis-close")
        self.close_button.on_click(lambda _: self.hide())
        super().__init__([self.body, self.close_button])
        self.add_class("wb-crisis")
        self.hide()

    def show(self) -> None:
        self.layout.display = None

    def hide(self) -> None:
        self.layout.display = "none"

    def toggle(self) -> None:
        if self.layout.display == "none":
            self.show()
        else:
            self.hide()


# Start here's sentence about where entries live, and its wording on a workshop page.
OWN_COMPUTER = "Your entries stay on this computer, in a folder that belongs to you."
WORKSHOP_FOLDER = ("Your entries are kept in a private folder for this workshop that only your "
                   "link opens. The facilitator sees no entries, only counts if you choose to "
                   "share them.")


class StartPage(w.VBox):
    """What the workbook is and is not, how to use it, and where help is."""

    def __init__(self, hosted: bool = False) -> None:
        text = content_text("start_here.md")
        if hosted:
            text = text.replace(OWN_COMPUTER, WORKSHOP_FOLDER)
        body = w.HTML(f'<div class="wb-prose">{mistune.html(text)}</div>')
        super().__init__([body])
        self.add_class("wb-page")
        self.add_class("wb-page-start")

    def refresh(self) -> None:
        pass


def content_text(name: str) -> str:
    from importlib import resources

    return resources.files("workbook.content").joinpath(name).read_text(encoding="utf-8")
