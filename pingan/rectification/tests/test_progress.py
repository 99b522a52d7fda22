"""The campaign counters this app registers: orders issued under a campaign and closed
(published ones only)."""

from __future__ import annotations

import datetime as dt

import pytest

from pingan.campaigns import progress as campaign_progress
from pingan.campaigns.models import Campaign
from pingan.rectification.tests.factories import fire, new_order, passed, today

pytestmark = pytest.mark.django_db


def test_the_rectification_counters_are_registered_and_count(cast):
    metrics = campaign_progress.metrics()
    assert "rectifications_issued" in metrics and "rectifications_closed" in metrics
    c = Campaign.objects.create(
        name="「清风」行动",
        starts_on=today(),
        ends_on=today() + dt.timedelta(days=90),
        region=cast.county,
    )
    closed = passed(cast, new_order(cast, campaign_id=c.pk))
    fire(closed, cast.county_dispatcher, "close_out")
    new_order(cast, campaign_id=c.pk)
    new_order(cast, campaign_id=c.pk, published=False)
    new_order(cast)  # no campaign
    counters = campaign_progress._COUNTERS
    assert counters["rectifications_issued"].fn(c) == 2
    assert counters["rectifications_closed"].fn(c) == 1
