"""The person's settings: `config.yaml` (theirs to edit by hand) and `settings.yaml` (the app's).

Both are read through `workbook.safeparse` with their size checked first, so a file made to burn
CPU or memory is refused with a sentence. settings.yaml is merged and written under its lock.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from workbook import safeparse
from workbook.store import writer

CONFIG_FILE = "config.yaml"
SETTINGS_FILE = "settings.yaml"
MAX_CONFIG_BYTES = 100_000

log = logging.getLogger("workbook.store")


def read_yaml(path: Path) -> Any:
    """A YAML file of the data folder: its size checked before it is read, then `safeparse`."""
    with open(path, "rb") as handle:
        raw = handle.read(MAX_CONFIG_BYTES + 1)
    safeparse.check_size(raw, MAX_CONFIG_BYTES, path.name)
    return safeparse.load_yaml(raw.decode("utf-8-sig"))


def config(data_dir: Path) -> dict[str, Any]:
    """Settings from `config.yaml` in the data folder; {} when there is none.

    ValueError naming the file when it cannot be read: it is the person's own, so they are told.
    """
    path = data_dir / CONFIG_FILE
    if not path.exists():
        return {}
    try:
        data = read_yaml(path)
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: could not be read as YAML ({exc}).") from None
    except safeparse.Refused as exc:
        raise ValueError(f"{path} was not read: {exc}.") from None
    return data if isinstance(data, dict) else {}


def settings(data_dir: Path) -> dict[str, Any]:
    """Choices made in the app (what to track, the welcome seen); {} if none or unreadable."""
    path = data_dir / SETTINGS_FILE
    try:
        data = read_yaml(path)
    except FileNotFoundError:
        return {}
    except (yaml.YAMLError, safeparse.Refused, UnicodeDecodeError) as exc:
        log.warning("%s was not read (%s); the app's choices start afresh.", path, exc)
        return {}
    return data if isinstance(data, dict) else {}


def save_settings(data_dir: Path, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Merge `changes` into settings.yaml under its lock; returns the new settings."""
    path = data_dir / SETTINGS_FILE
    with writer.lock(path):
        merged = {**settings(data_dir), **dict(changes)}
        writer.write(path, yaml.dump(merged, Dumper=safeparse.NoAliasDumper, allow_unicode=True,
                                     sort_keys=True))
    return merged
