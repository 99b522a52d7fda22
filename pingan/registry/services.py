"""Writes on the people registers. Every service takes `actor: Actor` (a user is accepted,
`as_actor`), checks scope and role, validates (422 naming the field), writes in one
transaction and records the change with its history (`RecordChange`, values masked) and
an audit row. `source` says where the change came from (page, api, import, visit,
system). The system acting on its own (`Actor.system("import")`) may write anywhere.

Persons: `person_create`, `person_register` (match by ID number or create: the importer
and the other registers), `person_update`, the moves `person_move_in`, `person_move_out`,
`person_transfer`, `person_set_status`, and `person_reveal` (audited unmask).
Households: `household_create`, `household_update`. Residence permits: `permit_apply`,
`permit_act` (issue, renew, reject, revoke), `permits_expire`. Points: `points_add`,
`points_reverse`, `points_level`. Key persons: `key_person_create`, `key_person_update`,
`key_person_close`. Visits: `visit_record`, `visit_tasks_generate`.
docs/registry.md describes the rules.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError
from django.db.models import Count, F, Sum
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext

from pingan.access.actor import Actor, as_actor
from pingan.core import clock, pii
from pingan.core.errors import Conflict, Forbidden, NotFound, invalid
from pingan.geo.choices import Level
from pingan.geo.models import Region
from pingan.geo.selectors import region_ancestor_at
from pingan.privacy.choices import Sensitivity
from pingan.registry import permissions as perms
from pingan.registry import rollup
from pingan.registry.choices import (
    ChangeSource,
    HouseholdKind,
    KeyPersonStatus,
    MoveKind,
    PermitStatus,
    PersonKind,
    PersonStatus,
    RiskLevel,
    Sex,
    VisitOutcome,
)
from pingan.registry.editable import Cleaner, field, reject_unknown, values_of
from pingan.registry.masking import masked
from pingan.registry.models import (
    Household,
    KeyPerson,
    KeyPersonCategory,
    KeyPersonVisit,
    Person,
    PersonMove,
    PointsEntry,
    PointsLevel,
    PointsRule,
    RecordChange,
    ResidencePermit,
    VisitTask,
)

NAME_MAX = 50
ADDRESS_MAX = 255
NOTE_MAX = 2000
# How far ahead of the server's clock a phone's visit time may be (clock drift).
FUTURE_SLACK = dt.timedelta(minutes=10)


# ---- small readers ----------------------------------------------------------------------


def today() -> dt.date:
    """The local date now (never `clock.now().date()`: UTC)."""
    return timezone.localdate(clock.now())


def _text(value: Any, field: str, label: str, *, required: bool = False, max_len: int) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise invalid(field, gettext("%(label)s应为文字") % {"label": label})
    value = value.strip()
    if required and not value:
        raise invalid(field, gettext("请填写%(label)s") % {"label": label})
    if len(value) > max_len:
        raise invalid(field, gettext("%(label)s不能超过%(n)s字") % {"label": label, "n": max_len})
    return value


def _date(value: Any, field: str, *, required: bool = False) -> dt.date | None:
    if value in (None, ""):
        if required:
            raise invalid(field, gettext("请填写日期"))
        return None
    if isinstance(value, dt.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    parsed = parse_date(str(value)) if isinstance(value, str) else None
    if parsed is None:
        raise invalid(field, gettext("日期格式应为 YYYY-MM-DD"))
    return parsed


def _choice(value: Any, field: str, choices: Iterable[str]) -> str:
    allowed = list(choices)
    if value not in allowed:
        raise invalid(
            field, gettext("取值应为：%(values)s") % {"values": "、".join(v for v in allowed if v)}
        )
    return str(value)


def _source(value: str) -> str:
    return _choice(value, "source", ChangeSource.values)


def _uuid(value: Any) -> uuid.UUID | None:
    if not value:
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise invalid("client_uuid", gettext("不是有效的UUID")) from None


def _grid(value: Any, field: str = "region") -> Region:
    """The grid (the lowest level of the region tree) a record lives in."""
    if isinstance(value, Region):
        region: Region | None = value
    else:
        if value in (None, ""):
            raise invalid(field, gettext("请选择所在网格"))
        try:
            region = Region.objects.filter(pk=int(value)).first()
        except (TypeError, ValueError):
            region = None
    if region is None:
        raise invalid(field, gettext("区划不存在"))
    if region.level != Level.GRID:
        raise invalid(field, gettext("请选择网格（最低一级区划）"))
    return region


def _county(region: Region) -> Region | None:
    return region_ancestor_at(region, Level.COUNTY)


def _sensitivity(actor: Actor, value: Any, field: str = "sensitivity") -> str:
    label = _choice(value or "", field, Sensitivity.values)
    if label and not perms.is_system(actor) and label not in actor.clearances:
        raise invalid(field, gettext("不能设置本人未获授权的敏感标签"))
    return label


def derive_from_id(id_number: str) -> tuple[str, dt.date]:
    """Sex and birth date from a validated 18-digit ID number (GB 11643: digits 7–14 the
    birth date, digit 17 odd for men)."""
    born = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    sex = Sex.MALE if int(id_number[16]) % 2 == 1 else Sex.FEMALE
    return sex, born


def _id_number(value: Any, field: str = "id_number") -> str:
    raw = _text(value, field, gettext("身份证号"), max_len=24)
    if not raw:
        return ""
    number = pii.validate_id_number(raw, field=field)
    if derive_from_id(number)[1] > today():
        raise invalid(field, gettext("身份证号中的出生日期无效"))
    return number


def _phone(value: Any, field: str = "phone") -> str:
    raw = _text(value, field, gettext("联系电话"), max_len=24)
    return pii.validate_phone(raw, field=field) if raw else ""


# ---- history ---------------------------------------------------------------------------------


def _apply(obj: Any, values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Set `values` on `obj`; the changed fields with their old and new values masked."""
    changes: dict[str, dict[str, Any]] = {}
    for name, new in values.items():
        old = getattr(obj, name)
        if old == new:
            continue
        changes[name] = {"old": masked(name, old), "new": masked(name, new)}
        setattr(obj, name, new)
    return changes


def _record(
    actor: Actor,
    *,
    model: str,
    obj: Any,
    person: Person | None,
    action: str,
    fields: dict[str, dict[str, Any]],
    source: str,
    at: dt.datetime | None = None,
) -> RecordChange:
    """The history row and the audit row of one change (field names only in the audit);
    the grid(s) concerned are recounted at the end of the transaction (`rollup`)."""
    at = at or clock.now()
    rollup.mark(getattr(person, "region_path", None), getattr(obj, "region_path", None))
    change = RecordChange.objects.create(
        model=model,
        object_id=obj.pk,
        person=person,
        action=action,
        fields=fields,
        actor=actor.user,
        actor_name="" if actor.user is not None else f"system:{actor.name}",
        source=source,
        at=at,
    )
    actor.audit(
        f"registry.{model}.{action}",
        object_type=f"registry.{model}",
        object_id=obj.pk,
        detail={"fields": sorted(fields), "source": source},
    )
    return change


def _touch(obj: Any, actor: Actor) -> None:
    obj.updated_by = actor.user
    obj.updated_at = clock.now()


# ---- persons -------------------------------------------------------------------------------------


def _household_for(actor: Actor, value: Any, county: Region | None) -> Household | None:
    if value in (None, ""):
        return None
    if isinstance(value, Household):
        household = value
    else:
        try:
            household = perms.access_household(actor, value)
        except NotFound:
            raise invalid("household", gettext("户不存在")) from None
    if county is not None and household.county_id not in (None, county.pk):
        raise invalid("household", gettext("户不在本县"))
    return household


def _id_values(value: Any) -> dict[str, Any]:
    number = _id_number(value)
    sex, born = derive_from_id(number) if number else ("", None)
    return {
        "id_number": number,
        "id_index": pii.blind_index(number, kind="id_number"),
        "sex": sex,
        "birth_date": born,
    }


def _phone_values(value: Any) -> dict[str, Any]:
    phone = _phone(value)
    return {"phone": phone, "phone_index": pii.blind_index(phone, kind="phone")}


def _person_cleaners(actor: Actor, county: Region | None) -> dict[str, Cleaner]:
    """A person's editable fields (create and update)."""
    return {
        "name": field(
            "name", lambda v: _text(v, "name", gettext("姓名"), required=True, max_len=NAME_MAX)
        ),
        "id_number": _id_values,
        "phone": _phone_values,
        "kind": field(
            "kind", lambda v: _choice(v or PersonKind.REGISTERED, "kind", PersonKind.values)
        ),
        "household": field("household", lambda v: _household_for(actor, v, county)),
        "relation": field(
            "relation", lambda v: _text(v, "relation", gettext("与户主关系"), max_len=20)
        ),
        "address": field(
            "address", lambda v: _text(v, "address", gettext("居住地址"), max_len=ADDRESS_MAX)
        ),
        "sensitivity": field("sensitivity", lambda v: _sensitivity(actor, v)),
    }


def _person_values(
    actor: Actor, data: dict[str, Any], *, county: Region | None, partial: bool
) -> dict[str, Any]:
    """The person's fields from `data`, validated; only the given ones when `partial`."""
    cleaners = _person_cleaners(actor, county)
    reject_unknown(data, cleaners)
    return values_of(cleaners, data, partial=partial)


def find_by_id_number(id_number: str, *, county: Region | None) -> Person | None:
    """The person registered with this ID number in the county (blind index), if any."""
    index = pii.blind_index(id_number, kind="id_number")
    if not index:
        return None
    return Person.objects.filter(county=county, id_index=index).first()


def person_create(
    *,
    actor: Actor | Any,
    region: Any,
    source: str = ChangeSource.PAGE,
    moved_in_at: Any = None,
    **data: Any,
) -> Person:
    """Register a person in a grid. 409 when the ID number is already registered in the
    county (one person per ID number per county: use `person_register` to match)."""
    person, _created = _person_create(
        actor=actor, region=region, source=source, moved_in_at=moved_in_at, data=data, match=False
    )
    return person


def person_register(
    *,
    actor: Actor | Any,
    region: Any,
    source: str = ChangeSource.IMPORT,
    moved_in_at: Any = None,
    **data: Any,
) -> tuple[Person, bool]:
    """The person with this ID number in the county, updated with the values given (the
    empty ones left as they are), or a new person: `(person, created)`. How the importer
    and the other registers (landlords, tenants) find a person without duplicating them."""
    return _person_create(
        actor=actor, region=region, source=source, moved_in_at=moved_in_at, data=data, match=True
    )


def _person_create(
    *, actor: Any, region: Any, source: str, moved_in_at: Any, data: dict[str, Any], match: bool
) -> tuple[Person, bool]:
    actor = as_actor(actor)
    source = _source(source)
    grid = _grid(region)
    perms.require_edit(actor, grid.path, message=gettext("当前角色不能在该网格登记人员"))
    county = _county(grid)
    values = _person_values(actor, data, county=county, partial=False)
    moved_in = _date(moved_in_at, "moved_in_at")
    if moved_in is not None and moved_in > today():
        raise invalid("moved_in_at", gettext("迁入日期不能晚于今天"))
    with rollup.tracking():
        existing = (
            find_by_id_number(values["id_number"], county=county) if values["id_number"] else None
        )
        if existing is not None:
            if not match:
                raise Conflict(
                    gettext("该身份证号已在本县登记，请查找已有人员"),
                    fields={"id_number": gettext("该身份证号已登记")},
                )
            given = {k: v for k, v in data.items() if v not in (None, "")}
            person = person_update(actor=actor, person_id=existing.pk, source=source, **given)
            return person, False
        now = clock.now()
        person = Person(
            region=grid,
            region_path=grid.path,
            county=county,
            status=PersonStatus.PRESENT,
            moved_in_at=moved_in,
            created_by=actor.user,
            created_at=now,
            updated_by=actor.user,
            updated_at=now,
            **values,
        )
        try:
            with rollup.tracking():
                person.save()
        except IntegrityError:
            raise Conflict(
                gettext("该身份证号已在本县登记，请查找已有人员"),
                fields={"id_number": gettext("该身份证号已登记")},
            ) from None
        if person.household is not None and person.household.head_id is None:
            Household.objects.filter(pk=person.household.pk).update(head=person)
        fields = {
            k: {"old": "", "new": masked(k, v)}
            for k, v in values.items()
            if k not in ("id_index", "phone_index") and v not in ("", None)
        }
        fields["region"] = {"old": "", "new": grid.pk}
        _record(
            actor,
            model="person",
            obj=person,
            person=person,
            action="create",
            fields=fields,
            source=source,
        )
        if moved_in is not None:
            PersonMove.objects.create(
                person=person,
                kind=MoveKind.MOVE_IN,
                on=moved_in,
                to_region=grid,
                to_household=person.household,
                by=actor.user,
                at=now,
            )
    return person, True


def person_update(
    *, actor: Actor | Any, person_id: Any, source: str = ChangeSource.PAGE, **data: Any
) -> Person:
    """Change the given fields of a person (PATCH). Region and status change through the
    moves. 404 out of scope, 403 for a role that may not edit, 409 an ID number already
    registered to another person, 422 naming the field."""
    actor = as_actor(actor)
    source = _source(source)
    with rollup.tracking():
        person = perms.access_person(actor, person_id, lock=True)
        perms.require_edit(actor, person.region_path)
        if person.anonymised_at is not None:
            raise Conflict(gettext("该人员信息已匿名化，不能修改"))
        values = _person_values(actor, data, county=person.county, partial=True)
        if values.get("id_index") and values["id_index"] != person.id_index:
            other = Person.objects.filter(county=person.county, id_index=values["id_index"])
            if other.exclude(pk=person.pk).exists():
                raise Conflict(
                    gettext("该身份证号已登记为另一人员"),
                    fields={"id_number": gettext("该身份证号已登记")},
                )
        indexes = {k: values.pop(k) for k in ("id_index", "phone_index") if k in values}
        changes = _apply(person, values)
        for k, v in indexes.items():
            setattr(person, k, v)
        if not changes:
            return person
        _touch(person, actor)
        person.save()
        _record(
            actor,
            model="person",
            obj=person,
            person=person,
            action="update",
            fields=changes,
            source=source,
        )
    return person


def _person_for_move(actor: Actor, person_id: Any) -> Person:
    person = perms.access_person(actor, person_id, lock=True)
    perms.require_edit(actor, person.region_path)
    if person.anonymised_at is not None:
        raise Conflict(gettext("该人员信息已匿名化，不能修改"))
    return person


def _move_region_copies(person: Person) -> None:
    """Keep the copies of the person's region on their other rows in step."""
    KeyPerson.objects.filter(person=person).update(
        region=person.region, region_path=person.region_path
    )
    VisitTask.objects.filter(
        key_person__person=person, done_at__isnull=True, cancelled_at__isnull=True
    ).update(region_path=person.region_path)
    ResidencePermit.objects.filter(person=person).update(region_path=person.region_path)


def _relocate(
    actor: Actor,
    person: Person,
    *,
    grid: Region,
    household: Household | None,
    extra: dict[str, Any],
    kind: str,
    action: str,
    day: dt.date,
    note: str,
    source: str,
) -> None:
    """Put the person in `grid` and `household` (with `extra` values): their other rows
    follow, the move and the change are recorded. 422 when nothing would change."""
    old_region, old_household = person.region, person.household
    rollup.mark(old_region.path)
    changes = _apply(
        person, {"region": grid, "region_path": grid.path, **extra, "household": household}
    )
    changes.pop("region_path", None)
    if not changes:
        raise invalid("region", gettext("迁移前后网格与户相同"))
    _touch(person, actor)
    person.save()
    _move_region_copies(person)
    PersonMove.objects.create(
        person=person,
        kind=kind,
        on=day,
        from_region=old_region,
        to_region=grid,
        from_household=old_household,
        to_household=household,
        note=note,
        by=actor.user,
    )
    _record(
        actor, model="person", obj=person, person=person, action=action, fields=changes,
        source=source,
    )  # fmt: skip


def person_move_in(
    *,
    actor: Actor | Any,
    person_id: Any,
    region: Any,
    on: Any,
    household: Any = None,
    note: str = "",
    source: str = ChangeSource.PAGE,
) -> Person:
    """A registered person who had left comes back (迁入): present again in `region`. A
    new arrival is `person_create(..., moved_in_at=...)`."""
    actor = as_actor(actor)
    source = _source(source)
    grid = _grid(region)
    day = _date(on, "on", required=True)
    assert day is not None
    note = _text(note, "note", gettext("说明"), max_len=200)
    with rollup.tracking():
        person = _person_for_move(actor, person_id)
        perms.require_edit(actor, grid.path)
        if person.status == PersonStatus.PRESENT:
            raise Conflict(gettext("该人员在住，请用辖区内迁移"))
        if person.status == PersonStatus.DECEASED:
            raise Conflict(gettext("该人员已死亡"))
        if grid.path != person.region_path and _county(grid) != person.county:
            raise invalid("region", gettext("只能迁入本县网格"))
        _relocate(
            actor,
            person,
            grid=grid,
            household=_household_for(actor, household, person.county),
            extra={"status": PersonStatus.PRESENT, "moved_in_at": day, "moved_out_at": None},
            kind=MoveKind.MOVE_IN,
            action="move_in",
            day=day,
            note=note,
            source=source,
        )
    return person


def person_move_out(
    *, actor: Actor | Any, person_id: Any, on: Any, note: str = "", source: str = ChangeSource.PAGE
) -> Person:
    """The person left the county (迁出): status moved out from `on`; their open visit
    tasks are cancelled and an issued residence permit revoked. The retention period
    runs from `on` (docs/registry.md, "Retention")."""
    actor = as_actor(actor)
    source = _source(source)
    day = _date(on, "on", required=True)
    assert day is not None
    if day > today():
        raise invalid("on", gettext("迁出日期不能晚于今天"))
    note = _text(note, "note", gettext("说明"), max_len=200)
    with rollup.tracking():
        person = _person_for_move(actor, person_id)
        if person.status != PersonStatus.PRESENT:
            raise Conflict(gettext("该人员不在住，不能迁出"))
        changes = _apply(person, {"status": PersonStatus.MOVED_OUT, "moved_out_at": day})
        _touch(person, actor)
        person.save()
        _person_gone(person, day)
        PersonMove.objects.create(
            person=person,
            kind=MoveKind.MOVE_OUT,
            on=day,
            from_region=person.region,
            from_household=person.household,
            note=note,
            by=actor.user,
        )
        _record(
            actor,
            model="person",
            obj=person,
            person=person,
            action="move_out",
            fields=changes,
            source=source,
        )
    return person


def _person_gone(person: Person, day: dt.date) -> None:
    now = clock.now()
    VisitTask.objects.filter(
        key_person__person=person, done_at__isnull=True, cancelled_at__isnull=True
    ).update(cancelled_at=now)
    ResidencePermit.objects.filter(person=person, status=PermitStatus.ISSUED).update(
        status=PermitStatus.REVOKED, closed_on=day, updated_at=now
    )
    ResidencePermit.objects.filter(person=person, status=PermitStatus.APPLIED).update(
        status=PermitStatus.REJECTED, closed_on=day, updated_at=now
    )


def person_transfer(
    *,
    actor: Actor | Any,
    person_id: Any,
    region: Any,
    on: Any,
    household: Any = None,
    note: str = "",
    source: str = ChangeSource.PAGE,
) -> Person:
    """A move within the county (辖区内迁移): another grid and/or household. The actor
    needs an editing role over both the old and the new grid."""
    actor = as_actor(actor)
    source = _source(source)
    grid = _grid(region)
    day = _date(on, "on", required=True)
    assert day is not None
    note = _text(note, "note", gettext("说明"), max_len=200)
    with rollup.tracking():
        person = _person_for_move(actor, person_id)
        perms.require_edit(actor, grid.path, message=gettext("当前角色不能迁入该网格"))
        if person.status != PersonStatus.PRESENT:
            raise Conflict(gettext("该人员不在住，不能迁移"))
        if _county(grid) != person.county:
            raise invalid("region", gettext("只能迁往本县网格；迁往县外请办理迁出"))
        _relocate(
            actor,
            person,
            grid=grid,
            household=_household_for(actor, household, person.county),
            extra={},
            kind=MoveKind.TRANSFER,
            action="transfer",
            day=day,
            note=note,
            source=source,
        )
    return person


def person_set_status(
    *,
    actor: Actor | Any,
    person_id: Any,
    status: str,
    on: Any = None,
    note: str = "",
    source: str = ChangeSource.PAGE,
) -> Person:
    """Mark a person deceased (死亡, from `on`: the retention period runs from it), missing
    (失联) or present again (在住, from missing). Moving out is `person_move_out`."""
    actor = as_actor(actor)
    source = _source(source)
    status = _choice(
        status, "status", [PersonStatus.DECEASED, PersonStatus.MISSING, PersonStatus.PRESENT]
    )
    day = _date(on, "on") or today()
    if day > today():
        raise invalid("on", gettext("日期不能晚于今天"))
    with rollup.tracking():
        person = _person_for_move(actor, person_id)
        allowed = {
            PersonStatus.DECEASED: (PersonStatus.PRESENT, PersonStatus.MISSING),
            PersonStatus.MISSING: (PersonStatus.PRESENT,),
            PersonStatus.PRESENT: (PersonStatus.MISSING,),
        }[PersonStatus(status)]
        if person.status not in allowed:
            raise Conflict(gettext("当前状态不能改为该状态"))
        values: dict[str, Any] = {"status": status}
        if status == PersonStatus.DECEASED:
            values["moved_out_at"] = day
        changes = _apply(person, values)
        _touch(person, actor)
        person.save()
        if status == PersonStatus.DECEASED:
            _person_gone(person, day)
            KeyPerson.objects.filter(person=person, status=KeyPersonStatus.ACTIVE).update(
                status=KeyPersonStatus.CLOSED, until=day, updated_at=clock.now()
            )
        _record(
            actor,
            model="person",
            obj=person,
            person=person,
            action="status",
            fields=changes,
            source=source,
        )
    return person


def person_reveal(*, actor: Actor | Any, person_id: Any, purpose: str = "") -> Person:
    """The person with their personal values, for those who may reveal them (grid
    workers, grid leaders, dispatchers over the person's grid); every reveal and every
    refusal is audited as `pii.unmask` naming the person. 404 out of scope, 403 otherwise."""
    actor = as_actor(actor)
    person = perms.access_person(actor, person_id)
    purpose = _text(purpose, "purpose", gettext("查看事由"), max_len=100)
    if not perms.can_reveal(actor, person.region_path):
        actor.audit(
            "pii.unmask", object_type="registry.person", object_id=person.pk, result="denied"
        )
        raise Forbidden(gettext("当前角色不能查看完整的个人信息"))
    actor.audit(
        "pii.unmask",
        object_type="registry.person",
        object_id=person.pk,
        detail={"fields": ["name", "id_number", "phone", "address"], "purpose": purpose},
    )
    return person


# ---- households ------------------------------------------------------------------------------


def _household_cleaners() -> dict[str, Cleaner]:
    """A household's editable fields (create and update; its grid and head change later)."""
    return {
        "number": field(
            "number", lambda v: _text(v, "number", gettext("户号"), required=True, max_len=40)
        ),
        "kind": field("kind", lambda v: _choice(v, "kind", HouseholdKind.values)),
        "address": field(
            "address", lambda v: _text(v, "address", gettext("住址"), max_len=ADDRESS_MAX)
        ),
    }


def _number_free(county: Region | None, number: str, pk: int | None = None) -> None:
    """409 when another household of the county has this number."""
    clash = Household.objects.filter(county=county, number=number)
    if pk is not None:
        clash = clash.exclude(pk=pk)
    if clash.exists():
        raise Conflict(gettext("户号已存在"), fields={"number": gettext("本县已有该户号")})


def household_create(
    *,
    actor: Actor | Any,
    number: str,
    region: Any,
    kind: str = HouseholdKind.FAMILY,
    address: str = "",
    source: str = ChangeSource.PAGE,
) -> Household:
    """A household in a grid; its number is unique in the county (409 otherwise)."""
    actor = as_actor(actor)
    source = _source(source)
    grid = _grid(region)
    perms.require_edit(actor, grid.path, message=gettext("当前角色不能在该网格登记户"))
    given = {"number": number, "kind": kind or HouseholdKind.FAMILY, "address": address}
    values = values_of(_household_cleaners(), given, partial=False)
    county = _county(grid)
    now = clock.now()
    with rollup.tracking():
        _number_free(county, values["number"])
        hh = Household.objects.create(
            region=grid,
            region_path=grid.path,
            county=county,
            created_by=actor.user,
            created_at=now,
            updated_by=actor.user,
            updated_at=now,
            **values,
        )
        fields: dict[str, dict[str, Any]] = {
            "number": {"old": "", "new": hh.number},
            "kind": {"old": "", "new": hh.kind},
            "region": {"old": "", "new": grid.pk},
        }
        if hh.address:
            fields["address"] = {"old": "", "new": masked("address", hh.address)}
        _record(
            actor, model="household", obj=hh, person=None, action="create", fields=fields,
            source=source,
        )  # fmt: skip
    return hh


def household_update(
    *, actor: Actor | Any, household_id: Any, source: str = ChangeSource.PAGE, **data: Any
) -> Household:
    """Change a household's number, kind, address, head (a person; put in the household
    if they are in none) or grid (its members stay where they are: move them one by one)."""
    actor = as_actor(actor)
    source = _source(source)
    reject_unknown(data, [*_household_cleaners(), "head", "region"])
    with rollup.tracking():
        hh = perms.access_household(actor, household_id, lock=True)
        perms.require_edit(actor, hh.region_path)

        def grid_of(value: Any) -> dict[str, Any]:
            grid = _grid(value)
            perms.require_edit(actor, grid.path)
            if _county(grid) != hh.county:
                raise invalid("region", gettext("只能改为本县网格"))
            return {"region": grid, "region_path": grid.path}

        def head_of(value: Any) -> Person | None:
            if value in (None, ""):
                return None
            try:
                head = perms.access_person(actor, value)
            except NotFound:
                raise invalid("head", gettext("人员不存在")) from None
            if head.household_id not in (None, hh.pk):
                raise invalid("head", gettext("户主须为本户成员"))
            return head

        cleaners = {**_household_cleaners(), "region": grid_of, "head": field("head", head_of)}
        values = values_of(cleaners, data, partial=True)
        if "number" in values:
            _number_free(hh.county, values["number"], hh.pk)
        changes = _apply(hh, values)
        changes.pop("region_path", None)
        if not changes:
            return hh
        _touch(hh, actor)
        hh.save()
        head = values.get("head")
        if head is not None and head.household_id is None:
            person_update(actor=actor, person_id=head.pk, source=source, household=hh)
        _record(
            actor, model="household", obj=hh, person=None, action="update", fields=changes,
            source=source,
        )  # fmt: skip
    return hh


# ---- residence permits -------------------------------------------------------------------------


def permit_apply(
    *,
    actor: Actor | Any,
    person_id: Any,
    applied_on: Any = None,
    note: str = "",
    source: str = ChangeSource.PAGE,
) -> ResidencePermit:
    """A new resident applies for a residence permit (居住证). 409 when the person is not
    a present new resident or already holds a pending or valid permit."""
    actor = as_actor(actor)
    source = _source(source)
    day = _date(applied_on, "applied_on") or today()
    if day > today():
        raise invalid("applied_on", gettext("申请日期不能晚于今天"))
    note = _text(note, "note", gettext("说明"), max_len=200)
    with rollup.tracking():
        person = perms.access_person(actor, person_id, lock=True)
        perms.require_edit(actor, person.region_path)
        if person.kind != PersonKind.NEW_RESIDENT or person.status != PersonStatus.PRESENT:
            raise Conflict(gettext("居住证仅适用于在住的新居民"))
        open_ = ResidencePermit.objects.filter(
            person=person, status__in=(PermitStatus.APPLIED, PermitStatus.ISSUED)
        )
        if open_.exists():
            raise Conflict(gettext("该人员已有办理中或有效的居住证"))
        permit = ResidencePermit.objects.create(
            person=person,
            applied_on=day,
            note=note,
            region_path=person.region_path,
            created_by=actor.user,
        )
        _record(
            actor,
            model="permit",
            obj=permit,
            person=person,
            action="apply",
            fields={"status": {"old": "", "new": PermitStatus.APPLIED}},
            source=source,
        )
    return permit


PERMIT_ACTIONS = {
    # action: (from statuses, to status)
    "issue": ((PermitStatus.APPLIED,), PermitStatus.ISSUED),
    "renew": ((PermitStatus.ISSUED, PermitStatus.EXPIRED), PermitStatus.ISSUED),
    "reject": ((PermitStatus.APPLIED,), PermitStatus.REJECTED),
    "revoke": ((PermitStatus.ISSUED, PermitStatus.EXPIRED), PermitStatus.REVOKED),
}


def permit_act(
    *,
    actor: Actor | Any,
    permit_id: Any,
    action: str,
    number: str = "",
    issued_on: Any = None,
    expires_on: Any = None,
    note: str = "",
    source: str = ChangeSource.PAGE,
) -> ResidencePermit:
    """Issue (number, issued on, expires on), renew (a later expiry), reject or revoke
    (with a note) a residence permit: dispatchers over the person's grid (403 others),
    409 from a status the action does not start from."""
    actor = as_actor(actor)
    source = _source(source)
    action = _choice(action, "action", PERMIT_ACTIONS)
    starts, to = PERMIT_ACTIONS[action]
    closing = action in ("reject", "revoke")
    note = _text(note, "note", gettext("说明"), required=closing, max_len=200)
    with rollup.tracking():
        permit = perms.access_permit(actor, permit_id)
        permit = ResidencePermit.objects.select_for_update().get(pk=permit.pk)
        only = gettext("只有受理员可以办理居住证")
        perms.require_edit(actor, permit.region_path, perms.CENTRE_ROLES, message=only)
        if permit.status not in starts:
            raise Conflict(gettext("居住证当前状态不能执行该操作"))
        values: dict[str, Any] = {"status": to}
        day = today()
        if action == "issue":
            values["number"] = _text(
                number, "number", gettext("居住证号"), required=True, max_len=40
            )
            issued = _date(issued_on, "issued_on") or day
            if issued < permit.applied_on:
                raise invalid("issued_on", gettext("发证日期不能早于申请日期"))
            expires = _date(expires_on, "expires_on", required=True)
            assert expires is not None
            if expires <= issued:
                raise invalid("expires_on", gettext("有效期须晚于发证日期"))
            values["issued_on"], values["expires_on"] = issued, expires
        elif action == "renew":
            expires = _date(expires_on, "expires_on", required=True)
            assert expires is not None
            if permit.expires_on and expires <= permit.expires_on:
                raise invalid("expires_on", gettext("续签后的有效期须晚于原有效期"))
            if expires <= day:
                raise invalid("expires_on", gettext("续签后的有效期须晚于今天"))
            values["expires_on"] = expires
        else:
            values["closed_on"] = day
        if note:
            values["note"] = note
        changes = _apply(permit, values)
        permit.updated_at = clock.now()
        permit.save()
        _record(
            actor, model="permit", obj=permit, person=permit.person, action=action,
            fields=changes, source=source,
        )  # fmt: skip
    return permit


def permits_expire(day: dt.date | None = None) -> int:
    """Issued permits past their expiry become expired (the daily task); how many."""
    day = day or today()
    return ResidencePermit.objects.filter(status=PermitStatus.ISSUED, expires_on__lt=day).update(
        status=PermitStatus.EXPIRED, updated_at=clock.now()
    )


# ---- points -----------------------------------------------------------------------------------


def points_level(total: int) -> PointsLevel | None:
    """The highest level whose threshold the total reaches, or None."""
    return PointsLevel.objects.filter(threshold__lte=total).order_by("-threshold").first()


def _rule(value: Any) -> PointsRule:
    if isinstance(value, PointsRule):
        return value
    rule = None
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        rule = PointsRule.objects.filter(pk=int(value)).first()
    if rule is None and isinstance(value, str) and value:
        rule = PointsRule.objects.filter(code=value).first()
    if rule is None or not rule.is_active:
        raise invalid("rule", gettext("积分规则不存在或已停用"))
    return rule


def points_add(
    *,
    actor: Actor | Any,
    person_id: Any,
    rule: Any,
    reason: str,
    evidence_note: str = "",
    on: Any = None,
    source: str = ChangeSource.PAGE,
) -> PointsEntry:
    """One entry of the rule's points on a new resident's ledger: dispatchers over the
    person's grid. The rule's yearly cap counts the entries of that rule in the year of
    `on` (422 naming `rule` when it would be passed)."""
    actor = as_actor(actor)
    source = _source(source)
    the_rule = _rule(rule)
    reason = _text(reason, "reason", gettext("事由"), required=True, max_len=200)
    evidence = _text(evidence_note, "evidence_note", gettext("佐证材料"), max_len=200)
    day = _date(on, "on") or today()
    if day > today():
        raise invalid("on", gettext("积分日期不能晚于今天"))
    with rollup.tracking():
        person = perms.access_person(actor, person_id, lock=True)
        perms.require_edit(
            actor, person.region_path, perms.CENTRE_ROLES, message=gettext("只有受理员可以登记积分")
        )
        if person.kind != PersonKind.NEW_RESIDENT:
            raise Conflict(gettext("积分仅适用于新居民"))
        if the_rule.max_per_year is not None:
            used = (
                PointsEntry.objects.filter(
                    person=person, rule=the_rule, on__year=day.year
                ).aggregate(s=Sum("points"))["s"]
                or 0
            )
            if abs(used + the_rule.points) > the_rule.max_per_year:
                raise invalid(
                    "rule",
                    gettext("该项目本年度已达上限（%(n)s分）") % {"n": the_rule.max_per_year},
                )
        entry = PointsEntry.objects.create(
            person=person,
            rule=the_rule,
            points=the_rule.points,
            reason=reason,
            evidence_note=evidence,
            on=day,
            by=actor.user,
        )
        _points_total(person, entry.points, actor, entry, "points_add", source)
    return entry


def _points_total(
    person: Person, delta: int, actor: Actor, entry: PointsEntry, action: str, source: str
) -> None:
    old = person.points_total
    Person.objects.filter(pk=person.pk).update(points_total=F("points_total") + delta)
    person.refresh_from_db(fields=["points_total"])
    _record(
        actor,
        model="person",
        obj=person,
        person=person,
        action=action,
        fields={
            "points_total": {"old": old, "new": person.points_total},
            "entry": {"old": "", "new": entry.pk},
        },
        source=source,
    )


def points_reverse(
    *, actor: Actor | Any, entry_id: Any, reason: str, source: str = ChangeSource.PAGE
) -> PointsEntry:
    """Correct an entry by one with the opposite points (entries are never changed).
    409 when the entry is itself a correction or was already reversed."""
    actor = as_actor(actor)
    source = _source(source)
    reason = _text(reason, "reason", gettext("事由"), required=True, max_len=200)
    with rollup.tracking():
        try:
            pk = int(entry_id)
        except (TypeError, ValueError):
            raise NotFound(gettext("积分记录不存在")) from None
        entry = PointsEntry.objects.filter(pk=pk).first()
        if entry is None:
            raise NotFound(gettext("积分记录不存在"))
        person = perms.access_person(actor, entry.person_id, lock=True)
        perms.require_edit(
            actor, person.region_path, perms.CENTRE_ROLES, message=gettext("只有受理员可以登记积分")
        )
        if entry.reverses_id is not None or entry.reversals.exists():
            raise Conflict(gettext("该积分记录已冲正或本身为冲正记录"))
        back = PointsEntry.objects.create(
            person=person,
            rule=entry.rule,
            points=-entry.points,
            reason=reason,
            reverses=entry,
            on=entry.on,
            by=actor.user,
        )
        _points_total(person, back.points, actor, back, "points_reverse", source)
    return back


# ---- key persons ---------------------------------------------------------------------------------


def _category(value: Any) -> KeyPersonCategory:
    if isinstance(value, KeyPersonCategory):
        return value
    cat = None
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        cat = KeyPersonCategory.objects.filter(pk=int(value)).first()
    if cat is None and isinstance(value, str) and value:
        cat = KeyPersonCategory.objects.filter(code=value).first()
    if cat is None or not cat.is_active:
        raise invalid("category", gettext("重点人员类别不存在或已停用"))
    return cat


def _helpers(value: Any) -> list[Any]:
    if value in (None, ""):
        return []
    if not isinstance(value, list | tuple):
        raise invalid("helpers", gettext("帮扶责任人应为用户编号列表"))
    User = get_user_model()
    ids: list[int] = []
    for v in value:
        pk = getattr(v, "pk", v)
        if isinstance(pk, bool) or not isinstance(pk, int | str) or not str(pk).isdigit():
            raise invalid("helpers", gettext("帮扶责任人应为用户编号列表"))
        ids.append(int(pk))
    users = list(User.objects.filter(pk__in=ids, is_active=True))
    if len(users) != len(set(ids)):
        raise invalid("helpers", gettext("帮扶责任人不存在或已停用"))
    return users


def _key_person_cleaners(actor: Actor) -> dict[str, Cleaner]:
    """A key person's editable fields (create and update; helpers are a relation)."""
    return {
        "risk_level": field("risk_level", lambda v: _choice(v, "risk_level", RiskLevel.values)),
        "note": field("note", lambda v: _text(v, "note", gettext("情况说明"), max_len=NOTE_MAX)),
        "sensitivity": field("sensitivity", lambda v: _sensitivity(actor, v)),
    }


def key_person_create(
    *,
    actor: Actor | Any,
    person_id: Any,
    category: Any,
    since: Any = None,
    helpers: Any = None,
    risk_level: str = RiskLevel.LOW,
    note: str = "",
    sensitivity: str | None = None,
    source: str = ChangeSource.PAGE,
) -> KeyPerson:
    """Put a person under a key-person category: grid leaders and dispatchers over the
    person's grid, cleared for the label (the category's unless one is given). The first
    visit task is created at once. 409 when the person is already under the category."""
    actor = as_actor(actor)
    source = _source(source)
    cat = _category(category)
    day = _date(since, "since") or today()
    if day > today():
        raise invalid("since", gettext("列管日期不能晚于今天"))
    users = _helpers(helpers)
    if not perms.cleared(actor, cat.sensitivity) and not perms.is_system(actor):
        raise Forbidden(gettext("未获授权查看该类重点人员"))
    given = {
        "risk_level": risk_level or RiskLevel.LOW,
        "note": note,
        "sensitivity": cat.sensitivity if sensitivity is None else sensitivity,
    }
    values = values_of(_key_person_cleaners(actor), given, partial=False)
    with rollup.tracking():
        person = perms.access_person(actor, person_id, lock=True)
        perms.require_edit(
            actor, person.region_path, perms.KEY_PERSON_ROLES,
            message=gettext("当前角色不能列管重点人员"),
        )  # fmt: skip
        if person.status != PersonStatus.PRESENT:
            raise Conflict(gettext("该人员不在住，不能列管"))
        if KeyPerson.objects.filter(
            person=person, category=cat, status=KeyPersonStatus.ACTIVE
        ).exists():
            raise Conflict(gettext("该人员已在该类别中列管"))
        now = clock.now()
        kp = KeyPerson.objects.create(
            person=person,
            category=cat,
            since=day,
            region=person.region,
            region_path=person.region_path,
            created_by=actor.user,
            created_at=now,
            updated_by=actor.user,
            updated_at=now,
            **values,
        )
        kp.helpers.set(users)
        fields: dict[str, dict[str, Any]] = {
            "category": {"old": "", "new": cat.code},
            "since": {"old": "", "new": day.isoformat()},
            "risk_level": {"old": "", "new": kp.risk_level},
            "helpers": {"old": [], "new": sorted(u.pk for u in users)},
            "sensitivity": {"old": "", "new": kp.sensitivity},
        }
        if kp.note:
            fields["note"] = {"old": "", "new": masked("note", kp.note)}
        _record(
            actor, model="key_person", obj=kp, person=person, action="create", fields=fields,
            source=source,
        )  # fmt: skip
        ensure_task(kp, today())
    return kp


def key_person_update(
    *, actor: Actor | Any, key_person_id: Any, source: str = ChangeSource.PAGE, **data: Any
) -> KeyPerson:
    """Change a key person's helpers, risk level, note or sensitivity label (PATCH);
    `status: "closed"` with `until` ends the supervision (as `key_person_close`). One
    transaction: nothing is applied when a field is refused."""
    with rollup.tracking():
        return _key_person_update(
            actor=actor, key_person_id=key_person_id, source=source, data=data
        )


def _key_person_update(
    *, actor: Actor | Any, key_person_id: Any, source: str, data: dict[str, Any]
) -> KeyPerson:
    actor = as_actor(actor)
    source = _source(source)
    reject_unknown(data, [*_key_person_cleaners(actor), "helpers", "status", "until"])
    if data.get("status") not in (None, KeyPersonStatus.ACTIVE):
        _choice(data["status"], "status", KeyPersonStatus.values)
        kp = key_person_close(
            actor=actor,
            key_person_id=key_person_id,
            until=data.get("until"),
            note=data.get("note") or "",
            source=source,
        )
        rest = {k: v for k, v in data.items() if k not in ("status", "until", "note")}
        if not rest:
            return kp
        data = rest
    with rollup.tracking():
        kp = _key_person_for_edit(actor, key_person_id)
        changes = _apply(kp, values_of(_key_person_cleaners(actor), data, partial=True))
        if "helpers" in data:
            users = _helpers(data["helpers"])
            old = sorted(kp.helpers.values_list("pk", flat=True))
            new = sorted(u.pk for u in users)
            if old != new:
                kp.helpers.set(users)
                changes["helpers"] = {"old": old, "new": new}
                VisitTask.objects.filter(
                    key_person=kp, done_at__isnull=True, cancelled_at__isnull=True
                ).update(assignee=users[0] if users else None)
        if not changes:
            return kp
        _touch(kp, actor)
        kp.save()
        _record(
            actor, model="key_person", obj=kp, person=kp.person, action="update",
            fields=changes, source=source,
        )  # fmt: skip
    return kp


def _key_person_for_edit(actor: Actor, key_person_id: Any) -> KeyPerson:
    kp = perms.access_key_person(actor, key_person_id, lock=True)
    perms.require_edit(
        actor, kp.region_path, perms.KEY_PERSON_ROLES, message=gettext("当前角色不能修改重点人员")
    )
    if not perms.is_system(actor) and not perms.cleared(actor, kp.sensitivity):
        raise Forbidden(gettext("未获授权查看该类重点人员"))
    return kp


def key_person_close(
    *,
    actor: Actor | Any,
    key_person_id: Any,
    until: Any = None,
    note: str = "",
    source: str = ChangeSource.PAGE,
) -> KeyPerson:
    """End a supervision (解除列管) from `until` (today by default): open visit tasks are
    cancelled. 409 when already ended."""
    actor = as_actor(actor)
    source = _source(source)
    day = _date(until, "until") or today()
    note = _text(note, "note", gettext("情况说明"), max_len=NOTE_MAX)
    with rollup.tracking():
        kp = _key_person_for_edit(actor, key_person_id)
        if kp.status != KeyPersonStatus.ACTIVE:
            raise Conflict(gettext("该重点人员已解除列管"))
        if day < kp.since:
            raise invalid("until", gettext("解除日期不能早于列管日期"))
        values: dict[str, Any] = {"status": KeyPersonStatus.CLOSED, "until": day}
        if note:
            values["note"] = note
        changes = _apply(kp, values)
        _touch(kp, actor)
        kp.save()
        VisitTask.objects.filter(
            key_person=kp, done_at__isnull=True, cancelled_at__isnull=True
        ).update(cancelled_at=clock.now())
        _record(
            actor, model="key_person", obj=kp, person=kp.person, action="close",
            fields=changes, source=source,
        )  # fmt: skip
    return kp


# ---- visit tasks and visits --------------------------------------------------------------------


def _open_tasks(kp: KeyPerson) -> Any:
    return VisitTask.objects.filter(key_person=kp, done_at__isnull=True, cancelled_at__isnull=True)


def next_due(kp: KeyPerson, day: dt.date) -> dt.date:
    """When the next visit is due: the category's period after the last visit (or the
    start of the supervision), never before `day` (a task is not born overdue)."""
    last = kp.last_visit_at
    base = timezone.localdate(last) if last is not None else kp.since
    return max(base + dt.timedelta(days=kp.category.visit_every_days), day)


def ensure_task(kp: KeyPerson, day: dt.date) -> VisitTask | None:
    """The key person's open visit task, created when there is none (an active key person
    of a present person always has exactly one). Idempotent."""
    if kp.status != KeyPersonStatus.ACTIVE or kp.person.status != PersonStatus.PRESENT:
        return None
    task = _open_tasks(kp).order_by("due_on").first()
    if task is not None:
        return task
    due = next_due(kp, day)
    # A task already done on that day (a visit on the day the next one falls due again)
    # stays done: the new one is due the day after.
    done_days = set(
        VisitTask.objects.filter(key_person=kp, done_at__isnull=False, due_on__gte=due).values_list(
            "due_on", flat=True
        )
    )
    while due in done_days:
        due += dt.timedelta(days=1)
    opens = due - dt.timedelta(days=kp.category.visit_window_days)
    assignee = kp.helpers.order_by("pk").first()
    task, created = VisitTask.objects.get_or_create(
        key_person=kp,
        due_on=due,
        defaults={"opens_on": opens, "assignee": assignee, "region_path": kp.region_path},
    )
    if not created:
        # The same day was due before and was cancelled (a supervision ended and
        # resumed): open it again rather than a second row for one day.
        task.cancelled_at = None
        task.missed = False
        task.opens_on, task.assignee, task.region_path = opens, assignee, kp.region_path
        task.save()
    return task


def visit_tasks_generate(day: dt.date | None = None) -> dict[str, int]:
    """The daily task (`manage.py registry_visit_tasks`): open tasks past their due date
    are marked missed (once), every active key person of a present person gets its open
    task, and issued permits past their expiry expire. Running it twice changes nothing."""
    day = day or today()
    missed = VisitTask.objects.filter(
        done_at__isnull=True, cancelled_at__isnull=True, missed=False, due_on__lt=day
    ).update(missed=True)
    without = (
        KeyPerson.objects.filter(status=KeyPersonStatus.ACTIVE, person__status=PersonStatus.PRESENT)
        .exclude(pk__in=VisitTask.objects.filter(
            done_at__isnull=True, cancelled_at__isnull=True).values("key_person_id"))
        .select_related("category", "person")
        .order_by("pk")
    )  # fmt: skip
    created = 0
    for kp in without.iterator(chunk_size=500):
        with rollup.tracking():
            if ensure_task(kp, day) is not None:
                created += 1
    expired = permits_expire(day)
    # The date-dependent figures (expiring, overdue, missed) move with the day.
    rollup.rebuild(day=day)
    return {"created": created, "missed": missed, "permits_expired": expired}


def _visit_time(value: Any) -> dt.datetime:
    now = clock.now()
    if value in (None, ""):
        return now
    at = value
    if isinstance(value, str):
        at = parse_datetime(value)
    if not isinstance(at, dt.datetime):
        raise invalid("at", gettext("时间格式应为 ISO 8601，如 2026-12-07T09:30"))
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at > now + FUTURE_SLACK:
        raise invalid("at", gettext("走访时间不能晚于现在"))
    return at


def _coord(value: Any, field: str, low: float, high: float) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise invalid(field, gettext("坐标应为数字")) from None
    if not low <= number <= high:
        raise invalid(field, gettext("坐标超出范围"))
    return number


def visit_record(
    *,
    actor: Actor | Any,
    task: Any = None,
    key_person: Any = None,
    outcome: str,
    note: str = "",
    at: Any = None,
    lat: Any = None,
    lng: Any = None,
    client_uuid: Any = None,
    patrol_visit_id: int | None = None,
    source: str = ChangeSource.VISIT,
) -> tuple[KeyPersonVisit, bool]:
    """Record a visit to a key person (by its task or the key person) and complete the
    open visit task: `(visit, created)`; the same `client_uuid` again returns the first
    visit (the phone's retries). The next task is created from the visit's date.
    `patrol_visit_id` links the patrol visit it was made in. 404 out of scope, 403 a role
    that may not visit, 409 a key person no longer supervised, 422 naming the field."""
    actor = as_actor(actor)
    source = _source(source)
    outcome = _choice(outcome, "outcome", VisitOutcome.values)
    note = _text(note, "note", gettext("情况记录"), max_len=NOTE_MAX)
    when = _visit_time(at)
    la = _coord(lat, "lat", -90, 90)
    ln = _coord(lng, "lng", -180, 180)
    key = _uuid(client_uuid)
    if key is not None:
        seen = KeyPersonVisit.objects.filter(client_uuid=key).first()
        if seen is not None:
            if seen.by_id not in (None, actor.pk):
                raise Conflict(gettext("client_uuid 已被使用"))
            return seen, False
    if task is None and key_person is None:
        raise invalid("key_person", gettext("请指定走访任务或重点人员"))
    with rollup.tracking():
        the_task: VisitTask | None = None
        if task is not None:
            task_id = getattr(task, "pk", task)
            the_task = perms.access_task(actor, task_id)
            kp_id = the_task.key_person_id
            if key_person is not None and int(getattr(key_person, "pk", key_person)) != kp_id:
                raise invalid("task", gettext("走访任务不属于该重点人员"))
        else:
            kp_id = getattr(key_person, "pk", key_person)
        kp = perms.access_key_person(actor, kp_id, lock=True)
        if not perms.can_visit(actor, kp):
            raise Forbidden(gettext("当前角色不能走访该重点人员"))
        if kp.status != KeyPersonStatus.ACTIVE:
            raise Conflict(gettext("该重点人员已解除列管"))
        visit = KeyPersonVisit.objects.create(
            key_person=kp,
            by=actor.user,
            at=when,
            outcome=outcome,
            note=note,
            lat=la,
            lng=ln,
            client_uuid=key,
            patrol_visit_id=patrol_visit_id,
        )
        if the_task is None or the_task.done_at is not None or the_task.cancelled_at is not None:
            the_task = _open_tasks(kp).order_by("due_on").first()
        if the_task is not None:
            VisitTask.objects.filter(pk=the_task.pk).update(done_at=when, visit=visit)
        if kp.last_visit_at is None or when > kp.last_visit_at:
            kp.last_visit_at = when
            kp.save(update_fields=["last_visit_at"])
        _record(
            actor,
            model="key_person",
            obj=kp,
            person=kp.person,
            action="visit",
            fields={
                "outcome": {"old": "", "new": outcome},
                "visit": {"old": "", "new": visit.pk},
                "task": {"old": "", "new": the_task.pk if the_task else None},
            },
            source=source,
            at=when,
        )
        ensure_task(kp, today())
    return visit, True


def missed_count(kp_ids: Iterable[int]) -> dict[int, int]:
    """Missed visits per key person (tasks that passed their due date undone)."""
    rows = (
        VisitTask.objects.filter(key_person_id__in=list(kp_ids), missed=True)
        .values("key_person_id")
        .annotate(n=Count("id"))
    )
    return {r["key_person_id"]: r["n"] for r in rows}


__all__ = [
    "derive_from_id",
    "ensure_task",
    "find_by_id_number",
    "household_create",
    "household_update",
    "key_person_close",
    "key_person_create",
    "key_person_update",
    "missed_count",
    "next_due",
    "permit_act",
    "permit_apply",
    "permits_expire",
    "person_create",
    "person_move_in",
    "person_move_out",
    "person_register",
    "person_reveal",
    "person_set_status",
    "person_transfer",
    "person_update",
    "points_add",
    "points_level",
    "points_reverse",
    "today",
    "visit_record",
    "visit_tasks_generate",
]
