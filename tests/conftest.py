"""Shared fixtures: every test gets its own empty data folder."""

from __future__ import annotations

import pytest

from workbook.store import Store


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "data")
