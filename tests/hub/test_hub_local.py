"""The single-machine hub (deploy/jupyterhub, `make hub`) for real: two people, two workbooks.

Each person lands on the app in Voila through JupyterHub, saves a mood check-in through
their own kernel, and the entry is in their own home and nowhere else. With
NativeAuthenticator, nobody gets in before an admin approves them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Response, expect

pytestmark = [pytest.mark.hub, pytest.mark.timeout(240)]

APP_PATH = "/voila/render/app.ipynb"
WIDGET_MIMETYPE = "application/vnd.jupyter.widget-view+json"
APP_READY_MS = 120_000    # spawn a server, start a kernel, run the notebook: ~10-20 s on 2 cores
ACTION_MS = 30_000


@dataclass
class Visitor:
    """One person's browser (own cookies, so own hub account) and what their page did."""

    context: BrowserContext
    page: Page
    hub_netloc: str
    requests: list[str] = field(default_factory=list)
    app_pages: list[Response] = field(default_factory=list)

    def foreign_requests(self) -> list[str]:
        return [url for url in self.requests
                if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).netloc != self.hub_netloc]


def visitor(browser: Browser, hub_url: str) -> Visitor:
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    page.set_default_timeout(ACTION_MS)
    found = Visitor(context, page, urlsplit(hub_url).netloc)
    page.on("request", lambda req: found.requests.append(req.url))
    page.on("websocket", lambda ws: found.requests.append(ws.url))
    page.on("response", lambda resp: found.app_pages.append(resp)
            if urlsplit(resp.url).path.endswith(APP_PATH) else None)
    return found


def go(person: Visitor, url: str) -> None:
    """Start loading a URL and return at once, so two people's servers start side by side."""
    person.page.evaluate("url => { window.location.href = url; }", url)


def wait_for_app(person: Visitor) -> str:
    """Wait until the app is drawn; check the page came from Voila; return the user's name."""
    person.page.locator(".wb-nav-mood").wait_for(state="visible", timeout=APP_READY_MS)
    path = urlsplit(person.page.url).path
    match = re.fullmatch(r"/user/([^/]+)" + re.escape(APP_PATH), path)
    assert match, f"not on the app in Voila: {person.page.url}"
    assert person.app_pages, "the Voila render URL was never requested"
    response = person.app_pages[-1]
    assert response.status == 200, f"{response.url} answered {response.status}"
    assert WIDGET_MIMETYPE in response.text(), "the Voila page carries no widget"
    return match[1]


def save_moods(*people: Visitor) -> None:
    """The 10-second check-in, for each person at the same time: open Mood, press Save."""
    for person in people:
        person.page.locator(".wb-nav-mood").click()
    for person in people:
        root = person.page.locator(".wb-page-mood")
        expect(root).to_be_visible(timeout=60_000)  # the first visit imports pandas and Altair
        root.locator(".wb-save").first.click()
    for person in people:
        expect(person.page.locator(".wb-page-mood .wb-ok")).to_be_visible(timeout=ACTION_MS)


def check_only_own_entry(hub, user: str, others: list[str]) -> str:
    """Exactly one mood row in the user's own folder; its id in nobody else's; returns the id."""
    rows = hub.rows(user, "mood")
    assert len(rows) == 1, f"{user}: expected one mood entry, found {rows}"
    entry_id = rows[0]["id"]
    for other in others:
        assert entry_id not in {row["id"] for row in hub.rows(other, "mood")}, \
            f"{user}'s entry is in {other}'s folder"
    return entry_id


def mood_files(root: Path) -> list[Path]:
    return sorted(root.rglob("mood.csv"))


def test_two_anonymous_people_each_get_their_own_workbook(hub_factory, browser) -> None:
    hub = hub_factory("tmp")
    ann, ben = visitor(browser, hub.url), visitor(browser, hub.url)
    try:
        go(ann, hub.url)
        go(ben, hub.url)
        name_ann, name_ben = wait_for_app(ann), wait_for_app(ben)
        assert name_ann != name_ben, "two browsers got the same anonymous account"

        save_moods(ann, ben)

        id_ann = check_only_own_entry(hub, name_ann, [name_ben])
        id_ben = check_only_own_entry(hub, name_ben, [name_ann])
        assert id_ann != id_ben
        # the entries are in those two homes and nowhere else the hub keeps files
        assert mood_files(hub.state) == sorted([hub.data_dir(name_ann) / "mood.csv",
                                                hub.data_dir(name_ben) / "mood.csv"])

        # Ben cannot open Ann's workbook: the hub refuses him at Ann's server
        theirs = ben.context.request.get(f"{hub.url}user/{name_ann}{APP_PATH}")
        assert theirs.status == 403, f"Ben asked for Ann's app and got {theirs.status}"
        assert len(hub.rows(name_ann, "mood")) == 1

        for person in (ann, ben):
            assert not person.foreign_requests(), f"requests to other hosts: {person.foreign_requests()}"
    finally:
        ann.context.close()
        ben.context.close()


PASSWORD = "quiet-heron-lake-42"


def sign_up(person: Visitor, hub_url: str, name: str) -> str:
    page = person.page
    page.goto(hub_url + "hub/signup")
    page.locator("#username_input").fill(name)
    page.locator("#password_input").fill(PASSWORD)
    page.locator("#password_confirmation_input").fill(PASSWORD)
    page.locator("#signup_submit").click()
    page.wait_for_load_state()
    return page.locator("body").inner_text()


def log_in(person: Visitor, hub_url: str, name: str, next_path: str = "") -> None:
    """Fill the hub's login form and send it; returns once the hub has answered."""
    page = person.page
    page.goto(hub_url + "hub/login" + (f"?next={next_path}" if next_path else ""))
    page.locator("#username_input").fill(name)
    page.locator("#password_input").fill(PASSWORD)
    with page.expect_navigation(wait_until="commit"):
        page.locator("#login_submit").click()


def test_native_accounts_wait_for_the_facilitators_approval(hub_factory, browser) -> None:
    hub = hub_factory("native", admins="facilitator")
    facilitator, cleo = visitor(browser, hub.url), visitor(browser, hub.url)
    try:
        sign_up(facilitator, hub.url, "facilitator")
        assert "sent to the admin" in sign_up(cleo, hub.url, "cleo")

        # not approved yet: the login page again, saying so; no server, no data
        log_in(cleo, hub.url, "cleo")
        expect(cleo.page.locator(".login_error")).to_contain_text("has not been authorized")
        assert urlsplit(cleo.page.url).path.endswith("/hub/login"), cleo.page.url
        assert not (hub.homes / "cleo").exists()

        # the facilitator approves Cleo (their own login goes to the approval page, not a server)
        log_in(facilitator, hub.url, "facilitator", next_path="/hub/authorize")
        facilitator.page.wait_for_url("**/hub/authorize")
        facilitator.page.locator('a[href$="/authorize/cleo"]').click()
        expect(facilitator.page.locator("tr", has_text="cleo").get_by_role("button", name="Unauthorize")) \
            .to_be_visible()

        # approved: Cleo lands on the app in Voila on her own server (saving is tested above)
        log_in(cleo, hub.url, "cleo")
        assert wait_for_app(cleo) == "cleo"
        assert not (hub.homes / "facilitator").exists(), "the facilitator's login started a server"
        assert not cleo.foreign_requests(), f"requests to other hosts: {cleo.foreign_requests()}"
    finally:
        facilitator.context.close()
        cleo.context.close()
