"""Briefings (简报): the figures of a region and period, written as the county writes them,
with sections and charts (rendered to .docx and PDF by `documents`), and the service that
writes, archives and audits one (`briefing_render`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.analytics import documents, selectors
from pingan.analytics.kpis import check_period
from pingan.analytics.models import Briefing
from pingan.core import audit, clock
from pingan.core.errors import NotFound, invalid
from pingan.events.choices import DeadlineState
from pingan.events.models import Event
from pingan.events.partitions import keys_q
from pingan.events.permissions import event_scope_q
from pingan.events.selectors import EventFilters, apply_filters
from pingan.events.supervision import supervision_counts
from pingan.geo.choices import Level
from pingan.geo.models import Region

# ---- words --------------------------------------------------------------------------


def region_word(region: Region | None) -> str:
    """全县 / 全镇 / 全街道 / 全村 / 全社区 / 本网格 …"""
    if region is None:
        return "全域"
    name = region.name
    if region.level == Level.GRID:
        return "本网格"
    for suffix in ("街道", "社区", "县", "市", "区", "镇", "乡", "村"):
        if name.endswith(suffix):
            return "全" + suffix
    return name


def period_words(date_from: dt.date, date_to: dt.date) -> str:
    """2026年1—10月 / 2026年3月 / 2026年3月5日至4月2日 / 2025年12月至2026年2月."""
    month_end = (date_to + dt.timedelta(days=1)).day == 1
    if date_from.day == 1 and month_end:
        if date_from.year == date_to.year:
            if date_from.month == date_to.month:
                return f"{date_from.year}年{date_from.month}月"
            return f"{date_from.year}年{date_from.month}—{date_to.month}月"
        return f"{date_from.year}年{date_from.month}月至{date_to.year}年{date_to.month}月"
    if date_from.year == date_to.year:
        return (
            f"{date_from.year}年{date_from.month}月{date_from.day}日至"
            f"{date_to.month}月{date_to.day}日"
        )
    a = f"{date_from.year}年{date_from.month}月{date_from.day}日"
    return f"{a}至{date_to.year}年{date_to.month}月{date_to.day}日"


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.2f}%"


def trend_words(change: float | None, noun: str = "同比") -> str:
    if change is None:
        return f"{noun}无可比数据"
    if change > 0:
        return f"{noun}上升{change:.2f}%"
    if change < 0:
        return f"{noun}下降{-change:.2f}%"
    return f"{noun}持平"


# ---- figures ------------------------------------------------------------------------


def briefing_figures(
    *, user: Any, region_id: int, date_from: dt.date, date_to: dt.date
) -> dict[str, Any]:
    """Everything a briefing says, from the KPI module (the numbers are the module's)."""
    k = selectors.kpi_table(user=user, region_id=region_id, date_from=date_from, date_to=date_to)
    basis = selectors.basis_for(user, region_id)
    regions = selectors.region_breakdown(
        user=user, region_id=region_id, date_from=date_from, date_to=date_to
    )
    hot = list(
        selectors._between(basis.facts(), date_from, date_to)
        .values("region_path")
        .annotate(count=Count("pk"))
        .order_by("-count", "region_path")[:5]
    )
    codes = [p["region_path"].rstrip("/").rsplit("/", 1)[-1] for p in hot]
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    hot_spots = [
        {"name": names.get(c, c), "count": p["count"]} for c, p in zip(codes, hot, strict=True)
    ]
    overdue = _overdue_events(user, basis, date_from, date_to)
    path = Region.objects.filter(pk=region_id).values_list("path", flat=True).first() or ""
    return {
        # 督办件 open now (and past their reply deadline), on events in the region.
        "supervision": supervision_counts(user, within=path),
        "kpis": k,
        "regions": regions,
        "hot_spots": hot_spots,
        "overdue_events": overdue,
        "trend": selectors.trend(
            user=user, region_id=region_id, date_from=date_from, date_to=date_to
        ),
    }


def _overdue_events(
    user: Any,
    basis: selectors.Basis,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    limit: int = 10,
) -> list[dict[str, Any]]:
    """The events the overdue figure counts (open, marked red by the deadline sweeper,
    reported in the period, in the region), longest overdue first: the event list with
    `deadline_mark=overdue` and the same region and period."""
    filters = EventFilters(
        region=basis.region.pk if basis.region is not None else None,
        reported_from=date_from,
        reported_to=date_to,
        deadline_mark=DeadlineState.OVERDUE,
    )
    qs = apply_filters(Event.objects.filter(event_scope_q(user)), filters)
    now = clock.now()
    # The ids first (no joins before the sort: PostgreSQL would join every overdue event
    # of the region), then those events by their months.
    ids = list(
        qs.order_by(F("due_at").asc(nulls_last=True), "pk").values_list("pk", flat=True)[:limit]
    )
    found = {
        e.pk: e
        for e in Event.objects.filter(keys_q(ids)).select_related("lead_department", "region")
    }
    return [
        {
            "id": e.pk,
            "code": e.code,
            "title": e.title,
            "region": e.region.name,
            "department": e.lead_department.name if e.lead_department else "",
            "due_at": timezone.localtime(e.due_at).strftime("%Y-%m-%d %H:%M") if e.due_at else "",
            "days": round((now - e.due_at).total_seconds() / 86400, 1) if e.due_at else "",
        }
        for e in (found[pk] for pk in ids if pk in found)
    ]


def _supervision_line(counts: Any) -> list[str]:
    """The 督办件 sentence of section 四 (none when the figures carry no counts)."""
    if counts is None:
        return []
    return [
        f"督办件待回复{counts.open}件，其中超过回复期限{counts.overdue}件"
        + ("，请被督办部门及时回复。" if counts.overdue else "。")
    ]


def sections(
    *, region: Region, date_from: dt.date, date_to: dt.date, fig: dict[str, Any]
) -> list[dict[str, Any]]:
    """The briefing as sections: `{"heading", "paragraphs", "table"?, "chart"?}`."""
    k = fig["kpis"]
    where, when = region_word(region), period_words(date_from, date_to)
    overview = (
        f"{when}，{where}通过网格共排查录入信息{k['total']}条，{trend_words(k['yoy']['total'])}，"
        f"其中矛盾纠纷{k['dispute_total']}条，{trend_words(k['yoy']['dispute_total'])}。"
        f"已办结{k['closed']}条，办结率{pct(k['closure_rate'])}，按期办结率{pct(k['on_time_rate'])}，"
        f"群众满意率{pct(k['satisfaction_rate'])}；矛盾纠纷化解率{pct(k['dispute_resolution_rate'])}。"
    )
    avg = k["handle_days_avg"]
    handling = (
        f"平均处置用时{avg:.2f}个工作日，中位数{(k['handle_days_median'] or 0):.2f}个工作日；"
        if avg is not None
        else ""
    ) + f"重复报事{k['repeats']}条，重复报事率{pct(k['repeat_rate'])}。"
    cats = k["by_category"]
    cat_text = "；".join(f"{c['name']}{c['count']}条" for c in cats[:6]) or "无"
    out: list[dict[str, Any]] = [
        {
            "heading": "一、总体情况",
            "paragraphs": [overview, handling],
            "chart": {
                "title": "受理与办结走势",
                "kind": "line",
                "labels": [
                    t["period"][5:] if len(t["period"]) > 7 else t["period"] for t in fig["trend"]
                ],
                "series": [
                    ("受理", [t["total"] for t in fig["trend"]]),
                    ("办结", [t["closed"] for t in fig["trend"]]),
                ],
            },
        },
        {
            "heading": "二、分类情况",
            "paragraphs": [f"从类别看，{cat_text}。"],
            "table": {
                "headers": ["类别", "数量", "占比"],
                "rows": [
                    [c["name"], c["count"], pct(c["count"] / k["total"] if k["total"] else None)]
                    for c in cats
                ],
            },
            "chart": {
                "title": "分类数量",
                "kind": "bar",
                "labels": [c["name"] for c in cats[:8]],
                "series": [("数量", [c["count"] for c in cats[:8]])],
            },
        },
    ]
    hot = fig["hot_spots"]
    out.append(
        {
            "heading": "三、热点区域",
            "paragraphs": [
                "报事数量居前的网格（区域）："
                + ("、".join(f"{h['name']}（{h['count']}条）" for h in hot) or "无")
                + "。"
            ],
        }
    )
    od = fig["overdue_events"]
    out.append(
        {
            "heading": "四、超期与督办",
            "paragraphs": [
                f"截至目前，{where}在办超期事件{k['overdue']}条（统计口径内），"
                + ("请相关部门抓紧办理。" if k["overdue"] else "无超期积压。"),
                *_supervision_line(fig.get("supervision")),
            ],
            "table": {
                "headers": ["事件编号", "标题", "区域", "主办部门", "办理期限", "超期天数"],
                "rows": [
                    [e["code"], e["title"], e["region"], e["department"], e["due_at"], e["days"]]
                    for e in od
                ],
            }
            if od
            else None,
        }
    )
    ranking = [r for r in fig["regions"] if r["count"]]
    by_rate = sorted(ranking, key=lambda r: (-(r["closure_rate"] or 0), -r["count"]))
    depts = k["returns_by_department"]
    out.append(
        {
            "heading": "五、排名情况",
            "paragraphs": [
                "办结率排名："
                + (
                    "、".join(f"{r['name']}（{pct(r['closure_rate'])}）" for r in by_rate[:10])
                    or "无"
                )
                + "。",
                "部门退单情况："
                + (
                    "、".join(
                        f"{d['name']}退单{d['returned']}件（{pct(d['return_rate'])}）"
                        for d in depts[:10]
                    )
                    or "无"
                )
                + "。",
            ],
            "table": {
                "headers": ["区域", "数量", "办结", "办结率", "按期办结率", "在办超期"],
                "rows": [
                    [
                        r["name"],
                        r["count"],
                        r["closed"],
                        pct(r["closure_rate"]),
                        pct(r["on_time_rate"]),
                        r["overdue"],
                    ]
                    for r in by_rate
                ],
            }
            if by_rate
            else None,
        }
    )
    return out


def title_of(region: Region, date_from: dt.date, date_to: dt.date) -> str:
    return f"{region.name}基层社会治理工作简报（{period_words(date_from, date_to)}）"


# ---- the service ----------------------------------------------------------------------

BRIEFING_FORMATS = ("docx", "pdf")


def briefing_render(
    *,
    user: Any,
    region_id: int | None,
    date_from: dt.date | None,
    date_to: dt.date | None,
    fmt: str = "docx",
    request: Any = None,
) -> Briefing:
    """Write the briefing of a region (one inside the caller's own regions; default their
    own region) and period (default: this month to date) as .docx or PDF, archive it with
    the figures it states, and audit it."""
    if fmt not in BRIEFING_FORMATS:
        raise invalid("format", _("格式应为 docx 或 pdf"))
    today = timezone.localdate(clock.now())
    check_period(date_from, date_to)
    date_to = date_to or today
    date_from = date_from or date_to.replace(day=1)
    check_period(date_from, date_to)
    basis = selectors.basis_for(user, region_id)
    if basis.empty or not basis.rollup or basis.region is None:
        raise NotFound(_("区划不存在"))
    region = basis.region
    fig = briefing_figures(user=user, region_id=region.pk, date_from=date_from, date_to=date_to)
    parts = sections(region=region, date_from=date_from, date_to=date_to, fig=fig)
    title = title_of(region, date_from, date_to)
    now = clock.now()
    subtitle = f"{region.name}社会治理指挥中心　{now.year}年{now.month}月{now.day}日"
    render = documents.render_docx if fmt == "docx" else documents.render_pdf
    data = render(title, subtitle, parts)
    with transaction.atomic():
        b = Briefing(
            title=title,
            region=region,
            date_from=date_from,
            date_to=date_to,
            format=fmt,
            figures={k: v for k, v in fig["kpis"].items() if k not in ("rows",)},
            created_at=now,
            created_by=user if getattr(user, "pk", None) else None,
        )
        b.file.save(
            f"briefing-{region.code}-{date_from:%Y%m%d}-{date_to:%Y%m%d}.{fmt}",
            ContentFile(data),
            save=False,
        )
        b.save()
        audit.record(
            action="analytics.briefing",
            actor=user,
            object_type="briefing",
            object_id=b.pk,
            request=request,
            detail={
                "region": region.pk,
                "from": date_from.isoformat(),
                "to": date_to.isoformat(),
                "format": fmt,
            },
        )
    return b
