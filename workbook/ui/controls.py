"""The small controls every page uses alike: a button and a link that saves a file.

One of each, so they look, size and behave the same on every page (and share their layout and
style models, which keeps a page's widget count down).
"""

from __future__ import annotations

import base64

import ipywidgets as w

from workbook.ui.fields import auto_layout, style_of
from workbook.ui.text import esc


def button(label: str, *classes: str, style: str = "", hidden_alone: bool = False) -> w.Button:
    """A button as wide as its label, with its CSS hooks (`wb-save`, `wb-next`, ...).

    One that is hidden and shown on its own (`hidden_alone`) gets a layout of its own: the shared
    one would hide every button that uses it.
    """
    layout = w.Layout(width="auto") if hidden_alone else auto_layout()
    made = w.Button(description=label, button_style=style, layout=layout, style=style_of(w.Button))
    for css in classes:
        made.add_class(css)
    return made


def data_url(data: bytes, mimetype: str) -> str:
    """The file inside a data: URL, so saving it sends nothing anywhere."""
    return f"data:{mimetype};base64,{base64.b64encode(data).decode('ascii')}"


def download_link(data: bytes, filename: str, mimetype: str, label: str | None = None) -> str:
    """An `<a download>` (`wb-download-link`) that saves `data` as `filename`; the label defaults
    to 'Download <filename>'. Both are escaped."""
    text = label if label is not None else f"Download {filename}"
    return (f'<a class="wb-download-link" download="{esc(filename)}" '
            f'href="{data_url(data, mimetype)}">{esc(text)}</a>')
