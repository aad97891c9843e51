"""Voila as we run it, in a real browser: the page cannot run code, error pages load nothing from
elsewhere, no tracebacks, a closed tab gives its kernel back (data files not served: tests/http)."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import expect
from tornado.websocket import websocket_connect
from wb_browser import open_app

pytestmark = pytest.mark.browser


def test_execute_requests_from_the_page_are_refused(fresh_server, page, tmp_path):
    """Standalone Voila drops execute requests: code sent over the kernel's socket never runs."""
    open_app(page, fresh_server.url, fresh_server)
    config = json.loads(page.locator("#jupyter-config-data").text_content())
    kernel = config["kernelId"]
    marker = tmp_path / "ran.txt"
    ws_url = (fresh_server.base.replace("http://", "ws://")
              + f"api/kernels/{kernel}/channels?token={fresh_server.token}")

    def request(msg_type: str, content: dict) -> tuple[str, str]:
        msg_id = uuid.uuid4().hex
        return msg_id, json.dumps({
            "header": {"msg_id": msg_id, "msg_type": msg_type, "username": "",
                       "session": uuid.uuid4().hex, "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "channel": "shell", "content": content})

    async def send() -> dict[str, list[str]]:
        conn = await websocket_connect(ws_url)
        info_id, info = request("kernel_info_request", {})
        exec_id, execute = request("execute_request", {
            "code": f"open({str(marker)!r}, 'w').write('ran')", "silent": False,
            "store_history": False, "user_expressions": {}, "allow_stdin": False})
        conn.write_message(info)
        conn.write_message(execute)
        replies: dict[str, list[str]] = {info_id: [], exec_id: []}
        deadline = time.monotonic() + 6
        while time.monotonic() < deadline:
            try:
                message = await asyncio.wait_for(conn.read_message(), timeout=1)
            except asyncio.TimeoutError:
                continue
            if message is None:
                break
            if isinstance(message, str):
                data = json.loads(message)
                parent = data.get("parent_header", {}).get("msg_id")
                if parent in replies:
                    replies[parent].append(data.get("msg_type"))
        conn.close()
        return {"info": replies[info_id], "execute": replies[exec_id]}

    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API holds this thread's event loop
        replies = pool.submit(lambda: asyncio.run(send())).result()
    assert "kernel_info_reply" in replies["info"], "the socket did not reach the kernel"
    assert not marker.exists(), "code sent from the page ran in the kernel"
    assert "execute_reply" not in replies["execute"]


def test_error_pages_load_nothing_from_elsewhere(fresh_server, page):
    """Voila's stock error pages link a CDN stylesheet; the page watch fails on any such request."""
    open_app(page, fresh_server.url, fresh_server)  # with the key's cookie, and without it below
    base = fresh_server.base.rstrip("/")
    for path in ("/no/such/page", "/voila/render/nothing-here.ipynb", "/voila/static/nothing.js"):
        response = page.goto(base + path)
        assert response is not None and response.status >= 400, path
        expect(page.locator("body")).not_to_contain_text("Traceback")
    page.context.clear_cookies()
    for path in ("/", "/no/such/page", "/logout", "/login"):
        response = page.goto(base + path)
        assert response is not None and response.status in (200, 403), path
        expect(page.locator("body")).not_to_contain_text("Traceback")


def test_tracebacks_are_not_shown(fresh_server, page):
    """Voila is started with show_tracebacks off: the app's page shows none (the error pages, in
    tests/http, name no Python internals either)."""
    open_app(page, fresh_server.url, fresh_server)
    assert "Traceback" not in page.content()


def test_a_closed_tab_gives_its_kernel_back_at_once(browser, server):
    """Voila's shutdown beacon is accepted: a closed tab does not hold a kernel until the culler."""
    context = browser.new_context()
    try:
        pg = context.new_page()
        open_app(pg, server.url, server)
        kernel = pg.evaluate(
            "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")
        start = len(server.stderr_lines)
        assert server.get(f"/api/kernels/{kernel}")[0] == 200
        pg.close(run_before_unload=True)
        deadline = time.monotonic() + 15  # the culler would take 10 minutes
        while time.monotonic() < deadline and server.get(f"/api/kernels/{kernel}")[0] != 404:
            time.sleep(0.2)
        log = "".join(server.stderr_lines[start:])
        assert server.get(f"/api/kernels/{kernel}")[0] == 404, log[-3000:]
        assert "403 POST /voila/api/shutdown" not in log
    finally:
        context.close()
