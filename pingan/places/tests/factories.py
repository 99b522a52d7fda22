"""Places for tests (and for the demo and import helpers): houses, places, cameras and
checks over the shared cast's regions, built through the services."""

from __future__ import annotations

from typing import Any

from pingan.core import clock
from pingan.places import rules
from pingan.places.models import Camera, Place, PlaceCheck, RentalCheck, RentalHouse
from pingan.places.services import (
    camera_create,
    place_check_add,
    place_create,
    rental_check_add,
    rental_create,
)
from pingan.registry.models import Person

# Valid ID numbers (check digit correct), plainly fake.
ID_NUMBERS = ("11010519491231002X", "330424199001011235", "330424198505203317")


def person(cast: Any, name: str = "王房东", *, region: Any = None, **kw: Any) -> Person:
    """A person of the population register (written directly: the registry's own services
    are tested there)."""
    where = region or cast.grid_a1
    fields: dict[str, Any] = {
        "name": name,
        "id_number": ID_NUMBERS[0],
        "phone": "13812345678",
        "region": where,
        "region_path": where.path,
    }
    fields.update(kw)
    return Person.objects.create(**fields)


def new_rental(cast: Any, actor: Any = None, **kw: Any) -> RentalHouse:
    data: dict[str, Any] = {
        "address": "城东社区海滨路18号3幢",
        "region": cast.grid_a1.pk,
        "rooms": 4,
        "kind": "rooms",
        "managed": ["custody"],
    }
    data.update(kw)
    house, _ = rental_create(actor=actor or cast.gridworker, data=data)
    return house


def items(catalogue: dict[str, Any], *hazards: str) -> dict[str, str]:
    """Every item ok, the named ones hazards."""
    return {code: ("hazard" if code in hazards else "ok") for code in catalogue}


def rental_items(*hazards: str) -> dict[str, str]:
    return items(rules.RENTAL_ITEMS, *hazards)


def place_items(*hazards: str) -> dict[str, str]:
    return items(rules.PLACE_ITEMS, *hazards)


def check_rental(house: RentalHouse, actor: Any, *hazards: str, **kw: Any) -> RentalCheck:
    data: dict[str, Any] = {"items": rental_items(*hazards)}
    if hazards:
        data["hazard_note"] = "、".join(hazards)
    data.update(kw)
    check, _ = rental_check_add(actor=actor, rental_id=house.pk, data=data)
    return check


def new_place(cast: Any, actor: Any = None, **kw: Any) -> Place:
    data: dict[str, Any] = {
        "kind": "school",
        "name": "城东小学",
        "address": "城东社区学府路1号",
        "manager_name": "李校长",
        "manager_phone": "13900001111",
        "region": cast.grid_a1.pk,
    }
    data.update(kw)
    place, _ = place_create(actor=actor or cast.gridworker, data=data)
    return place


def check_place(place: Place, actor: Any, *hazards: str, **kw: Any) -> PlaceCheck:
    data: dict[str, Any] = {"items": place_items(*hazards)}
    if hazards:
        data["hazard_note"] = "、".join(hazards)
    data.update(kw)
    check, _ = place_check_add(actor=actor, place_id=place.pk, data=data)
    return check


def new_camera(
    cast: Any, code: str, lat: float, lng: float, actor: Any = None, **kw: Any
) -> Camera:
    data: dict[str, Any] = {
        "code": code,
        "name": f"点位{code}",
        "kind": "social",
        "lat": lat,
        "lng": lng,
    }
    data.update(kw)
    camera, _ = camera_create(actor=actor or cast.dispatcher, data=data)
    return camera


def now() -> Any:
    return clock.now()
