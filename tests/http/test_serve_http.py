"""`workbook serve` over HTTP: the headers, the refusals and the one error page (docs/security.md).

The server runs in this process (conftest.py), on a folder with one private note: a refused
request fails if it shows that note, starts a kernel, or answers with anything but the
workbook's own calm page.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from http.cookies import SimpleCookie
from urllib.parse import quote

import pytest
from wb_http import SECRET, InProcessVoila, Response, routes, sample_path

from workbook import server

NO_KERNEL = "00000000-0000-0000-0000-000000000000"
CDN = re.compile(r"(?:src|href)=[\"']?(?:https?:)?//", re.IGNORECASE)


def key(srv: InProcessVoila) -> dict[str, str]:
    """The launch's key as Jupyter's `Authorization: token` header (what the printed address proves)."""
    return {"Authorization": f"token {srv.secret}"}


def assert_calm_page(response: Response, heading: str | None = None) -> None:
    """The workbook's one error page: its heading, the help line, nothing loaded from elsewhere."""
    assert 'class="wb-error-page"' in response.body, response.body[:500]
    assert re.search(f"<h1>{re.escape(heading) if heading else '[^<]+'}</h1>", response.body), \
        response.body[:500]
    assert "crisis line" in response.body
    assert "Traceback" not in response.body and not re.search(r'File ".*\.py", line', response.body)
    assert not CDN.search(response.body), "the error page loads something from another host"
    assert SECRET not in response.body


def follow(srv: InProcessVoila, path: str, headers: dict[str, str] | None = None) -> Response:
    """GET `path`, following redirects on this server (quoted again, as a browser would)."""
    response = srv.fetch(path, headers=headers)
    for _ in range(3):
        if response.status not in (301, 302):
            break
        location = response.header("Location")
        assert location.startswith("/"), location  # never to another host
        response = srv.fetch(quote(location, safe="/?=&%"), headers=headers)
    return response


@pytest.fixture(scope="module")
def page(serve: InProcessVoila) -> Response:
    """The app's page, fetched once with the key (its kernel stays for the module's other tests)."""
    response = serve.fetch(f"/?token={serve.secret}")
    assert response.status == 200, response.body[-2000:]
    return response


def test_the_printed_address_renders_the_app_and_sets_a_strict_cookie(page: Response) -> None:
    """Promise 4, over HTTP: the key is exchanged for an HttpOnly, SameSite=Strict cookie; the page
    names no script, stylesheet or font on another host (Voila's template links a CDN)."""
    assert "jupyter-config-data" in page.body
    assert not CDN.search(page.body), CDN.search(page.body)  # nothing loaded from another host
    cookies = [c for c in page.headers.get_all("Set-Cookie") or [] if c.startswith("username-")]
    assert cookies, page.headers
    assert all("HttpOnly" in c and "SameSite=Strict" in c for c in cookies), cookies


@pytest.mark.parametrize(("path", "with_key"), [
    ("/", True), ("/", False), ("/voila/static/voila.js", True), ("/no/such/page", True),
    ("/no/such/page", False), ("/login", False), ("/logout", False), (f"/api/kernels/{NO_KERNEL}", True),
])
def test_every_response_carries_the_security_headers(serve: InProcessVoila, page: Response, path: str,
                                                       with_key: bool) -> None:
    """Promise 5: pages, static files, refusals and errors restrict scripts, connections and frames
    to the app itself, send no referrer and are not sniffed."""
    response = page if (path, with_key) == ("/", True) else serve.fetch(path, headers=key(serve)
                                                                          if with_key else None)
    for name, value in server.SECURITY_HEADERS.items():
        assert response.header(name) == value, (path, name, response.status)
    for directive in ("default-src 'self'", "script-src 'self'", "connect-src 'self'",
                      "frame-ancestors 'none'"):
        assert directive in response.header("Content-Security-Policy")


def test_requests_without_the_key_get_the_private_page_and_start_no_kernel(serve: InProcessVoila,
                                                                           page: Response) -> None:
    """Promise 3: no key (or a wrong one) never starts a kernel; the refusal says how to get in."""
    before = serve.kernels()
    paths = ["/"] * 20 + ["/?token=wrong"] * 10 + ["/voila/render/app.ipynb", "/api/kernels",
                                                  "/voila/query/" + next(iter(before))]
    for path in paths:
        response = serve.fetch(path)
        assert response.status in (302, 403, 404), (path, response.status)
        assert SECRET not in response.body and "jupyter-config-data" not in response.body
    assert serve.kernels() == before, "a request without the key started a kernel"
    redirect = serve.fetch("/")  # to Jupyter's login page, which is the private page here
    assert redirect.status == 302 and redirect.header("Location").startswith("/login"), redirect.status
    private = serve.fetch(redirect.header("Location"))
    assert private.status == 403
    assert_calm_page(private, server.PRIVATE_TITLE)
    assert "<code>workbook serve</code> printed" in private.body
    assert private.header("Cache-Control") == "no-store"


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "rebind.127.0.0.1.nip.io:{port}"])
def test_a_request_for_another_host_name_is_refused(serve: InProcessVoila, page: Response, host: str) -> None:
    """Promise 2 (DNS rebinding): a name that resolves here is refused, with the key or without it,
    and starts no kernel."""
    before = serve.kernels()
    host = host.format(port=serve.port)
    for path in ("/", f"/?token={serve.secret}", f"/api/kernels/{next(iter(before))}", "/login", "/logout"):
        response = serve.fetch(path, headers={"Host": host, **key(serve)})
        assert response.status == 403, (host, path, response.status)
        assert SECRET not in response.body and "jupyter-config-data" not in response.body
        if not path.startswith("/api/"):  # a page, not the kernel API's JSON: the workbook's page
            assert_calm_page(response)
    assert serve.kernels() == before
    # the names the workbook is reached by are let in (and there is no such kernel)
    for allowed in (f"localhost:{serve.port}", f"127.0.0.1:{serve.port}"):
        assert serve.fetch(f"/api/kernels/{NO_KERNEL}", headers={"Host": allowed, **key(serve)}).status == 404


# Handlers that serve the page's own scripts, styles and themes to anyone: nothing of the person's.
PUBLIC_FILES = {"TemplateStaticFileHandler", "MultiStaticFileHandler", "ThemesHandler", "FileFindHandler"}
OWN_PAGES = {"PrivatePage": 403, "SignedOut": 200}  # what GET answers without the key


def test_every_route_refuses_whoever_has_no_key(serve: InProcessVoila, page: Response) -> None:
    """Promise 1 over HTTP, route by route, read from the server itself (a route added later is
    checked too): without the key, nothing but the page's own static files and the workbook's
    own pages answers; no request starts, shuts down or reaches a kernel."""
    before = serve.kernels()
    kernel = next(iter(before))
    found = routes(serve)
    assert {handler.__name__ for _, handler in found} >= {"TornadoVoilaHandler", "KernelHandler",
                                                          "PrivatePage", "VoilaShutdownKernelHandler"}
    for pattern, handler in found:
        path, name = sample_path(pattern, kernel), handler.__name__
        for method in ("GET", "POST", "DELETE"):
            response = serve.fetch(path, method=method, body="" if method != "GET" else None)
            assert SECRET not in response.body and "jupyter-config-data" not in response.body
            if name in PUBLIC_FILES:
                continue
            if method == "GET" and name in OWN_PAGES:
                assert response.status == OWN_PAGES[name], (name, path)
            else:
                assert response.status in (302, 400, 403, 404, 405), (name, method, path, response.status)
    assert serve.kernels() == before, "a request without the key started or stopped a kernel"


def test_login_is_the_private_page_and_logout_signs_out(serve: InProcessVoila) -> None:
    """There is no password form: /login says how to get in, /logout lets go of the cookie."""
    for method in ("GET", "POST"):
        response = serve.fetch("/login", method=method, body="" if method == "POST" else None)
        assert response.status == 403, method
        assert_calm_page(response, server.PRIVATE_TITLE)
    response = serve.fetch("/logout")
    assert response.status == 200
    assert_calm_page(response, server.SIGNED_OUT_TITLE)
    cleared = [SimpleCookie(c) for c in response.headers.get_all("Set-Cookie") or []
               if c.startswith("username-")]
    assert cleared, response.headers
    for cookie in cleared:
        for morsel in cookie.values():
            assert morsel.value in ("", '""'), morsel
            assert parsedate_to_datetime(morsel["expires"]) < datetime.now(timezone.utc), morsel


def test_a_wrong_address_gets_the_workbooks_error_page(serve: InProcessVoila) -> None:
    """Voila's own 404 loads a stylesheet from a CDN, and its file handlers answer with tornado's
    bare page: every one of them shows the workbook's page instead."""
    for path in ("/no/such/page", "/voila/render/nothing-here.ipynb", "/voila/static/nothing.js"):
        response = follow(serve, path, headers=key(serve))  # Voila sends it to its files handler
        assert response.status in (403, 404), (path, response.status)
        assert_calm_page(response)
        if response.status == 404:
            assert "There is no page at this address" in response.body


@pytest.mark.parametrize("with_key", [True, False])
def test_a_hostile_address_is_shown_as_text(serve: InProcessVoila, with_key: bool) -> None:
    """An address that is markup reaches the error page as text, whichever handler answers."""
    path = "/" + quote("<img src=x onerror=alert(1)><svg onload=alert(2)>")
    response = follow(serve, path, headers=key(serve) if with_key else None)
    assert response.status in (403, 404), response.status
    assert_calm_page(response)
    assert "<img" not in response.body and "<svg" not in response.body


def test_data_files_are_not_served(serve: InProcessVoila) -> None:
    """Not even to whoever holds the key: the data folder is not a served folder."""
    data = serve.env["WORKBOOK_DATA_DIR"]
    for path in ("/mood.csv", "/voila/files/mood.csv", "/files/mood.csv", f"/voila/files/{data}/mood.csv",
                 "/voila/files/../../mood.csv", "/voila/static/../../mood.csv", "/voila/render/mood.csv",
                 "/api/contents/mood.csv", "/tree"):
        response = serve.fetch(path, headers=key(serve))
        assert response.status in (302, 403, 404, 405), (path, response.status)
        assert SECRET not in response.body and "id,created_at" not in response.body


@pytest.mark.parametrize("with_key", [True, False])
@pytest.mark.parametrize("path", ["/voila/render/nothing-here.ipynb", "/voila/api/shutdown/none", "/logout",
                                  "/login?next=%2F%3Cscript%3E"])
def test_tracebacks_are_not_shown(serve: InProcessVoila, path: str, with_key: bool) -> None:
    """Voila runs with show_tracebacks off: no error names Python internals, none is a 500."""
    response = serve.fetch(path, headers=key(serve) if with_key else None)
    assert response.status != 500, path
    assert "Traceback" not in response.body and not re.search(r'File ".*\.py", line', response.body)
    assert "<script>" not in response.body


def test_a_page_beyond_the_bound_gets_the_calm_page_not_a_kernel(serve: InProcessVoila,
                                                                 page: Response) -> None:
    """Promise 6: beyond the bound on kernels a page says why (503) and starts nothing."""
    from workbook.voila_main import MAX_KERNELS

    manager = serve.app.kernel_manager
    assert type(manager).max_kernels == MAX_KERNELS  # the bound `workbook serve` runs with
    before = serve.kernels()
    # the bound brought down to the kernels running now, so that reaching it costs no more kernels
    serve.call(lambda: manager.__dict__.update(max_kernels=len(before), evict_closed=False))
    try:
        response = serve.fetch("/", headers=key(serve))
    finally:
        serve.call(lambda: [manager.__dict__.pop(n) for n in ("max_kernels", "evict_closed")])
    assert response.status == 503
    assert_calm_page(response, manager.full_message)
    assert serve.kernels() == before


def test_a_page_whose_kernel_cannot_start_gets_the_calm_page_not_a_traceback(serve: InProcessVoila) -> None:
    """A 500 (here a kernel that cannot start) shows the workbook's page and no Python internals."""
    manager = serve.app.kernel_manager

    async def cannot_start(*args: object, **kwargs: object) -> str:
        raise RuntimeError("no memory left for a kernel: /secret/path/kernel.py")

    serve.call(lambda: manager.__dict__.update(start_kernel=cannot_start))
    try:
        response = serve.fetch("/", headers=key(serve))
    finally:
        serve.call(lambda: manager.__dict__.pop("start_kernel"))
    assert response.status == 500, response.body[:500]
    assert_calm_page(response, "Internal Server Error")
    assert "/secret/path" not in response.body and "RuntimeError" not in response.body
    for name, value in server.SECURITY_HEADERS.items():
        assert response.header(name) == value


def test_the_log_shows_no_key_and_no_kernel_id(serve: InProcessVoila, page: Response) -> None:
    """Promise 4: whatever was requested, the log shows no key, no query string and no kernel id."""
    serve.fetch(f"/?token=wrong-{serve.secret[:6]}")
    serve.fetch(f"/api/kernels/{next(iter(serve.kernels()))}?token={serve.secret}")
    log = "\n".join(serve.log.lines)
    assert log, "nothing was logged: the check would prove nothing"
    assert serve.secret not in log
    assert not any(kernel in log for kernel in serve.kernels()), "a kernel id is in the log"
