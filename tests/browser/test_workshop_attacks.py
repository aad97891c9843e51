"""The security tier for `workbook workshop`: a flood of bad links, the request-info socket, kernels
reached with another participant's cookie, hosts, headers and signals.

Each test names the promise it proves (docs/security.md, "Workshops"). The workshop serves three
participants with two kernels kept ready; an attack succeeds if it takes a kernel without a valid
link, reaches a participant's kernel or request without being that participant, or leaves
anything running after the command was told to stop.
"""

from __future__ import annotations

import asyncio
import http.client
import http.cookiejar
import os
import re
import signal
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import processes
import pytest
from wb_browser import stop_server
from wb_workshop import Running, start_workshop

from workbook import workshop as ws

pytestmark = pytest.mark.browser

KERNEL_FILE = re.compile(r"kernel-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.json")
HEADERS = {"Content-Security-Policy": "frame-ancestors 'none'", "Referrer-Policy": "no-referrer",
           "X-Content-Type-Options": "nosniff"}
NO_KERNEL = "00000000-0000-0000-0000-000000000000"
ATTACKER_ADDRESS = "127.0.0.2"  # loopback too, but another client address than the participants'


@pytest.fixture(scope="module")
def workshop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    running = start_workshop(tmp_path_factory.mktemp("workshop-attacks") / "data")
    yield running
    stop_server(running.server)


def kernel_pids(running: Running) -> dict[str, int]:
    """kernel id -> pid of every kernel this workshop started (read from /proc, as `ps` shows)."""
    found = {}
    for pid in processes.descendants(running.server.proc.pid):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace")
        except OSError:
            continue
        match = KERNEL_FILE.search(cmdline) if "ipykernel" in cmdline else None
        if match:
            found[match[1]] = pid
    return found


def kernel_environment(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode("utf-8", "replace").split("=", 1) for item in raw if b"=" in item)


def get(url: str, source: str | None = None, headers: dict | None = None,
        timeout: float = 120) -> tuple[int, dict[str, str], str]:
    """One GET from `source` (a client address); status, headers, body. Nothing is followed."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout,
                                      source_address=(source, 0) if source else None)
    try:
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def open_page(url: str) -> tuple[str, str]:
    """A participant's page fetched as a browser would: (the page's kernel id, the Cookie header)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(url, timeout=120) as response:
        html = response.read().decode("utf-8")
    kernel = re.search(r'"kernelId": "([0-9a-f-]{36})"', html)[1]
    return kernel, "; ".join(f"{c.name}={c.value}" for c in jar)


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

    with ThreadPoolExecutor(1) as pool:  # no event loop of anyone else's is touched
        return pool.submit(lambda: asyncio.run(talk())).result()


def wrong_link(running: Running, n: int) -> str:
    secret = ws.key_from_query(urlsplit(running.links[0]).query)
    tampered = f"{n:04d}" + secret[4:]
    running.secrets_used.add(tampered)
    return f"{running.base}?key={tampered}"


# -- the tests ----------------------------------------------------------------------------------
def test_a_flood_of_bad_links_takes_no_kernel_and_a_participant_gets_in_at_once(workshop: Running) -> None:
    """Promise W1: a link is checked before a kernel is taken; W2: failures are slowed per address."""
    before = set(kernel_pids(workshop))
    log_start = len(workshop.server.stderr_lines)
    urls = [workshop.base] * 10 + [wrong_link(workshop, n) for n in range(30)]
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda u: get(u, source=ATTACKER_ADDRESS, timeout=60), urls))
    statuses = [status for status, _, _ in answers]
    assert set(statuses) <= {403, 429}, statuses
    assert statuses.count(429) >= 15  # after 10 failed links a minute, the address waits
    denied = next(body for status, _, body in answers if status == 403)
    assert "This link does not open a workbook" in denied and "crisis line" in denied
    slowed = next(body for status, _, body in answers if status == 429)
    assert "Wait a minute, then open your link again" in slowed
    log = "".join(workshop.server.stderr_lines[log_start:])
    assert "Using pre-heated kernel" not in log and "Kernel started" not in log
    assert set(kernel_pids(workshop)) == before  # the pool is untouched
    # a participant on another device is let in at once, on a kernel kept ready
    started = time.monotonic()
    status, _, body = get(workshop.links[1], timeout=60)
    assert status == 200 and "jupyter-config-data" in body
    assert time.monotonic() - started < 30


def test_the_request_info_socket_needs_the_kernels_secret_and_hands_out_no_key(workshop: Running) -> None:
    """Promise W4: /voila/query answers only this launch's kernels, once, with no participant's key."""
    pool = kernel_pids(workshop)
    assert pool, "no kernel kept ready"
    ws_base = workshop.base.replace("http://", "ws://")
    waiting = next(iter(pool))
    # Voila's own route, with a kernel id read from `ps`: nothing (the old socket answered anyone)
    assert websocket(f"{ws_base}voila/query/{waiting}").startswith("refused")
    query_url = kernel_environment(pool[waiting])["WORKBOOK_QUERY_URL"]
    secret = query_url.rstrip("/").rsplit("/", 1)[1]
    assert secret not in "".join(workshop.server.stderr_lines)
    assert websocket(f"{ws_base}voila/query/{'x' * len(secret)}/{waiting}").startswith("refused")
    # a participant is let in; the request their kernel was given is gone from the server
    kernel, _ = open_page(workshop.links[2])
    assert websocket(f"{query_url}/{kernel}", read=True) == "silent"
    # nor does Voila's own route hand it out, now or after the kernel has it
    assert websocket(f"{ws_base}voila/query/{kernel}", read=True).startswith("refused")


def test_a_kernel_answers_only_the_participant_it_was_handed_to(workshop: Running) -> None:
    """Promise W3: a kernel id, without the owner's cookie or with another participant's, opens nothing."""
    kernel, own_cookie = open_page(workshop.links[0])
    _, other_cookie = open_page(workshop.admin)
    channels = f"{workshop.base.replace('http://', 'ws://')}api/kernels/{kernel}/channels?session_id=x"
    assert websocket(channels).startswith("refused")
    assert websocket(channels, other_cookie).startswith("refused")
    assert websocket(channels, own_cookie) == "open"
    for cookie in ("", other_cookie):
        sent = {"Cookie": cookie} if cookie else {}
        status, _, _ = get(f"{workshop.base}api/kernels/{kernel}", headers=sent)
        assert status == 403
    # the cookie is strict, HttpOnly and ends with the browser session; alone it opens no page
    key = urlsplit(workshop.links[0]).query
    status, headers, _ = get(f"{workshop.base}api/kernels/{NO_KERNEL}?{key}")  # takes no kernel
    cookie_header = headers["Set-Cookie"]
    assert "HttpOnly" in cookie_header and "SameSite=Strict" in cookie_header
    assert "expires" not in cookie_header.lower() and "max-age" not in cookie_header.lower()
    status, _, body = get(workshop.base, headers={"Cookie": own_cookie})
    assert status == 403 and "does not open a workbook" in body


@pytest.mark.parametrize("path", ["", "voila/static/voila.js", "no-such-page", "login"])
def test_every_workshop_response_carries_the_security_headers(workshop: Running, path: str) -> None:
    """Promise W5: pages, static files and error pages carry the same headers as `workbook serve`."""
    status, headers, _ = get(f"{workshop.base}{path}")
    assert status in (200, 403, 404), status
    for name, value in HEADERS.items():
        assert value in headers.get(name, ""), (path, name, headers)


def test_a_page_on_another_host_name_gets_nothing(workshop: Running) -> None:
    """Promise W5: DNS rebinding: a name that resolves here but is not the workshop's is refused."""
    port = urlsplit(workshop.base).port
    for host in ("evil.example", f"evil.example:{port}", f"rebind.127.0.0.1.nip.io:{port}"):
        status, _, body = get(workshop.links[0], headers={"Host": host})
        assert status == 403, host
        assert "jupyter-config-data" not in body
    key = urlsplit(workshop.links[0]).query
    status, _, _ = get(f"{workshop.base}api/kernels/{NO_KERNEL}?{key}", headers={"Host": f"localhost:{port}"})
    assert status == 404  # let in (and no such kernel)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_stops_the_workshop_and_every_kernel(tmp_path: Path, sig: int) -> None:
    """Promise W6: SIGTERM or SIGHUP on `workbook workshop` leaves no server and no kernel running."""
    running = start_workshop(tmp_path / "data", pool=1, max_kernels=3)
    try:
        started = processes.descendants(running.server.proc.pid)
        assert kernel_pids(running), "no kernel to stop"
        os.kill(running.server.proc.pid, sig)  # the command alone, as `kill` or a closed terminal would
        running.server.proc.wait(timeout=30)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(processes.alive(p) for p in started):
            time.sleep(0.2)
        assert not [p for p in started if processes.alive(p)], "still running after the signal"
        with pytest.raises(OSError):
            urllib.request.urlopen(running.links[0], timeout=5)
    except urllib.error.HTTPError as exc:  # pragma: no cover - the server answered: it still runs
        pytest.fail(f"the workshop still answers after the signal ({exc.code})")
    finally:
        stop_server(running.server)
