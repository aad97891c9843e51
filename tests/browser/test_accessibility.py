"""Accessibility in a real Chromium: axe-core on every page, the keyboard alone, 320 px, dark, no motion.

One server for the module, on a year of sample entries so that Progress has its charts; each
test still gets its own page (its own kernel). axe-core comes from npm (`make browser` runs
`npm ci` in tests/browser/axe/) and Playwright injects it from that local file: nothing is
fetched from anywhere else, and, as everywhere in this tier, a request to another host or any
dialog fails the test.

The keyboard tests use nothing but `page.keyboard`: Tab and Shift+Tab to move, Enter and Space
to press, arrows for sliders, radio groups and drop-downs; every stop must show its focus.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from wb_browser import ACTION_TIMEOUT_MS, PAGE_BUILD_TIMEOUT_MS, REPO, Server, go, start_server, stop_server

from workbook import sample
from workbook.store import Store

pytestmark = pytest.mark.browser

SCREENSHOTS = REPO / "docs" / "screenshots"
WIDE = {"width": 1000, "height": 900}
NARROW = {"width": 320, "height": 800}
BLOCKING = ("serious", "critical")
KERNEL_MS = 30_000  # a reply from the kernel; a busy 2-core machine can take seconds
APP_PAGES = ("start", "mood", "thought_record", "win", "session", "checkin", "homework", "progress",
             "data")
STEPS = ("Situation", "Emotions", "Automatic thoughts", "Thinking patterns", "Evidence for",
         "Evidence against", "Balanced thought", "Re-rate emotions")


def token() -> str:
    return uuid.uuid4().hex[:10]


# -- the server and axe ------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _patient_expect() -> Iterator[None]:
    """Most checks here wait on the kernel's reply: give them KERNEL_MS, then put the default back."""
    expect.set_options(timeout=KERNEL_MS)
    yield
    expect.set_options(timeout=ACTION_TIMEOUT_MS)  # the browser tier's default (conftest)


@pytest.fixture(scope="module")
def a11y_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`workbook serve` on a year of sample entries (Progress draws every chart)."""
    data = tmp_path_factory.mktemp("a11y") / "data"
    sample.generate(Store(data), sample.ONE_YEAR, seed=11)
    srv = start_server(data)
    yield srv
    stop_server(srv)


@pytest.fixture
def app_server(request: pytest.FixtureRequest) -> Server:
    """conftest's `page` and `watch` open this module's server (or `fresh_server`, if asked for)."""
    if "fresh_server" in request.fixturenames:
        return request.getfixturevalue("fresh_server")
    return request.getfixturevalue("a11y_server")


def axe(page: Page, axe_path: Path) -> list[dict]:
    """axe-core's violations on the page as it is now (every rule axe runs by default)."""
    if not page.evaluate("() => !!window.axe"):
        page.add_script_tag(path=str(axe_path))
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ") + "  " + n.html.slice(0, 120))}));
        }""")


def blocking(found: dict[str, list[dict]]) -> str:
    """The serious and critical violations, readably, or '' when there are none."""
    lines = []
    for where, violations in found.items():
        for v in violations:
            if v["impact"] in BLOCKING:
                nodes = "\n      ".join(v["nodes"][:5])
                lines.append(f"{where}: [{v['impact']}] {v['id']} ({v['help']})\n      {nodes}")
    return "\n".join(lines)


def counts(found: dict[str, list[dict]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for violations in found.values():
        for v in violations:
            out[v["impact"]] = out.get(v["impact"], 0) + len(v["nodes"])
    return out


# -- the page: theme, width, what overflows ----------------------------------------------------
def settle(page: Page) -> None:
    """Two animation frames: styles, the page's own script and layout have caught up."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def theme(page: Page) -> dict:
    return page.evaluate(
        """() => ({
            wb: document.documentElement.dataset.wbTheme,
            light: document.body.dataset.jpThemeLight,
            layout0: getComputedStyle(document.body).getPropertyValue("--jp-layout-color0").trim(),
            page: getComputedStyle(document.getElementById("rendered_cells")).backgroundColor,
            text: getComputedStyle(document.querySelector(".wb-app, .wb-page")).color,
        })""")


def set_system_theme(page: Page, scheme: str) -> None:
    page.emulate_media(color_scheme=scheme)
    expect(page.locator("html")).to_have_attribute("data-wb-theme", scheme)
    settle(page)


def overflow(page: Page) -> dict:
    """How far the page (and Voila's scrolling box) is wider than the window, and what sticks out.

    A chart or table may be wider than the screen only inside a box of its own that scrolls.
    """
    return page.evaluate(
        """() => {
            const width = window.innerWidth;
            const cells = document.getElementById("rendered_cells");
            const own = e => e.closest(".wb-chart-canvas, .wb-figure, .wb-table-view");
            const wide = [...cells.querySelectorAll("*")].filter(e => {
                const box = e.getBoundingClientRect();
                return box.width > 0 && box.right > width + 0.5 && !own(e);
            }).slice(0, 8).map(e => `${e.tagName.toLowerCase()}.${[...e.classList].join(".")} ` +
                                    `(${Math.round(e.getBoundingClientRect().right)} px)`);
            // cut off: sticking out of a box that clips or scrolls (ipywidgets' boxes do)
            const cut = [...cells.querySelectorAll("*")].filter(e => {
                const box = e.getBoundingClientRect();
                if (!box.width || own(e)) return false;
                let clip = e.parentElement;
                while (clip && clip !== cells && getComputedStyle(clip).overflowX === "visible") {
                    clip = clip.parentElement;
                }
                return clip && clip !== cells && box.right > clip.getBoundingClientRect().right + 1;
            }).slice(0, 8).map(e => `${e.tagName.toLowerCase()}.${[...e.classList].join(".")}`);
            return {document: document.scrollingElement.scrollWidth, width,
                    cells: cells.scrollWidth - cells.clientWidth, wide, cut};
        }""")


def sideways(narrow: dict[str, dict]) -> dict[str, dict]:
    """The pages (of `overflow` results) that scroll sideways or cut something off."""
    return {name: o for name, o in narrow.items()
            if o["document"] > NARROW["width"] or o["cells"] > 0 or o["wide"] or o["cut"]}


def full_screenshot(page: Page, path: Path) -> None:
    """The whole page at the current width (Voila scrolls inside #rendered_cells, not the document)."""
    size = page.viewport_size
    height = page.evaluate(
        """() => {
            const cells = document.getElementById("rendered_cells");
            return Math.ceil(cells.getBoundingClientRect().top + cells.scrollHeight);
        }""")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], height)})
    try:
        settle(page)
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(size)


# -- opening things ------------------------------------------------------------------------------
def charts_drawn(page: Page, root: Locator) -> int:
    """Wait until every chart on the Progress page is drawn; how many there are."""
    # the page is shown first and drawn a chart at a time; its "drawing" line goes at the end
    expect(root.locator(".wb-drawing .wb-opening")).to_have_count(0, timeout=PAGE_BUILD_TIMEOUT_MS)
    expect(root.locator(".wb-chart-canvas svg").first).to_be_visible(timeout=PAGE_BUILD_TIMEOUT_MS)
    page.wait_for_function(
        """() => {
            const canvases = [...document.querySelectorAll(".wb-page-progress .wb-chart .wb-chart-canvas")];
            return canvases.length > 0 && canvases.every(c => c.querySelector("svg"));
        }""")
    return root.locator(".wb-chart-canvas svg").count()


# ==============================================================================================
# axe on every page, light and dark, and every page at 320 px
# ==============================================================================================
def check_here(page: Page, axe_path: Path, name: str, found: dict, narrow: dict) -> None:
    """axe in light, axe in dark (as the system asks), then the page at 320 px wide."""
    # A step's fields arrive a moment after its title; axe runs once the page's script has
    # named every slider drawn so far (it does so on the next frame after they appear).
    page.wait_for_function(
        "() => [...document.querySelectorAll('.noUi-handle')].every(h => h.getAttribute('aria-label'))",
        timeout=KERNEL_MS)
    settle(page)
    found[f"{name} (light)"] = axe(page, axe_path)
    set_system_theme(page, "dark")
    found[f"{name} (dark)"] = axe(page, axe_path)
    set_system_theme(page, "light")
    page.set_viewport_size(NARROW)
    settle(page)
    narrow[name] = overflow(page)
    page.set_viewport_size(WIDE)
    settle(page)


@pytest.mark.timeout(480)
def test_every_app_page_passes_axe_in_light_and_dark_and_reflows_at_320(page: Page, axe_path: Path) -> None:
    found: dict[str, list[dict]] = {}
    narrow: dict[str, dict] = {}
    for kind in APP_PAGES:
        root = go(page, kind)
        if kind == "progress":
            charts_drawn(page, root)
        if kind == "mood":
            expect(root.locator(".wb-chart-canvas svg")).to_be_visible()
        check_here(page, axe_path, kind, found, narrow)
        if kind == "thought_record":
            form = root.locator(".wb-form")
            for number, title in enumerate(STEPS[1:], start=2):
                form.locator(".wb-next").click()
                expect(form.locator(".wb-progress")).to_contain_text(f"Step {number} of 8: {title}")
                check_here(page, axe_path, f"thought_record step {number}", found, narrow)
        if kind == "session":
            form = root.locator(".wb-form")
            total = int(form.locator(".wb-progress").inner_text().split(" of ")[1].split(":")[0])
            for number in range(2, total + 1):
                form.locator(".wb-next").click()
                expect(form.locator(".wb-progress")).to_contain_text(f"Step {number} of {total}")
                check_here(page, axe_path, f"session step {number}", found, narrow)
        if kind == "checkin":
            root.locator(".wb-field-phq9_9 input[type=radio]").nth(1).check()
            expect(root.locator(".wb-item9 .wb-crisis")).to_be_visible(timeout=KERNEL_MS)
            check_here(page, axe_path, "checkin, item 9 above 0", found, narrow)
        if kind == "progress":  # the table view of every chart, opened
            tables = root.locator("details.wb-table-view")
            for index in range(tables.count()):
                tables.nth(index).locator("summary").click()
            expect(root.locator("details.wb-table-view[open] table").first).to_be_visible()
            check_here(page, axe_path, "progress, tables open", found, narrow)

    print("axe, every app page:", counts(found))
    problems = blocking(found)
    assert not problems, "serious or critical axe violations:\n" + problems
    assert not sideways(narrow), f"wider than 320 px: {sideways(narrow)}"


def test_first_run_on_an_empty_folder_passes_axe_and_reflows(page: Page, fresh_server: Server,
                                                             axe_path: Path) -> None:
    """What a new person sees first (the welcome, on an empty data folder)."""
    expect(page.locator(".wb-page-start")).to_be_visible()
    found: dict[str, list[dict]] = {}
    narrow: dict[str, dict] = {}
    check_here(page, axe_path, "first run", found, narrow)
    problems = blocking(found)
    assert not problems, "serious or critical axe violations:\n" + problems
    assert not sideways(narrow), f"wider than 320 px: {sideways(narrow)}"


@pytest.mark.timeout(300)
def test_screenshots_of_dark_theme_and_320_px(page: Page) -> None:
    """docs/screenshots/dark.png (Progress, dark) and narrow.png (Mood at 320 px)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    root = go(page, "mood")
    expect(root.locator(".wb-chart-canvas svg")).to_be_visible()
    page.set_viewport_size(NARROW)
    settle(page)
    assert overflow(page)["document"] <= NARROW["width"]
    full_screenshot(page, SCREENSHOTS / "narrow.png")
    page.set_viewport_size(WIDE)

    set_system_theme(page, "dark")
    root = go(page, "progress")
    charts_drawn(page, root)
    root.locator("details.wb-table-view summary").last.click()  # a short table, open
    expect(root.locator("details.wb-table-view").last.locator("table")).to_be_visible()
    full_screenshot(page, SCREENSHOTS / "dark.png")
    for name in ("dark", "narrow"):
        assert (SCREENSHOTS / f"{name}.png").stat().st_size > 10_000


# ==============================================================================================
# the therapist and review notebooks
# ==============================================================================================
@pytest.fixture
def tool_page(browser, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Page, str]]:
    """A page on `workbook serve --tool <param>`, watched like conftest's `page`."""
    tool = request.param
    server = start_server(tmp_path / "data", tool=tool)
    context = browser.new_context(viewport=WIDE)
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    requests: list[str] = []
    dialogs: list[str] = []
    pg.on("request", lambda req: requests.append(req.url))
    pg.on("websocket", lambda ws: requests.append(ws.url))

    def on_dialog(dialog) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    pg.on("dialog", on_dialog)
    try:
        pg.goto(server.url)
        expect(pg.locator(f".wb-page-{tool}")).to_be_visible(timeout=90_000)
        yield pg, tool
    finally:
        context.close()
        stop_server(server)
    foreign = [u for u in requests if not u.startswith(("data:", "blob:")) and server.netloc not in u]
    assert not foreign, f"requests to other hosts: {sorted(set(foreign))}"
    assert not dialogs, f"dialogs opened: {dialogs}"


def client_bundle(server: Server, path: Path) -> Path:
    """A share bundle of the sample entries, as a client would hand it over."""
    import datetime as dt

    from workbook.bundle import make_bundle

    store = Store(server.data_dir)
    buffer = io.BytesIO()
    today = dt.date.today()
    make_bundle(store, buffer, today - dt.timedelta(days=89), today, list(store.catalog))
    path.write_bytes(buffer.getvalue())
    return path


@pytest.mark.parametrize("tool_page", ["therapist", "review"], indirect=True)
def test_therapist_and_review_notebooks_pass_axe_and_reflow(tool_page: tuple[Page, str], axe_path: Path,
                                                            a11y_server: Server, tmp_path: Path) -> None:
    page, tool = tool_page
    found: dict[str, list[dict]] = {}
    narrow: dict[str, dict] = {}
    check_here(page, axe_path, tool, found, narrow)
    if tool == "therapist":
        page.locator(".wb-field-include_mood input").check()
        page.locator(".wb-page-therapist .wb-save").first.click()
        expect(page.locator(".wb-download-link").first).to_be_visible(timeout=KERNEL_MS)
        check_here(page, axe_path, "therapist, homework file made", found, narrow)
    else:
        bundle = client_bundle(a11y_server, tmp_path / "client.zip")
        with page.expect_file_chooser() as chooser:
            page.locator(".wb-upload").click()
        chooser.value.set_files(str(bundle))
        expect(page.locator(".wb-review-clients svg").first).to_be_visible(timeout=PAGE_BUILD_TIMEOUT_MS)
        check_here(page, axe_path, "review, a bundle open", found, narrow)
    print(f"axe, {tool}:", counts(found))
    problems = blocking(found)
    assert not problems, "serious or critical axe violations:\n" + problems
    assert not sideways(narrow), f"wider than 320 px: {sideways(narrow)}"


# ==============================================================================================
# the keyboard alone
# ==============================================================================================
def focused(page: Page) -> dict:
    """What has the focus, where it sits, and whether its outline can be seen."""
    return page.evaluate(
        """() => {
            const e = document.activeElement;
            if (!e || e === document.body) return {tag: "body", where: "", outline: 0, classes: ""};
            const style = getComputedStyle(e);
            const field = e.closest("[class*='wb-field-'], [class*='wb-option-']");
            const hook = field ? [...field.classList].find(c => /^wb-(field|option)-/.test(c)) : "";
            const own = [...e.classList].find(c => c.startsWith("wb-")) || "";
            const button = e.closest("button");
            return {
                tag: e.tagName.toLowerCase(),
                where: hook || own || (button ? "button:" + button.textContent.trim() : e.tagName),
                classes: e.className && e.className.baseVal === undefined ? e.className : "",
                outline: style.outlineStyle === "none" ? 0 : parseFloat(style.outlineWidth),
                text: (e.textContent || "").trim().slice(0, 60),
            };
        }""")


def tab_to(page: Page, selector: str, back: bool = False, limit: int = 90) -> list[str]:
    """Press Tab (or Shift+Tab) until `selector` has the focus; the stops on the way.

    Every stop must show a clear outline (at least 2 px): focus is visible all the way.
    """
    stops = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        now = focused(page)
        stops.append(now["where"])
        assert now["tag"] == "body" or now["outline"] >= 2, f"focus not visible on {now}"
        if page.evaluate("(s) => !!document.activeElement && document.activeElement.matches(s)", selector):
            return stops
    raise AssertionError(f"{selector} not reached in {limit} presses; stops: {stops}")


def press_nav(page: Page, kind: str) -> Locator:
    """Open a page from the navigation bar by keyboard."""
    tab_to(page, f".wb-nav-{kind}")
    page.keyboard.press("Enter")
    root = page.locator(f".wb-page-{kind}")
    expect(root).to_be_visible(timeout=PAGE_BUILD_TIMEOUT_MS)
    return root


def rows_with(server: Server, kind: str, column: str, text: str) -> list[dict[str, str]]:
    return [row for row in server.rows(kind) if text in row.get(column, "")]


def first_seen(stops: list[str]) -> list[str]:
    out: list[str] = []
    for stop in stops:
        if stop not in out:
            out.append(stop)
    return out


def test_mood_check_in_by_keyboard_alone(page: Page, a11y_server: Server) -> None:
    tag = token()
    root = press_nav(page, "mood")
    stops = tab_to(page, ".wb-field-mood .noUi-handle")
    assert stops[-1] == "wb-field-mood"
    expect(root.locator(".wb-field-mood .noUi-handle")).to_have_attribute("aria-label", "Mood right now")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(root.locator(".wb-input-mood .wb-readout")).to_have_text("7", timeout=KERNEL_MS)

    stops = tab_to(page, ".wb-field-sleep_hours input")
    page.keyboard.type("6.5")
    stops += tab_to(page, "[title='Add the tag outdoors']")
    page.keyboard.press("Enter")
    expect(root.locator(".wb-field-tags input")).to_have_value("outdoors", timeout=KERNEL_MS)
    stops += tab_to(page, ".wb-field-note textarea")
    page.keyboard.type(f"Keyboard only {tag}")
    stops += tab_to(page, ".wb-page-mood .wb-save")
    # the order on screen: the sliders, hours slept, the tag chips, the tags box, the note, Save
    order = [s for s in first_seen(stops) if s.startswith("wb-field-") or s == "wb-save"]
    assert order == ["wb-field-anxiety", "wb-field-energy", "wb-field-sleep_hours", "wb-field-tags",
                     "wb-field-note", "wb-save"], stops
    page.keyboard.press("Enter")
    expect(root.locator(".wb-form .wb-ok")).to_contain_text("Saved", timeout=KERNEL_MS)

    [row] = rows_with(a11y_server, "mood", "note", tag)
    assert row["mood"] == "7"
    assert row["sleep_hours"] == "6.5"
    assert "outdoors" in row["tags"]


def test_small_win_by_keyboard_alone(page: Page, a11y_server: Server) -> None:
    tag = token()
    root = press_nav(page, "win")
    tab_to(page, ".wb-field-description textarea")
    page.keyboard.type(f"Cooked a meal {tag}")
    tab_to(page, ".wb-field-category select")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(root.locator(".wb-field-category select")).not_to_have_value("")
    tab_to(page, ".wb-field-effort .noUi-handle")
    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(root.locator(".wb-input-effort .wb-readout")).to_have_text("2", timeout=KERNEL_MS)
    tab_to(page, ".wb-page-win .wb-save")
    page.keyboard.press(" ")
    expect(root.locator(".wb-form .wb-ok")).to_be_visible(timeout=KERNEL_MS)

    [row] = rows_with(a11y_server, "win", "description", tag)
    assert row["category"]
    assert row["effort"] == "2"
    # "Nothing comes to mind" works by keyboard too, and comes before the form
    tab_to(page, ".wb-show-examples", back=True)
    page.keyboard.press("Enter")
    expect(root.locator(".wb-examples li").first).to_be_visible(timeout=KERNEL_MS)


def next_by_keyboard(page: Page, root: Locator, number: int) -> None:
    """Tab to Next, press Enter: the focus lands on 'Step n of 8', so Tab reaches the new fields."""
    tab_to(page, ".wb-page-thought_record .wb-next")
    page.keyboard.press("Enter")
    progress = root.locator(".wb-form .wb-progress")
    expect(progress).to_contain_text(f"Step {number} of 8: {STEPS[number - 1]}", timeout=KERNEL_MS)
    page.wait_for_function("() => document.activeElement && document.activeElement.matches('.wb-progress')",
                           timeout=KERNEL_MS)


def test_thought_record_by_keyboard_alone(page: Page, a11y_server: Server) -> None:
    tag = token()
    root = press_nav(page, "thought_record")
    tab_to(page, ".wb-field-situation textarea")
    page.keyboard.type(f"Keyboard record {tag}: no reply to my message")

    next_by_keyboard(page, root, 2)
    tab_to(page, ".wb-field-emotions .wb-row-name input")
    page.keyboard.type("sad")
    page.keyboard.press("Tab")
    handle = root.locator(".wb-field-emotions .noUi-handle").first
    expect(handle).to_be_focused()
    page.keyboard.press("End")
    for _ in range(20):
        page.keyboard.press("ArrowLeft")
    expect(handle).to_have_attribute("aria-valuetext", "80")

    next_by_keyboard(page, root, 3)
    hot = f"They are angry with me {tag}"
    tab_to(page, ".wb-field-automatic_thoughts textarea")
    page.keyboard.type(hot)
    tab_to(page, ".wb-hot input")
    page.keyboard.press(" ")
    expect(root.locator(".wb-hot input")).to_be_checked()

    next_by_keyboard(page, root, 4)
    expect(root.locator(".wb-hot-thought")).to_contain_text(hot, timeout=KERNEL_MS)
    tab_to(page, ".wb-option-mind_reading input")
    page.keyboard.press(" ")
    expect(root.locator(".wb-option-mind_reading input")).to_be_checked()

    next_by_keyboard(page, root, 5)
    tab_to(page, ".wb-field-evidence_for textarea")
    page.keyboard.type("No reply for two days")
    next_by_keyboard(page, root, 6)
    tab_to(page, ".wb-field-evidence_against textarea")
    page.keyboard.type("They are often busy")
    next_by_keyboard(page, root, 7)
    tab_to(page, ".wb-field-balanced_thought textarea")
    page.keyboard.type(f"They are probably busy {tag}")
    tab_to(page, ".wb-field-balanced_belief .noUi-handle")
    page.keyboard.press("End")
    for _ in range(30):
        page.keyboard.press("ArrowLeft")
    expect(root.locator(".wb-input-balanced_belief .wb-readout")).to_have_text("70", timeout=KERNEL_MS)

    next_by_keyboard(page, root, 8)
    tab_to(page, ".wb-field-emotions_after .noUi-handle")
    for _ in range(40):
        page.keyboard.press("ArrowLeft")
    expect(root.locator(".wb-field-emotions_after .noUi-handle")).to_have_attribute("aria-valuetext", "40")
    # Back by keyboard keeps what was written
    tab_to(page, ".wb-page-thought_record .wb-back")
    page.keyboard.press("Enter")
    expect(root.locator(".wb-form .wb-progress")).to_contain_text("Step 7 of 8", timeout=KERNEL_MS)
    expect(root.locator(".wb-field-balanced_thought textarea")).to_have_value(f"They are probably busy {tag}")
    next_by_keyboard(page, root, 8)
    tab_to(page, ".wb-page-thought_record .wb-save")
    page.keyboard.press("Enter")
    expect(root.locator(".wb-form .wb-ok")).to_contain_text("Thought record saved", timeout=KERNEL_MS)
    # saved: back at step 1, and the focus with it (not lost on the hidden Save button)
    page.wait_for_function("() => document.activeElement && document.activeElement.matches('.wb-progress')",
                           timeout=KERNEL_MS)

    [row] = rows_with(a11y_server, "thought_record", "situation", tag)
    assert row["status"] == "complete"
    assert '"intensity": 80' in row["emotions"]
    assert '"intensity": 40' in row["emotions_after"]
    assert "mind_reading" in row["distortions"]
    assert row["balanced_belief"] == "70"
    assert hot in row["automatic_thoughts"]


def test_get_help_now_by_keyboard_alone(page: Page) -> None:
    crisis = page.locator(".wb-crisis")
    help_button = page.locator(".wb-help-button")
    expect(crisis).to_be_hidden(timeout=KERNEL_MS)
    tab_to(page, ".wb-help-button")
    expect(help_button).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(crisis).to_be_visible(timeout=KERNEL_MS)
    expect(crisis).to_contain_text("988")
    expect(help_button).to_have_attribute("aria-expanded", "true")
    expect(help_button).to_have_attribute("aria-controls", "wb-crisis-panel")
    tab_to(page, ".wb-crisis-close")
    page.keyboard.press("Enter")
    expect(crisis).to_be_hidden(timeout=KERNEL_MS)
    # the focus goes back to the button that opened it, so the next Tab is not lost
    expect(help_button).to_be_focused()
    expect(help_button).to_have_attribute("aria-expanded", "false")
    page.keyboard.press(" ")
    expect(crisis).to_be_visible(timeout=KERNEL_MS)
    page.keyboard.press(" ")
    expect(crisis).to_be_hidden(timeout=KERNEL_MS)


def wait_focus(page: Page, selector: str) -> None:
    page.wait_for_function("(s) => !!document.activeElement && document.activeElement.matches(s)",
                           arg=selector, timeout=KERNEL_MS)


def test_focus_follows_edit_delete_and_a_sessions_small_step(page: Page, a11y_server: Server) -> None:
    """Where an action moves what matters, the keyboard focus goes with it, never to the page end."""
    # Edit, far down the list: focus goes to "Editing an earlier entry", above the first field
    root = press_nav(page, "mood")
    choice = root.locator(".wb-entry-choice select")
    choice.select_option(index=choice.locator("option").count() - 1)  # the oldest shown
    edit = root.locator(".wb-entry-list .wb-edit")
    expect(edit).to_have_accessible_name("Edit")
    edit.focus()
    page.keyboard.press("Enter")
    expect(root.locator(".wb-form .wb-editing")).to_have_text("Editing an earlier entry",
                                                              timeout=KERNEL_MS)
    wait_focus(page, ".wb-page-mood .wb-form .wb-editing")
    page.keyboard.press("Tab")
    assert focused(page)["where"] == "wb-field-mood"
    root.locator(".wb-cancel").click()
    expect(root.locator(".wb-form .wb-editing")).to_have_count(0, timeout=KERNEL_MS)

    # Delete, confirmed: the row and its button are gone; focus goes to "Entry deleted."
    tag = token()
    root = press_nav(page, "win")
    root.locator(".wb-field-description textarea").fill(f"Watered the plants {tag}")
    root.locator(".wb-save").click()
    expect(root.locator(".wb-form .wb-ok")).to_be_visible(timeout=KERNEL_MS)
    entries = root.locator(".wb-entry-list")
    label = entries.locator(".wb-entry-choice option").filter(has_text=tag).inner_text()
    entries.locator(".wb-entry-choice select").select_option(label=label)
    entries.locator(".wb-delete").focus()
    page.keyboard.press("Enter")
    entries.locator(".wb-confirm-delete").focus()
    page.keyboard.press("Enter")
    expect(root.locator(".wb-entry", has_text=tag)).to_have_count(0, timeout=KERNEL_MS)
    wait_focus(page, ".wb-page-win .wb-entry-list .wb-ok")
    expect(page.locator(":focus")).to_have_text("Entry deleted.")
    assert rows_with(a11y_server, "win", "description", tag) == []

    # A session's small step made into a win: focus lands on the new entry in the win page
    root = press_nav(page, "session")
    choice = root.locator(".wb-entry-choice select")
    for index in range(choice.locator("option").count()):  # an entry with a small step
        choice.select_option(index=index)
        page.wait_for_timeout(300)
        if root.locator(".wb-to-win").count():
            break
    carry = root.locator(".wb-to-win").first
    carry.focus()
    page.keyboard.press("Enter")
    win = page.locator(".wb-page-win")
    expect(win).to_be_visible(timeout=PAGE_BUILD_TIMEOUT_MS)
    wait_focus(page, ".wb-page-win .wb-form .wb-editing")
    expect(page.locator(":focus")).to_have_text("Started from your session notes")
    page.keyboard.press("Tab")
    assert focused(page)["where"] == "wb-field-description"
    assert page.evaluate("() => document.activeElement.value") != ""


def test_focus_waits_for_a_kept_page_to_be_shown(page: Page) -> None:
    """A kept page is filled, then shown: two messages, often frames apart. The element asking
    for focus arrives while its page is still hidden; focus must land once the page shows."""
    press_nav(page, "mood")
    page.evaluate("""() => {
        const holder = document.createElement("div");
        holder.className = "wb-test-holder";
        holder.style.display = "none";
        holder.innerHTML = '<div class="wb-test-target" tabindex="-1" data-wb-focus="test-1">here</div>';
        document.querySelector(".wb-app").appendChild(holder);
    }""")
    # several frames pass with the page hidden, as when the kernel is busy reading the page's data
    page.evaluate("() => new Promise(r => setTimeout(r, 300))")
    assert not page.evaluate("() => document.activeElement.matches('.wb-test-target')")
    page.evaluate("() => { document.querySelector('.wb-test-holder').style.display = ''; }")
    wait_focus(page, ".wb-test-target")
    # a token that was hidden for longer than a page takes to show is spent: no late jump
    page.evaluate("""() => {
        document.activeElement.blur();
        const holder = document.querySelector(".wb-test-holder");
        holder.style.display = "none";
        holder.innerHTML = '<div class="wb-test-late" tabindex="-1" data-wb-focus="test-2">late</div>';
    }""")
    page.evaluate("() => new Promise(r => setTimeout(r, 5600))")  # no change on the page meanwhile
    page.evaluate("() => { document.querySelector('.wb-test-holder').style.display = ''; }")
    page.evaluate("() => new Promise(r => setTimeout(r, 300))")
    assert not page.evaluate("() => document.activeElement.matches('.wb-test-late')")


def test_check_in_radio_groups_by_keyboard(page: Page) -> None:
    """One Tab stop per question; arrows choose; item 9 above 0 shows the crisis lines at once."""
    root = press_nav(page, "checkin")
    group = root.locator(".wb-field-phq9_1 .widget-radio-box")
    expect(group).to_have_attribute("role", "radiogroup")
    expect(group).to_have_attribute("aria-label", "1. Little interest or pleasure in doing things")
    # each question shows its words in the radios' own label, the form's heading above the first
    label = root.locator(".wb-field-phq9_1 > label.widget-label")
    expect(label).to_be_visible()
    expect(label).to_contain_text("Over the last 2 weeks")
    # a text box showing its help in its own label is named by the label, described by the help
    note = root.locator(".wb-field-note textarea")
    expect(note).to_have_accessible_name("Note")
    expect(note).to_have_accessible_description("Anything you want your care team to know.")
    expect(root.locator(".wb-field-phq9_difficulty select")).to_have_accessible_name(
        "If you checked off any problems, how difficult have these problems made it for you to do "
        "your work, take care of things at home, or get along with other people?")
    tab_to(page, ".wb-field-phq9_1 input[type=radio]")
    page.keyboard.press("ArrowRight")
    expect(root.locator(".wb-field-phq9_1 input[type=radio]").nth(1)).to_be_checked()
    stops = tab_to(page, ".wb-field-phq9_2 input[type=radio]")
    assert len(stops) == 1, stops
    tab_to(page, ".wb-field-phq9_9 input[type=radio]")
    page.keyboard.press("ArrowRight")
    expect(root.locator(".wb-item9 .wb-crisis")).to_be_visible(timeout=KERNEL_MS)
    expect(root.locator(".wb-item9")).to_contain_text("988")


def test_nav_says_which_page_is_open(page: Page) -> None:
    nav = page.locator("[role=navigation]")
    expect(nav).to_have_attribute("aria-label", "Pages")
    expect(page.locator(".wb-nav-start")).to_have_attribute("aria-current", "page")
    press_nav(page, "win")
    expect(page.locator(".wb-nav-win")).to_have_attribute("aria-current", "page")
    expect(page.locator(".wb-nav-start")).not_to_have_attribute("aria-current", "page")
    expect(page.locator("[role=main]")).to_have_count(1)


# ==============================================================================================
# dark theme, motion, charts as tables
# ==============================================================================================
def test_theme_follows_the_system_and_the_toggle(page: Page) -> None:
    light = theme(page)
    assert light["wb"] == "light" and light["light"] == "true", light
    toggle = page.locator(".wb-theme-toggle")
    expect(toggle).to_have_attribute("aria-pressed", "false")

    set_system_theme(page, "dark")  # the system asks for dark: the page follows at once
    dark = theme(page)
    assert dark["light"] == "false" and dark["layout0"] == "#111", dark
    assert dark["page"] != light["page"] and dark["text"] != light["text"], (light, dark)
    expect(toggle).to_have_attribute("aria-pressed", "true")

    tab_to(page, ".wb-theme-toggle")  # the person picks light, by keyboard
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("data-wb-theme", "light")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    assert theme(page)["page"] == light["page"]
    page.keyboard.press("Enter")  # and dark again
    expect(page.locator("html")).to_have_attribute("data-wb-theme", "dark")
    expect(page.locator("body")).to_have_attribute("data-jp-theme-light", "false")

    # a chart keeps its own light paper (its key says "light" and "dark"), dimmed a little
    root = go(page, "mood")
    chart = root.locator(".wb-chart-canvas svg")
    expect(chart).to_be_visible()
    assert "brightness" in chart.evaluate("e => getComputedStyle(e).filter")


def test_no_motion_when_reduced_motion_is_asked_for(page: Page) -> None:
    """Voila's loading spinner and every transition stop when the system asks for less motion."""
    probe = """() => {
        const box = document.createElement("div");
        box.innerHTML = '<svg class="spinner"></svg><div class="voila-skeleton-post">' +
                        '<div class="voila-skeleton-line"></div></div>';
        document.body.appendChild(box);
        const spin = getComputedStyle(box.querySelector(".spinner")).animationName;
        const shine = getComputedStyle(box.querySelector(".voila-skeleton-line")).animationName;
        box.remove();
        const moving = document.getAnimations().filter(a => a.playState === "running").length;
        const handle = document.querySelector(".noUi-origin");
        return {spin, shine, moving,
                slide: handle ? getComputedStyle(handle).transitionDuration : "0s"};
    }"""
    go(page, "mood")
    page.emulate_media(reduced_motion="no-preference")
    assert page.evaluate(probe)["spin"] == "rotation"  # the probe sees the spinner turn
    page.emulate_media(reduced_motion="reduce")
    still = page.evaluate(probe)
    assert still["spin"] == "none" and still["shine"] == "none", still
    assert still["moving"] == 0, still
    assert still["slide"] in ("0s", ""), still


def test_every_chart_has_a_summary_and_a_table(page: Page) -> None:
    root = go(page, "progress")
    drawn = charts_drawn(page, root)
    views = root.locator(".wb-chart-canvas:has(svg)")
    assert views.count() == drawn >= 5
    # each drawn by the kernel as SVG, named by its title: no chart renderer started in the page
    assert root.locator(".wb-chart-canvas svg.wb-svg-chart[role=img]").count() == drawn
    expect(root.locator(".wb-chart-canvas svg.wb-svg-chart").first).to_have_attribute(
        "aria-label", "Mood over time")
    assert page.locator(".vega-embed").count() == 0
    tables = root.locator("details.wb-table-view")
    assert tables.count() == drawn
    expect(root.locator(".wb-chart-summary").first).not_to_be_empty()
    # open the first by keyboard: summary is a real, focusable disclosure
    tab_to(page, ".wb-page-progress details.wb-table-view summary")
    page.keyboard.press("Enter")
    first = tables.first
    expect(first).to_have_attribute("open", "")
    expect(first.locator("table caption").first).to_contain_text("Mood over time")
    expect(first.locator("thead th").first).to_have_text("Date")
    assert first.locator("tbody tr").count() > 10
