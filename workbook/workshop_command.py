"""`workbook workshop`, the command: keep the links, print them, and start the workshop server.

The facilitator runs this; it starts `python -m workbook.workshop_server` (the server half, a
child process) with the arguments built here, and stops it with Ctrl+C. `--add`, `--revoke`
and `--list` only change or read the workshop folder (workbook.workshop), also while it runs.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from typing import Any
from urllib.parse import urlsplit

from workbook.server import HOSTS_ENV

NOTEBOOK = "workshop.ipynb"
REFILL_DELAY_S = 15     # seconds after a kernel is taken before the pool starts another
KERNEL_MB = 60           # a kernel with a participant's page up and a check-in saved: ~46 MB PSS
# How long the server waits for a kernel's output after its cell finished (nbclient's default is
# 4 s). With a room opening their links at once, the output of a participant's cell (their page)
# can take longer to come through; past the wait Voila drops it and the person gets a blank page.
IOPUB_TIMEOUT_S = 60


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
        # Wait for a page's output however busy the room is (it comes; only slower).
        f"--VoilaExecutor.iopub_timeout={IOPUB_TIMEOUT_S}",
    ]
    names = {a.split("=", 1)[0] for a in ours}
    return [a for a in base[3:] if a.split("=", 1)[0] not in names] + ours


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
    from workbook.cli import free_port, notebooks_dir, run_server, share_dir

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
    # the Host check lets in the names the links use (an IP address is let in when on a network)
    env[HOSTS_ENV] = ",".join(sorted({n for n in (urlsplit(public_url).hostname, shown_host) if n}))
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(share_dir()), env.get("JUPYTER_PATH")]))
    command = [sys.executable, "-m", "workbook.workshop_server", f"--max-kernels={max_kernels}", "--",
               *voila_arguments(notebooks_dir() / NOTEBOOK, host, port, pool, args.idle_minutes)]
    opens = None if args.no_browser or admin is None else admin.url(f"http://127.0.0.1:{port}/")
    # SIGTERM, SIGHUP and Ctrl+C here stop the server, which stops every kernel
    return run_server(command, env, open_url=opens)
