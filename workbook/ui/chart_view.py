"""Charts on the page: each is a small Vega-Lite spec, which the kernel draws as SVG.

The app's charts (the tool pages' two, the Progress page's) use a small part of Vega-Lite,
which `workbook.ui.svg_chart` and `workbook.ui.svg_layers` draw in plain Python: the page shows
them as they come, with no renderer to start in the browser (a task of about 0.3 s) and no
chart to compile there (55-180 ms each). A spec they do not draw goes to the Vega renderer
Voila ships (an Output widget), so nothing is fetched from anywhere else. Reports, which must
stand alone, draw SVG with vl-convert (`workbook.chart_catalogue.Figure.svg`).

No one needs to read a chart: each has its one-sentence summary beside it and, under it, a
"Show as a table" disclosure with the chart's own data (`chart_table`).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from typing import Any

import ipywidgets as w

from workbook.chart_specs import PAGE_CONFIG, SCHEMA, wins_week_spec
from workbook.chart_theme import MOOD_COLOUR
from workbook.ui import svg_chart
from workbook.ui.fields import html_widget, plain_layout, shared, style_of
from workbook.ui.text import esc
from workbook.words import full_day, number

log = logging.getLogger(__name__)
MIMETYPE = "application/vnd.vegalite.v5+json"
EMBED = {"actions": False, "renderer": "svg"}
# What Vega's "dark" theme changes (the page's renderer applies it when the page is dark), set
# to the light values: a chart is drawn the same in either theme, and the stylesheet darkens it
# as a whole, so one switched later matches one drawn later.
NEUTRAL_CONFIG = {
    "background": "white",
    "view": {"stroke": None},
    "title": {"color": "#222", "subtitleColor": "#333"},
    "axis": {"domainColor": "#888", "tickColor": "#888", "gridColor": "#e6e6e6",
             "labelColor": "#333", "titleColor": "#333"},
    "legend": {"labelColor": "#333", "titleColor": "#333"},
    "style": {"guide-label": {"fill": "#333"}, "guide-title": {"fill": "#333"}},
}
TABLE_ROWS = 400  # a longer table shows its latest rows (the whole history is in the data folder)
POSITION = ("x", "y", "x2", "y2", "theta", "text")


def _merged(base: dict, over: dict) -> dict:
    """`base` with `over` on top, nested dicts merged (over wins)."""
    out = dict(base)
    for key, value in over.items():
        out[key] = _merged(out[key], value) if isinstance(value, dict) and isinstance(
            out.get(key), dict) else value
    return out


def spec_for_page(chart: Any) -> dict:
    """The chart's spec as the page's renderer takes it (no download menu, drawn as SVG);
    `chart` is an Altair chart or a Vega-Lite dict."""
    # the chart functions' tests check the schema
    spec = dict(chart) if isinstance(chart, dict) else chart.to_dict(validate=False)
    spec["$schema"] = SCHEMA
    spec["config"] = _merged(NEUTRAL_CONFIG, spec.get("config") or {})
    return spec


# -- the tool pages' own charts, without pandas or Altair ----------------------------------------
# Opening a tool and saving on it redraw its chart. Importing Altair takes seconds here
# (pandas about one), so these two small charts are computed and written as Vega-Lite in
# plain Python: the same numbers as `analysis.mood_by_day` / `wins_by_week` and the same
# spec as `charts.mood_chart` / `wins_chart` (a test holds them equal), nothing to import.


def entry_day(created_at: Any) -> dt.date | None:
    """The calendar day of an entry as the person lived it (the local date written)."""
    try:
        return dt.date.fromisoformat(str(created_at)[:10])
    except ValueError:
        return None


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def mood_by_day(records: list[dict[str, Any]], days: int = 30,
                today: dt.date | None = None) -> list[dict[str, Any]]:
    """Mean mood, anxiety and energy for each day with a check-in in the last `days` days."""
    today = today or dt.date.today()
    start = today - dt.timedelta(days=days - 1)
    found: dict[dt.date, list[dict[str, Any]]] = {}
    for record in records:
        day = entry_day(record.get("created_at"))
        if day is not None and start <= day <= today:
            found.setdefault(day, []).append(record)
    rows = []
    for day in sorted(found):
        group = found[day]
        row: dict[str, Any] = {"date": day.isoformat()}
        for name in ("mood", "anxiety", "energy"):
            row[name] = _mean([float(r[name]) for r in group if r.get(name) is not None])
        row["entries"] = len(group)
        rows.append(row)
    return rows


def mood_spec(daily: list[dict[str, Any]], days: int = 30, today: dt.date | None = None) -> dict:
    """The mood chart of the mood page (as `charts.mood_chart`)."""
    today = today or dt.date.today()
    start = today - dt.timedelta(days=days - 1)
    x = {"axis": {"format": "%d %b", "tickCount": 6}, "field": "date",
         "scale": {"domain": [start.isoformat(), today.isoformat()]}, "title": None,
         "type": "temporal"}
    y = {"field": "mood", "scale": {"domain": [0, 10]}, "title": "Mood (0-10)",
         "type": "quantitative"}
    tooltip = [{"field": "date", "title": "Day", "type": "temporal"},
               {"field": "mood", "title": "Mood", "type": "quantitative"}]
    return {"config": PAGE_CONFIG,
            "layer": [{"mark": {"type": "line", "color": MOOD_COLOUR, "strokeWidth": 2},
                       "encoding": {"x": x, "y": y}},
                      {"mark": {"type": "circle", "color": MOOD_COLOUR, "size": 50},
                       "encoding": {"tooltip": tooltip, "x": x, "y": y}}],
            "data": {"values": daily}, "height": 200, "title": f"Mood, last {days} days",
            "width": 560}


def week_start(day: dt.date) -> dt.date:
    """Monday of the week that holds `day`."""
    return day - dt.timedelta(days=day.weekday())


def wins_this_week(records: list[dict[str, Any]], today: dt.date | None = None) -> int:
    """How many wins were saved since Monday: a count that only grows, never a streak."""
    today = today or dt.date.today()
    monday = week_start(today)
    return sum(1 for r in records if (d := entry_day(r.get("created_at"))) and monday <= d <= today)


def wins_by_week(records: list[dict[str, Any]], weeks: int = 8,
                 today: dt.date | None = None) -> list[dict[str, Any]]:
    """Wins per week (Monday first) for the last `weeks` weeks, zeros included."""
    today = today or dt.date.today()
    first = week_start(today) - dt.timedelta(weeks=weeks - 1)
    counts = {first + dt.timedelta(weeks=i): 0 for i in range(weeks)}
    for record in records:
        day = entry_day(record.get("created_at"))
        if day is not None and week_start(day) in counts:
            counts[week_start(day)] += 1
    return [{"week": week, "wins": count} for week, count in counts.items()]


def wins_spec(weekly: list[dict[str, Any]]) -> dict:
    """The wins chart of the wins page (as `charts.wins_chart`; the Progress page draws the same)."""
    return wins_week_spec(weekly)


# -- the table view --------------------------------------------------------------------------
def _text(title: Any) -> str:
    if isinstance(title, dict):
        title = title.get("text")
    if isinstance(title, list):
        title = " ".join(str(t) for t in title)
    return str(title or "")


def _views(spec: dict, data: Any = None, panel: str = "") -> list[tuple[Any, dict, Any, str]]:
    """(data, encoding, mark, panel title) of every single view in a layered or concatenated spec."""
    data = spec.get("data", data)
    found = []
    for key in ("layer", "vconcat", "hconcat", "concat"):
        for part in spec.get(key) or []:
            inner = _text(part.get("title")) if key != "layer" else ""
            found += _views(part, data, inner or panel)
    if "mark" in spec and "encoding" in spec:
        found.append((data, spec["encoding"], spec["mark"], panel))
    return found


def _rows(data: Any, datasets: dict) -> list[dict] | None:
    if isinstance(data, dict):
        if "values" in data and isinstance(data["values"], list):
            return data["values"]
        if "name" in data:
            return datasets.get(data["name"])
    return None


def _humane(field: str) -> str:
    return field.replace("_", " ").strip().capitalize()


def _cell(value: Any, kind: str, unit: str) -> tuple[str, bool]:
    """A value as the table shows it, and whether it is a number (right-aligned)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "", False
    if isinstance(value, bool):
        return ("yes" if value else "no"), False
    if isinstance(value, int | float):
        return number(value), True
    text = str(value)
    if kind == "temporal":
        try:
            day = dt.date.fromisoformat(text[:10])
        except ValueError:
            return text, False
        if unit.startswith("yearmonth") and "date" not in unit:
            return f"{day:%b %Y}", False
        if unit == "year":
            return f"{day:%Y}", False
        return full_day(day) + (f", {text[11:16]}" if len(text) > 10 else ""), False
    return text, False


def chart_table(spec: dict | None, limit: int = TABLE_ROWS) -> str:
    """The data drawn in a chart as HTML tables (every value escaped), one per data set.

    A view counts as data when a field is on its x axis (or angle): reference bands and
    lines drawn across the plot, and the text labels on them, are the chart's furniture.
    """
    if not spec:
        return ""
    datasets = spec.get("datasets") or {}
    title = _text(spec.get("title"))
    tables: dict[int, dict] = {}  # by id of the rows list: several layers share one data set
    for data, encoding, _mark, panel in _views(spec):
        rows = _rows(data, datasets)
        x = encoding.get("x") or encoding.get("theta") or {}
        if not rows or not isinstance(x, dict) or "field" not in x:
            continue
        table = tables.setdefault(id(rows), {"rows": rows, "columns": {}, "panel": panel})
        channels = [encoding.get(c) for c in POSITION]
        tips = encoding.get("tooltip") or []
        channels += tips if isinstance(tips, list) else [tips]
        colour = encoding.get("color")
        if isinstance(colour, dict) and colour.get("scale", {}) is not None:
            channels.append(colour)
        for channel in channels:
            if not isinstance(channel, dict) or not isinstance(channel.get("field"), str):
                continue
            field = channel["field"]
            column = table["columns"].setdefault(
                field, {"title": "", "type": channel.get("type", ""), "unit": ""})
            named = channel.get("title")
            if isinstance(named, str) and named and not column["title"]:
                column["title"] = named
            if isinstance(channel.get("timeUnit"), str):
                column["unit"] = channel["timeUnit"]
    if not tables:
        return ""
    ordered = sorted(tables.values(), key=lambda t: -len(t["columns"]) * len(t["rows"]))
    parts = []
    for index, table in enumerate(ordered, start=1):
        parts.append(_table_html(table, title, index, len(ordered), limit))
    subtitle = spec.get("title", {}).get("subtitle") if isinstance(spec.get("title"), dict) else None
    key = f'<p class="wb-help">{esc(_text(subtitle))}</p>' if subtitle else ""
    return ('<details class="wb-table-view"><summary>Show as a table</summary>'
            + key + "".join(parts) + "</details>")


def _table_html(table: dict, title: str, index: int, count: int, limit: int) -> str:
    columns = table["columns"]
    # what each row is about (a day, a week, a name) first, as the row's header; then the numbers
    names = sorted(columns, key=lambda n: columns[n]["type"] == "quantitative")
    caption = " · ".join(t for t in (title, table["panel"] if table["panel"] != title else "") if t)
    if count > 1:
        caption = f"{caption} ({index} of {count})" if caption else f"Table {index} of {count}"
    head = "".join(f'<th scope="col">{esc(columns[n]["title"] or _humane(n))}</th>' for n in names)
    rows = table["rows"]
    shown = rows[-limit:] if len(rows) > limit else rows
    body = []
    for row in shown:
        cells = []
        for index, name in enumerate(names):
            text, number_cell = _cell(row.get(name), columns[name]["type"], columns[name]["unit"])
            tag = "th" if index == 0 else "td"
            scope = ' scope="row"' if index == 0 else ""
            css = ' class="wb-num"' if number_cell else ""
            cells.append(f"<{tag}{scope}{css}>{esc(text)}</{tag}>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    note = ""
    if len(rows) > limit:
        note = (f'<p class="wb-help">The latest {limit} of {len(rows):,} rows. Every entry is in '
                "your data folder (My data).</p>")
    return (f"<table><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>{note}")


class ChartView(w.VBox):
    """One chart (`wb-chart`) with its plain-language summary (`wb-chart-summary`) beside it
    and its data as a table under it (`wb-chart-table`).

    `as_svg`: the chart is drawn here as SVG (`svg_chart`) into an HTML widget, instead of
    being sent to the page's Vega-Lite renderer; a spec it does not draw goes to the renderer.
    """

    def __init__(self, as_svg: bool = False) -> None:
        layout = shared(w.Layout, min_width="0", flex="0 1 auto")
        self.as_svg = as_svg
        self.out = w.HTML(layout=layout, style=style_of(w.HTML)) if as_svg else w.Output(layout=layout)
        self.out.add_class("wb-chart-canvas")
        self.summary = w.HTML(layout=shared(w.Layout, flex="1 1 200px"),
                              style=html_widget().style)
        self.summary.add_class("wb-chart-summary")
        self.table = html_widget("", "wb-chart-table")
        self.spec: dict | None = None
        self.row = row = w.HBox([self.out, self.summary],
                     layout=shared(w.Layout, flex_flow="row wrap", align_items="center"))
        super().__init__([row, self.table], layout=plain_layout())
        self.add_class("wb-chart")

    def draw(self, chart: Any, summary: str) -> None:
        spec = spec_for_page(chart)
        if spec == self.spec:
            self.summary.value = f"<p>{esc(summary)}</p>"
            return
        svg = None
        if self.as_svg:
            try:
                svg = svg_chart.draw(spec)
            except ValueError:  # a shape not drawn here: the renderer draws it from now on
                log.warning("chart %r left to the page's renderer", spec.get("title"), exc_info=True)
                self._to_renderer()
        if svg is not None:
            self.out.value = svg
        else:
            # set as the Output widget's state: the same with or without a running kernel
            self.out.outputs = ({"output_type": "display_data",
                                 "data": {MIMETYPE: spec, "text/plain": summary},
                                 "metadata": {MIMETYPE: {"embed_options": EMBED}}},)
        self.spec = spec
        self.summary.value = f"<p>{esc(summary)}</p>"
        self.table.value = chart_table(spec)

    def _to_renderer(self) -> None:
        self.as_svg = False
        canvas = self.out
        self.out = w.Output(layout=canvas.layout, _dom_classes=("wb-chart-canvas",))
        self.row.children = (self.out, self.summary)
        canvas.close()  # the SVG canvas is out of the page: its model goes too

    def message(self, text: str) -> None:
        """No chart (too little data yet): a friendly sentence instead of an empty axis."""
        self.spec = None
        if self.as_svg:
            self.out.value = ""
        else:
            self.out.outputs = ()
        self.summary.value = f'<p class="wb-empty">{esc(text)}</p>'
        self.table.value = ""

    @property
    def shown(self) -> dict | None:
        """The spec on the page now (for tests)."""
        if self.as_svg:
            return self.spec if self.out.value else None
        outputs = self.out.outputs
        return outputs[0]["data"][MIMETYPE] if outputs else None
