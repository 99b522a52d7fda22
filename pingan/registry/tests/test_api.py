"""The registry API: masking in every answer, lookups by blind index, 422s naming the
field, scope and clearance, the audited reveal and who read a person, visits due and
figures."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from pingan.accounts.services import token_issue
from pingan.api.tests.helpers import ApiClient, error_of
from pingan.core.audit import AuditEntry
from pingan.org.choices import Role
from pingan.org.services import membership_grant, user_upsert
from pingan.privacy.services import clearance_grant
from pingan.registry.services import today
from pingan.registry.tests.factories import household, id_number, key_person, person

pytestmark = pytest.mark.django_db


class Api(ApiClient):
    def patch(self, path, body):
        return self.client.patch(
            f"/api/v1{path}", json.dumps(body), content_type="application/json",
            headers=self.headers,
        )  # fmt: skip


@pytest.fixture
def api_as(db):
    def make(user):
        return Api(Client(), token_issue(user=user))

    return make


def test_create_list_and_detail_are_masked(cast, api_as):
    api = api_as(cast.gridworker)
    number = id_number(dt.date(1990, 5, 17), male=True)
    r = api.post(
        "/registry/persons",
        {
            "name": "张三丰",
            "id_number": number,
            "phone": "13812345678",
            "kind": "new_resident",
            "region": cast.grid_a1.pk,
            "address": "城东社区海滨路18号3幢",
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["name"] == "张**" and body["phone"] == "138****5678"
    assert body["id_number"] == number[:6] + "********" + number[-4:]
    assert body["birth_date"] == "1990-**-**" and body["sex"] == "male"
    assert body["address"] == "城东社区海滨****"
    assert body["history"][0]["action"] == "create" and body["history"][0]["source"] == "api"
    for answer in (r, api.get("/registry/persons"), api.get(f"/registry/persons/{body['id']}")):
        text = answer.content.decode()
        for clear in ("张三丰", number, "13812345678", "海滨路18号", "1990-05-17"):
            assert clear not in text
    # Exact lookups through the blind indexes.
    assert api.get("/registry/persons", q=number).json()["count"] == 1
    assert api.get("/registry/persons", q="138-1234-5678").json()["count"] == 1
    assert api.get("/registry/persons", q="张三丰").json()["count"] == 0


def test_bad_input_is_422_naming_the_field(cast, api_as):
    api = api_as(cast.gridworker)
    base = {"name": "李四", "region": cast.grid_a1.pk}
    cases = [
        ({"id_number": "330424199005170011"}, "id_number"),
        ({"phone": "12345"}, "phone"),
        ({"kind": "alien"}, "kind"),
        ({"region": cast.village_a.pk}, "region"),
        ({"name": "  "}, "name"),
        ({"sensitivity": "corrections"}, "sensitivity"),  # not cleared for it
    ]
    for extra, field in cases:
        r = api.post("/registry/persons", {**base, **extra})
        assert r.status_code == 422, (extra, r.content)
        assert field in error_of(r)["fields"], (extra, r.content)
    number = id_number()
    assert api.post("/registry/persons", {**base, "id_number": number}).status_code == 201
    r = api.post("/registry/persons", {**base, "id_number": number})
    assert r.status_code == 409 and "id_number" in error_of(r)["fields"]


def test_patch_changes_only_the_given_fields(cast, api_as):
    p = person(cast.grid_a1, name="王五", phone="13811112222")
    api = api_as(cast.gridleader)
    r = api.patch(f"/registry/persons/{p.pk}", {"phone": "13933334444"})
    assert r.status_code == 200, r.content
    p.refresh_from_db()
    assert p.phone == "13933334444" and p.name == "王五"
    r = api.patch(f"/registry/persons/{p.pk}", {"phone": "999"})
    assert r.status_code == 422 and "phone" in error_of(r)["fields"]


def test_scope_town_b_does_not_see_town_a(cast, api_as):
    p = person(cast.grid_a1)
    api = api_as(cast.gridworker_b)
    assert api.get(f"/registry/persons/{p.pk}").status_code == 404
    assert api.get("/registry/persons").json()["count"] == 0
    assert api.get("/registry/persons").json()["count_capped"] is False
    assert api_as(cast.leader).get("/registry/persons").json()["count"] == 1
    assert api_as(cast.handler).get("/registry/persons").json()["count"] == 0


def test_reveal_is_audited_and_refused_to_leaders(cast, api_as):
    p = person(cast.grid_a1, name="赵六", phone="13855556666")
    r = api_as(cast.gridworker).get(f"/registry/persons/{p.pk}/reveal", purpose="走访核实")
    assert r.status_code == 200 and r.json()["name"] == "赵六"
    assert "no-cache" in r.headers.get("Cache-Control", "") or "max-age=0" in r.headers.get(
        "Cache-Control", ""
    )
    row = AuditEntry.objects.filter(action="pii.unmask", object_id=str(p.pk)).get()
    assert row.actor == cast.gridworker and row.object_type == "registry.person"
    assert row.detail["purpose"] == "走访核实"
    r = api_as(cast.leader).get(f"/registry/persons/{p.pk}/reveal")
    assert r.status_code == 403
    assert AuditEntry.objects.filter(action="pii.unmask", result="denied").count() == 1


def test_who_read_a_person_is_for_the_audit_administrator(cast, api_as):
    p = person(cast.grid_a1)
    api_as(cast.dispatcher).get(f"/registry/persons/{p.pk}")
    api_as(cast.gridworker).get(f"/registry/persons/{p.pk}/reveal")
    auditor = user_upsert(username="auditor", name="审计员", password=cast.password)
    membership_grant(user=auditor, role=Role.AUDIT_ADMIN)
    r = api_as(auditor).get(f"/registry/persons/{p.pk}/reads")
    assert r.status_code == 200
    rows = r.json()
    assert {(x["username"], x["action"]) for x in rows} == {
        ("disp-a", "registry.person.view"),
        ("gw", "pii.unmask"),
    }
    assert api_as(cast.dispatcher).get(f"/registry/persons/{p.pk}/reads").status_code == 403
    assert api_as(auditor).get("/registry/persons/999999/reads").status_code == 404


def test_key_persons_need_the_clearance(cast, api_as):
    p = person(cast.grid_a1)
    kp = key_person(p, code="corrections")
    api = api_as(cast.dispatcher)
    assert api.get("/registry/key-persons").json()["count"] == 0
    assert api.get(f"/registry/key-persons/{kp.pk}").status_code == 404
    clearance_grant(user=cast.dispatcher, label="corrections")
    api = api_as(cast.dispatcher)
    page = api.get("/registry/key-persons").json()
    assert page["count"] == 1 and page["items"][0]["person_name"].endswith("*")
    r = api.patch(f"/registry/key-persons/{kp.pk}", {"risk_level": "extreme"})
    assert r.status_code == 422 and "risk_level" in error_of(r)["fields"]
    r = api.patch(
        f"/registry/key-persons/{kp.pk}", {"risk_level": "high", "helpers": [cast.gridworker.pk]}
    )
    assert r.status_code == 200 and r.json()["risk_level"] == "high"
    # The helper sees the person they help, whatever the label.
    assert api_as(cast.gridworker).get(f"/registry/key-persons/{kp.pk}").status_code == 200


def test_visit_and_visits_due_on_the_phone(cast, api_as):
    clearance_grant(user=cast.gridworker, label="stability")
    since = today() - dt.timedelta(days=40)
    kp = key_person(person(cast.grid_a1), code="released", since=since)
    api = api_as(cast.gridworker)
    due = api.get("/registry/visits-due", grid=cast.grid_a1.pk).json()
    assert [t["key_person"] for t in due] == [kp.pk] and due[0]["state"] == "open"
    assert "*" in due[0]["person_name"]
    body = {"outcome": "met", "note": "在家", "client_uuid": "0b7c6a52-7d1e-4a43-9a55-7f8a2f1b9c01"}
    r = api.post(f"/registry/key-persons/{kp.pk}/visits", body)
    assert r.status_code == 201, r.content
    assert api.post(f"/registry/key-persons/{kp.pk}/visits", body).status_code == 200
    assert api.get("/registry/visits-due", grid=cast.grid_a1.pk).json() == []
    r = api.post(f"/registry/key-persons/{kp.pk}/visits", {"outcome": "x"})
    assert r.status_code == 422 and "outcome" in error_of(r)["fields"]


def test_lists_do_not_query_per_row(cast, api_as):
    hh = household(cast.grid_a1)
    for _ in range(3):
        person(cast.grid_a1, household=hh.pk)
    clearance_grant(user=cast.dispatcher, label="stability")
    for _ in range(3):
        key_person(person(cast.grid_a2), code="released", helpers=[cast.gridworker.pk])
    api = api_as(cast.dispatcher)
    api.get("/registry/persons")  # warm up the actor's caches
    with CaptureQueriesContext(connection) as few:
        api.get("/registry/persons", page_size=2)
        api.get("/registry/key-persons", page_size=2)
    for _ in range(20):
        person(cast.grid_a1, household=hh.pk)
        key_person(person(cast.grid_a2), code="released", helpers=[cast.gridworker.pk])
    with CaptureQueriesContext(connection) as many:
        r1 = api.get("/registry/persons", page_size=50)
        r2 = api.get("/registry/key-persons", page_size=50)
    assert len(r1.json()["items"]) == 46 and len(r2.json()["items"]) == 23
    assert len(many) == len(few)


def test_figures_per_child_region(cast, api_as):
    for _ in range(2):
        person(cast.grid_a1, kind="new_resident")
    person(cast.grid_a2)
    person(cast.grid_b1)
    clearance_grant(user=cast.county_dispatcher, label="petition")
    key_person(person(cast.grid_a1), code="petition")
    key_person(person(cast.grid_a1), code="drug")  # not cleared: not counted
    r = api_as(cast.county_dispatcher).get("/registry/stats", region=cast.county.pk)
    assert r.status_code == 200, r.content
    rows = {row["code"]: row for row in r.json()["rows"]}
    assert rows[cast.town_a.code]["persons"] == 5
    assert rows[cast.town_a.code]["new_residents"] == 2
    assert rows[cast.town_a.code]["key_persons"] == 1
    assert rows[cast.town_a.code]["by_category"]["petition"] == 1
    assert rows[cast.town_b.code]["persons"] == 1
    assert r.json()["total"]["persons"] == 6
    # A town's dispatcher counts only their town.
    r = api_as(cast.dispatcher).get("/registry/stats", region=cast.county.pk)
    assert {row["code"]: row["persons"] for row in r.json()["rows"]} == {
        cast.town_a.code: 5,
        cast.town_b.code: 0,
    }
