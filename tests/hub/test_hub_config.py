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
    for name in ("WORKBOOK_HUB_AUTH", "WORKBOOK_HUB_ADMINS", "WORKBOOK_HUB_PORT", "WORKBOOK_HUB_IP"):
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
    assert c.JupyterHub.spawner_class == "jupyterhub.spawner.SimpleLocalProcessSpawner"
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
    c = load(monkeypatch, tmp_path, WORKBOOK_HUB_CULL_TIMEOUT="900")
    (service,) = c.JupyterHub.services
    assert service["command"][:3] == [sys.executable, "-m", "jupyterhub_idle_culler"]
    assert "--timeout=900" in service["command"]
    assert not any(arg.startswith("--cull-users") for arg in service["command"])
    (role,) = c.JupyterHub.load_roles
    assert role["services"] == [service["name"]]
    assert set(role["scopes"]) == {"list:users", "read:users:activity", "read:servers", "delete:servers"}
