"""Rectification orders for tests, built through the services: an order about a problem in
城东社区第一网格 (town A), issued by the county dispatcher (the county's Ping'an office),
owned by town A (or by the police, `unit="police"`), watched by an inspector."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from pingan.core import clock
from pingan.org.choices import Role
from pingan.org.services import membership_grant, user_upsert
from pingan.rectification.models import Evidence, RectificationOrder
from pingan.rectification.services import evidence_add, order_issue, rectification_transition


def png() -> bytes:
    """A small PNG photo."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


def today() -> dt.date:
    return timezone.localdate(clock.now())


def inspector(cast: Any, username: str = "insp") -> Any:
    """A 督查员 of the county (cached on the cast)."""
    key = f"_inspector_{username}"
    if not hasattr(cast, key):
        u = user_upsert(username=username, name="督查员" + username, password=cast.password)
        membership_grant(user=u, role=Role.INSPECTOR, region=cast.county)
        setattr(cast, key, u)
    return getattr(cast, key)


def new_order(
    cast: Any,
    actor: Any = None,
    *,
    unit: str = "town_a",
    days: int = 10,
    evidence_required: str = "整改后现场照片",
    published: bool = True,
    watchers: tuple[Any, ...] | None = None,
    **kw: Any,
) -> RectificationOrder:
    fields: dict[str, Any] = {
        "title": "消防通道堆放杂物",
        "finding": "城东社区3幢楼道堆放电动车和纸箱",
        "requirement": "3日内清理楼道杂物，设置禁停标识",
        "evidence_required": evidence_required,
        "deadline": today() + dt.timedelta(days=days),
        "region_id": cast.grid_a1.pk,
        "source_kind": "manual",
        "source_label": "季度督查",
        "published": published,
        "deduction_points": Decimal("0.5"),
        "watcher_ids": [u.pk for u in (watchers if watchers is not None else (inspector(cast),))],
    }
    if unit == "police":
        fields["unit_department_id"] = cast.police.pk
    else:
        fields["unit_region_id"] = getattr(cast, unit).pk
    fields.update(kw)
    return order_issue(actor=actor or cast.county_dispatcher, **fields)


def unit_user(cast: Any, order: RectificationOrder) -> Any:
    if order.unit_department_id:
        return cast.handler
    return cast.dispatcher if order.unit_region_id == cast.town_a.pk else cast.dispatcher_b


def fire(order: RectificationOrder, user: Any, action: str, **payload: Any) -> RectificationOrder:
    return rectification_transition(actor=user, order_id=order.pk, action=action, payload=payload)


def photo(order: RectificationOrder, user: Any) -> Evidence:
    upload = SimpleUploadedFile("现场.png", png(), content_type="image/png")
    return evidence_add(actor=user, order_id=order.pk, upload=upload, note="清理后")


def acknowledged(cast: Any, order: RectificationOrder) -> RectificationOrder:
    return fire(order, unit_user(cast, order), "acknowledge")


def submitted(cast: Any, order: RectificationOrder) -> RectificationOrder:
    order = acknowledged(cast, order)
    u = unit_user(cast, order)
    photo(order, u)
    return fire(order, u, "submit", result="杂物已清理，已设禁停标识")


def passed(cast: Any, order: RectificationOrder) -> RectificationOrder:
    return fire(submitted(cast, order), cast.county_dispatcher, "recheck", passed=True)
