"""Widgets made in a block reach the page whole: one message each, when the block ends.

ipywidgets opens a widget's comm in its constructor, sending the widget's state then; every
trait set afterwards (a class added, a label, a value, a box's children) is one more message.
A page built from a click is mostly such follow-ups: the check-in's first visit was 95
`comm_open` and 203 `update` messages, and the browser shows the form when the last lands.

`sent_whole()` holds back what the block's widgets and the page's existing ones would send:

- a widget made in the block gets its id at once (so a box can hold it), and its comm is
  opened when the block ends, with its state as it is then: one message, nothing after it;
  each widget is opened after the widgets its state names, so the page never meets an id
  it does not know;
- what existing widgets send in the block (a box given a new child, a value shown) is
  sent after those openings, in the order it was sent.

Nothing else changes: callbacks, values and closing work as before, in the block and after
it. Blocks nest (the outermost one sends). A failure in the block still sends what it made.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import comm
import ipywidgets as w
from ipywidgets._version import __protocol_version__
from ipywidgets.widgets.widget import _remove_buffers

log = logging.getLogger(__name__)

_REF = "IPY_MODEL_"


class _Unsent:
    """A new widget's comm until its block ends: it names the widget and sends nothing (a
    comm without a kernel, which ipywidgets does not send through)."""

    kernel = None

    def __init__(self, block: _Block, comm_id: str | None = None) -> None:
        self.block = block
        self.comm_id = comm_id or uuid.uuid4().hex

    def on_msg(self, callback: Any) -> None:
        """Nothing can arrive for a widget the page does not have yet."""

    def close(self, *args: Any, **kwargs: Any) -> None:
        """Closed before it was sent: it is never sent."""
        self.block.unsent.pop(self.comm_id, None)


class _Block:
    def __init__(self) -> None:
        self.unsent: dict[str, w.Widget] = {}  # comm id -> widget, in the order they were made
        self.sends: list[tuple[w.Widget, dict, Any]] = []  # what existing widgets sent

    def made(self, widget: w.Widget) -> None:
        """ipywidgets' construction hook: runs before the widget would open its comm."""
        if widget.comm is None:
            widget.comm = _Unsent(self, getattr(widget, "_model_id", None))
            self.unsent[widget.comm.comm_id] = widget

    def send(self, widget: w.Widget, msg: dict, buffers: Any = None) -> None:
        self.sends.append((widget, msg, buffers))

    def open(self, widget: w.Widget) -> None:
        """Open one widget's comm with its state now, after every unsent widget it names."""
        placeholder = widget.comm
        if not isinstance(placeholder, _Unsent) or self.unsent.pop(placeholder.comm_id, None) is None:
            return
        state, buffer_paths, buffers = _remove_buffers(widget.get_state())
        for ref in _refs(state):
            named = self.unsent.get(ref)
            if named is not None:
                self.open(named)
        widget.comm = comm.create_comm(
            target_name="jupyter.widget", data={"state": state, "buffer_paths": buffer_paths},
            buffers=buffers, metadata={"version": __protocol_version__},
            comm_id=placeholder.comm_id)

    def finish(self) -> None:
        while self.unsent:
            self.open(next(iter(self.unsent.values())))
        for widget, msg, buffers in self.sends:
            if widget.comm is not None:  # else closed since: the page has dropped it
                original_send(widget, msg, buffers)
        self.sends.clear()


def _refs(value: Any) -> Iterator[str]:
    """The widget ids a state names (as ipywidgets serialises them: "IPY_MODEL_<id>")."""
    if isinstance(value, str):
        if value.startswith(_REF):
            yield value[len(_REF):]
    elif isinstance(value, dict):
        for item in value.values():
            yield from _refs(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _refs(item)


original_send = w.Widget._send
_current: _Block | None = None


@contextmanager
def sent_whole() -> Iterator[None]:
    """Widgets made in the block are sent once each when it ends; existing widgets' messages
    follow them (see the module's text)."""
    global _current
    if _current is not None:  # nested: the outer block sends
        yield
        return
    block = _current = _Block()
    hook = w.Widget._widget_construction_callback
    w.Widget.on_widget_constructed(block.made)
    w.Widget._send = block_send
    try:
        yield
    finally:
        w.Widget._send = original_send
        w.Widget.on_widget_constructed(hook)
        _current = None
        try:
            block.finish()
        except Exception:  # never lose the page over how it is sent
            log.exception("sending the page's widgets failed")
            raise


def block_send(self: w.Widget, msg: dict, buffers: Any = None) -> None:
    """`Widget._send` in a block: an existing widget's message waits for the block's end."""
    if _current is None:  # pragma: no cover - only installed while a block runs
        original_send(self, msg, buffers)
    elif isinstance(self.comm, _Unsent):
        if msg.get("method") != "update":  # a custom message: after the widget is opened
            _current.send(self, msg, buffers)
    else:
        _current.send(self, msg, buffers)
