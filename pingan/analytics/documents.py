"""Documents of a briefing: its charts drawn as PNG (Pillow), the whole rendered as
.docx (python-docx) and PDF (reportlab with its built-in CJK font STSong-Light, so no
font file is needed), under the red header of a government briefing (版头 in red, the
期号, the issuing body and date, a red rule).

Tables say what each column holds (`kinds`): text wraps between any two characters
(Chinese has no spaces), codes, dates and numbers never wrap: a PDF column is as wide as
its longest code or date (`column_widths`), and a .docx cell of one is marked no-wrap."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
)


# ---- charts (PNG, Pillow) -----------------------------------------------------------


def _font(size: int) -> Any:
    for path in CJK_FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default()


def chart_png(chart: dict[str, Any], width: int = 1200, height: int = 520) -> bytes:
    """A plain bar or line chart; Chinese labels when a CJK font is on the machine."""
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    font, small = _font(26), _font(18)
    draw.text((30, 12), chart["title"], fill="#222", font=font)
    left, top, right, bottom = 80, 70, width - 30, height - 70
    draw.line((left, bottom, right, bottom), fill="#888", width=2)
    draw.line((left, top, left, bottom), fill="#888", width=2)
    labels = chart["labels"] or [""]
    series = chart["series"]
    peak = max([max(values or [0]) for _n, values in series] + [1])
    colours = ["#3b6fb6", "#e0813a", "#4caf50"]
    slot = (right - left) / max(len(labels), 1)
    for s, (name, values) in enumerate(series):
        colour = colours[s % len(colours)]
        draw.rectangle((right - 200 + s * 100, 20, right - 184 + s * 100, 36), fill=colour)
        draw.text((right - 178 + s * 100, 16), name, fill="#222", font=small)
        points = []
        for i, v in enumerate(values):
            x = left + slot * i + slot / 2
            y = bottom - (bottom - top) * (v / peak)
            if chart["kind"] == "bar":
                w = slot * 0.6 / len(series)
                x0 = left + slot * i + slot * 0.2 + w * s
                draw.rectangle((x0, y, x0 + w, bottom), fill=colour)
                draw.text((x0, y - 22), str(v), fill="#222", font=small)
            else:
                points.append((x, y))
        if len(points) > 1:
            draw.line(points, fill=colour, width=3)
    step = max(1, len(labels) // 12)
    for i, label in enumerate(labels):
        if i % step == 0:
            text = str(label)[:6]
            x = left + slot * i + slot / 2 - draw.textlength(text, font=small) / 2
            draw.text((x, bottom + 8), text, fill="#444", font=small)
    draw.text((10, top - 10), str(peak), fill="#444", font=small)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


# ---- documents ----------------------------------------------------------------------

# What a table column holds: text (wraps anywhere), a code or date (never wraps), a number
# (never wraps, right-aligned).
TEXT = "text"
NOWRAP = "nowrap"
NUMBER = "number"
RED = "FF0000"


@dataclass(frozen=True)
class Masthead:
    """The red header: 版头 (`name`), 期号 (`issue`, may be empty), issuing body and date."""

    name: str
    issue: str
    issuer: str
    date: str


def _kinds(table: dict[str, Any]) -> list[str]:
    kinds = list(table.get("kinds") or [])
    return kinds + [TEXT] * (len(table["headers"]) - len(kinds))


def render_docx(masthead: Masthead, title: str, parts: list[dict[str, Any]]) -> bytes:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.6)
    text_width = Cm(21 - 2 * 2.6)
    normal = doc.styles["Normal"]
    normal.font.name = "宋体"
    normal.font.size = Pt(12)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    red = RGBColor.from_string(RED)

    def centred(text: str, size: float, *, colour: Any = None, bold: bool = False) -> Any:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(text)
        run.bold = bold
        run.font.size = Pt(size)
        if colour is not None:
            run.font.color.rgb = colour
        return p

    centred(masthead.name, 26, colour=red, bold=True)
    if masthead.issue:
        centred(masthead.issue, 14)
    line = doc.add_paragraph()
    line.paragraph_format.tab_stops.add_tab_stop(text_width, WD_TAB_ALIGNMENT.RIGHT)
    line.add_run(f"{masthead.issuer}\t{masthead.date}").font.size = Pt(12)
    # The red rule: the issuer line's bottom border.
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "4"), ("w:color", RED)):
        bottom.set(qn(key), value)
    borders.append(bottom)
    line._p.get_or_add_pPr().append(borders)
    centred(title, 18, bold=True)
    for part in parts:
        h = doc.add_paragraph()
        r = h.add_run(part["heading"])
        r.bold = True
        r.font.size = Pt(14)
        for text in part["paragraphs"]:
            p = doc.add_paragraph(text)
            p.paragraph_format.first_line_indent = Pt(24)
        table = part.get("table")
        if table and table["rows"]:
            kinds = _kinds(table)
            t = doc.add_table(rows=1, cols=len(table["headers"]))
            t.style = "Table Grid"
            t.alignment = WD_TABLE_ALIGNMENT.CENTER
            for cell, text in zip(t.rows[0].cells, table["headers"], strict=False):
                cell.text = str(text)
            for row in table["rows"]:
                cells = t.add_row().cells
                for cell, value, kind in zip(cells, row, kinds, strict=False):
                    cell.text = str(value)
                    if kind != TEXT:
                        cell._tc.get_or_add_tcPr().append(OxmlElement("w:noWrap"))
                    if kind == NUMBER:
                        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        chart = part.get("chart")
        if chart and any(any(v) for _n, v in chart["series"]):
            doc.add_picture(io.BytesIO(chart_png(chart)), width=Cm(15))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


PDF_FONT = "STSong-Light"


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))


def column_widths(
    headers: Sequence[Any],
    rows: Sequence[Sequence[Any]],
    kinds: Sequence[str],
    *,
    available: float,
    size: float = 9,
    min_size: float = 6.5,
    padding: float = 8,
) -> tuple[list[float], float]:
    """Widths (points) of a PDF table's columns and the font size of its cells: a code,
    date or number column as wide as its longest value (its header wraps instead), at a
    smaller size while the text columns would get less than four characters each; the text
    columns share the rest by their longest value. No code or date is ever broken."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    _register_font()
    columns = range(len(headers))
    text_cols = [i for i in columns if kinds[i] == TEXT]

    def width(value: Any, at: float) -> float:
        return stringWidth(str(value), PDF_FONT, at)

    while True:
        least = width("四个汉字", size) + padding
        # A code, date or number column's header keeps four characters on a line when
        # there is room, else two (the rest of it wraps).
        for head in (4, 2):
            fixed = {
                i: max(
                    max((width(r[i], size) for r in rows), default=0.0),
                    width(str(headers[i])[:head], size),
                )
                + padding
                for i in columns
                if kinds[i] != TEXT
            }
            rest = available - sum(fixed.values())
            if rest >= least * len(text_cols):
                break
        if rest >= least * len(text_cols) or size - 0.5 < min_size:
            break
        size -= 0.5
    natural = {
        i: max(width(v, size) for v in [headers[i], *(r[i] for r in rows)]) + padding
        for i in text_cols
    }
    share: dict[int, float] = {}
    if text_cols:
        wanted = sum(natural.values())
        if wanted <= rest:
            # Room for every text on one line: the spare width goes to them alike.
            spare = (rest - wanted) / len(text_cols)
            share = {i: natural[i] + spare for i in text_cols}
        else:
            floor = min(least, rest / len(text_cols))
            over = {i: max(natural[i] - floor, 0.0) for i in text_cols}
            extra = max(rest - floor * len(text_cols), 0.0)
            total_over = sum(over.values()) or 1.0
            share = {i: floor + extra * over[i] / total_over for i in text_cols}
    return [fixed[i] if i in fixed else share[i] for i in columns], size


def pdf_table(table: dict[str, Any], available: float) -> Any:
    """A reportlab Table for a briefing table: text cells as CJK-wrapping paragraphs, code,
    date and number cells as plain strings (a plain string never wraps)."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, Table, TableStyle

    kinds = _kinds(table)
    widths, size = column_widths(table["headers"], table["rows"], kinds, available=available)
    leading = size + 3
    cell = ParagraphStyle("cell", fontName=PDF_FONT, fontSize=size, leading=leading)
    cell.wordWrap = "CJK"
    head = ParagraphStyle("head", parent=cell, alignment=1)
    data: list[list[Any]] = [[Paragraph(str(h), head) for h in table["headers"]]]
    for row in table["rows"]:
        data.append(
            [
                Paragraph(str(v), cell) if kind == TEXT else str(v)
                for v, kind in zip(row, kinds, strict=False)
            ]
        )
    style: list[Any] = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde6f0")),
        ("FONT", (0, 1), (-1, -1), PDF_FONT, size, leading),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    style += [("ALIGN", (i, 1), (i, -1), "RIGHT") for i, k in enumerate(kinds) if k == NUMBER]
    t = Table(data, colWidths=widths, repeatRows=1)
    t.setStyle(TableStyle(style))
    return t


def render_pdf(masthead: Masthead, title: str, parts: list[dict[str, Any]]) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import HRFlowable, Paragraph, SimpleDocTemplate, Spacer, Table
    from reportlab.platypus import Image as RLImage

    _register_font()
    margin = 2 * cm
    available = A4[0] - 2 * margin
    base = ParagraphStyle(
        "base", fontName=PDF_FONT, fontSize=11, leading=18, firstLineIndent=22, wordWrap="CJK"
    )
    red = colors.HexColor("#" + RED)
    flush = ParagraphStyle("flush", parent=base, firstLineIndent=0)
    mast = ParagraphStyle("mast", parent=flush, fontSize=26, leading=36, alignment=1, textColor=red)
    h1 = ParagraphStyle("h1", parent=flush, fontSize=18, leading=26, alignment=1, spaceBefore=6)
    h2 = ParagraphStyle("h2", parent=flush, fontSize=14, leading=22, spaceBefore=8)
    centre = ParagraphStyle("c", parent=flush, alignment=1)
    right = ParagraphStyle("r", parent=flush, alignment=2)
    story: list[Any] = [Paragraph(masthead.name, mast)]
    if masthead.issue:
        story.append(Paragraph(masthead.issue, centre))
    line = Table(
        [[Paragraph(masthead.issuer, flush), Paragraph(masthead.date, right)]],
        colWidths=[available * 0.6, available * 0.4],
    )
    line.setStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)])
    story += [
        line,
        HRFlowable(width="100%", thickness=2, color=red, spaceBefore=2, spaceAfter=10),
        Paragraph(title, h1),
        Spacer(1, 8),
    ]
    for part in parts:
        story.append(Paragraph(part["heading"], h2))
        story += [Paragraph(text, base) for text in part["paragraphs"]]
        table = part.get("table")
        if table and table["rows"]:
            story += [Spacer(1, 6), pdf_table(table, available)]
        chart = part.get("chart")
        if chart and any(any(v) for _n, v in chart["series"]):
            story += [
                Spacer(1, 6),
                RLImage(io.BytesIO(chart_png(chart)), width=16 * cm, height=16 * cm * 520 / 1200),
            ]
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, title=title, leftMargin=margin, rightMargin=margin).build(
        story
    )
    return buf.getvalue()
