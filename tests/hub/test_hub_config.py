"""deploy/jupyterhub/jupyterhub_config.py, loaded the way JupyterHub loads it (no hub started).

What each environment variable selects; the live hub is in test_hub_local.py.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from traitlets.config.loader import PyFileConfigLoader

REPO = Path(__file__).resolve().parents[2]
HUB_DIR = REPO / "deploy" / "jupyterhub"


def load(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str):
    for name in ("WORKBOOK_HUB_AUTH", "WORKBOOK_HUB_ADMINS", "WORKBOOK_HUB_PORT", "WORKBOOK_HUB_IP",
                 "WORKBOOK_HUB_MAX_SERVERS", "WORKBOOK_HUB_MAX_SPAWNS", "WORKBOOK_HUB_CULL_USERS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WORKBOOK_HUB_STATE", str(tmp_path / "state"))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return PyFileConfigLoader("jupyterhub_config.py", path=str(HUB_DIR)).load_config()


def test_default_is_anonymous_sessions_on_loopback(monkeypatch, tmp_path) -> None:
    c = load(monkeypatch, tmp_path)
    assert c.JupyterHub.authenticator_class == "tmpauthenticator.TmpAuthenticator"
    assert c.Authenticator.allow_all is True
    assert c.JupyterHub.bind_url == "http://127.0.0.1:8000"
    assert c.JupyterHub.hub_ip == "127.0.0.1"
    assert c.ConfigurableHTTPProxy.api_url.startswith("http://127.0.0.1:")
    assert c.JupyterHub.admin_access is False


def test_native_accounts_with_admin_approval(monkeypatch, tmp_path) -> None:
    c = load(monkeypatch, tmp_path, WORKBOOK_HUB_AUTH="native", WORKBOOK_HUB_ADMINS="facilitator, ana")
    assert c.JupyterHub.authenticator_class == "nativeauthenticator.NativeAuthenticator"
    assert c.NativeAuthenticator.open_signup is False
    assert c.NativeAuthenticator.minimum_password_length >= 8
    assert c.Authenticator.admin_users == {"facilitator", "ana"}


def test_an_unknown_sign_in_mode_is_refused(monkeypatch, tmp_path) -> None:
    with pytest.raises(ValueError, match="WORKBOOK_HUB_AUTH"):
        load(monkeypatch, tmp_path, WORKBOOK_HUB_AUTH="github")


def test_each_user_lands_on_the_app_with_data_in_their_home(monkeypatch, tmp_path) -> None:
    c = load(monkeypatch, tmp_path)
    state = tmp_path / "state"
    assert c.JupyterHub.spawner_class == "workbook_spawner.ForgettingSpawner"
    assert c.ForgettingSpawner.homes_dir == str(state / "homes")
    assert c.Spawner.default_url == "/voila/render/app.ipynb"
    assert Path(c.Spawner.notebook_dir) == state / "notebooks"
    assert (state / "notebooks" / "app.ipynb").is_file()
    assert c.SimpleLocalProcessSpawner.home_dir_template == str(state / "homes" / "{username}")

    spawner = SimpleNamespace(home_dir=str(state / "homes" / "ann"), user=SimpleNamespace(name="ann"))
    data_dir = c.Spawner.environment["WORKBOOK_DATA_DIR"](spawner)
    assert data_dir == str(state / "homes" / "ann" / "between-sessions")
    config_path = c.Spawner.environment["JUPYTER_CONFIG_PATH"].split(os.pathsep)
    assert str(HUB_DIR / "singleuser") in config_path
    server_config = json.loads((HUB_DIR / "singleuser" / "jupyter_server_config.json").read_text())
    assert server_config["VoilaConfiguration"]["template"] == "workbook"
    # Voila as a server extension asks a CDN for MathJax unless told there is none
    assert server_config["ServerApp"]["tornado_settings"] == {"mathjax_url": None, "mathjax_config": None}


def test_the_idle_culler_runs_as_a_service_with_only_the_scopes_it_needs(monkeypatch, tmp_path) -> None:
    c = load(monkeypatch, tmp_path, WORKBOOK_HUB_CULL_TIMEOUT="900", WORKBOOK_HUB_AUTH="native")
    (service,) = c.JupyterHub.services
    assert service["command"][:3] == [sys.executable, "-m", "jupyterhub_idle_culler"]
    assert "--timeout=900" in service["command"]
    # accounts that sign in with a password are kept: the person comes back next week
    assert not any(arg.startswith("--cull-users") for arg in service["command"])
    (role,) = c.JupyterHub.load_roles
    assert role["services"] == [service["name"]]
    assert set(role["scopes"]) == {"list:users", "read:users:activity", "read:servers", "delete:servers"}


def test_anonymous_accounts_are_culled_with_their_homes(monkeypatch, tmp_path) -> None:
    c = load(monkeypatch, tmp_path)
    (service,) = c.JupyterHub.services
    assert "--cull-users" in service["command"] and "--remove-named-servers" in service["command"]
    (role,) = c.JupyterHub.load_roles
    assert "admin:users" in role["scopes"]  # the culler's way to delete a user
    # kept when asked, refused when misspelt
    kept = load(monkeypatch, tmp_path, WORKBOOK_HUB_CULL_USERS="no")
    assert "--cull-users" not in kept.JupyterHub.services[0]["command"]
    with pytest.raises(ValueError, match="WORKBOOK_HUB_CULL_USERS"):
        load(monkeypatch, tmp_path, WORKBOOK_HUB_CULL_USERS="sometimes")


def test_a_deleted_users_home_goes_with_them_and_nothing_else_does(tmp_path) -> None:
    sys.path.insert(0, str(HUB_DIR))
    try:
        from workbook_spawner import remove_home
    finally:
        sys.path.remove(str(HUB_DIR))
    homes = tmp_path / "homes"
    home = homes / "anon-1"
    (home / "between-sessions").mkdir(parents=True)
    (home / "between-sessions" / "mood.csv").write_text("private")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (homes / "linked").symlink_to(outside)
    assert remove_home(homes, home) is True and not home.exists()
    assert remove_home(homes, homes / "linked") is False and outside.is_dir()  # a link is not followed
    assert remove_home(homes, tmp_path) is False and homes.is_dir()            # not inside homes/
    assert remove_home(homes, homes / "nobody") is False


def test_limits_on_running_and_starting_servers(monkeypatch, tmp_path) -> None:
    c = load(monkeypatch, tmp_path)
    assert c.JupyterHub.active_server_limit == 20
    assert c.JupyterHub.concurrent_spawn_limit == 5
    c = load(monkeypatch, tmp_path, WORKBOOK_HUB_MAX_SERVERS="8", WORKBOOK_HUB_MAX_SPAWNS="2")
    assert (c.JupyterHub.active_server_limit, c.JupyterHub.concurrent_spawn_limit) == (8, 2)
