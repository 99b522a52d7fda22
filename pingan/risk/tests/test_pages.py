"""The risk pages: the register (figures, map data, filters) for the roles, a matter's
page with its buttons and linked events, the register form and the action forms with
their errors in Chinese and nothing written."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from pingan.api.tests.helpers import report
from pingan.risk.models import MajorMatter, MatterTransition
from pingan.risk.tests.factories import assessed, decided, measured, new_matter, today

pytestmark = pytest.mark.django_db


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def test_the_register_shows_the_matters_figures_and_map(cast):
    m = decided(cast, assessed(cast, new_matter(cast), grade="high"), "postpone")
    new_matter(cast, title="另一事项", lat=None, lng=None)
    r = client_for(cast.leader).get("/risk/")
    assert r.status_code == 200
    html = r.content.decode()
    assert m.code in html and 'id="risk-map"' in html
    data = json.loads(
        html.split('id="risk-map-data" type="application/json">')[1].split("</script>")[0]
    )
    assert [x["id"] for x in data["matters"]] == [m.pk]  # the other has no place
    assert data["matters"][0]["grade"] == "high"
    assert 'data-figure="assessed"><span class="risk-figure-n">1<' in html
    filtered = client_for(cast.leader).get("/risk/", {"grade": "low"}).content.decode()
    assert m.code not in filtered


def test_the_register_is_refused_to_administrators(cast):
    assert client_for(cast.sysadmin).get("/risk/").status_code == 403


def test_the_matter_page_shows_steps_measures_links_and_buttons(cast):
    report(cast, reporter_phone="13812345678")
    m = assessed(cast, new_matter(cast))
    measured(cast, m)
    html = client_for(cast.county_dispatcher).get(f"/risk/matters/{m.pk}/").content.decode()
    assert 'data-step="survey"' in html and 'data-measure="' in html
    assert 'data-events="1" data-disputes="1"' in html
    assert "13812345678" not in html
    assert 'data-action="decide"' in html and 'data-action="add_measure"' in html
    # The police handler sees it without the office's buttons.
    html = client_for(cast.handler).get(f"/risk/matters/{m.pk}/").content.decode()
    assert 'data-action="decide"' not in html
    assert client_for(cast.dispatcher_b).get(f"/risk/matters/{m.pk}/").status_code == 404


def test_registering_on_the_page(cast):
    c = client_for(cast.county_dispatcher)
    assert c.get("/risk/new/").status_code == 200
    bad = c.post(
        "/risk/new/",
        {
            "title": "新建垃圾中转站",
            "owner_department": cast.housing.pk,
            "region": cast.village_a.pk,
            "area": "{bad",
        },
    )
    assert bad.status_code == 422
    assert 'data-field="area"' in bad.content.decode()
    assert MajorMatter.objects.count() == 0
    ok = c.post(
        "/risk/new/",
        {
            "title": "新建垃圾中转站",
            "kind": "project",
            "owner_department": cast.housing.pk,
            "region": cast.village_a.pk,
            "lat": "30.525",
            "lng": "120.945",
            "radius_m": "400",
        },
    )
    m = MajorMatter.objects.get()
    assert ok.status_code == 302 and ok["Location"] == f"/risk/matters/{m.pk}/"
    assert client_for(cast.dispatcher).get("/risk/new/").status_code == 403


def test_an_action_form_shows_the_reason_and_writes_nothing(cast):
    m = new_matter(cast)
    c = client_for(cast.county_dispatcher)
    assert c.get(f"/risk/matters/{m.pk}/do/record_step/").status_code == 403  # not started
    c.post(f"/cases/risk/{m.pk}/start/", {})
    m.refresh_from_db()
    assert m.status == "assessing"
    r = c.post(
        f"/risk/matters/{m.pk}/do/record_step/",
        {"step_kind": "third_party", "held_on": today().isoformat(), "summary": "报告"},
    )
    assert r.status_code == 422
    assert "评估机构" in r.content.decode()
    assert m.steps.count() == 0
    r = c.post(
        f"/risk/matters/{m.pk}/do/record_step/",
        {
            "step_kind": "third_party",
            "held_on": today().isoformat(),
            "summary": "报告",
            "body": "某评估中心",
        },
    )
    assert r.status_code == 302
    assert MatterTransition.objects.filter(matter=m, action="record_step").count() == 1
