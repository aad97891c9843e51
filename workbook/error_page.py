"""The one error page: what `workbook serve` and `workbook workshop` show for every refusal and error.

Voila's own error pages load a stylesheet from a CDN and can show tracebacks, so the server puts
this page in their place (`install`), and its own refusals (the private page, signed out, a link
that opens nothing, too many tries) are the same page with a sentence of their own (`send`).
The page is one template file beside the app's Voila template (`error.html`, and `404.html`
which extends it), so a plain `voila --template=workbook` shows it too. Text is escaped unless
it is `Markup` written here.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

TEMPLATE_DIR = Path(__file__).resolve().parent / "share" / "jupyter" / "voila" / "templates" / "workbook"
PAGES = ("error.html", "404.html")  # 404.html extends error.html with a sentence for a wrong address


@functools.lru_cache(maxsize=1)
def _sources() -> dict[str, str]:
    return {name: (TEMPLATE_DIR / name).read_text(encoding="utf-8") for name in PAGES}


def loader() -> Any:
    """A jinja2 loader that answers `error.html` and `404.html` with the workbook's page."""
    import jinja2

    return jinja2.DictLoader(_sources())


@functools.lru_cache(maxsize=1)
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(loader=loader(), autoescape=True)


def render(title: str, message: Any = "", status_code: int | None = None) -> str:
    """The page with `title` as its heading and `message` (escaped unless Markup) below it; a
    status with a page of its own (404) gets that page's sentence when there is no message."""
    name = f"{status_code}.html" if f"{status_code}.html" in PAGES and not message else "error.html"
    return _environment().get_template(name).render(status_code=status_code, status_message=title,
                                                    message=message)


def send(handler: Any, status: int, title: str, message: Any = "",
         retry_after_s: float | None = None) -> None:
    """Finish a tornado request with the page: `status` with `title` as its reason, never cached.

    `retry_after_s` adds a Retry-After header (a 429 or a 503 that will pass).
    """
    handler.set_status(status, reason=title)
    handler.set_header("Content-Type", "text/html; charset=utf-8")
    handler.set_header("Cache-Control", "no-store")
    if retry_after_s is not None:
        handler.set_header("Retry-After", str(int(retry_after_s)))
    handler.finish(render(title, message))


class CalmErrors:
    """Mixed in before a tornado handler that is not Jupyter Server's (Voila's static files): its
    errors show the page too, instead of tornado's bare one."""

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")  # type: ignore[attr-defined]
        self.finish(render(self._reason, status_code=status_code))  # type: ignore[attr-defined]


def calm_errors(handler_class: type) -> type:
    """`handler_class` whose errors show the page: Voila's static file handlers get `CalmErrors`;
    Jupyter Server's handlers already render `error.html`, which `install` makes this page."""
    import tornado.web
    from jupyter_server.base.handlers import JupyterHandler

    if (not isinstance(handler_class, type) or not issubclass(handler_class, tornado.web.StaticFileHandler)
            or issubclass(handler_class, (JupyterHandler, CalmErrors))):
        return handler_class
    return type(handler_class.__name__, (CalmErrors, handler_class), {})


def install(settings: dict) -> None:
    """Let Voila's and Jupyter Server's own errors (404, 403, 503, 500) show the page too."""
    import jinja2

    for key in ("voila_jinja2_env", "jinja2_env"):
        env = settings.get(key)
        if env is not None:
            env.loader = jinja2.ChoiceLoader([loader(), env.loader])
