"""report.pdf: the shared report (`workbook.report.Report`) laid out as an A4 PDF, fonts embedded.

The same content as report.html, in the same order. Text goes through `pdf_text` first: what the
embedded DejaVu Sans cannot draw becomes a visible white square, never a crash or a silent gap.
Tables are drawn line by line (`_Grid`), so thousands of rows stay fast and a row taller than a
page continues on the next.
"""

from __future__ import annotations

import functools
import io
import struct
import unicodedata
from pathlib import Path
from typing import Any

from workbook.report import DISCLAIMER, Report, Table
from workbook.words import day

MISSING_GLYPH = "\u25a1"  # WHITE SQUARE: drawn where the PDF font has no glyph
PDF_FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")  # DejaVu Sans 2.35, free license: fonts/LICENSE_DEJAVU


def _font_dir() -> Path | None:
    """DejaVu Sans (regular and bold) shipped with the package in workbook/fonts, with its license.

    None if they are missing (a partial copy of the package): the PDF then falls back to
    Helvetica and shows a white square for what Latin-1 lacks, rather than failing.
    """
    folder = Path(__file__).resolve().parent / "fonts"
    return folder if all((folder / name).is_file() for name in PDF_FONTS) else None


@functools.cache
def _covered() -> frozenset[int]:
    """Code points both PDF fonts can draw (Latin-1 only with the built-in Helvetica fallback)."""
    folder = _font_dir()
    if folder is None:
        return frozenset(range(0x20, 0x7F)) | frozenset(range(0xA0, 0x100))
    from fontTools.ttLib import TTFont

    maps = []
    for name in PDF_FONTS:
        with TTFont(folder / name, lazy=True) as font:
            maps.append(set(font.getBestCmap()))
    return frozenset(maps[0] & maps[1])


def pdf_text(text: str) -> str:
    """Text the PDF fonts can draw: NFC, invisible format marks dropped, anything else missing
    shown as a white square, so no character vanishes silently and nothing crashes."""
    covered = _covered()
    substitute = MISSING_GLYPH if ord(MISSING_GLYPH) in covered else "?"
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch == "\n" or ord(ch) in covered:
            out.append(ch)
        elif ch in "\t\r":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cf") or 0xFE00 <= ord(ch) <= 0xFE0F:
            continue  # control and format characters (joiners, variation selectors) draw nothing
        else:
            out.append(substitute)
    return "".join(out)


def needs_substitutes(report: Report) -> bool:
    """Whether any text of the report has a character the PDF font cannot draw."""
    return any(pdf_text(t) != unicodedata.normalize("NFC", t).replace("\t", " ").replace("\r", " ")
               for t in report.texts() if t)


def render_pdf(report: Report) -> bytes:
    """The same content as the HTML, as an A4 PDF with its fonts embedded."""
    import vl_convert
    from fpdf import FPDF

    folder = _font_dir()
    footer = (f"Between Sessions · shared by its author · {day(report.start)} to {day(report.end)} · "
              "not a diagnosis")

    class Document(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(family, size=7.5)
            self.set_text_color(90)
            self.cell(0, 5, pdf_text(f"{footer} · page {self.page_no()} of {{nb}}"), align="C")
            self.set_text_color(0)

    pdf = Document(format="A4")
    pdf.set_margins(14, 14, 14)
    pdf.set_auto_page_break(True, margin=16)
    pdf.set_title(f"Between Sessions: shared report, {day(report.start)} to {day(report.end)}")
    pdf.set_creator(f"Between Sessions {report.app_version}")
    if folder is not None:
        family = "DejaVu"
        pdf.add_font(family, "", folder / "DejaVuSans.ttf")
        pdf.add_font(family, "B", folder / "DejaVuSans-Bold.ttf")
    else:
        family = "helvetica"
    width = pdf.epw
    grid = _Grid(pdf, family)

    def para(text: str, size: float = 9.5, style: str = "", gap: float = 1.5) -> None:
        pdf.set_font(family, style, size)
        pdf.multi_cell(width, size * 0.5, pdf_text(text), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(gap)

    def heading(text: str, size: float = 13) -> None:
        if pdf.will_page_break(size * 2):
            pdf.add_page()
        para(text, size, "B", gap=1)

    pdf.add_page()
    para("Between Sessions: a shared report", 17, "B", gap=2)
    para(report.intro, 10)
    pdf.set_fill_color(240, 243, 246)
    pdf.set_font(family, "", 9.5)
    pdf.multi_cell(width, 5, pdf_text(DISCLAIMER), fill=True, new_x="LMARGIN", new_y="NEXT", align="L",
                   padding=2)
    pdf.ln(2)
    if needs_substitutes(report):
        para(f"{MISSING_GLYPH} marks a character this PDF's font cannot draw (for example some emoji, "
             "or Chinese, Japanese or Korean writing). report.html in the same bundle shows every "
             "character exactly as typed.", 8.5)

    heading("When to reach out")
    if report.alerts:
        para(f"The workbook's reach-out rules, checked on the shared entries as of {day(report.end)}, "
             "showed the person these messages:")
        for alert in report.alerts:
            para(alert.title, 10, "B", gap=0.5)
            para(alert.message, 9.5, gap=2)
    else:
        para(f"None of the workbook's reach-out rules applied to the shared entries as of "
             f"{day(report.end)}.")
    for why in report.unchecked:
        para(f"Not checked: {why}.", 8.5)

    if report.charts:
        pdf.add_page()
        heading("Charts")
        for chart in report.charts:
            png = vl_convert.vegalite_to_png(chart.spec, scale=2)
            w_px, h_px = struct.unpack(">II", png[16:24])  # the PNG header's IHDR width and height
            h_mm = width * h_px / w_px
            if pdf.will_page_break(h_mm + 10):
                pdf.add_page()
            pdf.image(io.BytesIO(png), w=width, alt_text=chart.summary)
            para(chart.summary, 8.5, gap=4)

    for section in report.sections:
        pdf.add_page()
        heading(section.title, 14)
        for line in section.summary:
            para(f"• {line}", 9.5, gap=0.5)
        pdf.ln(3)
        if section.table is not None:
            grid.draw(section.table)
        for card in section.cards:
            tall = grid.height(card, headings=False) + 10
            if tall < pdf.eph and pdf.will_page_break(tall):
                pdf.add_page()  # a card that fits on a page is not split
            heading(card.title, 10.5)
            grid.draw(card, headings=False)
    return bytes(pdf.output())


def _col_widths(table: Table, width: float, headings: bool) -> list[float]:
    """Column widths in proportion to their typical text, within bounds, filling `width`."""
    if not headings:
        return [width * 0.28, width * 0.72]
    weights = []
    for i, name in enumerate(table.columns):
        lengths = [len(row[i]) for row in table.rows[:500]] or [0]
        typical = sum(lengths) / len(lengths)
        longest_word = max((len(word) for word in name.split()), default=0)
        weights.append(min(max(typical, longest_word * 1.15, 4.0), 60.0))
    total = sum(weights)
    return [width * w / total for w in weights]


class _Grid:
    """Tables drawn line by line: fast for thousands of rows, and a row taller than a page simply
    continues on the next one (headings repeated), so no text is ever cut or refused."""

    size = 8.5  # pt
    pad = 1.0  # mm

    def __init__(self, pdf: Any, family: str):
        self.pdf = pdf
        self.family = family
        self.size_mm = self.size * 0.3528
        self.line = self.size_mm * 1.25
        self.widths: dict[str, dict[str, float]] = {"": {}, "B": {}}

    def _width(self, text: str, style: str) -> float:
        cache = self.widths[style]
        total = 0.0
        for ch in text:
            w = cache.get(ch)
            if w is None:
                self.pdf.set_font(self.family, style, self.size)
                w = cache[ch] = self.pdf.get_string_width(ch)
            total += w
        return total

    def wrap(self, text: str, width: float, style: str = "") -> list[str]:
        """Greedy word wrap to `width` mm; a word longer than a line is broken between characters."""
        out: list[str] = []
        space = self._width(" ", style)
        for paragraph in text.split("\n"):
            line, used = "", 0.0
            for word in paragraph.split():
                w = self._width(word, style)
                if line and used + space + w <= width:
                    line, used = f"{line} {word}", used + space + w
                    continue
                if line:
                    out.append(line)
                while w > width:
                    cut, cut_w = "", 0.0
                    for ch in word:
                        ch_w = self._width(ch, style)
                        if cut and cut_w + ch_w > width:
                            break
                        cut, cut_w = cut + ch, cut_w + ch_w
                    out.append(cut)
                    word = word[len(cut):]
                    w = self._width(word, style)
                line, used = word, w
            out.append(line)
        return out

    def height(self, table: Table, headings: bool = True) -> float:
        """How tall the table is, in mm, if it is not split."""
        inner = [w - 2 * self.pad for w in _col_widths(table, self.pdf.epw, headings)]
        rows = ([table.columns] if headings else []) + list(table.rows)
        return sum(max(len(self.wrap(pdf_text(v), w)) for v, w in zip(row, inner, strict=True))
                   * self.line + 2 * self.pad for row in rows)

    def draw(self, table: Table, headings: bool = True) -> None:
        """Column headings on every page the table reaches; without them, a label column (cards)."""
        pdf = self.pdf
        widths = _col_widths(table, pdf.epw, headings)
        inner = [w - 2 * self.pad for w in widths]
        pdf.set_draw_color(175, 180, 190)
        pdf.set_fill_color(236, 240, 245)
        pdf.set_line_width(0.2)
        head = None
        if headings:
            head = [self.wrap(pdf_text(c), w, "B") for c, w in zip(table.columns, inner, strict=True)]
            self._row(head, widths, emphasis=set(range(len(widths))))
        emphasis = set() if headings else {0}
        for values in table.rows:
            cells = [self.wrap(pdf_text(v), w, "B" if i in emphasis else "")
                     for i, (v, w) in enumerate(zip(values, inner, strict=True))]
            self._row(cells, widths, emphasis, head)
        pdf.ln(3)

    def _row(self, cells: list[list[str]], widths: list[float], emphasis: set[int],
             head: list[list[str]] | None = None) -> None:
        """One row (bold and shaded in the `emphasis` columns), split across pages if it must be."""
        pdf = self.pdf
        bottom = pdf.h - pdf.b_margin
        head_lines = max(len(c) for c in head) + 1 if head else 0
        page_lines = int((bottom - pdf.t_margin - 2 * self.pad) // self.line) - head_lines
        while True:
            lines = max(len(c) for c in cells)
            room = int((bottom - pdf.get_y() - 2 * self.pad) // self.line)
            if lines > room and (lines <= page_lines or room < 3):
                self._new_page(widths, head)
                continue
            take = min(lines, room)
            y = pdf.get_y()
            height = take * self.line + 2 * self.pad
            x = pdf.l_margin
            for i, (text, w) in enumerate(zip(cells, widths, strict=True)):
                pdf.rect(x, y, w, height, style="DF" if i in emphasis else "D")
                pdf.set_font(self.family, "B" if i in emphasis else "", self.size)
                for n, line in enumerate(text[:take]):
                    if line:
                        pdf.text(x + self.pad, y + self.pad + n * self.line + self.size_mm * 0.85, line)
                x += w
            pdf.set_y(y + height)
            cells = [c[take:] for c in cells]
            if not any(cells):
                return
            self._new_page(widths, head)

    def _new_page(self, widths: list[float], head: list[list[str]] | None) -> None:
        self.pdf.add_page()
        if head:
            self._row(head, widths, emphasis=set(range(len(widths))))
