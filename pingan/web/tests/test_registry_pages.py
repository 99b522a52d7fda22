"""The registers' pages (docs/registry.md, "Pages"): masked by default, the reveal audited,
the clearance hiding key persons, the scope of each role, the forms' errors in Chinese
with nothing written, the overview's figures and the map's JSON without personal data."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from pingan.core.models import AuditEntry
from pingan.places.models import RentalHouse
from pingan.places.rules import RENTAL_ITEMS
from pingan.places.services import place_create, rental_check_add, rental_create, tenancy_add
from pingan.privacy.models import Clearance
from pingan.registry.models import KeyPerson, KeyPersonCategory, Person
from pingan.registry.services import household_create, person_create

pytestmark = pytest.mark.django_db

ID_A = "110101199003070011"  # valid check digit
ID_B = "34122119920101009X"
NAME_A = "欧阳测试"
PHONE_A = "13800001111"


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def people(cast):
    h = household_create(actor=cast.dispatcher, region=cast.grid_a1.pk, number="H-001")
    a = person_create(
        actor=cast.dispatcher,
        region=cast.grid_a1.pk,
        name=NAME_A,
        id_number=ID_A,
        phone=PHONE_A,
        address="城东路88号3幢201室",
        household=h.pk,
        relation="户主",
    )
    b = person_create(
        actor=cast.dispatcher_b,
        region=cast.grid_b1.pk,
        name="司马通元",
        id_number=ID_B,
        kind="new_resident",
        moved_in_at="2025-01-02",
    )
    return {"household": h, "a": a, "b": b}


def key_person(cast, person, code="corrections") -> KeyPerson:
    cat = KeyPersonCategory.objects.get(code=code)
    return KeyPerson.objects.create(
        person=person,
        category=cat,
        since=person.created_at.date(),
        sensitivity=cat.sensitivity,
        region=person.region,
        region_path=person.region_path,
    )


def test_persons_list_is_masked_and_scoped(cast, people):
    html = client_for(cast.dispatcher).get(reverse("registry_persons")).content.decode()
    assert f'data-person="{people["a"].pk}"' in html
    assert f'data-person="{people["b"].pk}"' not in html  # town B's resident
    assert NAME_A not in html and ID_A not in html and PHONE_A not in html
    assert "欧*" in html or "欧**" in html
    other = client_for(cast.dispatcher_b).get(reverse("registry_persons")).content.decode()
    assert f'data-person="{people["b"].pk}"' in other
    assert f'data-person="{people["a"].pk}"' not in other


def test_search_finds_by_exact_id_number_or_phone_only(cast, people):
    c = client_for(cast.county_dispatcher)
    url = reverse("registry_persons")
    by_id = c.get(url, {"q": ID_A.lower()[:-1] + ID_A[-1]}).content.decode()
    assert f'data-person="{people["a"].pk}"' in by_id
    assert f'data-person="{people["b"].pk}"' not in by_id
    assert f'data-person="{people["a"].pk}"' in c.get(url, {"q": PHONE_A}).content.decode()
    partial = c.get(url, {"q": ID_A[:10]}).content.decode()
    assert "data-person=" not in partial


def test_person_page_masked_and_read_audited_out_of_scope_404(cast, people):
    a = people["a"]
    url = reverse("registry_person", args=[a.pk])
    r = client_for(cast.dispatcher).get(url)
    assert r.status_code == 200
    html = r.content.decode()
    assert ID_A not in html and PHONE_A not in html and NAME_A not in html
    assert "查看完整信息" in html
    assert AuditEntry.objects.filter(
        action="registry.person.view", object_id=str(a.pk), actor=cast.dispatcher
    ).exists()
    assert client_for(cast.dispatcher_b).get(url).status_code == 404
    assert client_for(cast.handler).get(url).status_code == 404


def test_reveal_shows_full_values_and_is_audited_leader_refused(cast, people):
    a = people["a"]
    url = reverse("registry_person_reveal", args=[a.pk])
    r = client_for(cast.gridworker).post(url, {"purpose": "入户核查"})
    assert r.status_code == 200
    html = r.content.decode()
    assert NAME_A in html and ID_A in html and PHONE_A in html
    assert r.headers["Cache-Control"].startswith("max-age=0")
    entry = AuditEntry.objects.get(action="pii.unmask", object_id=str(a.pk), actor=cast.gridworker)
    assert entry.detail["purpose"] == "入户核查"
    # The county leader sees the page (masked, without the button) but may not reveal.
    page = client_for(cast.leader).get(reverse("registry_person", args=[a.pk])).content.decode()
    assert "data-unmask" not in page
    refused = client_for(cast.leader).post(url)
    assert refused.status_code == 403 and NAME_A not in refused.content.decode()
    assert AuditEntry.objects.filter(
        action="pii.unmask", object_id=str(a.pk), actor=cast.leader, result="denied"
    ).exists()
    assert client_for(cast.dispatcher_b).post(url).status_code == 404


def test_key_persons_hidden_without_clearance_shown_with_it(cast, people):
    kp = key_person(cast, people["a"])
    c = client_for(cast.dispatcher)
    lists = reverse("registry_key_persons")
    assert f'data-key-person="{kp.pk}"' not in c.get(lists).content.decode()
    person_page = c.get(reverse("registry_person", args=[people["a"].pk])).content.decode()
    assert "person-key-records" not in person_page
    overview = c.get(reverse("registry_overview")).content.decode()
    assert 'data-category="corrections"' not in overview
    assert c.get(reverse("registry_key_person", args=[kp.pk])).status_code == 404

    Clearance.objects.create(user=cast.dispatcher, label="corrections")
    c = client_for(cast.dispatcher)
    assert f'data-key-person="{kp.pk}"' in c.get(lists).content.decode()
    person_page = c.get(reverse("registry_person", args=[people["a"].pk])).content.decode()
    assert "person-key-records" in person_page
    overview = c.get(reverse("registry_overview")).content.decode()
    assert 'data-category="corrections"' in overview
    assert c.get(reverse("registry_key_person", args=[kp.pk])).status_code == 200


def test_overview_counts_the_region_per_child(cast, people):
    r = client_for(cast.county_dispatcher).get(reverse("registry_overview"))
    html = r.content.decode()
    assert r.status_code == 200
    assert f'data-region="{cast.town_a.pk}"' in html and f'data-region="{cast.town_b.pk}"' in html
    assert 'data-figure="persons">2<' in html
    assert 'data-figure="new_residents">1<' in html
    town = client_for(cast.dispatcher).get(reverse("registry_overview")).content.decode()
    assert 'data-figure="persons">1<' in town
    assert f'data-region="{cast.village_a.pk}"' in town
    handler = client_for(cast.handler).get(reverse("registry_overview"))
    assert handler.status_code == 200 and "没有可查看的登记信息" in handler.content.decode()


def test_person_form_rejects_a_bad_id_number_in_chinese_and_writes_nothing(cast):
    before = Person.objects.count()
    r = client_for(cast.gridworker).post(
        reverse("registry_person_new"),
        {"region": cast.grid_a1.pk, "name": "测试", "id_number": "110101199003070012"},
    )
    assert r.status_code == 422
    html = r.content.decode()
    assert "身份证号校验位不正确" in html and 'data-field="id_number"' in html
    assert Person.objects.count() == before
    outside = client_for(cast.gridworker).post(
        reverse("registry_person_new"),
        {"region": cast.grid_b1.pk, "name": "测试", "id_number": ID_A},
    )
    assert outside.status_code == 403
    assert Person.objects.count() == before
    assert client_for(cast.leader).get(reverse("registry_person_new")).status_code == 403


def test_person_form_creates_then_edit_changes_only_what_is_typed(cast):
    c = client_for(cast.gridworker)
    r = c.post(
        reverse("registry_person_new"),
        {"region": cast.grid_a1.pk, "name": "上官新", "id_number": ID_A, "phone": PHONE_A},
    )
    person = Person.objects.get()
    assert r.status_code == 302 and r.url == reverse("registry_person", args=[person.pk])
    assert (person.sex, person.birth_date.isoformat()) == ("male", "1990-03-07")
    edit = c.get(reverse("registry_person_edit", args=[person.pk])).content.decode()
    assert ID_A not in edit and PHONE_A not in edit  # masked placeholders only
    r = c.post(
        reverse("registry_person_edit", args=[person.pk]),
        {"phone": "13900002222", "kind": "registered", "relation": ""},
    )
    assert r.status_code == 302
    person.refresh_from_db()
    assert (person.name, person.id_number, person.phone) == ("上官新", ID_A, "13900002222")
    bad = c.post(reverse("registry_person_edit", args=[person.pk]), {"phone": "12345"})
    assert bad.status_code == 422 and "手机号" in bad.content.decode()
    person.refresh_from_db()
    assert person.phone == "13900002222"


def test_duplicate_id_number_is_refused_with_the_reason(cast, people):
    r = client_for(cast.dispatcher).post(
        reverse("registry_person_new"),
        {"region": cast.grid_a2.pk, "name": "重复", "id_number": ID_A},
    )
    assert r.status_code == 409 and "该身份证号已登记" in r.content.decode()
    assert Person.objects.count() == 2


def test_rental_house_page_masks_tenants_reveal_audited(cast, people):
    house, _ = rental_create(
        actor=cast.dispatcher,
        data={
            "region": cast.grid_a1.pk,
            "address": "城东路99号5幢302室",
            "landlord": people["a"].pk,
        },
    )
    tenancy_add(actor=cast.dispatcher, rental_id=house.pk, tenant=people["a"].pk, room="101")
    rental_check_add(
        actor=cast.gridworker,
        rental_id=house.pk,
        data={
            "items": dict.fromkeys(RENTAL_ITEMS, "ok"),
        },
    )
    c = client_for(cast.dispatcher)
    html = c.get(reverse("registry_rental", args=[house.pk])).content.decode()
    assert "城东路99号5幢302室" not in html and NAME_A not in html and ID_A not in html
    assert 'data-result="pass"' in html and "rating-green" in html
    r = c.post(reverse("registry_rental_reveal", args=[house.pk]))
    assert r.status_code == 200
    assert "城东路99号5幢302室" in r.content.decode() and ID_A in r.content.decode()
    assert AuditEntry.objects.filter(
        action="pii.unmask", object_type="rental", object_id=str(house.pk)
    ).exists()
    assert (
        client_for(cast.leader).post(reverse("registry_rental_reveal", args=[house.pk])).status_code
        == 403
    )
    assert (
        client_for(cast.dispatcher_b).get(reverse("registry_rental", args=[house.pk])).status_code
        == 404
    )
    listing = c.get(reverse("registry_rentals"), {"rating": "green"}).content.decode()
    assert f'data-rental="{house.pk}"' in listing
    assert (
        f'data-rental="{house.pk}"'
        not in c.get(reverse("registry_rentals"), {"rating": "red"}).content.decode()
    )


def test_rental_form_errors_and_landlord_by_id_number(cast, people):
    c = client_for(cast.gridworker)
    url = reverse("registry_rental_new")
    r = c.post(url, {"region": cast.grid_a1.pk, "address": "", "rooms": "2"})
    assert r.status_code == 422 and 'data-field="address"' in r.content.decode()
    r = c.post(url, {"region": cast.grid_a1.pk, "address": "城东路5号", "landlord_id_number": ID_B})
    assert r.status_code == 422 and "请先登记房东" in r.content.decode()  # town B's person
    r = c.post(url, {"region": cast.grid_a1.pk, "address": "城东路5号", "rooms": "0"})
    assert r.status_code == 422 and 'data-field="rooms"' in r.content.decode()
    assert not RentalHouse.objects.exists()
    r = c.post(
        url,
        {
            "region": cast.grid_a1.pk,
            "address": "城东路5号",
            "landlord_id_number": ID_A,
            "rooms": "3",
            "kind": "rooms",
            "managed": ["custody"],
        },
    )
    house = RentalHouse.objects.get()
    assert r.status_code == 302
    assert (house.landlord_id, house.rooms, house.managed) == (people["a"].pk, 3, ["custody"])
    r = c.post(
        reverse("registry_rental_edit", args=[house.pk]),
        {"rooms": "4", "kind": "rooms", "status": "let", "managed": ["custody"]},
    )
    house.refresh_from_db()
    assert r.status_code == 302 and house.rooms == 4 and house.address == "城东路5号"


def test_map_features_carry_no_personal_data_and_follow_scope(cast, people):
    house, _ = rental_create(
        actor=cast.dispatcher,
        data={
            "region": cast.grid_a1.pk,
            "address": "城东路77号",
            "landlord": people["a"].pk,
            "lat": 30.525,
            "lng": 120.945,
        },
    )
    place_create(
        actor=cast.dispatcher,
        data={
            "region": cast.grid_a1.pk,
            "kind": "catering",
            "name": "东门小吃",
            "manager_name": "令狐负责",
            "manager_phone": "13700003333",
            "lat": 30.526,
            "lng": 120.946,
        },
    )
    r = client_for(cast.dispatcher).get(reverse("registry_map_features"))
    body = r.content.decode()
    data = json.loads(body)
    assert [f["properties"]["id"] for f in data["rentals"]["features"]] == [house.pk]
    assert [f["properties"]["name"] for f in data["places"]["features"]] == ["东门小吃"]
    for secret in ("城东路77号", NAME_A, ID_A, PHONE_A, "令狐负责", "13700003333"):
        assert secret not in body
    other = json.loads(client_for(cast.dispatcher_b).get(reverse("registry_map_features")).content)
    assert other["rentals"]["features"] == [] and other["places"]["features"] == []
    page = client_for(cast.dispatcher).get(reverse("registry_map"))
    assert page.status_code == 200 and b"registry-map-data" in page.content


def test_lists_render_for_every_role_without_error(cast, people):
    names = (
        "registry_overview",
        "registry_persons",
        "registry_households",
        "registry_key_persons",
        "registry_rentals",
        "registry_places",
        "registry_sectors",
        "registry_cameras",
        "registry_map",
    )
    for user in (cast.gridworker, cast.gridleader, cast.dispatcher, cast.leader, cast.handler):
        c = client_for(user)
        for name in names:
            assert c.get(reverse(name)).status_code == 200, (user.username, name)
    bad = client_for(cast.dispatcher).get(reverse("registry_persons"), {"region": "999999"})
    assert bad.status_code == 422 and "区划不存在" in bad.content.decode()


def test_persons_list_costs_the_same_queries_for_more_rows(
    cast, people, django_assert_max_num_queries
):
    for i in range(30):
        person_create(actor=cast.dispatcher, region=cast.grid_a1.pk, name=f"批量{i}")
    c = client_for(cast.dispatcher)
    c.get(reverse("registry_persons"))  # warm the session and the actor
    with django_assert_max_num_queries(15):
        r = c.get(reverse("registry_persons"))
    assert r.status_code == 200
