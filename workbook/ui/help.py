"""Where help is: the crisis resources (one click from every tool) and the Start here page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as w
import mistune

from workbook.exercises import content
from workbook.store import Store
from workbook.ui.controls import button
from workbook.ui.fields import html_widget
from workbook.ui.text import esc, hosted

COUNTRY_SETTING = "crisis_country"
NO_COUNTRY = ""


def countries() -> list[dict[str, Any]]:
    """The curated crisis lines by country (crisis_countries.yaml), each line with its source."""
    return list(content("crisis_countries.yaml")["countries"])


def country(code: str | None) -> dict[str, Any] | None:
    """One country's entry by its code, or None for no choice or a code not in the list."""
    return next((c for c in countries() if c["code"] == code), None)


def chosen_country(store: Store) -> dict[str, Any] | None:
    """The country chosen on the page (settings.yaml, `crisis_country`), if any."""
    try:
        return country(store.settings().get(COUNTRY_SETTING))
    except Exception:  # noqa: BLE001 - a settings file that cannot be read never hides the lines
        return None


def _line(item: dict[str, Any]) -> dict[str, str]:
    return {k: str(item.get(k) or "") for k in ("name", "contact", "detail")}


def emergency_entry(place: dict[str, Any] | None) -> dict[str, str]:
    """'Your local emergency number': the chosen country's number, else the general words."""
    general = content("crisis_default.yaml")["emergency"]
    if place is None:
        return _line(general)
    return {"name": general["name"], "contact": str(place["emergency"]["contact"]),
            "detail": "Your local emergency number. Call it if you are in immediate danger."}


def _has_emergency(items: list[dict[str, str]], place: dict[str, Any] | None) -> bool:
    """Whether a list already names emergency services (by that word or the country's number)."""
    numbers = set()
    if place is not None:
        numbers = {part for part in str(place["emergency"]["contact"]).split() if part.isdigit()}
    for item in items:
        text = f"{item['name']} {item['contact']}".lower()
        if "emergency" in text or numbers & set(text.replace(",", " ").split()):
            return True
    return False


def crisis_resources(store: Store, code: str | None = None) -> list[dict[str, str]]:
    """The crisis lines to show, always with the local emergency number.

    The person's own list from config.yaml (`crisis_resources`) comes first when there is one;
    else the lines of the country chosen on the page (`code`, else the saved choice); else the
    general list. The emergency entry is added to a custom list that does not already name one,
    so it is never lost.
    """
    defaults: dict[str, Any] = content("crisis_default.yaml")
    place = chosen_country(store) if code is None else country(code)
    try:
        custom = store.config().get("crisis_resources")
    except ValueError:
        custom = None
    if isinstance(custom, list) and any(isinstance(item, dict) for item in custom):
        items = [_line(item) for item in custom if isinstance(item, dict)]
        if not _has_emergency(items, place):
            items.append(emergency_entry(place))
        return items
    lines = place["resources"] if place is not None else defaults["resources"]
    return [*(_line(item) for item in lines), emergency_entry(place), _line(defaults["care_team"])]


def crisis_text(store: Store) -> str:
    """The crisis list as plain lines (name: contact), e.g. to start a safety plan with."""
    return "\n".join(f"{r['name']}: {r['contact']}" for r in crisis_resources(store))


def crisis_html(store: Store, code: str | None = None) -> str:
    """The list of crisis resources as HTML (every part escaped: the list can be the person's)."""
    items = "".join(
        f'<li><strong>{esc(r["name"])}</strong>: {esc(r["contact"])}'
        f'<div class="wb-help">{esc(r.get("detail", ""))}</div></li>'
        for r in crisis_resources(store, code)
    )
    return f'<ul class="wb-crisis-list">{items}</ul>'


class CrisisPanel(w.VBox):
    """The crisis resources (`wb-crisis`), hidden until the help button is pressed.

    The person can choose their country here (`wb-crisis-country`; kept in settings.yaml) and
    open their safety plan (`wb-open-safety-plan`) when the app gives a way to (`open_plan`).
    """

    def __init__(self, store: Store, open_plan: Callable[[], None] | None = None):
        self.store = store
        self.body = html_widget()
        options = [("Not chosen (general list)", NO_COUNTRY),
                   *((c["name"], c["code"]) for c in countries())]
        place = chosen_country(store)
        self.country = w.Dropdown(options=options, value=place["code"] if place else NO_COUNTRY,
                                  description="Where you are", style={"description_width": "initial"},
                                  layout=w.Layout(width="auto"))
        self.country.add_class("wb-crisis-country")
        self.country.observe(self._country_changed, names="value")
        self.note = html_widget()
        self.plan_button = PlanLink()
        self.plan_button.open_plan = open_plan
        if open_plan is None:
            self.plan_button.layout.display = "none"
        self.close_button = button("Close", "wb-crisis-close")
        self.close_button.on_click(lambda _: self.hide())
        super().__init__([self.body, self.country, self.note,
                          w.HBox([self.plan_button, self.close_button],
                                 layout=w.Layout(flex_flow="row wrap"))])
        self.add_class("wb-crisis")
        self.draw()
        self.hide()

    def draw(self) -> None:
        """The intro, the list (from config, the chosen country or the general list) and hints."""
        defaults: dict[str, Any] = content("crisis_default.yaml")
        # Only the owner of the folder can edit config.yaml: no hint on a workshop page.
        edit = "" if hosted(self.store) else f" {esc(defaults['edit_hint'])}"
        self.body.value = (
            f'<div class="wb-crisis-box" role="region" aria-label="Crisis resources">'
            f'<p class="wb-crisis-intro">{esc(defaults["intro"])}</p>'
            f"{crisis_html(self.store, self.country.value)}"
            f'<p class="wb-help">{esc(defaults["choose_hint"])}{edit}</p></div>'
        )

    def _country_changed(self, change: dict) -> None:
        try:
            self.store.save_settings({COUNTRY_SETTING: change["new"]})
        except Exception as exc:  # noqa: BLE001 - the lines stay on screen whatever happens
            self.note.value = ('<div class="wb-problem" role="alert">Your choice could not be kept '
                               f"for next time ({esc(exc)}). The lines shown are still right for "
                               "now.</div>")
        else:
            self.note.value = ""
        self.draw()
        try:
            custom = self.store.config().get("crisis_resources")
        except ValueError:
            custom = None
        if custom:
            self.note.value += ('<p class="wb-help">Your own list from config.yaml is shown; the '
                                "country you choose sets the emergency number kept with it.</p>")

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
        body = html_widget(f'<div class="wb-prose">{mistune.html(text)}</div>')
        super().__init__([body])
        self.add_class("wb-page")
        self.add_class("wb-page-start")

    def refresh(self) -> None:
        pass


def content_text(name: str) -> str:
    from importlib import resources

    return resources.files("workbook.content").joinpath(name).read_text(encoding="utf-8")


class PlanLink(w.Button):
    """'Open my safety plan' (`wb-open-safety-plan`): shown where help is offered, when the app can."""

    def __init__(self) -> None:
        super().__init__(description="Open my safety plan", layout=w.Layout(width="auto"),
                         tooltip="Your own plan for a hard moment")
        self.add_class("wb-open-safety-plan")
        self.open_plan: Callable[[], None] | None = None
        self.on_click(lambda _: self.open_plan and self.open_plan())


class Item9Box(w.VBox):
    """The item-9 box of the check-in: its words (`value`, HTML) and, beside them, the plan.

    `value` reads and writes the words as an HTML widget's would; the plan link shows whenever
    there are words, and works once the app sets `link.open_plan`.
    """

    def __init__(self) -> None:
        self.html = w.HTML()
        self.link = PlanLink()
        super().__init__([self.html, self.link])
        self._show_link()

    @property
    def value(self) -> str:
        return self.html.value

    @value.setter
    def value(self, text: str) -> None:
        self.html.value = text
        self._show_link()

    def _show_link(self) -> None:
        shown = bool(self.html.value) and self.link.open_plan is not None
        self.link.layout.display = None if shown else "none"
