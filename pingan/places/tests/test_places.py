"""Key places and the units of the real-name sectors: registration, masking, checks,
overdue checks by kind, the sectors' compliance."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from pingan.core import clock
from pingan.core.errors import Forbidden, Invalid, NotFound
from pingan.places import rules
from pingan.places.models import Place
from pingan.places.selectors import place_dict, place_list, sector_summary
from pingan.places.services import place_check_add, place_reveal, place_update
from pingan.places.tests.factories import check_place, new_place, place_items


def test_the_person_in_charge_is_masked_and_the_address_only_for_a_person_owner(cast):
    school = new_place(cast)
    shown = place_dict(school)
    assert (shown["manager_name"], shown["manager_phone"]) == ("李**", "139****1111")
    assert shown["address"] == "城东社区学府路1号"  # a school's address is not personal
    shop = new_place(cast, kind="catering", name="阿明面馆", owner_is_person=True)
    assert place_dict(shop)["address"] == "城东社区学府****"
    full = place_dict(place_reveal(actor=cast.dispatcher, place_id=shop.pk), reveal=True)
    assert (full["manager_name"], full["address"]) == ("李校长", "城东社区学府路1号")
    with pytest.raises(Forbidden):
        place_reveal(actor=cast.leader, place_id=shop.pk)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "zoo"}, "kind"),
        ({"name": " "}, "name"),
        ({"manager_phone": "12345"}, "manager_phone"),
        ({"credit_code": "123"}, "credit_code"),
        ({"sector": "casino"}, "sector"),
    ],
)
def test_bad_place_input_is_422_naming_the_field(cast, change, field):
    with pytest.raises(Invalid) as e:
        new_place(cast, **change)
    assert set(e.value.fields) == {field}
    assert not Place.objects.exists()


def test_a_unit_of_a_sector_is_checked_for_its_real_name_records(cast):
    hotel = new_place(cast, kind="other", name="城东旅馆", sector="hotel")
    assert hotel.kind == "realname"
    with pytest.raises(Invalid) as e:
        check_place(hotel, cast.gridworker)
    assert set(e.value.fields) == {"records_kept"}
    check_place(hotel, cast.gridworker, records_kept=False)
    hotel.refresh_from_db()
    assert hotel.last_records_kept is False and hotel.last_check_result == "pass"
    school = new_place(cast)
    with pytest.raises(Invalid) as e:
        check_place(school, cast.gridworker, records_kept=True)
    assert set(e.value.fields) == {"records_kept"}


def test_the_sectors_show_units_and_the_rate_of_records_kept(cast):
    for i, kept in enumerate((True, True, False)):
        unit = new_place(cast, name=f"快递网点{i}", sector="express")
        check_place(unit, cast.gridworker, records_kept=kept)
    new_place(cast, name="快递网点3", sector="express")  # not checked yet
    new_place(
        cast, actor=cast.gridworker_b, name="通元快递", sector="express", region=cast.grid_b1.pk
    )
    rows = {r["sector"]: r for r in sector_summary(actor=cast.dispatcher)}
    assert len(rows) == 12
    assert rows["express"] | {} == {
        "sector": "express",
        "name": "寄递物流",
        "units": 4,
        "checked": 3,
        "kept": 2,
        "rate": 0.6667,
    }
    assert rows["pawn"]["rate"] is None
    assert {r["sector"]: r["units"] for r in sector_summary(actor=cast.leader)}["express"] == 5


def test_the_sector_list_is_configurable(cast):
    with override_settings(PINGAN_REALNAME_SECTORS=["express:寄递", "boats:船舶租赁"]):
        assert rules.sectors() == [("express", "寄递"), ("boats", "船舶租赁")]
        assert [r["sector"] for r in sector_summary(actor=cast.dispatcher)] == ["express", "boats"]
        new_place(cast, name="游船", sector="boats")


def test_overdue_checks_follow_the_kind(cast):
    with clock.frozen(clock.now() - dt.timedelta(days=40)):
        market = new_place(cast, kind="market", name="城东农贸市场")  # every 30 days
        school = new_place(cast)  # every 90 days
    overdue = [p.pk for p in place_list(actor=cast.gridworker, overdue=True)]
    assert overdue == [market.pk]
    check_place(market, cast.gridworker, "escape_route", hazard_note="通道堆物")
    assert [p.pk for p in place_list(actor=cast.gridworker, overdue=True)] == []
    with override_settings(PINGAN_PLACE_CHECK_DAYS={"school": 30}):
        assert [p.pk for p in place_list(actor=cast.gridworker, overdue=True)] == [school.pk]


def test_a_place_is_changed_by_patch_and_moved_only_within_ones_regions(cast):
    place = new_place(cast)
    place_update(actor=cast.gridworker, place_id=place.pk, data={"name": "城东实验小学"})
    with pytest.raises(Invalid) as e:
        place_update(actor=cast.gridworker, place_id=place.pk, data={"region": cast.grid_a2.pk})
    assert set(e.value.fields) == {"region"}
    place_update(actor=cast.gridleader, place_id=place.pk, data={"region": cast.grid_a2.pk})
    place.refresh_from_db()
    assert place.name == "城东实验小学" and place.region_path == cast.grid_a2.path
    with pytest.raises(NotFound):  # no longer in her grid
        place_update(actor=cast.gridworker, place_id=place.pk, data={"name": "x"})
    with pytest.raises(Forbidden):
        place_update(actor=cast.leader, place_id=place.pk, data={"name": "x"})


def test_checks_of_a_place_by_those_out_of_scope_are_404(cast):
    place = new_place(cast)
    with pytest.raises(NotFound):
        place_check_add(actor=cast.gridworker_b, place_id=place.pk, data={"items": place_items()})
