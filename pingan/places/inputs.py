"""Reading the places registers' input: one function per kind of field, each raising the
422 (`invalid(field, reason)`) a person can act on; and the `client_uuid` rule (a record
sent again returns the first)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.translation import gettext

from pingan.access.actor import Actor
from pingan.cases.fields import text as _text
from pingan.core import pii
from pingan.core.errors import Conflict, invalid
from pingan.geo import locator
from pingan.geo.models import Region
from pingan.places.choices import ManagedModel
from pingan.registry.models import Person
from pingan.registry.permissions import person_scope_q

MAX_ROOMS = 10_000


def uuid_of(value: uuid.UUID | str | None) -> uuid.UUID | None:
    if not value:
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise invalid("client_uuid", gettext("不是有效的UUID")) from None


def choice(value: Any, field: str, allowed: list[str], label: str) -> str:
    if value not in allowed:
        raise invalid(field, gettext("%(label)s不正确") % {"label": label})
    return str(value)


def coords(lat: Any, lng: Any) -> tuple[float | None, float | None]:
    """Both or neither; 422 naming `lat` or `lng` otherwise or out of range."""
    if lat in (None, "") and lng in (None, ""):
        return None, None
    try:
        la = float(lat)
    except (TypeError, ValueError):
        raise invalid("lat", gettext("纬度应为数字")) from None
    try:
        ln = float(lng)
    except (TypeError, ValueError):
        raise invalid("lng", gettext("经度应为数字")) from None
    if not -90 <= la <= 90:
        raise invalid("lat", gettext("纬度应在-90到90之间"))
    if not -180 <= ln <= 180:
        raise invalid("lng", gettext("经度应在-180到180之间"))
    return la, ln


def region_of(value: Any, lat: float | None, lng: float | None) -> Region:
    """The region given, or the grid at (lat, lng); 422 naming `region` otherwise."""
    if isinstance(value, Region):
        return value
    if value not in (None, ""):
        try:
            region = Region.objects.filter(pk=int(value)).first()
        except (TypeError, ValueError):
            region = None
        if region is None:
            raise invalid("region", gettext("区划不存在"))
        return region
    if lat is not None and lng is not None:
        grid_id = locator.grid_id_at(lat, lng)
        if grid_id is not None:
            return Region.objects.get(pk=grid_id)
        raise invalid("region", gettext("该位置不在任何网格内，请选择所在网格"))
    raise invalid("region", gettext("请选择所在网格或提供坐标"))


def person_of(value: Any, field: str, *, actor: Actor) -> Person | None:
    """A person of the population register by id (None for none), among those the actor
    may see: a landlord or a tenant out of the actor's scope reads as unknown, so a link
    never opens another grid's person to the house's readers."""
    if value in (None, ""):
        return None
    if isinstance(value, Person):
        return value
    try:
        person = Person.objects.filter(person_scope_q(actor), pk=int(value)).first()
    except (TypeError, ValueError):
        person = None
    if person is None:
        raise invalid(field, gettext("实有人口中没有此人"))
    return person


def rooms_of(value: Any) -> int:
    if isinstance(value, bool):
        raise invalid("rooms", gettext("出租间数应为整数"))
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise invalid("rooms", gettext("出租间数应为整数")) from None
    if not 1 <= n <= MAX_ROOMS:
        raise invalid("rooms", gettext("出租间数应在1到%(n)s之间") % {"n": MAX_ROOMS})
    return n


def managed_of(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if not isinstance(value, list) or not all(v in ManagedModel.values for v in value):
        raise invalid(
            "managed",
            gettext("管理模式应为以下之一：%(v)s") % {"v": "、".join(ManagedModel.values)},
        )
    return sorted(set(value), key=ManagedModel.values.index)


def date_of(value: Any, field: str, label: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise invalid(
            field, gettext("%(label)s应为日期，如 2026-01-31") % {"label": label}
        ) from None


def phone_of(value: Any, field: str) -> str:
    raw = _text({field: value}, field, gettext("电话"), required=False, max_len=20)
    return pii.validate_phone(raw, field=field) if raw else ""


def apply_changes(obj: Model, fields: dict[str, Any]) -> list[str]:
    names = []
    for name, value in fields.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            names.append(name)
    return names


def idempotent(
    model: type[Model], key: uuid.UUID | None, actor: Actor, owner: str, make: Callable[[], Any]
) -> tuple[Any, bool]:
    """`make()` in a transaction unless `key` was used: then that record (the same
    user's; 409 for another's)."""

    def existing() -> Any:
        if key is None:
            return None
        row = model._default_manager.filter(client_uuid=key).first()
        if row is not None and getattr(row, owner) not in (None, actor.pk):
            raise Conflict(
                gettext("client_uuid 已被使用"), fields={"client_uuid": gettext("已被使用")}
            )
        return row

    found = existing()
    if found is not None:
        return found, False
    try:
        with transaction.atomic():
            return make(), True
    except IntegrityError:
        again = existing()
        if again is not None:
            return again, False
        raise
