"""The registry of computed indicators' sources: key → function(ctx, unit, date_from,
date_to) → Value. Each reads the same selector, with the same calibre, as the page that
shows the figure (the dashboard for events, the mediation figures, the survey results,
the safety figures, the rectification counts), as the scheme's office would see it
(docs/assessment.md, "Sources")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from pingan.access.actor import Actor
from pingan.analytics import kpis, mediation_figures
from pingan.analytics import selectors as analytics
from pingan.assessment.rules import q2
from pingan.assessment.units import Unit
from pingan.events.supervision import supervision_list
from pingan.geo.models import Region
from pingan.geo.scope import within_q


@dataclass
class Value:
    """A source's answer: the value (a rate in percent, or a count), its numerator and
    denominator, and the source and calibre in words. `value` None: nothing to count
    (no denominator), or the source is not available."""

    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    is_rate: bool = False
    text: str = ""


@dataclass
class Context:
    """What one scoring run reads with: the office's actor (the scope the office's own
    pages use), the county, and caches so that one unit's figures are read once."""

    actor: Actor
    county: Region
    cache: dict[Any, Any] = field(default_factory=dict)

    def once(self, key: Any, fn: Callable[[], Any]) -> Any:
        if key not in self.cache:
            self.cache[key] = fn()
        return self.cache[key]


Fn = Callable[[Context, Unit, dt.date, dt.date], Value]


@dataclass(frozen=True)
class Source:
    key: str
    label: str  # msgid
    fn: Fn
    towns: bool = True
    departments: bool = False
    is_rate: bool = False


SOURCES: dict[str, Source] = {}


def register(
    key: str, label: str, *, towns: bool = True, departments: bool = False, is_rate: bool = False
) -> Callable[[Fn], Fn]:
    def wrap(fn: Fn) -> Fn:
        SOURCES[key] = Source(key, label, fn, towns, departments, is_rate)
        return fn

    return wrap


def choices() -> list[tuple[str, str]]:
    return [(s.key, _(s.label)) for s in SOURCES.values()]


def applies(key: str, unit: Unit) -> bool:
    s = SOURCES.get(key)
    return s is not None and (s.towns if unit.is_town else s.departments)


def read(ctx: Context, key: str, unit: Unit, date_from: dt.date, date_to: dt.date) -> Value:
    """The value of source `key` for the unit over the period (a source that does not
    apply to this kind of unit, or is unknown, answers no value with the reason)."""
    s = SOURCES.get(key)
    if s is None:
        return Value(None, text=_("未知数据来源：%(key)s") % {"key": key})
    if not applies(key, unit):
        return Value(None, text=_("该数据来源不适用于此类单位"))
    return s.fn(ctx, unit, date_from, date_to)


def _period(date_from: dt.date, date_to: dt.date) -> str:
    return f"{date_from.isoformat()}～{date_to.isoformat()}"


def _rate_value(rate: float | None, num: Any, den: Any, text: str) -> Value:
    return Value(
        None if rate is None else q2(Decimal(str(rate)) * 100),
        Decimal(num or 0),
        Decimal(den or 0),
        True,
        text,
    )


# ---- events: the dashboard's figures (analytics.selectors.summary) -------------------------


def event_figures(ctx: Context, unit: Unit, date_from: dt.date, date_to: dt.date) -> Any:
    """The dashboard's summary of the town for the period, as the office sees it."""
    return ctx.once(
        ("summary", unit.id, date_from, date_to),
        lambda: analytics.summary(
            user=ctx.actor, region_id=unit.id, date_from=date_from, date_to=date_to
        ),
    )


def department_figures(ctx: Context, date_from: dt.date, date_to: dt.date) -> Any:
    """The dashboard's per-department counts over the county (department_counts)."""

    def read() -> Any:
        basis = analytics.basis_for(ctx.actor, ctx.county.pk)
        return analytics.department_counts(basis, date_from, date_to)

    return ctx.once(("departments", date_from, date_to), read)


def _event_rate(name: str, dept_parts: tuple[str, str] | None) -> Fn:
    num_key, den_key = kpis.RATE_PARTS[name]

    def fn(ctx: Context, unit: Unit, date_from: dt.date, date_to: dt.date) -> Value:
        text = _("驾驶舱事件数据（%(label)s = %(num)s ÷ %(den)s，按上报日期，%(period)s）") % {
            "label": _(kpis.LABELS[name]),
            "num": _(kpis.PART_LABELS[num_key]),
            "den": _(kpis.PART_LABELS[den_key]),
            "period": _period(date_from, date_to),
        }
        if unit.is_town:
            f = event_figures(ctx, unit, date_from, date_to)
            return _rate_value(f[name], f[num_key], f[den_key], text)
        assert dept_parts is not None
        c = department_figures(ctx, date_from, date_to).get(unit.id, {})
        num, den = c.get(dept_parts[0], 0), c.get(dept_parts[1], 0)
        return _rate_value(kpis.rate(num, den), num, den, text + _("，牵头处置部门"))

    return fn


register("closure_rate", gettext_noop("办结率"), departments=True, is_rate=True)(
    _event_rate("closure_rate", ("closed", "accepted"))
)
register("on_time_rate", gettext_noop("按期办结率"), departments=True, is_rate=True)(
    _event_rate("on_time_rate", ("on_time", "timed"))
)
register("satisfaction_rate", gettext_noop("回访满意率"), is_rate=True)(
    _event_rate("satisfaction_rate", None)
)
register("dispute_resolution_rate", gettext_noop("矛盾纠纷化解率"), is_rate=True)(
    _event_rate("dispute_resolution_rate", None)
)


@register("overdue_events", gettext_noop("在办超期事件数"))
def overdue_events(ctx: Context, unit: Unit, date_from: dt.date, date_to: dt.date) -> Value:
    f = event_figures(ctx, unit, date_from, date_to)
    text = _("驾驶舱事件数据（在办超期量：期内上报、仍在办且已超办理期限，%(period)s）") % {
        "period": _period(date_from, date_to)
    }
    return Value(Decimal(f["overdue"] or 0), text=text)


def _day_bounds(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


@register("supervised_events", gettext_noop("督办件数"), departments=True)
def supervised_events(ctx: Context, unit: Unit, date_from: dt.date, date_to: dt.date) -> Value:
    """Supervision orders (督办件) issued in the period on the town's events, or addressed
    to the department: the supervision list's rows (events.supervision)."""
    start, end = _day_bounds(date_from, date_to)
    qs = supervision_list(ctx.actor).filter(issued_at__gte=start, issued_at__lt=end)
    if unit.is_town:
        qs = qs.filter(within_q("region_path", [unit.path]))
    else:
        qs = qs.filter(department_id=unit.id)
    text = _("督办件列表（期内下发的督办件，%(period)s）") % {"period": _period(date_from, date_to)}
    return Value(Decimal(qs.count()), text=text)


# ---- mediation: the mediation figures' 调解成功率 -------------------------------------------


@register("mediation_success_rate", gettext_noop("调解成功率"), is_rate=True)
def mediation_success_rate(ctx: Context, unit: Unit, date_from: dt.date, date_to: dt.date) -> Value:
    f = ctx.once(
        ("mediation", unit.id, date_from, date_to),
        lambda: mediation_figures.summary(
            user=ctx.actor, region_id=unit.id, date_from=date_from, date_to=date_to
        ),
    )
    text = _("调解统计（调解成功率 = 调解成功 ÷ 调解终结，按登记日期，%(period)s）") % {
        "period": _period(date_from, date_to)
    }
    return _rate_value(f["success_rate"], f["succeeded"], f["mediated"], text)


# ---- the other issue-21 apps (surveys, safety, rectification) ------------------------------


@register("security_rate", gettext_noop("安全感满意率"), is_rate=True)
def security_rate(ctx: Context, unit: Unit, date_from: dt.date, date_to: dt.date) -> Value:
    """安全感满意率 from the security questionnaires answered in the period in the town."""
    from pingan.surveys.selectors import headline_rate

    positive, answers = headline_rate(
        kind="security", region_id=unit.id, date_from=date_from, date_to=date_to
    )
    text = _("安全感满意率调查（满意及基本满意 ÷ 有效答卷，%(period)s）") % {
        "period": _period(date_from, date_to)
    }
    return _rate_value(kpis.rate(positive, answers), positive, answers, text)


@register("zero_growth", gettext_noop("安全生产三个零增长"))
def zero_growth(ctx: Context, unit: Unit, date_from: dt.date, date_to: dt.date) -> Value:
    """1 when accidents, deaths and direct losses of the year to the period's month are
    none above the same months of the year before, else 0."""
    from pingan.safety.selectors import zero_growth as figures

    f = figures(region_id=unit.id, year=date_to.year, month_to=date_to.month)
    parts = "；".join(
        _("%(name)s %(now)s（上年同期 %(before)s）")
        % {"name": name, "now": f[key]["now"], "before": f[key]["before"]}
        for key, name in (
            ("accidents", _("事故起数")),
            ("deaths", _("死亡人数")),
            ("loss", _("直接经济损失")),
        )
    )
    text = _("安全生产统计（%(year)s年1—%(month)s月，与上年同期比：%(parts)s）") % {
        "year": date_to.year,
        "month": date_to.month,
        "parts": parts,
    }
    return Value(Decimal(1 if f["achieved"] else 0), text=text)


def _orders(ctx: Context, unit: Unit, date_from: dt.date, date_to: dt.date) -> dict[str, int]:
    from pingan.rectification.selectors import order_counts

    def read() -> dict[str, int]:
        ids: dict[str, Any] = {"unit_region_id": None, "unit_department_id": None}
        ids["unit_region_id" if unit.is_town else "unit_department_id"] = unit.id
        return dict(order_counts(**ids, date_from=date_from, date_to=date_to))

    return ctx.once(("orders", unit.key, date_from, date_to), read)  # type: ignore[no-any-return]


@register("rectification_overdue", gettext_noop("整改逾期数"), departments=True)
def rectification_overdue(ctx: Context, unit: Unit, date_from: dt.date, date_to: dt.date) -> Value:
    c = _orders(ctx, unit, date_from, date_to)
    text = _("整改通知（期内逾期未销号的整改通知，下发 %(issued)s 件，%(period)s）") % {
        "issued": c.get("issued", 0),
        "period": _period(date_from, date_to),
    }
    return Value(Decimal(c.get("overdue", 0)), text=text)


@register("failed_rechecks", gettext_noop("复查未通过数"), departments=True)
def failed_rechecks(ctx: Context, unit: Unit, date_from: dt.date, date_to: dt.date) -> Value:
    c = _orders(ctx, unit, date_from, date_to)
    text = _("整改通知（期内复查未通过次数，%(period)s）") % {"period": _period(date_from, date_to)}
    return Value(Decimal(c.get("failed_rechecks", 0)), text=text)
