"""The tool pages' two small charts drawn here, as SVG, from their own Vega-Lite specs.

The first Vega-Lite chart a page shows makes the browser load and start the chart renderer: one
task of about 0.3 s, once per page, which lands just when the person opens their first tool and
clicks Save (docs/performance.md). The mood page's 30-day line and the wins page's eight bars
are simple enough to draw here instead: a few dozen SVG elements, no script, ready with the
page. The specs stay the source (`chart_view.mood_spec`, `chart_specs.wins_week_spec`, equal to
the Altair ones): this draws what they say, and the "Show as a table" view still reads them.

Only these two shapes are drawn by this module (a temporal line with dots, ordinal bars); the
Progress page's layered charts are drawn by `workbook.ui.svg_layers`, and anything neither
draws raises `ValueError` (`ChartView` then leaves it to the page's Vega renderer).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from workbook.chart_theme import CONFIG, FONT
from workbook.ui.text import esc
from workbook.words import full_day, number, plural

LABEL = CONFIG["axis"]["labelColor"]
GRID = CONFIG["axis"]["gridColor"]
TITLE = CONFIG["title"]["color"]
DOMAIN = "#888"  # the axis line and ticks, as Vega draws them
PAD = 5
LEFT = 46  # y title, labels and ticks
TOP = 30  # the title
RIGHT = 24  # half a date label past the last day
BOTTOM_DATES = 24
BOTTOM_TITLED = 42  # labels and an axis title under them


def _attrs(**values: Any) -> str:
    return " ".join(f'{name.rstrip("_").replace("_", "-")}="{esc(value)}"' for name, value in values.items())


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str) -> str:
    return f"<line {_attrs(x1=_n(x1), y1=_n(y1), x2=_n(x2), y2=_n(y2), stroke=stroke)}/>"


def _text(x: float, y: float, words: str, **extra: Any) -> str:
    return f"<text {_attrs(x=_n(x), y=_n(y), **extra)}>{esc(words)}</text>"


def _n(value: float) -> str:
    """A coordinate, short: whole pixels where they are whole, else to a tenth."""
    return number(round(value, 1))


def nice_ticks(top: float, count: int = 5) -> list[int]:
    """Whole-number ticks from 0 past `top`, about `count` of them, at 1, 2 or 5 times a power of ten."""
    top = max(1.0, float(top))
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = power * (10 if raw / power >= math.sqrt(50) else 5 if raw / power >= math.sqrt(10)
                    else 2 if raw / power >= math.sqrt(2) else 1)
    step = max(1, int(step))
    last = math.ceil(top / step) * step
    return list(range(0, last + 1, step))


def _title(spec: dict) -> str:
    title = spec.get("title")
    return str(title.get("text") if isinstance(title, dict) else title or "")


def _frame(spec: dict, width: float, height: float, bottom: float, ticks: list[float],
           y_of: Any, y_title: str, body: list[str]) -> str:
    """The chart's paper, title, y axis with its grid, and `body` drawn over the grid."""
    full_w, full_h = LEFT + width + RIGHT, TOP + height + bottom
    title = _title(spec)
    grid = []
    for tick in ticks:
        y = TOP + y_of(tick)
        grid.append(_line(LEFT, y, LEFT + width, y, GRID))
        grid.append(_text(LEFT - 7, y + 4, number(tick), text_anchor="end", fill=LABEL))
    y_mid = TOP + height / 2
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="wb-svg-chart" '
            f'{_attrs(width=_n(full_w), height=_n(full_h), viewBox=f"0 0 {_n(full_w)} {_n(full_h)}")} '
            f'{_attrs(role="img", aria_label=title, font_family=FONT, font_size=12)}>')
    return "".join([
        head,
        f'<rect {_attrs(width=_n(full_w), height=_n(full_h), fill=CONFIG["background"])}/>',
        _text(PAD, 19, title, fill=TITLE, font_size=CONFIG["title"]["fontSize"], font_weight="bold"),
        *grid,
        _text(12, y_mid, y_title, fill=LABEL, font_weight="bold", text_anchor="middle",
              transform=f"rotate(-90 12 {_n(y_mid)})"),
        *body,
        _line(LEFT, TOP + height, LEFT + width, TOP + height, DOMAIN),
        "</svg>",
    ])


def line_svg(spec: dict) -> str:
    """A temporal line with a dot per row (the mood page's 30 days)."""
    line, dots = spec["layer"]
    x, y = dots["encoding"]["x"], dots["encoding"]["y"]
    colour = line["mark"]["color"]
    width, height = float(spec["width"]), float(spec["height"])
    start, end = (dt.date.fromisoformat(d) for d in x["scale"]["domain"])
    low, high = (float(v) for v in y["scale"]["domain"])
    span = max(1, (end - start).days)

    def x_of(day: dt.date) -> float:
        return LEFT + (day - start).days / span * width

    def y_of(value: float) -> float:
        return height - (value - low) / (high - low) * height

    points = []
    for row in spec["data"]["values"]:
        value = row.get(y["field"])
        if value is None:
            continue
        day = dt.date.fromisoformat(str(row[x["field"]])[:10])
        points.append((day, float(value)))
    points.sort()
    body = []
    if len(points) > 1:
        path = " ".join(f"{_n(x_of(d))},{_n(TOP + y_of(v))}" for d, v in points)
        body.append(f'<polyline {_attrs(points=path, fill="none", stroke=colour, stroke_width=2)}/>')
    radius = math.sqrt(float(dots["mark"].get("size", 50)) / math.pi)
    name = y.get("title") or y["field"]
    # the hover text names the value as the spec's tooltip does ("Mood"), in a sentence
    tips = [t for t in dots["encoding"].get("tooltip", []) if t.get("field") == y["field"]]
    short = str(tips[0].get("title") or y["field"]) if tips else y["field"]
    for day, value in points:
        tip = f"{full_day(day)}: {short.lower()} {number(value)}"
        dot = _attrs(cx=_n(x_of(day)), cy=_n(TOP + y_of(value)), r=_n(radius), fill=colour)
        body.append(f"<circle {dot}><title>{esc(tip)}</title></circle>")
    # a tick and a date under each Monday (the app's weeks start on Monday)
    bottom = TOP + height
    monday = start + dt.timedelta(days=(7 - start.weekday()) % 7)
    while monday <= end:
        at = x_of(monday)
        body.append(_line(at, bottom, at, bottom + 5, DOMAIN))
        body.append(_text(at, bottom + 18, f"{monday:%d %b}", text_anchor="middle", fill=LABEL))
        monday += dt.timedelta(days=7)
    ticks = [t for t in nice_ticks(high) if low <= t <= high]
    return _frame(spec, width, height, BOTTOM_DATES, ticks, y_of, name, body)


def bars_svg(spec: dict) -> str:
    """Bars over an ordinal axis, in the data's order (the wins page's eight weeks)."""
    enc = spec["encoding"]
    x, y = enc["x"], enc["y"]
    mark = spec["mark"]
    width, height = float(spec["width"]), float(spec["height"])
    rows = spec["data"]["values"]
    values = [float(row.get(y["field"]) or 0) for row in rows]
    axis = y.get("axis") or {}
    ticks = list(axis["values"]) if axis.get("values") else nice_ticks(max(values, default=0))
    top = max(ticks[-1], max(values, default=0), 1)

    def y_of(value: float) -> float:
        return height - value / top * height

    step = width / max(1, len(rows))
    bar = step * 0.9  # Vega's default: a tenth of each step between bars
    corner = float(mark.get("cornerRadiusTopLeft", 0))
    bottom = TOP + height
    body = []
    widest = max((len(str(row[x["field"]])) for row in rows), default=0) * 6.6 + 6
    every = max(1, math.ceil(widest / step))  # labels that would overlap: every other one, or fewer
    for index, (row, value) in enumerate(zip(rows, values, strict=True)):
        left = LEFT + index * step + (step - bar) / 2
        label = str(row[x["field"]])
        if value > 0:
            r = min(corner, bar / 2, height - y_of(value))
            top_y = TOP + y_of(value)
            right = left + bar  # up the left side, round the top corners, down the right
            path = (f"M{_n(left)},{_n(bottom)} V{_n(top_y + r)} Q{_n(left)},{_n(top_y)} "
                    f"{_n(left + r)},{_n(top_y)} H{_n(right - r)} Q{_n(right)},{_n(top_y)} "
                    f"{_n(right)},{_n(top_y + r)} V{_n(bottom)} Z")
            tip = f"Week of {label}: {plural(int(value), 'win')}"
            body.append(f'<path {_attrs(d=path, fill=mark["color"])}><title>{esc(tip)}</title></path>')
        centre = LEFT + index * step + step / 2
        if index % every == 0:
            body.append(_text(centre, bottom + 17, label, text_anchor="middle", fill=LABEL))
    if x.get("title"):
        body.append(_text(LEFT + width / 2, bottom + 36, x["title"], text_anchor="middle",
                          fill=LABEL, font_weight="bold"))
    return _frame(spec, width, height, BOTTOM_TITLED, ticks, y_of, y.get("title") or y["field"], body)


def draw(spec: dict) -> str:
    """The SVG of one of the two shapes drawn here, else of a chart `svg_layers` draws;
    `ValueError` for any other spec."""
    if [part.get("mark", {}).get("type") for part in spec.get("layer", [])] == ["line", "circle"] \
            and spec["layer"][1].get("encoding", {}).get("x", {}).get("type") == "temporal":
        return line_svg(spec)
    if isinstance(spec.get("mark"), dict) and spec["mark"].get("type") == "bar" \
            and spec.get("encoding", {}).get("x", {}).get("type") == "ordinal":
        return bars_svg(spec)
    from workbook.ui import svg_layers  # the Progress page's charts

    return svg_layers.draw(spec)
