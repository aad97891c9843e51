"""The first run: what happens to what you write, what to track, and a way to look around first."""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

from workbook import exercises
from workbook.store import Store
from workbook.ui.text import esc, hosted


class Welcome(w.VBox):
    """Shown once, above Start here, until the person chooses what to track (`wb-welcome`)."""

    def __init__(self, store: Store, on_done: Callable[[list[str]], None]):
        self.store = store
        self.on_done = on_done
        if hosted(store):
            where = ("<p>What you write here is private. It is kept in a folder for this workshop "
                     "that only your link opens. The facilitator never sees your entries, only "
                     "counts if you choose to share them.</p>")
        else:
            where = ("<p>Everything you write here stays on this computer, in a folder you can "
                     f"open yourself:</p><p><code>{esc(store.data_dir)}</code></p>"
                     "<p>Nothing is sent anywhere and nobody else reads it, unless you choose to "
                     "share a copy with your therapist. It is plain files you own; a copy is kept "
                     "each day in case something goes wrong.</p>")
        text = w.HTML(
            '<div class="wb-welcome-box"><h2 class="wb-title">Welcome</h2>' + where +
            "<p><strong>What would you like to track?</strong> Untick anything you do not want "
            "to see. You can change this later on <em>My data</em>.</p></div>")
        self.choices = {}
        boxes = []
        for kind, label in exercises.trackable().items():  # `trackable` and `track` in each file
            box = w.Checkbox(value=True, description=label, indent=False,
                             layout=w.Layout(width="auto"))
            box.add_class(f"wb-track-{kind}")
            self.choices[kind] = box
            boxes.append(box)
        self.start = w.Button(description="Start", button_style="primary",
                              layout=w.Layout(width="auto"))
        self.start.add_class("wb-welcome-start")
        self.start.on_click(lambda _: self.finish())
        demo = w.HTML(
            '<p class="wb-help">Want to look around first? Close this page and run '
            "<code>workbook demo</code>: it opens the workbook with a year of made-up entries, in "
            "a separate folder, so your own stays empty until you begin.</p>")
        super().__init__([text, *boxes, self.start] + ([] if hosted(store) else [demo]))
        self.add_class("wb-welcome")

    def finish(self) -> None:
        chosen = [kind for kind, box in self.choices.items() if box.value] or ["mood"]
        self.store.save_settings({"welcomed": True, "tools": chosen})
        self.layout.display = "none"
        self.on_done(chosen)
