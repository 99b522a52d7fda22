"""就地调解 from the phone (docs/field-app.md): a grid worker mediated a dispute on the
spot, maybe offline; the phone queues it like a report and sends it when it can.

One transaction writes the dispute event (`field_report`, so the grid rule, the phone's
facts and, when the parties agreed, the on-site settlement are the report's) and the
ended mediation case (`mediation.onsite`). Idempotent by client_uuid: the event and the
case carry the phone's uuid, and the same uuid again answers the first case.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from pingan.access.actor import Actor, as_actor
from pingan.core.errors import Conflict, invalid
from pingan.events.models import Category
from pingan.field.services import _past, _uuid, field_report
from pingan.mediation.models import MediationCase
from pingan.mediation.onsite import is_dispute, mediation_case_on_site, on_site_outcome
from pingan.mediation.services import parties_of


def _existing(cu: Any, actor: Actor) -> MediationCase | None:
    case = MediationCase.objects.filter(client_uuid=cu).select_related("event").first()
    if case is not None and case.created_by_id != actor.pk:
        raise Conflict(gettext("client_uuid 已被使用"), fields={"client_uuid": gettext("已被使用")})
    return case


def field_mediation(
    *,
    actor: Actor | Any,
    client_uuid: Any,
    category: int,
    description: str,
    parties: Any,
    outcome: str,
    terms: str = "",
    reason: str = "",
    referral: str = "",
    performance: str = "",
    performance_due: Any = None,
    amount: Any = None,
    lat: float | None = None,
    lng: float | None = None,
    accuracy_m: float | None = None,
    region: int | None = None,
    address: str = "",
    extra: dict[str, Any] | None = None,
    made_at: dt.datetime | None = None,
    outside_own_grid: bool = False,
) -> tuple[MediationCase, bool]:
    """Record an on-site mediation; returns (case, created). Everything is checked
    before anything is written (422 naming the field, 403 for a role that may not)."""
    cu = _uuid(client_uuid)
    actor = as_actor(actor)
    existing = _existing(cu, actor)
    if existing is not None:
        return existing, False
    code = Category.objects.filter(pk=category).values_list("code", flat=True).first()
    if code is None:
        raise invalid("category", gettext("分类不存在"))
    if not is_dispute(code):
        raise invalid("category", gettext("就地调解只适用于矛盾纠纷类事件"))
    people = parties_of(parties)
    result = on_site_outcome(
        {
            "outcome": outcome,
            "terms": terms,
            "reason": reason,
            "referral": referral,
            "performance": performance,
            "performance_due": performance_due,
        }
    )
    made = _past(made_at, "made_at")
    settle = ""
    if result["outcome"] == "succeeded":
        settle = gettext("就地调解成功：%(terms)s") % {"terms": result["terms"]}
    try:
        with transaction.atomic():
            event, created = field_report(
                actor=actor,
                client_uuid=cu,
                category=category,
                description=description,
                lat=lat,
                lng=lng,
                accuracy_m=accuracy_m,
                region=region,
                address=address,
                extra=extra,
                made_at=made,
                settle_result=settle,
                outside_own_grid=outside_own_grid,
            )
            if not created:  # a report sent with this uuid: not this mediation
                raise Conflict(
                    gettext("client_uuid 已被使用"), fields={"client_uuid": gettext("已被使用")}
                )
            case = mediation_case_on_site(
                actor=actor,
                event=event,
                parties=people,
                outcome=result,
                client_uuid=cu,
                mediated_at=made,
                amount=amount,
            )
    except IntegrityError:
        # The same uuid raced in twice: the first one won.
        again = _existing(cu, actor)
        if again is not None:
            return again, False
        raise
    return case, True
