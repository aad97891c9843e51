"""The browser tier's plumbing: a `workbook serve` process and loading the app in a page.

Kept apart from conftest.py so that tests can import `Server` and `open_app`.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

REPO = Path(__file__).resolve().parents[2]
if str(REPO / "tests") not in sys.path:  # tests/processes.py, whatever the import mode
    sys.path.insert(0, str(REPO / "tests"))

import processes  # noqa: E402
from processes import drain as _drain  # noqa: E402
from processes import free_port as _free_port  # noqa: E402

WORKBOOK = Path(sys.executable).with_name("workbook")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ACTION_TIMEOUT_MS = 20_000     # every later wait (a save, a chart drawn in the kernel)
SERVER_START_TIMEOUT_S = 120   # until the URL is printed and the page answers 200
APP_READY_TIMEOUT_MS = 90_000  # first page load in a cold kernel: ~3-10 s on 2 idle cores
PAGE_BUILD_TIMEOUT_MS = 60_000  # a tool's page built the first time on a busy machine
STOP_TIMEOUT_S = 20           # for the server and its kernels to stop after SIGTERM


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a redirect is an answer in itself here
        return None


# -- the Voila server --------------------------------------------------------------------
@dataclass
class Server:
    url: str
    data_dir: Path
    proc: subprocess.Popen
    stderr_lines: list[str] = field(default_factory=list)

    @property
    def netloc(self) -> str:
        return urlsplit(self.url).netloc

    @property
    def base(self) -> str:
        """The address without its key (what another account or page could guess)."""
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}/"

    @property
    def token(self) -> str:
        """This launch's key, from the printed address."""
        return parse_qs(urlsplit(self.url).query).get("token", [""])[0]

    def get(self, path: str, key: bool = True, **headers: str) -> tuple[int, str]:
        """GET a path (with the key as Jupyter's `Authorization: token` header, unless `key=False`):
        (status, body), redirects not followed."""
        request = urllib.request.Request(self.base.rstrip("/") + path, headers={
            **({"Authorization": f"token {self.token}"} if key else {}), **headers})
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=30) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")

    def rows(self, kind: str) -> list[dict[str, str]]:
        """The saved rows of an exercise, exact strings, oldest first ([] if no file)."""
        path = self.data_dir / f"{kind}.csv"
        if not path.exists():
            return []
        with open(path, encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    def log_tail(self, lines: int = 40) -> str:
        return "".join(self.stderr_lines[-lines:])


def start_server(data_dir: Path, tool: str = "app", verb: str = "serve") -> Server:
    """`workbook serve` on a free port; returns once the page answers HTTP 200.

    `tool` serves one notebook instead of the app (`therapist`, `review`, ...); `verb="demo"`
    runs `workbook demo` instead (the app on sample data made in `data_dir`).
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    command = [str(WORKBOOK), verb, "--no-browser", "--port", str(_free_port()),
               "--data-dir", str(data_dir)] + (["--tool", tool] if verb == "serve" else [])
    env = {k: v for k, v in os.environ.items() if k != "WORKBOOK_DATA_DIR"}
    proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8",
                            start_new_session=True)
    server = Server(url="", data_dir=data_dir, proc=proc)
    threading.Thread(target=_drain, args=(proc.stderr, server.stderr_lines), daemon=True).start()
    stdout_lines: list[str] = []
    threading.Thread(target=_drain, args=(proc.stdout, stdout_lines), daemon=True).start()
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    try:
        while not server.url:
            urls = [line.strip() for line in stdout_lines if line.startswith("http://")]
            if urls:
                server.url = urls[0]
            elif proc.poll() is not None:
                raise RuntimeError(f"workbook serve exited ({proc.returncode}) before printing "
                                   f"its URL:\n{server.log_tail()}")
            elif time.monotonic() > deadline:
                raise RuntimeError(f"workbook serve printed no URL in {SERVER_START_TIMEOUT_S} s:"
                                   f"\n{server.log_tail()}")
            else:
                time.sleep(0.05)
        assert urlsplit(server.url).hostname == "127.0.0.1", f"not on loopback: {server.url}"
        # Every GET of the page starts a kernel and runs the notebook; the one poll that
        # succeeds also warms the imports for the first test.
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"workbook serve exited ({proc.returncode}):\n"
                                   f"{server.log_tail()}")
            try:
                with urllib.request.urlopen(server.url, timeout=60) as response:
                    response.read()
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{server.url} did not answer 200 in "
                                   f"{SERVER_START_TIMEOUT_S} s:\n{server.log_tail()}")
            time.sleep(0.2)
    except BaseException:
        stop_server(server)
        raise
    return server


def stop_server(server: Server) -> None:
    """SIGTERM the server's process group and its kernels, SIGKILL whatever lingers.

    Only processes this server started are signalled: its process group and, by pid,
    the kernels it launched (each kernel runs in a session of its own). Kernels hold
    nothing unsaved (every save is written at once), so they are not waited for one by one.
    """
    processes.stop(server.proc, timeout=STOP_TIMEOUT_S, group=True, children_too=True)


def open_app(pg, url: str, server: Server | None = None) -> None:
    """Load (or reload) the app and wait until the kernel has drawn it."""
    if pg.url.startswith(url):
        pg.reload()
    else:
        pg.goto(url)
    from playwright.sync_api import Error as PlaywrightError

    try:
        pg.locator(".wb-nav-mood").wait_for(state="visible", timeout=APP_READY_TIMEOUT_MS)
    except PlaywrightError as exc:
        body = pg.locator("body").inner_text()[:2000]
        log = server.log_tail() if server else ""
        raise AssertionError(f"the app did not appear at {url}: {exc}\n--- page text:\n{body}"
                             f"\n--- server log:\n{log}") from None


def go(page, kind: str):
    """Open a page from the navigation bar; returns the page's root once it is shown."""
    from playwright.sync_api import expect

    page.locator(f".wb-nav-{kind}").click()
    root = page.locator(f".wb-page-{kind}")
    expect(root).to_be_visible(timeout=PAGE_BUILD_TIMEOUT_MS)
    return root


# -- what a page does ---------------------------------------------------------------------
@dataclass
class Watch:
    """What pages did that they must never do, and what their kernels said.

    `netloc` is the app's own host; `allowed` adds other hosts, and file: URLs, a test opened.
    """

    netloc: str
    allowed: set[str] = field(default_factory=set)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    kernel_errors: list[str] = field(default_factory=list)  # Python errors and stderr
    frames: list[str] = field(default_factory=list)
    log_start: int = 0

    def foreign(self) -> list[str]:
        """Requests to any host but the allowed ones (data: and blob: URLs stay in the page)."""
        out = []
        for url in self.requests:
            parts = urlsplit(url)
            if parts.scheme in ("data", "blob") or (parts.scheme == "file" and url in self.allowed):
                continue
            if parts.netloc != self.netloc and parts.netloc not in self.allowed:
                out.append(url)
        return out


def kernel_error(payload: str | bytes) -> str | None:
    """A Python error or stderr output the kernel sent (e.g. from a button's callback)."""
    text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload
    if '"msg_type": "error"' in text or '"msg_type":"error"' in text:
        match = re.search(r'"ename":\s*"([^"]*)".*?"evalue":\s*"((?:[^"\\]|\\.)*)"', text, re.S)
        return f"{match[1]}: {match[2]}" if match else text[-2000:]
    if re.search(r'"msg_type":\s*"stream"', text) and re.search(r'"name":\s*"stderr"', text):
        match = re.search(r'"text":\s*"((?:[^"\\]|\\.)*)"', text, re.S)
        return "stderr: " + (json.loads(f'"{match[1]}"') if match else text[-2000:])
    return None


def observe(pg, found):
    """Record on `found` what `pg` does that it must never do, and what its kernel says.

    `found` has lists `requests` (every URL, websockets too), `dialogs` (each dismissed),
    `page_errors`, `kernel_errors` (Python errors and stderr) and `frames` (the last kernel
    messages, for a failure report). Returns the page.
    """
    def on_dialog(dialog) -> None:
        found.dialogs.append(f"{dialog.type}: {dialog.message}")
        try:
            dialog.dismiss()
        except Exception:  # noqa: BLE001 - the page may be closing
            pass

    def on_websocket(ws) -> None:
        found.requests.append(ws.url)

        def on_frame(payload, way: str = "<") -> None:
            text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload
            kind = re.search(r'"msg_type":\s*"(\w+)"', text)
            found.frames.append(f"{time.strftime('%H:%M:%S')} {way} {kind[1] if kind else '?'} "
                                f"{text[-160:]!r}")
            error = kernel_error(payload)
            if error:
                found.kernel_errors.append(error)

        ws.on("framereceived", on_frame)
        ws.on("framesent", lambda payload: on_frame(payload, ">"))

    pg.on("request", lambda req: found.requests.append(req.url))
    pg.on("websocket", on_websocket)
    pg.on("dialog", on_dialog)
    pg.on("pageerror", lambda exc: found.page_errors.append(str(exc)))
    return pg
