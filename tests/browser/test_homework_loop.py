"""The homework loop with files alone, in Chromium against three real `workbook serve` processes.

A therapist composes homework and downloads its file (`--tool therapist`); the client adds the
file under My homework, does some of it through the real forms and sees the counts go up, then
shares a bundle from My data (the app, on a data folder of its own); the therapist opens the
bundle and the homework file in the review (`--tool review`, on an empty folder that stays empty);
the bundle's report.html reads in Chromium with scripts on and off, and is the docs' report.png.

The steps run in order and hand files to each other, as people would; the three servers start
together once for the module. No page may request any host but its own server.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from wb_browser import Server, Watch, observe, open_app, start_server, stop_server

from workbook.store import Store

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
SCREENSHOT = REPO / "docs" / "screenshots" / "report.png"
VIEWPORT = {"width": 1000, "height": 900}
READY_MS = 90_000       # a notebook's first drawing in a cold kernel, on a busy machine
PAGE_MS = 60_000        # a page built in the kernel for the first time (imports, charts)
TODAY = dt.date.today()

NOTE = "Small steps count, Sam.\nBe as kind to yourself as you are to others <3"
PROMPT = "When the 'not good enough' thought comes, write it down."
WIN = "Cooked <b>pasta</b> & ate it at the table"
SITUATION = "Manager asked for the report again"
HOT = "I am never going to be good enough here"
BALANCED = "One late report is not my whole record"
TARGETS = {"thought_record": 2, "win": 3, "checkin": 1}


# -- what the pages did -------------------------------------------------------------------------
@dataclass
class Seen(Watch):
    """Requests, dialogs and kernel errors of every page in one step (read by conftest's report)."""

    contexts: list = field(default_factory=list)  # closed when the step ends, passed or not


def watch(page: Page, seen: Seen) -> Page:
    """Record what `page` requests and what its kernel says; dismiss (and record) any dialog."""
    page.set_default_timeout(20_000)
    return observe(page, seen)


@pytest.fixture
def seen(request: pytest.FixtureRequest, servers: dict[str, Server]) -> Iterator[Seen]:
    """This step's record; it fails the step on a request elsewhere, a dialog or a kernel error."""
    found = Seen(netloc=servers["therapist"].netloc, allowed={s.netloc for s in servers.values()})
    request.node.wb_watch = found  # conftest shows kernel messages and errors on a failure
    yield found
    for context in found.contexts:
        context.close()
    problems = []
    if found.foreign():
        problems.append("requests to other hosts:\n  " + "\n  ".join(sorted(set(found.foreign()))))
    if found.dialogs:
        problems.append("JavaScript dialogs opened:\n  " + "\n  ".join(found.dialogs))
    exceptions = [e for e in found.kernel_errors if not e.startswith("stderr: ")]  # Python errors
    if exceptions:
        problems.append("errors in the kernel:\n  " + "\n  ".join(exceptions))
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def server_log(request: pytest.FixtureRequest, server: Server) -> None:
    """Let conftest's failure report show this server's log."""
    request.node.wb_server = server


# -- the three servers and the files handed between steps ---------------------------------------
def seed_history(data_dir: Path) -> None:
    """The client's entries from before the homework: three weeks of moods and two check-ins."""
    store = Store(data_dir)

    def at(days_ago: int, hour: int = 20) -> str:
        moment = dt.datetime.combine(TODAY - dt.timedelta(days=days_ago), dt.time(hour, 0))
        return moment.astimezone().isoformat(timespec="seconds")

    moods = [3, 3, 4, 2, 3, 4, 4, 5, 3, 4, 5, 5, 4, 6, 5, 5, 6, 6]
    store.add_many("mood", [{"created_at": at(days_ago), "mood": mood}
                            for days_ago, mood in zip(range(21, 3, -1), moods, strict=True)])
    earlier = [(20, [2, 2, 2, 2, 2, 2, 2, 2, 0], [2, 2, 2, 1, 1, 2, 1]),
               (9, [2, 1, 2, 2, 1, 1, 2, 1, 0], [1, 2, 1, 1, 1, 1, 1])]
    store.add_many("checkin", [
        {"created_at": at(days_ago, 10), **{f"phq9_{i}": v for i, v in enumerate(phq, start=1)},
         **{f"gad7_{i}": v for i, v in enumerate(gad, start=1)}}
        for days_ago, phq, gad in earlier])


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Server]]:
    """The therapist's, the client's and the review's servers, started side by side."""
    client_dir = tmp_path_factory.mktemp("client") / "data"
    seed_history(client_dir)
    folders = {"therapist": tmp_path_factory.mktemp("therapist") / "data",
               "app": client_dir,
               "review": tmp_path_factory.mktemp("review") / "data"}
    started: dict[str, Server] = {}
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {tool: pool.submit(start_server, folder, tool) for tool, folder in folders.items()}
        errors = []
        for tool, future in futures.items():
            try:
                started[tool] = future.result()
            except Exception as exc:  # noqa: BLE001 - stop the others before failing
                errors.append(f"{tool}: {exc}")
    try:
        if errors:
            pytest.fail("a server did not start:\n" + "\n".join(errors), pytrace=False)
        yield started
    finally:
        for server in started.values():
            stop_server(server)


@pytest.fixture(scope="module")
def handed() -> dict[str, Path]:
    """The files people hand each other: the homework file, the bundle."""
    return {}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the downloads are saved: neither the client's nor the review's data folder."""
    return tmp_path_factory.mktemp("downloads")


def needs(handed: dict[str, Path], name: str) -> Path:
    if name not in handed:
        pytest.skip(f"the {name} from the step before was not made")
    return handed[name]


def new_page(browser, seen: Seen, **options) -> Page:
    context = browser.new_context(viewport=VIEWPORT, **options)
    seen.contexts.append(context)
    return watch(context.new_page(), seen)


def type_into(box: Locator, text: str) -> None:
    """Type into a text box and leave it, so the widget sends its value to the kernel."""
    box.fill(text)
    box.blur()


def download(page: Page, link: Locator, folder: Path) -> Path:
    """Click a download link for real and keep the file under the name the page gave it."""
    expect(link).to_be_visible()
    with page.expect_download() as info:
        link.click()
    saved = folder / info.value.suggested_filename
    info.value.save_as(saved)
    return saved


def upload(page: Page, button: Locator, *paths: Path) -> None:
    """Choose files with the upload button, as a person does in the file dialog."""
    with page.expect_file_chooser() as chooser:
        button.click()
    chooser.value.set_files([str(p) for p in paths])


def count_of(row: Locator) -> Locator:
    return row.locator(".wb-homework-count")


# -- 1. the therapist composes the homework ---------------------------------------------------------
def test_1_therapist_composes_and_downloads_the_homework_file(
        browser, servers, seen: Seen, handed, files: Path, request) -> None:
    therapist = servers["therapist"]
    server_log(request, therapist)
    page = new_page(browser, seen)
    page.goto(therapist.url)
    composer = page.locator(".wb-page-therapist .wb-composer")
    expect(composer).to_be_visible(timeout=READY_MS)

    type_into(composer.locator(".wb-field-therapist input"), "Dr Ana Ruiz")
    type_into(composer.locator(".wb-field-client input"), "Sam K")
    start, until = TODAY - dt.timedelta(days=1), TODAY + dt.timedelta(days=20)
    type_into(composer.locator(".wb-field-start input"), start.isoformat())
    type_into(composer.locator(".wb-field-until input"), until.isoformat())
    type_into(composer.locator(".wb-field-note textarea"), NOTE)
    for kind, target in TARGETS.items():
        box = composer.locator(f".wb-field-include_{kind} input")
        box.check()
        expect(box).to_be_checked()
        type_into(composer.locator(f".wb-field-target_{kind} input"), str(target))
    type_into(composer.locator(".wb-field-prompt_thought_record input"), PROMPT)

    composer.locator(".wb-save").click()
    expect(composer.locator(".wb-ok")).to_be_visible()
    saved = download(page, composer.locator(".wb-download a.wb-download-link"), files)

    assert re.fullmatch(rf"homework-sam[-_]?k-{start.isoformat()}\.json", saved.name), saved.name
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data["format"] == "between-sessions-assignment"
    assert (data["start"], data["until"]) == (start.isoformat(), until.isoformat())
    assert data["note"] == NOTE
    assert data["therapist"] == "Dr Ana Ruiz"
    assert {i["kind"]: i["target_per_week"] for i in data["items"]} == TARGETS
    assert {i["kind"]: i["prompt"] for i in data["items"]}["thought_record"] == PROMPT
    assert list(therapist.data_dir.iterdir()) == []  # the therapist's notebook wrote nothing
    handed["homework"] = saved


# -- 2. the client adds it and does some of it --------------------------------------------------------
def fill_thought_record(page: Page, root: Locator) -> None:
    """Every step in turn, each waited for by its own field; saved at the last."""
    form = root.locator(".wb-form")
    steps = ["situation", "emotions", "automatic_thoughts", "distortions", "evidence_for",
             "evidence_against", "balanced_thought", "emotions_after"]
    type_into(root.locator(".wb-field-situation textarea"), SITUATION)
    for step in steps[1:]:
        form.locator(".wb-next").click()
        expect(root.locator(f".wb-field-{step}")).to_be_visible()
        if step == "emotions":
            type_into(root.locator(".wb-field-emotions .wb-row-name input").first, "ashamed")
        elif step == "automatic_thoughts":
            thoughts = root.locator(".wb-field-automatic_thoughts")
            type_into(thoughts.locator(".wb-row-text textarea").first, HOT)
            thoughts.locator(".wb-hot input").first.check()
        elif step == "evidence_against":
            expect(root.locator(".wb-hot-thought")).to_contain_text(HOT)  # still in view
            type_into(root.locator(".wb-field-evidence_against textarea"), "Praised in March")
        elif step == "balanced_thought":
            type_into(root.locator(".wb-field-balanced_thought textarea"), BALANCED)
    expect(form.locator(".wb-next")).to_be_hidden()
    form.locator(".wb-save").click()
    expect(form.locator(".wb-ok")).to_be_visible()


def test_2_client_adds_the_homework_and_the_counts_go_up(
        browser, servers, seen: Seen, handed, request) -> None:
    homework_file = needs(handed, "homework")
    client = servers["app"]
    server_log(request, client)
    page = new_page(browser, seen)
    open_app(page, client.url, client)

    page.locator(".wb-nav-homework").click()
    root = page.locator(".wb-page-homework")
    expect(root).to_be_visible(timeout=PAGE_MS)
    expect(root.locator(".wb-homework")).to_have_count(0)
    upload(page, root.locator(".wb-upload"), homework_file)

    card = root.locator(".wb-homework-current .wb-homework")
    expect(card).to_have_count(1)
    expect(root.locator(".wb-ok")).to_be_visible()
    note = card.locator(".wb-homework-note")
    expect(note).to_contain_text("Small steps count, Sam.")
    expect(note).to_contain_text("as you are to others <3")  # the therapist's text, as text
    expect(card).to_contain_text("Dr Ana Ruiz")
    rows = {kind: card.locator(f".wb-homework-item-{kind}") for kind in TARGETS}
    expect(rows["thought_record"].locator(".wb-homework-prompt")).to_have_text(PROMPT)
    for row in rows.values():
        expect(count_of(row)).to_have_text(re.compile(r"^\s*0\b"))
    assert len(list((client.data_dir / "homework").iterdir())) == 1  # the file is kept

    # a small win, opened from the checklist
    rows["win"].locator(".wb-homework-open").click()
    win = page.locator(".wb-page-win")
    expect(win).to_be_visible(timeout=PAGE_MS)
    type_into(win.locator(".wb-field-description textarea"), WIN)
    win.locator(".wb-field-category select").select_option(label="self-care")
    win.locator(".wb-save").click()
    expect(win.locator(".wb-form .wb-ok")).to_be_visible()
    page.locator(".wb-nav-homework").click()
    expect(count_of(rows["win"])).to_have_text(re.compile(r"^\s*1\b"))
    expect(count_of(rows["thought_record"])).to_have_text(re.compile(r"^\s*0\b"))

    # a thought record, the therapist's prompt read on the checklist just before
    expect(rows["thought_record"].locator(".wb-homework-prompt")).to_be_visible()
    rows["thought_record"].locator(".wb-homework-open").click()
    thought = page.locator(".wb-page-thought_record")
    expect(thought).to_be_visible(timeout=PAGE_MS)
    fill_thought_record(page, thought)

    # this fortnight's PHQ-9 and GAD-7
    page.locator(".wb-nav-homework").click()
    expect(count_of(rows["thought_record"])).to_have_text(re.compile(r"^\s*1\b"))
    rows["checkin"].locator(".wb-homework-open").click()
    checkin = page.locator(".wb-page-checkin")
    expect(checkin).to_be_visible(timeout=PAGE_MS)
    answers = {**{f"phq9_{i}": v for i, v in enumerate([1, 1, 1, 1, 0, 1, 1, 0, 0], start=1)},
               **{f"gad7_{i}": v for i, v in enumerate([1, 1, 0, 1, 0, 1, 0], start=1)}}
    for name, value in answers.items():
        checkin.locator(f".wb-field-{name} input[type=radio]").nth(value).check()
    checkin.locator(".wb-save").click()
    expect(checkin.locator(".wb-form .wb-ok")).to_be_visible()
    expect(checkin.locator(".wb-item9-box")).to_have_count(0)

    page.locator(".wb-nav-homework").click()
    for row in rows.values():
        expect(count_of(row)).to_have_text(re.compile(r"^\s*1\b"))
    expect(rows["checkin"]).to_have_class(re.compile(r"\bwb-homework-met\b"))

    assert [r["description"] for r in client.rows("win")] == [WIN]
    [record] = client.rows("thought_record")
    assert (record["status"], record["situation"], record["balanced_thought"]) == (
        "complete", SITUATION, BALANCED)
    assert len(client.rows("checkin")) == 3


# -- 3. the client shares a bundle from My data -------------------------------------------------------
SHARED = ("mood", "thought_record", "win", "checkin")


def test_3_client_shares_a_bundle(browser, servers, seen: Seen, handed, files: Path, request) -> None:
    needs(handed, "homework")
    client = servers["app"]
    server_log(request, client)
    page = new_page(browser, seen)
    open_app(page, client.url, client)
    page.locator(".wb-nav-data").click()
    share = page.locator(".wb-page-data .wb-share")
    expect(share).to_be_visible(timeout=PAGE_MS)

    first = TODAY - dt.timedelta(days=27)
    type_into(share.locator(".wb-range-from input"), first.isoformat())
    type_into(share.locator(".wb-range-to input"), TODAY.isoformat())
    for kind in SHARED:
        box = share.locator(f".wb-share-kind-{kind} input")
        box.check()
        expect(box).to_be_checked()
    expect(share.locator(".wb-share-kind-session input")).not_to_be_checked()
    share.locator(".wb-make-bundle").click()
    expect(share.locator(".wb-ok")).to_be_visible(timeout=PAGE_MS)  # the report is drawn first
    saved = download(page, share.locator(".wb-download a.wb-download-link"), files)

    assert saved.suffix == ".zip", saved.name
    with zipfile.ZipFile(saved) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        assert {"manifest.json", "report.html", "report.pdf"} <= names, names
        assert {f"{kind}.csv" for kind in SHARED} <= names, names
        assert "session.csv" not in names  # not ticked, not shared
        for name, entry in manifest["files"].items():
            assert hashlib.sha256(archive.read(name)).hexdigest() == entry["sha256"], name
        report = archive.read("report.html").decode("utf-8")
    assert manifest["format"] == "between-sessions-bundle"
    assert manifest["range"] == {"start": first.isoformat(), "end": TODAY.isoformat()}
    assert set(manifest["kinds"]) == set(SHARED)
    assert manifest["counts"] == {"mood": 18, "thought_record": 1, "win": 1, "checkin": 3}
    assert "<script" not in report.lower()
    handed["bundle"] = saved


# -- 4. the therapist reviews it --------------------------------------------------------------------
def folder_listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_4_therapist_reviews_the_bundle_against_the_homework(
        browser, servers, seen: Seen, handed, request) -> None:
    homework_file, bundle = needs(handed, "homework"), needs(handed, "bundle")
    review = servers["review"]
    server_log(request, review)
    before = folder_listing(review.data_dir)
    page = new_page(browser, seen)
    page.goto(review.url)
    board = page.locator(".wb-page-review")
    expect(board).to_be_visible(timeout=READY_MS)
    upload(page, board.locator(".wb-upload"), bundle, homework_file)

    client = board.locator(".wb-review-clients .wb-review-client")
    expect(client).to_have_count(1, timeout=PAGE_MS)
    expect(board.locator(".wb-review-file-list li")).to_have_count(2)
    expect(board.locator(".wb-review-file-list .wb-problem")).to_have_count(0)

    completion = client.locator(".wb-review-completion")
    expect(completion.locator("tbody tr")).to_have_count(len(TARGETS))
    expect(completion).to_contain_text(PROMPT)
    expect(completion).to_contain_text("Small steps count, Sam.")
    for title in ("Thought record", "Small wins", "PHQ-9 and GAD-7 check-in"):
        row = completion.locator("tbody tr", has_text=title)
        expect(row).to_have_count(1)
        # this week's one of its target, in the week's own cell
        expect(row.locator("td", has_text=re.compile(r"^\s*1 / \d+\s*$"))).to_have_count(1)
    expect(completion.locator("tbody tr", has_text="PHQ-9").locator("td.wb-met")).not_to_have_count(0)

    # the trajectory: three PHQ-9 and three GAD-7 totals, charted and listed
    expect(client.locator(".wb-review-scores tbody tr")).to_have_count(6)
    expect(client.locator(".wb-review-scores .wb-review-change li")).to_have_count(2)
    expect(client.locator(".wb-chart figure")).to_have_count(3, timeout=PAGE_MS)  # mood, wins, scores
    expect(client.locator(".wb-review-flags")).to_be_visible()

    # what the client wrote, as text
    thoughts = client.locator(".wb-review-thoughts")
    expect(thoughts).to_contain_text(SITUATION)
    expect(thoughts).to_contain_text(HOT)
    expect(thoughts).to_contain_text(BALANCED)
    wins = client.locator(".wb-review-wins")
    expect(wins).to_contain_text(WIN)
    expect(wins.locator("b")).to_have_count(0)

    assert folder_listing(review.data_dir) == before == [], folder_listing(review.data_dir)


# -- 5. the report in the bundle, scripts on and off -----------------------------------------------------
def test_5_report_reads_with_and_without_scripts(browser, servers, seen: Seen, handed,
                                                   files: Path) -> None:
    bundle = needs(handed, "bundle")
    report = files / "report" / "report.html"
    report.parent.mkdir(exist_ok=True)
    with zipfile.ZipFile(bundle) as archive:
        report.write_bytes(archive.read("report.html"))
    seen.allowed.add(report.as_uri())

    texts = {}
    for scripts in (True, False):
        page = new_page(browser, seen, java_script_enabled=scripts)
        page.goto(report.as_uri())
        body = page.locator("body")
        expect(page.locator("h1")).to_be_visible()
        expect(page.locator("svg").first).to_be_visible()
        expect(body).to_contain_text(WIN)  # as text: no <b> element made of it
        expect(body).to_contain_text(HOT)
        assert page.locator("b", has_text="pasta").count() == 0
        texts[scripts] = body.inner_text()
        if not scripts:
            page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert texts[True] == texts[False]  # nothing in it depends on a script
    assert 20_000 < SCREENSHOT.stat().st_size < 2_500_000, SCREENSHOT.stat().st_size
