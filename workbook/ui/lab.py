"""The app outside Voila (JupyterLab, or a headless run): its stylesheet, its theme button, and a page
that holds none of the person's entries until someone is looking at it.

In Voila the workbook's template brings the stylesheet and the page script. JupyterLab shows
the same widgets with neither, so the app's first output here is a `<style>` and a `<script>`:
the stylesheet rewritten so that every rule applies only inside the app's root (`.wb-app`),
leaving JupyterLab's own interface as it was, and the template's own page script, which outside
Voila touches only the app's elements (the theme button switches the app alone).

Why the entries wait for a page: a notebook executed headless (`jupyter nbconvert --execute`,
nbclient, papermill) records every widget's state in the file it writes, and a tool's page
shows the person's entries (lists, charts, notes). Headless runs create no widget models in
a browser, so the app asks the browser to answer first (`jsdlink`, a link the browser itself
carries out) and opens its first page only then. A browser answers at once; a headless run
never does, so its copy holds the navigation bar and nothing of the person's.
"""

from __future__ import annotations

import functools
import logging
import os
import re
from collections.abc import Callable
from pathlib import Path

import ipywidgets as w

log = logging.getLogger(__name__)

ROOT = ".wb-app"
DARK = f'{ROOT}[data-wb-theme="dark"]'
LIGHT = f'{ROOT}[data-wb-theme="light"]'
# Before the script runs (or where the notebook is not trusted and scripts do not run) the
# app follows JupyterLab's own theme, which JupyterLab writes on <body>.
LAB_DARK = f'body[data-jp-theme-light="false"] {ROOT}:not([data-wb-theme])'
TEMPLATE = Path(__file__).resolve().parents[1] / "share" / "jupyter" / "voila" / "templates" / "workbook"
TEMPLATE_CSS = TEMPLATE / "workbook.css"
# The page script Voila's template includes: the theme button, and names and roles ipywidgets
# cannot give (slider names, radio groups, the open page); outside Voila it keeps to the app.
TEMPLATE_JS = TEMPLATE / "workbook.js"
# ipywidgets 8 (widgets-base.css) derives these from JupyterLab's variables at :root, where
# they are resolved once; declared again on the app's root they follow the app's own theme.
WIDGET_VARIABLES = """
  --jp-widgets-color: var(--jp-content-font-color1);
  --jp-widgets-label-color: var(--jp-widgets-color);
  --jp-widgets-readout-color: var(--jp-widgets-color);
  --jp-widgets-font-size: var(--jp-ui-font-size1);
  --jp-widgets-border-width: var(--jp-border-width);
  --jp-widgets-input-color: var(--jp-ui-font-color1);
  --jp-widgets-input-background-color: var(--jp-layout-color1);
  --jp-widgets-input-border-color: var(--jp-border-color1);
  --jp-widgets-input-border-width: var(--jp-widgets-border-width);
  --jp-widgets-input-focus-border-color: var(--jp-brand-color2);
  --jp-widgets-slider-active-handle-color: var(--jp-brand-color1);
  --jp-widgets-slider-border-width: var(--jp-widgets-border-width);
  --jp-widgets-slider-handle-background-color: var(--jp-layout-color1);
  --jp-widgets-slider-handle-border-color: var(--jp-border-color1);
"""
# Only for JupyterLab: the app as a card of its own inside the output area.
LAB_EXTRA = f"""
{ROOT} {{ background: var(--wb-page); color: var(--wb-text); padding: 4px 14px 14px 14px;
  border-radius: 6px; box-sizing: border-box; }}
"""


def in_kernel() -> bool:
    """Whether this code runs in a Jupyter kernel (not in a plain Python process or a test)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def in_voila() -> bool:
    """Whether Voila runs this kernel: it sets VOILA_KERNEL_ID (its documented variable) in
    the kernel before the notebook's first cell, and SERVER_SOFTWARE for a request's kernel."""
    return bool(os.environ.get("VOILA_KERNEL_ID")) or os.environ.get(
        "SERVER_SOFTWARE", "").startswith("voila")


def outside_voila() -> bool:
    """A kernel that is not Voila's: JupyterLab, Notebook 7, VS Code, or a headless run."""
    return in_kernel() and not in_voila()


# -- the stylesheet ---------------------------------------------------------------------------
def _split_selectors(prelude: list) -> list[str]:
    """A rule's selectors, one string each (commas inside brackets or functions stay)."""
    import tinycss2

    parts: list[list] = [[]]
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            parts.append([])
        else:
            parts[-1].append(token)
    return [tinycss2.serialize(part).strip() for part in parts if tinycss2.serialize(part).strip()]


def scope_selector(selector: str) -> list[str]:
    """One selector of the Voila page's stylesheet as selectors that apply only inside the app.

    `:root` and `body` stand for the app's root; the page-level boxes of the Voila template
    (`#rendered_cells`) have no counterpart and are dropped; dark-theme rules apply to an app
    that is dark by the person's pick or by JupyterLab's theme.
    """
    s = " ".join(selector.split())
    if "#rendered_cells" in s:
        return []
    if s.startswith(':root[data-wb-theme="dark"]'):
        rest = s[len(':root[data-wb-theme="dark"]'):]
        return [DARK + rest, LAB_DARK + rest]
    s = re.sub(r"^:root(?=$|\s)", "", s).strip()
    s = re.sub(r"^body(?=$|\s)", "", s).strip()
    if not s:
        return [ROOT]
    if s == ROOT or s.startswith((ROOT + " ", ROOT + ".", ROOT + ":", ROOT + "[", ROOT + ">")):
        return [s]
    return [f"{ROOT} {s}"]


def scope_rules(css: str) -> str:
    """`css` with every rule limited to the app's root (at-rules such as @media kept)."""
    import tinycss2

    out: list[str] = []
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type == "qualified-rule":
            selectors = [new for old in _split_selectors(rule.prelude) for new in scope_selector(old)]
            if selectors:
                out.append(f"{', '.join(selectors)} {{{tinycss2.serialize(rule.content)}}}")
        elif rule.type == "at-rule" and rule.content is not None:
            inner = scope_rules(tinycss2.serialize(rule.content))
            out.append(f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{{inner}}}")
        elif rule.type == "at-rule":
            out.append(tinycss2.serialize([rule]))
    return "\n".join(out)


def _lab_theme_variables(name: str) -> str:
    """JupyterLab's own variables for a theme ("light" or "dark"), the declarations of the
    theme file Voila and nbconvert ship (nbconvert's lab template), or "" if not found."""
    import tinycss2
    from jupyter_core.paths import jupyter_path

    for folder in jupyter_path("nbconvert", "templates", "lab", "static"):
        path = Path(folder) / f"theme-{name}.css"
        if path.is_file():
            rules = tinycss2.parse_stylesheet(path.read_text(encoding="utf-8"), skip_comments=True,
                                              skip_whitespace=True)
            return "".join(tinycss2.serialize(rule.content) for rule in rules
                           if rule.type == "qualified-rule"
                           and tinycss2.serialize(rule.prelude).strip() == ":root")
    return ""


@functools.lru_cache(maxsize=1)
def stylesheet() -> str:
    """The workbook's stylesheet for a page it does not own: every rule inside `.wb-app`.

    The app's theme carries JupyterLab's variables with it, so the widgets inside a dark app
    are dark while the rest of JupyterLab stays as its own theme says, and the other way round.
    """
    own = scope_rules(TEMPLATE_CSS.read_text(encoding="utf-8"))
    themes = (f"{DARK}, {LAB_DARK} {{{_lab_theme_variables('dark')}{WIDGET_VARIABLES}}}\n"
              f"{LIGHT} {{{_lab_theme_variables('light')}{WIDGET_VARIABLES}}}\n")
    return themes + own + LAB_EXTRA


def page_setup_html() -> str:
    """The app's first output outside Voila: its scoped stylesheet and the page script."""
    script = TEMPLATE_JS.read_text(encoding="utf-8")
    return (f'<style class="wb-lab-style">\n{stylesheet()}\n</style>\n'
            f'<script class="wb-lab-script">\n{script}\n</script>')


def show_page_setup() -> None:
    """Display the stylesheet and script as an output of the cell that builds the app."""
    from IPython.display import HTML, display

    display(HTML(page_setup_html()))


def dress(page: w.DOMWidget) -> w.DOMWidget:
    """A notebook page of its own (for therapists, the review) opened outside Voila: the app's
    stylesheet shown first and the page made a root it applies to, so it looks as it does in
    Voila and JupyterLab's own interface stays as it was. In Voila the template styles it."""
    if outside_voila():
        try:
            show_page_setup()
        except Exception:  # an unstyled page is still the whole page
            log.exception("the stylesheet for JupyterLab could not be made")
        page.add_class(ROOT[1:])
    return page


# -- a page is looking ------------------------------------------------------------------------
class PageSignal:
    """Calls `on_page` once, when a browser has the app's widgets (never in a headless run).

    A directional link made with `jsdlink` is carried out by the browser: when the browser
    builds the link, it copies the source's value into the target and sends that back to the
    kernel. Nothing in a headless run builds widgets, so nothing is ever sent there.
    """

    def __init__(self, on_page: Callable[[], None]):
        self._on_page = on_page
        self.done = False
        self.source = w.IntText(value=1, layout=w.Layout(display="none"))
        self.target = w.IntText(value=0, layout=w.Layout(display="none"))
        self.target.observe(self._answered, "value")
        self.link = w.jsdlink((self.source, "value"), (self.target, "value"))

    def _answered(self, change: dict) -> None:
        if self.done or change["new"] != self.source.value:
            return
        self.done = True
        self._on_page()
