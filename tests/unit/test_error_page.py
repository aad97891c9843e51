"""The one error page (workbook/error_page.py): what it says, what it escapes, what it sends."""

from __future__ import annotations

import re

import pytest
from markupsafe import Markup

from workbook import error_page, server, workshop_server


class FakeHandler:
    """What `error_page.send` asks of a tornado handler, recorded."""

    def __init__(self) -> None:
        self.status: tuple[int, str] | None = None
        self.headers: dict[str, str] = {}
        self.body = ""

    def set_status(self, status: int, reason: str) -> None:
        self.status = (status, reason)

    def set_header(self, name: str, value: str) -> None:
        self.headers[name] = value

    def finish(self, body: str) -> None:
        self.body = body


def test_the_page_is_self_contained_and_keeps_help_in_view() -> None:
    html = error_page.render("Something went wrong")
    assert "<h1>Something went wrong</h1>" in html
    assert "crisis line" in html and "988" in html  # help is always visible
    assert "Your saved entries are safe" in html
    assert not re.search(r"(?:src|href)=[\"']?(?:https?:)?//", html)  # nothing from another host
    assert "<script" not in html


def test_text_is_escaped_and_only_markup_written_here_is_kept() -> None:
    html = error_page.render("<img src=x onerror=alert(1)>", "<script>alert(1)</script>")
    assert "<img" not in html and "<script>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<code>workbook serve</code>" in error_page.render(server.PRIVATE_TITLE, server.PRIVATE)


def test_a_404_without_a_message_says_the_address_is_wrong() -> None:
    assert "There is no page at this address" in error_page.render("Not Found", status_code=404)
    assert "There is no page at this address" not in error_page.render("Forbidden", status_code=403)
    assert "could not be shown" in error_page.render("Forbidden", status_code=403)


@pytest.mark.parametrize(("status", "title", "message", "retry"), [
    (403, server.PRIVATE_TITLE, server.PRIVATE, None),
    (200, server.SIGNED_OUT_TITLE, server.SIGNED_OUT, None),
    (403, workshop_server.DENIED_TITLE, workshop_server.DENIED, None),
    (429, workshop_server.TOO_MANY_TITLE, workshop_server.TOO_MANY, workshop_server.FAILED_WINDOW_S),
])
def test_every_refusal_is_the_same_page_never_cached(status: int, title: str, message: str,
                                                     retry: float | None) -> None:
    handler = FakeHandler()
    error_page.send(handler, status, title, message, retry_after_s=retry)
    assert handler.status == (status, title)
    assert handler.headers["Content-Type"] == "text/html; charset=utf-8"
    assert handler.headers["Cache-Control"] == "no-store"
    assert handler.headers.get("Retry-After") == (None if retry is None else str(int(retry)))
    assert handler.body == error_page.render(title, message)
    assert f"<h1>{title}</h1>" in handler.body


def test_the_served_page_is_the_template_file_a_plain_voila_uses_too() -> None:
    """One page: the server's loader answers with the file beside the app's Voila template."""
    loader = error_page.loader()
    for name in error_page.PAGES:
        source = loader.get_source(None, name)[0]
        assert source == (error_page.TEMPLATE_DIR / name).read_text(encoding="utf-8")


def test_voilas_static_file_handlers_get_the_page_and_jupyters_are_left_alone() -> None:
    from jupyter_server.base.handlers import FileFindHandler
    from voila.static_file_handler import AllowListFileHandler, MultiStaticFileHandler

    for cls in (AllowListFileHandler, MultiStaticFileHandler):
        wrapped = error_page.calm_errors(cls)
        assert issubclass(wrapped, cls) and issubclass(wrapped, error_page.CalmErrors)
        assert error_page.calm_errors(wrapped) is wrapped
    assert error_page.calm_errors(FileFindHandler) is FileFindHandler  # renders error.html itself
    assert error_page.calm_errors(Markup) is Markup  # not a handler at all
