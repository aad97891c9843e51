"""The HTTP tier's plumbing: the workbook's hardened Voila inside the test process, and plain GETs.

Like Voila's own `tests/app/`, the server is built in the test process: the same class and the
same arguments `workbook serve` (workbook.voila_main) and `workbook workshop`
(workbook.workshop_server) use, so what is checked here is what runs. It listens on a loopback
port and runs its tornado loop in a thread, so that tests are plain functions that fetch with
`http.client` (a Host header, a client address, no redirects followed: what an attacker sends)
and can ask the server itself what it holds (its kernels, its log) instead of reading /proc.

Voila and Jupyter Server are configured through class attributes and module names that the
hardening patches (the Host check, the bound on kernels, the shutdown beacon, the request-info
socket); they are put back when a server stops, as are the environment variables it read.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import inspect
import logging
import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

SECRET = "my private note 7f3a"  # in the person's data: no refused request may show it
START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 30
REQUEST_TIMEOUT_S = 120  # a page renders its notebook in a new kernel: seconds on a busy machine


@dataclass
class Response:
    """One answer: status, headers (case-insensitive) and body."""

    status: int
    headers: http.client.HTTPMessage
    body: str

    def header(self, name: str) -> str:
        return self.headers.get(name, "")


class _Lines(logging.Handler):
    """Every formatted log line the server writes (after redaction), kept for the tests to read."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


_INHERITED = object()  # the name was not set on that class itself, only inherited


def _patched_globals() -> list[tuple[Any, str, Any]]:
    """The names the hardening replaces, with their values now (to put back afterwards)."""
    import voila.app
    import voila.handler
    from jupyter_server.base.handlers import JupyterHandler
    from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler

    places = [(voila.app, "voila_kernel_manager_factory"), (voila.handler, "RequestInfoSocketHandler"),
              (JupyterHandler, "check_host"), (VoilaShutdownKernelHandler, "check_xsrf_cookie")]
    return [(owner, name, owner.__dict__.get(name, _INHERITED)) for owner, name in places]


class InProcessVoila:
    """A Voila application started in this process on `port`, stopped with `stop()`.

    `build` does what the command's `main` does before launching (patches Voila, returns the
    application class); `argv` are the arguments the command gives Voila (with `--port`); `env`
    the variables it sets (None: removed); `secret` the launch's key, where there is one.
    """

    def __init__(self, build: Callable[[], type], argv: list[str], env: dict[str, str | None],
                 port: int, secret: str = "") -> None:
        self.build, self.argv, self.env, self.port, self.secret = build, argv, env, port, secret
        self.base = f"http://127.0.0.1:{port}/"
        self.log = _Lines()
        self.app: Any = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._server: Any = None
        self._saved_env: dict[str, str | None] = {}
        self._saved_globals: list[tuple[Any, str, Any]] = []

    # -- starting and stopping --------------------------------------------------------------
    def start(self) -> InProcessVoila:
        """Build the application, initialize it with the command's arguments and listen."""
        self._saved_globals = _patched_globals()
        self._saved_env = {name: os.environ.get(name) for name in (*self.env, *_SET_BY_SERVERS)}
        for name, value in self.env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        try:
            self.app = self.build()()
            self.app.log.addHandler(self.log)
            self.app.log.setLevel(logging.DEBUG)
            previous = signal.getsignal(signal.SIGTERM)
            try:
                self.app.initialize(self.argv)  # in the main thread: Voila installs a signal handler
            finally:
                signal.signal(signal.SIGTERM, previous)
            self._thread = threading.Thread(target=self._serve, name="in-process-voila", daemon=True)
            self._thread.start()
            if not self._ready.wait(START_TIMEOUT_S):
                raise RuntimeError(f"the server did not start in {START_TIMEOUT_S} s")
            if self._error is not None:
                raise RuntimeError("the server did not start") from self._error
        except BaseException:
            self.stop()
            raise
        return self

    def _serve(self) -> None:
        """What Voila's `start` does, minus signals and opening a browser, in this thread's loop."""
        import tornado.web
        from tornado.ioloop import IOLoop

        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        try:
            app = self.app
            app.connection_dir = tempfile.mkdtemp(prefix="voila_", dir=app.connection_dir_root)
            app.app = tornado.web.Application(**app.init_settings())
            app.app.settings.update(app.tornado_settings)
            app.app.add_handlers(".*$", app.init_handlers())
            self._server = app.app.listen(self.port, "127.0.0.1")
            app.ioloop = IOLoop.current()
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread, which raises it
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        self.loop.run_forever()
        self.loop.run_until_complete(self.loop.shutdown_asyncgens())
        self.loop.close()

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.stop()
        manager = getattr(self.app, "kernel_manager", None)
        if manager is not None:
            # A pool top-up still waiting out its delay has started nothing: Voila's shutdown_all
            # would wait for it (and fail on it cancelled), so it is cancelled and dropped first.
            for pool in getattr(manager, "_pools", {}).values():
                for task in [t for t in pool if not t.done()]:
                    task.cancel()
                    pool.remove(task)
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await task
            result = manager.shutdown_all()
            if inspect.isawaitable(result):
                await result
        if self._server is not None:
            await self._server.close_all_connections()

    def stop(self) -> None:
        """Stop every kernel and the server, then put back what it changed."""
        try:
            if self.loop is not None and self._thread is not None and self._thread.is_alive():
                asyncio.run_coroutine_threadsafe(self._shutdown(), self.loop).result(STOP_TIMEOUT_S)
                self.loop.call_soon_threadsafe(self.loop.stop)
                self._thread.join(STOP_TIMEOUT_S)
            connection_dir = getattr(self.app, "connection_dir", None)
            if connection_dir:
                shutil.rmtree(connection_dir, ignore_errors=True)
        finally:
            for owner, name, value in self._saved_globals:
                if value is _INHERITED:
                    if name in owner.__dict__:
                        delattr(owner, name)
                else:
                    setattr(owner, name, value)
            for name, value in self._saved_env.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            tornado_log = logging.getLogger("tornado")
            tornado_log.parent = logging.getLogger()

    # -- asking it ----------------------------------------------------------------------------
    def call(self, function: Callable[[], Any]) -> Any:
        """Run `function` in the server's loop (where its state lives) and return what it returns."""
        async def run() -> Any:
            result = function()
            return await result if inspect.isawaitable(result) else result

        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(REQUEST_TIMEOUT_S)

    def kernels(self) -> set[str]:
        """The ids of every kernel the server runs now (taken by a page or kept ready)."""
        return self.call(lambda: set(self.app.kernel_manager.list_kernel_ids()))

    def fetch(self, path: str, *, method: str = "GET", headers: dict[str, str] | None = None,
              source: str | None = None, body: str | None = None) -> Response:
        """One request for `path` (a path with its query, or a full URL on this server); nothing is
        followed. `source` is the client address to send from (another loopback address)."""
        parts = urlsplit(path)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT_S,
                                          source_address=(source, 0) if source else None)
        try:
            conn.request(method, target, body=body, headers=headers or {})
            response = conn.getresponse()
            return Response(response.status, response.headers,
                            response.read().decode("utf-8", "replace"))
        finally:
            conn.close()


def routes(srv: InProcessVoila) -> list[tuple[str, type]]:
    """Every (pattern, handler class) the running server routes to, as tornado holds them."""
    found = []
    for rule in srv.app.app.default_router.rules:
        for inner in getattr(rule.target, "rules", []):
            if isinstance(inner.target, type):
                found.append((inner.matcher.regex.pattern, inner.target))
    return found


def sample_path(pattern: str, kernel: str) -> str:
    """A path the pattern matches: a real kernel's id where it takes one, "x" for anything else."""
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: kernel if m[1] == "kernel_id" else "x",
                  pattern.rstrip("$"))
    path = path.replace("(.*)", "x")
    assert re.fullmatch(pattern, path), (pattern, path)
    return path


# Environment variables the servers set or remove themselves (a workshop's kernel socket address, the
# launch's secret, which the serve class pops): restored like the ones a fixture sets.
_SET_BY_SERVERS = ("WORKBOOK_TOKEN", "WORKBOOK_QUERY_URL")
