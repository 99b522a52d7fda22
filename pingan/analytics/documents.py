"""Documents of a briefing: its charts drawn as PNG (Pillow), the whole rendered as
.docx (python-docx) and PDF (reportlab with its built-in CJK font STSong-Light, so no
font file is needed)."""

from __future__ import annotations

import io
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


def render_docx(title: str, subtitle: str, parts: list[dict[str, Any]]) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "宋体"
    normal.font.size = Pt(12)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = head.add_run(title)
    run.bold = True
    run.font.size = Pt(18)
    sub = doc.add_paragraph(subtitle)
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
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
            t = doc.add_table(rows=1, cols=len(table["headers"]))
            t.style = "Table Grid"
            for cell, text in zip(t.rows[0].cells, table["headers"], strict=False):
                cell.text = str(text)
            for row in table["rows"]:
                cells = t.add_row().cells
                for cell, value in zip(cells, row, strict=False):
                    cell.text = str(value)
        chart = part.get("chart")
        if chart and any(any(v) for _n, v in chart["series"]):
            doc.add_picture(io.BytesIO(chart_png(chart)), width=Cm(15))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def render_pdf(title: str, subtitle: str, parts: list[dict[str, Any]]) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Image as RLImage
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    base = ParagraphStyle(
        "base", fontName="STSong-Light", fontSize=11, leading=18, firstLineIndent=22, wordWrap="CJK"
    )
    h1 = ParagraphStyle("h1", parent=base, fontSize=18, leading=26, alignment=1, firstLineIndent=0)
    h2 = ParagraphStyle(
        "h2", parent=base, fontSize=14, leading=22, firstLineIndent=0, spaceBefore=8
    )
    centre = ParagraphStyle("c", parent=base, alignment=1, firstLineIndent=0)
    cell = ParagraphStyle("cell", parent=base, fontSize=9, leading=12, firstLineIndent=0)
    story: list[Any] = [Paragraph(title, h1), Paragraph(subtitle, centre), Spacer(1, 12)]
    for part in parts:
        story.append(Paragraph(part["heading"], h2))
        story += [Paragraph(text, base) for text in part["paragraphs"]]
        table = part.get("table")
        if table and table["rows"]:
            data = [[Paragraph(str(v), cell) for v in table["headers"]]] + [
                [Paragraph(str(v), cell) for v in row] for row in table["rows"]
            ]
            t = Table(data, repeatRows=1)
            t.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde6f0")),
                    ]
                )
            )
            story += [Spacer(1, 6), t]
        chart = part.get("chart")
        if chart and any(any(v) for _n, v in chart["series"]):
            story += [
                Spacer(1, 6),
                RLImage(io.BytesIO(chart_png(chart)), width=16 * cm, height=16 * cm * 520 / 1200),
            ]
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, title=title, leftMargin=2 * cm, rightMargin=2 * cm).build(
        story
    )
    return buf.getvalue()
