"""Showing text safely: everything a person typed is escaped before it reaches HTML."""

from __future__ import annotations

import html
import itertools


def esc(text: object) -> str:
    """HTML-escaped text (quotes too), so user text never becomes markup."""
    return html.escape("" if text is None else str(text), quote=True)


def esc_lines(text: object) -> str:
    """Escaped text with its line breaks kept."""
    return "<br>".join(esc(line) for line in str(text or "").splitlines())


def shorten(text: object, limit: int = 120) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def hosted(store: object) -> bool:
    """Whether the folder is a workshop participant's on someone else's computer.

    The words about where data lives depend on it: "this computer" and `workbook restore`
    are true for a person's own copy, not for a participant's private workshop folder.
    """
    return getattr(store, "workshop", None) is not None


_focus_tokens = itertools.count(1)


def focus_attrs() -> str:
    """Attributes asking the page's script to move keyboard focus here, once.

    Used where an action moves what matters elsewhere on the page (Edit opens the form at
    the top, a deleted row disappears, a session's small step opens another tool): each call
    gives a new token, and the script focuses an element the first time it sees its token.
    """
    return f'tabindex="-1" data-wb-focus="{next(_focus_tokens)}"'
