"""Documents on paper: an issued document's content as DOCX (for editing) and PDF (for the file).

Layout after GB/T 9704-2012 党政机关公文格式: A4; 天头 37 mm, 订口 28 mm, type area 156 × 225 mm; 发文机关标志 in
red above a red separator; 文号 centred under it; 标题 in 2号 (22 pt) 小标宋; 主送 flush left; 正文 in 3号 (16 pt)
仿宋, first line indented two characters, 22 lines of 28 characters; 落款 and 成文日期 on the right; page numbers
"— 1 —" under the type area. The DOCX names the standard's fonts (方正小标宋简体, 仿宋_GB2312), which an office
machine has; the PDF embeds the free font nearest to them that can be shipped (Noto Serif SC, installed from npm
by the project's set-up), so its text never depends on the reader's fonts and never renders as boxes.
Forms (呈批表, 登记表) print as a table of fields. Both formats carry the 签批 lines (position, name, opinion, date).
"""

from __future__ import annotations

import io
import os
import threading
from datetime import date
from pathlib import Path

from service.config import ROOT

MM = 72 / 25.4
TOP, BOTTOM, LEFT, RIGHT = 37, 35, 28, 26           # mm: 天头, 下白边, 订口, 切口 (type area 156 × 225 mm)
BODY_PT, TITLE_PT, ISSUER_PT = 16, 22, 26           # 3号, 2号; the 发文机关标志 is larger than the title
LINE_PT = 225 * MM / 22                             # 22 lines per page
RED = "#C00000"
BODY_FONT_DOCX, TITLE_FONT_DOCX = "仿宋_GB2312", "方正小标宋简体"
FONT_PACKAGE = "@expo-google-fonts/noto-serif-sc"
FONT_FILES = {"QFSerif": "400Regular/NotoSerifSC_400Regular.ttf", "QFSerif-Bold": "700Bold/NotoSerifSC_700Bold.ttf"}


class FontMissing(RuntimeError):
    """The PDF font is not installed (run the set-up: `make install` installs it from npm)."""


def font_dir() -> Path:
    return Path(os.environ.get("QINGFENG_FONT_DIR") or ROOT / "node_modules" / FONT_PACKAGE)


_FONTS_LOCK = threading.Lock()
_fonts_ready = False


def register_fonts() -> None:
    """Register the CJK font with reportlab once per process (parsing it costs ~0.5 s)."""
    global _fonts_ready
    with _FONTS_LOCK:
        if _fonts_ready:
            return
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        for name, rel in FONT_FILES.items():
            path = font_dir() / rel
            if not path.is_file():
                raise FontMissing(f"PDF 字体未安装：{path}（请运行 make install）")
            font = TTFont(name, str(path))
            _cache_tables(font.face)
            pdfmetrics.registerFont(font)
        _fonts_ready = True


def _cache_tables(face) -> None:
    """reportlab copies a table out of the font file each time it builds a subset; the CJK font's glyph table is
    14 MB, so every PDF paid for copying it. Tables never change: copy each once."""
    tables: dict[str, bytes] = {}
    read = face.get_table

    def get_table(tag):
        if tag not in tables:
            tables[tag] = read(tag)
        return tables[tag]

    face.get_table = get_table


def chinese_date(iso: str) -> str:
    """成文日期 in Arabic numerals without leading zeros: 2026年3月2日."""
    day = date.fromisoformat(iso[:10])
    return f"{day.year}年{day.month}月{day.day}日"


def signature_rows(content: dict) -> list[list[str]]:
    return [[s.get("position", ""), s.get("name", ""), " ".join(x for x in (s.get("decision"), s.get("opinion")) if x),
             chinese_date(s["date"]) if s.get("date") else ""] for s in content.get("signatures", [])]


# ---- PDF ----

def _styles():
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    base = dict(fontName="QFSerif", fontSize=BODY_PT, leading=LINE_PT, wordWrap="CJK")
    return {
        "issuer": ParagraphStyle("issuer", fontName="QFSerif-Bold", fontSize=ISSUER_PT, leading=ISSUER_PT * 1.4,
                                 alignment=TA_CENTER, textColor=colors.HexColor(RED), wordWrap="CJK"),
        "number": ParagraphStyle("number", **base, alignment=TA_CENTER),
        "title": ParagraphStyle("title", fontName="QFSerif-Bold", fontSize=TITLE_PT, leading=TITLE_PT * 1.5,
                                alignment=TA_CENTER, wordWrap="CJK", spaceBefore=LINE_PT, spaceAfter=LINE_PT),
        "recipient": ParagraphStyle("recipient", **base, alignment=TA_LEFT),
        "body": ParagraphStyle("body", **base, alignment=TA_JUSTIFY, firstLineIndent=2 * BODY_PT),
        "sign": ParagraphStyle("sign", **base, alignment=TA_RIGHT, rightIndent=2 * BODY_PT),
        "cell": ParagraphStyle("cell", fontName="QFSerif", fontSize=12, leading=16, wordWrap="CJK"),
        "small": ParagraphStyle("small", fontName="QFSerif", fontSize=10.5, leading=14, wordWrap="CJK"),
        "void": ParagraphStyle("void", fontName="QFSerif-Bold", fontSize=TITLE_PT, leading=TITLE_PT * 1.4,
                               alignment=TA_CENTER, textColor=colors.HexColor(RED)),
    }


def _esc(text: str) -> str:
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")


def _page_number(canvas, doc) -> None:
    """页码: 4号 (14 pt) "— n —" 7 mm below the type area, right on odd pages, left on even ones."""
    canvas.saveState()
    canvas.setFont("QFSerif", 14)
    y = (BOTTOM - 7) * MM - 14
    text = f"— {canvas.getPageNumber()} —"
    if canvas.getPageNumber() % 2:
        canvas.drawRightString((210 - RIGHT - 7) * MM, y, text)
    else:
        canvas.drawString((LEFT + 7) * MM, y, text)
    canvas.restoreState()


def document_flowables(content: dict, cancelled: bool = False) -> list:
    """The platypus flowables of one document (also used by the 案卷, which prints documents in order)."""
    from reportlab.lib import colors
    from reportlab.platypus import HRFlowable, Paragraph, Spacer, Table, TableStyle

    st = _styles()
    out: list = [Paragraph(_esc(content.get("issuer", "")), st["issuer"]), Spacer(1, LINE_PT),
                 Paragraph(_esc(content.get("number", "")), st["number"]),
                 HRFlowable(width="100%", thickness=1.2, color=colors.HexColor(RED), spaceBefore=4 * MM, spaceAfter=0)]
    if cancelled:
        out.append(Paragraph("作　废", st["void"]))
    out.append(Paragraph(_esc(content.get("title", "")), st["title"]))
    grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.6, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                       ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)])
    if content.get("recipient"):
        out.append(Paragraph(_esc(content["recipient"]) + "：", st["recipient"]))
    for paragraph in content.get("body", []):
        out.append(Paragraph(_esc(paragraph), st["body"]))
    if content.get("fields"):
        rows = [[Paragraph(_esc(label), st["cell"]), Paragraph(_esc(value), st["cell"])]
                for label, value in content["fields"]]
        out += [Spacer(1, 4 * MM), Table(rows, colWidths=[36 * MM, 120 * MM], style=grid)]
    out += [Spacer(1, LINE_PT), Paragraph(_esc(content.get("issuer", "")), st["sign"]),
            Paragraph(chinese_date(content["date"]) if content.get("date") else "", st["sign"])]
    signatures = signature_rows(content)
    if signatures:
        head = [Paragraph(x, st["cell"]) for x in ("签批职务", "姓名", "意见", "日期")]
        rows = [head] + [[Paragraph(_esc(x), st["cell"]) for x in row] for row in signatures]
        out += [Spacer(1, LINE_PT), Paragraph("签批", st["recipient"]),
                Table(rows, colWidths=[46 * MM, 24 * MM, 56 * MM, 30 * MM], style=grid, repeatRows=1)]
    return out


def pdf_template(buffer, title: str):
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    register_fonts()
    return SimpleDocTemplate(buffer, pagesize=A4, leftMargin=LEFT * MM, rightMargin=RIGHT * MM, topMargin=TOP * MM,
                             bottomMargin=BOTTOM * MM, title=title, author="清风", creator="清风 Qingfeng")


def document_pdf(content: dict, cancelled: bool = False) -> bytes:
    buffer = io.BytesIO()
    doc = pdf_template(buffer, content.get("title", ""))
    doc.build(document_flowables(content, cancelled), onFirstPage=_page_number, onLaterPages=_page_number)
    return buffer.getvalue()


# ---- DOCX ----

def _font(run, name: str, size: float, bold: bool = False, color: str | None = None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    if color:
        run.font.color.rgb = RGBColor.from_string(color.lstrip("#"))


def document_docx(content: dict, cancelled: bool = False) -> bytes:
    from docx import Document as Docx
    from docx.enum.section import WD_SECTION
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Docx()
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = BODY_FONT_DOCX, Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT_DOCX)
    section = doc.sections[0] if doc.sections else doc.add_section(WD_SECTION.NEW_PAGE)
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(TOP), Mm(BOTTOM)
    section.left_margin, section.right_margin = Mm(LEFT), Mm(RIGHT)

    def para(text: str, font: str = BODY_FONT_DOCX, size: float = BODY_PT, align=None, bold: bool = False,
             color: str | None = None, indent: bool = False):
        p = doc.add_paragraph()
        fmt = p.paragraph_format
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(LINE_PT)
        fmt.space_before = fmt.space_after = Pt(0)
        if align is not None:
            p.alignment = align
        if indent:
            fmt.first_line_indent = Pt(2 * size)
        run = p.add_run(text)
        if (font, size, bold, color) != (BODY_FONT_DOCX, BODY_PT, False, None):   # the Normal style covers the rest
            _font(run, font, size, bold, color)
        return p

    para(content.get("issuer", ""), TITLE_FONT_DOCX, ISSUER_PT, WD_ALIGN_PARAGRAPH.CENTER, color=RED)
    para("")
    para(content.get("number", ""), align=WD_ALIGN_PARAGRAPH.CENTER)
    para("—" * 28, size=8, align=WD_ALIGN_PARAGRAPH.CENTER, color=RED)   # 版头分隔线
    if cancelled:
        para("作　废", TITLE_FONT_DOCX, TITLE_PT, WD_ALIGN_PARAGRAPH.CENTER, color=RED)
    para(content.get("title", ""), TITLE_FONT_DOCX, TITLE_PT, WD_ALIGN_PARAGRAPH.CENTER)
    para("")
    if content.get("recipient"):
        para(content["recipient"] + "：")
    for paragraph in content.get("body", []):
        para(paragraph, indent=True)

    def table(rows: list[list[str]]):
        t = doc.add_table(rows=0, cols=len(rows[0]))
        t.style = "Table Grid"
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        for values in rows:
            cells = t.add_row().cells
            for cell, value in zip(cells, values, strict=True):
                cell.paragraphs[0].add_run(value).font.size = Pt(12)
        return t

    if content.get("fields"):
        table([[label, value] for label, value in content["fields"]])
    para("")
    para(content.get("issuer", ""), align=WD_ALIGN_PARAGRAPH.RIGHT)
    para(chinese_date(content["date"]) if content.get("date") else "", align=WD_ALIGN_PARAGRAPH.RIGHT)
    signatures = signature_rows(content)
    if signatures:
        para("签批")
        table([["签批职务", "姓名", "意见", "日期"], *signatures])
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
