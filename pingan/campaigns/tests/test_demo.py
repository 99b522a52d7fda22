"""The demo's campaign and listed items (pingan/demo/campaigns.py) over the test cast."""

from __future__ import annotations

import pytest

from pingan.campaigns.models import Campaign, ListedItem
from pingan.campaigns.progress import progress
from pingan.campaigns.tests.factories import today
from pingan.core import clock
from pingan.demo.campaigns import ITEMS, NAME, build_campaigns
from pingan.demo.organisation import Staff

pytestmark = pytest.mark.django_db


def test_the_demo_campaign_and_listings(cast):
    staff = Staff(
        dispatchers={
            cast.county.code: [cast.county_dispatcher],
            cast.town_a.code: [cast.dispatcher],
            cast.town_b.code: [cast.dispatcher_b],
        },
        leaders={cast.county.code: cast.leader},
    )
    now = clock.now()
    kw = {"county": cast.county, "towns": [cast.town_a, cast.town_b], "staff": staff, "seed": 3}
    first = build_campaigns(now=now, **kw)
    assert (first.campaigns, first.listings) == (1, len(ITEMS))
    c = Campaign.objects.get(name=NAME)
    assert c.status == "active" and (c.ends_on - c.starts_on).days == 99
    assert c.ends_on == today()
    figures = {t.metric: t for t in progress(c)}
    assert set(figures) == {"events", "hazards_fixed", "listings_delisted", "entered"}
    assert figures["entered"].actual == 4620 and figures["listings_delisted"].actual == 1
    states = set(ListedItem.objects.values_list("status", flat=True))
    assert states == {"listed", "rectifying", "acceptance", "accepted", "delisted", "cancelled"}
    assert set(ListedItem.objects.values_list("kind", flat=True)) == {
        "key_area",
        "prominent_problem",
    }
    overdue = [x for x in ListedItem.objects.all() if x.is_overdue(today())]
    assert len(overdue) >= 2
    extended = ListedItem.objects.get(name="火车站周边区域")
    assert extended.deadline > extended.original_deadline
    assert ListedItem.objects.filter(progress__isnull=False).distinct().count() >= 4
    assert max(x.created_at for x in ListedItem.objects.all()) <= now
    again = build_campaigns(now=now, **kw)
    assert again.skipped and ListedItem.objects.count() == len(ITEMS)
