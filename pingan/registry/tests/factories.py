"""Register data for tests, the pages, the demo and the importer: valid ID numbers,
persons, households, key persons, points rules and levels. Everything is written through
the services (`registry.services`), as the system (`Actor.system("test")`) unless an
actor is given."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from pingan.access.actor import Actor
from pingan.core.pii import id_number_check_digit
from pingan.registry import services
from pingan.registry.choices import PersonKind
from pingan.registry.models import (
    Household,
    KeyPerson,
    KeyPersonCategory,
    Person,
    PointsLevel,
    PointsRule,
)

SYSTEM = Actor.system("test")
_serial = itertools.count(1)


def id_number(
    born: dt.date = dt.date(1990, 5, 17), *, male: bool = True, area: str = "330424", seq: int = 0
) -> str:
    """A valid 18-digit resident ID number (GB 11643 check digit): plainly fake data
    for a given birth date and sex; `seq` (0–499) makes different numbers."""
    n = seq or next(_serial)
    order = (n % 500) * 2 + (1 if male else 0)  # the 17th digit: odd for men
    first17 = f"{area}{born:%Y%m%d}{order:03d}"
    return first17 + id_number_check_digit(first17)


def phone(n: int | None = None) -> str:
    return f"139{(n if n is not None else next(_serial)) % 100_000_000:08d}"


def person(
    region: Any,
    *,
    actor: Any = SYSTEM,
    name: str = "王小明",
    kind: str = PersonKind.REGISTERED,
    with_id: bool = True,
    **extra: Any,
) -> Person:
    """A present person in grid `region` with a fresh valid ID number and phone."""
    data: dict[str, Any] = {"name": name, "kind": kind}
    if with_id:
        data["id_number"] = id_number()
        data["phone"] = phone()
    data.update(extra)
    return services.person_create(actor=actor, region=region, **data)


def household(region: Any, *, actor: Any = SYSTEM, number: str = "", **extra: Any) -> Household:
    return services.household_create(
        actor=actor, region=region, number=number or f"H{next(_serial):06d}", **extra
    )


def category(code: str = "corrections") -> KeyPersonCategory:
    """A seeded category (the data migration's): corrections, released, mental, drug,
    petition, youth."""
    return KeyPersonCategory.objects.get(code=code)


def key_person(
    p: Person, *, actor: Any = SYSTEM, code: str = "released", **extra: Any
) -> KeyPerson:
    return services.key_person_create(actor=actor, person_id=p.pk, category=code, **extra)


def points_rules() -> dict[str, PointsRule]:
    """A small county points scheme: education +20 (cap 20 a year), volunteering +5 (cap
    30), social insurance +10, a violation −10; levels 0 / 50 / 100."""
    rules = {
        "edu": PointsRule.objects.get_or_create(
            code="edu", defaults={"item": "学历提升", "points": 20, "max_per_year": 20}
        )[0],
        "volunteer": PointsRule.objects.get_or_create(
            code="volunteer", defaults={"item": "志愿服务", "points": 5, "max_per_year": 30}
        )[0],
        "insurance": PointsRule.objects.get_or_create(
            code="insurance", defaults={"item": "缴纳社保满一年", "points": 10}
        )[0],
        "violation": PointsRule.objects.get_or_create(
            code="violation", defaults={"item": "违法违规", "points": -10}
        )[0],
    }
    for name, threshold in (("一级", 0), ("二级", 50), ("三级", 100)):
        PointsLevel.objects.get_or_create(threshold=threshold, defaults={"name": name})
    return rules
