"""The app outside Voila: the stylesheet scoped to the app, and a first page that waits for a
browser (so that a headless run's saved copy holds none of the person's entries)."""

from __future__ import annotations

import re

import pytest
import tinycss2

from workbook.ui import lab
from workbook.ui.app import App

SCOPED = (".wb-app", 'body[data-jp-theme-light="false"] .wb-app')


@pytest.mark.parametrize("selector, scoped", [
    (":root", [".wb-app"]),
    ("body", [".wb-app"]),
    (".wb-bar", [".wb-app .wb-bar"]),
    (".wb-app .widget-text input", [".wb-app .widget-text input"]),
    (".wb-app", [".wb-app"]),
    ("summary", [".wb-app summary"]),
    ("*::before", [".wb-app *::before"]),
    ("body .jupyter-button.mod-primary:hover:enabled",
     [".wb-app .jupyter-button.mod-primary:hover:enabled"]),
    (":root body :focus-visible:focus-visible", [".wb-app :focus-visible:focus-visible"]),
    ('#rendered_cells', []),
    ('div#rendered_cells', []),
    (':root[data-wb-theme="dark"]', ['.wb-app[data-wb-theme="dark"]',
                                     'body[data-jp-theme-light="false"] .wb-app:not([data-wb-theme])']),
    (':root[data-wb-theme="dark"] .wb-chart-canvas svg',
     ['.wb-app[data-wb-theme="dark"] .wb-chart-canvas svg',
      'body[data-jp-theme-light="false"] .wb-app:not([data-wb-theme]) .wb-chart-canvas svg']),
])
def test_each_selector_is_limited_to_the_app(selector, scoped):
    assert lab.scope_selector(selector) == scoped


def _selectors(css: str) -> list[str]:
    out = []
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type == "qualified-rule":
            out += [s.strip() for s in tinycss2.serialize(rule.prelude).split(",")]
        elif rule.type == "at-rule" and rule.content is not None:
            out += _selectors(tinycss2.serialize(rule.content))
    return out


def test_no_rule_of_the_stylesheet_reaches_outside_the_app():
    """JupyterLab's own interface is left as its theme draws it."""
    selectors = _selectors(lab.stylesheet())
    assert len(selectors) > 100
    outside = [s for s in selectors if not s.startswith(SCOPED)]
    assert outside == []


def test_the_stylesheet_carries_every_rule_and_both_themes():
    css = lab.stylesheet()
    template = lab.TEMPLATE_CSS.read_text(encoding="utf-8")
    # every class the Voila page styles is styled inside the app too
    assert set(re.findall(r"\.wb-[\w-]+", template)) <= set(re.findall(r"\.wb-[\w-]+", css))
    assert "@media (max-width: 480px)" in css and "prefers-reduced-motion" in css
    dark = css.split('.wb-app[data-wb-theme="dark"], ', 1)[1].split("}", 1)[0]
    light = css.split('.wb-app[data-wb-theme="light"] {', 1)[1].split("}", 1)[0]
    for block in (dark, light):  # JupyterLab's variables and ipywidgets' derived ones
        assert "--jp-layout-color1:" in block and "--jp-ui-font-color1:" in block
        assert "--jp-widgets-input-background-color: var(--jp-layout-color1)" in block
    assert "--wb-page: #212121" in css and "--wb-page: #ffffff" in css


def test_page_setup_is_one_style_and_one_script():
    html = lab.page_setup_html()
    assert html.count("<style") == 1 and html.count("<script") == 1
    assert "data-voila" in html  # the script tells Voila's page from JupyterLab
    assert not re.search(r"https?://", html), "nothing to fetch from anywhere"


@pytest.mark.parametrize("env, voila", [({}, False), ({"VOILA_KERNEL_ID": "k1"}, True),
                                        ({"SERVER_SOFTWARE": "voila/0.5.13"}, True),
                                        ({"SERVER_SOFTWARE": "nginx"}, False)])
def test_voila_is_told_apart(monkeypatch, env, voila):
    for name in ("VOILA_KERNEL_ID", "SERVER_SOFTWARE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert lab.in_voila() is voila


def test_outside_a_kernel_nothing_waits():
    """Tests and scripts build the app as before: no kernel, no waiting, no page setup."""
    assert lab.in_kernel() is False
    assert lab.outside_voila() is False


def answer(app: App) -> None:
    """What the browser does when it builds the link: the target takes the source's value."""
    app.page_signal.target.value = app.page_signal.source.value


def test_the_first_page_waits_for_a_browser(store):
    store.add("mood", {"mood": 3, "note": "a private note"})
    app = App(store, start="mood", tools=("mood",), wait_for_page=True)
    assert app.pages == {} and app.current == ""
    assert app.content.children == (app.opening,)
    assert "Opening" in app.opening.value
    assert "a private note" not in repr(app)
    answer(app)
    assert app.current == "mood"
    assert "wb-page-mood" in app.shown._dom_classes
    # a browser that builds the widgets again (a reload) does not move the person
    app.nav_buttons["start"].click()
    app.page_signal.target.value = 0
    answer(app)
    assert app.current == "start"


def test_the_signal_is_a_browser_side_link(store):
    app = App(store, wait_for_page=True)
    link = app.page_signal.link
    assert link.source == (app.page_signal.source, "value")
    assert link.target == (app.page_signal.target, "value")
    assert link._model_name == "DirectionalLinkModel"


def test_without_waiting_the_page_is_there_at_once(store):
    app = App(store, start="win", tools=("win",))
    assert app.page_signal is None and app.current == "win"


def test_the_apps_text_output_holds_nothing_of_the_person(store):
    store.add("win", {"description": "made soup"})
    app = App(store, start="win", tools=("win",))
    text = app._repr_mimebundle_()["text/plain"]
    assert "made soup" not in text and text.startswith("Between Sessions")


def test_voila_and_jupyterlab_run_the_same_page_script():
    template = (lab.TEMPLATE / "index.html.j2").read_text(encoding="utf-8")
    assert "{% include 'workbook.js' %}" in template
    assert lab.TEMPLATE_JS.read_text(encoding="utf-8").strip() in lab.page_setup_html()


def test_outside_voila_the_script_reaches_only_the_apps_elements():
    script = lab.TEMPLATE_JS.read_text(encoding="utf-8")
    queries = re.findall(r"document\.querySelector(?:All)?\(([^)]*)\)", script)
    assert queries
    for query in queries:
        assert query.startswith("scope +") or ".wb-app" in query, query
    # what changes the whole page (Voila's theme) happens on Voila's page only
    voila_only = script.split("if (voila) {", 1)[1].split("} else {", 1)[0]
    for whole_page in ("document.documentElement", 'document.body, "data-jp-theme-light"',
                       'getElementById("wb-dark-theme")'):
        assert whole_page in voila_only
        assert script.count(whole_page) == voila_only.count(whole_page), whole_page


@pytest.mark.parametrize("make", ["therapist", "review"])
def test_the_therapist_and_review_pages_get_the_apps_look_in_jupyterlab(monkeypatch, make):
    """Outside Voila the two notebooks of their own show the scoped stylesheet first and become
    a root it applies to; in Voila (the template styles them) neither happens."""
    from workbook.ui.review import ReviewBoard
    from workbook.ui.therapist import TherapistPage

    build = {"therapist": TherapistPage, "review": ReviewBoard}[make]
    shown: list[str] = []
    monkeypatch.setattr(lab, "show_page_setup", lambda: shown.append("setup"))
    monkeypatch.setattr(lab, "outside_voila", lambda: False)
    assert "wb-app" not in build()._dom_classes and shown == []
    monkeypatch.setattr(lab, "outside_voila", lambda: True)
    page = build()
    assert "wb-app" in page._dom_classes and shown == ["setup"]
    # the scoped rules reach the page's own parts: its title, and the review's tables in Lab Dark
    css = lab.page_setup_html()
    assert ".wb-app .wb-title" in css
    assert 'body[data-jp-theme-light="false"] .wb-app:not([data-wb-theme]) .wb-review-table' in css
