"""The list of past entries under each tool: edit one, or delete it after a confirmation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as w

from workbook.store import Store
from workbook.ui.form import Feedback
from workbook.ui.text import esc, when

Describe = Callable[[dict[str, Any]], str]


class EntryList(w.VBox):
    """The newest entries, each with Edit and Delete; user text is always escaped."""

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
        self.extra_actions: Callable[[dict[str, Any]], list[w.Widget]] = lambda _entry: []
        self._built: dict[tuple, w.Widget] = {}
        self.title = w.HTML(f"<h3>{esc(title)}</h3>")
        self.rows = w.VBox()
        self.rows.add_class("wb-entries")
        self.feedback = Feedback()
        super().__init__([self.title, self.feedback, self.rows])
        self.add_class("wb-entry-list")

    def refresh(self, entries: list[dict[str, Any]] | None = None) -> None:
        """Show the newest entries (the caller may pass what it already loaded)."""
        if entries is None:
            entries = self.store.records(self.kind)
        newest = list(reversed(entries))[: self.limit]
        if not newest:
            empty = w.HTML('<p class="wb-empty">Nothing here yet. Your entries will show up here.</p>')
            self.rows.children = [empty]
            self._built = {}
            return
        built: dict[tuple, w.Widget] = {}
        for entry in newest:  # a row already drawn for the same version of an entry is reused
            key = (entry["id"], entry.get("updated_at"), entry.get("status"))
            built[key] = self._built.get(key) or self._row(entry)
        self._built = built
        self.rows.children = list(built.values())

    def _row(self, entry: dict[str, Any]) -> w.Widget:
        draft = ' <span class="wb-badge">draft</span>' if entry.get("status") == "draft" else ""
        text = w.HTML(
            f'<div class="wb-entry-when">{esc(when(entry.get("created_at", "")))}{draft}</div>'
            f'<div class="wb-entry-text">{self.describe(entry)}</div>'
        )
        text.layout = w.Layout(flex="1 1 auto")
        edit = w.Button(description="Finish" if draft else "Edit", layout=w.Layout(width="auto"))
        edit.add_class("wb-edit")
        edit.on_click(self.feedback.guard(lambda _: self.on_edit(self.store.get(self.kind, entry["id"]))))
        delete = w.Button(description="Delete", layout=w.Layout(width="auto"))
        delete.add_class("wb-delete")
        actions = w.HBox([*self.extra_actions(entry), edit, delete],
                         layout=w.Layout(flex_flow="row wrap", justify_content="flex-end"))
        row = w.VBox([w.HBox([text, actions], layout=w.Layout(align_items="flex-start"))])
        row.add_class("wb-entry")
        delete.on_click(self.feedback.guard(lambda _: self._confirm(row, entry)))
        return row

    def _confirm(self, row: w.VBox, entry: dict[str, Any]) -> None:
        question = w.HTML('<span class="wb-confirm-text">Delete this entry for good? It is also taken '
                          "out of the backups in your data folder. A copy you already shared or "
                          "took home is not changed.</span>")
        yes = w.Button(description="Yes, delete", button_style="danger", layout=w.Layout(width="auto"))
        yes.add_class("wb-confirm-delete")
        keep = w.Button(description="Keep it", layout=w.Layout(width="auto"))
        keep.add_class("wb-keep")
        confirm = w.HBox([question, yes, keep], layout=w.Layout(align_items="center"))
        confirm.add_class("wb-confirm")
        first = row.children[0]
        row.children = [first, confirm]
        keep.on_click(lambda _: setattr(row, "children", [first]))
        yes.on_click(self.feedback.guard(lambda _: self._delete(entry)))

    def _delete(self, entry: dict[str, Any]) -> None:
        self.store.delete(self.kind, entry["id"])
        self.feedback.ok("Entry deleted.", focus=True)  # its row, and the focused button, are gone
        self.on_deleted()
