"""Writes on campaigns and listed items: creating and changing a campaign, starting and
closing it, tagging events by hand, entering a target's value; listing an item and the
one transition service of the listing kind. Each write validates everything first, then
writes in one transaction with its audit row. docs/campaigns.md."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from pingan.access.actor import Actor, as_actor
from pingan.campaigns.choices import CampaignKind, CampaignStatus, ListingKind
from pingan.campaigns.fields import count_of, date_of, ids_of
from pingan.campaigns.kind import LISTING
from pingan.campaigns.models import (
    Campaign,
    CampaignEvent,
    CampaignTarget,
    ListedItem,
    ListingTransition,
)
from pingan.campaigns.permissions import access_campaign, office_memberships
from pingan.campaigns.progress import ENTERED, metrics
from pingan.campaigns.selectors import campaign_rule_q
from pingan.cases import service as engine
from pingan.cases.fields import integer as _int
from pingan.cases.fields import text as _text
from pingan.core import clock
from pingan.core.errors import Conflict, Forbidden, Invalid, NotFound, invalid
from pingan.events.models import Category, Event
from pingan.events.permissions import access_event
from pingan.geo.choices import Level
from pingan.geo.geometry import area_of, point_of
from pingan.geo.models import Region
from pingan.geo.scope import within
from pingan.org.models import Department, Membership

CAMPAIGN_FIELDS = (
    "name",
    "kind",
    "description",
    "starts_on",
    "ends_on",
    "areas",
    "categories",
    "targets",
)
LISTING_FIELDS = (
    "kind",
    "name",
    "description",
    "region",
    "lat",
    "lng",
    "area",
    "unit_region",
    "unit_department",
    "responsible_title",
    "target",
    "deadline",
    "campaign",
    "listed_on",
)
MAX_TARGETS = 20
MAX_DAYS = 3 * 366


def _office(actor: Actor, region_path: str | None = None) -> Membership:
    """The actor's office membership (over `region_path`); 403 otherwise."""
    if not office_memberships(actor):
        raise Forbidden(gettext("只有县级平安办（受理员）可以管理专项行动和挂牌整治"))
    mine = office_memberships(actor, region_path)
    if not mine:
        raise Forbidden(gettext("不在您的辖区内"))
    return mine[0]


# ---- campaigns ----------------------------------------------------------------------------


def _targets(raw: Any) -> list[dict[str, Any]]:
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        raise invalid("targets", gettext("目标应为列表"))
    if len(raw) > MAX_TARGETS:
        raise invalid("targets", gettext("目标最多%(n)s项") % {"n": MAX_TARGETS})
    known = metrics()
    out: list[dict[str, Any]] = []
    for item in raw:
        if not isinstance(item, dict):
            raise invalid("targets", gettext("每项目标应含指标、名称和目标值"))
        metric = item.get("metric")
        if metric not in known:
            raise invalid("targets", gettext("指标应为：%(values)s") % {"values": "、".join(known)})
        try:
            label = _text(item, "label", gettext("目标名称"), required=False, max_len=100)
            target = count_of(item, "target", gettext("目标值"))
        except Invalid as e:
            raise invalid("targets", next(iter(e.fields.values()))) from None
        label = label or gettext(known[metric])
        if any(t["label"] == label for t in out):
            raise invalid("targets", gettext("目标名称重复：%(label)s") % {"label": label})
        out.append({"metric": metric, "label": label, "target": target})
    return out


def _clean_campaign(
    fields: dict[str, Any], current: Campaign | None, office_path: str
) -> dict[str, Any]:
    """The campaign's fields, validated (422 naming the field); for a PATCH (`current`)
    only those given."""
    out: dict[str, Any] = {}

    def given(name: str) -> bool:
        return current is None or name in fields

    if given("name"):
        out["name"] = _text(fields, "name", gettext("行动名称"), max_len=200)
    if given("kind"):
        kind = fields.get("kind") or CampaignKind.OTHER
        if kind not in CampaignKind.values:
            raise invalid(
                "kind", gettext("行动类型应为：%(v)s") % {"v": "、".join(CampaignKind.values)}
            )
        out["kind"] = kind
    if given("description"):
        out["description"] = _text(
            fields, "description", gettext("行动内容"), required=False, max_len=10000
        )
    starts = date_of(fields, "starts_on", gettext("开始日期"), required=current is None)
    ends = date_of(fields, "ends_on", gettext("结束日期"), required=current is None)
    if starts is not None:
        out["starts_on"] = starts
    if ends is not None:
        out["ends_on"] = ends
    s = out.get("starts_on", current.starts_on if current else None)
    e = out.get("ends_on", current.ends_on if current else None)
    if s is not None and e is not None:
        if e < s:
            raise invalid("ends_on", gettext("结束日期不能早于开始日期"))
        if (e - s).days > MAX_DAYS:
            raise invalid("ends_on", gettext("行动期限不能超过三年"))
    if given("areas"):
        ids = ids_of(fields, "areas", gettext("行动范围"))
        areas = list(Region.objects.filter(pk__in=ids))
        if len(areas) != len(ids):
            raise invalid("areas", gettext("区划不存在"))
        for r in areas:
            if r.level != Level.TOWN or not within(r.path, (office_path,)):
                raise invalid("areas", gettext("行动范围应为本辖区的乡镇（街道）"))
        out["areas"] = areas
    if given("categories"):
        ids = ids_of(fields, "categories", gettext("事件分类"))
        cats = list(Category.objects.filter(pk__in=ids))
        if len(cats) != len(ids):
            raise invalid("categories", gettext("事件分类不存在"))
        out["categories"] = cats
    if given("targets"):
        out["targets"] = _targets(fields.get("targets"))
    return out


def _write_related(campaign: Campaign, values: dict[str, Any]) -> None:
    if "areas" in values:
        campaign.areas.set(values["areas"])
    if "categories" in values:
        campaign.categories.set(values["categories"])
    if "targets" in values:
        CampaignTarget.objects.filter(campaign=campaign).delete()
        CampaignTarget.objects.bulk_create(
            CampaignTarget(campaign=campaign, sort=i, **t) for i, t in enumerate(values["targets"])
        )


def campaign_create(*, actor: Actor | Any, **fields: Any) -> Campaign:
    """Create a campaign (draft) as the county's Ping'an office, in the office's region.
    403 for others, 422 per field."""
    actor = as_actor(actor)
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise invalid(sorted(unknown)[0], gettext("不能填写此项"))
    office = _office(actor)
    assert office.region is not None
    values = _clean_campaign(fields, None, office.region.path)
    plain = {k: v for k, v in values.items() if k not in ("areas", "categories", "targets")}
    with transaction.atomic():
        campaign = Campaign.objects.create(
            **plain, region=office.region, created_by=actor.user, created_at=clock.now()
        )
        _write_related(campaign, values)
        actor.audit(
            "campaign.create",
            object_type="campaign",
            object_id=campaign.pk,
            detail={"kind": campaign.kind, "targets": len(values.get("targets", []))},
        )
    return campaign


def _locked(actor: Actor, campaign_id: int) -> Campaign:
    seen = access_campaign(actor, campaign_id)
    _office(actor, seen.region_path)
    return Campaign.objects.select_for_update().select_related("region").get(pk=seen.pk)


def campaign_update(*, actor: Actor | Any, campaign_id: int, **fields: Any) -> Campaign:
    """Change a draft campaign (PATCH: only the fields given; `targets` replaces them all)
    as the office over it. 409 once it has started."""
    actor = as_actor(actor)
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise invalid(sorted(unknown)[0], gettext("不能修改此项"))
    with transaction.atomic():
        campaign = _locked(actor, campaign_id)
        if campaign.status != CampaignStatus.DRAFT:
            raise Conflict(gettext("专项行动已启动，不能修改"))
        values = _clean_campaign(fields, campaign, campaign.region_path)
        for k, v in values.items():
            if k not in ("areas", "categories", "targets"):
                setattr(campaign, k, v)
        campaign.save()
        _write_related(campaign, values)
        actor.audit(
            "campaign.update",
            object_type="campaign",
            object_id=campaign.pk,
            detail={"fields": sorted(values)},
        )
    return campaign


def campaign_activate(*, actor: Actor | Any, campaign_id: int) -> Campaign:
    """Start a draft campaign (it needs at least one target). 409 otherwise."""
    actor = as_actor(actor)
    with transaction.atomic():
        campaign = _locked(actor, campaign_id)
        if campaign.status != CampaignStatus.DRAFT:
            raise Conflict(gettext("只有草拟的专项行动可以启动"))
        if not campaign.targets.exists():
            raise Conflict(gettext("请先设定至少一项目标"))
        campaign.status = CampaignStatus.ACTIVE
        campaign.activated_at = clock.now()
        campaign.save(update_fields=["status", "activated_at", "updated_at"])
        actor.audit("campaign.activate", object_type="campaign", object_id=campaign.pk)
    return campaign


def campaign_close(*, actor: Actor | Any, campaign_id: int, summary: Any = None) -> Campaign:
    """Close an active campaign with its summary (总结, required)."""
    actor = as_actor(actor)
    text = _text({"summary": summary}, "summary", gettext("总结"), max_len=20000)
    with transaction.atomic():
        campaign = _locked(actor, campaign_id)
        if campaign.status != CampaignStatus.ACTIVE:
            raise Conflict(gettext("只有进行中的专项行动可以结束"))
        campaign.status = CampaignStatus.CLOSED
        campaign.summary = text
        campaign.closed_at = clock.now()
        campaign.save(update_fields=["status", "summary", "closed_at", "updated_at"])
        actor.audit("campaign.close", object_type="campaign", object_id=campaign.pk)
    return campaign


def campaign_event_add(
    *, actor: Actor | Any, campaign_id: int, event_id: Any, note: Any = ""
) -> CampaignEvent:
    """Tag an event the office sees to the campaign by hand (one outside its rule).
    409 when closed, already tagged or already in by the rule."""
    actor = as_actor(actor)
    pk = _int({"event": event_id}, "event", gettext("事件"))
    text = _text({"note": note}, "note", gettext("说明"), required=False, max_len=200)
    with transaction.atomic():
        campaign = _locked(actor, campaign_id)
        try:
            event = access_event(actor, pk)
        except NotFound:
            raise invalid("event", gettext("事件不存在")) from None
        if campaign.status == CampaignStatus.CLOSED:
            raise Conflict(gettext("专项行动已结束"))
        if CampaignEvent.objects.filter(campaign=campaign, event=event).exists():
            raise Conflict(gettext("该事件已标记为本专项行动事件"))
        if Event.objects.filter(
            campaign_rule_q(campaign), pk=event.pk, reported_at=event.reported_at
        ).exists():
            raise Conflict(gettext("该事件已按行动范围和分类自动纳入"))
        row = CampaignEvent.objects.create(
            campaign=campaign, event=event, note=text, added_by=actor.user, added_at=clock.now()
        )
        actor.audit(
            "campaign.event_add",
            object_type="campaign",
            object_id=campaign.pk,
            detail={"event": event.pk},
        )
    return row


def campaign_event_remove(*, actor: Actor | Any, campaign_id: int, event_id: int) -> None:
    """Untag an event tagged by hand (events in by the rule stay). 404 if not tagged."""
    actor = as_actor(actor)
    with transaction.atomic():
        campaign = _locked(actor, campaign_id)
        if campaign.status == CampaignStatus.CLOSED:
            raise Conflict(gettext("专项行动已结束"))
        row = CampaignEvent.objects.filter(campaign=campaign, event_id=event_id).first()
        if row is None:
            raise NotFound(gettext("该事件不是手工标记的本行动事件"))
        row.delete()
        actor.audit(
            "campaign.event_remove",
            object_type="campaign",
            object_id=campaign.pk,
            detail={"event": event_id},
        )


def target_enter(
    *, actor: Actor | Any, campaign_id: int, target_id: int, value: Any, note: Any = ""
) -> CampaignTarget:
    """Enter the actual value of an `entered` target, with a note (required), while the
    campaign is active."""
    actor = as_actor(actor)
    number = count_of({"value": value}, "value", gettext("填报值"))
    text = _text({"note": note}, "note", gettext("填报说明"), max_len=2000)
    with transaction.atomic():
        campaign = _locked(actor, campaign_id)
        target = CampaignTarget.objects.filter(campaign=campaign, pk=target_id).first()
        if target is None:
            raise NotFound(gettext("目标不存在"))
        if target.metric != ENTERED:
            raise Conflict(gettext("此目标由系统计算，不能填报"))
        if campaign.status != CampaignStatus.ACTIVE:
            raise Conflict(gettext("只有进行中的专项行动可以填报"))
        target.entered_value = number
        target.entered_note = text
        target.entered_at = clock.now()
        target.entered_by = actor.user
        target.save()
        actor.audit(
            "campaign.target_enter",
            object_type="campaign",
            object_id=campaign.pk,
            detail={"target": target.pk, "value": number},
        )
    return target


# ---- listed items -----------------------------------------------------------------------------


def _region(value: Any, field: str, *, required: bool) -> Region | None:
    if value in (None, ""):
        if required:
            raise invalid(field, gettext("请选择区划"))
        return None
    pk = _int({field: value}, field, gettext("区划"))
    region = Region.objects.filter(pk=pk).first()
    if region is None:
        raise invalid(field, gettext("区划不存在"))
    return region


def listing_create(*, actor: Actor | Any, **fields: Any) -> ListedItem:
    """List an item (挂牌) as the office over its region: the first timeline row and the
    audit row in one transaction. 403 for others, 422 per field."""
    actor = as_actor(actor)
    unknown = set(fields) - set(LISTING_FIELDS)
    if unknown:
        raise invalid(sorted(unknown)[0], gettext("不能填写此项"))
    _office(actor)
    p = fields
    kind = p.get("kind")
    if kind not in ListingKind.values:
        raise invalid("kind", gettext("挂牌类型应为 key_area 或 prominent_problem"))
    name = _text(p, "name", gettext("名称"), max_len=200)
    description = _text(p, "description", gettext("问题描述"), required=False, max_len=10000)
    region = _region(p.get("region"), "region", required=True)
    assert region is not None
    offices = office_memberships(actor, region.path)
    if not offices:
        raise invalid("region", gettext("所在区划不在您的辖区内"))
    lat, lng = point_of(p.get("lat"), p.get("lng"))
    area = area_of(p.get("area"))
    unit_region = _region(p.get("unit_region"), "unit_region", required=False)
    unit_department = None
    if p.get("unit_department") not in (None, ""):
        dpk = _int(p, "unit_department", gettext("责任部门"))
        unit_department = Department.objects.filter(pk=dpk, is_active=True).first()
        if unit_department is None:
            raise invalid("unit_department", gettext("部门不存在或已停用"))
    if (unit_region is None) == (unit_department is None):
        raise invalid("unit_region", gettext("请选择责任乡镇（街道）或责任部门（二选一）"))
    if unit_region is not None and (
        unit_region.level != Level.TOWN or not within(region.path, (unit_region.path,))
    ):
        raise invalid("unit_region", gettext("责任乡镇应为挂牌项所在的乡镇（街道）"))
    responsible = _text(p, "responsible_title", gettext("责任人职务"), required=False, max_len=60)
    target = _text(p, "target", gettext("整治目标"), max_len=5000)
    today = timezone.localdate(clock.now())
    listed_on = date_of(p, "listed_on", gettext("挂牌日期"), required=False) or today
    if listed_on > today:
        raise invalid("listed_on", gettext("挂牌日期不能晚于今天"))
    deadline = date_of(p, "deadline", gettext("整治期限"), required=True)
    assert deadline is not None
    if deadline < listed_on:
        raise invalid("deadline", gettext("整治期限不能早于挂牌日期"))
    campaign = None
    if p.get("campaign") not in (None, ""):
        cpk = _int(p, "campaign", gettext("专项行动"))
        try:
            campaign = access_campaign(actor, cpk)
        except NotFound:
            raise invalid("campaign", gettext("专项行动不存在")) from None
        if campaign.status == CampaignStatus.CLOSED:
            raise invalid("campaign", gettext("专项行动已结束"))
    now = clock.now()
    with transaction.atomic():
        item = ListedItem.objects.create(
            kind=kind,
            name=name,
            description=description,
            region=region,
            lat=lat,
            lng=lng,
            area=area,
            unit_region=unit_region,
            unit_department=unit_department,
            responsible_title=responsible,
            target=target,
            deadline=deadline,
            original_deadline=deadline,
            campaign=campaign,
            listed_on=listed_on,
            created_by=actor.user,
            created_at=now,
        )
        ListingTransition.objects.create(
            item=item,
            action="list",
            from_status="",
            to_status=item.status,
            actor=actor.user,
            actor_role=offices[0].role,
            data={"kind": kind, "deadline": deadline.isoformat()},
            at=now,
        )
        actor.audit(
            "listing.list",
            object_type="listing",
            object_id=item.pk,
            detail={"kind": kind, "region": region.pk},
        )
    return item


def listing_transition(
    *,
    actor: Actor | Any,
    listing_id: int,
    action: str,
    payload: dict[str, Any] | None = None,
) -> ListedItem:
    """Fire `action` on the listed item as `actor` (the case engine: 404 out of scope, 403
    role, 409 state, 422 fields; nothing written unless every check passes)."""
    return engine.transition(
        LISTING, actor=actor, case_id=listing_id, action=action, payload=payload
    )


def listing_progress(*, actor: Actor | Any, listing_id: int, text: Any) -> ListedItem:
    """A progress report by the owner unit (the workflow's `report` row)."""
    return listing_transition(
        actor=actor, listing_id=listing_id, action="report", payload={"text": text}
    )
