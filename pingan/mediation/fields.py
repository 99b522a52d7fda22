"""Reading a mediation payload: one function per kind of field, each raising the 422
(`invalid(field, reason)`) a person can act on."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from pingan.cases.fields import integer as _int
from pingan.core.errors import invalid
from pingan.geo.scope import within
from pingan.mediation.models import Committee, Mediator


def committee_of(p: dict[str, Any], field: str = "committee") -> Committee:
    pk = _int(p, field, gettext("调委会"))
    committee = Committee.objects.filter(pk=pk, is_active=True).first()
    if committee is None:
        raise invalid(field, gettext("调委会不存在或已停用"))
    return committee


def mediator_of(
    p: dict[str, Any], committee: Committee, field: str = "mediator"
) -> Mediator | None:
    """The payload's mediator (optional); 422 unless an active mediator of `committee`."""
    if p.get(field) in (None, ""):
        return None
    pk = _int(p, field, gettext("调解员"))
    mediator = Mediator.objects.filter(pk=pk, is_active=True).first()
    if mediator is None:
        raise invalid(field, gettext("调解员不存在或已离任"))
    if mediator.committee_id != committee.pk:
        raise invalid(field, gettext("调解员不属于所选调委会"))
    return mediator


def date_of(p: dict[str, Any], field: str, label: str, *, required: bool) -> dt.date | None:
    raw = p.get(field)
    if raw in (None, ""):
        if required:
            raise invalid(field, gettext("请填写%(label)s") % {"label": label})
        return None
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        raise invalid(
            field, gettext("%(label)s应为日期，如 2026-12-31") % {"label": label}
        ) from None


def moment_of(p: dict[str, Any], field: str, now: dt.datetime) -> dt.datetime:
    """An ISO date-time (a form's "2026-12-07T09:30" is local time); now when empty."""
    raw = p.get(field)
    if raw in (None, ""):
        return now
    try:
        value = dt.datetime.fromisoformat(str(raw))
    except ValueError:
        raise invalid(field, gettext("时间格式应为 2026-12-07T09:30")) from None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > now:
        raise invalid(field, gettext("调解时间不能晚于现在"))
    return value


def amount_of(raw: Any, field: str = "amount") -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise invalid(field, gettext("涉及金额应为数字")) from None
    if not value.is_finite() or value < 0 or value >= Decimal("1e12"):
        raise invalid(field, gettext("涉及金额应为不小于0的数字"))
    return value.quantize(Decimal("0.01"))


def committee_covers_case(committee: Committee, region_path: str, field: str = "committee") -> None:
    """422 unless the committee's area contains the dispute's place."""
    if not within(region_path, (committee.region_path,)):
        raise invalid(field, gettext("所选调委会的辖区不包含纠纷所在地"))
