"""Mediation (大调解): cases, their transitions, the parties' data on an audited reveal,
and committees. Reads through `mediation.selectors` (scoped to the caller), writes
through `mediation.services`. docs/mediation.md."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from ninja import Query, Router, Schema
from ninja import Status as Reply
from ninja.decorators import decorate_view
from pydantic import ConfigDict, Field

from pingan.access.actor import actor_of
from pingan.api.v1.cases import action_rows, timeline_rows
from pingan.cases.service import allowed
from pingan.core.errors import invalid
from pingan.mediation.choices import Channel, DisputeKind
from pingan.mediation.kind import MEDIATION
from pingan.mediation.models import MediationCase
from pingan.mediation.selectors import (
    case_detail,
    case_list,
    committee_list,
    mediator_dict,
    party_dict,
)
from pingan.mediation.services import (
    mediation_case_create,
    mediation_case_from_event,
    mediation_parties_reveal,
    mediation_transition,
)

router = Router(tags=["mediation"])

MAX_PAGE_SIZE = 200
MAX_PAGE = 1_000_000


# ---- output ---------------------------------------------------------------------------------


class PartyOut(Schema):
    id: int
    role: str
    role_label: str
    kind: str
    name: str = Field(description="姓名（脱敏）或单位名称")
    id_number: str = Field(description="证件号码（脱敏）")
    phone: str = Field(description="电话（脱敏）")
    address: str = Field(description="住址（脱敏）")


class CaseOut(Schema):
    id: int
    code: str
    status: str
    status_label: str
    channel: str
    dispute_kind: str
    amount: Decimal | None
    summary: str
    region: int
    region_name: str
    committee: int | None
    committee_name: str | None
    mediator: int | None
    mediator_name: str | None
    level: str
    event: int | None
    created_at: dt.datetime
    accepted_at: dt.datetime | None
    due_at: dt.datetime | None
    deadline_state: str = Field(
        "", description="调解期限状态：normal 正常 / warning 临期 / overdue 超期；未计时为空"
    )
    ended_at: dt.datetime | None
    closed_at: dt.datetime | None


class SessionOut(Schema):
    id: int
    at: dt.datetime
    place: str
    attendees: str
    record: str


class MediationTimelineOut(Schema):
    action: str
    action_label: str
    from_status: str
    to_status: str
    actor: int | None
    actor_role: str
    note: str
    public_reply: str
    data: dict[str, Any]
    at: dt.datetime


class MediationActionOut(Schema):
    action: str
    label: str
    requires: list[str]
    public_reply: bool


class CaseDetailOut(CaseOut):
    parties: list[PartyOut]
    sessions: list[SessionOut]
    timeline: list[MediationTimelineOut]
    agreement_terms: str
    performance: str
    performance_due: dt.date | None
    failure_reason: str
    referral: str
    withdrawal_reason: str
    judicial_requested_at: dt.datetime | None
    judicial_court: str
    judicial_ruling: str
    judicial_ruled_on: dt.date | None
    performed: bool | None
    allowed_actions: list[MediationActionOut]


class CasePage(Schema):
    items: list[CaseOut]
    count: int
    page: int
    page_size: int


def _case(c: MediationCase) -> dict[str, Any]:
    return {
        "id": c.pk,
        "code": c.code,
        "status": c.status,
        "status_label": c.get_status_display(),
        "channel": c.channel,
        "dispute_kind": c.dispute_kind,
        "amount": c.amount,
        "summary": c.summary,
        "region": c.region_id,
        "region_name": c.region.name,
        "committee": c.committee_id,
        "committee_name": c.committee.name if c.committee else None,
        "mediator": c.mediator_id,
        "mediator_name": c.mediator.name if c.mediator else None,
        "level": c.level,
        "event": c.event_id,
        "created_at": c.created_at,
        "accepted_at": c.accepted_at,
        "due_at": c.due_at,
        "deadline_state": c.deadline_state,
        "ended_at": c.ended_at,
        "closed_at": c.closed_at,
    }


def _detail(request: HttpRequest, case_id: int) -> dict[str, Any]:
    actor = actor_of(request)
    c = case_detail(actor=actor, case_id=case_id)
    out = _case(c)
    out.update(
        parties=[party_dict(p) for p in c.parties.order_by("role", "id")],
        sessions=[
            {"id": s.pk, "at": s.at, "place": s.place, "attendees": s.attendees, "record": s.record}
            for s in c.sessions.all()
        ],
        timeline=timeline_rows(MEDIATION, c.timeline.all()),
        allowed_actions=action_rows(allowed(MEDIATION, actor, c)),
    )
    for name in (
        "agreement_terms",
        "performance",
        "performance_due",
        "failure_reason",
        "referral",
        "withdrawal_reason",
        "judicial_requested_at",
        "judicial_court",
        "judicial_ruling",
        "judicial_ruled_on",
        "performed",
    ):
        out[name] = getattr(c, name)
    return out


# ---- cases ------------------------------------------------------------------------------------


class PartyIn(Schema):
    role: str = Field(description="applicant（申请人）或 respondent（被申请人）")
    kind: str = Field("person", description="person（自然人）或 organisation（单位）")
    name: str = Field(description="姓名或单位名称")
    id_number: str = Field("", description="身份证号（自然人）或统一社会信用代码")
    phone: str = ""
    address: str = ""


class CaseIn(Schema):
    summary: str = Field(description="纠纷简要情况")
    region: int = Field(description="纠纷所在区划")
    parties: list[PartyIn] = Field(description="当事人：至少一名申请人和一名被申请人")
    channel: str = Field(
        Channel.WALK_IN,
        description="来源：" + "、".join(v for v in Channel.values if v != Channel.EVENT),
    )
    dispute_kind: str = Field(DisputeKind.OTHER, description="、".join(DisputeKind.values))
    amount: Decimal | None = Field(None, description="涉及金额（元）")
    committee: int | None = Field(None, description="调委会（调解员登记时默认本人所在调委会）")
    client_uuid: str | None = Field(None, description="客户端生成的UUID，重复提交返回同一案件")


class CaseQuery(Schema):
    status: str | None = Field(None, description="状态，可逗号分隔多个")
    committee: int | None = None
    mine: bool = Field(False, description="只看指派给本人的案件")
    page: int = Field(1, le=MAX_PAGE)
    page_size: int = 20


@router.get("/mediation/cases", response=CasePage, summary="调解案件列表（按当前用户的范围）")
def cases(request: HttpRequest, filters: Query[CaseQuery]) -> Any:
    if filters.page < 1:
        raise invalid("page", _("页码应从1开始"))
    if not 1 <= filters.page_size <= MAX_PAGE_SIZE:
        raise invalid("page_size", _("每页条数应在1到%(n)s之间") % {"n": MAX_PAGE_SIZE})
    status = [s for s in (filters.status or "").split(",") if s]
    qs = case_list(
        actor=actor_of(request), status=status, committee=filters.committee, mine=filters.mine
    )
    start = (filters.page - 1) * filters.page_size
    return {
        "items": [_case(c) for c in qs[start : start + filters.page_size]],
        "count": qs.count(),
        "page": filters.page,
        "page_size": filters.page_size,
    }


@router.post(
    "/mediation/cases",
    response={200: CaseDetailOut, 201: CaseDetailOut},
    summary="登记调解案件（相同 client_uuid 重复提交返回 200 与首次的案件）",
)
def case_create(request: HttpRequest, payload: CaseIn) -> Any:
    case, created = mediation_case_create(
        actor=actor_of(request),
        summary=payload.summary,
        region=payload.region,
        parties=[p.model_dump() for p in payload.parties],
        channel=payload.channel,
        dispute_kind=payload.dispute_kind,
        amount=payload.amount,
        committee=payload.committee,
        client_uuid=payload.client_uuid or None,
    )
    return Reply(201 if created else 200, _detail(request, case.pk))


@router.get("/mediation/cases/{case_id}", response=CaseDetailOut, summary="调解案件详情")
def case_get(request: HttpRequest, case_id: int) -> Any:
    return _detail(request, case_id)


class PartiesOut(Schema):
    parties: list[PartyOut]


@router.get(
    "/mediation/cases/{case_id}/parties",
    response=PartiesOut,
    summary="查看当事人信息原文（辖区受理员、本调委会调解员可用；每次查看记入审计）",
)
@decorate_view(never_cache)  # personal data in full: never kept by a browser or a proxy
def case_parties(request: HttpRequest, case_id: int) -> Any:
    rows = mediation_parties_reveal(actor=actor_of(request), case_id=case_id)
    return {"parties": [party_dict(p, reveal=True) for p in rows]}


class MediationTransitionIn(Schema):
    """`{"action", ...fields}`: each action's fields are in docs/workflow-mediation.md."""

    model_config = ConfigDict(extra="allow")

    action: str = Field(description="、".join(MEDIATION.workflow.actions))
    note: str | None = Field(None, description="说明或理由（不予受理、提级、转交、延期等必填）")
    public_reply: str | None = None
    committee: int | None = Field(None, description="assign / escalate / refer：调委会")
    mediator: int | None = Field(None, description="assign / escalate / refer：调解员（选填）")
    record: str | None = Field(None, description="session：调解记录")
    at: str | None = Field(None, description="session：调解时间，如 2026-12-07T09:30")
    place: str | None = Field(None, description="session：调解地点")
    attendees: str | None = Field(None, description="session：参加人员")
    days: int | None = Field(None, description="extend：延期天数")
    terms: str | None = Field(None, description="succeed：协议内容")
    performance: str | None = Field(None, description="succeed：at_once 或 by_date")
    performance_due: str | None = Field(None, description="succeed：履行期限（限期履行）")
    referral: str | None = Field(
        None, description="fail：引导途径 litigation、arbitration、petition、other"
    )
    court: str | None = Field(None, description="request_confirmation：受理法院")
    ruling: str | None = Field(None, description="record_ruling：confirmed 或 rejected")
    ruled_on: str | None = Field(None, description="record_ruling：裁定日期")
    performed: bool | None = Field(None, description="check_performance：是否已履行")


@router.post(
    "/mediation/cases/{case_id}/transitions",
    response=CaseDetailOut,
    summary="对调解案件执行流转操作（409 当前状态不可，403 角色或范围不可，404 不在范围，"
    "422 字段错误）",
)
def case_transition(request: HttpRequest, case_id: int, payload: MediationTransitionIn) -> Any:
    data = {k: v for k, v in payload.model_dump().items() if v is not None and k != "action"}
    mediation_transition(
        actor=actor_of(request), case_id=case_id, action=payload.action, payload=data
    )
    return _detail(request, case_id)


def refer_from_event(request: HttpRequest, event_id: int, data: dict[str, Any]) -> Any:
    """`POST /events/{id}/transitions {"action": "refer_mediation", ...}` (events.py hands
    the action here): the new case, 201 (200 for a repeated `client_uuid`)."""
    parties = data.get("parties")
    if parties is not None and not isinstance(parties, list):
        raise invalid("parties", _("请填写当事人（至少一名申请人和一名被申请人）"))
    case, created = mediation_case_from_event(
        actor=actor_of(request), event_id=event_id, payload=data
    )
    return Reply(201 if created else 200, _detail(request, case.pk))


# ---- committees ---------------------------------------------------------------------------------


class CheckOut(Schema):
    item: str
    item_label: str
    state: str
    state_label: str
    checked_on: dt.date | None


class MediatorOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    phone: str = Field(description="电话（脱敏）")
    has_account: bool


class CommitteeOut(Schema):
    id: int
    name: str
    level: str
    level_label: str
    kind: str
    kind_label: str
    region: int
    region_name: str
    parent: int | None
    is_gold_room: bool
    gold_room_note: str
    five_haves: list[CheckOut]
    mediators: list[MediatorOut]


@router.get(
    "/mediation/committees",
    response=list[CommitteeOut],
    summary="调委会（本人辖区内及上级的调委会，含五有检查与调解员）",
)
def committees(request: HttpRequest) -> Any:
    return [
        {
            "id": c.pk,
            "name": c.name,
            "level": c.level,
            "level_label": c.get_level_display(),
            "kind": c.kind,
            "kind_label": c.get_kind_display(),
            "region": c.region_id,
            "region_name": c.region.name,
            "parent": c.parent_id,
            "is_gold_room": c.is_gold_room,
            "gold_room_note": c.gold_room_note,
            "five_haves": [
                {
                    "item": k.item,
                    "item_label": k.get_item_display(),
                    "state": k.state,
                    "state_label": k.get_state_display(),
                    "checked_on": k.checked_on,
                }
                for k in c.checks.all()
            ],
            "mediators": [mediator_dict(m) for m in c.mediators.all()],
        }
        for c in committee_list(actor=actor_of(request))
    ]
