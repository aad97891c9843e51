"""Workshop mode in Chromium against a real `workbook workshop` server.

One server for the module: three participants, a small pool (2 kernels ready, at most 8)
and a short idle time (~20 s) so that a closed page's kernel is culled within the test. Every
page is watched like the app's pages (conftest's `watch`, pointed at this server by overriding
`app_server`): a request to another host or a JavaScript dialog fails the test.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect
from wb_browser import Server, observe, stop_server
from wb_workshop import PARTICIPANTS, Running, start_workshop

from workbook import workshop as ws

pytestmark = pytest.mark.browser

READY_TIMEOUT_MS = 90_000
CULL_TIMEOUT_S = 120
VIEWPORT = {"width": 1000, "height": 900}
CHROMIUM_CONTEXT = {"viewport": VIEWPORT}


@pytest.fixture(scope="module")
def workshop_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    running = start_workshop(tmp_path_factory.mktemp("workshop") / "data")
    yield running
    stop_server(running.server)


@pytest.fixture
def app_server(workshop_server: Running) -> Server:
    """conftest's `watch` follows this: the pages here talk to the workshop server."""
    return workshop_server.server


@pytest.fixture
def open_link(browser, watch) -> Iterator[Callable[..., Page]]:
    """Open a link in a fresh browser context (a person of their own); watched like conftest's page."""
    contexts = []

    def opener(url: str, ready: str = ".wb-nav-mood") -> Page:
        context = browser.new_context(**CHROMIUM_CONTEXT)
        contexts.append(context)
        pg = context.new_page()
        pg.set_default_timeout(30_000)
        observe(pg, watch)
        pg.goto(url)
        expect(pg.locator(ready)).to_be_visible(timeout=READY_TIMEOUT_MS)
        return pg

    yield opener
    for context in contexts:
        for pg in context.pages:
            try:
                pg.close(run_before_unload=True)  # Voila shuts the kernel down (frees the bound)
            except Exception:  # noqa: BLE001 - already closed
                pass
        context.close()
    problems = []
    if watch.foreign():
        problems.append(f"requests to other hosts than {watch.netloc}:\n  "
                        + "\n  ".join(sorted(set(watch.foreign()))))
    if watch.dialogs:
        problems.append("JavaScript dialogs opened:\n  " + "\n  ".join(watch.dialogs))
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def save_mood(pg: Page, note: str) -> None:
    pg.locator(".wb-nav-mood").click()
    root = pg.locator(".wb-page-mood")
    expect(root).to_be_visible(timeout=READY_TIMEOUT_MS)
    root.locator(".wb-field-note textarea").fill(note)
    root.locator(".wb-field-note textarea").blur()
    root.locator(".wb-save").click()
    expect(root.locator(".wb-form .wb-ok")).to_be_visible()
    expect(root.locator(".wb-entries .wb-entry").filter(has_text=note)).to_have_count(1)


def kernel_id(pg: Page) -> str:
    return pg.evaluate("JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")


def kernel_gone(running: Running, kernel: str, within_s: float, link: str) -> bool:
    """Whether the server stops knowing the kernel (404) within `within_s` seconds.

    Asked with the link of the participant the kernel serves: nobody else may ask about it.
    """
    key = urlsplit(link).query
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{running.base}api/kernels/{kernel}?{key}", timeout=10):
                pass
        except urllib.error.HTTPError as exc:
            assert exc.code == 404
            return True
        time.sleep(0.25)
    return False


# -- the tests ------------------------------------------------------------------------------
def test_two_participants_each_see_only_their_own_entry(workshop_server: Running, open_link) -> None:
    first_url, second_url = workshop_server.links[:2]
    first, second = open_link(first_url), open_link(second_url)
    expect(first.locator(".wb-workshop-bar")).to_contain_text("private")
    save_mood(first, "Note of the first participant, walked to the park")
    save_mood(second, "Note of the second participant, called a friend")
    for pg, mine, theirs in ((first, "first participant", "second participant"),
                             (second, "second participant", "first participant")):
        pg.reload()
        expect(pg.locator(".wb-nav-mood")).to_be_visible(timeout=READY_TIMEOUT_MS)
        pg.locator(".wb-nav-mood").click()
        entries = pg.locator(".wb-page-mood .wb-entries")
        expect(entries.filter(has_text=mine)).to_have_count(1)
        expect(pg.locator("body")).not_to_contain_text(theirs)
    assert [r["note"] for r in workshop_server.rows(first_url, "mood")] == [
        "Note of the first participant, walked to the park"]
    assert [r["note"] for r in workshop_server.rows(second_url, "mood")] == [
        "Note of the second participant, called a friend"]
    assert not (workshop_server.root / "mood.csv").exists()


def test_a_wrong_or_missing_link_gets_a_kind_no_and_no_form(workshop_server: Running, open_link) -> None:
    secret = ws.key_from_query(urlsplit(workshop_server.links[0]).query)
    tampered = secret[:-2] + ("AA" if not secret.endswith("AA") else "BB")
    workshop_server.secrets_used.add(tampered)
    for url in (f"{workshop_server.base}?key={tampered}", workshop_server.base):
        # the server says no itself (no kernel is taken): a calm page, help in reach
        pg = open_link(url, ready=".wb-error-page")
        expect(pg.locator("h1")).to_have_text("This link does not open a workbook")
        expect(pg.locator("body")).to_contain_text("ask your facilitator for a new one")
        expect(pg.locator(".wb-help")).to_contain_text("crisis line")
        expect(pg.locator(".wb-save")).to_have_count(0)
        expect(pg.locator(".wb-nav-mood")).to_have_count(0)


def test_the_admin_link_shows_counts_from_those_who_share(workshop_server: Running, open_link) -> None:
    first_url = workshop_server.links[0]
    first = open_link(first_url)
    save_mood(first, "Counted mood")
    box = first.locator(".wb-share-counts input[type=checkbox]")
    box.evaluate("el => { if (!el.checked) el.click(); }")  # see test_app.tick
    expect(box).to_be_checked()
    expect(first.locator(".wb-workshop-bar .wb-ok")).to_contain_text("shared")
    admin = open_link(workshop_server.admin, ready=".wb-admin")
    counts = admin.locator(".wb-admin-counts")
    expect(counts).to_contain_text("Joined and sharing their counts: 1 of 3 open links")
    # one sharer's "added up" count is their own activity: a sentence instead (views test the sums)
    expect(counts.locator(".wb-admin-too-few")).to_contain_text("once at least 3 participants share")
    expect(counts.locator(".wb-admin-kind-mood")).to_have_count(0)
    expect(admin.locator(".wb-save")).to_have_count(0)
    expect(admin.locator("body")).not_to_contain_text("Counted mood")


def test_links_added_and_closed_while_running(workshop_server: Running, open_link) -> None:
    third_url = workshop_server.links[2]
    third = open_link(third_url)
    added = workshop_server.cli("--add", "1")
    assert added.returncode == 0, added.stderr
    [new_url] = added.stdout.split()
    workshop_server.secrets_used.add(ws.key_from_query(urlsplit(new_url).query))
    assert new_url.startswith(workshop_server.base)
    newcomer = open_link(new_url)
    save_mood(newcomer, "Joined late")
    member = workshop_server.member(third_url)
    closed = workshop_server.cli("--revoke", member.id)
    assert closed.returncode == 0, closed.stderr
    # the page that was open can no longer save; the link opens nothing any more
    third.locator(".wb-nav-win").click()
    root = third.locator(".wb-page-win")
    expect(root).to_be_visible(timeout=READY_TIMEOUT_MS)
    root.locator(".wb-field-description input, .wb-field-description textarea").first.fill("After closing")
    root.locator(".wb-field-description input, .wb-field-description textarea").first.blur()
    root.locator(".wb-save").click()
    expect(root.locator(".wb-form .wb-error .wb-problem")).to_contain_text("closed by the facilitator")
    assert workshop_server.rows(third_url, "win") == []
    pg = open_link(third_url, ready=".wb-error-page")
    expect(pg.locator(".wb-save")).to_have_count(0)


def test_a_returning_participant_after_a_cull_gets_their_page_and_data(
        workshop_server: Running, browser, open_link) -> None:
    second_url = workshop_server.links[1]
    context = browser.new_context(**CHROMIUM_CONTEXT)
    pg = context.new_page()
    pg.goto(second_url)
    expect(pg.locator(".wb-nav-mood")).to_be_visible(timeout=READY_TIMEOUT_MS)
    kernel = kernel_id(pg)
    context.close()  # no beforeunload: the kernel is left behind, disconnected, for the culler
    assert kernel_gone(workshop_server, kernel, within_s=CULL_TIMEOUT_S, link=second_url), \
        f"kernel {kernel} was not culled"
    assert any("due to" in line and "inactivity" in line for line in workshop_server.server.stderr_lines)
    back = open_link(second_url)
    back.locator(".wb-nav-mood").click()
    expect(back.locator(".wb-page-mood .wb-entries")).to_contain_text("called a friend")


def test_a_closed_page_gives_its_kernel_back_at_once(workshop_server: Running, open_link) -> None:
    """Voila's shutdown beacon on closing a page is accepted, so a reload never holds two places."""
    first_url = workshop_server.links[0]  # the third link is closed by an earlier test
    pg = open_link(first_url)
    kernel = kernel_id(pg)
    log_start = len(workshop_server.server.stderr_lines)
    pg.close(run_before_unload=True)
    # within 10 s: well before the culler could take it (idle ~20 s)
    assert kernel_gone(workshop_server, kernel, within_s=10, link=first_url), \
        f"kernel {kernel} still runs, its page closed"
    log = "".join(workshop_server.server.stderr_lines[log_start:])
    # the shutdown is logged, the kernel's id is not (ids are credentials: the log says [id])
    assert "Kernel shutdown: [id]" in log and kernel not in log
    assert "403 POST /voila/api/shutdown" not in log


def test_beyond_the_bound_a_page_says_the_workshop_is_full(tmp_path: Path) -> None:
    """At most one kernel, none kept ready: the second page gets our 503 page, nothing external."""
    running = start_workshop(tmp_path / "data", pool=0, max_kernels=1)
    try:
        with urllib.request.urlopen(running.links[0], timeout=120) as response:
            assert response.status == 200
        with pytest.raises(urllib.error.HTTPError) as full:
            urllib.request.urlopen(running.links[1], timeout=120)
        body = full.value.read().decode("utf-8")
        assert full.value.code == 503
        assert "The workshop is full right now" in body and "crisis line" in body
        assert "http" not in body.lower().replace("http-equiv", "")  # no stylesheet from a CDN
        log = "".join(running.server.stderr_lines)
        assert "full: 1 kernels running (at most 1)" in log
    finally:
        stop_server(running.server)


def test_a_participants_page_cannot_run_code(workshop_server: Running, tmp_path: Path) -> None:
    """An execute request sent on a participant's own kernel connection is dropped by the server."""
    import asyncio
    import datetime as dt
    import http.cookiejar
    import re
    import uuid

    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    marker = tmp_path / "ran.txt"
    jar = http.cookiejar.CookieJar()  # the participant's cookie: their kernel answers only them
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(workshop_server.links[0], timeout=120) as response:
        html = response.read().decode("utf-8")
    config = json.loads(re.search(r'id="jupyter-config-data" type="application/json">\s*(.*?)\s*</script>',
                                  html, re.S)[1])
    session = uuid.uuid4().hex

    def message(msg_type: str, content: dict) -> str:
        return json.dumps({"header": {"msg_id": uuid.uuid4().hex, "username": "test", "session": session,
                                      "msg_type": msg_type, "version": "5.3",
                                      "date": dt.datetime.now(dt.timezone.utc).isoformat()},
                           "parent_header": {}, "metadata": {}, "content": content, "channel": "shell"})

    async def talk() -> list[str]:
        url = (workshop_server.base.replace("http://", "ws://")
               + f"api/kernels/{config['kernelId']}/channels?session_id={session}")
        cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
        conn = await websocket_connect(HTTPRequest(url, headers={"Cookie": cookie}))
        await conn.write_message(message("execute_request", {
            "code": f"open({str(marker)!r}, 'w').write('ran')", "silent": False, "store_history": False,
            "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}))
        await conn.write_message(message("kernel_info_request", {}))
        seen: list[str] = []
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                frame = await asyncio.wait_for(conn.read_message(), 1)
            except asyncio.TimeoutError:
                continue
            if frame is None:
                break
            text = frame if isinstance(frame, str) else frame.decode("utf-8", "replace")
            found = re.search(r'"msg_type": "(\w+)"', text)
            seen.append(found[1] if found else "?")
        conn.close()
        return seen

    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API holds this thread's event loop
        seen = pool.submit(lambda: asyncio.run(talk())).result()
    assert "kernel_info_reply" in seen  # the connection worked
    assert "execute_reply" not in seen and "execute_input" not in seen
    assert not marker.exists()


def test_secrets_never_reach_the_server_log(workshop_server: Running) -> None:
    secret = ws.key_from_query(urlsplit(workshop_server.links[0]).query)
    for path in ("voila/files/notes.csv", "participants/x/mood.csv", "voila/static/none.js",
                 "api/kernels/00000000-0000-0000-0000-000000000000", "voila/api/shutdown/x",
                 "voila/query/00000000-0000-0000-0000-000000000000", "../participants.json"):
        try:
            urllib.request.urlopen(f"{workshop_server.base}{path}?key={secret}", timeout=30).read()
        except urllib.error.HTTPError:
            pass
    time.sleep(1)
    log = "".join(workshop_server.server.stderr_lines)
    assert "?[redacted]" in log or "403 GET /voila/files/notes.csv" in log  # the requests were logged
    on_disk = (workshop_server.root / ws.LINKS_TXT).read_text()
    every_secret = workshop_server.secrets_used | {ws.key_from_query(urlsplit(w).query)
                                                   for w in on_disk.split() if "?key=" in w}
    assert len(every_secret) >= PARTICIPANTS + 1
    for value in every_secret:
        assert value not in log
    # stdout holds exactly the participants' links, one a line, and nothing else
    assert [line.strip() for line in workshop_server.stdout] == workshop_server.links
    # the data folder is not reachable over HTTP
    for path in ("participants.json", "workshop-links.txt", "voila/files/participants.json",
                 f"voila/files/participants/{workshop_server.member(workshop_server.links[0]).id}/mood.csv"):
        try:
            with urllib.request.urlopen(f"{workshop_server.base}{path}", timeout=30) as response:
                body = response.read().decode("utf-8", "replace")
            assert "hash" not in body and "?key=" not in body and "Note of the" not in body, path
        except urllib.error.HTTPError as exc:
            assert exc.code in (403, 404), path
    assert json.loads((workshop_server.root / ws.REGISTRY).read_text())["hash"] == "sha256"
