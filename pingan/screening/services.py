"""Writes of the screening app: generating and closing rounds, a unit's report, an item's
disposition (an event through `events.reporting.event_report`, a mediation case through
`mediation.services.mediation_case_create`) and the due-date reminders. Every write is one
transaction; the reminders are sent by a task after commit. docs/screening.md."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from pingan.access.actor import Actor, as_actor
from pingan.cases.fields import text as _text
from pingan.core import clock
from pingan.core.errors import Conflict, Forbidden, NotFound, invalid
from pingan.events.choices import Source, Urgency
from pingan.events.models import Category, Event
from pingan.events.permissions import access_event
from pingan.events.reporting import event_report, own_report_paths
from pingan.geo.choices import Level
from pingan.geo.models import Region
from pingan.geo.scope import within, within_q
from pingan.mediation.choices import Channel, DisputeKind
from pingan.mediation.permissions import access_case
from pingan.mediation.services import mediation_case_create
from pingan.screening import periods
from pingan.screening.choices import (
    Disposition,
    ItemKind,
    ReportStatus,
    RiskLevel,
    RoundStatus,
)
from pingan.screening.models import ScreeningItem, ScreeningReport, ScreeningRound
from pingan.screening.periods import today
from pingan.screening.permissions import (
    access_item,
    access_round,
    can_dispose,
    reporting_units,
)

MAX_ITEMS = 100
MAX_PARTIES_COUNT = 100_000
CLOSE_AFTER_DAYS = 7

__all__ = [
    "Generated",
    "daily",
    "item_dispose",
    "report_submit",
    "rounds_close",
    "rounds_generate",
]


def close_after_days() -> int:
    return int(getattr(settings, "PINGAN_SCREENING_CLOSE_AFTER_DAYS", CLOSE_AFTER_DAYS))


# ---- rounds ------------------------------------------------------------------------------


@dataclass
class Generated:
    rounds: int = 0
    reports: int = 0
    closed: int = 0
    reminded: int = 0


def rounds_generate(*, on: dt.date | None = None, since: dt.date | None = None) -> Generated:
    """Make the rounds of every screened level for every county, for the periods from the
    one holding `since` (default: `on`) to the one holding `on` (default: today), and a
    pending report for each unit of the level in open rounds. Idempotent: what exists is
    left as it is; a unit added since gets its report in the open rounds."""
    on = on or today()
    since = min(since or on, on)
    out = Generated()
    now = clock.now()
    for county in Region.objects.filter(level=Level.COUNTY).order_by("path"):
        for rule in periods.level_rules():
            units = list(
                Region.objects.filter(within_q("path", [county.path]), level=rule.level)
                .order_by("path")
                .only("pk", "path")
            )
            for start, end in periods.periods_between(rule.frequency, since, on):
                with transaction.atomic():
                    found, created = ScreeningRound.objects.get_or_create(
                        region=county,
                        level=rule.level,
                        period_start=start,
                        defaults={
                            "frequency": rule.frequency,
                            "period_end": end,
                            "due_on": periods.due_on(start, end, rule.due_workdays_after),
                            "created_at": now,
                        },
                    )
                    out.rounds += int(created)
                    if found.status != RoundStatus.OPEN:
                        continue
                    have = set(found.reports.values_list("unit_id", flat=True))
                    new = [
                        ScreeningReport(round=found, unit=u, region_path=u.path)
                        for u in units
                        if u.pk not in have
                    ]
                    ScreeningReport.objects.bulk_create(new, ignore_conflicts=True)
                    out.reports += len(new)
    return out


def rounds_close(*, on: dt.date | None = None) -> int:
    """Close the open rounds whose due date lies more than the allowed days before `on`
    (`PINGAN_SCREENING_CLOSE_AFTER_DAYS`, default 7): their reports are final."""
    on = on or today()
    last_due = on - dt.timedelta(days=close_after_days())
    return ScreeningRound.objects.filter(status=RoundStatus.OPEN, due_on__lt=last_due).update(
        status=RoundStatus.CLOSED, closed_at=clock.now()
    )


def due_reminders(*, on: dt.date | None = None) -> list[int]:
    """Mark the reports still pending on their round's due date `on` as reminded and have
    the task tell their units' people after commit; returns the reports' ids."""
    from pingan.screening.tasks import screening_remind

    on = on or today()
    with transaction.atomic():
        ids = list(
            ScreeningReport.objects.select_for_update()
            .filter(
                status=ReportStatus.PENDING,
                reminded_at__isnull=True,
                round__status=RoundStatus.OPEN,
                round__due_on=on,
            )
            .values_list("pk", flat=True)
        )
        if ids:
            ScreeningReport.objects.filter(pk__in=ids).update(reminded_at=clock.now())
            transaction.on_commit(lambda: screening_remind.enqueue(ids))
    return ids


def daily(*, on: dt.date | None = None, since: dt.date | None = None) -> Generated:
    """The daily run: generate the current rounds, close the old ones, remind the units
    whose reports are due today."""
    on = on or today()
    out = rounds_generate(on=on, since=since)
    out.closed = rounds_close(on=on)
    out.reminded = len(due_reminders(on=on))
    return out


# ---- reports -----------------------------------------------------------------------------


def _choice(item: dict[str, Any], name: str, at: str, values: list[str], label: str) -> str:
    value = item.get(name)
    if value not in values:
        raise invalid(
            at + name,
            gettext("%(label)s不正确，可选：%(values)s")
            % {"label": label, "values": "、".join(values)},
        )
    return str(value)


def _items(raw: Any) -> list[dict[str, Any]]:
    """The items of a report, validated: 422 naming `items[i].field` otherwise."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise invalid("items", gettext("事项格式不正确"))
    if len(raw) > MAX_ITEMS:
        raise invalid("items", gettext("事项过多（最多%(n)d条）") % {"n": MAX_ITEMS})
    out: list[dict[str, Any]] = []
    for i, item in enumerate(raw):
        at = f"items[{i}]."
        if not isinstance(item, dict):
            raise invalid(f"items[{i}]", gettext("事项格式不正确"))
        kind = _choice(item, "kind", at, ItemKind.values, gettext("类别"))
        summary = _text(
            {at + "summary": item.get("summary")},
            at + "summary",
            gettext("简要情况"),
            max_len=2000,
        )
        place = _text(
            {at + "place": item.get("place")},
            at + "place",
            gettext("地点"),
            required=False,
            max_len=200,
        )
        risk = _choice(item, "risk_level", at, RiskLevel.values, gettext("风险等级"))
        count = item.get("parties_count", 0)
        if count in (None, ""):
            count = 0
        try:
            number = int(count)
        except (TypeError, ValueError):
            raise invalid(at + "parties_count", gettext("涉及人数应为整数")) from None
        if (isinstance(count, float) and count != number) or not 0 <= number <= MAX_PARTIES_COUNT:
            raise invalid(at + "parties_count", gettext("涉及人数应为0到100000的整数"))
        item_id = item.get("id")
        if item_id not in (None, ""):
            try:
                item_id = int(item_id)
            except (TypeError, ValueError):
                raise invalid(at + "id", gettext("事项ID不正确")) from None
        out.append(
            {
                "id": item_id or None,
                "kind": kind,
                "summary": summary,
                "place": place,
                "risk_level": risk,
                "parties_count": number,
            }
        )
    return out


def _report_of(actor: Actor, found: ScreeningRound, unit: Any) -> ScreeningReport:
    units = reporting_units(actor)
    if not units:
        raise Forbidden(gettext("当前角色不能报送排查报告"))
    mine = list(found.reports.filter(unit_id__in=units).select_related("unit"))
    if unit not in (None, ""):
        try:
            unit_id = int(unit)
        except (TypeError, ValueError):
            raise invalid("unit", gettext("报送单位不正确（请传区划ID）")) from None
        chosen = next((r for r in mine if r.unit_id == unit_id), None)
        if chosen is None:
            if found.reports.filter(unit_id=unit_id).exists():
                raise Forbidden(gettext("您不能代该单位报送"))
            raise invalid("unit", gettext("该单位不在本轮排查范围内"))
        return chosen
    if not mine:
        raise Forbidden(gettext("您不负责本轮排查的任何单位"))
    if len(mine) > 1:
        raise invalid("unit", gettext("请选择报送单位"))
    return mine[0]


def report_submit(
    *,
    actor: Actor | Any,
    round_id: int,
    none_found: Any,
    items: Any = None,
    unit: Any = None,
    note: str = "",
) -> ScreeningReport:
    """Submit (or, while the round is open, update) a unit's report as `actor`: "none
    found", or its items. Items sent with the `id` of one of the report's items update it
    (if it is not disposed of yet); items without one are added; the report's undisposed
    items not sent are removed; disposed ones always stay. 404 round out of scope, 403 not
    the unit's people, 409 round closed, 422 bad fields."""
    actor = as_actor(actor)
    found = access_round(actor, round_id)
    report = _report_of(actor, found, unit)
    if not isinstance(none_found, bool):
        raise invalid("none_found", gettext("请说明本期是否发现矛盾纠纷（true/false）"))
    clean = _items(items)
    note = _text({"note": note}, "note", gettext("说明"), required=False, max_len=500)
    if none_found and clean:
        raise invalid("items", gettext("选择“无”时不能填写事项"))
    if not none_found and not clean:
        raise invalid("items", gettext("请填写排查发现的事项，或选择“无”"))
    now = clock.now()
    with transaction.atomic():
        locked = ScreeningRound.objects.select_for_update().get(pk=found.pk)
        if locked.status != RoundStatus.OPEN:
            raise Conflict(gettext("本轮排查已结束，不能再报送或修改"))
        report = ScreeningReport.objects.select_for_update().get(pk=report.pk)
        existing = {i.pk: i for i in report.items.all()}
        disposed = {pk for pk, i in existing.items() if i.disposition != Disposition.PENDING}
        if none_found and disposed:
            raise invalid("none_found", gettext("本报告已有事项转为事件或调解案件，不能改报“无”"))
        kept: set[int] = set()
        for n, row in enumerate(clean):
            item_id = row.pop("id")
            if item_id is None:
                ScreeningItem.objects.create(report=report, created_at=now, **row)
                continue
            if item_id not in existing:
                raise invalid(f"items[{n}].id", gettext("该事项不属于本报告"))
            kept.add(item_id)
            if item_id in disposed:
                continue  # what was made of it stands; its text with it
            current = existing[item_id]
            for name, value in row.items():
                setattr(current, name, value)
            current.save(update_fields=list(row))
        stale = [pk for pk in existing if pk not in kept and pk not in disposed]
        ScreeningItem.objects.filter(pk__in=stale).delete()
        first = report.first_submitted_at is None
        report.status = ReportStatus.SUBMITTED
        report.none_found = none_found
        report.note = note
        report.submitted_by = actor.user
        report.submitted_at = now
        if first:
            report.first_submitted_at = now
            report.late = timezone.localdate(now) > locked.due_on
        report.save()
        actor.audit(
            "screening.report",
            object_type="screening_report",
            object_id=report.pk,
            detail={
                "round": locked.pk,
                "unit": report.unit_id,
                "none_found": none_found,
                "items": len(clean),
                "update": not first,
                "late": report.late,
            },
        )
    return report


# ---- dispositions ------------------------------------------------------------------------


def _region_for(actor: Actor, unit: Region, value: Any) -> Region:
    """Where the event or case is placed: the region asked for (inside the unit), else the
    reporter's own grid inside the unit (grid staff report in their grids), else the unit."""
    if value not in (None, ""):
        try:
            chosen = Region.objects.filter(pk=int(value)).first()
        except (TypeError, ValueError):
            chosen = None
        if chosen is None:
            raise invalid("region", gettext("区划不存在（请传区划ID）"))
        if not within(chosen.path, (unit.path,)):
            raise invalid("region", gettext("所选区划不在报送单位范围内"))
        return chosen
    own = own_report_paths(actor)
    if own:
        grids = [p for p in own if within(p, (unit.path,))]
        if len(grids) == 1:
            found = Region.objects.filter(path=grids[0]).first()
            if found is not None:
                return found
    return unit


def _category(value: Any) -> Category:
    if value in (None, ""):
        code = getattr(settings, "PINGAN_SCREENING_EVENT_CATEGORY", "")
        found = Category.objects.filter(code=code, is_active=True).first() if code else None
        if found is None:
            raise invalid("category", gettext("请选择事件分类"))
        return found
    try:
        found = Category.objects.filter(pk=int(value), is_active=True).first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise invalid("category", gettext("分类不存在"))
    return found


def _description(item: ScreeningItem) -> str:
    parts = [item.summary]
    if item.place:
        parts.append(gettext("地点：%(place)s") % {"place": item.place})
    if item.parties_count:
        parts.append(gettext("涉及人数：%(n)d") % {"n": item.parties_count})
    parts.append(
        gettext("（%(round)s 矛盾纠纷排查发现，风险等级：%(risk)s）")
        % {"round": item.report.round, "risk": item.get_risk_level_display()}
    )
    return "\n".join(parts)


def item_dispose(
    *, actor: Actor | Any, item_id: int, disposition: str, payload: dict[str, Any] | None = None
) -> ScreeningItem:
    """Decide what becomes of an item as `actor`: `event` (payload: category, optional
    region and the category's extra fields), `mediation` (payload: parties, optional
    dispute_kind, region, amount) or `handled` (payload: note, optional event or case it
    is handled in). 404 out of scope, 403 not the unit's people nor a dispatcher over it,
    409 already disposed of, 422 bad fields; the event or case is created in the same
    transaction."""
    actor = as_actor(actor)
    payload = payload or {}
    item = access_item(actor, item_id)
    report = item.report
    if not can_dispose(actor, report):
        raise Forbidden(gettext("您不能处置该排查事项"))
    if disposition not in (Disposition.EVENT, Disposition.MEDIATION, Disposition.HANDLED):
        raise invalid("disposition", gettext("处置方式应为 event、mediation 或 handled"))
    with transaction.atomic():
        item = ScreeningItem.objects.select_for_update().get(pk=item.pk)
        item.report = report
        if item.disposition != Disposition.PENDING:
            raise Conflict(gettext("该事项已处置"))
        detail: dict[str, Any] = {"disposition": disposition}
        if disposition == Disposition.EVENT:
            event, _created = event_report(
                actor=actor,
                category=_category(payload.get("category")),
                description=_description(item),
                source=Source.OTHER,  # found by screening, not on a patrol
                urgency=Urgency.URGENT if item.risk_level == RiskLevel.HIGH else Urgency.NORMAL,
                region=_region_for(actor, report.unit, payload.get("region")),
                address=item.place,
                extra=payload.get("extra"),
            )
            item.event = event
            detail["event"] = event.pk
        elif disposition == Disposition.MEDIATION:
            case, _created = mediation_case_create(
                actor=actor,
                summary=item.summary,
                region=_region_for(actor, report.unit, payload.get("region")),
                parties=payload.get("parties") or [],
                channel=Channel.OTHER,
                dispute_kind=payload.get("dispute_kind") or DisputeKind.OTHER,
                amount=payload.get("amount"),
            )
            item.case = case
            detail["case"] = case.pk
        else:
            item.handled_note = _text(
                payload, "note", gettext("处理情况"), required=True, max_len=500
            )
            item.event, item.case = _handled_in(actor, payload)
            detail.update(event=item.event_id, case=item.case_id)
        item.disposition = disposition
        item.disposed_by = actor.user
        item.disposed_at = clock.now()
        item.save()
        actor.audit(
            "screening.dispose", object_type="screening_item", object_id=item.pk, detail=detail
        )
    return item


def _handled_in(actor: Actor, payload: dict[str, Any]) -> tuple[Event | None, Any]:
    """The event or mediation case an item is already handled in (one the actor sees)."""
    event = case = None
    raw_event, raw_case = payload.get("event"), payload.get("case")
    if raw_event not in (None, ""):
        try:
            event = access_event(actor, int(raw_event))
        except (TypeError, ValueError):
            raise invalid("event", gettext("事件ID不正确")) from None
        except NotFound:
            raise invalid("event", gettext("事件不存在")) from None
    if raw_case not in (None, ""):
        try:
            case = access_case(actor, int(raw_case))
        except (TypeError, ValueError):
            raise invalid("case", gettext("调解案件ID不正确")) from None
        except NotFound:
            raise invalid("case", gettext("调解案件不存在")) from None
    return event, case
