"""The benchmark suite: every row measured beside its floor in the same run.

    make bench                 # all rows, writes docs/performance.md
    python benchmarks/run.py --runs 3 --only save,memory

Rows (targets from the performance issue):
  open      opening the app until a mood check-in can be saved, 1 and 10 years, cold kernel,
            vs a one-button ipywidgets notebook on stock Voila          target <= 1.25x
  switch    switching tools inside the app until usable                target <= 150 ms
  save      click -> row on disk -> list and chart updated, kernel side, ten years vs an empty
            folder                                                     target <= 50 ms median
  dashboard the progress page with ten years drawn in Chromium; bytes sent to the page
                                                                       target <= 1.5 s, <= 2 MB
  memory    kernel memory with the app page up vs the one-button kernel target <= 1.3x
  workshop  rows come from benchmarks/workshop.py when workshop mode is installed
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

from workbook import sample  # noqa: E402
from workbook.store import Store  # noqa: E402

READY_MS = 120_000


def make_data(root: Path, size: sample.Size, name: str) -> Path:
    folder = root / name
    sample.generate(Store(folder), size, seed=11)
    return folder


def time_open_app(browser, url: str) -> float:
    """From navigation until the mood form's Save can be clicked."""
    page = browser.new_page()
    try:
        start = time.perf_counter()
        page.goto(url)
        page.click(".wb-nav-mood", timeout=READY_MS)
        page.wait_for_selector(".wb-page-mood .wb-save", state="visible", timeout=READY_MS)
        return time.perf_counter() - start
    finally:
        page.close()


def time_open_floor(browser, url: str) -> float:
    page = browser.new_page()
    try:
        start = time.perf_counter()
        page.goto(url)
        page.wait_for_selector(".floor-button", state="visible", timeout=READY_MS)
        return time.perf_counter() - start
    finally:
        page.close()


def bench_open(root: Path, runs: int) -> list[dict]:
    floor_nb = harness.one_button_notebook(root / "floor")
    datasets = {"1 year": make_data(root, sample.ONE_YEAR, "one_year"),
                "10 years": make_data(root, sample.TEN_YEARS, "ten_years")}
    times: dict[str, list[float]] = {"floor": [], **{k: [] for k in datasets}}
    with harness.chromium() as browser, harness.stock_voila(floor_nb) as floor:
        servers = {}
        try:
            for name, folder in datasets.items():
                servers[name] = harness.workbook_serve(folder)
            started = {name: ctx.__enter__() for name, ctx in servers.items()}
            for _ in range(runs):  # interleaved, so load on the machine hits every series alike
                times["floor"].append(time_open_floor(browser, floor.url))
                for name, server in started.items():
                    times[name].append(time_open_app(browser, server.url))
        finally:
            for ctx in servers.values():
                ctx.__exit__(None, None, None)
    floor_s = harness.summary(times["floor"])
    rows = []
    for name in datasets:
        s = harness.summary(times[name])
        rows.append({"row": f"open app until a mood check-in can be saved, {name}, cold",
                     "value": f"{s['median']:.2f} s ({s['min']:.2f}-{s['max']:.2f})",
                     "floor": f"{floor_s['median']:.2f} s one-button page",
                     "ratio": s["median"] / floor_s["median"], "target": 1.25, "kind": "ratio"})
    return rows


def bench_switch_and_dashboard(root: Path, runs: int) -> list[dict]:
    folder = make_data(root, sample.TEN_YEARS, "ten_years_browser")
    first: list[float] = []
    again: list[float] = []
    dash: list[float] = []
    dash_bytes: list[int] = []
    tools = ["mood", "thought_record", "win", "session", "checkin", "start"]
    with harness.chromium() as browser, harness.workbook_serve(folder) as server:
        for _ in range(runs):
            page = browser.new_page(viewport={"width": 1000, "height": 900})
            counter = harness.ByteCounter(page)
            page.goto(server.url)
            page.wait_for_selector(".wb-nav-mood", timeout=READY_MS)
            for visit in (first, again):  # the first visit builds a page, the next only shows it
                for kind in tools:
                    selector = (f".wb-content .wb-page-{kind} .wb-form .wb-input >> nth=0"
                                if kind != "start" else ".wb-content .wb-page-start")
                    page.wait_for_timeout(300)  # let the last page finish drawing its chart
                    start = time.perf_counter()
                    page.click(f".wb-nav-{kind}")
                    page.wait_for_selector(selector, state="visible", timeout=READY_MS)
                    visit.append(time.perf_counter() - start)
            before = counter.total
            start = time.perf_counter()
            page.click(".wb-nav-progress")
            page.wait_for_selector(".wb-page-progress", state="visible")
            page.wait_for_function(
                "() => document.querySelectorAll('.wb-page-progress .wb-chart svg').length >= 5",
                timeout=READY_MS)
            dash.append(time.perf_counter() - start)
            time.sleep(0.5)
            dash_bytes.append(counter.total - before)
            page.close()
    s_first, s_again = harness.summary(first), harness.summary(again)
    s_dash = harness.summary(dash)
    return [
        {"row": "switch to a tool already opened, until its form is usable (ten years)",
         "value": f"{s_again['median'] * 1000:.0f} ms (max {s_again['max'] * 1000:.0f} ms)",
         "floor": "-", "ratio": s_again["median"] * 1000, "target": 150, "kind": "ms"},
        {"row": "switch to a tool the first time, until its form is usable (ten years)",
         "value": f"{s_first['median'] * 1000:.0f} ms (max {s_first['max'] * 1000:.0f} ms)",
         "floor": "-", "ratio": s_first["median"] * 1000, "target": 150, "kind": "ms"},
        {"row": "progress dashboard, ten years: all charts drawn in Chromium",
         "value": f"{s_dash['median']:.2f} s ({s_dash['min']:.2f}-{s_dash['max']:.2f})",
         "floor": "-", "ratio": s_dash["median"], "target": 1.5, "kind": "s"},
        {"row": "progress dashboard, ten years: bytes sent to the page",
         "value": f"{statistics.median(dash_bytes) / 1e6:.2f} MB", "floor": "-",
         "ratio": statistics.median(dash_bytes) / 1e6, "target": 2.0, "kind": "MB"},
    ]


def bench_save(root: Path, runs: int) -> list[dict]:
    """Kernel side: the Save click until the row is on disk and list and chart are redrawn."""
    from workbook.ui.app import App

    def timed(folder: Path) -> list[float]:
        app = App(Store(folder))
        app.show("mood")
        form = app.pages["mood"].form
        out = []
        for i in range(runs * 5 + 1):
            form.inputs["mood"].set(i % 11)
            form.inputs["note"].set(f"benchmark entry {i}, with a comma")
            start = time.perf_counter()
            form.save_button.click()
            out.append(time.perf_counter() - start)
            assert "wb-ok" in form.feedback.status.value, form.feedback.error.value
        return out[1:]  # the first includes drawing's one-off start-up

    ten = timed(make_data(root, sample.TEN_YEARS, "ten_years_save"))
    empty = timed(root / "empty_save")
    s_ten, s_empty = harness.summary(ten), harness.summary(empty)
    return [{"row": "save a mood check-in: click -> on disk -> list and chart updated, ten years",
             "value": f"{s_ten['median'] * 1000:.0f} ms (IQR {s_ten['iqr'][0] * 1000:.0f}-"
                      f"{s_ten['iqr'][1] * 1000:.0f})",
             "floor": f"{s_empty['median'] * 1000:.0f} ms empty folder",
             "ratio": s_ten["median"] * 1000, "target": 50, "kind": "ms"}]


def bench_memory(root: Path, runs: int) -> list[dict]:
    """Kernel memory once the page is up (Start here), and with the mood tool open (its chart)."""
    floor_nb = harness.one_button_notebook(root / "floor_mem")
    folder = make_data(root, sample.TEN_YEARS, "ten_years_mem")
    floor_mb, up_mb, mood_mb = [], [], []
    with harness.chromium() as browser:
        for _ in range(runs):
            with harness.stock_voila(floor_nb) as floor:
                page = browser.new_page()
                page.goto(floor.url)
                page.wait_for_selector(".floor-button", timeout=READY_MS)
                time.sleep(1)
                floor_mb.append(harness.rss_mb(floor.kernels()))
                page.close()
            with harness.workbook_serve(folder) as server:
                page = browser.new_page()
                page.goto(server.url)
                page.wait_for_selector(".wb-page-start", timeout=READY_MS)
                time.sleep(1)
                up_mb.append(harness.rss_mb(server.kernels()))
                page.click(".wb-nav-mood")
                page.wait_for_selector(".wb-page-mood .wb-chart svg", timeout=READY_MS)
                time.sleep(1)
                mood_mb.append(harness.rss_mb(server.kernels()))
                page.close()
    f, up, mood = (statistics.median(v) for v in (floor_mb, up_mb, mood_mb))
    return [{"row": "kernel memory with the app page up (Start here)",
             "value": f"{up:.0f} MB", "floor": f"{f:.0f} MB one-button kernel",
             "ratio": up / f, "target": 1.3, "kind": "ratio"},
            {"row": "kernel memory with the mood tool and its ten-year chart open (for reference)",
             "value": f"{mood:.0f} MB", "floor": f"{f:.0f} MB one-button kernel",
             "ratio": mood / f, "target": 1.3, "kind": "ratio"}]


BENCHES = {"open": bench_open, "switch": bench_switch_and_dashboard, "save": bench_save,
           "memory": bench_memory}


def verdict(row: dict) -> str:
    return "met" if row["ratio"] <= row["target"] else "NOT met"


def table(rows: list[dict]) -> str:
    lines = ["| what | measured | floor, same run | figure | target | |", "|---|---|---|---|---|---|"]
    for r in rows:
        unit = {"ratio": "×", "ms": " ms", "s": " s", "MB": " MB"}[r["kind"]]
        figure = f"{r['ratio']:.2f}{unit}" if r["kind"] != "ms" else f"{r['ratio']:.0f}{unit}"
        target = f"≤ {r['target']}{unit}"
        lines.append(f"| {r['row']} | {r['value']} | {r['floor']} | {figure} | {target} | "
                     f"{verdict(r)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default=",".join(BENCHES))
    parser.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "docs" /
                                             "performance.md"))
    args = parser.parse_args(argv)
    rows: list[dict] = []
    root = Path(tempfile.mkdtemp(prefix="wb-bench-"))
    try:
        for name in args.only.split(","):
            print(f"- {name} ...", file=sys.stderr, flush=True)
            rows += BENCHES[name](root, args.runs)
            print(table(rows), file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    try:
        import workshop as workshop_bench  # benchmarks/workshop.py, when workshop mode exists

        if "workshop" in args.only or args.only == ",".join(BENCHES):
            rows += workshop_bench.run(args.runs)
    except ImportError:
        pass
    text = table(rows)
    print(text)
    machine = (f"{platform.node()}: {psutil_cpus()} cores, {platform.python_version()}, "
               f"{platform.platform()}")
    command = "make bench" if argv is None else "python benchmarks/run.py " + " ".join(argv)
    Path(args.out).write_text(
        "# Performance\n\n"
        "<!-- Written by benchmarks/run.py; rerun `make bench` to refresh. -->\n\n"
        f"Measured {dt.date.today().isoformat()} on {machine}, with `{command}` "
        f"({args.runs} runs each; medians, spread in brackets). Every figure is compared with a floor "
        "measured in the same run on the same machine: these machines are shared and noisy, so "
        "only ratios side by side mean much.\n\n" + text + "\n", encoding="utf-8")
    return 0 if all(verdict(r) == "met" for r in rows) else 1


def psutil_cpus() -> int:
    import psutil

    return psutil.cpu_count() or 0


if __name__ == "__main__":
    sys.exit(main())
