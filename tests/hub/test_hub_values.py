"""deploy/z2jh: Kubernetes cannot run here, so the files are checked against each other.

values.yaml must set every value the table in deploy/z2jh/README.md says it sets, and the
image (Dockerfile) must provide the paths the values point at.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
Z2JH = REPO / "deploy" / "z2jh"
VALUES = yaml.safe_load((Z2JH / "values.yaml").read_text(encoding="utf-8"))
ANONYMOUS = yaml.safe_load((Z2JH / "values-anonymous.yaml").read_text(encoding="utf-8"))
DOCKERFILE = (Z2JH / "Dockerfile").read_text(encoding="utf-8")
MISSING = object()


def lookup(values: dict, dotted: str):
    """values["a"]["b"]["c"] for "a.b.c", MISSING if any part is absent."""
    node = values
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return MISSING
        node = node[part]
    return node


def documented_settings() -> list[tuple[str, object]]:
    """The rows of README.md's "What values.yaml sets" table: (`dotted.key`, `value`)."""
    text = (Z2JH / "README.md").read_text(encoding="utf-8")
    section = text.split("## 3. What `values.yaml` sets", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([^`]+)` \| `([^`]*)` \|", section, flags=re.M)
    return [(key, yaml.safe_load(value)) for key, value in rows]


def test_the_readme_documents_settings() -> None:
    keys = [key for key, _ in documented_settings()]
    assert len(keys) >= 15, keys
    for needed in ("singleuser.defaultUrl", "singleuser.storage.type", "cull.enabled",
                   "hub.config.JupyterHub.authenticator_class", "singleuser.image.name"):
        assert needed in keys


@pytest.mark.parametrize(("key", "value"), documented_settings(), ids=lambda v: str(v))
def test_values_set_what_the_readme_says(key: str, value: object) -> None:
    found = lookup(VALUES, key)
    assert found == value, f"{key}: README says {value!r}, values.yaml has {found!r}"


def test_the_app_is_the_landing_page_and_data_is_on_the_users_volume() -> None:
    assert VALUES["singleuser"]["defaultUrl"] == "/voila/render/app.ipynb"
    home = VALUES["singleuser"]["storage"]["homeMountPath"]
    data_dir = VALUES["singleuser"]["extraEnv"]["WORKBOOK_DATA_DIR"]
    assert data_dir.startswith(home.rstrip("/") + "/"), "the data folder must be on the user's volume"
    assert VALUES["singleuser"]["storage"]["type"] == "dynamic"
    # the notebooks are outside the home: the volume mounted there would hide them
    notebook_dir = VALUES["hub"]["config"]["Spawner"]["notebook_dir"]
    assert not notebook_dir.startswith(home)


def test_the_image_provides_what_the_values_point_at() -> None:
    notebook_dir = VALUES["hub"]["config"]["Spawner"]["notebook_dir"]
    assert notebook_dir in DOCKERFILE, "the Dockerfile must put the notebooks where notebook_dir points"
    assert f"ENV WORKBOOK_DATA_DIR={VALUES['singleuser']['extraEnv']['WORKBOOK_DATA_DIR']}" in DOCKERFILE
    assert re.search(r"^USER 1000$", DOCKERFILE, flags=re.M), "Z2JH runs user pods as uid 1000"
    assert "/etc/jupyter/jupyter_server_config.json" in DOCKERFILE
    copied = re.search(r"^COPY (\S+) /etc/jupyter/jupyter_server_config.json", DOCKERFILE, flags=re.M)
    assert copied and (REPO / copied[1]).is_file(), "the server config the image copies must exist"
    assert re.search(r'jupyterhub==\$\{JUPYTERHUB_VERSION\}', DOCKERFILE)
    assert re.search(r"^ARG JUPYTERHUB_VERSION=5\.", DOCKERFILE, flags=re.M), "chart 4.x runs JupyterHub 5"


def test_culling_stops_servers_but_keeps_people_and_their_data() -> None:
    cull = VALUES["cull"]
    assert cull["enabled"] is True
    assert isinstance(cull["timeout"], int) and cull["timeout"] > 0
    assert isinstance(cull["every"], int) and 0 < cull["every"] <= cull["timeout"]
    assert cull["users"] is False


def test_accounts_need_the_facilitators_approval() -> None:
    config = VALUES["hub"]["config"]
    assert config["JupyterHub"]["authenticator_class"] == "nativeauthenticator.NativeAuthenticator"
    assert config["NativeAuthenticator"]["open_signup"] is False
    assert config["Authenticator"]["admin_users"], "someone has to approve sign-ups"
    assert config["JupyterHub"]["admin_access"] is False


def test_the_anonymous_overlay_switches_the_sign_in_and_deletes_idle_anonymous_users() -> None:
    """Anonymous accounts cannot be signed into again: idle ones go, with their volume."""
    assert ANONYMOUS["hub"]["config"]["JupyterHub"] == {
        "authenticator_class": "tmpauthenticator.TmpAuthenticator"}
    assert ANONYMOUS["hub"]["config"]["KubeSpawner"] == {"delete_pvc": True}
    assert ANONYMOUS["cull"] == {"users": True, "removeNamedServers": True}


def test_a_crowd_is_bounded() -> None:
    assert 0 < VALUES["hub"]["concurrentSpawnLimit"] <= VALUES["hub"]["activeServerLimit"]
