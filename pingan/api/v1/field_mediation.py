"""就地调解 from the phone app: `POST /field/mediations` (docs/field-app.md,
docs/mediation.md "On the phone"). The dispute event (settled on site when the parties
agreed) and the ended mediation case in one go; the same client_uuid again answers 200
with the first case. Parties are masked in the answer, as everywhere."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja import Status as Reply
from pydantic import Field

from pingan.access.actor import actor_of
from pingan.api.v1.field import EventBrief, _brief
from pingan.api.v1.mediation import PartyIn, PartyOut
from pingan.field.onsite import field_mediation
from pingan.mediation.choices import Status
from pingan.mediation.selectors import party_dict

router = Router(tags=["field"])


class MediationIn(Schema):
    client_uuid: str
    category: int = Field(description="矛盾纠纷类事件小类")
    description: str = Field(description="纠纷简要情况")
    parties: list[PartyIn] = Field(description="当事人：至少一名申请人和一名被申请人")
    outcome: str = Field(description="succeeded（调解成功）或 failed（调解不成）")
    terms: str = Field("", description="调解成功：协议内容")
    performance: str = Field("", description="调解成功：at_once（默认）或 by_date")
    performance_due: dt.date | None = Field(None, description="限期履行的履行期限")
    reason: str = Field("", description="调解不成：原因")
    referral: str = Field("", description="调解不成：引导途径")
    amount: Decimal | None = Field(None, description="涉及金额（元）")
    lat: float | None = None
    lng: float | None = None
    accuracy_m: float | None = Field(None, description="定位精度（米）")
    region: int | None = None
    address: str = ""
    extra: dict[str, Any] | None = None
    made_at: dt.datetime | None = Field(None, description="在手机上调解的时间（离线时较早）")
    outside_own_grid: bool = False


class FieldMediationOut(Schema):
    id: int
    code: str
    status: str
    status_label: str
    channel: str
    agreement_terms: str
    failure_reason: str
    committee_name: str
    event: EventBrief
    parties: list[PartyOut]


@router.post(
    "/field/mediations",
    response={200: FieldMediationOut, 201: FieldMediationOut},
    summary="就地调解（移动端；相同 client_uuid 重复提交返回 200 与首次的案件）",
)
def mediation(request: HttpRequest, payload: MediationIn) -> Any:
    data = payload.model_dump()
    data["parties"] = [p.model_dump() for p in payload.parties]
    case, created = field_mediation(actor=actor_of(request), **data)
    return Reply(
        201 if created else 200,
        {
            "id": case.pk,
            "code": case.code,
            "status": case.status,
            "status_label": str(Status(case.status).label),
            "channel": case.channel,
            "agreement_terms": case.agreement_terms,
            "failure_reason": case.failure_reason,
            "committee_name": case.committee.name if case.committee else "",
            "event": _brief(case.event),
            "parties": [party_dict(p) for p in case.parties.order_by("role", "id")],
        },
    )
