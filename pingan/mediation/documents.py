"""The four documents of a mediation case in their usual layouts: 调解申请书 (application),
调解笔录 (record of the sessions), 人民调解协议书 (agreement) and 司法确认申请书 (request for
judicial confirmation), as .docx (python-docx) and PDF (reportlab with its built-in CJK
font STSong-Light, so no font file is needed).

Each document is built once as a list of blocks (`Doc`): the title, its number, headed
lines ("申请人：…"), paragraphs, numbered terms, and the signature lines at the foot; the
two renderers draw the same blocks. The documents carry the parties' full personal data:
they are signed by the parties and kept on file. Who may have them and the audit of each
download are the service's (`documents_service`), not this module's.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from pingan.mediation.choices import PartyKind, PartyRole, Performance
from pingan.mediation.models import MediationCase, Party

KINDS = ("application", "record", "agreement", "judicial")
TITLES = {
    "application": "人民调解申请书",
    "record": "人民调解笔录",
    "agreement": "人民调解协议书",
    "judicial": "司法确认申请书",
}
PDF_FONT = "STSong-Light"
BLANK = "＿＿＿＿＿＿"


@dataclass
class Doc:
    """A document as blocks: ("heading", text), ("line", label, value), ("para", text),
    ("terms", [text, …]), ("sign", [label, …]), ("right", text)."""

    title: str
    number: str
    blocks: list[tuple[Any, ...]] = field(default_factory=list)

    def heading(self, text: str) -> None:
        self.blocks.append(("heading", text))

    def line(self, label: str, value: str) -> None:
        self.blocks.append(("line", label, value or BLANK))

    def para(self, text: str) -> None:
        for piece in (text or "").splitlines() or [""]:
            if piece.strip():
                self.blocks.append(("para", piece.strip()))

    def terms(self, items: Iterable[str]) -> None:
        self.blocks.append(("terms", [i for i in items if i.strip()]))

    def sign(self, labels: Iterable[str]) -> None:
        self.blocks.append(("sign", list(labels)))

    def right(self, text: str) -> None:
        self.blocks.append(("right", text))


def _day(value: Any) -> str:
    if value is None:
        return "    年  月  日"
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        value = timezone.localtime(value)
    return f"{value.year}年{value.month}月{value.day}日"


def _parties(case: MediationCase, role: str) -> list[Party]:
    return [p for p in case.parties.all() if p.role == role]


def _party_lines(doc: Doc, label: str, party: Party) -> None:
    """One party as the forms ask: a person's name, ID number, address and phone; an
    organisation's name, its credit code and address."""
    if party.kind == PartyKind.ORGANISATION:
        doc.line(label, f"{party.name}（单位）")
        doc.line("统一社会信用代码", party.id_number)
    else:
        doc.line(label, party.name)
        doc.line("身份证号码", party.id_number)
    doc.line("住所", party.address)
    doc.line("联系电话", party.phone)


def _all_parties(doc: Doc, case: MediationCase) -> None:
    for role, word in ((PartyRole.APPLICANT, "申请人"), (PartyRole.RESPONDENT, "被申请人")):
        people = _parties(case, role)
        for i, p in enumerate(people, start=1):
            _party_lines(doc, f"{word}{i if len(people) > 1 else ''}", p)


def _committee(case: MediationCase) -> str:
    return case.committee.name if case.committee else "人民调解委员会"


def application(case: MediationCase) -> Doc:
    doc = Doc(TITLES["application"], case.code)
    _all_parties(doc, case)
    doc.heading("申请事项")
    doc.para(
        f"请求{_committee(case)}对申请人与被申请人之间的{case.get_dispute_kind_display()}进行调解。"
    )
    if case.amount is not None:
        doc.para(f"涉及金额：人民币{case.amount}元。")
    doc.heading("事实和理由")
    doc.para(case.summary)
    doc.para("申请人自愿申请人民调解，并承诺所述情况属实。")
    doc.para("此致")
    doc.para(_committee(case))
    doc.sign(["申请人（签名或盖章）"])
    doc.right(_day(case.created_at))
    return doc


def record(case: MediationCase) -> Doc:
    doc = Doc(TITLES["record"], case.code)
    doc.line("纠纷类型", case.get_dispute_kind_display())
    doc.line("调解组织", _committee(case))
    doc.line("调解员", case.mediator.name if case.mediator else "")
    sessions = list(case.sessions.all())
    if not sessions:
        doc.heading("调解记录")
        doc.para("（尚无调解记录）")
    for i, s in enumerate(sessions, start=1):
        doc.heading(f"第{i}次调解")
        doc.line("时间", timezone.localtime(s.at).strftime("%Y年%m月%d日 %H:%M"))
        doc.line("地点", s.place)
        doc.line("参加人员", s.attendees)
        doc.line("记录人", s.recorded_by.name if s.recorded_by else "")
        doc.para(s.record)
    doc.para("以上笔录经当事人阅看（或向其宣读），确认无误。")
    doc.sign(["当事人（签名）", "调解员（签名）", "记录人（签名）"])
    return doc


def agreement(case: MediationCase) -> Doc:
    doc = Doc(TITLES["agreement"], case.code)
    _all_parties(doc, case)
    doc.heading("纠纷主要事实、争议事项")
    doc.para(case.summary)
    doc.heading("经调解，双方当事人自愿达成如下协议")
    doc.terms((case.agreement_terms or "").splitlines())
    doc.heading("履行方式、时限")
    if case.performance == Performance.BY_DATE:
        doc.para(f"限期履行：于{_day(case.performance_due)}前履行完毕。")
    elif case.performance == Performance.AT_ONCE:
        doc.para("即时履行：本协议签订时当场履行完毕。")
    else:
        doc.para(BLANK)
    doc.para(
        "本协议经当事人签名（盖章或按指印）、人民调解员签名并加盖人民调解委员会印章后生效。"
        "当事人可以自本协议生效之日起三十日内共同向人民法院申请司法确认。"
    )
    doc.para("本协议一式三份，双方当事人、人民调解委员会各持一份。")
    doc.sign(["当事人（签名盖章或按指印）", "人民调解员（签名）", "记录人（签名）"])
    doc.right(f"{_committee(case)}（印）")
    doc.right(_day(case.ended_at))
    return doc


def judicial(case: MediationCase) -> Doc:
    doc = Doc(TITLES["judicial"], case.code)
    _all_parties(doc, case)
    doc.heading("请求事项")
    doc.para(
        f"请求确认申请人与被申请人于{_day(case.ended_at)}经{_committee(case)}"
        "主持调解达成的人民调解协议有效。"
    )
    doc.heading("事实和理由")
    doc.para(case.summary)
    doc.para(
        "上述协议系双方自愿达成，内容不违反法律、行政法规的强制性规定，"
        "不损害国家利益、社会公共利益和他人合法权益。双方共同申请司法确认。"
    )
    doc.para("此致")
    doc.para(case.judicial_court or f"{BLANK}人民法院")
    doc.para("附：人民调解协议书一份")
    doc.sign(["申请人（签名或盖章）"])
    doc.right(_day(case.judicial_requested_at))
    return doc


BUILDERS = {
    "application": application,
    "record": record,
    "agreement": agreement,
    "judicial": judicial,
}


def build(case: MediationCase, kind: str) -> Doc:
    """The document `kind` (one of KINDS) of the case."""
    return BUILDERS[kind](case)


# ---- renderers ------------------------------------------------------------------------


def render_docx(doc: Doc) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    d = Document()
    style = d.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")

    def para(text: str, *, size: float = 12, bold: bool = False, align: Any = None) -> Any:
        p = d.add_paragraph()
        run = p.add_run(text)
        run.font.size = Pt(size)
        run.bold = bold
        if align is not None:
            p.alignment = align
        return p

    para(doc.title, size=20, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(f"编号：{doc.number}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    for block in doc.blocks:
        kind = block[0]
        if kind == "heading":
            para(block[1], size=13, bold=True)
        elif kind == "line":
            p = d.add_paragraph()
            p.add_run(f"{block[1]}：").bold = True
            p.add_run(block[2])
        elif kind == "para":
            p = para(block[1])
            p.paragraph_format.first_line_indent = Pt(24)
        elif kind == "terms":
            for i, term in enumerate(block[1] or [BLANK], start=1):
                para(f"{i}. {term}")
        elif kind == "sign":
            d.add_paragraph()
            for label in block[1]:
                para(f"{label}：{BLANK}{BLANK}")
        elif kind == "right":
            para(block[1], align=WD_ALIGN_PARAGRAPH.RIGHT)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def render_pdf(doc: Doc) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    base = ParagraphStyle("b", fontName=PDF_FONT, fontSize=12, leading=20, wordWrap="CJK")
    body = ParagraphStyle("p", parent=base, firstLineIndent=24)
    title = ParagraphStyle("t", parent=base, fontSize=20, leading=30, alignment=1)
    head = ParagraphStyle("h", parent=base, fontSize=13, leading=22, spaceBefore=8)
    right = ParagraphStyle("r", parent=base, alignment=2)
    story: list[Any] = [
        Paragraph(escape(doc.title), title),
        Paragraph(escape(f"编号：{doc.number}"), right),
        Spacer(1, 8),
    ]
    for block in doc.blocks:
        kind = block[0]
        if kind == "heading":
            story.append(Paragraph(escape(block[1]), head))
        elif kind == "line":
            story.append(Paragraph(f"<b>{escape(block[1])}：</b>{escape(block[2])}", base))
        elif kind == "para":
            story.append(Paragraph(escape(block[1]), body))
        elif kind == "terms":
            for i, term in enumerate(block[1] or [BLANK], start=1):
                story.append(Paragraph(escape(f"{i}. {term}"), base))
        elif kind == "sign":
            story.append(Spacer(1, 18))
            story += [Paragraph(escape(f"{label}：{BLANK}{BLANK}"), base) for label in block[1]]
        elif kind == "right":
            story.append(Paragraph(escape(block[1]), right))
    out = io.BytesIO()
    margin = 2.5 * cm
    SimpleDocTemplate(
        out, pagesize=A4, leftMargin=margin, rightMargin=margin, title=doc.title
    ).build(story)
    return out.getvalue()


def render(case: MediationCase, kind: str, fmt: str) -> bytes:
    """The document `kind` of the case as `fmt` ("docx" or "pdf")."""
    doc = build(case, kind)
    return render_pdf(doc) if fmt == "pdf" else render_docx(doc)
