"""Writes on mediation: committees and mediators, creating a case (walk-in, a channel, or
转调解 from an event), and the one transition service. docs/mediation.md."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from pingan.access.actor import Actor, as_actor
from pingan.cases import service as engine
from pingan.cases.fields import text as _text
from pingan.cases.table import Outcome, Step
from pingan.core import clock, pii
from pingan.core.errors import Conflict, Forbidden, NotFound, invalid
from pingan.events import workflow as event_workflow
from pingan.events.models import Event
from pingan.events.services import event_transition
from pingan.geo.models import Region
from pingan.geo.scope import within
from pingan.geo.selectors import county_code_of
from pingan.mediation import rollup, workflow
from pingan.mediation.choices import (
    Channel,
    CheckItem,
    CommitteeKind,
    DisputeKind,
    MediatorKind,
    PartyKind,
    PartyRole,
)
from pingan.mediation.fields import amount_of, committee_covers_case, committee_of
from pingan.mediation.kind import MEDIATION
from pingan.mediation.models import (
    CaseSequence,
    Committee,
    CommitteeCheck,
    MediationCase,
    MediationTransition,
    Mediator,
    Party,
)
from pingan.mediation.permissions import access_case, can_unmask, mediator_posts
from pingan.org.choices import Role
from pingan.org.services import membership_grant

# Who registers a case (walk-in, a channel, on the spot): the centre and grid staff in
# their regions, a mediator at their committee.
CREATING_ROLES = frozenset({Role.DISPATCHER, Role.GRID_WORKER, Role.GRID_LEADER, Role.MEDIATOR})
MAX_PARTIES = 50


# ---- committees and mediators ---------------------------------------------------------------


def committee_create(
    *,
    name: str,
    level: str,
    region: Region,
    kind: str = CommitteeKind.PEOPLE,
    parent: Committee | None = None,
    is_gold_room: bool = False,
    gold_room_note: str = "",
) -> Committee:
    """A committee with its five 五有 rows (not yet checked: missing)."""
    with transaction.atomic():
        committee = Committee.objects.create(
            name=name,
            level=level,
            kind=kind,
            region=region,
            parent=parent,
            is_gold_room=is_gold_room,
            gold_room_note=gold_room_note,
        )
        CommitteeCheck.objects.bulk_create(
            CommitteeCheck(committee=committee, item=item) for item in CheckItem.values
        )
    return committee


def mediator_create(
    *,
    committee: Committee,
    name: str,
    kind: str = MediatorKind.PEOPLE,
    user: Any = None,
    phone: str = "",
) -> Mediator:
    """A mediator of `committee`; one with an account gets the `mediator` role."""
    if phone:
        phone = pii.validate_phone(phone)
    with transaction.atomic():
        mediator = Mediator.objects.create(
            committee=committee, name=name, kind=kind, user=user, phone=phone
        )
        if user is not None:
            membership_grant(user=user, role=Role.MEDIATOR, region=committee.region)
    return mediator


# ---- creating a case --------------------------------------------------------------------------


def _uuid(value: uuid.UUID | str | None) -> uuid.UUID | None:
    if not value:
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise invalid("client_uuid", gettext("不是有效的UUID")) from None


def _existing(client_uuid: uuid.UUID | None, actor: Actor) -> MediationCase | None:
    if client_uuid is None:
        return None
    case = MediationCase.objects.filter(client_uuid=client_uuid).first()
    if case is not None and case.created_by_id not in (None, actor.pk):
        raise Conflict(gettext("client_uuid 已被使用"))
    return case


def parties_of(raw: Any) -> list[dict[str, str]]:
    """The parties, validated: at least one applicant and one respondent; 422 naming
    `parties[i].field` otherwise."""
    if not isinstance(raw, list) or not raw:
        raise invalid("parties", gettext("请填写当事人（至少一名申请人和一名被申请人）"))
    if len(raw) > MAX_PARTIES:
        raise invalid("parties", gettext("当事人过多"))
    out: list[dict[str, str]] = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            raise invalid(f"parties[{i}]", gettext("当事人格式不正确"))
        at = f"parties[{i}]."
        role = item.get("role")
        if role not in PartyRole.values:
            raise invalid(at + "role", gettext("当事人类型应为 applicant 或 respondent"))
        kind = item.get("kind") or PartyKind.PERSON
        if kind not in PartyKind.values:
            raise invalid(at + "kind", gettext("主体应为 person 或 organisation"))
        name = _text(item, "name", gettext("姓名或名称"), max_len=100)
        id_number = _text(item, "id_number", gettext("证件号码"), required=False, max_len=18)
        if id_number and kind == PartyKind.PERSON:
            id_number = pii.validate_id_number(id_number, field=at + "id_number")
        phone = _text(item, "phone", gettext("电话"), required=False, max_len=20)
        if phone:
            phone = pii.validate_phone(phone, field=at + "phone")
        address = _text(item, "address", gettext("住址"), required=False, max_len=255)
        out.append(
            {
                "role": str(role),
                "kind": str(kind),
                "name": name,
                "id_number": id_number,
                "phone": phone,
                "address": address,
            }
        )
    roles = {p["role"] for p in out}
    if roles != {PartyRole.APPLICANT, PartyRole.RESPONDENT}:
        raise invalid("parties", gettext("请填写当事人（至少一名申请人和一名被申请人）"))
    return out


def _next_code(region: Region, now: Any) -> str:
    prefix = f"TJ-{county_code_of(region)}-{timezone.localtime(now):%Y%m%d}"
    seq, _ = CaseSequence.objects.select_for_update().get_or_create(prefix=prefix)
    seq.value += 1
    seq.save(update_fields=["value"])
    return f"{prefix}-{seq.value:04d}"


def _region(value: int | Region | None) -> Region:
    if isinstance(value, Region):
        return value
    if value in (None, ""):
        raise invalid("region", gettext("请选择所在区划"))
    try:
        region = Region.objects.filter(pk=int(value)).first()  # type: ignore[arg-type]
    except (TypeError, ValueError):
        region = None
    if region is None:
        raise invalid("region", gettext("区划不存在"))
    return region


def _entitled_role(
    actor: Actor, region: Region, committee: Committee | None
) -> tuple[str, Committee | None]:
    """The role that lets `actor` register a case in `region` (and the committee a
    mediator registers it at); Forbidden / 422 otherwise."""
    if not actor.roles & CREATING_ROLES:
        raise Forbidden(gettext("当前角色不能登记调解案件"))
    for role in (Role.DISPATCHER, Role.GRID_LEADER, Role.GRID_WORKER):
        if role in actor.roles and actor.covers(region.path, (role,)):
            return role, committee
    posts = mediator_posts(actor)
    if posts:
        post = next((p for p in posts if committee is None or p.committee_id == committee.pk), None)
        if post is None:
            raise invalid("committee", gettext("只能登记到本人所在的调委会"))
        own = post.committee
        if not within(region.path, (own.region_path,)):
            raise invalid("region", gettext("所在区划不在本调委会辖区内"))
        return Role.MEDIATOR, own
    raise invalid("region", gettext("所在区划不在您的辖区内"))


def _create(
    actor: Actor,
    role: str,
    *,
    summary: str,
    region: Region,
    channel: str,
    dispute_kind: str,
    amount: Any,
    parties: Any,
    committee: Committee | None,
    event: Event | None,
    client_uuid: uuid.UUID | None,
    note: str = "",
) -> MediationCase:
    """Write the case, its parties, the first timeline row and the audit row (inside the
    caller's transaction)."""
    summary = _text({"summary": summary}, "summary", gettext("纠纷简要情况"), max_len=5000)
    if channel not in Channel.values:
        raise invalid("channel", gettext("来源不正确"))
    if dispute_kind not in DisputeKind.values:
        raise invalid("dispute_kind", gettext("纠纷类型不正确"))
    value = amount_of(amount)
    people = parties_of(parties)
    if committee is not None:
        committee_covers_case(committee, region.path)
    now = clock.now()
    case = MediationCase(
        code=_next_code(region, now),
        channel=channel,
        event=event,
        dispute_kind=dispute_kind,
        amount=value,
        summary=summary,
        region=region,
        region_path=region.path,
        committee=committee,
        level=committee.level if committee else "",
        sensitivity=event.sensitivity if event is not None else "",
        client_uuid=client_uuid,
        created_by=actor.user,
        created_at=now,
    )
    case.save()
    rollup.case_written(case)  # the figures' monthly rollup, in this transaction
    for p in people:
        Party.objects.create(case=case, **p)
    data: dict[str, Any] = {"channel": channel, "parties": len(people)}
    if event is not None:
        data.update(event=event.pk, event_code=event.code)
    if committee is not None:
        data.update(committee=committee.pk, committee_name=committee.name)
    MediationTransition.objects.create(
        case=case,
        action="register",
        from_status="",
        to_status=case.status,
        actor=actor.user,
        actor_role=role,
        note=note,
        data=data,
        at=now,
    )
    actor.audit(
        "mediation.register",
        object_type="mediation",
        object_id=case.pk,
        detail={"channel": channel, "event": event.pk if event else None},
    )
    return case


def mediation_case_create(
    *,
    actor: Actor | Any,
    summary: str,
    region: int | Region | None,
    parties: list[dict[str, Any]],
    channel: str = Channel.WALK_IN,
    dispute_kind: str = DisputeKind.OTHER,
    amount: Any = None,
    committee: int | None = None,
    client_uuid: uuid.UUID | str | None = None,
) -> tuple[MediationCase, bool]:
    """Register a case (申请/登记) as `actor`; returns (case, created). The same
    `client_uuid` again returns the first case and created=False. Cases from an event go
    through `mediation_case_from_event` (channel `event` is refused here)."""
    actor = as_actor(actor)
    key = _uuid(client_uuid)
    existing = _existing(key, actor)
    if existing is not None:
        return existing, False
    if channel == Channel.EVENT:
        raise invalid("channel", gettext("事件转调解请在事件上操作"))
    chosen = committee_of({"committee": committee}) if committee else None
    where = _region(region)
    role, chosen = _entitled_role(actor, where, chosen)
    try:
        with transaction.atomic():
            case = _create(
                actor,
                role,
                summary=summary,
                region=where,
                channel=channel,
                dispute_kind=dispute_kind,
                amount=amount,
                parties=parties,
                committee=chosen,
                event=None,
                client_uuid=key,
            )
    except IntegrityError:
        again = _existing(key, actor)
        if again is not None:
            return again, False
        raise
    return case, True


def mediation_transition(
    *,
    actor: Actor | Any,
    case_id: int,
    action: str,
    payload: dict[str, Any] | None = None,
) -> MediationCase:
    """Fire `action` on the case as `actor` (the case engine: 404 out of scope, 403 role,
    409 state, 422 fields; nothing written unless every check passes)."""
    return engine.transition(
        MEDIATION, actor=actor, case_id=case_id, action=action, payload=payload
    )


# ---- 转调解 from an event ------------------------------------------------------------------------


def _dispute_kind_of(event: Event) -> str:
    """The event's category code's last part when it names a kind (`dispute.neighbour`)."""
    tail = event.category.code.rsplit(".", 1)[-1]
    return tail if tail in DisputeKind.values else DisputeKind.OTHER


def _handover(s: Step[Event]) -> Outcome:
    """The effect of the event's `refer_mediation` row: the case is created, linked to
    the event, in the same transaction as the event's timeline row."""
    event, p = s.case, s.payload
    if MediationCase.objects.filter(
        event=event, status__in=[st for st in workflow.OPEN | workflow.ENDED]
    ).exists():
        raise Conflict(gettext("该事件已转调解"))
    key = _uuid(p.get("client_uuid"))
    if key is not None and MediationCase.objects.filter(client_uuid=key).exists():
        raise Conflict(gettext("client_uuid 已被使用"))
    committee = committee_of(p) if p.get("committee") not in (None, "") else None
    summary = p.get("summary") or event.description
    case = _create(
        s.actor,
        s.membership.role,
        summary=summary,
        region=event.region,
        channel=Channel.EVENT,
        dispute_kind=p.get("dispute_kind") or _dispute_kind_of(event),
        amount=p.get("amount"),
        parties=p.get("parties"),
        committee=committee,
        event=event,
        client_uuid=key,
        note=_text(p, "note", gettext("说明"), required=False, max_len=2000),
    )
    return Outcome(
        f"转调解：{case.code}",
        {"mediation_case": case.pk, "mediation_code": case.code},
    )


def mediation_case_from_event(
    *, actor: Actor | Any, event_id: int, payload: dict[str, Any]
) -> tuple[MediationCase, bool]:
    """转调解: a dispute event handed to mediation by the centre or its handling
    department (the event's `refer_mediation` row checks who). Returns (case, created);
    the same `client_uuid` again returns the first case."""
    actor = as_actor(actor)
    existing = _existing(_uuid(payload.get("client_uuid")), actor)
    if existing is not None:
        return existing, False
    with transaction.atomic():
        event_transition(actor=actor, event_id=event_id, action="refer_mediation", payload=payload)
        case = MediationCase.objects.filter(event_id=event_id).order_by("-id").first()
    if case is None:  # pragma: no cover - the row's effect creates it
        raise NotFound(gettext("调解案件不存在"))
    return case, True


def install() -> None:
    """Register 转调解 on the events workflow (the app's `ready`)."""
    event_workflow.HANDOVERS["refer_mediation"] = _handover


# ---- parties' personal data ---------------------------------------------------------------------


def mediation_parties_reveal(*, actor: Actor | Any, case_id: int) -> list[Party]:
    """The parties in full for a dispatcher of the case's region or a mediator of its
    committee; every reveal (and every refusal) is audited as pii.unmask with the
    client's address. 404 out of scope, 403 for a role that may not unmask."""
    actor = as_actor(actor)
    case = access_case(actor, case_id)
    if not can_unmask(actor, case):
        actor.audit("pii.unmask", object_type="mediation", object_id=case.pk, result="denied")
        raise Forbidden(gettext("当前角色不能查看完整的个人信息"))
    actor.audit(
        "pii.unmask",
        object_type="mediation",
        object_id=case.pk,
        detail={"fields": ["parties"]},
    )
    return list(case.parties.order_by("role", "id"))
