"""Inside a kernel the Progress page is shown first and drawn one chart at a time, the person's
clicks handled between charts; what it ends up showing is what the page drawn at once shows."""

from __future__ import annotations

import asyncio
import datetime as dt
import subprocess
import sys

from workbook import sample
from workbook.ui import dashboard
from workbook.ui.dashboard import ProgressPage

TODAY = dt.date(2026, 3, 18)


def drawn(page: ProgressPage) -> int:
    return sum(len(section.specs) for section in page.sections.values())


def words(page: ProgressPage) -> dict[str, str]:
    return {name: section.value for name, section in page.sections.items()}


def run_in_a_loop(page: ProgressPage, between=None) -> list[int]:
    """`page.refresh()` on a running loop, as in a kernel; the charts drawn after each turn."""
    seen: list[int] = []

    async def main() -> None:
        page.refresh()
        seen.append(drawn(page))
        for _ in range(30):
            await asyncio.sleep(0)
            seen.append(drawn(page))
            if between:
                between(page)

    asyncio.run(main())
    return seen


def test_the_page_shows_first_then_draws_a_chart_at_a_time(store):
    sample.generate(store, sample.ONE_YEAR, seed=6, end=TODAY)
    page = ProgressPage(store, today=TODAY, draw=False)
    seen = run_in_a_loop(page)
    assert seen[0] == 0  # refresh returned before anything was read or drawn
    assert sorted(set(seen)) == [0, 1, 2, 3, 4, 6]  # a section at a time (thought records: two)
    assert page.drawing.value == ""  # the "drawing" line is gone at the end
    whole = ProgressPage(store, today=TODAY)
    assert words(page) == words(whole)
    assert [s.specs for s in page.sections.values()] == [s.specs for s in whole.sections.values()]


def test_a_click_queued_while_drawing_is_handled_before_the_next_chart(store, monkeypatch):
    sample.generate(store, sample.ONE_YEAR, seed=6, end=TODAY)
    page = ProgressPage(store, today=TODAY, draw=False)
    clicks: list[int] = []
    real = dashboard.SectionView.show

    def show(section, part):
        real(section, part)
        if not clicks:  # the first chart is on the page: the person clicks
            asyncio.get_running_loop().call_soon(lambda: clicks.append(drawn(page)))

    monkeypatch.setattr(dashboard.SectionView, "show", show)
    run_in_a_loop(page)
    assert clicks == [1]  # handled with one chart drawn, before the second


def test_changing_the_range_while_drawing_draws_that_range_and_stops_the_rest(store):
    sample.generate(store, sample.ONE_YEAR, seed=6, end=TODAY)
    page = ProgressPage(store, today=TODAY, draw=False)

    def pick_all_time(p: ProgressPage) -> None:
        if drawn(p) == 1 and p.range.value != 0:
            p.range.value = 0

    run_in_a_loop(page, pick_all_time)
    whole = ProgressPage(store, today=TODAY, days=0)
    assert words(page) == words(whole)
    assert [s.specs for s in page.sections.values()] == [s.specs for s in whole.sections.values()]


def test_a_step_that_fails_says_so_on_the_page(store, monkeypatch):
    sample.generate(store, sample.ONE_YEAR, seed=6, end=TODAY)
    page = ProgressPage(store, today=TODAY, draw=False)

    def broken(*args, **kwargs):
        raise OSError("disk gone")

    monkeypatch.setattr(page.store, "load", broken)
    run_in_a_loop(page)
    assert "could not be read just now (disk gone)" in page.feedback.error.value
    assert page.drawing.value == ""


def test_the_page_is_on_screen_before_pandas_is_imported(tmp_path):
    """A fresh kernel: the page built and refreshed (what the app shows at once) imports no
    pandas; the first step after it does, and the charts follow."""
    code = f"""
import asyncio, sys
from workbook import sample
from workbook.store import Store
store = Store({str(tmp_path / "data")!r})
sample.generate(store, sample.ONE_YEAR, seed=2)
assert "pandas" not in sys.modules
from workbook.ui.dashboard import ProgressPage

async def main():
    page = ProgressPage(store, draw=False)
    page.refresh()
    print("pandas" in sys.modules, "Drawing your charts" in page.drawing.value)
    for _ in range(30):
        await asyncio.sleep(0)
    print("pandas" in sys.modules, sum(len(s.specs) for s in page.sections.values()) >= 5)

asyncio.run(main())
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "True", "True", "True"], out.stderr
