"""Writes of the citizen page (群众随手拍): a report without an account, throttled by
phone and by address; the citizen's rating after closure.

The event is reported by the citizen integration's service account (source "citizen");
the citizen's phone goes on the event (staff pages mask it) and on the CitizenReport,
whose code and the phone's last four digits open the tracking page.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from pingan.access.actor import Actor, as_actor
from pingan.citizen.models import CitizenReport
from pingan.core import clock, pii
from pingan.core.errors import Conflict, DomainError, invalid
from pingan.events.attachments import attachment_add
from pingan.events.choices import Satisfaction, Status
from pingan.events.models import Category
from pingan.events.services import event_report, event_transition
from pingan.intake.choices import EVENT_SOURCE, Channel
from pingan.intake.models import Integration
from pingan.notifications.services import reporter_tell

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
MAX_PHOTOS = 3
WINDOW = dt.timedelta(days=1)


class Throttled(DomainError):
    status = 429
    code = "throttled"


def citizen_integration() -> Integration:
    integration = (
        Integration.objects.select_related("acting_user", "region", "default_category")
        .filter(channel=Channel.CITIZEN, is_active=True)
        .first()
    )
    if integration is None:
        raise Conflict(_("群众自报渠道尚未开通"))
    return integration


def address_key(*, address: str, lat: float | None, lng: float | None) -> str:
    """What the per-address throttle counts by: a blind index (HMAC) of the address
    without spaces and punctuation, else of the point rounded to about 100 m."""
    text = re.sub(r"[\s,，。.、\-—#号]+", "", address or "").lower()
    if text:
        return pii.blind_index(f"a:{text}", kind="address")
    if lat is not None and lng is not None:
        return pii.blind_index(f"p:{lat:.3f},{lng:.3f}", kind="address")
    return ""


def _through(integration: Integration, citizen: Actor | Any) -> tuple[Actor, Actor]:
    """The citizen as an anonymous actor at their client address (whoever is signed in
    on the browser: the report is the public's), and the integration's service account
    acting for them from that address."""
    addr = as_actor(citizen).client_addr
    return (
        Actor(user=None, client_addr=addr),
        Actor.for_user(integration.acting_user, client_addr=addr),
    )


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def citizen_report_submit(
    *,
    actor: Actor | Any,
    phone: str,
    description: str,
    category: int | None = None,
    lat: float | None = None,
    lng: float | None = None,
    address: str = "",
    photos: list[Any] | None = None,
) -> CitizenReport:
    """Report a matter as a citizen (`actor`: `actor_of(request)` on the public page; only
    its client address is used: the event is reported by the citizen integration's
    service account, the audit row names no one). 422 invalid fields, 429 over the daily
    limits."""
    phone = (phone or "").strip().replace(" ", "")
    if not PHONE_RE.match(phone):
        raise invalid("phone", _("请填写11位手机号码"))
    photos = list(photos or [])
    if len(photos) > MAX_PHOTOS:
        raise invalid("photos", _("最多上传%(n)s张照片") % {"n": MAX_PHOTOS})
    address = (address or "").strip()
    if lat is None and not address:
        raise invalid("address", _("请在地图上选择位置或填写地址"))
    integration = citizen_integration()
    if category:
        cat = Category.objects.filter(pk=category, is_active=True).first()
        if cat is None:
            raise invalid("category", _("问题类型不存在"))
    elif integration.default_category is not None:
        cat = integration.default_category
    else:
        raise invalid("category", _("请选择问题类型"))
    key = address_key(address=address, lat=lat, lng=lng)
    now = clock.now()
    since = now - WINDOW
    citizen, channel = _through(integration, actor)
    with transaction.atomic():
        if (
            CitizenReport.objects.filter(
                phone_index=pii.blind_index(phone, kind="phone"), created_at__gte=since
            ).count()
            >= settings.PINGAN_CITIZEN_MAX_PER_PHONE_DAY
        ):
            raise Throttled(_("该手机号今日提交次数已达上限，请明日再试或拨打12345"))
        if (
            key
            and CitizenReport.objects.filter(address_key=key, created_at__gte=since).count()
            >= settings.PINGAN_CITIZEN_MAX_PER_ADDRESS_DAY
        ):
            raise Throttled(_("该地点今日已有多次反映，正在处理中，请勿重复提交"))
        event, _created = event_report(
            actor=channel,
            category=cat,
            description=description,
            source=EVENT_SOURCE[Channel.CITIZEN],
            lat=lat,
            lng=lng,
            region=integration.region,
            address=address,
            reporter_name=_("群众"),
            reporter_phone=phone,
        )
        for upload in photos:
            attachment_add(actor=channel, event_id=event.pk, upload=upload)
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    report = CitizenReport.objects.create(
                        event=event,
                        code=_new_code(),
                        phone=phone,
                        address_key=key,
                        created_at=now,
                    )
                break
            except IntegrityError:
                continue
        else:  # pragma: no cover - 32**8 codes
            raise Conflict(_("查询码生成冲突，请重试"))
        citizen.audit("citizen.report", object_type="event", object_id=event.pk)
    return report


def citizen_report_find(*, code: str, phone_last4: str) -> CitizenReport | None:
    """The report with this code whose phone ends with these four digits; else None."""
    code = (code or "").strip().upper()
    last4 = (phone_last4 or "").strip()
    if len(code) != CODE_LENGTH or not re.fullmatch(r"\d{4}", last4):
        return None
    report = (
        CitizenReport.objects.select_related("event", "event__category", "event__lead_department")
        .filter(code=code)
        .first()
    )
    if report is None or not hmac.compare_digest(report.phone[-4:], last4):
        return None
    return report


def citizen_rate(
    *, actor: Actor | Any, report: CitizenReport, satisfaction: str, comment: str = ""
) -> CitizenReport:
    """The citizen rates a closed event once; the rating is the event's follow-up, fired
    by the citizen integration's service account from `actor`'s client address (as in
    `citizen_report_submit`)."""
    if satisfaction not in Satisfaction.values:
        raise invalid("satisfaction", _("请选择满意度"))
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise invalid("comment", _("评价意见不能超过500字"))
    _citizen, channel = _through(citizen_integration(), actor)
    with transaction.atomic():
        row = CitizenReport.objects.select_for_update().select_related("event").get(pk=report.pk)
        if row.event.status != Status.CLOSED:
            raise Conflict(_("事件办结后才能评价"))
        if row.rated_at is not None:
            raise Conflict(_("您已评价过，感谢您的反馈"))
        event_transition(
            actor=channel,
            event_id=row.event_id,
            action="follow_up",
            payload={
                "satisfaction": satisfaction,
                "note": _("群众评价：%(c)s") % {"c": comment} if comment else _("群众评价"),
            },
        )
        row.satisfaction = satisfaction
        row.comment = comment
        row.rated_at = clock.now()
        row.save(update_fields=["satisfaction", "comment", "rated_at"])
    return row


def citizen_tell(*, event_id: int, transition_id: int | None) -> bool:
    """Tell the citizen who reported on this page by SMS when the row merged or closed
    their matter: the tracking code is the reference, and a closed matter's message says
    where to rate it. True when a message was stored."""
    report = CitizenReport.objects.filter(event_id=event_id).only("code").first()
    if report is None or transition_id is None:
        return False
    told = reporter_tell(
        event_id=event_id,
        transition_id=transition_id,
        ref=_("查询码%(code)s") % {"code": report.code},
        track_path=reverse("citizen:track"),
    )
    return told is not None
