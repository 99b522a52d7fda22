"""Writes on rectification orders and deductions: issuing an order, publishing 暗访 orders,
evidence, the one transition service, adding and cancelling deductions.
docs/rectification.md. Every write is one transaction, validated before anything is
written (422 naming the field, 403 for who may not)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from pingan.access.actor import Actor, as_actor
from pingan.cases import service as engine
from pingan.core import clock
from pingan.core.errors import Conflict, Forbidden, NotFound, invalid
from pingan.core.uploads import read_limited
from pingan.geo.choices import Level
from pingan.geo.models import Region
from pingan.geo.scope import within
from pingan.geo.selectors import county_code_of
from pingan.org.models import Department
from pingan.rectification.choices import DeductionSource, OrderSource
from pingan.rectification.kind import RECTIFICATION
from pingan.rectification.models import (
    Deduction,
    Evidence,
    OrderSequence,
    OrderTransition,
    RectificationOrder,
)
from pingan.rectification.permissions import access_order, can_issue, is_unit, office_paths
from pingan.rectification.workflow import OWING

MAX_POINTS = Decimal("100")
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
MAX_EVIDENCE_FILES = 20

__all__ = [
    "deduction_add",
    "deduction_cancel",
    "evidence_add",
    "order_issue",
    "orders_publish",
    "rectification_transition",
]


# ---- reading the arguments ---------------------------------------------------------------


def _text(value: Any, field: str, label: str, *, max_len: int, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise invalid(field, gettext("请填写%(label)s") % {"label": label})
    if len(text) > max_len:
        raise invalid(field, gettext("%(label)s不能超过%(n)d个字") % {"label": label, "n": max_len})
    return text


def _points(value: Any, field: str = "points") -> Decimal:
    try:
        points = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise invalid(field, gettext("扣分应为数字")) from None
    if not points.is_finite() or points <= 0 or points > MAX_POINTS:
        raise invalid(field, gettext("扣分应大于0且不超过100"))
    if points != points.quantize(Decimal("0.01")):
        raise invalid(field, gettext("扣分最多两位小数"))
    return points.quantize(Decimal("0.01"))


def _region(pk: Any, field: str) -> Region:
    try:
        region = Region.objects.filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        region = None
    if region is None:
        raise invalid(field, gettext("区划不存在"))
    return region


def _unit(
    unit_region_id: int | None, unit_department_id: int | None
) -> tuple[Region | None, Department | None]:
    """The owner unit: a town, or an active department; exactly one."""
    if (unit_region_id is None) == (unit_department_id is None):
        raise invalid("unit", gettext("责任单位应为一个乡镇或一个部门"))
    if unit_region_id is not None:
        town = _region(unit_region_id, "unit_region")
        if town.level != Level.TOWN:
            raise invalid("unit_region", gettext("责任乡镇应为乡镇（街道）一级区划"))
        return town, None
    try:
        pk = int(unit_department_id)  # type: ignore[arg-type]
        department = Department.objects.filter(pk=pk, is_active=True).first()
    except (TypeError, ValueError):
        department = None
    if department is None:
        raise invalid("unit_department", gettext("部门不存在或已停用"))
    return None, department


def _next_code(region: Region, now: dt.datetime) -> str:
    prefix = f"ZG-{county_code_of(region)}-{timezone.localtime(now):%Y}"
    seq, _ = OrderSequence.objects.select_for_update().get_or_create(prefix=prefix)
    seq.value += 1
    seq.save(update_fields=["value"])
    return f"{prefix}-{seq.value:04d}"


# ---- orders ----------------------------------------------------------------------------------


def order_issue(
    *,
    actor: Actor | Any,
    title: str,
    requirement: str,
    evidence_required: str,
    deadline: dt.date,
    region_id: int,
    unit_region_id: int | None = None,
    unit_department_id: int | None = None,
    source_kind: str = "inspection",
    source_id: int | None = None,
    source_label: str = "",
    campaign_id: int | None = None,
    published: bool = True,
    deduction_points: Decimal = Decimal("1"),
    watcher_ids: Sequence[int] = (),
    finding: str = "",
) -> RectificationOrder:
    """下发 a rectification order: by the county's Ping'an office or an inspector over the
    region, or the system (an inspection's finding). Unpublished (暗访) orders stay hidden
    from the owner unit until `orders_publish`. One transaction: the order, its first
    timeline row and the audit row. An inspector issuing is added to the watchers."""
    actor = as_actor(actor)
    title = _text(title, "title", gettext("问题"), max_len=200)
    requirement = _text(requirement, "requirement", gettext("整改要求"), max_len=5000)
    evidence_required = _text(
        evidence_required, "evidence_required", gettext("佐证材料要求"), max_len=500, required=False
    )
    finding = _text(finding, "finding", gettext("发现情况"), max_len=5000, required=False)
    if not isinstance(deadline, dt.date) or isinstance(deadline, dt.datetime):
        raise invalid("deadline", gettext("整改期限应为日期，如 2026-12-31"))
    now = clock.now()
    if deadline < timezone.localdate(now):
        raise invalid("deadline", gettext("整改期限不能早于今天"))
    region = _region(region_id, "region")
    town, department = _unit(unit_region_id, unit_department_id)
    if source_kind not in OrderSource.values:
        raise invalid("source_kind", gettext("来源不正确"))
    source_label = _text(
        source_label, "source_label", gettext("来源说明"), max_len=200, required=False
    )
    points = _points(deduction_points, "deduction_points")
    campaign = None
    if campaign_id is not None:
        from pingan.campaigns.models import Campaign

        campaign = Campaign.objects.filter(pk=campaign_id).first()
        if campaign is None:
            raise invalid("campaign", gettext("专项行动不存在"))
    users = get_user_model().objects.filter(pk__in=list(watcher_ids), is_active=True)
    watchers = set(users.values_list("pk", flat=True))
    if len(watchers) != len(set(watcher_ids)):
        raise invalid("watchers", gettext("督查人员不存在或已停用"))
    role = can_issue(actor, region.path)
    if role is None:
        raise Forbidden(gettext("只有县级平安办或督查员可以下发整改通知"))
    if town is not None and county_code_of(town) != county_code_of(region):
        raise invalid("unit_region", gettext("责任乡镇与问题所在地不在同一县（市、区）"))
    if actor.user is not None and role == "inspector":
        watchers.add(actor.user.pk)
    with transaction.atomic():
        order = RectificationOrder(
            title=title,
            finding=finding,
            requirement=requirement,
            evidence_required=evidence_required,
            deadline=deadline,
            region=region,
            unit_region=town,
            unit_department=department,
            source_kind=source_kind,
            source_id=source_id,
            source_label=source_label,
            campaign=campaign,
            published=bool(published),
            published_at=now if published else None,
            deduction_points=points,
            issued_at=now,
            created_by=actor.user,
        )
        order.code = _next_code(region, now)
        order.save()
        if watchers:
            order.watchers.set(sorted(watchers))
        OrderTransition.objects.create(
            order=order,
            action="issue",
            from_status="",
            to_status=order.status,
            actor=actor.user,
            actor_role=role,
            note=requirement,
            data={
                "deadline": deadline.isoformat(),
                "unit_region": order.unit_region_id,
                "unit_department": order.unit_department_id,
                "published": order.published,
                "source_kind": source_kind,
                "source_id": source_id,
            },
            at=now,
        )
        actor.audit(
            "rectification.issue",
            object_type="rectification",
            object_id=order.pk,
            detail={"source_kind": source_kind, "source_id": source_id, "published": published},
        )
    return order


def orders_publish(*, actor: Actor | Any, source_kind: str, source_id: int) -> int:
    """公开 the 暗访 orders of one source (an inspection): the owner units see them from now
    on. By the office or the system; returns how many orders were published."""
    actor = as_actor(actor)
    if actor.user is not None and not office_paths(actor):
        raise Forbidden(gettext("只有县级平安办可以公开暗访结果"))
    if actor.user is None and not actor.name:
        raise Forbidden(gettext("只有县级平安办可以公开暗访结果"))
    now = clock.now()
    with transaction.atomic():
        qs = RectificationOrder.objects.select_for_update().filter(
            source_kind=source_kind, source_id=source_id, published=False
        )
        orders = list(qs)
        paths = office_paths(actor) if actor.user is not None else None
        if paths is not None and any(not within(o.region_path, paths) for o in orders):
            raise Forbidden(gettext("整改通知不在您的辖区内"))
        for order in orders:
            order.published = True
            order.published_at = now
            order.save(update_fields=["published", "published_at", "updated_at"])
            OrderTransition.objects.create(
                order=order,
                action="publish",
                from_status=order.status,
                to_status=order.status,
                actor=actor.user,
                actor_role="dispatcher" if actor.user is not None else "system",
                at=now,
            )
        if orders:
            actor.audit(
                "rectification.publish",
                object_type="rectification",
                object_id=source_id,
                detail={"source_kind": source_kind, "orders": [o.pk for o in orders]},
            )
    return len(orders)


def rectification_transition(
    *,
    actor: Actor | Any,
    order_id: int,
    action: str,
    payload: dict[str, Any] | None = None,
) -> RectificationOrder:
    """Fire `action` on the order as `actor` (the case engine: 404 out of scope, 403 role,
    409 state, 422 fields; nothing written unless every check passes)."""
    return engine.transition(
        RECTIFICATION, actor=actor, case_id=order_id, action=action, payload=payload
    )


# ---- evidence --------------------------------------------------------------------------------


def _evidence_kind(data: bytes) -> tuple[str, str]:
    """(content type, extension) of an evidence file: a JPEG/PNG/WebP photo or a PDF."""
    if data.startswith(b"%PDF-"):
        return "application/pdf", "pdf"
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            img.verify()
            fmt = (img.format or "").lower()
    except (UnidentifiedImageError, OSError, SyntaxError):
        fmt = ""
    if fmt not in ("jpeg", "png", "webp"):
        raise invalid("file", gettext("佐证材料应为照片（JPEG、PNG、WebP）或PDF"))
    return f"image/{fmt}", "jpg" if fmt == "jpeg" else fmt


def evidence_add(
    *, actor: Actor | Any, order_id: int, upload: Any, name: str = "", note: str = ""
) -> Evidence:
    """One evidence file (at most 10MB) by the owner unit while the order is being
    rectified; counted for the current round (after a failed re-check, a new round)."""
    actor = as_actor(actor)
    data = read_limited(
        upload,
        limit=MAX_EVIDENCE_BYTES,
        too_big=invalid("file", gettext("佐证材料不能超过10MB")),
        empty=invalid("file", gettext("佐证材料为空")),
    )
    content_type, ext = _evidence_kind(data)
    name = (name or getattr(upload, "name", "") or f"evidence.{ext}").rsplit("/", 1)[-1][:200]
    note = _text(note, "note", gettext("说明"), max_len=200, required=False)
    access_order(actor, order_id)
    with transaction.atomic():
        order = RectificationOrder.objects.select_for_update().get(pk=order_id)
        membership = next((m for m in actor.memberships if is_unit(m, order)), None)
        if membership is None or not order.published:
            raise Forbidden(gettext("只有责任单位可以上传佐证材料"))
        if order.status not in OWING:
            raise Conflict(gettext("整改通知当前状态不能上传佐证材料"))
        if Evidence.objects.filter(order=order).count() >= MAX_EVIDENCE_FILES:
            raise invalid("file", gettext("佐证材料最多20个"))
        now = clock.now()
        evidence = Evidence.objects.create(
            order=order,
            name=name,
            content_type=content_type,
            size=len(data),
            round=order.failed_rechecks,
            note=note,
            uploaded_by=actor.user,
            uploaded_at=now,
        )
        evidence.file.save(f"zg{order.pk}-{evidence.pk}.{ext}", ContentFile(data), save=True)
        OrderTransition.objects.create(
            order=order,
            action="evidence",
            from_status=order.status,
            to_status=order.status,
            actor=actor.user,
            actor_role=membership.role,
            note=note,
            data={"evidence": evidence.pk, "name": name, "round": evidence.round},
            at=now,
        )
        actor.audit(
            "rectification.evidence",
            object_type="rectification",
            object_id=order.pk,
            detail={"evidence": evidence.pk, "size": len(data)},
        )
    return evidence


# ---- deductions ------------------------------------------------------------------------------


def deduction_add(
    *,
    actor: Actor | Any,
    unit_region_id: int | None,
    unit_department_id: int | None,
    points: Decimal,
    reason: str,
    source_kind: str,
    source_id: int | None,
    source_label: str,
    on: dt.date,
    order_id: int | None = None,
) -> Deduction:
    """扣分 from a unit (a town or a department): by the office, an inspector of the county,
    or the system. `points` > 0 (two decimals at most)."""
    actor = as_actor(actor)
    town, department = _unit(unit_region_id, unit_department_id)
    value = _points(points)
    reason = _text(reason, "reason", gettext("扣分原因"), max_len=500)
    if source_kind not in DeductionSource.values:
        raise invalid("source_kind", gettext("来源不正确"))
    source_label = _text(
        source_label, "source_label", gettext("来源说明"), max_len=200, required=False
    )
    if not isinstance(on, dt.date) or isinstance(on, dt.datetime):
        raise invalid("on", gettext("扣分日期应为日期，如 2026-12-31"))
    order = None
    if order_id is not None:
        order = RectificationOrder.objects.filter(pk=order_id).first()
        if order is None:
            raise invalid("order", gettext("整改通知不存在"))
    if town is not None:
        role = can_issue(actor, town.path)
    elif department is not None:
        role = can_issue(actor, department.region.path)
    else:  # pragma: no cover - _unit returns one of them
        role = None
    if role is None:
        raise Forbidden(gettext("只有县级平安办或督查员可以扣分"))
    with transaction.atomic():
        deduction = Deduction.objects.create(
            unit_region=town,
            unit_department=department,
            points=value,
            reason=reason,
            source_kind=source_kind,
            source_id=source_id,
            source_label=source_label,
            order=order,
            on=on,
            created_by=actor.user,
            created_at=clock.now(),
        )
        actor.audit(
            "rectification.deduct",
            object_type="deduction",
            object_id=deduction.pk,
            detail={"points": str(value), "source_kind": source_kind, "source_id": source_id},
        )
    return deduction


def deduction_cancel(*, actor: Actor | Any, deduction_id: int, reason: str) -> Deduction:
    """撤销 a deduction (e.g. an upheld appeal) with its reason: by the office only."""
    actor = as_actor(actor)
    reason = _text(reason, "reason", gettext("撤销原因"), max_len=500)
    if actor.user is None or not office_paths(actor):
        raise Forbidden(gettext("只有县级平安办可以撤销扣分"))
    with transaction.atomic():
        deduction = Deduction.objects.select_for_update().filter(pk=deduction_id).first()
        if deduction is None:
            raise NotFound(gettext("扣分记录不存在"))
        if deduction.cancelled:
            raise Conflict(gettext("该扣分已撤销"))
        deduction.cancelled = True
        deduction.cancel_reason = reason
        deduction.cancelled_at = clock.now()
        deduction.cancelled_by = actor.user
        deduction.save(update_fields=["cancelled", "cancel_reason", "cancelled_at", "cancelled_by"])
        actor.audit(
            "rectification.deduction_cancel",
            object_type="deduction",
            object_id=deduction.pk,
            detail={"reason": reason},
        )
    return deduction
