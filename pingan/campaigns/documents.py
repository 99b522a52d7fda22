"""The closing report of a campaign (专项行动总结报告) as .docx (python-docx): the
campaign's period, areas and categories, each target with its actual value and rate, the
events by category and by town, the listed items, and the summary. Counts and names of
categories and towns only: no personal data."""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone

from pingan.access.actor import Actor, as_actor
from pingan.campaigns.models import Campaign
from pingan.campaigns.progress import progress
from pingan.campaigns.selectors import campaign_detail, events_by_category, events_by_town
from pingan.core import clock


def _day(value: Any) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def render_report(campaign: Campaign) -> bytes:
    """The report's bytes (.docx)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    d = Document()
    style = d.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")

    def para(text: str, *, size: float = 12, bold: bool = False, center: bool = False) -> None:
        p = d.add_paragraph()
        run = p.add_run(text)
        run.font.size = Pt(size)
        run.bold = bold
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def table(head: list[str], rows: list[list[str]]) -> None:
        t = d.add_table(rows=1, cols=len(head))
        t.style = "Table Grid"
        for cell, text in zip(t.rows[0].cells, head, strict=True):
            cell.text = text
        for row in rows:
            cells = t.add_row().cells
            for cell, text in zip(cells, row, strict=True):
                cell.text = text

    para(f"「{campaign.name}」专项行动总结报告", size=18, bold=True, center=True)
    para(f"行动类型：{campaign.get_kind_display()}")
    para(f"行动期间：{_day(campaign.starts_on)}至{_day(campaign.ends_on)}")
    areas = "、".join(r.name for r in campaign.areas.all()) or f"{campaign.region.name}全域"
    para(f"行动范围：{areas}")
    cats = "、".join(c.name for c in campaign.categories.all()) or "全部分类"
    para(f"事件分类：{cats}")
    para(f"状态：{campaign.get_status_display()}")
    if campaign.description:
        para("一、行动内容", size=14, bold=True)
        para(campaign.description)
    para("二、目标完成情况", size=14, bold=True)
    table(
        ["目标", "目标值", "完成值", "完成率"],
        [
            [
                t.label,
                str(t.target),
                "未填报" if t.actual is None else str(t.actual),
                t.text,
            ]
            for t in progress(campaign)
        ],
    )
    para("三、事件分类统计（件）", size=14, bold=True)
    by_cat = events_by_category(campaign)
    table(
        ["分类", "事件数", "已办结"],
        [[n, str(a), str(b)] for n, a, b in by_cat] or [["—", "0", "0"]],
    )
    para("四、各乡镇（街道）事件统计（件）", size=14, bold=True)
    by_town = events_by_town(campaign)
    table(
        ["乡镇（街道）", "事件数", "已办结"],
        [[n, str(a), str(b)] for n, a, b in by_town] or [["—", "0", "0"]],
    )
    listings = list(campaign.listings.select_related("unit_region", "unit_department"))
    if listings:
        para("五、挂牌整治", size=14, bold=True)
        table(
            ["名称", "责任单位", "整治期限", "状态"],
            [
                [x.name, x.unit_name, x.deadline.isoformat(), x.get_status_display()]
                for x in listings
            ],
        )
    para("六、总结", size=14, bold=True)
    for line in (campaign.summary or "（尚未总结）").splitlines():
        if line.strip():
            para(line.strip())
    para(f"生成时间：{timezone.localtime(clock.now()):%Y-%m-%d %H:%M}")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def campaign_report(*, actor: Actor | Any, campaign_id: int) -> tuple[bytes, str]:
    """The closing report of a campaign the actor sees, and its file name; audited."""
    actor = as_actor(actor)
    campaign = campaign_detail(actor=actor, campaign_id=campaign_id)
    data = render_report(campaign)
    actor.audit("campaign.report", object_type="campaign", object_id=campaign.pk)
    return data, f"{campaign.name}-总结报告.docx"
