"""Bad input to Open311 is the spec's error list with 400, never a 500, and never stored
(issue 16, #10 and #13; docs/security.md, "Input")."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest
from django.test import Client

from pingan.events.models import Event
from pingan.intake.services import integration_key_issue, integration_setup
from pingan.open311.models import Open311Request


@pytest.fixture
def key(cast):
    integration = integration_setup(channel="open311", region=cast.county)
    return integration_key_issue(integration=integration, key="demo-open311-key")


def post(data, fmt="json"):
    return Client().post(f"/open311/v2/requests.{fmt}", data)


def form(cast, key, **kw):
    lat, lng = cast.point_a1
    data = {"api_key": key, "service_code": "dispute.neighbour", "lat": str(lat)}
    return {**data, "long": str(lng), "description": "楼道里堆满纸箱", **kw}


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "0001-01-01T00:00:00+08:00"},
        {"end_date": "9999-12-31T23:59:59-08:00"},
        {"start_date": "0001-01-01T00:00:00+08:00", "end_date": "0001-01-02T00:00:00+08:00"},
    ],
)
def test_times_outside_the_calendar_are_400_in_the_spec_list(cast, params):
    for fmt in ("json", "xml"):
        r = Client().get(f"/open311/v2/requests.{fmt}", params)
        assert r.status_code == 400, r.content
        if fmt == "json":
            error = r.json()[0]
            assert error["code"] == 400 and next(iter(params)) in error["description"]
        else:
            assert ET.fromstring(r.content).findtext("error/code") == "400"


def test_nul_is_refused_in_the_spec_list_and_nothing_is_stored(cast, key):
    for fmt in ("json", "xml"):
        r = post(form(cast, key, description="楼道\x00堆物"), fmt)
        assert r.status_code == 400, r.content
        if fmt == "json":
            assert r.json() == [{"code": 400, "description": "description：不能包含空字符（NUL）"}]
        else:
            assert "description" in ET.fromstring(r.content).findtext("error/description")
    r = Client().get("/open311/v2/requests.json", {"service_request_id": "a\x00b"})
    assert r.status_code == 400 and "service_request_id" in r.json()[0]["description"]
    assert not Event.objects.exists()


def test_control_and_zero_width_characters_are_cleaned_on_input(cast, key):
    r = post(form(cast, key, description="楼道\x1b[31m堆物\x7f", first_name="\u200b\ufeff"))
    assert r.status_code == 200, r.content
    event = Event.objects.get()
    assert event.description == "楼道[31m堆物"
    assert Open311Request.objects.get(event=event).first_name == ""
    r = post(form(cast, key, description="\u200b\u200d"))
    assert r.status_code == 200, r.content
    # An invisible description counts as none: the category and place stand for it.
    assert Event.objects.exclude(pk=event.pk).get().description.startswith("邻里纠纷")
