"""Reads on campaigns and listed items, always through the actor's scope
(`permissions`); a campaign's events by its rule (never copied) plus those tagged by hand,
listed masked as the events' own lists mask them."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from pingan.access.actor import Actor, as_actor
from pingan.campaigns.choices import LISTING_OPEN, CampaignStatus
from pingan.campaigns.models import (
    Campaign,
    CampaignEvent,
    CampaignTarget,
    ListedItem,
    ListingProgress,
    ListingTransition,
)
from pingan.campaigns.permissions import (
    access_campaign,
    access_listing,
    campaign_scope_q,
    listing_scope_q,
)
from pingan.core import clock
from pingan.core.pii import mask_address, mask_in_text
from pingan.events.choices import Status as EventStatus
from pingan.events.models import Category, Event
from pingan.events.permissions import event_scope_q
from pingan.geo.choices import Level
from pingan.geo.models import Region
from pingan.geo.scope import within, within_q

# Reports that are not matters of their own: left out of a campaign's events.
NOT_COUNTED = (EventStatus.REJECTED, EventStatus.MERGED)


def today() -> dt.date:
    return timezone.localdate(clock.now())


# ---- campaigns ------------------------------------------------------------------------------


def campaign_list(*, actor: Actor | Any, status: list[str] | None = None) -> QuerySet[Campaign]:
    """The campaigns the actor may see, the latest first, with their targets and areas."""
    qs = (
        Campaign.objects.filter(campaign_scope_q(as_actor(actor)))
        .select_related("region")
        .prefetch_related("areas", "targets")
        .annotate(listing_count=Count("listings", distinct=True))
    )
    if status:
        qs = qs.filter(status__in=status)
    return qs.order_by("-starts_on", "-id")


def campaign_detail(*, actor: Actor | Any, campaign_id: int) -> Campaign:
    """One campaign with its areas, categories and targets; NotFound out of scope."""
    seen = access_campaign(actor, campaign_id)
    return (
        Campaign.objects.filter(pk=seen.pk)
        .select_related("region", "created_by")
        .prefetch_related(
            "areas",
            "categories",
            Prefetch("targets", queryset=CampaignTarget.objects.order_by("sort", "id")),
        )
        .get()
    )


def campaign_choices(actor: Actor | Any) -> QuerySet[Campaign]:
    """The active campaigns the actor may see, for the forms that tag a record to one."""
    return (
        Campaign.objects.filter(campaign_scope_q(as_actor(actor)), status=CampaignStatus.ACTIVE)
        .only("id", "name", "starts_on", "ends_on")
        .order_by("-starts_on", "-id")
    )


def category_ids(campaign: Campaign) -> set[int]:
    """The campaign's categories with all their descendants (a parent covers its
    children); empty: every category."""
    chosen = {c.pk for c in campaign.categories.all()}
    if not chosen:
        return set()
    children: dict[int, list[int]] = {}
    for pk, parent in Category.objects.values_list("pk", "parent_id"):
        if parent is not None:
            children.setdefault(parent, []).append(pk)
    out, todo = set(), list(chosen)
    while todo:
        pk = todo.pop()
        if pk in out:
            continue
        out.add(pk)
        todo.extend(children.get(pk, []))
    return out


def area_paths(campaign: Campaign) -> list[str]:
    """The regions the campaign covers: its areas, or its own region when it has none."""
    paths = [r.path for r in campaign.areas.all()]
    return paths or [campaign.region_path]


def period_bounds(campaign: Campaign) -> tuple[dt.datetime, dt.datetime]:
    """[start, end): the campaign's first local day at 00:00 to the day after its last."""
    start = timezone.make_aware(dt.datetime.combine(campaign.starts_on, dt.time.min))
    end = timezone.make_aware(
        dt.datetime.combine(campaign.ends_on + dt.timedelta(days=1), dt.time.min)
    )
    return start, end


def campaign_rule_q(campaign: Campaign) -> Q:
    """The events that belong to the campaign by its rule: reported in its period, within
    its areas and categories, not rejected or merged."""
    start, end = period_bounds(campaign)
    q = Q(reported_at__gte=start, reported_at__lt=end) & within_q(
        "region_path", area_paths(campaign)
    )
    cats = category_ids(campaign)
    if cats:
        q &= Q(category_id__in=sorted(cats))
    return q & ~Q(status__in=NOT_COUNTED)


def campaign_events_q(campaign: Campaign) -> Q:
    """The campaign's events: by its rule, or tagged by hand."""
    tagged = CampaignEvent.objects.filter(campaign=campaign).values("event_id")
    return campaign_rule_q(campaign) | Q(pk__in=tagged)


def campaign_events_all(campaign: Campaign) -> QuerySet[Event]:
    """Every event of the campaign (a system read for its figures and report: no scope)."""
    return Event.objects.filter(campaign_events_q(campaign))


def campaign_events(*, actor: Actor | Any, campaign_id: int) -> QuerySet[Event]:
    """The campaign's events the actor may see (the events' own scope), newest first."""
    campaign = access_campaign(actor, campaign_id)
    return (
        Event.objects.filter(campaign_events_q(campaign))
        .filter(event_scope_q(as_actor(actor)))
        .select_related("category", "region")
        .order_by("-reported_at", "-id")
    )


def tagged_ids(campaign: Campaign) -> set[int]:
    return set(CampaignEvent.objects.filter(campaign=campaign).values_list("event_id", flat=True))


def event_dict(e: Event, *, tagged: set[int]) -> dict[str, Any]:
    """A campaign's event as the lists show one: no reporter, the address masked, phones and
    ID numbers masked in the title; `by_hand` when tagged by hand."""
    return {
        "id": e.pk,
        "code": e.code,
        "title": mask_in_text(e.title),
        "category": e.category_id,
        "category_name": e.category.name,
        "status": e.status,
        "status_label": str(EventStatus(e.status).label)
        if e.status in EventStatus.values
        else e.status,
        "region_name": e.region.name,
        "address": mask_address(e.address),
        "reported_at": timezone.localtime(e.reported_at),
        "by_hand": e.pk in tagged,
    }


def event_counts(campaign: Campaign) -> dict[str, int]:
    """{"events": every event of the campaign, "closed": those closed}: one query."""
    row = campaign_events_all(campaign).aggregate(
        events=Count("pk"), closed=Count("pk", filter=Q(status=EventStatus.CLOSED))
    )
    return {"events": row["events"] or 0, "closed": row["closed"] or 0}


def events_by_category(campaign: Campaign) -> list[tuple[str, int, int]]:
    """(category name, events, closed) per category, most events first."""
    rows = (
        campaign_events_all(campaign)
        .values("category__name")
        .annotate(n=Count("pk"), closed=Count("pk", filter=Q(status=EventStatus.CLOSED)))
        .order_by("-n", "category__name")
    )
    return [(r["category__name"], r["n"], r["closed"]) for r in rows]


def events_by_town(campaign: Campaign) -> list[tuple[str, int, int]]:
    """(town name, events, closed) per town of the campaign's region, most events first;
    events outside every town under 「其他」."""
    towns = list(
        Region.objects.filter(within_q("path", [campaign.region_path]), level=Level.TOWN)
        .order_by("path")
        .values_list("path", "name")
    )
    other = gettext("其他")
    n: Counter[str] = Counter()
    closed: Counter[str] = Counter()
    rows = (
        campaign_events_all(campaign)
        .values("region_path")
        .annotate(n=Count("pk"), closed=Count("pk", filter=Q(status=EventStatus.CLOSED)))
    )
    for r in rows:
        name = next((nm for p, nm in towns if within(r["region_path"], (p,))), other)
        n[name] += r["n"]
        closed[name] += r["closed"]
    return sorted(((k, n[k], closed[k]) for k in n), key=lambda x: (-x[1], x[0]))


# ---- listed items -----------------------------------------------------------------------------


def listing_list(
    *,
    actor: Actor | Any,
    kind: list[str] | None = None,
    status: list[str] | None = None,
    region: Region | None = None,
    campaign_id: int | None = None,
    overdue: bool | None = None,
) -> QuerySet[ListedItem]:
    """The listed items the actor may see, the nearest deadline first."""
    qs = ListedItem.objects.filter(listing_scope_q(as_actor(actor))).select_related(
        "region", "unit_region", "unit_department", "campaign"
    )
    if kind:
        qs = qs.filter(kind__in=kind)
    if status:
        qs = qs.filter(status__in=status)
    if region is not None:
        qs = qs.filter(within_q("region_path", [region.path]))
    if campaign_id is not None:
        qs = qs.filter(campaign_id=campaign_id)
    if overdue is not None:
        late = Q(status__in=sorted(LISTING_OPEN), deadline__lt=today())
        qs = qs.filter(late) if overdue else qs.exclude(late)
    return qs.order_by("deadline", "id")


def listing_detail(*, actor: Actor | Any, listing_id: int) -> ListedItem:
    """One listed item with its progress reports and timeline; NotFound out of scope."""
    item = access_listing(actor, listing_id)
    return (
        ListedItem.objects.filter(pk=item.pk)
        .select_related("region", "unit_region", "unit_department", "campaign", "created_by")
        .prefetch_related(
            Prefetch(
                "progress",
                queryset=ListingProgress.objects.select_related("reported_by").order_by(
                    "reported_at", "id"
                ),
            ),
            Prefetch(
                "timeline",
                queryset=ListingTransition.objects.select_related("actor").order_by("at", "id"),
            ),
        )
        .get()
    )
