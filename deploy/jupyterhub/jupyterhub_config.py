"""JupyterHub on one machine for Between Sessions: every user lands on the workbook in Voila.

Run it with `make hub` (loopback, for trying it out) or `jupyterhub -f THIS_FILE`.
Everything is chosen with environment variables, so the file itself never needs editing:

  WORKBOOK_HUB_AUTH         tmp (default): anyone who opens the hub gets an anonymous,
                            one-off account at once, no sign-in;
                            native: NativeAuthenticator, people sign up with a name and a
                            password and an admin approves them (groups that meet for weeks).
  WORKBOOK_HUB_ADMINS       comma-separated admin names (native: they sign up like anyone
                            else and are approved at once; they approve others at /hub/authorize).
  WORKBOOK_HUB_STATE        folder for the hub's database, cookie secret, the notebooks it
                            serves and every user's home (default: ./.hub/state).
  WORKBOOK_HUB_IP           address to listen on (default 127.0.0.1: this machine only).
  WORKBOOK_HUB_PORT         public port (default 8000).
  WORKBOOK_HUB_PROXY_API_PORT  the proxy's API port (default: public port + 1).
  WORKBOOK_HUB_INTERNAL_PORT   the hub's own API port (default 8081).
  WORKBOOK_HUB_PROXY        configurable-http-proxy to run (default: the one `make hub-deps`
                            installs in .hub/, else the one on PATH).
  WORKBOOK_HUB_CULL_TIMEOUT seconds without activity before a user's server is stopped
                            (default 3600); their data stays in their home.
  WORKBOOK_HUB_CULL_EVERY   how often the culler looks, in seconds (default 300).
  WORKBOOK_HUB_MAX_SERVERS  most servers running at once (default 20, each ~0.3-1 GB);
                            0 = no limit. Beyond it, a newcomer is asked to try again later.
  WORKBOOK_HUB_MAX_SPAWNS   most servers starting at the same moment (default 5): a rush of
                            people arriving queues instead of starving the machine.
  WORKBOOK_HUB_CULL_USERS   yes/no: delete accounts (and their home folders, entries included)
                            that were idle for WORKBOOK_HUB_CULL_TIMEOUT and have no server
                            running. Default yes with tmp (anonymous, one-off accounts nobody
                            can return to once their cookie is gone), no with native.

Each user's server runs Voila as a Jupyter server extension (not standalone Voila), with
the workbook's own Voila template. The notebooks are copied from the package into
STATE/notebooks at start and served from there; each user's data lives in their own
home: WORKBOOK_DATA_DIR = HOME/between-sessions.

The spawner is JupyterHub's SimpleLocalProcessSpawner, which needs no system users: every
user's server runs as the user who started the hub, with home STATE/homes/NAME. Users'
folders are kept apart by the app, not by the operating system: a person who knows how can
run code in their own kernel and read other folders. See README.md beside this file for
what to use when that matters (Kubernetes, or system users).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DATA_FOLDER_NAME = "between-sessions"
APP_URL = "/voila/render/app.ipynb"


def _env(name: str, default: str) -> str:
    return os.environ.get(name, "").strip() or default


def _int_env(name: str, default: int) -> int:
    value = _env(name, str(default))
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None


# -- where things live -----------------------------------------------------------------------
STATE = Path(_env("WORKBOOK_HUB_STATE", str(Path.cwd() / ".hub" / "state"))).expanduser().resolve()
HOMES = STATE / "homes"
NOTEBOOKS = STATE / "notebooks"
for folder in (STATE, HOMES):
    folder.mkdir(parents=True, exist_ok=True)
os.chmod(STATE, 0o700)  # the cookie secret and the database are in here


def _workbook_paths() -> tuple[Path, Path]:
    """The packaged notebooks and the folder holding the workbook's Voila template."""
    from workbook.cli import notebooks_dir, share_dir

    return notebooks_dir(), share_dir()


def _copy_notebooks(source: Path, target: Path) -> None:
    """A fresh copy of the notebooks for the users' servers, so nobody edits the package's."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))


PACKAGED_NOTEBOOKS, SHARE_JUPYTER = _workbook_paths()
_copy_notebooks(PACKAGED_NOTEBOOKS, NOTEBOOKS)

# -- network: loopback unless told otherwise -----------------------------------------------------
IP = _env("WORKBOOK_HUB_IP", "127.0.0.1")
PORT = _int_env("WORKBOOK_HUB_PORT", 8000)
c.JupyterHub.bind_url = f"http://{IP}:{PORT}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = _int_env("WORKBOOK_HUB_INTERNAL_PORT", 8081)
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{_int_env('WORKBOOK_HUB_PROXY_API_PORT', PORT + 1)}"
_local_proxy = REPO / ".hub" / "node_modules" / ".bin" / "configurable-http-proxy"
c.ConfigurableHTTPProxy.command = [
    _env("WORKBOOK_HUB_PROXY", str(_local_proxy) if _local_proxy.exists() else "configurable-http-proxy")
]

c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")
# Admins manage accounts; they do not open other people's workbooks.
c.JupyterHub.admin_access = False
# A bound on what a crowd (or a script opening the hub again and again) can start.
c.JupyterHub.active_server_limit = _int_env("WORKBOOK_HUB_MAX_SERVERS", 20)
c.JupyterHub.concurrent_spawn_limit = _int_env("WORKBOOK_HUB_MAX_SPAWNS", 5)

# -- who can come in -------------------------------------------------------------------------
AUTH = _env("WORKBOOK_HUB_AUTH", "tmp").lower()
ADMINS = {name.strip() for name in _env("WORKBOOK_HUB_ADMINS", "").split(",") if name.strip()}

if AUTH == "tmp":
    # One-off anonymous sessions: opening the hub is enough. A participant keeps their
    # account (and their data) while their browser keeps the hub's cookie and they come back
    # within the cull timeout; then the account and its home are deleted (CULL_USERS).
    c.JupyterHub.authenticator_class = "tmpauthenticator.TmpAuthenticator"
    c.Authenticator.allow_all = True
elif AUTH == "native":
    # Groups that meet for weeks: sign up at /hub/signup, wait for an admin's approval at
    # /hub/authorize, then log in with the same name and password every week.
    c.JupyterHub.authenticator_class = "nativeauthenticator.NativeAuthenticator"
    c.Authenticator.allow_all = True  # NativeAuthenticator's approval is the gate
    c.NativeAuthenticator.open_signup = False
    c.NativeAuthenticator.check_common_password = True
    c.NativeAuthenticator.minimum_password_length = 8
    c.NativeAuthenticator.allowed_failed_logins = 5
    c.NativeAuthenticator.seconds_before_next_try = 600
else:
    raise ValueError(f"WORKBOOK_HUB_AUTH must be 'tmp' or 'native', not {AUTH!r}")
c.Authenticator.admin_users = ADMINS
CULL_USERS = _env("WORKBOOK_HUB_CULL_USERS", "yes" if AUTH == "tmp" else "no").lower()
if CULL_USERS not in ("yes", "no"):
    raise ValueError(f"WORKBOOK_HUB_CULL_USERS must be 'yes' or 'no', not {CULL_USERS!r}")

# -- each user's server: the app in Voila, their data in their home ------------------------------
# SimpleLocalProcessSpawner, plus: a deleted user's home folder (their entries) goes with them.
sys.path.insert(0, str(HERE))
c.JupyterHub.spawner_class = "workbook_spawner.ForgettingSpawner"
c.SimpleLocalProcessSpawner.home_dir_template = str(HOMES / "{username}")
c.ForgettingSpawner.homes_dir = str(HOMES)
c.Spawner.notebook_dir = str(NOTEBOOKS)
c.Spawner.default_url = APP_URL
c.Spawner.cmd = [str(Path(sys.executable).with_name("jupyterhub-singleuser"))]
# Server settings every user's server gets (the workbook's Voila template, no terminals,
# no MathJax from a CDN): singleuser/jupyter_server_config.json, the same file the
# Kubernetes image installs in /etc/jupyter.
SINGLEUSER_CONFIG = HERE / "singleuser"
c.Spawner.args = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120


def _data_dir(spawner) -> str:
    """The user's own data folder, inside their home."""
    home = getattr(spawner, "home_dir", "") or os.path.expanduser(f"~{spawner.user.name}")
    return str(Path(home) / DATA_FOLDER_NAME)


c.Spawner.environment = {
    "WORKBOOK_DATA_DIR": _data_dir,
    # the workbook's Voila template (no third-party requests), found before Voila's own
    "JUPYTER_PATH": os.pathsep.join(filter(None, [str(SHARE_JUPYTER), os.environ.get("JUPYTER_PATH")])),
    "JUPYTER_CONFIG_PATH": os.pathsep.join(
        filter(None, [str(SINGLEUSER_CONFIG), os.environ.get("JUPYTER_CONFIG_PATH")])
    ),
}

# -- the idle culler ---------------------------------------------------------------------------
# Stops servers nobody has used for a while (their kernels with them); data stays in the home
# and the user gets their page back on their next visit. With CULL_USERS (anonymous accounts by
# default), an account idle that long is deleted too, and the spawner deletes its home with it:
# a one-off visitor's entries do not stay on the machine after nobody can reach them.
_culler = [
    sys.executable, "-m", "jupyterhub_idle_culler",
    f"--timeout={_int_env('WORKBOOK_HUB_CULL_TIMEOUT', 3600)}",
    f"--cull-every={_int_env('WORKBOOK_HUB_CULL_EVERY', 300)}",
    "--remove-named-servers",
]
_culler_scopes = ["list:users", "read:users:activity", "read:servers", "delete:servers"]
if CULL_USERS == "yes":
    _culler.append("--cull-users")
    _culler_scopes.append("admin:users")  # deleting users needs it
c.JupyterHub.services = [{"name": "idle-culler", "command": _culler}]
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "description": "Stop idle servers" + (", delete idle users" if CULL_USERS == "yes" else ""),
        "scopes": _culler_scopes,
        "services": ["idle-culler"],
    }
]
