"""Writes on major matters: registering one, changing its register entry, and the one
transition service. docs/risk.md."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from pingan.access.actor import Actor, as_actor
from pingan.cases import service as engine
from pingan.cases.fields import text as _text
from pingan.core import clock
from pingan.core.errors import Conflict, Forbidden, invalid
from pingan.geo import geometry
from pingan.geo.models import Region
from pingan.geo.selectors import county_code_of
from pingan.privacy.choices import Sensitivity
from pingan.risk import place
from pingan.risk.choices import MatterKind
from pingan.risk.fields import count_of, date_of, department_of
from pingan.risk.kind import RISK
from pingan.risk.models import MajorMatter, MatterSequence, MatterTransition
from pingan.risk.permissions import access_matter, office_memberships
from pingan.risk.workflow import TERMINAL

# The register's fields a PATCH may change (the grade and the decision only by the workflow).
EDITABLE = (
    "title",
    "kind",
    "owner_department",
    "region",
    "lat",
    "lng",
    "area",
    "radius_m",
    "people_affected",
    "planned_on",
    "description",
    "sensitivity",
)


def _region(value: Any) -> Region:
    if isinstance(value, Region):
        return value
    if value in (None, ""):
        raise invalid("region", gettext("请选择所在区划"))
    try:
        region = Region.objects.filter(pk=int(value)).first()
    except (TypeError, ValueError):
        region = None
    if region is None:
        raise invalid("region", gettext("区划不存在"))
    return region


def _office_role(actor: Actor, region: Region) -> str:
    """The role that lets `actor` register or edit a matter in `region`: the county's
    Ping'an office (a dispatcher or leader of a county or above). 403 / 422 otherwise."""
    mine = office_memberships(actor)
    if not mine:
        raise Forbidden(gettext("只有县级平安办（受理员、领导）可以登记重大事项"))
    covering = office_memberships(actor, region.path)
    if not covering:
        raise invalid("region", gettext("所在区划不在您的辖区内"))
    return covering[0].role


def _clean(fields: dict[str, Any], current: MajorMatter | None) -> dict[str, Any]:
    """The register's fields, validated (422 naming the field). `current`: the values not
    given keep theirs (a PATCH)."""
    out: dict[str, Any] = {}

    def given(name: str) -> bool:
        return current is None or name in fields

    if given("title"):
        out["title"] = _text(fields, "title", gettext("事项名称"), max_len=200)
    if given("kind"):
        kind = fields.get("kind") or (MatterKind.OTHER if current is None else None)
        if kind not in MatterKind.values:
            raise invalid(
                "kind", gettext("事项类型应为 land、restructuring、project、policy 或 other")
            )
        out["kind"] = kind
    if given("owner_department"):
        if fields.get("owner_department") in (None, ""):
            raise invalid("owner_department", gettext("请选择责任部门"))
        out["owner_department"] = department_of(fields)
    if given("region"):
        out["region"] = _region(fields.get("region"))
    if given("lat") or given("lng"):
        lat = fields.get("lat", current.lat if current else None)
        lng = fields.get("lng", current.lng if current else None)
        out["lat"], out["lng"] = geometry.point_of(lat, lng)
    if given("area"):
        out["area"] = geometry.area_of(fields.get("area"))
    if given("radius_m"):
        out["radius_m"] = place.radius_of(fields.get("radius_m"))
    if given("people_affected"):
        out["people_affected"] = count_of(fields, "people_affected", gettext("涉及群众人数"))
    if given("planned_on"):
        out["planned_on"] = date_of(fields, "planned_on", gettext("计划实施日期"), required=False)
    if given("description"):
        out["description"] = _text(
            fields, "description", gettext("事项概况"), required=False, max_len=10000
        )
    if given("sensitivity"):
        label = fields.get("sensitivity") or ""
        if label not in Sensitivity.values:
            raise invalid("sensitivity", gettext("敏感标签不正确"))
        out["sensitivity"] = label
    return out


def _next_code(region: Region, now: Any) -> str:
    prefix = f"WP-{county_code_of(region)}-{timezone.localtime(now):%Y}"
    seq, _ = MatterSequence.objects.select_for_update().get_or_create(prefix=prefix)
    seq.value += 1
    seq.save(update_fields=["value"])
    return f"{prefix}-{seq.value:04d}"


def matter_create(*, actor: Actor | Any, **fields: Any) -> MajorMatter:
    """Register a major matter (登记) as the county's Ping'an office: the first timeline
    row and the audit row in the same transaction. 403 for other roles, 422 per field."""
    actor = as_actor(actor)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise invalid(sorted(unknown)[0], gettext("不能填写此项"))
    if not office_memberships(actor):
        raise Forbidden(gettext("只有县级平安办（受理员、领导）可以登记重大事项"))
    values = _clean(fields, None)
    role = _office_role(actor, values["region"])
    now = clock.now()
    with transaction.atomic():
        matter = MajorMatter(**values, created_by=actor.user, created_at=now)
        matter.code = _next_code(matter.region, now)
        matter.save()
        MatterTransition.objects.create(
            matter=matter,
            action="register",
            from_status="",
            to_status=matter.status,
            actor=actor.user,
            actor_role=role,
            data={"kind": matter.kind, "owner_department": matter.owner_department_id},
            at=now,
        )
        actor.audit(
            "risk.register",
            object_type="risk",
            object_id=matter.pk,
            detail={"kind": matter.kind, "region": matter.region_id},
        )
    return matter


def matter_update(*, actor: Actor | Any, matter_id: int, **fields: Any) -> MajorMatter:
    """Change the register entry (PATCH) as the office over the matter (and over its new
    region, if it moves); a timeline row names the fields changed. 409 once ended."""
    actor = as_actor(actor)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise invalid(sorted(unknown)[0], gettext("不能修改此项"))
    with transaction.atomic():
        seen = access_matter(actor, matter_id)
        if not office_memberships(actor):
            raise Forbidden(gettext("只有县级平安办（受理员、领导）可以修改重大事项"))
        role = _office_role(actor, seen.region)
        matter = MajorMatter.objects.select_for_update().select_related("region").get(pk=seen.pk)
        if matter.status in TERMINAL:
            raise Conflict(gettext("事项已办结或撤销，不能修改"))
        values = _clean(fields, matter)
        if "region" in values:
            _office_role(actor, values["region"])
        changed = [k for k, v in values.items() if getattr(matter, k) != v]
        if not changed:
            return matter
        for k in changed:
            setattr(matter, k, values[k])
        matter.save()
        now = clock.now()
        MatterTransition.objects.create(
            matter=matter,
            action="update",
            from_status=matter.status,
            to_status=matter.status,
            actor=actor.user,
            actor_role=role,
            data={"fields": sorted(changed)},
            at=now,
        )
        actor.audit(
            "risk.update",
            object_type="risk",
            object_id=matter.pk,
            detail={"fields": sorted(changed)},
        )
    return matter


def risk_transition(
    *,
    actor: Actor | Any,
    matter_id: int,
    action: str,
    payload: dict[str, Any] | None = None,
) -> MajorMatter:
    """Fire `action` on the matter as `actor` (the case engine: 404 out of scope, 403 role,
    409 state, 422 fields; nothing written unless every check passes)."""
    return engine.transition(RISK, actor=actor, case_id=matter_id, action=action, payload=payload)
