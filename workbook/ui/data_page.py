"""My data: where it lives, backups, sharing with a therapist, and bringing history in."""

from __future__ import annotations

import ipywidgets as w

from workbook import backup
from workbook.store import Store
from workbook.ui.text import esc


class DataPage(w.VBox):
    """Everything about the person's own files, in one place (`wb-page-data`)."""

    title = "My data"

    def __init__(self, store: Store):
        from workbook.ui.import_panel import ImportPanel
        from workbook.ui.share_panel import SharePanel

        self.store = store
        self.where = w.HTML()
        self.where.add_class("wb-data-folder")
        self.share = SharePanel(store)
        self.importer = ImportPanel(store)
        super().__init__([self.where, self.share, self.importer])
        self.add_class("wb-page")
        self.add_class("wb-page-data")

    def refresh(self) -> None:
        backups = backup.list_backups(self.store.data_dir)
        recent = ", ".join(esc(p.stem) for p in backups[-3:]) or "none yet"
        self.where.value = (
            '<h2 class="wb-title">My data</h2>'
            "<p>Everything you write is kept on this computer, in this folder, as plain CSV files "
            f"you can open in a spreadsheet:</p><p><code>{esc(self.store.data_dir)}</code></p>"
            "<p class='wb-help'>A copy of the folder is made each day you open the workbook "
            f"(the last {backup.KEEP_DAYS} days are kept, in <code>backups</code>; latest: {recent}). "
            "To restore one, close the workbook and run <code>workbook restore DATE</code>.</p>"
        )
