"""Writes on the places registers: rental houses and their tenancies, key places, cameras,
the checks of houses and places (with their photos), and the audited reveal of the
personal data on them. Every write is one transaction and one audit row; docs/places.md.

Records sent again with the same `client_uuid` (the phone's offline queue retrying)
return the first record and created=False."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from pingan.access.actor import Actor, as_actor
from pingan.cases.fields import text as _text
from pingan.core import clock
from pingan.core.errors import Conflict, Forbidden, invalid
from pingan.places import rules
from pingan.places.choices import (
    CameraKind,
    CameraStatus,
    CheckResult,
    ItemState,
    PlaceKind,
    PlaceStatus,
    RentalKind,
    RentalStatus,
)
from pingan.places.inputs import (
    apply_changes,
    choice,
    coords,
    date_of,
    idempotent,
    managed_of,
    person_of,
    phone_of,
    region_of,
    rooms_of,
    uuid_of,
)
from pingan.places.models import (
    Camera,
    Place,
    PlaceCheck,
    RentalCheck,
    RentalHouse,
    Tenancy,
)
from pingan.places.permissions import (
    CAMERA_ROLES,
    WRITE_ROLES,
    access_camera,
    access_place,
    access_rental,
    can_unmask,
    can_write,
    writing_role,
)
from pingan.registry.editable import Cleaner, field, values_of

# A check's time may be a little ahead of the server's clock (the phone's clock).
CLOCK_SKEW = dt.timedelta(minutes=5)
MAX_CHECK_AGE = dt.timedelta(days=30)

# ---- what the registers share ------------------------------------------------------------------


def _txt(name: str, label: str, *, required: bool = True, max_len: int) -> Cleaner:
    """A cleaner for a text field."""
    return lambda v: {name: _text({name: v}, name, label, required=required, max_len=max_len)}


def _pick(name: str, allowed: list[str], label: str) -> Cleaner:
    """A cleaner for a field with a list of values."""
    return field(name, lambda v: choice(v, name, allowed, label))


def _register(
    actor: Actor,
    model: type[Any],
    data: dict[str, Any],
    values: Callable[[], dict[str, Any]],
    *,
    audit_type: str,
    roles: frozenset[str] = WRITE_ROLES,
    detail: Callable[[Any, str], dict[str, Any]] | None = None,
    before: Callable[[dict[str, Any]], None] | None = None,
    point_required: bool = False,
    dated: bool = True,
) -> tuple[Any, bool]:
    """Register a record of `model` at the place in `data` (region, or the grid at
    lat/lng) with `values()` (validated after the actor's role), once per `client_uuid`:
    (record, created). `before(values)` runs in the transaction before the write; a
    `dated` record has its registration date."""
    key = uuid_of(data.get("client_uuid"))
    lat, lng = coords(data.get("lat"), data.get("lng"))
    if point_required and (lat is None or lng is None):
        raise invalid("lat", gettext("请提供点位坐标"))
    region = region_of(data.get("region"), lat, lng)
    role = writing_role(actor, region, roles)
    checked = values()

    def make() -> Any:
        if before is not None:
            before(checked)
        now = clock.now()
        if dated:
            checked["registered_on"] = timezone.localdate(now)
        obj = model.objects.create(
            region=region,
            lat=lat,
            lng=lng,
            created_by=actor.user,
            created_at=now,
            updated_at=now,
            client_uuid=key,
            **checked,
        )
        actor.audit(
            f"places.{audit_type}.create",
            object_type=audit_type,
            object_id=obj.pk,
            detail=detail(obj, role) if detail is not None else None,
        )
        return obj

    return idempotent(model, key, actor, "created_by_id", make)


# ---- rental houses ------------------------------------------------------------------------------


def _rental_cleaners(actor: Actor) -> dict[str, Cleaner]:
    """A rental house's editable fields (create: the address always, the others when
    given; update: those given)."""
    return {
        "address": _txt("address", gettext("地址"), max_len=200),
        "landlord": field("landlord", lambda v: person_of(v, "landlord", actor=actor)),
        "rooms": field("rooms", rooms_of),
        "kind": _pick("kind", RentalKind.values, gettext("出租类型")),
        "managed": field("managed", managed_of),
        "status": _pick("status", RentalStatus.values, gettext("状态")),
        "note": _txt("note", gettext("备注"), required=False, max_len=500),
    }


def _rental_values(data: dict[str, Any], *, partial: bool, actor: Actor) -> dict[str, Any]:
    return values_of(_rental_cleaners(actor), data, partial=partial, always=("address",))


def rental_create(*, actor: Actor | Any, data: dict[str, Any]) -> tuple[RentalHouse, bool]:
    """Register a rental house (`data`: address, region or lat/lng, landlord, rooms,
    kind, managed, status, note, client_uuid); returns (house, created). 403 for a role
    that may not, 422 naming the field."""
    actor = as_actor(actor)
    house: RentalHouse
    house, created = _register(
        actor,
        RentalHouse,
        data,
        lambda: _rental_values(data, partial=False, actor=actor),
        audit_type="rental",
        detail=lambda obj, role: {"region": obj.region_id, "role": role},
    )
    return house, created


def _moved(actor: Actor, obj: Any, data: dict[str, Any], roles: frozenset[str]) -> list[str]:
    """Apply a change of place (region, lat/lng) to `obj`; the new region must be the
    actor's too."""
    if not ({"region", "lat", "lng"} & set(data)):
        return []
    lat, lng = coords(data.get("lat", obj.lat), data.get("lng", obj.lng))
    changed = apply_changes(obj, {"lat": lat, "lng": lng})
    region = region_of(data["region"], None, None) if data.get("region") not in (None, "") else None
    if region is not None and region.pk != obj.region_id:
        writing_role(actor, region, roles)
        obj.region = region
        changed.append("region")
    return changed


def _update(
    actor: Actor | Any,
    access: Callable[..., Any],
    pk: int,
    data: dict[str, Any],
    values: Callable[[dict[str, Any]], dict[str, Any]],
    roles: frozenset[str],
    audit_type: str,
) -> Any:
    actor = as_actor(actor)
    with transaction.atomic():
        obj = access(actor, pk, for_update=True)
        if not can_write(actor, obj.region_path, roles):
            raise Forbidden(gettext("当前角色不能登记或修改此类信息"))
        changed = apply_changes(obj, values(data)) + _moved(actor, obj, data, roles)
        if changed:
            obj.updated_at = clock.now()
            obj.save()
            actor.audit(
                f"places.{audit_type}.update",
                object_type=audit_type,
                object_id=obj.pk,
                detail={"fields": sorted(changed)},  # names only: the values may be personal
            )
    return obj


def rental_update(*, actor: Actor | Any, rental_id: int, data: dict[str, Any]) -> RentalHouse:
    """Change the fields of a house given in `data` (PATCH); 404 out of scope, 403 for a
    role that may not change it, 422 naming the field. Rating and checks are not fields:
    they change with checks."""
    house: RentalHouse = _update(
        actor,
        access_rental,
        rental_id,
        data,
        lambda d: _rental_values(d, partial=True, actor=as_actor(actor)),
        WRITE_ROLES,
        "rental",
    )
    return house


def tenancy_add(
    *,
    actor: Actor | Any,
    rental_id: int,
    tenant: Any,
    start: Any = None,
    end: Any = None,
    room: str = "",
) -> Tenancy:
    """A tenant (a person of the population register) moving into the house (人来登记)."""
    actor = as_actor(actor)
    if tenant in (None, ""):
        raise invalid("tenant", gettext("请选择租客（实有人口）"))
    begins = date_of(start, "start", gettext("入住日期")) or timezone.localdate(clock.now())
    ends = date_of(end, "end", gettext("退租日期"))
    if ends is not None and ends < begins:
        raise invalid("end", gettext("退租日期不能早于入住日期"))
    room = _text({"room": room}, "room", gettext("房间"), required=False, max_len=20)
    with transaction.atomic():
        house = access_rental(actor, rental_id, for_update=True)
        if not can_write(actor, house.region_path):
            raise Forbidden(gettext("当前角色不能登记或修改此类信息"))
        # Among the persons the actor may see (after the house: out of scope reads 404).
        person = person_of(tenant, "tenant", actor=actor)
        assert person is not None
        if Tenancy.objects.filter(house=house, tenant=person, end__isnull=True).exists():
            raise Conflict(gettext("此人已登记在住"), fields={"tenant": gettext("已登记在住")})
        tenancy = Tenancy.objects.create(
            house=house,
            tenant=person,
            start=begins,
            end=ends,
            room=room,
            created_by=actor.user,
            created_at=clock.now(),
        )
        actor.audit(
            "places.tenancy.add",
            object_type="rental",
            object_id=house.pk,
            detail={"tenancy": tenancy.pk, "person": person.pk},
        )
    return tenancy


def tenancy_end(*, actor: Actor | Any, rental_id: int, tenancy_id: int, end: Any = None) -> Tenancy:
    """The tenant moved out (人走注销) on `end` (today by default)."""
    actor = as_actor(actor)
    ends = date_of(end, "end", gettext("退租日期")) or timezone.localdate(clock.now())
    with transaction.atomic():
        house = access_rental(actor, rental_id, for_update=True)
        if not can_write(actor, house.region_path):
            raise Forbidden(gettext("当前角色不能登记或修改此类信息"))
        tenancy = Tenancy.objects.filter(house=house, pk=tenancy_id).first()
        if tenancy is None:
            raise invalid("tenancy", gettext("该出租房没有这条租住登记"))
        if tenancy.end is not None:
            raise Conflict(gettext("该租客已退租"))
        if ends < tenancy.start:
            raise invalid("end", gettext("退租日期不能早于入住日期"))
        tenancy.end = ends
        tenancy.save(update_fields=["end"])
        actor.audit(
            "places.tenancy.end",
            object_type="rental",
            object_id=house.pk,
            detail={"tenancy": tenancy.pk},
        )
    return tenancy


# ---- checks -------------------------------------------------------------------------------------


def _items(raw: Any, catalogue: dict[str, Any]) -> dict[str, str]:
    """Every item of the check list answered ok / hazard / na; 422 naming `items.<code>`."""
    if not isinstance(raw, dict):
        raise invalid("items", gettext("请逐项填写检查项目"))
    unknown = sorted(set(raw) - set(catalogue))
    if unknown:
        raise invalid(f"items.{unknown[0]}", gettext("没有这个检查项目"))
    out: dict[str, str] = {}
    for code in catalogue:
        state = raw.get(code)
        if state not in ItemState.values:
            raise invalid(
                f"items.{code}",
                gettext("请填写检查结果：ok（合格）、hazard（存在隐患）或 na（不涉及）"),
            )
        out[code] = str(state)
    return out


def _check_values(data: dict[str, Any], catalogue: dict[str, Any]) -> dict[str, Any]:
    """The check's items, hazards, result, note, time and place, validated."""
    items = _items(data.get("items"), catalogue)
    hazards = sum(1 for v in items.values() if v == ItemState.HAZARD)
    result = data.get("result") or (CheckResult.PASS if hazards == 0 else CheckResult.RECTIFY)
    result = choice(result, "result", CheckResult.values, gettext("检查结果"))
    if result == CheckResult.PASS and hazards:
        raise invalid("result", gettext("存在隐患的检查不能判为合格"))
    if result != CheckResult.PASS and not hazards:
        raise invalid("items", gettext("判为整改或重大隐患时请标出存在隐患的项目"))
    hazard_note = _text(
        data, "hazard_note", gettext("隐患情况"), required=bool(hazards), max_len=2000
    )
    now = clock.now()
    at = data.get("at") or now
    if not isinstance(at, dt.datetime):
        try:
            at = dt.datetime.fromisoformat(str(at))
        except ValueError:
            raise invalid("at", gettext("检查时间格式不正确")) from None
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at > now + CLOCK_SKEW:
        raise invalid("at", gettext("检查时间不能晚于当前时间"))
    if at < now - MAX_CHECK_AGE:
        raise invalid("at", gettext("检查时间过早（超过30天）"))
    rectify_by = date_of(data.get("rectify_by"), "rectify_by", gettext("整改期限"))
    if rectify_by is not None and rectify_by < timezone.localdate(at):
        raise invalid("rectify_by", gettext("整改期限不能早于检查日期"))
    lat, lng = coords(data.get("lat"), data.get("lng"))
    return {
        "items": items,
        "hazards": hazards,
        "result": result,
        "hazard_note": hazard_note,
        "rectify_by": rectify_by if hazards else None,
        "note": _text(data, "note", gettext("说明"), required=False, max_len=2000),
        "at": at,
        "lat": lat,
        "lng": lng,
    }


def _refresh_after_check(obj: Any, checks: Any) -> list[Any]:
    """Copy the newest check's facts onto the house or place (a check sent late from a
    phone's queue may be older than the newest)."""
    last = list(checks.order_by("-at", "-id")[:2])
    newest = last[0]
    obj.last_check_on = timezone.localdate(newest.at)
    obj.last_check_result = newest.result
    obj.last_hazards = newest.hazards
    return last


def rental_check_add(
    *, actor: Actor | Any, rental_id: int, data: dict[str, Any]
) -> tuple[RentalCheck, bool]:
    """Record a fire-safety and public-security check of a house (`data`: items, result,
    hazard_note, rectify_by, note, at, lat, lng, client_uuid) and rate the house again
    (`rules.rating_of`). Grid workers, grid leaders and dispatchers of its region; 404 out
    of scope, 403 for others, 409 for a closed house, 422 naming the field."""
    actor = as_actor(actor)
    key = uuid_of(data.get("client_uuid"))
    values = _check_values(data, rules.RENTAL_ITEMS)

    def make() -> RentalCheck:
        house = access_rental(actor, rental_id, for_update=True)
        if not can_write(actor, house.region_path):
            raise Forbidden(gettext("当前角色不能检查出租房"))
        if house.status == RentalStatus.CLOSED:
            raise Conflict(gettext("出租房已停租注销，不再检查"))
        check = RentalCheck.objects.create(house=house, by=actor.user, client_uuid=key, **values)
        last = _refresh_after_check(house, house.checks)
        house.rating = rules.rating_of([rules.CheckFacts(c.result, c.hazards) for c in last])
        house.save(update_fields=["last_check_on", "last_check_result", "last_hazards", "rating"])
        check.rating = house.rating if last[0].pk == check.pk else ""
        check.save(update_fields=["rating"])
        actor.audit(
            "places.rental.check",
            object_type="rental",
            object_id=house.pk,
            detail={"check": check.pk, "result": check.result, "rating": house.rating},
        )
        return check

    return idempotent(RentalCheck, key, actor, "by_id", make)


def place_check_add(
    *, actor: Actor | Any, place_id: int, data: dict[str, Any]
) -> tuple[PlaceCheck, bool]:
    """Record a safety check of a place (as `rental_check_add`), and for a unit of a
    real-name sector whether its real-name records are kept (`records_kept`, required)."""
    actor = as_actor(actor)
    key = uuid_of(data.get("client_uuid"))
    values = _check_values(data, rules.PLACE_ITEMS)
    kept = data.get("records_kept")
    if kept is not None and not isinstance(kept, bool):
        raise invalid("records_kept", gettext("实名登记落实应为是或否"))

    def make() -> PlaceCheck:
        place = access_place(actor, place_id, for_update=True)
        if not can_write(actor, place.region_path):
            raise Forbidden(gettext("当前角色不能检查重点场所"))
        if place.status == PlaceStatus.CLOSED:
            raise Conflict(gettext("场所已注销，不再检查"))
        if place.sector and kept is None:
            raise invalid("records_kept", gettext("实名制行业单位请填写实名登记是否落实"))
        if not place.sector and kept is not None:
            raise invalid("records_kept", gettext("该单位不属于实名制行业"))
        check = PlaceCheck.objects.create(
            place=place, by=actor.user, client_uuid=key, records_kept=kept, **values
        )
        last = _refresh_after_check(place, place.checks)
        place.last_records_kept = last[0].records_kept
        place.save(
            update_fields=[
                "last_check_on",
                "last_check_result",
                "last_hazards",
                "last_records_kept",
            ]
        )
        actor.audit(
            "places.place.check",
            object_type="place",
            object_id=place.pk,
            detail={"check": check.pk, "result": check.result, "records_kept": kept},
        )
        return check

    return idempotent(PlaceCheck, key, actor, "by_id", make)


# ---- key places ---------------------------------------------------------------------------------


def _place_cleaners() -> dict[str, Cleaner]:
    """A key place's editable fields (create: kind and name always, the others when
    given; update: those given)."""

    def credit_code(value: Any) -> str:
        code = _text(
            {"credit_code": value},
            "credit_code",
            gettext("统一社会信用代码"),
            required=False,
            max_len=18,
        )
        if code and len(code) != 18:
            raise invalid("credit_code", gettext("统一社会信用代码应为18位"))
        return code.upper()

    def sector(value: Any) -> str:
        value = value or ""
        if value and value not in dict(rules.sectors()):
            raise invalid("sector", gettext("实名制行业不正确"))
        return str(value)

    return {
        "kind": _pick("kind", PlaceKind.values, gettext("场所类型")),
        "name": _txt("name", gettext("名称"), max_len=200),
        "credit_code": field("credit_code", credit_code),
        "address": _txt("address", gettext("地址"), required=False, max_len=200),
        "owner_is_person": field("owner_is_person", bool),
        "manager_name": _txt("manager_name", gettext("负责人"), required=False, max_len=50),
        "manager_phone": field("manager_phone", lambda v: phone_of(v, "manager_phone")),
        "sector": field("sector", sector),
        "status": _pick("status", PlaceStatus.values, gettext("状态")),
    }


def _place_values(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    return values_of(_place_cleaners(), data, partial=partial, always=("kind", "name"))


def place_create(*, actor: Actor | Any, data: dict[str, Any]) -> tuple[Place, bool]:
    """Register a key place or unit (`data`: kind, name, credit_code, address,
    owner_is_person, manager_name, manager_phone, sector, status, region or lat/lng,
    client_uuid); returns (place, created)."""

    def values() -> dict[str, Any]:
        out = _place_values(data, partial=False)
        if out.get("sector") and out["kind"] not in (PlaceKind.REALNAME, PlaceKind.HAZCHEM):
            # A unit of a real-name sector is kept as such unless it is a hazchem unit too.
            out["kind"] = PlaceKind.REALNAME
        return out

    place: Place
    place, created = _register(
        as_actor(actor),
        Place,
        data,
        values,
        audit_type="place",
        detail=lambda obj, role: {"region": obj.region_id, "kind": obj.kind, "role": role},
    )
    return place, created


def place_update(*, actor: Actor | Any, place_id: int, data: dict[str, Any]) -> Place:
    """Change the fields of a place given in `data` (PATCH)."""
    place: Place = _update(
        actor,
        access_place,
        place_id,
        data,
        lambda d: _place_values(d, partial=True),
        WRITE_ROLES,
        "place",
    )
    return place


# ---- cameras ------------------------------------------------------------------------------------


def _camera_cleaners() -> dict[str, Cleaner]:
    """A camera's editable fields (create: code, name and kind always, the others when
    given; update: those given)."""
    return {
        "code": _txt("code", gettext("点位编号"), max_len=64),
        "name": _txt("name", gettext("点位名称"), max_len=200),
        "kind": _pick("kind", CameraKind.values, gettext("点位类型")),
        "owner_unit": _txt("owner_unit", gettext("建设（管理）单位"), required=False, max_len=200),
        "link_name": _txt("link_name", gettext("视频平台通道名称"), required=False, max_len=200),
        "status": _pick("status", CameraStatus.values, gettext("状态")),
    }


def _camera_values(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    return values_of(_camera_cleaners(), data, partial=partial, always=("code", "name", "kind"))


def _unique_code(code: str, pk: int | None = None) -> None:
    others = Camera.objects.filter(code=code)
    if pk is not None:
        others = others.exclude(pk=pk)
    if others.exists():
        raise invalid("code", gettext("点位编号已存在"))


def camera_create(*, actor: Actor | Any, data: dict[str, Any]) -> tuple[Camera, bool]:
    """Register a camera (`data`: code, name, kind, owner_unit, link_name, status, lat,
    lng (required), region (default: the grid at lat/lng), client_uuid). Dispatchers of
    its region; 422 naming the field (a code already used too)."""
    camera: Camera
    camera, created = _register(
        as_actor(actor),
        Camera,
        data,
        lambda: _camera_values(data, partial=False),
        audit_type="camera",
        roles=CAMERA_ROLES,
        before=lambda values: _unique_code(values["code"]),
        point_required=True,
        dated=False,
    )
    return camera, created


def camera_update(*, actor: Actor | Any, camera_id: int, data: dict[str, Any]) -> Camera:
    """Change the fields of a camera given in `data` (PATCH); a camera keeps its point."""
    if ("lat" in data and data["lat"] is None) or ("lng" in data and data["lng"] is None):
        raise invalid("lat", gettext("请提供点位坐标"))

    def values(d: dict[str, Any]) -> dict[str, Any]:
        out = _camera_values(d, partial=True)
        if "code" in out:
            _unique_code(out["code"], camera_id)
        return out

    camera: Camera = _update(actor, access_camera, camera_id, data, values, CAMERA_ROLES, "camera")
    return camera


# ---- personal data ------------------------------------------------------------------------------


def _reveal(actor: Actor, obj: Any, object_type: str, fields: list[str]) -> None:
    if not can_unmask(actor, obj.region_path):
        actor.audit("pii.unmask", object_type=object_type, object_id=obj.pk, result="denied")
        raise Forbidden(gettext("当前角色不能查看完整的个人信息"))
    with transaction.atomic():
        actor.audit(
            "pii.unmask", object_type=object_type, object_id=obj.pk, detail={"fields": fields}
        )


def rental_reveal(*, actor: Actor | Any, rental_id: int) -> RentalHouse:
    """The house for showing its address, landlord and tenants in full, to the grid
    workers, grid leaders and dispatchers of its region; every reveal (and refusal) is
    audited as pii.unmask. 404 out of scope, 403 for a role that may not unmask."""
    actor = as_actor(actor)
    house: RentalHouse = access_rental(actor, rental_id)
    _reveal(actor, house, "rental", ["address", "landlord", "tenants"])
    return house


def place_reveal(*, actor: Actor | Any, place_id: int) -> Place:
    """The place for showing its person in charge (and a person owner's address) in full;
    as `rental_reveal`."""
    actor = as_actor(actor)
    place: Place = access_place(actor, place_id)
    _reveal(actor, place, "place", ["manager_name", "manager_phone", "address"])
    return place
