"""The list of past entries under each tool: edit one, or delete it after a confirmation.

The list is one block of rendered HTML (`wb-entries`, a `wb-entry` per entry) with one small
set of controls under it: a labelled "Entry" drop-down naming each entry shown, Edit
(`wb-edit`, "Finish" for a draft) and Delete (`wb-delete`), which asks first (`wb-confirm`,
`wb-confirm-delete`, `wb-keep`). A page of ten entries is then a handful of widget models
instead of a dozen per row: every model is something the browser must build before the page
answers a click, so a lean list is what keeps the first Save quick.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from workbook.store import Store
from workbook.ui.fields import auto_layout, html_widget
from workbook.ui.form import Feedback
from workbook.ui.text import esc, shorten
from workbook.words import when

Describe = Callable[[dict[str, Any]], str]

EMPTY = '<p class="wb-empty">Nothing here yet. Your entries will show up here.</p>'
_TAG = re.compile(r"<[^>]*>")
_BLOCK = re.compile(r"</?(div|p|li)\b[^>]*>|<br\s*/?>", re.IGNORECASE)
_SEPARATORS = re.compile(r"(\s*·\s*)+")


def plain(markup: str) -> str:
    """The text of a described entry (our own markup, user text already escaped), for a label.

    The drop-down shows its labels as text, never as markup, so unescaping here is safe.
    """
    text = " ".join(_TAG.sub("", _BLOCK.sub(" · ", markup)).split())
    return html.unescape(_SEPARATORS.sub(" · ", text).strip(" ·"))


class EntryList(w.VBox):
    """The newest entries as one HTML block, one Entry chooser, Edit and Delete; user text is
    always escaped."""

    def __init__(
        self,
        kind: str,
        store: Store,
        describe: Describe,
        on_edit: Callable[[dict[str, Any]], None],
        on_deleted: Callable[[], None],
        limit: int = 10,
        title: str = "Your recent entries",
    ):
        self.kind = kind
        self.store = store
        self.describe = describe
        self.on_edit = on_edit
        self.on_deleted = on_deleted
        self.limit = limit
        # buttons for the chosen entry beside Edit and Delete (a session's small step, say)
        self.extra_actions: Callable[[dict[str, Any]], list[w.Widget]] = lambda _entry: []
        self.entries: dict[str, dict[str, Any]] = {}  # id -> entry, newest first
        self._pending: dict[str, Any] | None = None  # the entry Delete asked about
        self._fitted: dict[str, Any] | None = None  # the entry the extra actions were made for
        self.title = html_widget(f"<h3>{esc(title)}</h3>")
        self.rows = html_widget(EMPTY, "wb-entries")
        self.feedback = Feedback()
        self.choice = w.Dropdown(description="Entry", options=[], layout=auto_layout())
        self.choice.add_class("wb-entry-choice")
        self.choice.observe(self._chosen, names="value")
        self.extra = w.HBox(layout=w.Layout(flex_flow="row wrap"))
        self.edit_button = w.Button(description="Edit", layout=auto_layout(),
                                    tooltip="Open the chosen entry in the form above")
        self.edit_button.add_class("wb-edit")
        self.edit_button.on_click(self.feedback.guard(lambda _: self.edit()))
        self.delete_button = w.Button(description="Delete", layout=auto_layout(),
                                      tooltip="Delete the chosen entry (you are asked first)")
        self.delete_button.add_class("wb-delete")
        self.delete_button.on_click(self.feedback.guard(lambda _: self.ask()))
        self.controls = w.HBox([self.choice, self.extra, self.edit_button, self.delete_button],
                               layout=w.Layout(flex_flow="row wrap", align_items="center"))
        self.controls.add_class("wb-entry-actions")
        self.confirm: w.HBox | None = None  # built the first time Delete is clicked
        super().__init__([self.title, self.feedback, self.rows, self.controls])
        self.add_class("wb-entry-list")
        self._show_controls(False)

    # -- showing ---------------------------------------------------------------------------
    def refresh(self, entries: list[dict[str, Any]] | None = None) -> None:
        """Show the newest entries (the caller may pass what it already loaded)."""
        if entries is None:
            entries = self.store.records(self.kind)
        newest = list(reversed(entries))[: self.limit]
        # the newest stays chosen as entries come in; an older one the person picked stays picked
        picked = self.choice.value if self.choice.value != next(iter(self.entries), None) else None
        self.entries = {e["id"]: e for e in newest}
        self._hide_confirm()
        if not newest:
            self.rows.value = EMPTY
            self.choice.options = []
            self._show_controls(False)
            return
        self.rows.value = "".join(self._row(entry) for entry in newest)
        chosen = picked if picked in self.entries else newest[0]["id"]
        options = tuple((self._label(e), e["id"]) for e in newest)
        if options != self.choice.options:
            self.choice.options = options
        self.choice.value = chosen
        self._fit(self.entries[chosen])
        self._show_controls(True)

    def _row(self, entry: dict[str, Any]) -> str:
        draft = ' <span class="wb-badge">draft</span>' if entry.get("status") == "draft" else ""
        return (f'<div class="wb-entry" data-entry="{esc(entry["id"])}">'
                f'<div class="wb-entry-when">{esc(when(entry.get("created_at", "")))}{draft}</div>'
                f'<div class="wb-entry-text">{self.describe(entry)}</div></div>')

    def _label(self, entry: dict[str, Any]) -> str:
        draft = " (draft)" if entry.get("status") == "draft" else ""
        text = shorten(plain(self.describe(entry)), 90)
        return f"{when(entry.get('created_at', ''))}{draft}: {text}" if text else \
            f"{when(entry.get('created_at', ''))}{draft}"

    def _show_controls(self, shown: bool) -> None:
        self.controls.layout.display = None if shown else "none"

    def _chosen(self, change: dict) -> None:
        entry = self.entries.get(change["new"])
        self._hide_confirm()  # Yes must delete what the question named, nothing else
        if entry is not None:
            self._fit(entry)

    def _fit(self, entry: dict[str, Any]) -> None:
        """Edit says Finish for a draft; the extra actions are the chosen entry's (made again
        only for another entry: a page shown again sends the browser no new buttons)."""
        self.edit_button.description = "Finish" if entry.get("status") == "draft" else "Edit"
        if entry == self._fitted:
            return
        self._fitted = dict(entry)
        extra = self.extra_actions(entry)
        old = self.extra.children
        if extra or old:
            self.extra.children = extra
            for widget in old:
                widget.close()
        self.extra.layout.display = None if extra else "none"

    @property
    def chosen(self) -> dict[str, Any] | None:
        return self.entries.get(self.choice.value)

    def choose(self, entry_id: str) -> None:
        """Choose an entry in the list (as picking it in the drop-down does)."""
        self.choice.value = entry_id

    @property
    def shown(self) -> list[str]:
        """The ids of the entries in the list, newest first."""
        return list(self.entries)

    # -- acting ----------------------------------------------------------------------------
    def edit(self) -> None:
        entry = self.chosen
        if entry is None:
            return
        self.on_edit(self.store.get(self.kind, entry["id"]))

    def ask(self) -> None:
        """Delete asks first, naming the entry; Yes deletes it, Keep it changes nothing."""
        entry = self.chosen
        if entry is None:
            return
        self._pending = entry
        if self.confirm is None:
            self.question = html_widget("")
            self.yes_button = w.Button(description="Yes, delete", button_style="danger",
                                       layout=auto_layout())
            self.yes_button.add_class("wb-confirm-delete")
            self.yes_button.on_click(self.feedback.guard(lambda _: self._delete()))
            self.keep_button = w.Button(description="Keep it", layout=auto_layout())
            self.keep_button.add_class("wb-keep")
            self.keep_button.on_click(lambda _: self._hide_confirm())
            self.confirm = w.HBox([self.question, self.yes_button, self.keep_button],
                                  layout=w.Layout(align_items="center", flex_flow="row wrap"))
            self.confirm.add_class("wb-confirm")
            self.children = [*self.children, self.confirm]
        self.question.value = (
            f'<span class="wb-confirm-text">Delete the entry from '
            f"{esc(when(entry.get('created_at', '')))} for good? It is also taken out of the "
            "backups in your data folder. A copy you already shared or took home is not "
            "changed.</span>")
        self.confirm.layout.display = None

    def _hide_confirm(self) -> None:
        self._pending = None
        if self.confirm is not None:
            self.confirm.layout.display = "none"

    def _delete(self) -> None:
        entry = self._pending
        if entry is None:
            return
        self.store.delete(self.kind, entry["id"])
        self._hide_confirm()
        self.feedback.ok("Entry deleted.", focus=True)  # the focused button is hidden now
        self.on_deleted()
