"""Charts on the page: the kernel sends a small Vega-Lite spec, the browser draws it.

Voila ships JupyterLab's Vega renderer, so nothing is fetched from anywhere else; drawing in
the browser keeps saves fast and the kernel small (no drawing engine in the kernel). Reports,
which must stand alone, draw SVG instead (`workbook.ui.pages.chart_html`).
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from workbook.ui.text import esc

MIMETYPE = "application/vnd.vegalite.v5+json"
SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"  # names the dialect; never fetched
EMBED = {"actions": False, "renderer": "svg"}


def spec_for_page(chart: Any) -> dict:
    """The chart's spec as the page's renderer takes it (no download menu, drawn as SVG)."""
    spec = chart.to_dict(validate=False)  # the chart functions' tests check the schema
    spec["$schema"] = SCHEMA
    return spec


class ChartView(w.VBox):
    """One chart (`wb-chart`) with its plain-language summary (`wb-chart-summary`) beside it."""

    def __init__(self) -> None:
        self.out = w.Output(layout=w.Layout(min_width="0", flex="0 1 auto"))
        self.out.add_class("wb-chart-canvas")
        self.summary = w.HTML(layout=w.Layout(flex="1 1 200px"))
        self.summary.add_class("wb-chart-summary")
        self.spec: dict | None = None
        row = w.HBox([self.out, self.summary],
                     layout=w.Layout(flex_flow="row wrap", align_items="center"))
        super().__init__([row])
        self.add_class("wb-chart")

    def draw(self, chart: Any, summary: str) -> None:
        spec = spec_for_page(chart)
        if spec == self.spec:
            self.summary.value = f"<p>{esc(summary)}</p>"
            return
        self.spec = spec
        # set as the Output widget's state: the same with or without a running kernel
        self.out.outputs = ({"output_type": "display_data",
                             "data": {MIMETYPE: spec, "text/plain": summary},
                             "metadata": {MIMETYPE: {"embed_options": EMBED}}},)
        self.summary.value = f"<p>{esc(summary)}</p>"

    def message(self, text: str) -> None:
        """No chart (too little data yet): a friendly sentence instead of an empty axis."""
        self.spec = None
        self.out.outputs = ()
        self.summary.value = f'<p class="wb-empty">{esc(text)}</p>'

    @property
    def shown(self) -> dict | None:
        """The spec on the page now (for tests)."""
        outputs = self.out.outputs
        return outputs[0]["data"][MIMETYPE] if outputs else None
