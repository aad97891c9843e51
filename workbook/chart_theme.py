"""The charts' one look: colours, type and the Vega-Lite config every chart carries.

Plain data, no Altair: `workbook.charts` applies it to every chart it makes (`charts.themed`),
and the tool pages, which write their two small charts without importing Altair, put the same
config in their specs (`workbook.ui.chart_view`).
"""

from __future__ import annotations

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
MOOD_COLOUR = "#3b6ea5"
WIN_COLOUR = "#3f8f5a"

# calm colours, readable type, no chart border
CONFIG: dict = {
    "font": FONT,
    "view": {"stroke": None},
    "axis": {"labelFontSize": 12, "titleFontSize": 12, "grid": True,
             "gridColor": "#e6e6e6", "labelColor": "#333", "titleColor": "#333"},
    "title": {"fontSize": 14, "anchor": "start", "color": "#222"},
    "background": "white",
}
# What Altair adds to the view of every top-level chart: a spec written without Altair carries it
# too, so the tool pages' charts equal the ones `workbook.charts` makes.
ALTAIR_VIEW = {"continuousWidth": 300, "continuousHeight": 300}
