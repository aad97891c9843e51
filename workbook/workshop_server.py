"""`workbook workshop`: one standalone Voila for a group, a private link per participant.

Two halves:

- `command(args)` is the CLI (in workbook.workshop_command, importable from here too): it keeps
  the links (workbook.workshop), prints them, writes the facilitator's files and starts the
  server as a child process;
- `main()` (`python -m workbook.workshop_server --max-kernels N -- VOILA ARGS`) is that child:
  the hardened Voila of `workbook serve` (workbook.server: the Host check, security headers on
  every response, a log without secrets or kernel ids, kernels over Unix sockets, signals stop
  everything) with what a group needs on top:

  1. the link is checked in the HTTP layer, before any kernel is taken: an identity provider
     (Jupyter Server's own machinery) accepts an open participant's or the facilitator's key and
     sets a per-participant cookie (HttpOnly, SameSite=Strict) for the page's websockets and
     API calls; no link, a wrong or a closed one gets a calm 403 page and no kernel;
  2. failed links are rate-limited per client address (a 429 with a sentence): guessing is slow,
     and one address's failures never hold back anyone else;
  3. a kernel answers only the participant it was handed to (an authorizer that knows each
     kernel's owner), so a kernel id, even with another valid link, opens nothing;
  4. a preheated kernel learns who it serves through Voila's request-info socket, which here
     needs a per-launch secret only the kernels have (in their environment, readable by this
     account only), hands each payload out once, never keeps one after its kernel is gone, and
     carries the participant's id instead of their key;
  5. the number of kernels is bounded (voila-dashboards/voila#617): the preheated pool only
     refills while there is room, and a page beyond the bound gets a 503 ("the workshop is full").
"""

from __future__ import annotations

import argparse
import collections
import os
import secrets
import sys
import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from workbook import error_page
from workbook.server import (
    BoundedKernels,
    accept_shutdown_beacons,
    bound_kernels,
    hardened_voila_class,
    request_info_handler,
    request_info_route,
)
from workbook.workshop_command import (  # noqa: F401 - the command half, importable here as before
    KERNEL_MB,
    NOTEBOOK,
    REFILL_DELAY_S,
    command,
    voila_arguments,
)

FULL = "The workshop is full right now. Please try your link again in a minute."
DENIED_TITLE = "This link does not open a workbook"
DENIED = ("Check that the whole link was copied (it ends with a long code), or scan the QR code "
          "again. If it still does not open, the link may have been closed: ask your facilitator for "
          "a new one. Entries you saved before are not lost.")
TOO_MANY_TITLE = "Please wait a minute"
TOO_MANY = ("Several links that do not open a workbook were tried from this device in the last "
            "minute. Wait a minute, then open your link again; if it still does not open, ask your "
            "facilitator.")
FAILED_LIMIT = 10        # failed links per client address...
FAILED_WINDOW_S = 60.0   # ...in this many seconds, then 429 until the oldest failure is this old
QUERY_URL_ENV = "WORKBOOK_QUERY_URL"   # the kernels' way to their request info (with its secret)
MEMBER_ENV = "WORKBOOK_MEMBER"         # the id of the participant a kernel serves


def strip_query(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


class FailedLinks:
    """Failed links per client address in a sliding window: `blocked` once `limit` are recent.

    Per address, so a flood from one device never holds back a participant on another. The table
    is bounded: beyond `max_addresses` the address with the oldest failure is forgotten first.
    """

    def __init__(self, limit: int = FAILED_LIMIT, window_s: float = FAILED_WINDOW_S,
                 max_addresses: int = 10_000, clock: Any = time.monotonic) -> None:
        self.limit, self.window_s, self.max_addresses, self.clock = limit, window_s, max_addresses, clock
        self._failures: collections.OrderedDict[str, collections.deque[float]] = collections.OrderedDict()

    def _recent(self, address: str) -> collections.deque[float]:
        times = self._failures.get(address, collections.deque())
        cutoff = self.clock() - self.window_s
        while times and times[0] <= cutoff:
            times.popleft()
        if not times:
            self._failures.pop(address, None)
        return times

    def blocked(self, address: str) -> bool:
        """Whether this address has failed `limit` times within the window."""
        return len(self._recent(address)) >= self.limit

    def fail(self, address: str) -> None:
        times = self._recent(address)
        times.append(self.clock())
        self._failures[address] = times
        self._failures.move_to_end(address)
        while len(self._failures) > self.max_addresses:
            self._failures.popitem(last=False)


def _current_member() -> str | None:
    """The participant (or facilitator) id of the request being handled, if it proved a link."""
    from jupyter_server.base.call_context import CallContext

    handler = CallContext.get(CallContext.JUPYTER_HANDLER)
    user = getattr(handler, "_jupyter_current_user", None)
    return getattr(user, "username", None) or None


# -- kernels: bounded, owned, the pool refilled -----------------------------------------
class WorkshopKernels(BoundedKernels):
    """`workbook serve`'s bound on kernels, plus what a group's preheated pool needs."""

    full_message = FULL
    evict_closed = False   # a participant whose connection dropped keeps their page until culled

    def owners(self) -> dict[str, str]:
        """kernel id -> the id of the participant it was handed to."""
        if "_wb_owners" not in self.__dict__:
            self.__dict__["_wb_owners"] = {}
        return self.__dict__["_wb_owners"]

    async def start_kernel(self, *args: Any, **kwargs: Any) -> str:
        # A kernel started for a request (the pool was empty): it gets the participant's id and
        # not their key; Voila put the request's query string and URL in its environment.
        member = _current_member()
        env = dict(kwargs.get("env") or {})
        for name in ("QUERY_STRING", "VOILA_REQUEST_URL"):
            env.pop(name, None)
        if member:
            env[MEMBER_ENV] = member
        kwargs["env"] = env
        kernel_id = await super().start_kernel(*args, **kwargs)
        if member:
            self.owners()[kernel_id] = member
        return kernel_id

    async def get_rendered_notebook(self, *args: Any, **kwargs: Any) -> Any:
        # A preheated kernel is taken for a request: from now on it is this participant's.
        result = await super().get_rendered_notebook(*args, **kwargs)
        member = _current_member()
        if member:
            self.owners()[result[2]] = member
        return result

    def fill_if_needed(self, delay: float | None = None, notebook_name: str | None = None,
                       extra_kernel_env_variables: dict | None = None, **kwargs: Any) -> None:
        extra = dict(extra_kernel_env_variables or {})
        if "VOILA_REQUEST_URL" in extra:  # this request's key must not travel to the next kernel
            extra["VOILA_REQUEST_URL"] = strip_query(extra["VOILA_REQUEST_URL"])
        if self._stopping:
            return
        config = dict(self.kernel_pools_config)
        default = dict(config.get("default", {}))
        target = int(config.get(notebook_name, default).get("pool_size", default.get("pool_size", 1)))
        if not self.max_kernels:
            super().fill_if_needed(delay, notebook_name, extra, **kwargs)
            return
        pool = len(getattr(self, "_pools", {}).get(notebook_name, []))
        room = self.max_kernels - self.in_use() - (self._pool_length() - pool)
        allowed = max(0, min(target, room))
        if allowed == target:
            super().fill_if_needed(delay, notebook_name, extra, **kwargs)
            return
        limited = {**config, "default": {**default, "pool_size": allowed}}
        limited.pop(notebook_name, None)
        self.kernel_pools_config = limited  # read synchronously below, then put back
        try:
            super().fill_if_needed(delay, notebook_name, extra, **kwargs)
        finally:
            self.kernel_pools_config = config

    async def shutdown_kernel(self, kernel_id: str, *args: Any, **kwargs: Any) -> None:
        try:
            await super().shutdown_kernel(kernel_id, *args, **kwargs)
        finally:
            self.owners().pop(kernel_id, None)
            forget = getattr(self, "forget_request", None)
            if forget is not None:
                forget(kernel_id)
        notebook = getattr(self, "notebook_path", None)
        if not self._stopping and notebook is not None and hasattr(self, "_pools"):
            self.fill_if_needed(notebook_name=notebook)  # room again: top the pool up


def workshop_voila_class(root: str | os.PathLike) -> type:
    """The hardened Voila of `workbook serve`, let in by participants' links (see the module)."""
    import voila.handler
    from jupyter_server.auth import Authorizer, IdentityProvider, User
    from jupyter_server.auth.decorator import allow_unauthenticated
    from jupyter_server.base.handlers import JupyterHandler
    from tornado import web
    from voila.request_info_handler import RequestInfoSocketHandler
    from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler
    from voila.tornado.handler import TornadoVoilaHandler

    from workbook import workshop as ws

    workshop = ws.Workshop(root)
    failed = FailedLinks()
    query_secret = secrets.token_urlsafe(32)

    class LinkIdentity(IdentityProvider):
        """A participant is whoever holds an open link (`?key=`), or the cookie it was exchanged for.

        The page itself is opened only with the link in the address (a reload keeps it): a cookie
        left in a shared browser opens nothing by itself. Websockets, the kernel API and static
        files take the cookie, which is re-checked against the registry on every request (a link
        closed by the facilitator shuts its cookie out too).
        """

        def get_user_token(self, handler: Any) -> User | None:
            key = handler.get_query_argument(ws.KEY_PARAM, "")
            if not key:
                return None
            address = handler.request.remote_ip or "?"
            if failed.blocked(address):
                raise web.HTTPError(429, reason=TOO_MANY_TITLE)
            try:
                member = workshop.check(key)
            except (OSError, ValueError):
                raise web.HTTPError(503, reason=FULL) from None
            if member is None:
                failed.fail(address)
                return None
            return User(username=member.id, name=member.label, display_name=member.label)

        def get_user_cookie(self, handler: Any) -> User | None:
            user = super().get_user_cookie(handler)
            if user is None:
                return None
            try:
                still_open = workshop.is_open(user.username)
            except (OSError, ValueError):
                still_open = False
            return user if still_open else None

        async def _get_user(self, handler: Any) -> User | None:
            user = await super()._get_user(handler)
            if getattr(handler, "link_required", False) and not getattr(handler, "_token_authenticated",
                                                                        False):
                return None
            return user

        def validate_security(self, app: Any, ssl_options: Any = None) -> None:
            return None

    class KernelOwners(Authorizer):
        """A kernel answers only the participant it was handed to; nothing else is refused here."""

        def is_authorized(self, handler: Any, user: Any, action: str, resource: str) -> bool:
            if resource != "kernels":
                return True
            kernel_id = (getattr(handler, "path_kwargs", None) or {}).get("kernel_id")
            if not kernel_id:
                return False  # the list of kernels is nobody's business
            return owns(handler, user, kernel_id)

    def owns(handler: Any, user: Any, kernel_id: str) -> bool:
        manager = handler.kernel_manager
        owner = manager.owners().get(kernel_id) if hasattr(manager, "owners") else None
        if owner is None:
            return kernel_id not in manager  # an unknown id (gone: 404); a pool kernel is nobody's
        return owner == getattr(user, "username", None)

    class LinkPage(TornadoVoilaHandler):
        """The workshop page: a link is checked here, before any kernel is taken."""

        link_required = True

        def get_login_url(self) -> str:
            raise web.HTTPError(403, reason=DENIED_TITLE)

        def write_error(self, status_code: int, **kwargs: Any) -> None:
            if status_code == 403:
                return error_page.send(self, 403, DENIED_TITLE, DENIED)
            if status_code == 429:
                return error_page.send(self, 429, TOO_MANY_TITLE, TOO_MANY, retry_after_s=FAILED_WINDOW_S)
            return super().write_error(status_code, **kwargs)

    class Denied(JupyterHandler):
        """Jupyter's login page: a link is the only way in, so it says how to get one."""

        @allow_unauthenticated
        def get(self) -> None:
            error_page.send(self, 403, DENIED_TITLE, DENIED)

        @allow_unauthenticated
        def post(self) -> None:
            error_page.send(self, 403, DENIED_TITLE, DENIED)

        def check_xsrf_cookie(self) -> None:  # nothing is accepted here, so nothing to forge
            return None

        @classmethod
        def get_user(cls, handler: Any) -> None:
            return None

        @classmethod
        def validate_security(cls, app: Any, ssl_options: Any = None) -> None:
            return None

    class OwnedShutdown(VoilaShutdownKernelHandler):
        """A closing page gives back its own kernel, never another participant's."""

        @web.authenticated
        async def post(self, kernel_id: str) -> None:
            if not owns(self, self.current_user, kernel_id):
                raise web.HTTPError(403)
            await self.kernel_manager.shutdown_kernel(kernel_id)
            self.set_status(204)
            self.finish()

    def with_member(payload: dict) -> dict:
        # The participant by id (the link's key is dropped); the request URL stays, as before.
        return {**payload, MEMBER_ENV: _current_member() or ""}

    # Routed under the launch's kernel secret; each payload handed out once (see the server's).
    KernelRequestInfo = request_info_handler(query_secret, payload_filter=with_member,
                                             drop=("QUERY_STRING",))

    # Voila's page handler hands a taken kernel its request through this name.
    voila.handler.RequestInfoSocketHandler = KernelRequestInfo

    class WorkshopVoila(hardened_voila_class()):
        def initialize(self, argv: list[str] | None = None) -> None:
            super().initialize(argv)
            host = "127.0.0.1" if self.ip in ("", "0.0.0.0", "localhost") else self.ip
            host = "[::1]" if host == "::" else (f"[{host}]" if ":" in host else host)
            # Kernels inherit this (their environment is readable by this account only).
            os.environ[QUERY_URL_ENV] = (f"ws://{host}:{self.port}{self.server_url or '/'}"
                                         f"voila/query/{query_secret}")

        def init_settings(self) -> dict:
            settings = super().init_settings()
            provider = LinkIdentity(parent=self, log=self.log, token="",
                                    login_handler_class=Denied, logout_handler_class=Denied)
            # A session cookie: a shared computer's next user does not inherit it.
            provider.cookie_options = {"samesite": "Strict", "httponly": True, "expires_days": None}
            self.identity_provider = provider
            self.authorizer = KernelOwners(parent=self, log=self.log, identity_provider=provider)
            settings["identity_provider"] = provider
            settings["authorizer"] = self.authorizer
            self.kernel_manager.forget_request = KernelRequestInfo.forget
            return settings

        def init_handlers(self) -> list:
            swap = {TornadoVoilaHandler: LinkPage, VoilaShutdownKernelHandler: OwnedShutdown}
            handlers = []
            for route in super().init_handlers():
                pattern, handler_class, *rest = route
                if handler_class is RequestInfoSocketHandler:
                    handlers.append(request_info_route(pattern, KernelRequestInfo))
                    continue
                handlers.append((pattern, swap.get(handler_class, handler_class), *rest))
            return handlers

    return WorkshopVoila


def main(argv: list[str] | None = None) -> int:
    """The server process: `--max-kernels N -- <voila arguments>`."""
    from workbook import workshop as ws

    argv = list(sys.argv[1:] if argv is None else argv)
    split = argv.index("--") if "--" in argv else len(argv)
    own = argparse.ArgumentParser(prog="python -m workbook.workshop_server")
    own.add_argument("--max-kernels", type=int, default=0)
    options = own.parse_args(argv[:split])
    bound_kernels(WorkshopKernels, max_kernels=options.max_kernels)
    accept_shutdown_beacons()
    workshop_voila_class(ws.workshop_dir()).launch_instance(argv=argv[split + 1:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
