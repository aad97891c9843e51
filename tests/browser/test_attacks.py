"""The security tier: `workbook serve` attacked as another local account and a page in a real browser.

What a single HTTP request can prove (headers, refusals without the key or on another host name,
no kernel started, the bound on kernels, error pages) is in tests/http, without a browser; what
needs Chromium, another account or the real processes (signals) is here. Each test names the
promise it proves (docs/security.md lists them). The person's folder holds
one private note; an attack succeeds if that note, or a way to it (a page, a kernel's socket),
reaches the attacker.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import processes
import pytest
from playwright.sync_api import expect
from wb_browser import CHROMIUM, CHROMIUM_ARGS, Server, open_app, start_server, stop_server

from workbook.store import Store

pytestmark = pytest.mark.browser

SECRET = "my private note 7f3a"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
NOBODY = 65534
# Any Python the other account can run (the project's may sit in a folder only its owner opens).
ATTACKER_PYTHON = next((p for p in ("/usr/bin/python3", "/usr/local/bin/python3")
                        if os.access(p, os.X_OK)), sys.executable)


@pytest.fixture(scope="module")
def person(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The person's own workbook, with one private note in it."""
    data = tmp_path_factory.mktemp("person") / "data"
    Store(data).add("mood", {"mood": 4, "note": SECRET})
    srv = start_server(data)
    yield srv
    stop_server(srv)


def kernels(server: Server) -> list[int]:
    """Kernel processes this server started (by pid, from /proc)."""
    found = []
    for pid in processes.descendants(server.proc.pid):
        try:
            if b"ipykernel" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(pid)
        except OSError:
            pass
    return found


def kernel_ids_from_ps() -> set[str]:
    """What any local account reads from the process list: the kernels' ids, from their command lines."""
    out = subprocess.run(["ps", "-ww", "-eo", "args"], capture_output=True, text=True, check=True).stdout
    return {m.group(0) for line in out.splitlines() if "ipykernel" in line for m in UUID.finditer(line)}


# An attacker's script, run as another account: stdlib only, handed over on the command line.
ATTACK = textwrap.dedent('''
    import http.client, json, os, sys
    port, ids = int(sys.argv[1]), sys.argv[2].split(",")
    results = {}
    def get(path, headers=None, host=None):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        conn.request("GET", path, headers={**(headers or {}), **({"Host": host} if host else {})})
        response = conn.getresponse()
        body = response.read().decode("utf-8", "replace")
        return response.status, body
    upgrade = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
               "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}
    results["page"] = get("/")
    results["page as localhost"] = get("/", host="localhost:%d" % port)
    for kid in ids:
        results["kernel " + kid] = get("/api/kernels/" + kid)
        results["channels " + kid] = get("/api/kernels/%s/channels" % kid, upgrade)
        results["query " + kid] = get("/voila/query/" + kid, upgrade)
        results["shutdown " + kid] = get("/voila/api/shutdown/" + kid)
    try:
        results["data folder"] = (0, str(os.listdir(sys.argv[3])))
    except OSError as exc:
        results["data folder"] = (-1, type(exc).__name__)
    print(json.dumps(results))
''')


def test_another_local_account_reaches_nothing(person: Server, browser) -> None:
    """Promise 1: another account on the machine, with every kernel id from `ps`, gets no page, no
    kernel, no socket and no file, and starts no kernel."""
    import json

    context = browser.new_context()
    try:
        pg = context.new_page()
        open_app(pg, person.url, person)  # the person has the workbook open: a live kernel
        ids = kernel_ids_from_ps()
        assert ids, "no kernel id could be read from ps: the attack would prove nothing"
        before = len(kernels(person))
        if os.geteuid() != 0 or shutil.which("setpriv") is None:
            pytest.fail("dropping to another account needs root and setpriv (util-linux)")
        done = subprocess.run(
            ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
             ATTACKER_PYTHON, "-c", ATTACK, str(person.base.split(":")[-1].strip("/")),
             ",".join(sorted(ids)), str(person.data_dir)],
            capture_output=True, text=True, timeout=120, cwd="/")
        assert done.returncode == 0, done.stderr
        results = json.loads(done.stdout)
        for what, (status, body) in results.items():
            assert status not in (101, 200), f"{what}: answered {status}"
            assert SECRET not in body, what
        assert results["data folder"][0] == -1, "the data folder could be listed"
        time.sleep(1)
        assert len(kernels(person)) == before, "a request without the key started a kernel"
        expect(pg.locator(".wb-nav-mood")).to_be_visible()  # the person's page still works
    finally:
        context.close()


def test_a_page_on_another_host_name_gets_nothing(person: Server, playwright_instance) -> None:
    """Promise 2 (DNS rebinding): a page whose host name resolves to this machine is refused,
    with the key or without it, and what it fetches starts no kernel."""
    port = person.base.split(":")[-1].strip("/")
    chromium = playwright_instance.chromium.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP evil.example 127.0.0.1"])
    try:
        pg = chromium.new_page()
        before = len(kernels(person))
        for address in (f"http://evil.example:{port}/", f"http://evil.example:{port}/?token={person.token}"):
            response = pg.goto(address)
            assert response is not None and response.status == 403, address
            assert SECRET not in pg.content()
            assert pg.locator(".wb-nav-mood").count() == 0
        # the page then tries the workbook's own address, as a rebinding page would after
        pg.evaluate(f"""async () => {{
            for (let i = 0; i < 5; i++) {{
                try {{ await fetch("http://127.0.0.1:{port}/", {{mode: "no-cors"}}); }} catch (e) {{}}
            }}
        }}""")
        time.sleep(1)
        assert len(kernels(person)) == before, "the other site's requests started kernels"
    finally:
        chromium.close()


def test_the_key_becomes_a_strict_cookie_and_leaves_the_address_bar(person: Server, browser) -> None:
    """Promise 4: the printed address works in any new tab; the key is swapped for an HttpOnly,
    SameSite=Strict cookie and is no longer in the address bar; the log shows no key or kernel id
    (the same, request by request and with the log at DEBUG, in tests/http)."""
    context = browser.new_context()
    try:
        pg = context.new_page()
        open_app(pg, person.url, person)
        assert "token" not in pg.url, pg.url
        cookies = [c for c in context.cookies() if c["name"].startswith("username-")]
        assert cookies and all(c["httpOnly"] and c["sameSite"] == "Strict" for c in cookies)
        second = context.new_page()
        open_app(second, person.url, person)  # a new tab with the printed address
        ids = kernel_ids_from_ps()
        log = "".join(person.stderr_lines)
        assert person.token not in log
        assert not any(kid in log for kid in ids), "a kernel id is in the log"
    finally:
        context.close()


def test_a_page_closed_without_saying_so_makes_room(tmp_path: Path, browser) -> None:
    """Promise 6, the other side: the bound never locks the person out of their own workbook. A
    tab that went away without giving its kernel back (a crash, a killed browser) makes room."""
    from workbook.voila_main import MAX_KERNELS

    srv = start_server(tmp_path / "data")  # its start already took one kernel
    try:
        context = browser.new_context()
        open_app(context.new_page(), srv.url, srv)
        context.close()  # no beforeunload: the kernel is not told
        statuses = [srv.get("/")[0] for _ in range(MAX_KERNELS - 1)]
        assert statuses == [200] * (MAX_KERNELS - 1), statuses
    finally:
        stop_server(srv)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_stops_the_server_and_every_kernel(tmp_path: Path, sig: int) -> None:
    """Promise 7: SIGTERM or SIGHUP on `workbook serve` leaves nothing serving the folder."""
    srv = start_server(tmp_path / "data")
    try:
        started = processes.descendants(srv.proc.pid)
        assert kernels(srv), "no kernel to stop"
        os.kill(srv.proc.pid, sig)  # the command alone, as `kill` or a closed terminal would
        srv.proc.wait(timeout=30)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(processes.alive(p) for p in started):
            time.sleep(0.2)
        left = [p for p in started if processes.alive(p)]
        assert not left, f"still running after the signal: {left}"
        from workbook.cli import runtime_file

        runtime = runtime_file((tmp_path / "data").resolve())
        assert runtime is not None and not runtime.exists()
    finally:
        stop_server(srv)


def test_a_second_serve_on_the_same_folder_says_where_the_first_is(person: Server) -> None:
    """Promise 8: one workbook per folder; the second command prints the first one's address."""
    done = subprocess.run([str(Path(sys.executable).with_name("workbook")), "serve", "--no-browser",
                           "--data-dir", str(person.data_dir)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert done.stdout.strip().splitlines()[-1] == person.url
    assert "already open" in done.stderr


def _pool_settled(srv: Server, timeout_s: float = 120.0) -> tuple[int, int]:
    """Wait until the preheated pool is full again; (kernels taken from it, fills) so far."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        log = "".join(srv.stderr_lines)
        used, filled = log.count("Using pre-heated kernel"), log.count("is filled with 1 kernel")
        if filled >= 1 and filled == used + 1:
            return used, filled
        time.sleep(0.2)
    raise AssertionError(f"the preheated kernel was not ready:\n{srv.log_tail()}")


def test_the_preheated_kernel_goes_only_to_a_request_with_the_key(tmp_path: Path, browser) -> None:
    """Promise 9: the kernel `workbook serve` starts ahead of time is handed only to a request
    that proved the key; requests without it, and its request-info socket without the launch's
    secret, neither take it nor learn anything. The page it serves shows the folder as it is
    when opened (an entry saved after the kernel was started is there)."""
    import http.client

    srv = start_server(tmp_path / "data")
    try:
        used, _ = _pool_settled(srv)
        before = set(kernels(srv))
        for path in ["/"] * 20 + ["/?token=wrong"] * 5 + ["/voila/render/app.ipynb"]:
            status, body = srv.get(path, key=False)
            assert status in (302, 403, 404), (path, status)
        upgrade = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
                   "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}
        port = int(srv.base.split(":")[-1].strip("/"))
        for kid in kernel_ids_from_ps():
            for path in (f"/voila/query/{kid}", f"/voila/query/wrongsecret/{kid}"):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
                conn.request("GET", path, headers=upgrade)
                response = conn.getresponse()
                assert response.status not in (101, 200), (path, response.status)  # no socket
                assert srv.token not in response.read().decode("utf-8", "replace")
        time.sleep(1)
        log = "".join(srv.stderr_lines)
        assert log.count("Using pre-heated kernel") == used, "a request without the key took it"
        assert set(kernels(srv)) == before, "a request without the key started or stopped a kernel"

        Store(srv.data_dir).add("mood", {"mood": 5, "note": SECRET})  # another tab saved since
        context = browser.new_context()
        try:
            pg = context.new_page()
            open_app(pg, srv.url, srv)
            assert "".join(srv.stderr_lines).count("Using pre-heated kernel") == used + 1
            pg.locator(".wb-nav-mood").click()
            expect(pg.locator(".wb-page-mood")).to_contain_text(SECRET)
        finally:
            context.close()
    finally:
        stop_server(srv)
