"""Every failure answers in the one error shape."""

from __future__ import annotations

import json

from django.http import Http404
from django.test import RequestFactory

from pingan.api.tests.helpers import dispatched_to_police, error_of
from pingan.api.v1.router import api
from pingan.events.models import Attachment, Event


def test_http404_and_unexpected_errors_keep_the_shape(caplog):
    request = RequestFactory().get("/api/v1/events/1")
    r = api.on_exception(request, Http404("gone"))
    assert r.status_code == 404
    assert json.loads(r.content)["error"]["code"] == "not_found"
    r = api.on_exception(request, RuntimeError("boom"))
    assert r.status_code == 500
    assert json.loads(r.content)["error"] == {
        "code": "server_error",
        "message": "服务器内部错误，请稍后重试",
        "fields": {},
    }
    assert "boom" not in r.content.decode()


# ---- bad input is a 4xx, never a 500, and never stored (issue 16, #10 and #13) ------------
# The rules: pingan.api.v1.inputs (every operation), errors.py (bodies), core.text.

BIG = 2**64 + 5  # no 64-bit integer column holds it


def _created(cast, client, body):
    lat, lng = cast.point_a1
    base = {"category": cast.neighbour.pk, "description": "楼道堆物", "lat": lat, "lng": lng}
    return client.post("/events", {**base, **body, "outside_own_grid": True})


def test_integers_beyond_64_bits_are_422_naming_the_field(cast, api_as):
    e = dispatched_to_police(cast)
    api = api_as(cast.county_dispatcher)
    for path, name in [
        ("/regions", "parent"),
        ("/events", "category"),
        ("/events", "page"),
        ("/events", "queue_region"),
        ("/events", "department"),
    ]:
        r = api.get(path, **{name: str(BIG)})
        assert r.status_code == 422, (path, name, r.content)
        assert name in error_of(r)["fields"], (path, name)
    # A page whose offset overflows the database, though the number itself fits.
    r = api.get("/events", page=str(2**62))
    assert r.status_code == 422 and "page" in error_of(r)["fields"]
    r = api.get(f"/events/{BIG}")
    assert r.status_code == 422 and "event_id" in error_of(r)["fields"]
    r = api.act(e.pk, "merge", master=BIG)
    assert r.status_code == 422 and "master" in error_of(r)["fields"]
    before = Event.objects.count()
    r = _created(cast, api_as(cast.gridworker), {"category": BIG})
    assert r.status_code == 422 and "category" in error_of(r)["fields"]
    assert Event.objects.count() == before


def test_multipart_without_a_boundary_is_422_on_both_attachment_endpoints(cast, api_as):
    e = dispatched_to_police(cast)
    api = api_as(cast.gridworker)
    for path in [f"/events/{e.pk}/attachments", f"/field/events/{e.pk}/photos"]:
        r = api.client.post(
            f"/api/v1{path}", b"--x\r\n", content_type="multipart/form-data", headers=api.headers
        )
        assert r.status_code == 422, (path, r.content)
        assert set(error_of(r)["fields"]) == {"body"}
    assert not Attachment.objects.exists()


def test_a_lone_surrogate_in_json_is_dropped_not_a_500(cast, api_as):
    api = api_as(cast.gridworker)
    r = api.post("/events", raw='{"category": 1, "description": "\\ud800"}')
    assert r.status_code == 422 and "description" in error_of(r)["fields"]
    r = _created(cast, api, {"description": "楼道\ud800堆物"})
    assert r.status_code == 201, r.content
    assert Event.objects.get().description == "楼道堆物"


def test_a_body_over_the_limit_is_413_in_the_error_shape(cast, api_as, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    r = _created(cast, api_as(cast.gridworker), {"description": "堆" * (1024 * 1024)})
    assert r.status_code == 413
    assert error_of(r)["code"] == "too_large" and "1 MB" in error_of(r)["message"]
    assert not Event.objects.exists()


def test_dates_written_as_numbers_or_out_of_range_are_refused(cast, api_as):
    api = api_as(cast.county_dispatcher)
    for path, name in [
        ("/events", "reported_from"),
        ("/stats/summary", "from"),
        ("/patrols", "day_to"),
    ]:
        for written in ("0", "5.6e-191", "0001-01-01"):
            r = api.get(path, **{name: written})
            assert r.status_code == 422, (path, name, written, r.content)
            assert name in error_of(r)["fields"]
    worker = api_as(cast.gridworker)
    for occurred in (0, "0", "0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-08:00"):
        r = _created(cast, worker, {"occurred_at": occurred})
        assert r.status_code == 422, (occurred, r.content)
        assert "occurred_at" in error_of(r)["fields"]
    assert not Event.objects.exists()
    assert _created(cast, worker, {"occurred_at": "2026-01-01T08:30:00+08:00"}).status_code == 201


def test_nul_is_refused_naming_the_field_and_nothing_is_stored(cast, api_as):
    worker = api_as(cast.gridworker)
    for body, name in [
        ({"description": "楼道\x00堆物"}, "description"),
        ({"title": "\x00"}, "title"),
        ({"extra": {"note": "a\x00"}}, "extra.note"),
    ]:
        r = _created(cast, worker, body)
        assert r.status_code == 422, (body, r.content)
        assert error_of(r)["fields"] == {name: "不能包含空字符（NUL）"}
    assert not Event.objects.exists()
    r = api_as(cast.county_dispatcher).get("/events", q="楼道\x00")
    assert r.status_code == 422 and error_of(r)["fields"] == {"q": "不能包含空字符（NUL）"}
    e = dispatched_to_police(cast)
    r = api_as(cast.handler).act(e.pk, "acknowledge", note="收到\x00")
    assert r.status_code == 422 and "note" in error_of(r)["fields"]


def test_text_of_zero_width_characters_counts_as_empty(cast, api_as):
    r = _created(cast, api_as(cast.gridworker), {"description": "\u200b\u200c\u200d \u2060\ufeff"})
    assert r.status_code == 422 and "description" in error_of(r)["fields"]
    assert not Event.objects.exists()
    e = dispatched_to_police(cast)
    handler = api_as(cast.handler)
    assert handler.act(e.pk, "acknowledge").status_code == 200
    r = handler.act(e.pk, "resolve", result="\u200b\ufeff")
    assert r.status_code == 422 and "result" in error_of(r)["fields"]


def test_control_characters_are_dropped_on_input(cast, api_as):
    r = _created(
        cast,
        api_as(cast.gridworker),
        {"description": "楼道\x1b[31m堆物\x7f\t制表\n换行\x85", "title": "\x01标题"},
    )
    assert r.status_code == 201, r.content
    event = Event.objects.get()
    assert event.description == "楼道[31m堆物\t制表\n换行"
    assert event.title == "标题"


def test_the_schema_gives_integers_their_64_bit_range(cast, api_as):
    schema = api_as(cast.gridworker).get("/openapi.json").json()
    parent = next(
        p for p in schema["paths"]["/api/v1/regions"]["get"]["parameters"] if p["name"] == "parent"
    )
    integer = next(s for s in parent["schema"]["anyOf"] if s.get("type") == "integer")
    assert integer["maximum"] == 2**63 - 1 and integer["minimum"] == -(2**63)


def test_parameters_an_endpoint_reads_itself_are_checked_too(cast, api_as):
    leader = api_as(cast.leader)
    r = leader.get("/events/export", q="楼道\x00")
    assert r.status_code == 422 and error_of(r)["fields"] == {"q": "不能包含空字符（NUL）"}
    r = leader.get("/events/export", approval=str(BIG))
    assert r.status_code == 422 and "approval" in error_of(r)["fields"]
    r = leader.get("/grid-workers/scores", month="2026-99999999999999999999")
    assert r.status_code == 422 and "month" in error_of(r)["fields"]
