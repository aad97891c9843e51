"""The `workbook` command: start the workbook, and look after its data folder and notebooks.

The data-folder commands (import, backup, restore, export) are in `workbook.cli_data`. What
stays here starts a server (serve, demo, workshop) or points to the installed files, and it is
one module because those share `serve` and `run_server`, which tests replace on this module.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
from importlib import resources
from pathlib import Path

from workbook import cli_data, exercises
from workbook.store import ENV_VAR, default_data_dir

PAGES = {"app": "app.ipynb", "therapist": "therapist.ipynb", "review": "review.ipynb"}
TOOL_NOTEBOOK = "tool.ipynb"  # any exercise on a page of its own, named in $WORKBOOK_TOOL


def tools() -> dict[str, str]:
    """What `serve --tool` opens, and its notebook: the app, the therapist's pages, and every
    exercise in the menu (its own notebook when there is one, else the one-exercise notebook)."""
    found = dict(PAGES)
    for kind in exercises.in_menu():
        own = f"{kind}.ipynb"
        found[kind] = own if (notebooks_dir() / own).is_file() else TOOL_NOTEBOOK
    return found


def notebooks_dir() -> Path:
    """The notebooks: inside the package when installed, else the repository's notebooks/."""
    packaged = Path(str(resources.files("workbook"))) / "_notebooks"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "notebooks"


def docs_dir() -> Path:
    """The guides: inside the package when installed, else the repository's docs/."""
    packaged = Path(str(resources.files("workbook"))) / "_docs"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "docs"


def share_dir() -> Path:
    return Path(str(resources.files("workbook"))) / "share" / "jupyter"


def config_dir() -> Path:
    """The folder of the workbook's Voila configuration file (voila.json)."""
    return Path(__file__).resolve().parent / "config"


def free_port(preferred: int) -> int:
    """The preferred port if it is free, else one the system picks."""
    for candidate in (preferred, 0):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise OSError("no free port")


def voila_command(notebook: Path, port: int, open_browser: bool = False) -> list[str]:
    """Standalone Voila on loopback: no code can be run from the page, no tracebacks shown.

    The browser is opened by `serve` itself, with the address that carries the launch's key.
    """
    return [
        # Voila with the launch's secret, the Host check and the headers (workbook/server.py)
        sys.executable, "-m", "workbook.voila_main", str(notebook),
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        "--Voila.port_retries=0",
        "--Voila.open_browser=False",
        # kernels talk to the server over Unix sockets in its private folder, not loopback TCP
        # ports that any local account could subscribe to
        "--KernelManager.transport=ipc",
        "--template=workbook",
        # no tracebacks, no files served, the light theme: workbook/config/voila.json, read
        # instead of any voila.json in the current folder or the Jupyter config folders
        f"--Voila.config_file_paths={config_dir()}",
        # a closed tab's kernel is shut down after 10 idle minutes; an open tab's never is
        "--MappingKernelManager.cull_idle_timeout=600",
        "--MappingKernelManager.cull_interval=60",
        "--MappingKernelManager.cull_connected=False",
    ]


POOL_REFILL_S = 20  # after the kernel is taken, the next one starts this much later: its imports
# would otherwise take the CPU from the page the person is opening


def preheat_arguments() -> list[str]:
    """One kernel of the app started ahead of time, its imports done before anyone opens it.

    It waits for its page (workbook.preheat) and is handed out only to a request that proved the
    launch's key (workbook.server); it counts in the bound on kernels.
    """
    return ["--preheat_kernel=True", "--pool_size=1",
            f"--VoilaKernelManager.fill_delay={POOL_REFILL_S}"]


def runtime_file(data_dir: Path) -> Path | None:
    """Where a running workbook says where it is, like Jupyter's runtime files: in the per-user
    runtime folder (0700), one file per data folder (0600), so the data folder holds only data.

    None when that folder, or the one it sits in, is not the person's own (another account
    could then swap the file for one pointing at a server of theirs).
    """
    import hashlib
    import warnings

    import platformdirs

    from workbook import files

    with warnings.catch_warnings():  # no XDG_RUNTIME_DIR: platformdirs says so, and falls back
        warnings.simplefilter("ignore")
        folder = Path(platformdirs.user_runtime_dir("between-sessions", appauthor=False))
    try:
        files.private_folder(folder)
        if any(p.stat().st_uid != os.getuid() for p in (folder, folder.parent)):
            return None
    except OSError:
        return None
    name = hashlib.sha256(str(data_dir).encode("utf-8")).hexdigest()[:16]
    return folder / f"serve-{name}.json"


def running_server(data_dir: Path) -> str | None:
    """The address of a workbook already serving this folder (it answers), else None."""
    import json
    import urllib.error
    import urllib.request

    path = runtime_file(data_dir)
    if path is None:
        return None
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        url, pid = str(info["url"]), int(info["pid"])
        os.kill(pid, 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    base = url.split("?", 1)[0]
    try:
        with urllib.request.urlopen(base + "voila/static/voila.js", timeout=3):
            return url
    except urllib.error.HTTPError:
        return url
    except (OSError, ValueError):
        return None


def _write_runtime(data_dir: Path, url: str) -> Path | None:
    """The address with its key and this process's id, readable by the owner only."""
    import json

    from workbook.store.writer import atomic_write

    path = runtime_file(data_dir)
    if path is None:
        return None
    atomic_write(path, json.dumps({"url": url, "pid": os.getpid(), "data_dir": str(data_dir)}),
                 mode=0o600)
    return path


def _open_when_up(url: str, proc: subprocess.Popen) -> None:
    """Open the browser at `url` once the server answers (or give up if it stopped)."""
    import time
    import urllib.error
    import urllib.request
    import webbrowser

    base = url.split("?", 1)[0]
    for _ in range(600):
        if proc.poll() is not None:
            return
        try:
            urllib.request.urlopen(base + "login", timeout=2)
        except urllib.error.HTTPError:
            break  # it answers (the login page says 403 by design)
        except OSError:
            time.sleep(0.1)
            continue
        break
    webbrowser.open(url)


def run_server(command: list[str], env: dict[str, str], open_url: str | None = None) -> int:
    """Run the server as a child; SIGTERM, SIGHUP or Ctrl+C here stop it and its kernels."""
    import signal
    import threading

    proc = subprocess.Popen(command, env=env)
    if open_url:
        threading.Thread(target=_open_when_up, args=(open_url, proc), daemon=True).start()

    def forward(signum: int, _frame: object) -> None:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        while True:
            try:
                return proc.wait()
            except KeyboardInterrupt:  # the child had the same Ctrl+C: let it stop its kernels
                forward(signal.SIGTERM, None)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def serve(args: argparse.Namespace) -> int:
    import secrets

    from workbook import files
    from workbook.store import PRIVATE_SUBFOLDERS

    data_dir = default_data_dir(args.data_dir).resolve()
    files.private_folder(data_dir)
    tightened = files.secure_folder(data_dir, PRIVATE_SUBFOLDERS)
    if tightened:
        print(f"Your data folder could be read by other accounts on this computer; it is private to "
              f"you now ({len(tightened)} file(s) and folder(s) made readable by you only).",
              file=sys.stderr)
    running = running_server(data_dir)
    if running:
        print(f"This data folder is already open in a workbook that is running: {running}",
              file=sys.stderr)
        print(running, flush=True)
        if not args.no_browser:
            import webbrowser

            webbrowser.open(running)
        return 0
    notebook = notebooks_dir() / tools()[args.tool]
    port = free_port(args.port)
    token = secrets.token_urlsafe(32)
    url = f"http://127.0.0.1:{port}/?token={token}"
    env = dict(os.environ)
    env[ENV_VAR] = str(data_dir)
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(share_dir()), env.get("JUPYTER_PATH")]))
    env["WORKBOOK_TOKEN"] = token
    env[exercises.TOOL_ENV] = args.tool if args.tool not in PAGES else ""
    print(f"Your data folder: {data_dir}", file=sys.stderr)
    print(url, flush=True)
    print("This address is your key to the workbook while it runs; it works in any new tab. "
          "Press Ctrl+C to stop.", file=sys.stderr, flush=True)
    runtime = _write_runtime(data_dir, url)
    try:
        command = voila_command(notebook, port) + (preheat_arguments() if args.tool == "app" else [])
        return run_server(command, env, None if args.no_browser else url)
    finally:
        if runtime is not None:
            runtime.unlink(missing_ok=True)


def demo_data_dir() -> Path:
    """Sample data lives apart from the person's own folder, so exploring never mixes them."""
    import platformdirs

    return Path(platformdirs.user_data_dir("between-sessions-demo", appauthor=False))


def _run_demo(args: argparse.Namespace) -> int:
    """`workbook demo`: the app on a year of made-up entries, in a folder of its own."""
    from workbook import sample
    from workbook.store import Store, writer

    data_dir = Path(args.data_dir).expanduser() if args.data_dir else demo_data_dir()
    if args.fresh and data_dir.exists():
        for csv_file in data_dir.glob("*.csv"):
            writer.remove(csv_file)
    store = Store(data_dir)
    if not any(data_dir.glob("*.csv")):
        counts = sample.generate(store, sample.ONE_YEAR, seed=args.seed)
        print(f"Made a year of sample entries in {data_dir}: "
              + ", ".join(f"{n} {kind}" for kind, n in counts.items()), file=sys.stderr)
    store.save_settings({"sample": True})  # the page says it is sample data, on every page
    print("This is sample data, not yours. Your own workbook: workbook serve (or make run).",
          file=sys.stderr)
    args.data_dir, args.tool = str(data_dir), "app"
    return serve(args)


def _add_demo(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="Explore the workbook with a year of sample data (kept apart "
                                    "from your own).")
    p.add_argument("--data-dir", help="Where the sample data goes (default: a demo folder of its own).")
    p.add_argument("--port", type=int, default=8866, help="Port (default 8866, else a free one).")
    p.add_argument("--no-browser", action="store_true", help="Do not open a browser.")
    p.add_argument("--fresh", action="store_true", help="Start again from new sample data.")
    p.add_argument("--seed", type=int, default=7, help=argparse.SUPPRESS)
    p.set_defaults(func=_run_demo)


def _run_workshop(args: argparse.Namespace) -> int:
    from workbook.workshop_command import command

    return command(args)


def _add_workshop(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("workshop", help="Host a group: one server, a private link per participant.",
                       description="Start the workbook for a group (a private link per participant, "
                                   "printed one a line), or add or close links while it runs.")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--participants", type=int, metavar="N",
                      help="Start the server with at least N participant links (existing links are kept).")
    what.add_argument("--add", type=int, metavar="N", help="Add N links (also while the server runs).")
    what.add_argument("--revoke", action="append", metavar="ID",
                      help="Close a link at once (also while the server runs); repeatable.")
    what.add_argument("--list", action="store_true", help="Print the open participant links again.")
    p.add_argument("--data-dir", help="Workshop folder (default: workshop/ inside your data folder).")
    p.add_argument("--port", type=int, help="Port (default: the one the links use, else 8866 or a free one).")
    p.add_argument("--no-browser", action="store_true", help="Do not open the counts page in a browser.")
    p.add_argument("--host", help="Address to listen on (default 127.0.0.1; 0.0.0.0 for a room's network).")
    p.add_argument("--public-url", metavar="URL",
                   help="The address participants use, if not http://HOST:PORT/ (e.g. behind HTTPS).")
    p.add_argument("--pool", type=int, metavar="K",
                   help="Kernels kept ready for people joining at once (default: participants + 1).")
    p.add_argument("--max-kernels", type=int, metavar="M",
                   help="At most this many kernels (default: participants + 3).")
    p.add_argument("--idle-minutes", type=float, default=20.0, metavar="MIN",
                   help="Close a page nobody has had open for this long (default 20).")
    p.set_defaults(func=_run_workshop)


DESCRIPTION = """\
Between Sessions: a self-guided CBT workbook for the days between treatment sessions.
It runs in your web browser, on your own computer; what you write stays in a folder
you own, as plain CSV files. Start it with `workbook serve`."""

EPILOG = f"""\
Your data folder: ${ENV_VAR} if set, else your per-user data folder (serve
prints it). `workbook COMMAND --help` tells more about each command."""


def _run_notebooks(args: argparse.Namespace) -> int:
    """`workbook notebooks`: the folder of the installed notebooks on stdout, what each is on stderr."""
    folder = notebooks_dir()
    print(folder)
    if not args.quiet:
        names = sorted(p.name for p in folder.glob("*.ipynb"))
        print(f"{len(names)} notebooks: {', '.join(names)}.", file=sys.stderr)
        print("Open one in the browser with `workbook serve --tool NAME` (e.g. --tool therapist to "
              "review a shared bundle), or in JupyterLab.", file=sys.stderr)
        if folder.name == "_notebooks":
            print("This folder is part of the installed program and is replaced on each upgrade: "
                  "copy a notebook elsewhere before changing it.", file=sys.stderr)
    return 0


def _run_docs(args: argparse.Namespace) -> int:
    """`workbook docs`: the folder of the guides on stdout, what each is for on stderr."""
    folder = docs_dir()
    print(folder)
    if not args.quiet:
        for name, what in DOC_GUIDES:
            if (folder / name).is_file():
                print(f"  {name}: {what}", file=sys.stderr)
    return 0


# The guides a person, a therapist or a facilitator opens first (all of docs/ is installed).
DOC_GUIDES = (
    ("guide.md", "using the workbook, page by page"),
    ("therapists.md", "homework and reviewing what comes back"),
    ("workshops.md", "running a group workshop"),
    ("data.md", "every file and column in your data folder"),
    ("safety.md", "where help is, and what the check-in rules say"),
    ("security.md", "who can see what, and how that is tested"),
)


def _add_docs(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("docs", help="Print where the guides are (guide.md, therapists.md, ...).",
                       description="Print the folder holding the workbook's guides as installed.")
    p.add_argument("-q", "--quiet", action="store_true", help="Only the folder, nothing else.")
    p.set_defaults(func=_run_docs)


def _add_notebooks(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("notebooks", help="Print where the notebooks are (therapist, review, ...).",
                       description="Print the folder holding the workbook's notebooks as installed, "
                                   "e.g. to open therapist.ipynb in JupyterLab.")
    p.add_argument("-q", "--quiet", action="store_true", help="Only the folder, nothing else.")
    p.set_defaults(func=_run_notebooks)


def build_parser() -> argparse.ArgumentParser:
    from workbook import __version__

    parser = argparse.ArgumentParser(prog="workbook", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser("serve", help="Start the workbook in the browser.",
                       description="Start the workbook in your browser, on your data folder.")
    p.add_argument("--data-dir", help=f"Data folder (default: ${ENV_VAR}, else your data folder).")
    p.add_argument("--port", type=int, default=8866, help="Port (default 8866, else a free one).")
    p.add_argument("--no-browser", action="store_true", help="Do not open a browser.")
    p.add_argument("--tool", choices=sorted(tools()), default="app",
                   help="Serve one tool's notebook instead of the whole app.")
    p.set_defaults(func=serve)
    cli_data.add_import(sub)
    cli_data.add_backup(sub)
    _add_demo(sub)
    cli_data.add_export(sub)
    _add_workshop(sub)
    _add_notebooks(sub)
    _add_docs(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
