"""Rental houses: registration, checks and the rating, overdue checks, tenancies, scope,
the audited reveal, photos of checks."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from pingan.core import clock
from pingan.core.audit import AuditEntry
from pingan.core.errors import Conflict, Forbidden, Invalid, NotFound
from pingan.places.models import CheckPhoto, RentalCheck, RentalHouse, Tenancy
from pingan.places.photos import check_photo_add, check_photo_get
from pingan.places.selectors import rental_dict, rental_list
from pingan.places.services import (
    rental_check_add,
    rental_create,
    rental_reveal,
    rental_update,
    tenancy_add,
    tenancy_end,
)
from pingan.places.tests.factories import check_rental, new_rental, person, rental_items
from pingan.privacy.services import clearance_grant


def _ids(qs):
    return [h.pk for h in qs]


def test_a_grid_worker_registers_a_house_in_her_grid_with_the_address_masked(cast):
    landlord = person(cast)
    house = new_rental(cast, landlord=landlord.pk)
    assert house.region_path == cast.grid_a1.path and house.rating == ""
    shown = rental_dict(house)
    assert shown["address"] == "城东社区海滨****"
    assert shown["landlord"] == {
        "id": landlord.pk,
        "name": "王**",
        "phone": "138****5678",
        "id_number": "110105********002X",
    }
    assert shown["rating"] == "unrated" and shown["managed_labels"] == ["房东托管"]
    entry = AuditEntry.objects.filter(action="places.rental.create").get()
    assert entry.object_id == str(house.pk)


def test_the_house_is_located_by_its_point_when_no_region_is_given(cast):
    lat, lng = cast.point_a2
    house = new_rental(cast, actor=cast.gridleader, region=None, lat=lat, lng=lng)
    assert house.region == cast.grid_a2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"address": ""}, "address"),
        ({"rooms": 0}, "rooms"),
        ({"kind": "castle"}, "kind"),
        ({"managed": ["nobody"]}, "managed"),
        ({"landlord": 999999}, "landlord"),
        ({"region": None}, "region"),
        ({"region": None, "lat": 10.0, "lng": 10.0}, "region"),  # in no grid
        ({"lat": 95, "lng": 120}, "lat"),
        ({"client_uuid": "not-a-uuid"}, "client_uuid"),
        ({"region": "grid_b1"}, "region"),  # not her grid
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(cast, change, field):
    if change.get("region") == "grid_b1":
        change = {"region": cast.grid_b1.pk}
    with pytest.raises(Invalid) as e:
        new_rental(cast, **change)
    assert set(e.value.fields) == {field}
    assert RentalHouse.objects.count() == 0


def test_roles_that_do_not_register_houses_are_refused(cast):
    for user in (cast.leader, cast.handler, cast.sysadmin):
        with pytest.raises(Forbidden):
            new_rental(cast, actor=user)


def test_the_same_client_uuid_returns_the_first_house(cast):
    key = str(uuid.uuid4())
    first = new_rental(cast, client_uuid=key)
    again, created = rental_create(
        actor=cast.gridworker,
        data={"address": "别处", "region": cast.grid_a1.pk, "client_uuid": key},
    )
    assert again.pk == first.pk and not created
    with pytest.raises(Conflict):
        new_rental(cast, actor=cast.dispatcher, client_uuid=key)


def test_checks_rate_the_house(cast):
    house = new_rental(cast)
    check = check_rental(house, cast.gridworker)
    house.refresh_from_db()
    assert (house.rating, check.rating, house.last_check_result) == ("green", "green", "pass")
    assert house.last_check_on == timezone.localdate(clock.now())

    check_rental(house, cast.gridworker, "smoke_alarm", rectify_by=timezone.localdate(clock.now()))
    house.refresh_from_db()
    assert (house.rating, house.last_hazards) == ("yellow", 1)

    check_rental(house, cast.dispatcher, "wiring", result="fail")
    house.refresh_from_db()
    assert house.rating == "red"

    check_rental(house, cast.gridworker)  # one clean check after red: still watched
    house.refresh_from_db()
    assert house.rating == "yellow"
    check_rental(house, cast.gridworker)
    house.refresh_from_db()
    assert house.rating == "green"
    assert RentalCheck.objects.filter(house=house).count() == 5


def test_a_late_check_from_the_phone_queue_does_not_override_a_newer_one(cast):
    house = new_rental(cast)
    check_rental(house, cast.gridworker)
    older = clock.now() - dt.timedelta(days=2)
    check_rental(house, cast.gridworker, "gas", "wiring", "smoke_alarm", at=older.isoformat())
    house.refresh_from_db()
    # Rated from the last two by time: the newest passed, the one before was red.
    assert house.rating == "yellow" and house.last_check_result == "pass"
    assert house.last_check_on == timezone.localdate(clock.now())


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"items": {}}, "items.extinguisher"),
        ({"items": {**rental_items(), "jacuzzi": "ok"}}, "items.jacuzzi"),
        ({"items": {**rental_items(), "gas": "maybe"}}, "items.gas"),
        ({"items": rental_items("gas")}, "hazard_note"),
        ({"items": rental_items("gas"), "hazard_note": "漏气", "result": "pass"}, "result"),
        ({"items": rental_items(), "result": "fail"}, "items"),
        ({"items": rental_items(), "result": "so-so"}, "result"),
        ({"items": rental_items(), "at": "2000-01-01T00:00:00+08:00"}, "at"),
        ({"items": rental_items(), "at": "tomorrow"}, "at"),
        ({"items": rental_items(), "lat": 30.5}, "lng"),
    ],
)
def test_a_bad_check_is_refused_naming_the_field(cast, data, field):
    house = new_rental(cast)
    with pytest.raises(Invalid) as e:
        rental_check_add(actor=cast.gridworker, rental_id=house.pk, data=data)
    assert set(e.value.fields) == {field}
    house.refresh_from_db()
    assert house.rating == "" and not house.checks.exists()


def test_who_checks_which_house(cast):
    house = new_rental(cast)
    data = {"items": rental_items()}
    for user in (cast.gridworker_b, cast.dispatcher_b, cast.handler, cast.leader_b):
        with pytest.raises(NotFound):
            rental_check_add(actor=user, rental_id=house.pk, data=data)
    with pytest.raises(Forbidden):  # the county leader sees it but does not check
        rental_check_add(actor=cast.leader, rental_id=house.pk, data=data)
    for user in (cast.gridworker, cast.gridleader, cast.dispatcher, cast.county_dispatcher):
        rental_check_add(actor=user, rental_id=house.pk, data=data)
    rental_update(actor=cast.gridworker, rental_id=house.pk, data={"status": "closed"})
    with pytest.raises(Conflict):
        rental_check_add(actor=cast.gridworker, rental_id=house.pk, data=data)


def test_each_role_lists_the_houses_of_its_regions(cast):
    a1 = new_rental(cast)
    a2 = new_rental(cast, actor=cast.gridleader, region=cast.grid_a2.pk)
    b1 = new_rental(cast, actor=cast.gridworker_b, region=cast.grid_b1.pk)
    assert _ids(rental_list(actor=cast.gridworker)) == [a1.pk]
    assert _ids(rental_list(actor=cast.gridleader)) == [a2.pk, a1.pk]  # newest first
    assert _ids(rental_list(actor=cast.dispatcher)) == [a2.pk, a1.pk]
    assert _ids(rental_list(actor=cast.dispatcher_b)) == [b1.pk]
    assert set(_ids(rental_list(actor=cast.leader))) == {a1.pk, a2.pk, b1.pk}
    assert _ids(rental_list(actor=cast.handler)) == []
    assert _ids(rental_list(actor=cast.leader, region=cast.town_b.pk)) == [b1.pk]
    assert _ids(rental_list(actor=cast.leader, grid=cast.grid_a2.pk)) == [a2.pk]
    # A region filter never widens the scope.
    assert _ids(rental_list(actor=cast.gridworker, region=cast.county.pk)) == [a1.pk]


def test_overdue_checks_follow_the_rating_intervals(cast):
    long_ago = clock.now() - dt.timedelta(days=200)
    with clock.frozen(long_ago):
        unchecked = new_rental(cast)
        green = new_rental(cast)
        red = new_rental(cast)
    fresh = new_rental(cast)
    with clock.frozen(clock.now() - dt.timedelta(days=100)):
        check_rental(green, cast.gridworker)  # green: every 180 days, due in 80 days
    with clock.frozen(clock.now() - dt.timedelta(days=29)):
        check_rental(red, cast.gridworker, "gas", result="fail")  # red: every 30 days
    overdue = _ids(rental_list(actor=cast.dispatcher, overdue=True))
    assert overdue == [unchecked.pk]
    shown = rental_dict(RentalHouse.objects.get(pk=green.pk))
    assert shown["overdue"] is False
    assert shown["next_check_due"] == timezone.localdate(clock.now()) + dt.timedelta(days=80)
    with clock.frozen(clock.now() + dt.timedelta(days=2)):
        overdue = _ids(rental_list(actor=cast.dispatcher, overdue=True))
    assert overdue == [unchecked.pk, red.pk]
    assert fresh.pk not in overdue
    with override_settings(PINGAN_RENTAL_CHECK_DAYS={"green": 60}):
        overdue = _ids(rental_list(actor=cast.dispatcher, overdue=True))
    assert overdue == [unchecked.pk, green.pk]
    rental_update(actor=cast.gridworker, rental_id=unchecked.pk, data={"status": "closed"})
    assert unchecked.pk not in _ids(rental_list(actor=cast.dispatcher, overdue=True))


def test_tenants_move_in_and_out(cast):
    house = new_rental(cast)
    tenant = person(cast, "李租客", id_number="330424199001011235", phone="13900002222")
    t = tenancy_add(actor=cast.gridworker, rental_id=house.pk, tenant=tenant.pk, room="101")
    with pytest.raises(Conflict):
        tenancy_add(actor=cast.gridworker, rental_id=house.pk, tenant=tenant.pk)
    with pytest.raises(Invalid) as e:
        tenancy_add(actor=cast.gridworker, rental_id=house.pk, tenant=None)
    assert set(e.value.fields) == {"tenant"}
    with pytest.raises(Invalid) as e:
        tenancy_end(actor=cast.gridworker, rental_id=house.pk, tenancy_id=t.pk, end="2000-01-01")
    assert set(e.value.fields) == {"end"}
    tenancy_end(actor=cast.gridworker, rental_id=house.pk, tenancy_id=t.pk)
    assert Tenancy.objects.get(pk=t.pk).end == timezone.localdate(clock.now())
    with pytest.raises(NotFound):
        tenancy_add(actor=cast.gridworker_b, rental_id=house.pk, tenant=tenant.pk)


def test_the_reveal_is_for_those_who_visit_and_is_audited(cast):
    house = new_rental(cast, landlord=person(cast).pk)
    for user in (cast.gridworker, cast.gridleader, cast.dispatcher):
        shown = rental_dict(rental_reveal(actor=user, rental_id=house.pk), reveal=True)
        assert shown["address"] == "城东社区海滨路18号3幢"
        assert shown["landlord"]["phone"] == "13812345678"
    with pytest.raises(Forbidden):
        rental_reveal(actor=cast.leader, rental_id=house.pk)
    with pytest.raises(NotFound):
        rental_reveal(actor=cast.gridworker_b, rental_id=house.pk)
    rows = AuditEntry.objects.filter(action="pii.unmask", object_type="rental")
    assert sorted(rows.values_list("result", flat=True)) == ["denied", "ok", "ok", "ok"]


def test_a_person_with_a_sensitivity_label_stays_masked_without_clearance(cast):
    # Linked by a dispatcher cleared for the label; the grid worker is not.
    clearance_grant(user=cast.dispatcher, label="corrections")
    labelled = person(cast, sensitivity="corrections")
    house = new_rental(cast, actor=cast.dispatcher, landlord=labelled.pk)
    shown = rental_dict(rental_reveal(actor=cast.gridworker, rental_id=house.pk), reveal=True)
    assert shown["landlord"]["name"] == "王**"
    assert shown["address"] == "城东社区海滨路18号3幢"


def _jpeg() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(buf, "JPEG")
    return SimpleUploadedFile("p.jpg", buf.getvalue(), content_type="image/jpeg")


def test_photos_of_a_check_are_stored_cleaned_and_read_in_scope(cast):
    house = new_rental(cast)
    check = check_rental(house, cast.gridworker, "ebike_charging")
    key = str(uuid.uuid4())
    photo, created = check_photo_add(
        actor=cast.gridworker,
        kind="rental",
        record_id=house.pk,
        check_id=check.pk,
        upload=_jpeg(),
        client_uuid=key,
    )
    again, created_again = check_photo_add(
        actor=cast.gridworker,
        kind="rental",
        record_id=house.pk,
        check_id=check.pk,
        upload=_jpeg(),
        client_uuid=key,
    )
    assert created and not created_again and again.pk == photo.pk
    assert photo.width == 40 and photo.thumbnail
    assert check_photo_get(actor=cast.leader, photo_id=photo.pk).pk == photo.pk
    with pytest.raises(NotFound):
        check_photo_get(actor=cast.gridworker_b, photo_id=photo.pk)
    with pytest.raises(Forbidden):
        check_photo_add(
            actor=cast.leader, kind="rental", record_id=house.pk, check_id=check.pk, upload=_jpeg()
        )
    with pytest.raises(Invalid):
        check_photo_add(
            actor=cast.gridworker,
            kind="rental",
            record_id=house.pk,
            check_id=check.pk,
            upload=SimpleUploadedFile("x.jpg", b"not a photo"),
        )
    assert CheckPhoto.objects.count() == 1


def test_a_landlord_or_tenant_out_of_the_workers_grids_reads_as_unknown(cast):
    """A worker cannot link another town's person to her house: the house's readers would
    then see (and reveal) a person they may not read."""
    stranger = person(cast, "赵外镇", region=cast.grid_b1)
    with pytest.raises(Invalid) as e:
        new_rental(cast, landlord=stranger.pk)
    assert set(e.value.fields) == {"landlord"}
    assert RentalHouse.objects.count() == 0
    house = new_rental(cast)
    with pytest.raises(Invalid) as e:
        tenancy_add(actor=cast.gridworker, rental_id=house.pk, tenant=stranger.pk)
    assert set(e.value.fields) == {"tenant"}
    assert not Tenancy.objects.filter(house=house).exists()
