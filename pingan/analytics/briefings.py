"""Briefings (简报): the figures of a region and period, written as the county writes them,
with sections and charts (rendered to .docx and PDF by `documents`), and the service that
writes, archives and audits one (`briefing_render`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.analytics import documents, kpis, mediation_figures, selectors
from pingan.analytics.kpis import check_period
from pingan.analytics.models import Briefing
from pingan.core import audit, clock
from pingan.core.errors import NotFound, invalid
from pingan.events.choices import DeadlineState, Source
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


def change_words(
    name: str,
    delta: float | None,
    *,
    withheld: str = "",
    complete: bool = True,
    noun: str = "同比",
) -> str:
    """A change in words: 「同比上升2.50个百分点」 for a rate, 「同比下降12.34%」 for a count;
    a withheld one said plainly: 「同比基期数据不完整」 (the earlier period starts before
    the data) or 「基期样本不足，不作同比」 (too few events then)."""
    if withheld:
        return f"{noun}基期数据不完整" if not complete else f"基期样本不足，不作{noun}"
    if delta is None:
        return f"{noun}无可比数据"
    if delta == 0:
        return f"{noun}持平"
    word = "上升" if delta > 0 else "下降"
    return noun + word + kpis.format_change(name, abs(delta)).lstrip("+")


def yoy_words(k: dict[str, Any], name: str) -> str:
    """同比 of scalar `name` of a KPI table, in words."""
    return change_words(
        name,
        k["yoy"].get(name),
        withheld=k["yoy_withheld"].get(name, ""),
        complete=k["yoy_complete"],
    )


def mom_words(k: dict[str, Any], name: str) -> str:
    """环比 of scalar `name`, in words ("" when the table has no period before)."""
    if not k.get("mom_period"):
        return ""
    return change_words(
        name,
        k["mom"].get(name),
        withheld=k["mom_withheld"].get(name, ""),
        complete=k["mom_complete"],
        noun="环比",
    )


def item_yoy_words(k: dict[str, Any], item: dict[str, Any], name: str = "total") -> str:
    """同比 of a category's or a source's figure (`by_category` / `by_source` item)."""
    return change_words(
        name,
        item["yoy"].get(name),
        withheld=item["yoy_withheld"].get(name, ""),
        complete=k["yoy_complete"],
    )


def item_change_cell(k: dict[str, Any], item: dict[str, Any], name: str = "total") -> str:
    """The same for a table cell: 「-12.34%」, or why there is none."""
    reason = item["yoy_withheld"].get(name, "")
    return reason or kpis.format_change(name, item["yoy"].get(name))


def rate_words(k: dict[str, Any], name: str) -> str:
    """「办结率95.20%（办结 958 / 受理 1006），同比上升2.50个百分点」."""
    label = _RATE_WORDS[name]
    text = f"{label}{kpis.format_value(name, k[name])}"
    parts = kpis.parts_text(name, k)
    if parts:
        text += f"（{parts}）"
    return f"{text}，{yoy_words(k, name)}"


# The rates as a briefing names them: 回访满意率 is the 回访 (follow-up call) satisfaction;
# 安全感满意率 is a survey figure the platform does not have and is never this one.
_RATE_WORDS = {
    "closure_rate": "办结率",
    "on_time_rate": "按期办结率",
    "satisfaction_rate": "回访满意率",
    "dispute_resolution_rate": "化解率",
    "repeat_rate": "重复报事率",
    "success_rate": "调解成功率",
    "mediation_rate": "调处率",
    "performance_rate": "协议履行率",
    "confirmation_rate": "司法确认率",
}
GRID_SOURCE = Source.GRID_PATROL


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
        # 大调解: the cases the mediation committees registered in the period.
        "mediation": mediation_figures.summary(
            user=user, region_id=region_id, date_from=date_from, date_to=date_to
        ),
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


def _grid_item(k: dict[str, Any]) -> dict[str, Any] | None:
    """The `by_source` item of what grid workers collected (source 网格巡查), if any."""
    return next((i for i in k["by_source"] if i["source"] == GRID_SOURCE), None)


def _join(*clauses: str) -> str:
    return "，".join(c for c in clauses if c)


def sections(
    *, region: Region, date_from: dt.date, date_to: dt.date, fig: dict[str, Any]
) -> list[dict[str, Any]]:
    """The briefing as sections: `{"heading", "paragraphs", "table"?, "chart"?}`; a table
    is `{"headers", "rows", "kinds"}` (documents.TEXT / NOWRAP / NUMBER per column).

    Words as the seeds use them: 「共受理登记各类事项N件」 is every channel, 「通过网格共
    排查录入信息N条」 only what grid workers collected (source 网格巡查); rates with their
    numerator and denominator and 同比 in 个百分点, counts with 同比 in %."""
    k = fig["kpis"]
    where, when = region_word(region), period_words(date_from, date_to)
    grid = _grid_item(k)
    grid_text = (
        f"其中通过网格共排查录入信息{grid['count']}条，{item_yoy_words(k, grid)}"
        if grid
        else "其中通过网格共排查录入信息0条"
    )
    overview = (
        _join(
            f"{when}，{where}共受理登记各类事项{k['total']}件",
            yoy_words(k, "total"),
            mom_words(k, "total"),
        )
        + f"；{grid_text}。"
        + _join(f"矛盾纠纷{k['dispute_total']}条", yoy_words(k, "dispute_total"))
        + "。"
    )
    closing = (
        f"受理{k['accepted']}件，已办结{k['closed']}件，{rate_words(k, 'closure_rate')}；"
        f"{rate_words(k, 'on_time_rate')}；{rate_words(k, 'satisfaction_rate')}；"
        f"矛盾纠纷受理{k['dispute_accepted']}件，化解{k['dispute_resolved']}件，"
        f"{rate_words(k, 'dispute_resolution_rate')}。"
    )
    avg, median = k["handle_days_avg"], k.get("handle_days_median")
    handling = (
        _join(
            f"平均处置用时{kpis.format_value('handle_days_avg', avg)}个工作日",
            yoy_words(k, "handle_days_avg"),
        )
        + (
            f"，中位数{kpis.format_value('handle_days_median', median)}个工作日"
            if median is not None
            else ""
        )
        + "；"
        if avg is not None
        else ""
    ) + f"重复报事{k['repeats']}条，重复报事率{kpis.format_rate(k['repeat_rate'])}。"
    paragraphs = [overview, closing, handling]
    mediation = _mediation_words(fig.get("mediation"))
    if mediation:
        paragraphs.append(mediation)
    cats = k["by_category"]
    cat_text = (
        "；".join(
            _join(
                f"{c['name']}{c['count']}条",
                item_yoy_words(k, c),
                f"办结率{kpis.format_rate(c['closure_rate'])}",
            )
            for c in cats[:6]
        )
        or "无"
    )
    # Shares of the categories' own sum (the same events as the total): never over 100%.
    cat_sum = sum(c["count"] for c in cats)
    out: list[dict[str, Any]] = [
        {
            "heading": "一、总体情况",
            "paragraphs": paragraphs,
            "chart": {
                "title": "受理与办结走势",
                "kind": "line",
                "labels": [
                    t["period"][5:] if len(t["period"]) > 7 else t["period"] for t in fig["trend"]
                ],
                "series": [
                    ("受理登记", [t["total"] for t in fig["trend"]]),
                    ("办结", [t["closed"] for t in fig["trend"]]),
                ],
            },
        },
        {
            "heading": "二、分类情况",
            "paragraphs": [f"从类别看，{cat_text}。"],
            "table": {
                "headers": ["类别", "数量", "占比", "同比", "办结率", "按期办结率", "回访满意率"],
                "kinds": [
                    documents.TEXT,
                    documents.NUMBER,
                    documents.NUMBER,
                    documents.TEXT,
                    documents.NUMBER,
                    documents.NUMBER,
                    documents.NUMBER,
                ],
                "rows": [
                    [
                        c["name"],
                        c["count"],
                        kpis.format_rate(kpis.rate(c["count"], cat_sum)),
                        item_change_cell(k, c),
                        kpis.format_rate(c["closure_rate"]),
                        kpis.format_rate(c["on_time_rate"]),
                        kpis.format_rate(c["satisfaction_rate"]),
                    ]
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
    sources = k["by_source"]
    out.append(
        {
            "heading": "三、来源情况",
            "paragraphs": [
                "从来源看，"
                + (
                    "；".join(
                        _join(
                            f"{i['name']}{i['count']}条",
                            item_yoy_words(k, i),
                            f"办结率{kpis.format_rate(i['closure_rate'])}",
                        )
                        for i in sources
                    )
                    or "无"
                )
                + "。"
            ],
            "table": {
                "headers": ["来源", "数量", "同比", "办结率", "按期办结率", "回访满意率"],
                "kinds": [
                    documents.TEXT,
                    documents.NUMBER,
                    documents.TEXT,
                    documents.NUMBER,
                    documents.NUMBER,
                    documents.NUMBER,
                ],
                "rows": [
                    [
                        i["name"],
                        i["count"],
                        item_change_cell(k, i),
                        kpis.format_rate(i["closure_rate"]),
                        kpis.format_rate(i["on_time_rate"]),
                        kpis.format_rate(i["satisfaction_rate"]),
                    ]
                    for i in sources
                ],
            },
        }
    )
    hot = fig["hot_spots"]
    out.append(
        {
            "heading": "四、热点区域",
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
            "heading": "五、超期与督办",
            "paragraphs": [
                f"截至目前，{where}在办超期事件{k['overdue']}条（统计口径内），"
                + ("请相关部门抓紧办理。" if k["overdue"] else "无超期积压。"),
                *_supervision_line(fig.get("supervision")),
            ],
            "table": {
                # 超期 counts natural days since the deadline (the deadline itself was set
                # in working days): not 个工作日.
                "headers": [
                    "事件编号",
                    "标题",
                    "区域",
                    "主办部门",
                    "办理期限",
                    "超期天数（自然日）",
                ],
                "kinds": [
                    documents.NOWRAP,
                    documents.TEXT,
                    documents.TEXT,
                    documents.TEXT,
                    documents.NOWRAP,
                    documents.NUMBER,
                ],
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
            "heading": "六、排名情况",
            "paragraphs": [
                "办结率排名：" + ("、".join(_region_rank(r) for r in by_rate[:10]) or "无") + "。",
                "部门退单情况："
                + (
                    "、".join(
                        f"{d['name']}退单{d['returned']}件（派遣{d['assigned']}件，"
                        f"退单率{kpis.format_rate(d['return_rate'])}）"
                        for d in depts[:10]
                    )
                    or "无"
                )
                + "。",
            ],
            "table": {
                "headers": ["区域", "受理登记", "受理", "办结", "办结率", "按期办结率", "在办超期"],
                "kinds": [documents.TEXT] + [documents.NUMBER] * 6,
                "rows": [
                    [
                        r["name"],
                        r["count"],
                        r.get("accepted", "—"),
                        r["closed"],
                        kpis.format_rate(r["closure_rate"]),
                        kpis.format_rate(r["on_time_rate"]),
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


def _mediation_words(m: dict[str, Any] | None) -> str:
    """大调解 in one paragraph: cases registered (同比), accepted and mediated to an end
    with 调处率, settled with 调解成功率, 协议履行率, judicial confirmation; "" when the
    region's committees registered nothing in the period."""
    if not m or not m["received"]:
        return ""
    return (
        _join(f"各级调解组织登记矛盾纠纷{m['received']}件", yoy_words(m, "received"))
        + f"；受理{m['accepted']}件，调解终结{m['mediated']}件，{rate_words(m, 'mediation_rate')}"
        + f"；调解成功{m['succeeded']}件，{rate_words(m, 'success_rate')}"
        + f"；{rate_words(m, 'performance_rate')}"
        + f"；申请司法确认{m['confirmation_requested']}件，确认有效{m['confirmed']}件。"
    )


def _region_rank(r: dict[str, Any]) -> str:
    """「武原街道（办结率98.97%，办结 958 / 受理 968）」: the rate with what it divides."""
    parts = kpis.parts_text("closure_rate", r) if r.get("accepted") is not None else ""
    return (
        f"{r['name']}（办结率{kpis.format_rate(r['closure_rate'])}"
        + (f"，{parts}" if parts else "")
        + "）"
    )


def title_of(region: Region, date_from: dt.date, date_to: dt.date) -> str:
    return f"{region.name}基层社会治理工作简报（{period_words(date_from, date_to)}）"


def heading_of(region: Region, date_from: dt.date, date_to: dt.date) -> str:
    """The title under the red header: 「2026年3月全县基层社会治理工作情况」."""
    return f"{period_words(date_from, date_to)}{region_word(region)}基层社会治理工作情况"


def masthead_name(region: Region) -> str:
    """The red 版头: 「海盐县基层社会治理工作简报」."""
    return f"{region.name}基层社会治理工作简报"


def issuer_of(region: Region) -> str:
    """The issuing body: `PINGAN_BRIEFING_ISSUER` when set, else the region's centre
    (「海盐县社会治理指挥中心」)."""
    return getattr(settings, "PINGAN_BRIEFING_ISSUER", "") or f"{region.name}社会治理指挥中心"


def date_words(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def next_issue(region: Region, year: int) -> int:
    """The next 期号 of `region` in `year` (call inside the transaction that saves it,
    with the region row locked)."""
    last = Briefing.objects.filter(region=region, issue_year=year).aggregate(n=Max("issue_no"))
    return (last["n"] or 0) + 1


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
    own region) and period (default: this month to date) as .docx or PDF under the red
    header with the next 期号 of the region and year, archive it with the figures it
    states, and audit it."""
    if fmt not in BRIEFING_FORMATS:
        raise invalid("format", _("格式应为 docx 或 pdf"))
    now = clock.now()
    today = timezone.localdate(now)
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
    issuer = issuer_of(region)
    render = documents.render_docx if fmt == "docx" else documents.render_pdf
    grid = _grid_item(fig["kpis"])
    with transaction.atomic():
        # One number per region and year: numbering waits for the region's row.
        Region.objects.select_for_update().filter(pk=region.pk).values_list("pk").first()
        number = next_issue(region, today.year)
        masthead = documents.Masthead(
            name=masthead_name(region),
            issue=f"{today.year}年第{number}期",
            issuer=issuer,
            date=date_words(today),
        )
        data = render(masthead, heading_of(region, date_from, date_to), parts)
        b = Briefing(
            title=title,
            region=region,
            date_from=date_from,
            date_to=date_to,
            format=fmt,
            figures={
                **{k: v for k, v in fig["kpis"].items() if k not in ("rows",)},
                "grid_collected": grid["count"] if grid else 0,
            },
            created_at=now,
            created_by=user if getattr(user, "pk", None) else None,
            issue_year=today.year,
            issue_no=number,
            issuer=issuer,
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
                "issue": b.issue_text,
            },
        )
    return b
