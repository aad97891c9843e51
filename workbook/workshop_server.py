"""`workbook workshop`: one standalone Voila for a group, a private link per participant.

Two halves:

- `command(args)` is the CLI: it keeps the links (workbook.workshop), prints them, writes the
  facilitator's files and starts the server as a child process;
- `main()` (`python -m workbook.workshop_server --max-kernels N -- VOILA ARGS`) is that child:
  Voila as `workbook serve` runs it (standalone, so the page cannot run code; no tracebacks; no
  files served), plus three things Voila does not do by itself:

  1. secrets never reach the log: requests are logged by path only (never the query string),
     and every log handler redacts anything that looks like a query string or `key=`;
  2. the number of kernels is bounded (voila-dashboards/voila#617): the preheated pool only
     refills while there is room, and a page asked for when the server is full gets a 503
     ("the workshop is full, try again in a minute") instead of another kernel;
  3. the request URL Voila hands to the *next* preheated kernel (VOILA_REQUEST_URL, which
     would carry another participant's key) loses its query string.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from workbook.voila_main import accept_shutdown_beacons

log = logging.getLogger(__name__)

NOTEBOOK = "workshop.ipynb"
REFILL_DELAY_S = 15     # seconds after a kernel is taken before the pool starts another
KERNEL_MB = 200          # a kernel with the app built, measured here: ~150-260 MB
FULL = "The workshop is full right now. Please try your link again in a minute."

ERROR_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Between Sessions</title>
<style>body{font-family:sans-serif;max-width:40em;margin:3em auto;padding:0 1em;color:#1f2328;line-height:1.5}
.wb-help{color:#59636e;font-size:14px}</style></head>
<body class="wb-error-page"><h1>{{ status_message }}</h1>
{% if message %}<p>{{ message }}</p>{% endif %}
<p class="wb-help">Your saved entries are safe. If you are not safe right now, call your local
emergency number or a crisis line.</p></body></html>
"""

_QUERY = re.compile(r"\?[^\s'\"<>]+")
_KEY = re.compile(r"(key=)[^\s&'\"<>]+")


# -- secrets out of logs -------------------------------------------------------------
def redact(text: str) -> str:
    """Text with every query string and `key=` value replaced (what a log line may show)."""
    return _KEY.sub(r"\1[redacted]", _QUERY.sub("?[redacted]", text))


def strip_query(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


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
    access_log.log(level, "%d %s %s %.1fms", status, request.method, request.path,
                   1000.0 * request.request_time())


# -- a bounded number of kernels -------------------------------------------------------
class WorkshopKernels:
    """Mixed in before Voila's preheating kernel manager (see `_patch_voila`)."""

    max_kernels = 0              # 0: no bound
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
        # Only kernels started for a request come here (the pool starts its kernels through
        # the base class), so this is where a page beyond the bound is refused.
        if self.max_kernels and self.in_use() + self._pool_length() >= self.max_kernels:
            from tornado import web

            self.log.warning("workshop full: %d kernels running (at most %d)",
                             len(self.list_kernel_ids()), self.max_kernels)
            raise web.HTTPError(503, reason=FULL)
        return await super().start_kernel(*args, **kwargs)

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
        await super().shutdown_kernel(kernel_id, *args, **kwargs)
        notebook = getattr(self, "notebook_path", None)
        if not self._stopping and notebook is not None and hasattr(self, "_pools"):
            self.fill_if_needed(notebook_name=notebook)  # room again: top the pool up

    async def shutdown_all(self, *args: Any, **kwargs: Any) -> None:
        self._stopping = True
        await super().shutdown_all(*args, **kwargs)


def _patch_voila(max_kernels: int) -> None:
    """Voila builds its kernel manager class in `voila_kernel_manager_factory`: mix ours in."""
    import voila.app as voila_app

    original = voila_app.voila_kernel_manager_factory
    if getattr(original, "workshop", False):
        return

    def factory(base_class: type, preheat_kernel: bool, default_pool_size: int, **kwargs: Any) -> type:
        cls = original(base_class, preheat_kernel, default_pool_size, **kwargs)
        return type("WorkshopKernelManager", (WorkshopKernels, cls), {"max_kernels": max_kernels})

    factory.workshop = True  # type: ignore[attr-defined]
    voila_app.voila_kernel_manager_factory = factory


def _voila_class() -> type:
    from traitlets import default
    from voila.app import Voila

    class WorkshopVoila(Voila):
        """Voila with the redacted access log and no Referer leaving the page."""

        @default("tornado_settings")
        def _workshop_tornado_settings(self) -> dict:
            return {"log_function": log_request,
                    "headers": {"Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff"}}

        def initialize(self, argv: list[str] | None = None) -> None:
            install_redaction(self.log)
            super().initialize(argv)
            install_redaction(self.log)

        def init_settings(self) -> dict:
            """Error pages (a 503 when full, a 403) of our own: the stock ones load a CDN stylesheet."""
            import jinja2

            settings = super().init_settings()
            env = settings["voila_jinja2_env"]
            env.loader = jinja2.ChoiceLoader([jinja2.DictLoader({"error.html": ERROR_PAGE}), env.loader])
            return settings

    return WorkshopVoila


def main(argv: list[str] | None = None) -> int:
    """The server process: `--max-kernels N -- <voila arguments>`."""
    argv = list(sys.argv[1:] if argv is None else argv)
    split = argv.index("--") if "--" in argv else len(argv)
    own = argparse.ArgumentParser(prog="python -m workbook.workshop_server")
    own.add_argument("--max-kernels", type=int, default=0)
    options = own.parse_args(argv[:split])
    _patch_voila(options.max_kernels)
    accept_shutdown_beacons()
    _voila_class().launch_instance(argv=argv[split + 1:])
    return 0


# -- the command ------------------------------------------------------------------------
def _lan_address() -> str:
    """This machine's address on the local network (no packet is sent), else loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed, only picks an interface
            return sock.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def _port_free(host: str, port: int) -> bool:
    """Whether the server could listen there (as tornado does: a socket just closed is no obstacle)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host if host not in ("", "0.0.0.0") else "0.0.0.0", port))
        except OSError:
            return False
    return True


def _say(*lines: str) -> None:
    for line in lines:
        print(line, file=sys.stderr, flush=True)


def voila_arguments(notebook: os.PathLike, host: str, port: int, pool: int, idle_minutes: float) -> list[str]:
    """The arguments `workbook serve` gives Voila, plus preheating and culling."""
    from workbook.cli import voila_command

    base = voila_command(notebook, port, False)
    if base[1:3] != ["-m", "workbook.voila_main"]:
        raise RuntimeError(f"unexpected Voila command: {base[:3]}")
    idle = max(1, round(idle_minutes * 60))
    ours = [
        f"--Voila.ip={host}",
        "--preheat_kernel=True",
        f"--pool_size={pool}",
        f"--MappingKernelManager.cull_idle_timeout={idle}",
        f"--MappingKernelManager.cull_interval={max(1, min(60, idle // 4))}",
        "--MappingKernelManager.cull_connected=False",  # an open page keeps what is typed in it
        # Refill the pool after the rush: starting kernels blocks Voila's one thread for a moment
        # and their imports take the CPU the people joining need.
        f"--VoilaKernelManager.fill_delay={REFILL_DELAY_S}",
    ]
    names = {a.split("=", 1)[0] for a in ours}
    return [a for a in base[3:] if a.split("=", 1)[0] not in names] + ours


def _open_when_up(url: str, proc: subprocess.Popen) -> None:
    import webbrowser

    probe = urlunsplit(urlsplit(url)._replace(path="/voila/static/", query=""))
    for _ in range(600):
        if proc.poll() is not None:
            return
        try:
            urllib.request.urlopen(probe, timeout=2).close()
        except urllib.error.HTTPError:
            break  # the server answers (404 is an answer)
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
            continue
        break
    webbrowser.open(url)


def command(args: argparse.Namespace) -> int:
    """`workbook workshop`: see `workbook workshop --help` and docs/workshops.md."""
    from workbook import workshop as ws

    workshop = ws.Workshop(ws.workshop_dir(args.data_dir).resolve())
    if args.revoke:
        status = 0
        for member_id in args.revoke:
            try:
                member = workshop.revoke(member_id)
            except KeyError as exc:
                _say(str(exc.args[0]))
                status = 1
                continue
            _say(f"Closed the link of {member.label} ({member.id}). Their page refuses to save from now "
                 "on and the link opens nothing; their folder is kept.")
        return status
    if args.add is not None or args.list:
        if not workshop.members():
            _say(f"No workshop in {workshop.root} yet: start one with --participants N.")
            return 1
        new = workshop.add(args.add) if args.add else []
        shown = [i for i in new if i.member.role == ws.PARTICIPANT] if args.add else [
            i for i in workshop.issued() if i.member.role == ws.PARTICIPANT]
        base = workshop.base_url() or "http://127.0.0.1:8866/"
        for issued in shown:
            print(issued.url(base), flush=True)
        _say(f"{len(shown)} link(s) above; all open links are in {workshop.root / ws.LINKS_TXT} "
             f"(QR codes: {workshop.root / ws.LINKS_HTML}).")
        _warn_missing(workshop)
        return 0
    return _serve(args, workshop)


def _warn_missing(workshop: Any) -> None:
    missing = workshop.missing_secrets()
    if missing:
        _say(f"{len(missing)} open link(s) are no longer in the links file and cannot be shown again "
             f"(they still work): {', '.join(m.id for m in missing)}. Close them with --revoke ID and "
             "add new ones with --add N if they were lost.")


def _serve(args: argparse.Namespace, workshop: Any) -> int:
    from workbook import workshop as ws
    from workbook.cli import free_port, notebooks_dir, share_dir

    if args.participants is None and not workshop.participants(open_only=True):
        _say("Say how many people are coming: workbook workshop --participants N")
        return 2
    settings = workshop.settings()
    host = args.host or settings.get("host") or "127.0.0.1"
    port = args.port or settings.get("port")
    if port and not _port_free(host, int(port)):
        _say(f"Port {port} is in use. The links point to it: stop what uses it, or pass --port "
             "(links then change: print the new ones from the links file).")
        return 1
    port = int(port or free_port(8866))
    shown_host = _lan_address() if host in ("0.0.0.0", "") else host
    public_url = args.public_url or (settings.get("public_url") if settings.get("port") == port
                                     and settings.get("host") == host and not args.host else None)
    public_url = public_url or f"http://{shown_host}:{port}/"
    workshop.save_settings(host=host, port=port, public_url=public_url)
    workshop.ensure(args.participants or 0)
    workshop.write_links()
    issued = workshop.issued()
    participants = [i for i in issued if i.member.role == ws.PARTICIPANT]
    admin = next((i for i in issued if i.member.role == ws.FACILITATOR), None)
    open_count = len(workshop.participants(open_only=True))
    max_kernels = args.max_kernels or open_count + 3
    pool = max(0, min(args.pool if args.pool is not None else open_count + 1, max_kernels))
    for item in participants:
        print(item.url(public_url), flush=True)
    _say(f"Workshop folder: {workshop.root}",
         f"{len(participants)} participant link(s), one a line above; also in {workshop.root / ws.LINKS_TXT}",
         f"and, with a QR code each to print, in {workshop.root / ws.LINKS_HTML}.",
         "Your counts page is the 'facilitator' line of the links file"
         + ("." if args.no_browser else "; it opens in your browser when the server is up."),
         f"Kernels: {pool} kept ready, at most {max_kernels} (~{KERNEL_MB} MB each); a page nobody has "
         f"had open for {args.idle_minutes:g} min is closed (its link brings it back).",
         "Add people or close a link while this runs: workbook workshop --add N / --revoke ID"
         f" --data-dir {workshop.root}",
         "Press Ctrl+C to stop; the same links work after a restart.")
    _warn_missing(workshop)
    env = {k: v for k, v in os.environ.items() if k not in (ws.ENV_VAR, "QUERY_STRING")}
    env[ws.WORKSHOP_ENV] = str(workshop.root)
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(share_dir()), env.get("JUPYTER_PATH")]))
    command = [sys.executable, "-m", "workbook.workshop_server", f"--max-kernels={max_kernels}", "--",
               *voila_arguments(notebooks_dir() / NOTEBOOK, host, port, pool, args.idle_minutes)]
    proc = subprocess.Popen(command, env=env)

    def stop(signum: int, _frame: Any) -> None:  # `kill` on this process stops the server too
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    if not args.no_browser and admin is not None:
        threading.Thread(target=_open_when_up, args=(admin.url(f"http://127.0.0.1:{port}/"), proc),
                         daemon=True).start()
    try:
        return proc.wait()
    except KeyboardInterrupt:
        try:
            return proc.wait(timeout=20)
        except (subprocess.TimeoutExpired, KeyboardInterrupt):
            proc.terminate()
            return 0


if __name__ == "__main__":
    sys.exit(main())
