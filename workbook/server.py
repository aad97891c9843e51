"""The workbook's Voila: only whoever holds this launch's secret reaches it.

Standalone Voila has no login and no Host check. This is Voila with Jupyter Server's own
machinery switched on and set tight:

1. a secret per launch (`WORKBOOK_TOKEN` in the environment, never on a command line): the
   printed address carries it, Jupyter Server's identity provider exchanges it for an HttpOnly,
   SameSite=Strict cookie, and every handler that can start or reach a kernel requires it, so
   no kernel starts for a request without it and a kernel id alone opens nothing;
2. a Host check (Jupyter Server's `allow_remote_access=False`): a page on another host name
   that resolves to this machine (DNS rebinding) gets a 403;
3. security headers on every response, static files and errors included, and one calm error
   page of our own (workbook/error_page.py) in place of Voila's;
4. kernel ids, query strings and keys never reach the log;
5. SIGTERM and SIGHUP stop the server and every kernel, as Ctrl+C does.

Why this module is over 400 lines: the protections above are one hardened Voila
(`hardened_voila_class`) and the pieces it installs; `workbook.workshop_server` builds its
server from the same pieces, so they are read and reviewed together, in one place.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import time
import traceback
from typing import Any

from markupsafe import Markup

from workbook import error_page

log = logging.getLogger(__name__)

TOKEN_ENV = "WORKBOOK_TOKEN"
HOSTS_ENV = "WORKBOOK_ALLOWED_HOSTS"  # extra host names a workshop is reached by (--public-url)

# Scripts, styles, connections and frames come from the app itself, nowhere else. Voila's page
# carries inline scripts (its configuration, the widget manager's start) and Vega compiles its
# expressions with Function(), hence 'unsafe-inline' and 'unsafe-eval': both still only run
# what this server sent.
CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "frame-src 'self' blob: data:",
    "worker-src 'self' blob:",
    "frame-ancestors 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
])
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}

PRIVATE_TITLE = "This workbook is private"
PRIVATE = Markup("This workbook is private. Open it with the address <code>workbook serve</code> printed "
                 "(it carries a key made fresh each time the workbook starts), or with the private link "
                 "you were given. If that window is gone, stop the workbook with Ctrl+C and start it again.")
SIGNED_OUT_TITLE = "Signed out"
SIGNED_OUT = Markup("This page has let go of the workbook. Open it again with the address "
                    "<code>workbook serve</code> printed.")


# -- secrets out of logs -------------------------------------------------------------
_QUERY = re.compile(r"\?[^\s'\"<>]+")
_KEY = re.compile(r"((?:key|token)=)[^\s&'\"<>]+")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
_QUERY_SOCKET = re.compile(r"(/voila/query/)[^/\s?'\"<>]+(?=/)")  # a workshop's kernels' secret


def redact(text: str) -> str:
    """Text with every query string, key, token, kernel id and the workshop kernels' request-info
    secret replaced (what a log line may show)."""
    text = _QUERY_SOCKET.sub(r"\1[redacted]", _QUERY.sub("?[redacted]", text))
    return _UUID.sub("[id]", _KEY.sub(r"\1[redacted]", text))


class RedactingFilter(logging.Filter):
    """Put on every handler: the formatted message and any traceback are redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record still must not leak
            message = str(record.msg)
        record.msg, record.args = redact(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def install_redaction(*loggers: logging.Logger) -> None:
    """Route tornado's loggers through the app's log and redact on every handler there is."""
    tornado_log = logging.getLogger("tornado")
    if loggers:
        tornado_log.parent = loggers[0]
        tornado_log.propagate = True
    handlers = set(logging.getLogger().handlers)
    for logger in loggers:
        handlers.update(logger.handlers)
    if logging.lastResort is not None:
        handlers.add(logging.lastResort)
    for handler in handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())


def log_request(handler: Any) -> None:
    """Tornado's access log without the query string or the client's address."""
    from tornado.log import access_log

    status = handler.get_status()
    request = handler.request
    level = logging.ERROR if status >= 500 else logging.WARNING if status >= 400 else logging.DEBUG
    access_log.log(level, "%d %s %s %.1fms", status, request.method, redact(request.path),
                   1000.0 * request.request_time())


# -- a bounded number of kernels -------------------------------------------------------
class BoundedKernels:
    """Mixed in before Voila's kernel manager: at most `max_kernels` pages at once."""

    max_kernels = 0              # 0: no bound
    full_message = "Too many pages of the workbook are open. Close one, then reload this page."
    evict_closed = True          # a closed page's kernel makes room for a new one
    loading_grace_s = 60.0       # a kernel this young may still be waiting for its page
    _stopping = False

    def _pooled_ids(self) -> set[str]:
        ids = set()
        for pool in getattr(self, "_pools", {}).values():
            for task in pool:
                if task.done() and not task.cancelled() and task.exception() is None:
                    ids.add(task.result().get("kernel_id"))
        return ids

    def _pool_length(self) -> int:
        return sum(len(pool) for pool in getattr(self, "_pools", {}).values())

    def in_use(self) -> int:
        """Kernels serving a page (running kernels that are not waiting in the pool)."""
        return len(set(self.list_kernel_ids()) - self._pooled_ids())

    async def start_kernel(self, *args: Any, **kwargs: Any) -> str:
        # Only kernels started for a request come here (a pool starts its kernels through the
        # base class), so this is where a page beyond the bound is refused.
        if self.max_kernels and self.in_use() + self._pool_length() >= self.max_kernels:
            if not await self._give_back_a_closed_page():
                from tornado import web

                self.log.warning("full: %d kernels running (at most %d)",
                                 len(self.list_kernel_ids()), self.max_kernels)
                raise web.HTTPError(503, reason=self.full_message)
        kernel_id = await super().start_kernel(*args, **kwargs)
        self._started_at()[kernel_id] = time.monotonic()
        return kernel_id

    def _started_at(self) -> dict[str, float]:
        if "_wb_started" not in self.__dict__:
            self.__dict__["_wb_started"] = {}
        return self.__dict__["_wb_started"]

    def notify_connect(self, kernel_id: str) -> None:
        """A page connected to its kernel: from now on, no connection means the page is closed."""
        self.__dict__.setdefault("_wb_connected", set()).add(kernel_id)
        super().notify_connect(kernel_id)

    async def _give_back_a_closed_page(self) -> bool:
        """Shut down the oldest kernel no page is connected to any more (a tab closed without
        saying so), or never was after a minute (a page that never loaded); never one whose page
        may still be loading."""
        if not self.evict_closed:
            return False
        now, started = time.monotonic(), self._started_at()
        connections = getattr(self, "_kernel_connections", {})
        connected_once = self.__dict__.get("_wb_connected", set())
        pooled = self._pooled_ids()
        closed = [kid for kid in self.list_kernel_ids()
                  if kid not in pooled and not connections.get(kid)
                  and (kid in connected_once or now - started.get(kid, 0.0) > self.loading_grace_s)]
        if not closed:
            return False
        oldest = min(closed, key=lambda kid: started.get(kid, 0.0))
        self.log.info("giving back the kernel of a page that was closed")
        await self.shutdown_kernel(oldest)
        return True

    async def shutdown_all(self, *args: Any, **kwargs: Any) -> None:
        self._stopping = True
        await super().shutdown_all(*args, **kwargs)


class PooledKernels(BoundedKernels):
    """`workbook serve`'s kernels: the bound, with a pool of preheated kernels counted in it.

    The pool (one kernel of the app notebook) is started with the server and topped up after a
    kernel is taken or given back, only while the bound leaves room: pooled and in-use kernels
    together never pass `max_kernels`. A kernel is taken from the pool only by Voila's page
    handler, which runs after the identity provider checked the launch's key; the address of a
    request (with its key) never travels into the next pooled kernel's environment.
    """

    _evicting = False

    def _pool_target(self, notebook_name: str | None) -> int:
        config = dict(getattr(self, "kernel_pools_config", {}) or {})
        default = dict(config.get("default", {}))
        return int(config.get(notebook_name, default).get("pool_size", default.get("pool_size", 0)))

    def fill_if_needed(self, delay: float | None = None, notebook_name: str | None = None,
                       extra_kernel_env_variables: dict | None = None, **kwargs: Any) -> None:
        extra = {k: v for k, v in (extra_kernel_env_variables or {}).items()
                 if k not in REQUEST_ENV}
        if self._stopping or self._evicting:
            return
        pool = len(getattr(self, "_pools", {}).get(notebook_name, []))
        missing = self._pool_target(notebook_name) - pool
        if missing <= 0:
            return
        if self.max_kernels and self.in_use() + self._pool_length() + missing > self.max_kernels:
            return  # no room: the pool is filled again once a page gives its kernel back
        super().fill_if_needed(delay, notebook_name, extra, **kwargs)

    async def start_kernel(self, *args: Any, **kwargs: Any) -> str:
        # A kernel for a request when the pool is empty: its page needs nothing of the request,
        # so the address and query string (the launch's key) stay out of its environment.
        env = {k: v for k, v in dict(kwargs.get("env") or {}).items() if k not in REQUEST_ENV}
        kwargs["env"] = env
        return await super().start_kernel(*args, **kwargs)

    def get_pool_size(self, notebook_name: str) -> int:
        """Kernels ready to be handed out. One still starting is not waited for: a page opened
        right after another gets a kernel of its own rather than wait out the refill's delay."""
        pool = getattr(self, "_pools", {}).get(notebook_name, [])
        return sum(1 for task in pool
                   if task.done() and not task.cancelled() and task.exception() is None)

    async def _give_back_a_closed_page(self) -> bool:
        # The room made here is for the request waiting on it, not for the pool; when no page
        # was closed, a pooled kernel (there for nobody yet) makes room for this person.
        self._evicting = True
        try:
            return await super()._give_back_a_closed_page() or await self._drop_pooled()
        finally:
            self._evicting = False

    async def _drop_pooled(self) -> bool:
        for pool in getattr(self, "_pools", {}).values():
            if pool:
                task = pool.pop(0)
                try:
                    kernel_id = (await task)["kernel_id"]
                except Exception:  # noqa: BLE001 - it never started: the room is there
                    return True
                self.log.info("the preheated kernel makes room for a page")
                await self.shutdown_kernel(kernel_id)
                return True
        return False

    async def shutdown_kernel(self, kernel_id: str, *args: Any, **kwargs: Any) -> None:
        try:
            await super().shutdown_kernel(kernel_id, *args, **kwargs)
        finally:
            forget = getattr(self, "forget_request", None)
            if forget is not None:
                forget(kernel_id)
        notebook = getattr(self, "notebook_path", None)
        if notebook is not None and hasattr(self, "_pools"):
            self.fill_if_needed(notebook_name=notebook)  # room again: top the pool up


REQUEST_ENV = ("QUERY_STRING", "VOILA_REQUEST_URL")


def request_info_handler(secret: str, payload_filter: Any = None,
                         drop: tuple[str, ...] = REQUEST_ENV) -> type:
    """Voila's request-info socket for this launch's kernels only, each payload handed out once.

    Stock Voila answers `/voila/query/<kernel id>` to whoever connects first, with the request's
    query string (here: the launch's key). This one is routed under a per-launch secret that only
    the kernels have (`WORKBOOK_QUERY_URL` in their environment, readable by this account only),
    refuses browsers, drops the query string (and the other names in `drop`), and forgets a
    payload once delivered or when its kernel shuts down. `payload_filter`, if given, adds to or
    changes a payload just before it is handed out (the workshop names the participant there).
    Both the private and the workshop server use it, routed with `request_info_route`.
    """
    import hmac

    from voila.request_info_handler import RequestInfoSocketHandler

    class KernelRequestInfo(RequestInfoSocketHandler):
        _waiters: dict[str, Any] = {}
        _cache: dict[str, Any] = {}

        async def get(self, given: str, kernel_id: str) -> None:
            if not hmac.compare_digest(given.encode(), secret.encode()):
                self.set_status(403)
                self.finish()
                return
            await super().get(given, kernel_id)

        def check_origin(self, origin: str) -> bool:
            return False  # kernels send no Origin (tornado then allows); a browser always does

        def open(self, given: str, kernel_id: str) -> None:  # type: ignore[override]
            self.kernel_id = kernel_id
            payload = KernelRequestInfo._cache.pop(kernel_id, None)
            if payload is not None:
                self.write_message(payload)
            else:
                KernelRequestInfo._waiters[kernel_id] = self

        def on_close(self) -> None:
            if KernelRequestInfo._waiters.get(getattr(self, "kernel_id", None)) is self:
                del KernelRequestInfo._waiters[self.kernel_id]

        @classmethod
        def send_updates(cls, msg: dict) -> None:
            kernel_id = msg["kernel_id"]
            payload = {k: v for k, v in msg["payload"].items() if k not in drop}
            payload["QUERY_STRING"] = ""
            if payload_filter is not None:
                payload = payload_filter(payload)
            waiter = KernelRequestInfo._waiters.pop(kernel_id, None)
            if waiter is not None:
                waiter.write_message(payload)
            else:
                KernelRequestInfo._cache[kernel_id] = payload

        @classmethod
        def forget(cls, kernel_id: str) -> None:
            KernelRequestInfo._cache.pop(kernel_id, None)
            waiter = KernelRequestInfo._waiters.pop(kernel_id, None)
            if waiter is not None:
                waiter.close()

    return KernelRequestInfo


def request_info_route(pattern: str, handler: type) -> tuple[str, type]:
    """Voila's stock `/voila/query/<kernel id>` route, moved under the launch's kernel secret.

    The secret is the route's `given` part, checked by `request_info_handler`'s socket.
    """
    prefix = pattern[: pattern.index("/voila/query/")]
    return (f"{prefix}/voila/query/(?P<given>[A-Za-z0-9_-]+)/"
            r"(?P<kernel_id>\w+-\w+-\w+-\w+-\w+)", handler)


def bound_kernels(mixin: type, **attributes: Any) -> None:
    """Voila builds its kernel manager class in `voila_kernel_manager_factory`: mix `mixin` in."""
    import voila.app as voila_app

    original = getattr(voila_app.voila_kernel_manager_factory, "original",
                       voila_app.voila_kernel_manager_factory)

    def factory(base_class: type, preheat_kernel: bool, default_pool_size: int, **kwargs: Any) -> type:
        cls = original(base_class, preheat_kernel, default_pool_size, **kwargs)
        return type("WorkbookKernelManager", (mixin, cls), attributes)

    factory.original = original  # type: ignore[attr-defined]
    voila_app.voila_kernel_manager_factory = factory


def accept_shutdown_beacons() -> None:
    """Let a closed page give its kernel back at once, as Voila means it to.

    On `beforeunload` Voila asks for its kernel's shutdown with `navigator.sendBeacon`, which
    carries no XSRF token, so the stock handler refuses it (403, voila-dashboards/voila#1458)
    and the kernel stays until it is culled. The handler still requires the launch's cookie
    (SameSite=Strict: a page on another site cannot send it), and names a kernel by its id,
    which only the page it serves knows; the XSRF check is dropped for this one handler only.
    """
    from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler

    VoilaShutdownKernelHandler.check_xsrf_cookie = lambda self: None  # type: ignore[method-assign]


# -- hosts ---------------------------------------------------------------------------------
def allow_hosts(names: list[str], any_address: bool) -> None:
    """Jupyter Server's Host check, which allows loopback addresses and `local_hostnames` only,
    widened for a workshop: its public host names and, when it listens on a network, any
    literal IP address (DNS rebinding needs a host *name*; an address is not one)."""
    import ipaddress

    from jupyter_server.base.handlers import JupyterHandler

    original = getattr(JupyterHandler.check_host, "original", JupyterHandler.check_host)

    def check_host(self: Any) -> bool:
        host = re.sub(r":\d+$", "", self.request.host or "").strip("[]").lower()
        if host in names:
            return True
        if any_address:
            try:
                ipaddress.ip_address(host)
                return True
            except ValueError:
                pass
        return original(self)

    check_host.original = original  # type: ignore[attr-defined]
    JupyterHandler.check_host = check_host  # type: ignore[method-assign]


def hardened_voila_class() -> type:
    """Voila with the Host check, the headers, error pages of our own, a clean log and signals.

    What `workbook serve` and `workbook workshop` share; each adds who may come in (a launch's
    key, or a participant's link) with an identity provider of its own.
    """
    import tornado.web
    from traitlets import default
    from voila.app import Voila

    class SecurityHeaders(tornado.web.OutputTransform):
        """Every response, static files and errors included, carries the same headers."""

        def transform_first_chunk(self, status_code: int, headers: Any, chunk: bytes,
                                  finishing: bool) -> tuple[int, Any, bytes]:
            for name, value in SECURITY_HEADERS.items():
                headers[name] = value
            return status_code, headers, chunk

    class HardenedVoila(Voila):
        @default("tornado_settings")
        def _own_tornado_settings(self) -> dict:
            return {"log_function": log_request}

        def initialize(self, argv: list[str] | None = None) -> None:
            install_redaction(self.log)
            super().initialize(argv)
            install_redaction(self.log)
            names = [h.strip().lower() for h in os.environ.get(HOSTS_ENV, "").split(",") if h.strip()]
            allow_hosts(names, any_address=self.ip not in ("127.0.0.1", "localhost", "::1"))

        def init_settings(self) -> dict:
            settings = super().init_settings()
            # Voila sets allow_remote_access=True: Jupyter Server's Host check is back on.
            settings["allow_remote_access"] = False
            settings["local_hostnames"] = ["localhost"]
            settings["transforms"] = [SecurityHeaders]
            self.identity_provider.cookie_options = {"samesite": "Strict", "httponly": True}
            error_page.install(settings)  # the workbook's error page, not Voila's (no CDN)
            return settings

        def init_handlers(self) -> list:
            return [(pattern, error_page.calm_errors(handler_class), *rest)
                    for pattern, handler_class, *rest in super().init_handlers()]

        def start(self) -> None:
            # SIGHUP (the terminal closed) stops the server and its kernels, as SIGTERM does.
            signal.signal(signal.SIGHUP, self._handle_signal_stop)
            super().start()

        def launch_browser(self) -> None:  # the command opens the address with its key itself
            return None

    return HardenedVoila


def voila_class() -> type:
    """Voila with the launch's secret, the Host check, the headers and the log kept clean."""
    import secrets

    import voila.handler
    from jupyter_server.auth.decorator import allow_unauthenticated
    from jupyter_server.base.handlers import JupyterHandler
    from traitlets import default
    from voila.request_info_handler import RequestInfoSocketHandler

    from workbook.preheat import QUERY_URL_ENV

    class PrivatePage(JupyterHandler):
        """What the address without the key shows: nothing of the person's, and how to get in."""

        def _private(self) -> None:
            error_page.send(self, 403, PRIVATE_TITLE, PRIVATE)

        @allow_unauthenticated
        def get(self) -> None:
            self._private()

        @allow_unauthenticated
        def post(self) -> None:
            self._private()

        def check_xsrf_cookie(self) -> None:  # nothing is accepted here, so nothing to forge
            return None

        @classmethod
        def get_user(cls, handler: Any) -> None:  # the identity provider asks its login handler
            return None

        @classmethod
        def validate_security(cls, app: Any, ssl_options: Any = None) -> None:
            return None

    class SignedOut(JupyterHandler):
        @allow_unauthenticated
        def get(self) -> None:
            self.identity_provider.clear_login_cookie(self)
            error_page.send(self, 200, SIGNED_OUT_TITLE, SIGNED_OUT)

    query_secret = secrets.token_urlsafe(32)
    request_info = request_info_handler(query_secret)
    # Voila's page handler hands a taken kernel its request through this name.
    voila.handler.RequestInfoSocketHandler = request_info

    class WorkbookVoila(hardened_voila_class()):
        @default("token")
        def _token_from_environment(self) -> str | None:
            # Read once and removed, so kernels (children of this process) never inherit it.
            return os.environ.pop(TOKEN_ENV, None)

        def initialize(self, argv: list[str] | None = None) -> None:
            super().initialize(argv)
            if not self.token:
                raise SystemExit(f"{TOKEN_ENV} is not set: start the workbook with `workbook serve`.")
            # A preheated kernel learns it was claimed here; kernels inherit this (their
            # environment is readable by this account only), browsers never see it.
            os.environ[QUERY_URL_ENV] = (f"ws://127.0.0.1:{self.port}{self.server_url or '/'}"
                                         f"voila/query/{query_secret}")

        def init_settings(self) -> dict:
            settings = super().init_settings()
            provider = self.identity_provider
            provider.login_handler_class = PrivatePage
            provider.logout_handler_class = SignedOut
            self.kernel_manager.forget_request = request_info.forget
            return settings

        def init_handlers(self) -> list:
            handlers = []
            for route in super().init_handlers():
                pattern, handler_class, *rest = route
                if handler_class is RequestInfoSocketHandler:  # the stock, unguarded socket
                    handlers.append(request_info_route(pattern, request_info))
                    continue
                handlers.append(route)
            return handlers

    return WorkbookVoila
