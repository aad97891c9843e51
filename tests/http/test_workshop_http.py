"""`workbook workshop` over HTTP: bad links, the rate limit, hosts, headers, kernels' owners and
the request-info socket (docs/security.md, "Workshops").

The workshop runs in this process (conftest.py) with three participants and one kernel kept
ready. An attack succeeds if it takes a kernel without a valid link, reaches a participant's
kernel or request without being that participant, or gets anything but the workbook's calm page.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from urllib.parse import urlsplit

import pytest
from wb_http import Response, routes, sample_path

from workbook import server
from workbook import workshop as ws
from workbook import workshop_server as wss

NO_KERNEL = "00000000-0000-0000-0000-000000000000"
ATTACKER_ADDRESS = "127.0.0.2"  # loopback too, but another client address than the participants'
POOL_TIMEOUT_S = 180             # the kept-ready kernel runs the workshop notebook's imports


@pytest.fixture(scope="module")
def group(workshop):
    """The workshop once its kernel kept ready has run the notebook up to waiting for a participant
    (as the command's pool is before people arrive)."""
    manager = workshop.server.app.kernel_manager

    def pool_ready() -> bool:
        tasks = [task for pool in getattr(manager, "_pools", {}).values() for task in pool]
        return bool(tasks) and all(task.done() for task in tasks)

    deadline = time.monotonic() + POOL_TIMEOUT_S
    while not workshop.server.call(pool_ready):
        assert time.monotonic() < deadline, "\n".join(["the pool did not fill:",
                                                       *workshop.server.log.lines[-20:]])
        time.sleep(0.2)
    return workshop


def open_page(group, link: str) -> tuple[Response, str, str]:
    """A link's page as a browser fetches it, once per link: (response, its kernel id, its cookie)."""
    if link not in group.pages:
        response = group.server.fetch(link)
        assert response.status == 200, (response.status, response.body[:500])
        kernel = re.search(r'"kernelId": "([0-9a-f-]{36})"', response.body)[1]
        cookie = "; ".join(c.split(";", 1)[0] for c in response.headers.get_all("Set-Cookie") or [])
        group.pages[link] = (response, kernel, cookie)
    return group.pages[link]


def wrong_link(group, n: int) -> str:
    secret = ws.key_from_query(urlsplit(group.links[0]).query)
    return f"/?{ws.KEY_PARAM}={n:04d}{secret[4:]}"


def websocket(url: str, cookie: str = "", read: bool = False) -> str:
    """'refused: ...', 'open', or the first message within 3 s ('silent' if none)."""
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    async def talk() -> str:
        try:
            conn = await websocket_connect(HTTPRequest(url, headers={"Cookie": cookie} if cookie else {}))
        except Exception as exc:  # noqa: BLE001 - the refusal is the answer
            return f"refused: {exc}"
        try:
            if not read:
                return "open"
            try:
                message = await asyncio.wait_for(conn.read_message(), 3)
            except asyncio.TimeoutError:
                return "silent"
            return "closed" if message is None else str(message)
        finally:
            conn.close()

    return asyncio.run(talk())


def test_a_flood_of_bad_links_takes_no_kernel_and_a_participant_gets_in_at_once(group) -> None:
    """Promise W1: a link is checked before a kernel is taken; W2: failures are slowed per address."""
    srv = group.server
    before = srv.kernels()
    assert before, "no kernel kept ready: the flood would prove nothing"
    log_start = len(srv.log.lines)
    answers = [srv.fetch(path, source=ATTACKER_ADDRESS)
               for path in ["/"] * 10 + [wrong_link(group, n) for n in range(30)]]
    statuses = [a.status for a in answers]
    assert set(statuses) <= {403, 429}, statuses
    assert statuses.count(429) >= 15, statuses  # after 10 failed links a minute, the address waits
    denied = next(a for a in answers if a.status == 403)
    assert f"<h1>{wss.DENIED_TITLE}</h1>" in denied.body and "crisis line" in denied.body
    assert "ask your facilitator" in denied.body
    assert denied.header("Cache-Control") == "no-store"
    slowed = next(a for a in answers if a.status == 429)
    assert f"<h1>{wss.TOO_MANY_TITLE}</h1>" in slowed.body and "Wait a minute" in slowed.body
    assert slowed.header("Retry-After") == str(int(wss.FAILED_WINDOW_S))
    log = "\n".join(srv.log.lines[log_start:])
    assert "Using pre-heated kernel" not in log and "Kernel started" not in log
    assert srv.kernels() == before, "the kernel kept ready was taken or another one started"
    # a participant on another device (address) is let in at once, on the kernel kept ready
    started = time.monotonic()
    _, kernel, _ = open_page(group, group.links[1])
    assert time.monotonic() - started < 30
    assert kernel in before


@pytest.mark.parametrize("path", ["", "voila/static/voila.js", "no-such-page", "login", "logout",
                                  f"api/kernels/{NO_KERNEL}"])
def test_every_workshop_response_carries_the_security_headers(group, path: str) -> None:
    """Promise W5: pages, static files and error pages carry the same headers as `workbook serve`."""
    response = group.server.fetch(f"/{path}")
    assert response.status in (200, 403, 404), (path, response.status)
    for name, value in server.SECURITY_HEADERS.items():
        assert response.header(name) == value, (path, name)
    if response.status >= 400 and "text/html" in response.header("Content-Type"):
        assert 'class="wb-error-page"' in response.body and "crisis line" in response.body, path


def test_no_link_and_the_login_page_get_the_calm_refusal(group) -> None:
    """W1: without a link, every way in (the page, Jupyter's login) says how to get a link."""
    before = group.server.kernels()
    for path, method in (("/", "GET"), ("/login", "GET"), ("/login", "POST"), ("/logout", "GET")):
        response = group.server.fetch(path, method=method, body="" if method == "POST" else None)
        assert response.status == 403, (path, method, response.status)
        assert f"<h1>{wss.DENIED_TITLE}</h1>" in response.body, path
        assert "Check that the whole link was copied" in response.body, path  # what to do next
        assert "Traceback" not in response.body
    assert group.server.kernels() == before


PUBLIC_FILES = {"TemplateStaticFileHandler", "MultiStaticFileHandler", "ThemesHandler", "FileFindHandler"}


def test_every_route_refuses_whoever_has_no_link(group) -> None:
    """W1 and W3, route by route, read from the server itself: without a link (or its cookie)
    only the page's own static files answer, and no request takes, starts or stops a kernel."""
    srv = group.server
    before = srv.kernels()
    kernel = next(iter(before))
    found = routes(srv)
    assert {handler.__name__ for _, handler in found} >= {"LinkPage", "KernelHandler", "Denied",
                                                          "OwnedShutdown", "KernelRequestInfo"}
    for pattern, handler in found:
        path = sample_path(pattern, kernel)
        for method in ("GET", "POST", "DELETE"):
            response = srv.fetch(path, method=method, body="" if method != "GET" else None)
            assert "jupyter-config-data" not in response.body
            if handler.__name__ not in PUBLIC_FILES:
                assert response.status in (302, 400, 403, 404, 405), (handler.__name__, method, path,
                                                                      response.status)
    assert srv.kernels() == before, "a request without a link took, started or stopped a kernel"


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "rebind.127.0.0.1.nip.io:{port}"])
def test_a_page_on_another_host_name_gets_nothing(group, host: str) -> None:
    """Promise W5: DNS rebinding: a name that resolves here but is not the workshop's is refused."""
    srv = group.server
    before = srv.kernels()
    response = srv.fetch(group.links[0], headers={"Host": host.format(port=srv.port)})
    assert response.status == 403, host
    assert "jupyter-config-data" not in response.body
    assert srv.kernels() == before
    key = urlsplit(group.links[0]).query
    allowed = srv.fetch(f"/api/kernels/{NO_KERNEL}?{key}", headers={"Host": f"localhost:{srv.port}"})
    assert allowed.status == 404  # let in (and no such kernel)


def test_a_kernel_answers_only_the_participant_it_was_handed_to(group) -> None:
    """Promise W3: a kernel id, without the owner's cookie or with another participant's, opens nothing."""
    srv = group.server
    _, kernel, own_cookie = open_page(group, group.links[1])  # the participant let in by the flood test
    # another participant's cookie, from their link on a request that takes no kernel
    other = srv.fetch(f"/api/kernels/{NO_KERNEL}?{urlsplit(group.links[0]).query}")
    assert other.status == 404
    other_cookie = "; ".join(c.split(";", 1)[0] for c in other.headers.get_all("Set-Cookie") or [])
    assert other_cookie and other_cookie != own_cookie
    channels = f"ws://127.0.0.1:{srv.port}/api/kernels/{kernel}/channels?session_id=x"
    assert websocket(channels).startswith("refused")
    assert websocket(channels, other_cookie).startswith("refused")
    assert websocket(channels, own_cookie) == "open"
    for cookie in ("", other_cookie):
        response = srv.fetch(f"/api/kernels/{kernel}", headers={"Cookie": cookie} if cookie else {})
        assert response.status == 403
    # the cookie is strict, HttpOnly and ends with the browser session; alone it opens no page
    cookie_header = other.header("Set-Cookie")
    assert "HttpOnly" in cookie_header and "SameSite=Strict" in cookie_header
    assert "expires" not in cookie_header.lower() and "max-age" not in cookie_header.lower()
    response = srv.fetch("/", headers={"Cookie": own_cookie})
    assert response.status == 403 and "does not open a workbook" in response.body


def test_the_request_info_socket_needs_the_kernels_secret_and_hands_out_no_key(group) -> None:
    """Promise W4: /voila/query answers only this launch's kernels, once, with no participant's key."""
    srv = group.server
    base = f"ws://127.0.0.1:{srv.port}/"
    # Voila's own route, with any kernel id: nothing (the stock socket answers anyone)
    some_kernel = next(iter(srv.kernels()))
    assert websocket(f"{base}voila/query/{some_kernel}").startswith("refused")
    query_url = os.environ[wss.QUERY_URL_ENV]  # what the kernels inherit (this process is the server)
    secret = query_url.rstrip("/").rsplit("/", 1)[1]
    assert secret not in "\n".join(srv.log.lines)  # the log is kept at DEBUG: what --debug would show
    assert websocket(f"{base}voila/query/{'x' * len(secret)}/{some_kernel}").startswith("refused")
    # the participant let in on the kernel kept ready (the flood test): the request that kernel was
    # given is gone from the server
    _, kernel, _ = open_page(group, group.links[1])
    assert websocket(f"{query_url}/{kernel}", read=True) == "silent"
    assert websocket(f"{base}voila/query/{kernel}", read=True).startswith("refused")
    # and no key of any link reached the log
    log = "\n".join(srv.log.lines)
    assert not any(ws.key_from_query(urlsplit(link).query) in log for link in [*group.links, group.admin])
