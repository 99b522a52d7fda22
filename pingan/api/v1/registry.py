"""The people registers (实有人口, 重点人员): persons, households, moves, residence
permits, points, key persons, visits and the visits due on the phone, figures. Reads
through `registry.selectors` (scoped to the caller), writes through `registry.services`.
Personal values are masked in every answer; `GET /registry/persons/{id}/reveal` shows
them in full to those who may, audited. docs/registry.md."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from ninja import Query, Router, Schema
from ninja import Status as Reply
from ninja.decorators import decorate_view
from pydantic import Field

from pingan.access.actor import actor_of
from pingan.api.v1.registers_common import MAX_PAGE, each, page_of, patch_of
from pingan.core.errors import invalid
from pingan.geo.models import Region
from pingan.registry import selectors as sel
from pingan.registry import services as svc
from pingan.registry import stats
from pingan.registry.choices import ChangeSource, MoveKind, PersonKind, VisitOutcome
from pingan.registry.models import KeyPersonCategory, PointsLevel, PointsRule
from pingan.registry.permissions import access_person

router = Router(tags=["registry"])

API = ChangeSource.API
# A list's count is exact up to this many rows; beyond it `count_capped` says so (a
# county's five million persons are not counted on every page: docs/registry.md).
COUNT_CAP = 10_000


def _counted(qs: Any) -> dict[str, Any]:
    """`count` (at most COUNT_CAP) and `count_capped`: one LIMITed count."""
    n = qs.order_by().values("pk")[: COUNT_CAP + 1].count()
    return {"count": min(n, COUNT_CAP), "count_capped": n > COUNT_CAP}


def _listed(filters: Any, qs: Any, shape: Callable[[list[Any]], list[Any]]) -> dict[str, Any]:
    """The page of a list the filters ask for, with its capped count."""
    return page_of(qs, filters.page, filters.page_size, shape, count=_counted)


class RegistryPage(Schema):
    """What a list's page says besides its items."""

    count: int = Field(description=f"匹配的记录数（最多计到 {COUNT_CAP}）")
    count_capped: bool = Field(description=f"匹配的记录多于 {COUNT_CAP} 条")
    page: int
    page_size: int


# ---- persons ------------------------------------------------------------------------------


class RegistryPersonOut(Schema):
    id: int
    name: str = Field(description="姓名（脱敏）")
    id_number: str = Field(description="身份证号（脱敏）")
    sex: str
    sex_label: str
    birth_date: str = Field(description="出生日期（脱敏：仅年份）")
    phone: str = Field(description="联系电话（脱敏）")
    kind: str
    kind_label: str
    household: int | None
    household_number: str
    relation: str
    address: str = Field(description="居住地址（脱敏）")
    region: int
    region_name: str
    status: str
    status_label: str
    moved_in_at: dt.date | None
    moved_out_at: dt.date | None
    sensitivity: str
    points_total: int
    anonymised: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class RegistryChangeOut(Schema):
    model: str
    object_id: int
    action: str
    fields: dict[str, Any] = Field(description="变更字段及其脱敏后的新旧值")
    actor: int | None
    actor_name: str
    source: str
    at: dt.datetime


class RegistryMoveOut(Schema):
    kind: str
    kind_label: str
    on: dt.date
    from_region: str
    to_region: str
    from_household: str
    to_household: str
    note: str


class RegistryPermitOut(Schema):
    id: int
    person: int
    status: str
    status_label: str
    number: str
    applied_on: dt.date
    issued_on: dt.date | None
    expires_on: dt.date | None
    closed_on: dt.date | None
    expiring: bool = Field(description="30天内到期")
    note: str


class RegistryPersonDetailOut(RegistryPersonOut):
    moves: list[RegistryMoveOut]
    permits: list[RegistryPermitOut]
    history: list[RegistryChangeOut]


class RegistryPersonPage(RegistryPage):
    items: list[RegistryPersonOut]


class RegistryPersonQuery(Schema):
    region: int | None = Field(None, description="区划（含下级）")
    grid: int | None = Field(None, description="网格")
    kind: str | None = Field(None, description="、".join(PersonKind.values))
    status: str | None = None
    household: int | None = None
    q: str = Field(
        "",
        description="按完整身份证号或手机号精确查找（加密存储，不支持姓名模糊查找）",
        max_length=24,
    )
    page: int = Field(1, le=MAX_PAGE)
    page_size: int = 20


def _person_detail(person: Any) -> dict[str, Any]:
    day = svc.today()
    out = sel.person_dict(person)
    out.update(
        moves=[sel.move_dict(m) for m in sel.person_moves(person)],
        permits=[sel.permit_dict(r, day=day) for r in sel.person_permits(person)],
        history=[sel.change_dict(c) for c in sel.person_history(person)],
    )
    return out


@router.get(
    "/registry/persons",
    response=RegistryPersonPage,
    summary="实有人口列表（本人范围内；个人信息脱敏）",
)
def persons(request: HttpRequest, filters: Query[RegistryPersonQuery]) -> Any:
    qs = sel.person_list(
        actor=actor_of(request),
        region=filters.region,
        grid=filters.grid,
        kind=filters.kind,
        status=filters.status,
        household=filters.household,
        q=filters.q,
    )
    return _listed(filters, qs, each(sel.person_dict))


class RegistryPersonIn(Schema):
    name: str = Field(description="姓名")
    id_number: str = Field(
        "", description="18位身份证号（校验位、出生日期校验；性别与出生日期由此得出）"
    )
    phone: str = ""
    kind: str = Field(PersonKind.REGISTERED, description="、".join(PersonKind.values))
    region: int = Field(description="所在网格")
    household: int | None = None
    relation: str = ""
    address: str = ""
    sensitivity: str = ""
    moved_in_at: dt.date | None = Field(None, description="迁入日期（新迁入时填写）")


@router.post(
    "/registry/persons",
    response={201: RegistryPersonDetailOut},
    summary="登记人员（本县已有该身份证号时 409）",
)
def person_create(request: HttpRequest, payload: RegistryPersonIn) -> Any:
    data = payload.model_dump()
    person = svc.person_create(
        actor=actor_of(request),
        region=data.pop("region"),
        moved_in_at=data.pop("moved_in_at"),
        source=API,
        **data,
    )
    return Reply(201, _person_detail(person))


@router.get("/registry/persons/{person_id}", response=RegistryPersonDetailOut, summary="人员详情")
def person_get(request: HttpRequest, person_id: int) -> Any:
    return _person_detail(sel.person_detail(actor=actor_of(request), person_id=person_id))


class RegistryPersonPatch(patch_of(RegistryPersonIn, drop=("region", "moved_in_at"))):  # type: ignore[misc]
    pass  # grid and status change through the moves


@router.patch(
    "/registry/persons/{person_id}",
    response=RegistryPersonDetailOut,
    summary="修改人员信息（只改所给字段；网格与状态经迁移办理）",
)
def person_update(request: HttpRequest, person_id: int, payload: RegistryPersonPatch) -> Any:
    data = payload.model_dump(exclude_unset=True)
    person = svc.person_update(actor=actor_of(request), person_id=person_id, source=API, **data)
    return _person_detail(person)


class RegistryPersonFullOut(Schema):
    id: int
    name: str
    id_number: str
    birth_date: str
    phone: str
    address: str


@router.get(
    "/registry/persons/{person_id}/reveal",
    response=RegistryPersonFullOut,
    summary="查看人员个人信息原文（所在网格的网格员、网格长及受理员可用；每次查看记入审计）",
)
@decorate_view(never_cache)  # personal data in full: never kept by a browser or a proxy
def person_reveal(request: HttpRequest, person_id: int, purpose: str = "") -> Any:
    p = svc.person_reveal(actor=actor_of(request), person_id=person_id, purpose=purpose)
    full = sel.person_dict(p, reveal=True)
    return {k: full[k] for k in ("id", "name", "id_number", "birth_date", "phone", "address")}


class RegistryReadOut(Schema):
    at: dt.datetime
    user: int | None
    username: str
    action: str
    result: str
    ip: str | None


@router.get(
    "/registry/persons/{person_id}/reads",
    response=list[RegistryReadOut],
    summary="谁查阅过该人员（详情与查看原文；仅审计管理员）",
)
def person_reads(request: HttpRequest, person_id: int) -> Any:
    rows = sel.person_reads(actor=actor_of(request), person_id=person_id)
    return [
        {
            "at": e.at,
            "user": e.actor_id,
            "username": e.username,
            "action": e.action,
            "result": e.result,
            "ip": e.ip,
        }
        for e in rows
    ]


class RegistryMoveIn(Schema):
    kind: str = Field(
        description="in 迁入（回迁）、out 迁出、transfer 辖区内迁移、deceased 死亡、"
        "missing 失联、present 恢复在住"
    )
    on: dt.date | None = Field(None, description="日期（迁入、迁出、迁移必填）")
    region: int | None = Field(None, description="迁入、迁移：新网格")
    household: int | None = Field(None, description="迁入、迁移：新户（可空）")
    note: str = ""


@router.post(
    "/registry/persons/{person_id}/moves",
    response=RegistryPersonDetailOut,
    summary="办理迁入、迁出、辖区内迁移或状态变更（有迁移记录）",
)
def person_move(request: HttpRequest, person_id: int, payload: RegistryMoveIn) -> Any:
    actor = actor_of(request)
    common: dict[str, Any] = {
        "actor": actor,
        "person_id": person_id,
        "note": payload.note,
        "source": API,
    }
    if payload.kind == MoveKind.MOVE_IN:
        p = svc.person_move_in(
            region=payload.region, household=payload.household, on=payload.on, **common
        )
    elif payload.kind == MoveKind.MOVE_OUT:
        p = svc.person_move_out(on=payload.on, **common)
    elif payload.kind == MoveKind.TRANSFER:
        p = svc.person_transfer(
            region=payload.region, household=payload.household, on=payload.on, **common
        )
    elif payload.kind in ("deceased", "missing", "present"):
        p = svc.person_set_status(status=payload.kind, on=payload.on, **common)
    else:
        raise invalid("kind", _("办理类型不正确"))
    return _person_detail(p)


# ---- permits ----------------------------------------------------------------------------------


class RegistryPermitApplyIn(Schema):
    applied_on: dt.date | None = Field(None, description="申请日期（默认今天）")
    note: str = ""


@router.post(
    "/registry/persons/{person_id}/permits",
    response={201: RegistryPermitOut},
    summary="新居民申请居住证",
)
def permit_apply(request: HttpRequest, person_id: int, payload: RegistryPermitApplyIn) -> Any:
    permit = svc.permit_apply(
        actor=actor_of(request),
        person_id=person_id,
        applied_on=payload.applied_on,
        note=payload.note,
        source=API,
    )
    return Reply(201, sel.permit_dict(permit, day=svc.today()))


class RegistryPermitActionIn(Schema):
    action: str = Field(description="issue 发证、renew 续签、reject 不予办理、revoke 注销")
    number: str = Field("", description="issue：居住证号")
    issued_on: dt.date | None = Field(None, description="issue：发证日期（默认今天）")
    expires_on: dt.date | None = Field(None, description="issue、renew：有效期至")
    note: str = Field("", description="reject、revoke：理由")


@router.post(
    "/registry/permits/{permit_id}/actions",
    response=RegistryPermitOut,
    summary="办理居住证（受理员）：发证、续签、不予办理、注销",
)
def permit_act(request: HttpRequest, permit_id: int, payload: RegistryPermitActionIn) -> Any:
    permit = svc.permit_act(
        actor=actor_of(request), permit_id=permit_id, source=API, **payload.model_dump()
    )
    return sel.permit_dict(permit, day=svc.today())


# ---- points ------------------------------------------------------------------------------------


class RegistryPointsEntryOut(Schema):
    id: int
    rule: str
    item: str
    points: int
    reason: str
    evidence_note: str
    reverses: int | None
    on: dt.date
    by: int | None
    at: dt.datetime


class RegistryPointsOut(Schema):
    person: int
    total: int
    level: str | None
    next_level: str | None
    next_threshold: int | None
    entries: list[RegistryPointsEntryOut]


def _points(person: Any) -> dict[str, Any]:
    level = svc.points_level(person.points_total)
    nxt = PointsLevel.objects.filter(threshold__gt=person.points_total).order_by("threshold")
    following = nxt.first()
    return {
        "person": person.pk,
        "total": person.points_total,
        "level": level.name if level else None,
        "next_level": following.name if following else None,
        "next_threshold": following.threshold if following else None,
        "entries": [sel.points_entry_dict(e) for e in sel.person_points(person)],
    }


@router.get(
    "/registry/persons/{person_id}/points",
    response=RegistryPointsOut,
    summary="积分：总分、等级与明细",
)
def points(request: HttpRequest, person_id: int) -> Any:
    return _points(access_person(actor_of(request), person_id))


class RegistryPointsIn(Schema):
    rule: str = Field(description="积分规则代码")
    reason: str = Field(description="事由")
    evidence_note: str = ""
    on: dt.date | None = Field(None, description="积分日期（默认今天）")


@router.post(
    "/registry/persons/{person_id}/points",
    response={201: RegistryPointsOut},
    summary="登记积分（受理员；按规则的分值与年度上限）",
)
def points_add(request: HttpRequest, person_id: int, payload: RegistryPointsIn) -> Any:
    entry = svc.points_add(
        actor=actor_of(request), person_id=person_id, source=API, **payload.model_dump()
    )
    return Reply(201, _points(entry.person))


class RegistryReverseIn(Schema):
    reason: str = Field(description="冲正理由")


@router.post(
    "/registry/points/{points_entry_id}/reverse",
    response={201: RegistryPointsOut},
    summary="冲正一条积分记录（记一条相反分值的记录）",
)
def points_reverse(request: HttpRequest, points_entry_id: int, payload: RegistryReverseIn) -> Any:
    back = svc.points_reverse(
        actor=actor_of(request), entry_id=points_entry_id, reason=payload.reason, source=API
    )
    return Reply(201, _points(back.person))


class RegistryRuleOut(Schema):
    code: str
    item: str
    points: int
    max_per_year: int | None


class RegistryLevelOut(Schema):
    name: str
    threshold: int


class RegistryCategoryOut(Schema):
    code: str
    name: str
    sensitivity: str
    visit_every_days: int
    visit_window_days: int


class RegistryReferenceOut(Schema):
    points_rules: list[RegistryRuleOut]
    points_levels: list[RegistryLevelOut]
    key_person_categories: list[RegistryCategoryOut]


@router.get(
    "/registry/reference",
    response=RegistryReferenceOut,
    summary="积分规则、积分等级与重点人员类别（配置）",
)
def reference(request: HttpRequest) -> Any:
    return {
        "points_rules": list(
            PointsRule.objects.filter(is_active=True).values(
                "code", "item", "points", "max_per_year"
            )
        ),
        "points_levels": list(PointsLevel.objects.values("name", "threshold")),
        "key_person_categories": list(
            KeyPersonCategory.objects.filter(is_active=True).values(
                "code", "name", "sensitivity", "visit_every_days", "visit_window_days"
            )
        ),
    }


# ---- households ----------------------------------------------------------------------------------


class RegistryHouseholdOut(Schema):
    id: int
    number: str
    kind: str
    kind_label: str
    head: int | None
    address: str = Field(description="住址（脱敏）")
    region: int
    region_name: str
    member_count: int | None
    created_at: dt.datetime
    updated_at: dt.datetime


class RegistryHouseholdDetailOut(RegistryHouseholdOut):
    members: list[RegistryPersonOut]


class RegistryHouseholdPage(RegistryPage):
    items: list[RegistryHouseholdOut]


class RegistryHouseholdQuery(Schema):
    region: int | None = None
    grid: int | None = None
    number: str = Field("", max_length=40, description="户号（精确）")
    page: int = Field(1, le=MAX_PAGE)
    page_size: int = 20


@router.get("/registry/households", response=RegistryHouseholdPage, summary="户列表")
def households(request: HttpRequest, filters: Query[RegistryHouseholdQuery]) -> Any:
    qs = sel.household_list(
        actor=actor_of(request), region=filters.region, grid=filters.grid, number=filters.number
    )
    return _listed(filters, qs, each(sel.household_dict))


def _household_detail(request: HttpRequest, household_id: int) -> dict[str, Any]:
    actor = actor_of(request)
    h = sel.household_detail(actor=actor, household_id=household_id)
    out = sel.household_dict(h)
    members = sel.household_members(actor, h)
    out.update(member_count=len(members), members=[sel.person_dict(p) for p in members])
    return out


class RegistryHouseholdIn(Schema):
    number: str = Field(description="户号（本县唯一）")
    region: int = Field(description="所在网格")
    kind: str = "family"
    address: str = ""


@router.post("/registry/households", response={201: RegistryHouseholdDetailOut}, summary="登记户")
def household_create(request: HttpRequest, payload: RegistryHouseholdIn) -> Any:
    hh = svc.household_create(actor=actor_of(request), source=API, **payload.model_dump())
    return Reply(201, _household_detail(request, hh.pk))


@router.get(
    "/registry/households/{household_id}",
    response=RegistryHouseholdDetailOut,
    summary="户详情（成员脱敏）",
)
def household_get(request: HttpRequest, household_id: int) -> Any:
    return _household_detail(request, household_id)


class RegistryHouseholdPatch(patch_of(RegistryHouseholdIn)):  # type: ignore[misc]
    head: int | None = None


@router.patch(
    "/registry/households/{household_id}",
    response=RegistryHouseholdDetailOut,
    summary="修改户信息（只改所给字段）",
)
def household_update(
    request: HttpRequest, household_id: int, payload: RegistryHouseholdPatch
) -> Any:
    svc.household_update(
        actor=actor_of(request),
        household_id=household_id,
        source=API,
        **payload.model_dump(exclude_unset=True),
    )
    return _household_detail(request, household_id)


# ---- key persons -----------------------------------------------------------------------------


class RegistryHelperOut(Schema):
    id: int
    name: str


class RegistryKeyPersonOut(Schema):
    id: int
    person: int
    person_name: str = Field(description="姓名（脱敏）")
    person_id_number: str = Field(description="身份证号（脱敏）")
    category: str
    category_name: str
    since: dt.date
    until: dt.date | None
    risk_level: str
    risk_level_label: str
    status: str
    status_label: str
    sensitivity: str
    region: int
    region_name: str
    last_visit_at: dt.datetime | None
    missed_visits: int | None
    helpers: list[RegistryHelperOut]


class RegistryTaskOut(Schema):
    id: int
    key_person: int
    person_name: str
    category: str
    category_name: str
    risk_level: str
    region: int
    region_name: str
    assignee: int | None
    opens_on: dt.date
    due_on: dt.date
    state: str = Field(description="open 待走访、overdue 已逾期、done 已完成、cancelled 已取消")
    missed: bool
    done_at: dt.datetime | None


class RegistryVisitOut(Schema):
    id: int
    at: dt.datetime
    by: int | None
    by_name: str
    outcome: str
    outcome_label: str
    note: str
    lat: float | None
    lng: float | None
    patrol_visit_id: int | None


class RegistryKeyPersonDetailOut(RegistryKeyPersonOut):
    note: str
    visits: list[RegistryVisitOut]
    tasks: list[RegistryTaskOut]


class RegistryKeyPersonPage(RegistryPage):
    items: list[RegistryKeyPersonOut]


class RegistryKeyPersonQuery(Schema):
    region: int | None = None
    grid: int | None = None
    category: str | None = Field(None, description="类别代码")
    status: str | None = Field(None, description="active 在管、closed 已解除")
    risk_level: str | None = None
    q: str = Field("", max_length=24, description="完整身份证号或手机号")
    page: int = Field(1, le=MAX_PAGE)
    page_size: int = 20


@router.get(
    "/registry/key-persons",
    response=RegistryKeyPersonPage,
    summary="重点人员列表（须有类别敏感标签授权；帮扶责任人可见其帮扶对象）",
)
def key_persons(request: HttpRequest, filters: Query[RegistryKeyPersonQuery]) -> Any:
    qs = sel.key_person_list(
        actor=actor_of(request),
        region=filters.region,
        grid=filters.grid,
        category=filters.category,
        status=filters.status,
        risk_level=filters.risk_level,
        q=filters.q,
    )

    def shape(rows: list[Any]) -> list[dict[str, Any]]:
        helpers = sel.key_person_helpers(rows)
        return [sel.key_person_dict(k, helpers=helpers[k.pk]) for k in rows]

    return _listed(filters, qs, shape)


def _key_person_detail(request: HttpRequest, key_person_id: int) -> dict[str, Any]:
    kp = sel.key_person_detail(actor=actor_of(request), key_person_id=key_person_id)
    day = svc.today()
    out = sel.key_person_dict(kp, helpers=sel.key_person_helpers([kp])[kp.pk])
    out.update(
        missed_visits=kp.tasks.filter(missed=True).count(),
        note=kp.note,
        visits=[sel.visit_dict(v) for v in sel.key_person_visits(kp)],
        tasks=[sel.task_dict(t, day=day) for t in sel.key_person_tasks(kp)],
    )
    return out


class RegistryKeyPersonIn(Schema):
    person: int = Field(description="人员")
    category: str = Field(description="类别代码")
    since: dt.date | None = Field(None, description="列管日期（默认今天）")
    helpers: list[int] = Field(default_factory=list, description="帮扶责任人（用户编号）")
    risk_level: str = "low"
    note: str = ""
    sensitivity: str | None = Field(None, description="敏感标签（默认取类别的标签）")


@router.post(
    "/registry/key-persons",
    response={201: RegistryKeyPersonDetailOut},
    summary="列管重点人员（网格长、受理员；须有该类别的敏感标签授权）",
)
def key_person_create(request: HttpRequest, payload: RegistryKeyPersonIn) -> Any:
    data = payload.model_dump()
    kp = svc.key_person_create(
        actor=actor_of(request), person_id=data.pop("person"), source=API, **data
    )
    return Reply(201, _key_person_detail(request, kp.pk))


@router.get(
    "/registry/key-persons/{key_person_id}",
    response=RegistryKeyPersonDetailOut,
    summary="重点人员详情（走访记录与任务）",
)
def key_person_get(request: HttpRequest, key_person_id: int) -> Any:
    return _key_person_detail(request, key_person_id)


class RegistryKeyPersonPatch(
    patch_of(RegistryKeyPersonIn, only=("helpers", "risk_level", "note", "sensitivity"))  # type: ignore[misc]
):
    status: str | None = Field(None, description="closed：解除列管")
    until: dt.date | None = Field(None, description="解除日期（默认今天）")


@router.patch(
    "/registry/key-persons/{key_person_id}",
    response=RegistryKeyPersonDetailOut,
    summary="修改重点人员（帮扶责任人、风险等级、说明、敏感标签；解除列管）",
)
def key_person_update(
    request: HttpRequest, key_person_id: int, payload: RegistryKeyPersonPatch
) -> Any:
    svc.key_person_update(
        actor=actor_of(request),
        key_person_id=key_person_id,
        source=API,
        **payload.model_dump(exclude_unset=True),
    )
    return _key_person_detail(request, key_person_id)


class RegistryVisitIn(Schema):
    outcome: str = Field(description="、".join(VisitOutcome.values))
    task: int | None = Field(None, description="走访任务（可空：完成该重点人员的待走访任务）")
    note: str = ""
    at: dt.datetime | None = Field(None, description="走访时间（默认现在）")
    lat: float | None = None
    lng: float | None = None
    client_uuid: str | None = Field(None, description="客户端生成的UUID，重复提交返回同一记录")


@router.post(
    "/registry/key-persons/{key_person_id}/visits",
    response={200: RegistryKeyPersonDetailOut, 201: RegistryKeyPersonDetailOut},
    summary="记录走访（完成待走访任务并生成下一次任务；相同 client_uuid 返回 200）",
)
def visit_create(request: HttpRequest, key_person_id: int, payload: RegistryVisitIn) -> Any:
    _visit, created = svc.visit_record(
        actor=actor_of(request), key_person=key_person_id, source=API, **payload.model_dump()
    )
    return Reply(201 if created else 200, _key_person_detail(request, key_person_id))


class RegistryDueQuery(Schema):
    grid: int = Field(description="网格（或其上级区划：含下级）")


@router.get(
    "/registry/visits-due",
    response=list[RegistryTaskOut],
    summary="网格内到期与逾期的走访任务（手机端）",
)
def visits_due(request: HttpRequest, filters: Query[RegistryDueQuery]) -> Any:
    day = svc.today()
    rows = sel.visits_due(actor=actor_of(request), grid=filters.grid, day=day)[:500]
    return [sel.task_dict(t, day=day) for t in rows]


# ---- figures ---------------------------------------------------------------------------------


class RegistryStatsRow(Schema):
    region: int
    code: str
    name: str
    level: str
    persons: int
    new_residents: int
    permits_expiring: int
    key_persons: int
    by_category: dict[str, int]
    visits_due: int
    visits_overdue: int
    visits_done: int
    visits_missed: int


class RegistryStatsTotal(Schema):
    persons: int
    new_residents: int
    permits_expiring: int
    key_persons: int
    by_category: dict[str, int]
    visits_due: int
    visits_overdue: int
    visits_done: int
    visits_missed: int


class RegistryStatsOut(Schema):
    region: dict[str, Any]
    day: dt.date
    since: dt.date
    categories: list[dict[str, str]]
    rows: list[RegistryStatsRow]
    total: RegistryStatsTotal


class RegistryStatsQuery(Schema):
    region: int = Field(description="区划：按其下级（镇、村、网格）分列")
    since: dt.date | None = Field(None, description="走访完成与逾期的起算日（默认本月1日）")


@router.get(
    "/registry/stats",
    response=RegistryStatsOut,
    summary="登记数字：按下级区划的人口、新居民、居住证到期、重点人员、走访（本人范围内）",
)
def registry_stats(request: HttpRequest, filters: Query[RegistryStatsQuery]) -> Any:
    region = Region.objects.filter(pk=filters.region).first()
    if region is None:
        raise invalid("region", _("区划不存在"))
    return stats.counts(actor_of(request), region, since=filters.since)
