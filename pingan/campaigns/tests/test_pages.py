"""The pages: who gets them, what they show, the forms writing through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from pingan.campaigns.models import Campaign
from pingan.campaigns.tests.factories import at_state, new_campaign, new_listing, today


@pytest.fixture
def as_user(db):
    def make(user):
        c = Client()
        c.force_login(user)
        return c

    return make


def test_the_campaign_list_and_page_show_progress(cast, as_user):
    c = new_campaign(cast)
    r = as_user(cast.dispatcher).get("/campaigns/")
    assert r.status_code == 200
    assert c.name in r.content.decode()
    page = as_user(cast.county_dispatcher).get(f"/campaigns/{c.pk}/").content.decode()
    assert "0.00%（0/4）" in page and 'id="campaign-close"' in page
    town = as_user(cast.dispatcher).get(f"/campaigns/{c.pk}/").content.decode()
    assert 'id="campaign-close"' not in town and 'id="campaign-tag"' not in town
    assert as_user(cast.dispatcher_b).get(f"/campaigns/{c.pk}/").status_code == 404
    assert as_user(cast.gridworker).get("/campaigns/").status_code == 403


def test_the_new_form_creates_a_draft_and_shows_errors(cast, as_user):
    client = as_user(cast.county_dispatcher)
    assert as_user(cast.dispatcher).get("/campaigns/new/").status_code == 403
    bad = client.post("/campaigns/new/", {"name": "清风行动", "starts_on": "", "ends_on": ""})
    assert bad.status_code == 422 and 'data-field="starts_on"' in bad.content.decode()
    assert not Campaign.objects.exists()
    r = client.post(
        "/campaigns/new/",
        {
            "name": "清风行动",
            "kind": "crackdown",
            "starts_on": today().isoformat(),
            "ends_on": (today() + dt.timedelta(days=30)).isoformat(),
            "areas": [cast.town_a.pk, cast.town_b.pk],
            "metric_0": "events",
            "label_0": "排查线索",
            "target_0": "20",
        },
    )
    c = Campaign.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/campaigns/{c.pk}/"
    assert c.status == "draft" and c.areas.count() == 2 and c.targets.get().target == 20
    client.post(f"/campaigns/{c.pk}/activate/")
    assert Campaign.objects.get().status == "active"
    r = client.post(f"/campaigns/{c.pk}/close/", {"summary": ""})
    assert r.status_code == 422 and Campaign.objects.get().status == "active"
    client.post(f"/campaigns/{c.pk}/close/", {"summary": "查处案件12起"})
    assert Campaign.objects.get().status == "closed"
    r = client.get(f"/campaigns/{c.pk}/report.docx")
    assert r.status_code == 200 and r["Content-Type"].endswith("wordprocessingml.document")


def test_the_listings_page_marks_overdue_and_maps_items(cast, as_user):
    late = new_listing(
        cast,
        name="老街占道经营",
        listed_on=(today() - dt.timedelta(days=40)).isoformat(),
        deadline=(today() - dt.timedelta(days=1)).isoformat(),
    )
    fine = new_listing(cast, name="城东农贸市场周边")
    r = as_user(cast.dispatcher).get("/listings/")
    body = r.content.decode()
    assert r.status_code == 200
    assert f'data-listing="{late.pk}" class="listing-late"' in body
    assert f'data-listing="{fine.pk}">' in body
    assert '"status": "overdue"' in body and 'id="listing-map"' in body
    assert "老街占道经营" not in as_user(cast.dispatcher_b).get("/listings/").content.decode()


def test_the_listing_page_draws_the_engine_buttons(cast, as_user):
    item = at_state(cast, "rectifying")
    unit = as_user(cast.dispatcher).get(f"/listings/{item.pk}/").content.decode()
    assert 'data-action="report"' in unit and 'data-action="request_acceptance"' in unit
    assert f"/cases/listing/{item.pk}/report/" in unit
    office = as_user(cast.county_dispatcher).get(f"/listings/{item.pk}/").content.decode()
    assert 'data-action="extend"' in office and 'data-action="report"' not in office
    assert as_user(cast.dispatcher_b).get(f"/listings/{item.pk}/").status_code == 404
    r = as_user(cast.dispatcher).post(f"/cases/listing/{item.pk}/report/", {"text": "拆除违建3处"})
    assert r.status_code == 302
    assert "拆除违建3处" in as_user(cast.leader).get(f"/listings/{item.pk}/").content.decode()
