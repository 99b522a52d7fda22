"""Campaigns and listed items for tests, built through the services: the county
dispatcher (the county's Ping'an office) runs them; a listed item sits in 城东社区第一网格
(town A) with town A as its owner unit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from pingan.campaigns.models import Campaign, ListedItem
from pingan.campaigns.services import (
    campaign_activate,
    campaign_create,
    listing_create,
    listing_transition,
)
from pingan.core import clock


def today() -> dt.date:
    return timezone.localdate(clock.now())


def new_campaign(cast: Any, *, active: bool = True, **kw: Any) -> Campaign:
    fields: dict[str, Any] = {
        "name": "「百日攻坚」安全隐患大排查整治",
        "kind": "hundred_days",
        "starts_on": today() - dt.timedelta(days=30),
        "ends_on": today() + dt.timedelta(days=70),
        "areas": [cast.town_a.pk],
        "categories": [cast.hazard.pk],
        "targets": [
            {"metric": "events", "label": "排查隐患", "target": 4},
            {"metric": "hazards_fixed", "label": "整改隐患", "target": 2},
            {"metric": "entered", "label": "出动检查人次", "target": 100},
        ],
    }
    fields.update(kw)
    campaign = campaign_create(actor=cast.county_dispatcher, **fields)
    if active:
        campaign = campaign_activate(actor=cast.county_dispatcher, campaign_id=campaign.pk)
    return campaign


def new_listing(cast: Any, actor: Any = None, **kw: Any) -> ListedItem:
    lat, lng = cast.point_a1
    fields: dict[str, Any] = {
        "kind": "key_area",
        "name": "城东农贸市场周边",
        "description": "占道经营、消防通道堵塞",
        "region": cast.grid_a1.pk,
        "lat": lat,
        "lng": lng,
        "unit_region": cast.town_a.pk,
        "responsible_title": "街道主任",
        "target": "消防通道全部畅通，占道经营清零",
        "deadline": (today() + dt.timedelta(days=30)).isoformat(),
    }
    fields.update(kw)
    return listing_create(actor=actor or cast.county_dispatcher, **fields)


def fire(item: ListedItem, user: Any, action: str, **payload: Any) -> ListedItem:
    return listing_transition(actor=user, listing_id=item.pk, action=action, payload=payload)


def at_state(cast: Any, state: str, **kw: Any) -> ListedItem:
    """A listed item of town A brought to `state` by the right people."""
    item = new_listing(cast, **kw)
    if state == "listed":
        return item
    item = fire(item, cast.dispatcher, "start")
    if state == "rectifying":
        return item
    item = fire(item, cast.dispatcher, "request_acceptance", note="已完成整改")
    if state == "acceptance":
        return item
    item = fire(item, cast.county_dispatcher, "accept", note="验收合格")
    if state == "accepted":
        return item
    if state == "delisted":
        return fire(item, cast.county_dispatcher, "delist")
    raise AssertionError(state)
