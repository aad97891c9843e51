"""What every page of the app is given and what it offers: one protocol instead of guesses.

The app builds every page the same way, from the store and the same `Links` (open another
page, what follows a save, open the safety plan), and asks every page the same things: to
`refresh()` from disk when it is shown, and to start a new entry from given values. A page never
learns about the app itself, so it can be built and driven alone in a test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

Navigate = Callable[[str, "dict[str, Any] | None"], None]
Saved = Callable[[str], None]


def _stay(kind: str, prefill: dict[str, Any] | None = None) -> None:
    """Where a page built on its own goes when it asks for another page: nowhere."""


@dataclass(frozen=True)
class Links:
    """How a page reaches beyond itself; a page built alone (a test, a notebook) gets the defaults.

    `navigate(kind, prefill)` opens another page (with a new entry started from `prefill`, or
    None); `on_saved` are called with the id of each entry saved on the page, after the page has
    redrawn; `open_plan` opens the safety plan (None: there is none to open here);
    `on_track` is told the exercises the person chose to track.
    """

    navigate: Navigate = _stay
    on_saved: tuple[Saved, ...] = field(default=())
    open_plan: Callable[[], None] | None = None
    on_track: Callable[[list[str]], None] | None = None


@runtime_checkable
class Page(Protocol):
    """What the app asks of every page it shows."""

    def refresh(self) -> None:
        """Redraw from what is on disk; called each time the page is opened."""


@runtime_checkable
class EntryPage(Page, Protocol):
    """A page with a form: it can start a new entry from values given by another page."""

    def prefill(self, values: dict[str, Any]) -> None:
        """Start a new entry with these fields filled in (the rest left as they start)."""
