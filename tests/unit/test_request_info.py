"""A preheated kernel learns its request without Voila's server in the kernel, and a workshop
participant's kernel carries only what their page and a save use (workbook.request_info)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from websockets.sync.server import serve

from workbook import request_info

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def query_server():
    """Voila's request-info socket as a kernel meets it: one JSON object of request details on
    `/voila/query/<secret>/<kernel id>`, once the kernel's page has been requested."""
    paths: list[str] = []

    def handler(connection) -> None:
        paths.append(connection.request.path)
        connection.send(json.dumps({"SERVER_NAME": "127.0.0.1", "WORKBOOK_MEMBER": "p-7"}))

    with serve(handler, "127.0.0.1", 0) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        port = server.socket.getsockname()[1]
        yield f"ws://127.0.0.1:{port}/voila/query/s3cret", paths
        server.shutdown()
        thread.join(5)


def test_a_preheated_kernel_gets_its_request_details_from_its_own_address(query_server, monkeypatch):
    url, paths = query_server
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.setenv("VOILA_KERNEL_ID", "kernel-1")
    monkeypatch.delenv("WORKBOOK_MEMBER", raising=False)
    assert request_info.wait_for_request(url) is True
    assert paths == ["/voila/query/s3cret/kernel-1"]
    assert os.environ["WORKBOOK_MEMBER"] == "p-7" and os.environ["SERVER_NAME"] == "127.0.0.1"


def test_a_kernel_started_for_a_request_does_not_wait(monkeypatch):
    monkeypatch.setenv("VOILA_PREHEAT", "False")
    started = time.perf_counter()
    assert request_info.wait_for_request("ws://127.0.0.1:9/voila/query/x") is False
    assert time.perf_counter() - started < 0.5


def test_a_server_that_cannot_be_reached_is_not_waited_for(monkeypatch):
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.setenv("VOILA_KERNEL_ID", "k")
    started = time.perf_counter()
    assert request_info.wait_for_request(f"ws://127.0.0.1:{port}/voila/query/x") is False
    assert time.perf_counter() - started < request_info.OPEN_TIMEOUT_S + 1


def test_the_default_address_is_voilas(monkeypatch):
    for name, value in {"VOILA_APP_IP": "10.0.0.2", "VOILA_APP_PORT": "9000",
                        "VOILA_SERVER_URL": "/base/"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("VOILA_WS_BASE_URL", raising=False)
    monkeypatch.delenv("VOILA_WS_PROTOCOL", raising=False)
    assert request_info.default_url() == "ws://10.0.0.2:9000/base/voila/query"


# What a kernel holds is decided by what it imports: checked in a fresh interpreter, as a kernel is.
KERNEL_SIDE = textwrap.dedent("""
    import json, os, sys
    root = sys.argv[1]
    os.environ.update({"VOILA_PREHEAT": "True", "VOILA_KERNEL_ID": "k",
                       "WORKBOOK_QUERY_URL": "ws://127.0.0.1:" + sys.argv[2] + "/voila/query/x"})
    from workbook import preheat, workshop as ws
    from workbook.ui import workshop_page as wp
    {steps}
    heavy = ("voila", "jupyter_server", "jsonschema", "lark", "pandas", "altair", "vl_convert")
    print(json.dumps(sorted(m for m in heavy if m in sys.modules)))
""")


def _kernel_side(steps: str, tmp_path: Path) -> list[str]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: the wait gives up at once
    code = KERNEL_SIDE.replace("{steps}", textwrap.dedent(steps).strip())
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("WORKBOOK_DATA_DIR", None)
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path), str(port)], env=env,
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_serve_kernel_waits_without_importing_voilas_server(tmp_path):
    loaded = _kernel_side("""
        preheat.warm(root + "/data")
        preheat.wait_until_claimed()
    """, tmp_path)
    assert "voila" not in loaded and "jupyter_server" not in loaded, loaded


def test_a_workshop_participants_kernel_holds_only_what_the_page_and_a_save_use(tmp_path):
    """Warmed, claimed, the participant's page built, the mood tool opened and a check-in saved:
    none of Voila's server, pandas, Altair or the chart engine was imported on the way."""
    loaded = _kernel_side("""
        wp.warm()
        workshop = ws.Workshop(root + "/workshop")
        member = next(i.member for i in workshop.add(1) if i.member.role == ws.PARTICIPANT)
        os.environ["WORKBOOK_MEMBER"] = member.id
        os.environ[ws.WORKSHOP_ENV] = workshop.root.as_posix()
        page = wp.entry(root=workshop.root)
        assert isinstance(page, wp.ParticipantPage), type(page)
        page.app.show("mood")
        form = page.app.pages["mood"].form
        form.save_button.click()
        assert "wb-ok" in form.feedback.status.value, form.feedback.error.value
    """, tmp_path)
    assert loaded == [], loaded
