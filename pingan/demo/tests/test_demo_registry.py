"""The demo county's registers (pingan/demo/registry.py, pingan/demo/places.py): persons
with valid ID numbers in the county's grids, new residents with permits, key persons with
tasks and visits, written once."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.test.utils import override_settings

from pingan.core import clock, pii
from pingan.demo.build import load_demo
from pingan.demo.registry import PHONE_PREFIX, id_number
from pingan.geo.models import Region
from pingan.geo.scope import within_q
from pingan.registry.choices import PermitStatus, PersonKind
from pingan.registry.models import (
    Household,
    KeyPerson,
    KeyPersonVisit,
    Person,
    PointsEntry,
    ResidencePermit,
    VisitTask,
)

BUILT = dt.datetime(2026, 11, 20, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SMALL = {"events": 3000, "live_days": 0, "seed": 11, "villages_per_town": 2, "grids_per_village": 2}


def counts() -> dict[str, int]:
    return {
        "persons": Person.objects.count(),
        "households": Household.objects.count(),
        "permits": ResidencePermit.objects.count(),
        "points": PointsEntry.objects.count(),
        "key_persons": KeyPerson.objects.count(),
        "tasks": VisitTask.objects.count(),
        "visits": KeyPersonVisit.objects.count(),
    }


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """A small demo county built twice at a frozen moment, rolled back after the module."""
    var = tmp_path_factory.mktemp("var")
    with (
        django_db_blocker.unblock(),
        override_settings(VAR_DIR=var),
        transaction.atomic(),
        clock.frozen(BUILT),
    ):
        first = load_demo(**SMALL)
        after_first = counts()
        second = load_demo(**SMALL)
        yield {"first": first, "second": second, "after_first": after_first}
        transaction.set_rollback(True)


def test_id_number_helper_gives_valid_check_digits():
    for seq in (0, 1, 17, 998):
        value = id_number("330424", dt.date(1990, 5, 17), seq)
        assert pii.validate_id_number(value) == value


@pytest.mark.django_db
def test_persons_at_scale_with_valid_id_numbers_and_demo_phones(demo):
    persons = list(Person.objects.all())
    assert len(persons) == round(30_000 * 3000 / 100_000)  # the demo's scale
    seen = set()
    for p in persons:
        if p.kind == PersonKind.OVERSEAS:
            assert p.id_number == ""
            continue
        assert pii.validate_id_number(p.id_number) == p.id_number
        assert p.id_index == pii.blind_index(p.id_number, kind="id_number")
        assert p.birth_date.strftime("%Y%m%d") == p.id_number[6:14]
        assert int(p.id_number[16]) % 2 == (1 if p.sex == "male" else 0)
        seen.add(p.id_number)
        if p.phone:
            assert p.phone.startswith(PHONE_PREFIX) and len(p.phone) == 11
            assert p.phone_index == pii.blind_index(p.phone, kind="phone")
    assert len(seen) == sum(1 for p in persons if p.id_number)  # one person per ID number


@pytest.mark.django_db
def test_persons_live_in_ordinary_grids_of_the_county_in_households(demo):
    grids = {r.pk: r for r in Region.objects.filter(level="grid")}
    for p in Person.objects.select_related("household"):
        grid = grids[p.region_id]
        assert not grid.is_special and p.region_path == grid.path
        assert p.household.region_id == p.region_id
    heads = set(Household.objects.values_list("head_id", flat=True))
    assert None not in heads
    assert Person.objects.filter(pk__in=heads, relation="户主").count() == len(heads)


@pytest.mark.django_db
def test_a_fifth_new_residents_with_permits_some_expiring_and_points(demo):
    kinds = Counter(Person.objects.values_list("kind", flat=True))
    share = kinds[PersonKind.NEW_RESIDENT] / sum(kinds.values())
    assert 0.12 < share < 0.30
    statuses = Counter(ResidencePermit.objects.values_list("status", flat=True))
    assert statuses[PermitStatus.ISSUED] > statuses[PermitStatus.APPLIED] > 0
    assert statuses[PermitStatus.EXPIRED] > 0
    today = BUILT.date()
    expiring = ResidencePermit.objects.filter(
        status=PermitStatus.ISSUED, expires_on__lte=today + dt.timedelta(days=30)
    )
    assert expiring.exists()
    assert not ResidencePermit.objects.exclude(person__kind=PersonKind.NEW_RESIDENT).exists()
    for p in Person.objects.filter(points_entries__isnull=False).distinct()[:50]:
        assert p.points_total == sum(e.points for e in p.points_entries.all())


@pytest.mark.django_db
def test_key_persons_of_every_category_with_helpers_tasks_and_some_missed(demo):
    kps = list(KeyPerson.objects.select_related("category", "person"))
    assert len({kp.category.code for kp in kps}) == 6
    for kp in kps:
        assert kp.sensitivity == kp.category.sensitivity
        assert kp.region_path == kp.person.region_path
        assert kp.helpers.exists()
    tasks = VisitTask.objects.all()
    assert tasks.filter(missed=True).exists()
    assert tasks.filter(done_at__isnull=False).count() > tasks.filter(missed=True).count()
    assert tasks.filter(missed=True, done_at__isnull=True).exists()  # missed and still open
    assert not tasks.filter(due_on__gt=BUILT.date() + dt.timedelta(days=31)).exists()
    assert not KeyPersonVisit.objects.filter(at__gt=BUILT).exists()


@pytest.mark.django_db
def test_second_run_adds_nobody(demo):
    assert counts() == demo["after_first"]
    assert demo["after_first"]["persons"] > 0


@pytest.mark.django_db
def test_rental_houses_hold_the_new_residents_with_every_rating(demo):
    from pingan.places import rules
    from pingan.places.models import RentalCheck, RentalHouse, Tenancy

    houses = list(RentalHouse.objects.all())
    assert {h.rating for h in houses} >= {"green", "yellow", "red", ""}
    tenants = set(Tenancy.objects.values_list("tenant_id", flat=True))
    renting = set(
        Person.objects.filter(household__kind__in=["rental", "collective"]).values_list(
            "pk", flat=True
        )
    )
    assert tenants == renting
    for h in houses[:200]:
        assert h.region_path == h.region.path
        checks = list(RentalCheck.objects.filter(house=h).order_by("-at"))
        facts = [rules.CheckFacts(c.result, c.hazards) for c in checks[:2]]
        assert h.rating == rules.rating_of(facts)
        for c in checks:
            assert c.hazards == sum(1 for v in c.items.values() if v == "hazard")
            assert (c.result == "pass") == (c.hazards == 0)
    assert RentalHouse.objects.filter(rules.rentals_overdue_q(BUILT.date())).exists()


@pytest.mark.django_db
def test_places_of_every_kind_and_sector_and_cameras_inside_the_county(demo):
    from pingan.places.models import Camera, Place, PlaceCheck

    kinds = set(Place.objects.values_list("kind", flat=True))
    assert kinds == {
        "school",
        "hospital",
        "market",
        "hazchem",
        "catering",
        "crowded",
        "enterprise",
        "site",
        "scenic",
        "realname",
        "other",
    }
    assert len(set(Place.objects.exclude(sector="").values_list("sector", flat=True))) == 12
    assert PlaceCheck.objects.filter(place__sector="", records_kept__isnull=False).count() == 0
    assert PlaceCheck.objects.filter(place__sector__gt="", records_kept=False).exists()
    cams = Camera.objects.all()
    assert set(cams.values_list("kind", flat=True)) >= {"campus", "traffic", "public_security"}
    county = Region.objects.get(level="county")
    assert not cams.exclude(within_q("region_path", [county.path])).exists()
    assert not cams.filter(lat__isnull=True).exists()
