"""The Progress page's charts drawn here, as SVG, from their own Vega-Lite specs.

Each Vega-Lite chart costs the browser its own compile and draw (55-180 ms each on these
machines), and the first one on a page also starts the renderer (about 0.3 s): a first visit to
Progress with six charts spent more than a second there (docs/performance.md). The specs of
`workbook.chart_specs` use a small part of Vega-Lite, which is drawn here instead:

- marks: `bar`, `line`, `circle`, `rule`, `rect` and `text`, in layers, and `vconcat` panels;
- scales: temporal and quantitative (domains from the spec, else from the data), ordinal and
  nominal bands (in the data's order, a listed order, or by value with `"sort": "-x"`);
- colours from the mark, a field read as a colour (`"scale": null`), or a listed range.

Anything else raises `ValueError` (a test draws every chart of the catalogue). The specs stay
the source: "Show as a table" and the reports still read them.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from workbook.chart_theme import CONFIG, FONT
from workbook.ui.svg_chart import DOMAIN, GRID, LABEL, TITLE, _attrs, _line, _n, _text, nice_ticks
from workbook.ui.text import esc
from workbook.words import number

MARKS = {"bar", "line", "circle", "rule", "rect", "text"}
CHAR_W = 6.6  # a 12 px label's average width, for room beside the axes
PAD = 5


def _title(title: Any) -> tuple[str, str]:
    if isinstance(title, dict):
        return str(title.get("text") or ""), str(title.get("subtitle") or "")
    return str(title or ""), ""


def _date(value: Any) -> dt.date:
    return dt.date.fromisoformat(str(value)[:10])


def _day_number(value: Any) -> float:
    return float(_date(value).toordinal())


class Scale:
    """One channel's scale: `pos(value)` in pixels from the start of the axis, or None."""

    def __init__(self, channel: str, enc: dict, rows: list[dict], length: float,
                 sort_rows: list[dict] | None = None, other: str = ""):
        self.type = enc.get("type", "quantitative")
        self.field = enc.get("field")
        self.enc = enc
        self.length = length
        self.channel = channel
        self.time_unit = enc.get("timeUnit")
        scale = enc.get("scale") or {}
        values = [r.get(self.field) for r in rows if r.get(self.field) is not None]
        if self.type in ("ordinal", "nominal"):
            order: list[Any] = []
            for v in values:
                if v not in order:
                    order.append(v)
            sort = enc.get("sort")
            if isinstance(sort, list):
                order = [v for v in sort if v in order] + [v for v in order if v not in sort]
            elif isinstance(sort, str) and sort.lstrip("-") in ("x", "y") and sort_rows is not None:
                key = other
                totals = {v: max((float(r.get(key) or 0) for r in sort_rows if r.get(self.field) == v),
                                 default=0) for v in order}
                order = sorted(order, key=lambda v: totals[v], reverse=sort.startswith("-"))
            elif sort is not None:
                raise ValueError(f"sort {sort!r} is not drawn here")
            self.bands = order
            self.step = length / max(1, len(order))
            self.low = self.high = 0.0
        elif self.type == "temporal":
            if scale.get("domain"):
                low, high = (_day_number(d) for d in scale["domain"])
            else:
                days = [_day_number(v) for v in values] or [dt.date.today().toordinal()]
                low, high = min(days), max(days)
                if self.time_unit == "yearmonth":  # the last month's bar ends a month later
                    last = dt.date.fromordinal(int(high))
                    high = float(_next_month(last).toordinal())
            self.low, self.high = low, max(high, low + 1)
        elif self.type == "quantitative":
            if scale.get("domain"):
                self.low, self.high = (float(v) for v in scale["domain"])
            else:
                top = max((float(v) for v in values), default=0.0)
                ticks = (enc.get("axis") or {}).get("values") or nice_ticks(top)
                self.low, self.high = 0.0, float(max(ticks[-1], top, 1))
        else:
            raise ValueError(f"a {self.type} scale is not drawn here")

    def pos(self, value: Any) -> float | None:
        if value is None:
            return None
        if self.type in ("ordinal", "nominal"):
            if value not in self.bands:
                return None
            return self.bands.index(value) * self.step + self.step / 2
        number_ = _day_number(value) if self.type == "temporal" else float(value)
        at = (number_ - self.low) / (self.high - self.low) * self.length
        return self.length - at if self.channel == "y" else at

    def ticks(self) -> list[tuple[float, str]]:
        """Where the axis has a tick and what its label says."""
        axis = self.enc.get("axis") or {}
        if self.type in ("ordinal", "nominal"):
            return [(self.pos(v) or 0.0, str(v)) for v in self.bands]
        if self.type == "quantitative":
            values = axis.get("values") or [t for t in nice_ticks(self.high, 5 if self.channel == "y" else 7)
                                            if self.low <= t <= self.high]
            return [(self.pos(v) or 0.0, number(v)) for v in values]
        return [(self.pos(d.isoformat()) or 0.0, label) for d, label in _date_ticks(
            dt.date.fromordinal(int(self.low)), dt.date.fromordinal(int(self.high)),
            axis.get("format"))]


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _date_ticks(start: dt.date, end: dt.date, fmt: str | None) -> list[tuple[dt.date, str]]:
    """Mondays for a few weeks, month starts for a year or two, else years (as Vega picks)."""
    span = (end - start).days
    out: list[tuple[dt.date, str]] = []
    if span <= 60:
        day = start + dt.timedelta(days=(7 - start.weekday()) % 7)
        while day <= end:
            out.append((day, f"{day:%d %b}"))
            day += dt.timedelta(days=7)
        return out
    if span <= 800:
        every = 1 if span <= 200 else 2 if span <= 400 else 3
        day = start if start.day == 1 else _next_month(start)
        while day <= end:
            if (day.month - 1) % every == 0:
                label = f"{day:%Y}" if day.month == 1 and fmt != "%b %Y" else f"{day:%b}"
                out.append((day, f"{day:%b %Y}" if fmt == "%b %Y" else label))
            day = _next_month(day)
        return out
    years = max(1, math.ceil(span / 365 / 8))
    year = start.year + (0 if (start.month, start.day) == (1, 1) else 1)
    while dt.date(year, 1, 1) <= end:
        out.append((dt.date(year, 1, 1), str(year)))
        year += years
    return out


def _layers(spec: dict) -> list[dict]:
    """The spec's layers with the top level's data and encoding passed down."""
    parts = spec.get("layer") or [{k: v for k, v in spec.items() if k in ("mark", "encoding", "data")}]
    out = []
    for part in parts:
        if "layer" in part or "mark" not in part:
            raise ValueError("nested layers are not drawn here")
        mark = part["mark"] if isinstance(part["mark"], dict) else {"type": part["mark"]}
        if mark.get("type") not in MARKS:
            raise ValueError(f"a {mark.get('type')} mark is not drawn here")
        data = part.get("data", spec.get("data")) or {"values": []}
        if "values" not in data:
            raise ValueError("only inline data is drawn here")
        encoding = {**(spec.get("encoding") or {}), **(part.get("encoding") or {})}
        out.append({"mark": mark, "encoding": encoding, "rows": list(data["values"])})
    return out


def _channel(layers: list[dict], channel: str) -> dict | None:
    for layer in layers:
        enc = layer["encoding"].get(channel)
        if isinstance(enc, dict) and enc.get("field"):
            return enc
    return None


def _size(value: Any, bands: int) -> float:
    if isinstance(value, dict) and "step" in value:
        return float(value["step"]) * max(1, bands)
    return float(value)


def _format(value: Any, fmt: str | None) -> str:
    if value is None:
        return ""
    if fmt and fmt.startswith(".") and fmt.endswith("f"):
        return f"{float(value):.{int(fmt[1:-1])}f}"
    return number(value) if isinstance(value, int | float) else str(value)


class Panel:
    """One layered chart: its scales, its marks and its axes, drawn at an offset."""

    def __init__(self, spec: dict):
        self.spec = spec
        self.layers = _layers(spec)
        x_enc, y_enc = _channel(self.layers, "x"), _channel(self.layers, "y")
        if x_enc is None and y_enc is None:
            raise ValueError("a chart with neither x nor y is not drawn here")
        all_rows = [r for layer in self.layers for r in layer["rows"]]
        y_bands = y_enc is not None and y_enc.get("type") in ("ordinal", "nominal")
        count = len({r.get(y_enc["field"]) for r in all_rows}) if y_bands and y_enc else 1
        self.width = _size(spec.get("width", 300), 1)
        self.height = _size(spec.get("height", 300), count)
        self.x = Scale("x", x_enc, all_rows, self.width, all_rows,
                       (y_enc or {}).get("field", "")) if x_enc else None
        self.y = Scale("y", y_enc, all_rows, self.height, all_rows,
                       (x_enc or {}).get("field", "")) if y_enc else None
        self.title, self.subtitle = _title(spec.get("title"))
        y_labels = [label for _, label in self.y.ticks()] if self.y else []
        limit = float(((y_enc or {}).get("axis") or {}).get("labelLimit", 180))
        self.label_w = min(limit, max((len(s) for s in y_labels), default=0) * CHAR_W)
        y_title = (y_enc or {}).get("title") if y_enc else None
        self.left = self.label_w + 14 + (22 if y_title else 0)
        texts_right = any(part["mark"]["type"] == "text" and isinstance(part["encoding"].get("x"), dict)
                          and part["encoding"]["x"].get("value") is not None for part in self.layers)
        self.right = 120 if texts_right else 24
        self.top = (30 if self.title else 8) + (16 if self.subtitle else 0)
        x_title = (x_enc or {}).get("title") if x_enc else None
        self.bottom = 24 + (18 if x_title else 0)
        self.y_title, self.x_title = y_title, x_title

    @property
    def full_width(self) -> float:
        return self.left + self.width + self.right

    @property
    def full_height(self) -> float:
        return self.top + self.height + self.bottom

    # -- positions -------------------------------------------------------------------------
    @staticmethod
    def _at(scale: Scale | None, row: dict, enc: dict | None) -> float | None:
        """Where a row sits on one channel: a pixel value, a datum or the row's field, scaled."""
        if enc is None:
            return None
        if "value" in enc:
            return float(enc["value"])
        if scale is None:
            return None
        if "datum" in enc:
            return scale.pos(enc["datum"])
        return scale.pos(row.get(enc["field"])) if enc.get("field") else None

    def _x(self, row: dict, enc: dict | None) -> float | None:
        return self._at(self.x, row, enc)

    def _y(self, row: dict, enc: dict | None) -> float | None:
        return self._at(self.y, row, enc)

    def _colour(self, mark: dict, enc: dict, row: dict) -> str:
        colour = enc.get("color")
        if isinstance(colour, dict) and colour.get("field"):
            value = row.get(colour["field"])
            scale = colour.get("scale")
            if scale is None:
                return str(value)
            domain, colours = scale.get("domain") or [], scale.get("range") or []
            if value in domain and domain.index(value) < len(colours):
                return str(colours[domain.index(value)])
        return str(mark.get("color", "#4c78a8"))

    # -- drawing -----------------------------------------------------------------------------
    def svg(self, dx: float, dy: float) -> list[str]:
        ox, oy = dx + self.left, dy + self.top
        out = []
        if self.title:
            size = CONFIG["title"]["fontSize"]
            out.append(_text(dx + PAD, dy + 19, self.title, fill=TITLE, font_size=size, font_weight="bold"))
        if self.subtitle:
            out.append(_text(dx + PAD, dy + 36, self.subtitle, fill=LABEL, font_size=11))
        out += self._grid(ox, oy)
        for layer in self.layers:
            out += self._mark(layer, ox, oy)
        out += self._axes(ox, oy)
        return out

    def _grid(self, ox: float, oy: float) -> list[str]:
        out = []
        if self.y is not None and self.y.type == "quantitative":
            for at, label in self.y.ticks():
                out.append(_line(ox, oy + at, ox + self.width, oy + at, GRID))
                out.append(_text(ox - 7, oy + at + 4, label, text_anchor="end", fill=LABEL))
        if self.x is not None and self.x.type == "quantitative":
            for at, _label in self.x.ticks():
                out.append(_line(ox + at, oy, ox + at, oy + self.height, GRID))
        return out

    def _axes(self, ox: float, oy: float) -> list[str]:
        out = []
        bottom = oy + self.height
        if self.x is not None:
            out.append(_line(ox, bottom, ox + self.width, bottom, DOMAIN))
            for at, label in self.x.ticks():
                out.append(_line(ox + at, bottom, ox + at, bottom + 5, DOMAIN))
                out.append(_text(ox + at, bottom + 18, label, text_anchor="middle", fill=LABEL))
        if self.x_title:
            out.append(_text(ox + self.width / 2, bottom + 36, self.x_title, text_anchor="middle",
                             fill=LABEL, font_weight="bold"))
        if self.y is not None and self.y.type in ("ordinal", "nominal"):
            out.append(_line(ox, oy, ox, bottom, DOMAIN))
            for at, label in self.y.ticks():
                shown = label if len(label) * CHAR_W <= self.label_w else \
                    label[: max(1, int(self.label_w / CHAR_W) - 1)] + "…"
                out.append(_text(ox - 7, oy + at + 4, shown, text_anchor="end", fill=LABEL))
        if self.y_title:
            middle = oy + self.height / 2
            x_at = ox - self.label_w - 20
            out.append(_text(x_at, middle, self.y_title, fill=LABEL, font_weight="bold",
                             text_anchor="middle", transform=f"rotate(-90 {_n(x_at)} {_n(middle)})"))
        return out

    def _mark(self, layer: dict, ox: float, oy: float) -> list[str]:
        kind = layer["mark"]["type"]
        return {"bar": self._bars, "line": self._line, "circle": self._circles, "rule": self._rules,
                "rect": self._rects, "text": self._texts}[kind](layer, ox, oy)

    def _bars(self, layer: dict, ox: float, oy: float) -> list[str]:
        mark, enc = layer["mark"], layer["encoding"]
        out = []
        horizontal = self.y is not None and self.y.type in ("ordinal", "nominal")
        for row in layer["rows"]:
            colour = self._colour(mark, enc, row)
            if horizontal:
                centre, end = self._y(row, enc.get("y")), self._x(row, enc.get("x"))
                if centre is None or end is None:
                    continue
                thick = min(float(mark.get("size", self.y.step * 0.9)), self.y.step)
                box = (ox, oy + centre - thick / 2, end, thick)
                tip = f"{row.get(enc['y']['field'])}: {number(row.get(enc['x']['field']))}"
            else:
                top, x_enc = self._y(row, enc.get("y")), enc.get("x") or {}
                if top is None:
                    continue
                if self.x is not None and self.x.type == "temporal":
                    start = _date(row.get(x_enc["field"])).replace(day=1)
                    left = self.x.pos(start.isoformat()) or 0.0
                    right = self.x.pos(_next_month(start).isoformat()) or 0.0
                    thick = max(1.0, right - left - 1)
                    centre = left + thick / 2
                    label = f"{start:%b %Y}"
                else:
                    centre = self._x(row, x_enc)
                    if centre is None:
                        continue
                    thick = min(float(mark.get("size", self.x.step * 0.9)), self.x.step)
                    label = str(row.get(x_enc.get("field")))
                box = (ox + centre - thick / 2, oy + top, thick, self.height - top)
                tip = f"{label}: {_format(row.get(enc['y']['field']), None)}"
            if box[2] <= 0 or box[3] <= 0:
                continue
            x, y, wide, high = box
            out.append(f'<rect {_attrs(x=_n(x), y=_n(y), width=_n(wide), height=_n(high), fill=colour)}>'
                       f"<title>{esc(tip)}</title></rect>")
        return out

    def _points(self, layer: dict) -> list[tuple[float, float] | None]:
        enc = layer["encoding"]
        x_field = enc["x"]["field"]
        rows = sorted(layer["rows"], key=lambda r: str(r.get(x_field)) if self.x.type == "temporal"
                      else float(r.get(x_field) or 0))
        return [None if (x := self._x(r, enc["x"])) is None or (y := self._y(r, enc["y"])) is None
                else (x, y) for r in rows]

    def _line(self, layer: dict, ox: float, oy: float) -> list[str]:
        mark = layer["mark"]
        runs: list[list[tuple[float, float]]] = [[]]
        for point in self._points(layer):
            if point is None:
                runs.append([])
            else:
                runs[-1].append(point)
        style = {"fill": "none", "stroke": self._colour(mark, layer["encoding"], {}),
                 "stroke_width": mark.get("strokeWidth", 2), "opacity": mark.get("opacity", 1)}
        out = []
        for run in runs:
            if len(run) > 1:
                path = " ".join(f"{_n(ox + x)},{_n(oy + y)}" for x, y in run)
                out.append(f"<polyline {_attrs(points=path, **style)}/>")
            elif len(run) == 1:  # a lone value still shows, as Vega's break-paths does with a dot
                x, y = run[0]
                out.append(f"<circle {_attrs(cx=_n(ox + x), cy=_n(oy + y), r=1.5, fill=style['stroke'])}/>")
        return out

    def _circles(self, layer: dict, ox: float, oy: float) -> list[str]:
        mark, enc = layer["mark"], layer["encoding"]
        radius = math.sqrt(float(mark.get("size", 30)) / math.pi)
        colour = self._colour(mark, enc, {})
        out = []
        for row in layer["rows"]:
            x, y = self._x(row, enc.get("x")), self._y(row, enc.get("y"))
            if x is None or y is None:
                continue
            tip = f"{row.get(enc['x']['field'])}: {_format(row.get(enc['y']['field']), None)}"
            dot = _attrs(cx=_n(ox + x), cy=_n(oy + y), r=_n(radius), fill=colour,
                         opacity=mark.get("opacity", 1))
            out.append(f"<circle {dot}><title>{esc(tip)}</title></circle>")
        return out

    def _rules(self, layer: dict, ox: float, oy: float) -> list[str]:
        mark, enc = layer["mark"], layer["encoding"]
        style = {"stroke": self._colour(mark, enc, {}), "stroke_width": mark.get("strokeWidth", 1),
                 "opacity": mark.get("opacity", 1)}
        if mark.get("strokeDash"):
            style["stroke_dasharray"] = " ".join(str(v) for v in mark["strokeDash"])
        out = []
        for row in layer["rows"]:
            x_enc = enc.get("x")
            if isinstance(x_enc, dict) and x_enc.get("field"):  # a vertical rule at a date
                x = self._x(row, x_enc)
                if x is None or not 0 <= x <= self.width:
                    continue
                y1 = self._y(row, enc.get("y")) if enc.get("y") else self.height
                y2 = self._y(row, enc.get("y2")) if enc.get("y2") else 0.0
                coords = (ox + x, oy + (y1 if y1 is not None else self.height), ox + x,
                          oy + (y2 if y2 is not None else 0.0))
            else:  # a horizontal rule at a value, across the plot
                y = self._y(row, enc.get("y"))
                if y is None:
                    continue
                coords = (ox, oy + y, ox + self.width, oy + y)
            x1, y1_, x2, y2_ = coords
            out.append(f"<line {_attrs(x1=_n(x1), y1=_n(y1_), x2=_n(x2), y2=_n(y2_), **style)}/>")
        return out

    def _rects(self, layer: dict, ox: float, oy: float) -> list[str]:
        mark, enc = layer["mark"], layer["encoding"]
        out = []
        for row in layer["rows"]:
            if enc.get("x") is not None:
                raise ValueError("only full-width bands are drawn here")
            y1, y2 = self._y(row, enc.get("y")), self._y(row, enc.get("y2"))
            if y1 is None or y2 is None:
                continue
            top, high = min(y1, y2), abs(y1 - y2)
            band = _attrs(x=_n(ox), y=_n(oy + top), width=_n(self.width), height=_n(high),
                          fill=self._colour(mark, enc, row))
            out.append(f"<rect {band}/>")
        return out

    def _texts(self, layer: dict, ox: float, oy: float) -> list[str]:
        mark, enc = layer["mark"], layer["encoding"]
        text = enc.get("text") or {}
        anchor = {"left": "start", "right": "end"}.get(mark.get("align", "center"), "middle")
        out = []
        for row in layer["rows"]:
            x, y = self._x(row, enc.get("x")), self._y(row, enc.get("y"))
            if x is None or y is None:
                continue
            words = _format(row.get(text.get("field")), text.get("format"))
            out.append(_text(ox + x + float(mark.get("dx", 0)), oy + y + float(mark.get("dy", 0)) + 4,
                             words, text_anchor=anchor, fill=mark.get("color", LABEL),
                             font_size=mark.get("fontSize", 11)))
        return out


def draw(spec: dict) -> str:
    """The SVG of a layered chart or a column of them (`vconcat`); `ValueError` for anything else."""
    title, subtitle = _title(spec.get("title"))
    if "vconcat" in spec:
        panels = [Panel(part) for part in spec["vconcat"]]
        head_h = (30 if title else 0) + (16 if subtitle else 0)
        spacing = float(spec.get("spacing", 20))
    else:
        panels = [Panel(spec)]
        head_h, spacing = 0.0, 0.0
    width = max(p.full_width for p in panels)
    height = head_h + sum(p.full_height for p in panels) + spacing * (len(panels) - 1)
    body: list[str] = []
    if "vconcat" in spec:
        if title:
            body.append(_text(PAD, 19, title, fill=TITLE, font_size=CONFIG["title"]["fontSize"],
                              font_weight="bold"))
        if subtitle:
            body.append(_text(PAD, 36, subtitle, fill=LABEL, font_size=11))
    at = head_h
    for panel in panels:
        body += panel.svg(0.0, at)
        at += panel.full_height + spacing
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="wb-svg-chart" '
            f'{_attrs(width=_n(width), height=_n(height), viewBox=f"0 0 {_n(width)} {_n(height)}")} '
            f'{_attrs(role="img", aria_label=title, font_family=FONT, font_size=12)}>')
    return "".join([head, f'<rect {_attrs(width=_n(width), height=_n(height), fill=CONFIG["background"])}/>',
                    *body, "</svg>"])

