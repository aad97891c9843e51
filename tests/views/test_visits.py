"""Visiting a tool: pages built ahead while the person is idle, in slices that let their clicks
through first, kept in the browser so that a later visit only shows them again."""

from __future__ import annotations

import subprocess
import sys

import pytest
from ipywidgets.widgets.widget import _instances

from workbook import exercises, sample
from workbook.store import Store
from workbook.store import entries as store_entries
from workbook.ui import ahead as ahead_module
from workbook.ui.app import App

TOOLS = ["mood", "thought_record", "win", "session", "checkin"]


class Loop:
    """A stand-in for the kernel's event loop: callbacks wait until the test runs them."""

    def __init__(self) -> None:
        self.now = 0.0
        self.waiting: list[tuple[float, object]] = []

    def later(self, delay: float, callback) -> None:
        self.waiting.append((self.now + delay, callback))

    def clock(self) -> float:
        return self.now

    def run_one(self) -> bool:
        """Run the next callback due (moving the clock to it); False when none is waiting."""
        if not self.waiting:
            return False
        self.waiting.sort(key=lambda item: item[0])
        when, callback = self.waiting.pop(0)
        self.now = max(self.now, when)
        callback()
        return True

    def run_all(self, limit: int = 200) -> int:
        ran = 0
        while ran < limit and self.run_one():
            ran += 1
        return ran


@pytest.fixture(scope="module")
def year_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("year") / "data"
    sample.generate(Store(folder), sample.ONE_YEAR, seed=5)
    return folder


@pytest.fixture
def loop() -> Loop:
    return Loop()


@pytest.fixture
def app(year_folder, loop) -> App:
    built = App(Store(year_folder), later=loop.later)
    built.ahead.clock = loop.clock
    return built


def browser_has_the_app(app: App) -> None:
    """What the browser does when it builds the app's link: the target takes the source's value."""
    app.page_signal.target.value = app.page_signal.source.value


def created_by(action) -> list:
    before = set(_instances)
    action()
    return [_instances[k] for k in set(_instances) - before]


def test_nothing_is_built_ahead_before_a_browser_has_the_app(app, loop):
    """Widgets made before the browser connects would be sent with the app's first state and
    slow its opening; a headless run, which never connects, builds nothing ahead."""
    assert loop.waiting == []
    assert set(app.pages) == {"start"}
    browser_has_the_app(app)
    assert len(loop.waiting) == 1
    assert set(app.pages) == {"start"}  # nothing yet: the first slice comes after START_S
    assert loop.waiting[0][0] >= ahead_module.START_S


def test_the_tool_pages_are_built_ahead_filled_and_hidden(app, loop):
    browser_has_the_app(app)
    loop.run_all()
    wanted = [k for k in TOOLS if k in exercises.in_menu()]
    assert [kind for kind in app.holders if kind != "start"] == wanted  # menu order
    assert app.current == "start" and "wb-page-start" in app.shown._dom_classes
    for kind in wanted:
        assert app.holders[kind].layout.display == "none"
        assert app.pages[kind].entries.shown, f"{kind}: its list was not filled"
    assert app.pages["mood"].chart.shown is not None  # its chart is in, too
    assert "pandas" not in {type(p).__module__ for p in app.pages.values()}


def test_each_slice_does_one_step_of_one_page(app, loop, monkeypatch):
    """A slice builds one page's widgets, or fills one built page: never more, so a click that
    arrives meanwhile waits for one small step at most."""
    browser_has_the_app(app)
    steps: list[list[tuple[str, str]]] = []
    build, fill = app.ahead.build, app.ahead.fill
    current: list[tuple[str, str]] = []
    app.ahead.build = lambda kind: (current.append(("build", kind)), build(kind))
    app.ahead.fill = lambda kind: (current.append(("fill", kind)), fill(kind))
    while loop.run_one():
        steps.append(list(current))
        current.clear()
    assert all(len(step) <= 1 for step in steps), steps
    done = [step[0] for step in steps if step]
    assert done == [(stage, kind) for kind in TOOLS if kind in exercises.in_menu()
                    for stage in ("build", "fill")]


def test_a_click_comes_first_and_pushes_the_work_back(app, loop):
    """The person's click is handled at once (their page built in view if it was not ready);
    no slice runs until they have been idle for IDLE_S."""
    browser_has_the_app(app)
    loop.run_one()  # the first slice: the mood page's widgets
    assert app.ahead.slices == [("build", "mood")]
    loop.now += 0.01
    app.nav_buttons["win"].click()  # a click arrives between slices
    assert app.current == "win" and "wb-page-win" in app.shown._dom_classes
    clicked = loop.now
    loop.run_one()  # the slice that was due: it only waits again
    assert app.ahead.slices == [("build", "mood")]
    loop.run_one()
    assert loop.now >= clicked + ahead_module.IDLE_S
    assert app.ahead.slices == [("build", "mood"), ("fill", "mood")]
    loop.run_all()
    assert "win" not in [kind for _, kind in app.ahead.slices]  # opened by the person already
    assert app.current == "win" and app.holders["mood"].layout.display == "none"


def test_a_page_built_ahead_opens_without_building_or_reading(app, loop, monkeypatch):
    """Opening it makes no widget and reads no file that has not changed: the browser has the
    page already and only shows it."""
    browser_has_the_app(app)
    loop.run_all()
    reads = []
    read_table = store_entries.read_table
    monkeypatch.setattr(store_entries, "read_table",
                        lambda *a, **k: (reads.append(a[0]), read_table(*a, **k))[1])
    children = app.content.children
    for kind in TOOLS:
        made = created_by(lambda k=kind: app.nav_buttons[k].click())
        assert made == [], (kind, sorted(type(m).__name__ for m in made))
        assert app.shown is app.pages[kind]
        assert app.opening.layout.display == "none"  # no "Opening…" line in between
    assert reads == []
    assert app.content.children == children  # the browser keeps every page it has


def test_a_repeat_visit_shows_the_kept_page_and_what_changed(app, loop, year_folder):
    """A page opened before is shown again, not built again; it is refreshed first, so an entry
    saved elsewhere meanwhile (another tab) is in its list."""
    app.nav_buttons["win"].click()
    page = app.pages["win"]
    app.nav_buttons["start"].click()
    assert app.holders["win"].layout.display == "none"
    Store(year_folder).add("win", {"description": "made tea in the other tab"})
    children = app.content.children
    made = created_by(lambda: app.nav_buttons["win"].click())
    assert made == []
    assert app.shown is page and app.content.children == children
    assert "made tea in the other tab" in page.entries.rows.value


def test_a_page_that_fails_ahead_is_built_again_when_opened(app, loop, monkeypatch):
    browser_has_the_app(app)
    real = app.ahead.build

    def broken(kind):
        if kind == "mood":
            raise RuntimeError("disk hiccup")
        real(kind)

    app.ahead.build = broken
    loop.run_all()
    assert "mood" not in app.holders and "win" in app.holders
    app.nav_buttons["mood"].click()
    assert "wb-page-mood" in app.shown._dom_classes


def test_only_tracked_tools_are_built_ahead(year_folder, loop):
    app = App(Store(year_folder), later=loop.later)
    app.ahead.clock = loop.clock
    app.track(["mood", "win"])
    browser_has_the_app(app)
    loop.run_all()
    assert {kind for kind in app.holders if kind != "start"} == {"mood", "win"}


def test_outside_a_kernel_nothing_is_built_ahead(year_folder):
    assert ahead_module.kernel_later() is None
    assert App(Store(year_folder)).ahead is None


def test_every_tool_page_opens_and_is_built_ahead_without_pandas(tmp_path):
    """A fresh kernel: every tool page of the menu opened and built ahead on a year of entries
    imports neither pandas nor Altair (importing pandas blocks the kernel for about half a
    second, and a click waiting behind it)."""
    code = f"""
import sys
from workbook import sample
from workbook.store import Store
from workbook.ui.app import App
store = Store({str(tmp_path / "data")!r})
sample.generate(store, sample.ONE_YEAR, seed=2)
waiting = []
app = App(store, later=lambda delay, callback: waiting.append(callback))
app.page_signal.target.value = app.page_signal.source.value
while waiting:
    waiting.pop(0)()
assert len(app.holders) >= 6, sorted(app.holders)
for kind in {TOOLS!r}:
    app.show(kind)
print(sorted(m for m in ("altair", "pandas", "vl_convert") if m in sys.modules))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]", out.stderr


def test_every_message_from_the_page_pushes_the_work_back(app, loop):
    """A slider moved or a letter typed reaches the kernel as a widget message: each one counts
    as the person being busy, so nothing is built ahead in the middle of their action."""
    class Kernel:
        def __init__(self):
            self.handled = []
            self.shell_handlers = {"comm_msg": lambda *args: self.handled.append(args) or "done"}

    kernel = Kernel()
    assert ahead_module.watch_messages(kernel, app.ahead.poke)
    browser_has_the_app(app)
    loop.run_one()
    assert app.ahead.slices == [("build", "mood")]
    typed = loop.now
    assert kernel.shell_handlers["comm_msg"]("stream", [], {"msg": 1}) == "done"
    assert kernel.handled == [("stream", [], {"msg": 1})]  # the message itself, handled as before
    fill, filled_at = app.ahead.fill, []
    app.ahead.fill = lambda kind: (filled_at.append(loop.now), fill(kind))
    loop.run_all()
    assert filled_at and filled_at[0] >= typed + ahead_module.IDLE_S
    assert not ahead_module.watch_messages(object(), app.ahead.poke)  # no handlers: nothing to do
