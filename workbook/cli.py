"""`workbook serve`: start the workbook in Voila on the person's data folder."""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
from importlib import resources
from pathlib import Path

from workbook.store import ENV_VAR, default_data_dir

TOOLS = {"app": "app.ipynb", "mood": "mood.ipynb", "thought_record": "thought_record.ipynb",
         "win": "win.ipynb"}


def notebooks_dir() -> Path:
    """The notebooks: inside the package when installed, else the repository's notebooks/."""
    packaged = Path(str(resources.files("workbook"))) / "_notebooks"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "notebooks"


def share_dir() -> Path:
    return Path(str(resources.files("workbook"))) / "share" / "jupyter"


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


def voila_command(notebook: Path, port: int, open_browser: bool) -> list[str]:
    """Standalone Voila on loopback: no code can be run from the page, no tracebacks shown."""
    return [
        sys.executable, "-m", "voila", str(notebook),
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        "--Voila.port_retries=0",
        f"--Voila.open_browser={open_browser}",
        "--template=workbook",
        "--theme=light",
        "--VoilaConfiguration.show_tracebacks=False",
        "--VoilaConfiguration.file_allowlist=[]",
    ]


def serve(args: argparse.Namespace) -> int:
    data_dir = default_data_dir(args.data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    notebook = notebooks_dir() / TOOLS[args.tool]
    port = free_port(args.port)
    env = dict(os.environ)
    env[ENV_VAR] = str(data_dir)
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(share_dir()), env.get("JUPYTER_PATH")]))
    print(f"Your data folder: {data_dir}", file=sys.stderr)
    print(f"http://127.0.0.1:{port}/", flush=True)
    print("Press Ctrl+C to stop.", file=sys.stderr, flush=True)
    try:
        return subprocess.call(voila_command(notebook, port, not args.no_browser), env=env)
    except KeyboardInterrupt:
        return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workbook", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("serve", help="Start the workbook in the browser.")
    p.add_argument("--data-dir", help=f"Data folder (default: ${ENV_VAR}, else your data folder).")
    p.add_argument("--port", type=int, default=8866, help="Port (default 8866, else a free one).")
    p.add_argument("--no-browser", action="store_true", help="Do not open a browser.")
    p.add_argument("--tool", choices=sorted(TOOLS), default="app",
                   help="Serve one tool's notebook instead of the whole app.")
    p.set_defaults(func=serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
