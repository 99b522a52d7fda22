"""Persons and households: validation, derivation from the ID number, matching across
registers by the blind index, moves with their history, the change history masked."""

from __future__ import annotations

import datetime as dt

import pytest

from pingan.core import pii
from pingan.core.errors import Conflict, Forbidden, Invalid, NotFound
from pingan.registry import services
from pingan.registry.models import Person, PersonMove, RecordChange
from pingan.registry.services import today
from pingan.registry.tests.factories import SYSTEM, household, id_number, person

pytestmark = pytest.mark.django_db


def test_id_number_check_digit_and_birth_date_are_validated(cast):
    good = id_number(dt.date(1985, 2, 28), male=False)
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(Invalid) as e:
        person(cast.grid_a1, id_number=wrong_check)
    assert e.value.fields == {"id_number": "身份证号校验位不正确"}
    bad_date = "33042419850230" + "0021"  # 30 February
    first17 = bad_date[:17]
    with pytest.raises(Invalid) as e:
        person(cast.grid_a1, id_number=first17 + pii.id_number_check_digit(first17))
    assert "出生日期" in e.value.fields["id_number"]
    future = f"330424{today().year + 1}0101002"
    with pytest.raises(Invalid) as e:
        person(cast.grid_a1, id_number=future + pii.id_number_check_digit(future))
    assert "出生日期" in e.value.fields["id_number"]


def test_sex_and_birth_date_come_from_the_id_number(cast):
    woman = person(cast.grid_a1, id_number=id_number(dt.date(1985, 2, 28), male=False))
    man = person(cast.grid_a1, id_number=id_number(dt.date(2001, 12, 1), male=True))
    assert (woman.sex, woman.birth_date) == ("female", dt.date(1985, 2, 28))
    assert (man.sex, man.birth_date) == ("male", dt.date(2001, 12, 1))
    # Changing the number changes both.
    services.person_update(
        actor=SYSTEM, person_id=woman.pk, id_number=id_number(dt.date(1970, 1, 1), male=True)
    )
    woman.refresh_from_db()
    assert (woman.sex, woman.birth_date) == ("male", dt.date(1970, 1, 1))


def test_personal_values_are_encrypted_at_rest_and_indexed(cast):
    number = id_number()
    p = person(cast.grid_a1, name="李四", id_number=number, phone="138 1234 5678")
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT name, id_number, phone FROM registry_person WHERE id = %s", [p.pk])
        row = cur.fetchone()
    assert "李四" not in row[0] and number not in row[1] and "13812345678" not in row[2]
    assert p.id_index == pii.blind_index(number, kind="id_number")
    assert p.phone_index == pii.blind_index("13812345678", kind="phone")


def test_phone_is_validated(cast):
    with pytest.raises(Invalid) as e:
        person(cast.grid_a1, phone="12345")
    assert "phone" in e.value.fields


def test_a_person_lives_in_a_grid(cast):
    with pytest.raises(Invalid) as e:
        person(cast.village_a)
    assert "region" in e.value.fields


def test_one_person_per_id_number_per_county(cast):
    number = id_number()
    first = person(cast.grid_a1, id_number=number)
    with pytest.raises(Conflict) as e:
        person(cast.grid_b1, id_number=number)
    assert "id_number" in e.value.fields
    # The other registers and the importer match instead of duplicating.
    again, created = services.person_register(
        actor=SYSTEM, region=cast.grid_b1, name="王小明", id_number=number, phone="13900001111"
    )
    assert not created and again.pk == first.pk
    again.refresh_from_db()
    assert again.phone == "13900001111"
    assert Person.objects.filter(id_index=first.id_index).count() == 1
    # Lower-case x is the same number.
    x_number = id_number(dt.date(1999, 9, 9))
    while not x_number.endswith("X"):
        x_number = id_number(dt.date(1999, 9, 9))
    person(cast.grid_a1, id_number=x_number)
    with pytest.raises(Conflict):
        person(cast.grid_a1, id_number=x_number.lower())


def test_update_writes_history_with_masked_values_only(cast):
    p = person(cast.grid_a1, name="张三丰", phone="13812345678", address="城东社区海滨路18号3幢")
    services.person_update(
        actor=cast.gridworker, person_id=p.pk, phone="13987654321", address="城东社区新村路1号"
    )
    change = RecordChange.objects.filter(person=p, action="update").get()
    assert change.actor == cast.gridworker
    assert change.source == "page"
    assert change.fields["phone"] == {"old": "138****5678", "new": "139****4321"}
    assert change.fields["address"]["new"] == "城东社区新村****"
    text = str(RecordChange.objects.filter(person=p).values_list("fields", flat=True)[::1])
    for clear in ("张三丰", "13812345678", "13987654321", "海滨路18号", p.id_number):
        assert clear not in text
    # An unchanged update writes nothing.
    services.person_update(actor=cast.gridworker, person_id=p.pk, phone="13987654321")
    assert RecordChange.objects.filter(person=p, action="update").count() == 1


def test_update_refuses_unknown_fields_and_out_of_scope(cast):
    p = person(cast.grid_a1)
    with pytest.raises(Invalid) as e:
        services.person_update(actor=cast.gridworker, person_id=p.pk, status="deceased")
    assert "status" in e.value.fields
    with pytest.raises(NotFound):
        services.person_update(actor=cast.gridworker_b, person_id=p.pk, name="李四")
    with pytest.raises(Forbidden):  # the leader sees, may not change
        services.person_update(actor=cast.leader, person_id=p.pk, name="李四")


def test_moves_keep_their_history(cast):
    hh_a = household(cast.grid_a1)
    hh_b = household(cast.grid_a2)
    p = person(cast.grid_a1, household=hh_a.pk, moved_in_at=today() - dt.timedelta(days=400))
    assert p.household == hh_a
    hh_a.refresh_from_db()
    assert hh_a.head_id == p.pk  # the first member heads the household
    day = today()
    services.person_transfer(
        actor=cast.gridleader, person_id=p.pk, region=cast.grid_a2.pk, household=hh_b.pk, on=day
    )
    p.refresh_from_db()
    assert (p.region, p.region_path, p.household) == (cast.grid_a2, cast.grid_a2.path, hh_b)
    services.person_move_out(actor=cast.dispatcher, person_id=p.pk, on=day)
    p.refresh_from_db()
    assert (p.status, p.moved_out_at) == ("moved_out", day)
    with pytest.raises(Conflict):
        services.person_move_out(actor=cast.dispatcher, person_id=p.pk, on=day)
    services.person_move_in(actor=cast.dispatcher, person_id=p.pk, region=cast.grid_a1, on=day)
    p.refresh_from_db()
    assert (p.status, p.moved_out_at, p.region) == ("present", None, cast.grid_a1)
    kinds = list(PersonMove.objects.filter(person=p).values_list("kind", flat=True))
    assert kinds == ["in", "transfer", "out", "in"]
    actions = set(RecordChange.objects.filter(person=p).values_list("action", flat=True))
    assert {"create", "transfer", "move_out", "move_in"} <= actions


def test_transfer_needs_both_grids_and_stays_in_the_county(cast):
    p = person(cast.grid_a1)
    with pytest.raises(Forbidden):  # the grid worker of A1 does not cover B1
        services.person_transfer(
            actor=cast.gridworker, person_id=p.pk, region=cast.grid_b1, on=today()
        )
    with pytest.raises(Invalid):
        services.person_move_out(
            actor=cast.dispatcher, person_id=p.pk, on=today() + dt.timedelta(days=1)
        )


def test_deceased_closes_key_person_records(cast):
    from pingan.registry.tests.factories import key_person

    p = person(cast.grid_a1)
    kp = key_person(p)
    services.person_set_status(actor=cast.dispatcher, person_id=p.pk, status="deceased")
    kp.refresh_from_db()
    p.refresh_from_db()
    assert p.status == "deceased" and p.moved_out_at == today()
    assert kp.status == "closed"
    assert not kp.tasks.filter(done_at__isnull=True, cancelled_at__isnull=True).exists()


def test_household_numbers_are_unique_in_the_county(cast):
    household(cast.grid_a1, number="H-1")
    with pytest.raises(Conflict) as e:
        household(cast.grid_b1, number="H-1")
    assert "number" in e.value.fields


def test_household_head_must_be_a_member(cast):
    hh = household(cast.grid_a1)
    other = household(cast.grid_a1)
    member = person(cast.grid_a1, household=other.pk)
    with pytest.raises(Invalid) as e:
        services.household_update(actor=cast.gridworker, household_id=hh.pk, head=member.pk)
    assert "head" in e.value.fields
    loner = person(cast.grid_a1)
    services.household_update(actor=cast.gridworker, household_id=hh.pk, head=loner.pk)
    loner.refresh_from_db()
    hh.refresh_from_db()
    assert hh.head == loner and loner.household == hh
