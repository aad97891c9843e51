"""A page built from a click reaches the browser whole: one message per new widget, each
sent after the widgets it names, and what existing widgets send after those."""

from __future__ import annotations

from collections import Counter

import comm
import ipywidgets as w
import pytest
from comm.base_comm import BaseComm
from ipywidgets.widgets.widget import _instances

from workbook import sample
from workbook.ui import fields
from workbook.ui.app import App
from workbook.ui.sent_whole import sent_whole


class Wire:
    """Every message the kernel's widgets send, in order: (type, comm id, data)."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, str, dict]] = []

    def comm(self, *args, **kwargs) -> BaseComm:
        wire = self

        class Recorded(BaseComm):
            kernel = object()

            def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
                wire.messages.append((msg_type, self.comm_id, data or {}))

        return Recorded(*args, **kwargs)

    def of(self, msg_type: str) -> list[tuple[str, dict]]:
        return [(cid, data) for kind, cid, data in self.messages if kind == msg_type]

    def updates_to(self, ids: set[str]) -> list[dict]:
        return [data for cid, data in self.of("comm_msg")
                if cid in ids and data.get("method") == "update"]


@pytest.fixture
def wire(monkeypatch):
    recorded = Wire()
    monkeypatch.setattr(comm, "create_comm", recorded.comm)
    return recorded


def names(state) -> set[str]:
    found = set()
    if isinstance(state, str) and state.startswith("IPY_MODEL_"):
        found.add(state[len("IPY_MODEL_"):])
    elif isinstance(state, dict):
        for value in state.values():
            found |= names(value)
    elif isinstance(state, (list, tuple)):
        for value in state:
            found |= names(value)
    return found


def build(outer: w.VBox) -> list[w.Widget]:
    """What a page does: widgets made, then classes, values and children set after."""
    label = w.HTML("first")
    box = w.VBox([label])
    box.add_class("wb-form")
    label.value = "second"
    late = w.Button(description="Save")
    box.children = (label, late)
    outer.children = (box,)
    return [label, box, late]


def test_new_widgets_are_sent_once_each_with_their_final_state(wire):
    outer = w.VBox()
    before = len(wire.messages)
    with sent_whole():
        label, box, late = build(outer)
        assert len(wire.messages) == before  # nothing sent while the block runs
    opens = [(cid, data) for kind, cid, data in wire.messages[before:] if kind == "comm_open"]
    opened = [cid for cid, _ in wire.of("comm_open")]
    for widget in (label, box, late, late.style, box.layout):
        assert widget.model_id in opened
        assert widget.comm.kernel is not None  # a real comm now
        assert _instances[widget.model_id] is widget
    assert not wire.updates_to({w_.model_id for w_ in (label, box, late)})
    state = {cid: data["state"] for cid, data in opens}
    assert state[label.model_id]["value"] == "second"
    assert state[box.model_id]["_dom_classes"] in (["wb-form"], ("wb-form",))
    # every widget was opened after each widget it names
    order = {cid: i for i, cid in enumerate(opened)}
    for cid, data in opens:
        for named in names(data["state"]):
            assert order[named] < order[cid], "opened before a widget it names"
    # the existing box's new child: sent after the child was opened
    last_open = max(i for i, m in enumerate(wire.messages) if m[0] == "comm_open")
    update = [i for i, (kind, cid, data) in enumerate(wire.messages)
              if kind == "comm_msg" and cid == outer.model_id]
    assert update and update[0] > last_open
    assert wire.messages[update[0]][2]["state"]["children"] == [f"IPY_MODEL_{box.model_id}"]


def test_without_the_block_each_change_is_a_message_of_its_own(wire):
    """What the block saves: the same build sends updates for widgets it has just made."""
    label, box, late = build(w.VBox())
    assert len(wire.updates_to({label.model_id, box.model_id})) >= 3


def test_widgets_work_after_the_block(wire):
    clicks = []
    with sent_whole():
        save = w.Button(description="Save")
        save.on_click(lambda _b: clicks.append(1))
        text = w.Text()
    # a click from the page reaches the real comm's handler
    save.comm.handle_msg({"content": {"data": {"method": "custom", "content": {"event": "click"}}},
                          "buffers": []})
    assert clicks == [1]
    text.value = "typed"  # after the block, a change is sent at once
    assert wire.updates_to({text.model_id})[-1]["state"] == {"value": "typed"}


def test_a_widget_closed_in_the_block_is_never_sent(wire):
    with sent_whole():
        gone = w.HTML("gone")
        gone_id = gone.model_id
        gone.close()
        kept = w.HTML("kept")
    opened = {cid for cid, _ in wire.of("comm_open")}
    assert gone_id not in opened and kept.model_id in opened
    assert gone_id not in _instances


def test_a_failure_in_the_block_still_sends_what_it_made(wire):
    with pytest.raises(RuntimeError), sent_whole():
        made = w.HTML("made")
        raise RuntimeError("page failed")
    assert made.model_id in {cid for cid, _ in wire.of("comm_open")}
    # and the next block starts clean
    with sent_whole():
        again = w.HTML("again")
    assert again.model_id in {cid for cid, _ in wire.of("comm_open")}
    assert w.Widget._widget_construction_callback is None


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    from workbook.store import Store

    store = Store(tmp_path_factory.mktemp("year") / "data")
    sample.generate(store, sample.ONE_YEAR, seed=3)
    return store


@pytest.mark.parametrize("kind", ["checkin", "mood", "thought_record", "session", "win", "progress"])
def test_a_first_visit_is_one_message_per_new_widget(year, wire, monkeypatch, kind):
    """The check-in's first visit was 95 openings and 203 updates; now the updates left are
    the few the page's existing widgets need (the menu, the page's holder)."""
    monkeypatch.setattr(fields, "_SHARED", {}, raising=False)
    app = App(year)
    start = len(wire.messages)
    app.show(kind)
    visit = wire.messages[start:]
    opened = {cid for kind_, cid, _ in visit if kind_ == "comm_open"}
    updates = Counter(cid for kind_, cid, data in visit
                      if kind_ == "comm_msg" and data.get("method") == "update")
    assert opened
    assert not set(updates) & opened, "a widget just sent was updated again"
    assert sum(updates.values()) <= 20, updates
    assert app.shown is app.pages[kind]


def test_a_new_step_is_sent_whole(year, wire):
    """Next on the thought record builds the next step's inputs: each reaches the page in one
    message, and the step's box names them only after they are there."""
    app = App(year)
    app.show("thought_record")
    form = app.pages["thought_record"].form
    start = len(wire.messages)
    form.next_button.click()
    visit = wire.messages[start:]
    opened = [cid for kind, cid, _ in visit if kind == "comm_open"]
    assert opened, "the second step's inputs were built"
    updated = [cid for kind, cid, data in visit if kind == "comm_msg" and data.get("method") == "update"]
    assert not set(updated) & set(opened)
    step_box = [i for i, (kind, cid, _) in enumerate(visit)
                if kind == "comm_msg" and cid == form.step_box.model_id]
    assert step_box and step_box[0] > max(i for i, m in enumerate(visit) if m[0] == "comm_open")


def test_progress_drawn_step_by_step_sends_each_step_whole(year, wire, monkeypatch):
    """In a kernel, Progress reads and draws one step per turn of the loop, after the page
    shows: what each step builds (the sections, then a chart each) reaches the page whole."""
    import asyncio

    from workbook.ui import dashboard

    loop = asyncio.new_event_loop()
    monkeypatch.setattr(dashboard, "_kernel_loop", lambda: loop)
    steps: list[list[tuple[str, str, dict]]] = []
    step = dashboard.ProgressPage._step

    def recorded(self, loop_, steps_, turn):
        start = len(wire.messages)
        step(self, loop_, steps_, turn)
        steps.append(wire.messages[start:])

    monkeypatch.setattr(dashboard.ProgressPage, "_step", recorded)
    app = App(year)
    app.show("progress")
    try:
        for _ in range(200):  # every step queued behind the last, until none is left
            count = len(steps)
            loop.run_until_complete(asyncio.sleep(0.05))
            if steps and len(steps) == count:
                break
    finally:
        loop.close()
    assert len(steps) >= 3, "read, then one chart per step"
    for messages in steps:
        opened = {cid for kind, cid, _ in messages if kind == "comm_open"}
        updated = {cid for kind, cid, data in messages
                   if kind == "comm_msg" and data.get("method") == "update"}
        assert not opened & updated, "a widget sent in a step was updated again in it"
    assert app.pages["progress"].sections  # the sections were built in the first step
