"""Shared fixtures: every test gets its own empty data folder."""

from __future__ import annotations

import pytest

from workbook.store import Store


@pytest.fixture(scope="session")
def playwright_instance():
    """One Playwright for the whole run: its sync API allows only one at a time per thread."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "data")
