"""Request costs: the lists do not grow in queries with their rows (docs/campaigns.md)."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from pingan.accounts.services import token_issue
from pingan.api.tests.helpers import ApiClient, report
from pingan.campaigns.tests.factories import new_campaign, new_listing


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_lists_cost_the_same_for_two_rows_and_twelve(cast):
    api = ApiClient(Client(), token_issue(user=cast.county_dispatcher))
    c = new_campaign(cast)
    for _ in range(2):
        new_listing(cast)
        report(cast)
    api.get("/listings")  # the first request's one-off lookups
    small = {
        "listings": _queries(lambda: api.get("/listings")),
        "map": _queries(lambda: api.get("/listings/map.geojson")),
        "campaigns": _queries(lambda: api.get("/campaigns")),
        "events": _queries(lambda: api.get(f"/campaigns/{c.pk}/events")),
        "detail": _queries(lambda: api.get(f"/campaigns/{c.pk}")),
    }
    for _ in range(10):
        new_listing(cast)
        report(cast)
    new_campaign(cast, name="第二项")
    large = {
        "listings": _queries(lambda: api.get("/listings")),
        "map": _queries(lambda: api.get("/listings/map.geojson")),
        "campaigns": _queries(lambda: api.get("/campaigns")),
        "events": _queries(lambda: api.get(f"/campaigns/{c.pk}/events")),
        "detail": _queries(lambda: api.get(f"/campaigns/{c.pk}")),
    }
    assert large == small
    # As measured (docs/campaigns.md, "Costs"); a change here should be a deliberate one.
    assert large == {"listings": 4, "map": 3, "campaigns": 6, "events": 15, "detail": 10}
