"""Pages built ahead: while the person looks at one page, the next ones are made ready.

A tool's first visit costs the browser far more than the kernel: every widget model of the
page has to arrive, be created and be drawn (about a second on a busy two-core machine). So,
once a browser shows the app and the person is idle, the tool pages in the menu are built and
filled one at a time and put into the page hidden; opening one then only makes it visible.

The person's clicks always come first. The work is cut into small slices (build one page's
widgets; fill it from disk and put it in the page), each run as its own callback on the
kernel's event loop, so a click that arrives meanwhile is handled before the next slice. Each
message from the person's page (`watch_messages`) pushes the next slice back (`IDLE_S`), so
nothing is sent for the browser to build while they are busy; and pages are spaced
(`PAGE_GAP_S`) so the browser can draw one before the next arrives.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

Later = Callable[[float, Callable[[], None]], Any]
"""Run a callback after a delay in seconds, from the event loop (as `loop.call_later`)."""

START_S = 1.0  # after the browser has the app: its own first drawing comes first
IDLE_S = 1.5  # after each message from the person (a visit, a click, a key), before the next slice
SLICE_GAP_S = 0.05  # between the slices of one page: messages that came in are handled first
PAGE_GAP_S = 0.4  # between pages: the browser draws one hidden page before the next arrives


def kernel_later() -> Later | None:
    """`call_later` of the running kernel's event loop, or None outside a running loop (a test,
    a script, a headless run): there nothing is built ahead."""
    try:
        loop = asyncio.get_event_loop()
    except RuntimeError:
        return None
    if not loop.is_running():
        return None
    return lambda delay, callback: loop.call_later(delay, callback)


def watch_messages(kernel: Any, on_message: Callable[[], None]) -> bool:
    """Call `on_message` as each widget message from the browser arrives (a click, a slider
    moved, a letter typed), just before the kernel handles it. Returns False for a kernel that
    does not route its messages through `shell_handlers` (then only page visits count)."""
    handlers = getattr(kernel, "shell_handlers", None)
    handle = handlers.get("comm_msg") if isinstance(handlers, dict) else None
    if handle is None:
        return False

    def comm_msg(*args: Any, **kwargs: Any) -> Any:
        try:
            on_message()
        except Exception:  # never in the way of the message itself
            log.exception("noting a message failed")
        return handle(*args, **kwargs)

    handlers["comm_msg"] = comm_msg
    return True


def the_kernel() -> Any:
    """The running IPython kernel, or None."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return None
    return getattr(get_ipython(), "kernel", None)


class Ahead:
    """A queue of slices for the pages not opened yet, run one per callback while idle.

    `build(kind)` makes a page's widgets; `fill(kind)` reads it from disk and puts it in the
    page, hidden. `wanted()` names the pages to prepare, in order, asked afresh at each slice
    (a page the person opened meanwhile, or stopped tracking, is dropped).
    """

    def __init__(self, later: Later, wanted: Callable[[], list[str]],
                 build: Callable[[str], None], fill: Callable[[str], None],
                 clock: Callable[[], float] = time.monotonic):
        self.later = later
        self.wanted = wanted
        self.build = build
        self.fill = fill
        self.clock = clock
        self.built: set[str] = set()
        self.failed: set[str] = set()
        self.started = False
        self.pending = False  # a slice is scheduled
        self.not_before = 0.0
        self.slices: list[tuple[str, str]] = []  # (stage, kind) in the order they ran

    def start(self, delay: float = START_S) -> None:
        """Begin (once): the first slice after `delay` seconds of the person doing nothing."""
        if self.started:
            return
        self.started = True
        self.not_before = self.clock() + delay
        self._schedule(delay)

    def poke(self) -> None:
        """The person did something: no slice runs for the next `IDLE_S` seconds."""
        self.not_before = max(self.not_before, self.clock() + IDLE_S)

    @property
    def done(self) -> bool:
        return self.started and not self.pending

    def _schedule(self, delay: float) -> None:
        self.pending = True
        self.later(max(0.0, delay), self.step)

    def step(self) -> None:
        """One slice: build one page's widgets, or fill one built page; then schedule the next."""
        self.pending = False
        wait = self.not_before - self.clock()
        if wait > 0:  # the person acted since this slice was scheduled
            self._schedule(wait)
            return
        kinds = [kind for kind in self.wanted() if kind not in self.failed]
        if not kinds:
            return
        kind = kinds[0]
        stage = "fill" if kind in self.built else "build"
        try:
            (self.fill if stage == "fill" else self.build)(kind)
        except Exception:  # an optimisation only: the visit builds it again, in view
            log.exception("building %s ahead failed", kind)
            self.failed.add(kind)
        else:
            self.slices.append((stage, kind))
            self.built.add(kind)
        if stage == "build" and kind not in self.failed:
            self._schedule(SLICE_GAP_S)
        elif len(kinds) > 1:
            self._schedule(PAGE_GAP_S)
