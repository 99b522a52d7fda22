"""The places API: /api/v1/registry/rentals, /places, /cameras, /sectors, /checklists."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client
from PIL import Image

from pingan.accounts.services import token_issue
from pingan.api.tests.helpers import ApiClient, error_of
from pingan.core.audit import AuditEntry
from pingan.places.models import RentalHouse
from pingan.places.tests.factories import (
    new_camera,
    new_place,
    new_rental,
    person,
    place_items,
    rental_items,
)


class Api(ApiClient):
    def patch(self, path, body):
        return self.client.generic(
            "PATCH",
            f"/api/v1{path}",
            json.dumps(body),
            content_type="application/json",
            headers=self.headers,
        )


@pytest.fixture
def api_as(db):
    def make(user):
        return Api(Client(), token_issue(user=user))

    return make


def test_register_check_and_read_a_house_with_personal_fields_masked(cast, api_as):
    landlord = person(cast)
    api = api_as(cast.gridworker)
    r = api.post(
        "/registry/rentals",
        {
            "address": "城东社区海滨路18号3幢",
            "region": cast.grid_a1.pk,
            "landlord": landlord.pk,
            "rooms": 6,
            "kind": "group",
            "managed": ["village_lease"],
        },
    )
    assert r.status_code == 201, r.content
    house = r.json()
    assert house["address"] == "城东社区海滨****" and house["landlord"]["name"] == "王**"
    assert house["landlord"]["id_number"] == "110105********002X"
    assert house["rating"] == "unrated" and house["checks"] == []
    assert "18号" not in r.content.decode() and "13812345678" not in r.content.decode()

    r = api.post(
        f"/registry/rentals/{house['id']}/checks",
        {
            "items": rental_items("ebike_charging"),
            "hazard_note": "楼道充电",
            "lat": 30.525,
            "lng": 120.945,
        },
    )
    assert r.status_code == 201, r.content
    check = r.json()
    assert (check["result"], check["hazards"], check["rating"]) == ("rectify", 1, "yellow")

    buf = io.BytesIO()
    Image.new("RGB", (16, 16), "green").save(buf, "JPEG")
    buf.seek(0)
    buf.name = "p.jpg"
    r = api.client.post(
        f"/api/v1/registry/rentals/{house['id']}/checks/{check['id']}/photos",
        {"file": buf},
        headers=api.headers,
    )
    assert r.status_code == 201, r.content
    photo_url = r.json()["url"]
    assert api.client.get(photo_url, headers=api.headers).status_code == 200
    outsider = api_as(cast.gridworker_b)
    assert outsider.client.get(photo_url, headers=outsider.headers).status_code == 404

    r = api.get(f"/registry/rentals/{house['id']}")
    assert r.json()["rating"] == "yellow"
    assert r.json()["checks"][0]["photos"] == [int(photo_url.rstrip("/file").rsplit("/", 1)[-1])]
    r = api.get("/registry/rentals", rating="yellow")
    assert [h["id"] for h in r.json()["items"]] == [house["id"]] and r.json()["count"] == 1
    assert api.get("/registry/rentals", rating="green").json()["count"] == 0
    assert api.get("/registry/rentals", rating="purple").status_code == 422


def test_patch_changes_only_the_fields_sent(cast, api_as):
    house = new_rental(cast, note="旧备注")
    api = api_as(cast.gridworker)
    r = api.patch(f"/registry/rentals/{house.pk}", {"rooms": 8, "status": "vacant"})
    assert r.status_code == 200, r.content
    assert (r.json()["rooms"], r.json()["status"], r.json()["note"]) == (8, "vacant", "旧备注")
    r = api.patch(f"/registry/rentals/{house.pk}", {"rooms": 0})
    assert r.status_code == 422 and set(error_of(r)["fields"]) == {"rooms"}
    r = api.patch(f"/registry/rentals/{house.pk}", {"address": None})
    assert r.status_code == 422 and set(error_of(r)["fields"]) == {"address"}
    assert RentalHouse.objects.get(pk=house.pk).rooms == 8
    entry = AuditEntry.objects.filter(action="places.rental.update").get()
    assert entry.detail == {"fields": ["rooms", "status"]}
    assert (
        api_as(cast.leader).patch(f"/registry/rentals/{house.pk}", {"rooms": 2}).status_code == 403
    )
    assert (
        api_as(cast.dispatcher_b).patch(f"/registry/rentals/{house.pk}", {"rooms": 2}).status_code
        == 404
    )


def test_a_bad_check_is_422_with_the_field(cast, api_as):
    house = new_rental(cast)
    api = api_as(cast.gridworker)
    r = api.post(f"/registry/rentals/{house.pk}/checks", {"items": {"gas": "ok"}})
    assert r.status_code == 422
    assert set(error_of(r)["fields"]) == {"items.extinguisher"}
    assert "ok（合格）" in error_of(r)["fields"]["items.extinguisher"]
    r = api.post(
        f"/registry/rentals/{house.pk}/checks", {"items": rental_items(), "records_kept": True}
    )
    assert r.status_code == 422 and set(error_of(r)["fields"]) == {"records_kept"}


def test_the_personal_endpoint_reveals_in_full_and_is_audited(cast, api_as):
    house = new_rental(cast, landlord=person(cast).pk)
    tenant = person(cast, "李租客", id_number="330424199001011235", phone="13900002222")
    api = api_as(cast.gridworker)
    r = api.post(f"/registry/rentals/{house.pk}/tenants", {"tenant": tenant.pk, "room": "2楼"})
    assert r.status_code == 201, r.content
    assert r.json()["tenants"][0]["tenant"]["name"] == "李**"
    r = api.get(f"/registry/rentals/{house.pk}/personal")
    assert r.status_code == 200 and "no-cache" in r.headers["Cache-Control"]
    body = r.json()
    assert body["address"] == "城东社区海滨路18号3幢"
    assert body["landlord"]["id_number"] == "11010519491231002X"
    assert body["tenants"][0]["tenant"]["phone"] == "13900002222"
    assert api_as(cast.leader).get(f"/registry/rentals/{house.pk}/personal").status_code == 403
    assert api_as(cast.handler).get(f"/registry/rentals/{house.pk}/personal").status_code == 404
    assert AuditEntry.objects.filter(action="pii.unmask", object_type="rental").count() == 2


def test_places_their_checks_and_the_sectors(cast, api_as):
    api = api_as(cast.gridworker)
    r = api.post(
        "/registry/places",
        {
            "kind": "realname",
            "name": "城东快递驿站",
            "sector": "express",
            "manager_name": "赵站长",
            "manager_phone": "13700001234",
            "region": cast.grid_a1.pk,
        },
    )
    assert r.status_code == 201, r.content
    place = r.json()
    assert place["manager_name"] == "赵**" and place["manager_phone"] == "137****1234"
    assert place["sector_name"] == "寄递物流" and place["overdue"] is False
    r = api.post(f"/registry/places/{place['id']}/checks", {"items": place_items()})
    assert r.status_code == 422 and set(error_of(r)["fields"]) == {"records_kept"}
    r = api.post(
        f"/registry/places/{place['id']}/checks", {"items": place_items(), "records_kept": True}
    )
    assert r.status_code == 201 and r.json()["records_kept"] is True
    sectors = {s["sector"]: s for s in api.get("/registry/sectors").json()}
    assert (sectors["express"]["units"], sectors["express"]["rate"]) == (1, 1.0)
    assert api.get("/registry/places", sector="express").json()["count"] == 1
    assert api.get("/registry/places", kind="school").json()["count"] == 0
    r = api.patch(f"/registry/places/{place['id']}", {"manager_phone": "555"})
    assert r.status_code == 422 and set(error_of(r)["fields"]) == {"manager_phone"}
    r = api.get(f"/registry/places/{place['id']}/personal")
    assert r.json()["manager_phone"] == "13700001234"
    checklists = api.get("/registry/checklists").json()
    assert checklists["rental_check_days"]["red"] == 30
    assert {i["code"] for i in checklists["place"]} >= {"fire_equipment", "escape_route"}


def test_cameras_list_near_and_layer(cast, api_as):
    near = new_camera(cast, "N1", 30.5251, 120.945)
    new_camera(cast, "N2", 30.5262, 120.945)
    new_camera(cast, "B1", 30.605, 120.805, actor=cast.dispatcher_b)
    api = api_as(cast.dispatcher)
    r = api.get("/registry/cameras/near", lat=30.525, lng=120.945)
    assert r.status_code == 200, r.content
    assert [(c["code"], round(c["distance_m"])) for c in r.json()] == [("N1", 11), ("N2", 133)]
    r = api.get("/registry/cameras/near", lat=30.525, lng=120.945, radius=50)
    assert [c["code"] for c in r.json()] == ["N1"]
    r = api.get("/registry/cameras/near", lat=30.525, lng=120.945, radius=999999)
    assert r.status_code == 422 and set(error_of(r)["fields"]) == {"radius"}
    # Out of the caller's scope: not near for them.
    assert (
        api_as(cast.dispatcher_b).get("/registry/cameras/near", lat=30.525, lng=120.945).json()
        == []
    )
    layer = api.get("/registry/cameras/geojson").json()
    assert layer["type"] == "FeatureCollection" and not layer["truncated"]
    assert sorted(f["properties"]["code"] for f in layer["features"]) == ["N1", "N2"]
    r = api.post(
        "/registry/cameras",
        {"code": "N1", "name": "重复", "kind": "social", "lat": 30.525, "lng": 120.945},
    )
    assert r.status_code == 422 and set(error_of(r)["fields"]) == {"code"}
    r = api.patch(f"/registry/cameras/{near.pk}", {"link_name": "海盐雪亮-城东-001"})
    assert r.status_code == 200 and r.json()["link_name"] == "海盐雪亮-城东-001"
    assert api.get("/registry/cameras", kind="social").json()["count"] == 2
    assert api_as(cast.gridworker_b).get(f"/registry/cameras/{near.pk}").status_code == 404


def test_lists_page_and_refuse_bad_pages(cast, api_as):
    for i in range(3):
        new_place(cast, name=f"场所{i}")
    api = api_as(cast.dispatcher)
    r = api.get("/registry/places", page=2, page_size=2)
    assert r.json()["count"] == 3 and len(r.json()["items"]) == 1
    assert api.get("/registry/places", page=0).status_code == 422
    assert api.get("/registry/places", page_size=1000).status_code == 422
    assert api.get("/registry/places", region=999999).status_code == 422
