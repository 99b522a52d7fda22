"""Importing the registers (`manage.py import_register KIND FILE --mapping MAP.yaml`):
persons, households, key persons, rental houses (with landlord and tenants), key places
and cameras from a CSV or Excel file by a YAML mapping (docs/import-registers.md).

Every row is read and checked first (ID numbers with their check digit and a real birth
date, phones, dates, fixed lists, the grid); a bad row is reported as
`第N行（key） field: reason` (N the line in the file, the header being line 1) and skipped,
never half-written. Records are matched by their natural keys, so running a file twice
changes nothing: a person by the blind index of the ID number (one person per ID number
per county, whichever register the file is: a landlord already in the population
register links to that person), a household by its number, a rental house by its code
(when the file has one) or its address in its grid, a place by its unified social credit
code (or its name in its grid), a camera by its code. A mapped cell left empty keeps the
stored value. Every record created or changed gets its attributed history row
(`registry.RecordChange`, source 导入) and the run one audit row; a dry run does all of it
in a transaction it rolls back. Persons are written in batches with bulk statements.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import unicodedata
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from pingan.access.actor import Actor
from pingan.accounts.models import User
from pingan.core import clock, pii
from pingan.core.errors import DomainError, Invalid
from pingan.geo import locator
from pingan.geo.choices import Level
from pingan.geo.models import Region
from pingan.geo.selectors import region_ancestor_at
from pingan.importer.mapping import MappingError
from pingan.importer.registers_mapping import (
    LOCATED,
    RegisterMapping,
    choices_of,
    load_register_mapping,
)
from pingan.importer.rows import RowError, clean_text
from pingan.places import permissions as places_perms
from pingan.places.models import Camera, Place, RentalHouse, Tenancy
from pingan.registry import permissions as registry_perms
from pingan.registry import rollup as registry_rollup
from pingan.registry.choices import (
    ChangeSource,
    KeyPersonStatus,
    MoveKind,
    PersonKind,
    PersonStatus,
)
from pingan.registry.masking import masked
from pingan.registry.models import (
    Household,
    KeyPerson,
    KeyPersonCategory,
    Person,
    PersonMove,
    RecordChange,
)
from pingan.registry.services import (
    derive_from_id,
    find_by_id_number,
    household_create,
    household_update,
    key_person_create,
    key_person_update,
    person_register,
    person_transfer,
)
from pingan.triage.tabular import read_rows

__all__ = ["RegisterReport", "RegisterRowError", "import_register", "import_register_rows"]

BATCH = 1000
# A person row whose relation is one of these makes the person the household's head.
HEAD_WORDS = frozenset({"户主", "本人", "户主本人"})
# Namespace of the client_uuid that carries a rental house's code from the source system.
RENTAL_CODE_NS = uuid.UUID("6f1d2a8e-3c5b-4f7a-9e0d-2b8c4a6e1f35")
TRUE_WORDS = frozenset({"是", "有", "1", "true", "yes", "y", "√", "个人", "个体"})
FALSE_WORDS = frozenset({"否", "无", "0", "false", "no", "n", "", "单位", "企业"})


# ---- the report -------------------------------------------------------------------------


class RegisterRowError(RowError):
    """A row's error, by its line in the file (the header is line 1)."""

    def __str__(self) -> str:
        key = f"（{self.external_id}）" if self.external_id else ""
        return f"第{self.row}行{key} {self.field}: {self.reason}"


@dataclass
class RegisterReport:
    kind: str
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    # What the rows brought with them: persons created or matched (landlords, tenants,
    # key persons), households created, tenancies registered.
    linked: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def failed(self) -> int:
        return len({e.row for e in self.errors})

    @property
    def summary(self) -> str:
        head = "试运行，未写入；" if self.dry_run else ""
        return (
            f"total={self.total} created={self.created} updated={self.updated} "
            f"unchanged={self.unchanged} errors={self.failed}（{head}新增 {self.created}，"
            f"更新 {self.updated}，未变 {self.unchanged}，出错 {self.failed} 行）"
        )

    @property
    def notes(self) -> list[str]:
        words = {
            "persons_created": "新登记人员",
            "persons_matched": "按身份证号关联已登记人员",
            "households_created": "新建户",
            "tenancies_created": "新登记租住",
        }
        parts = [f"{label} {self.linked[k]}" for k, label in words.items() if self.linked[k]]
        return ["；".join(parts)] if parts else []


# ---- reading one row ----------------------------------------------------------------------


class _Failed(Exception):
    def __init__(self, field: str, reason: str) -> None:
        self.field, self.reason = field, reason


def _invalid_reason(exc: Invalid) -> str:
    return next(iter(exc.fields.values()), exc.message)


def normal_address(text: str) -> str:
    """An address as compared: full-width folded to half-width, no spaces, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).lower()


class _Cells:
    """One source row read by the mapping: typed values, and every error found in it."""

    def __init__(self, run: _Run, row: dict[str, str], line: int) -> None:
        self.run, self.row, self.line = run, row, line
        self.m = run.m
        self.key = ""
        self.errors: list[RowError] = []

    def err(self, name: str, reason: str) -> None:
        self.errors.append(RegisterRowError(self.line, self.key, name, reason))

    def text(self, name: str, *, required: bool = False, limit: int = 0) -> str:
        f = self.m.fields.get(name)
        if f is None:
            return ""
        value, error = f.value(self.row)
        if error:
            self.err(name, error)
            return ""
        value = clean_text(value or "").replace("\n", " ")
        if required and not value:
            self.err(name, "为空")
        if limit and len(value) > limit:
            self.err(name, f"超过{limit}字")
            return value[:limit]
        return value

    def choice(self, name: str) -> str:
        value = self.text(name)
        if value and value not in self.run.choices.get(name, [value]):
            self.err(name, f"“{value[:30]}”不是可选值")
            return ""
        return value

    def date(self, name: str, *, required: bool = False) -> dt.date | None:
        text = self.text(name, required=required)
        if not text:
            return None
        text = re.sub(r"\s+", " ", text)
        for fmt in [*self.m.date_formats, "%Y-%m-%d %H:%M:%S", "%Y%m%d"]:
            try:
                return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a date only)
            except ValueError:
                continue
        self.err(name, f"无法识别的日期“{text[:30]}”")
        return None

    def id_number(self, name: str, *, required: bool = False) -> str:
        text = self.text(name, required=required)
        if not text:
            return ""
        try:
            number = pii.validate_id_number(text, field=name)
        except Invalid as exc:
            self.err(name, _invalid_reason(exc))
            return ""
        if derive_from_id(number)[1] > self.run.today:
            self.err(name, "身份证号中的出生日期晚于今天")
            return ""
        return number

    def phone(self, name: str) -> str:
        text = self.text(name)
        if not text:
            return ""
        try:
            return pii.validate_phone(text, field=name)
        except Invalid as exc:
            self.err(name, _invalid_reason(exc))
            return ""

    def number(self, name: str, *, low: int = 0, high: int = 32767) -> int | None:
        text = self.text(name)
        if not text:
            return None
        if not text.isdigit() or not low <= int(text) <= high:
            self.err(name, f"应为{low}至{high}的整数")
            return None
        return int(text)

    def flag(self, name: str) -> bool | None:
        if not self.m.has(name):
            return None
        text = self.text(name).lower()
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        self.err(name, f"“{text[:20]}”应为 是/否")
        return None

    def items(self, name: str) -> list[str]:
        text = self.text(name)
        parts = re.split(rf"[{re.escape(self.m.list_separator)},，;；/\s]+", text)
        return [p for p in (x.strip() for x in parts) if p]

    def point(self) -> tuple[float | None, float | None]:
        lat_text, lng_text = self.text("lat"), self.text("lng")
        if not (lat_text or lng_text):
            return None, None
        try:
            lat, lng = float(lat_text), float(lng_text)
            if not (-90 <= lat <= 90 and -180 <= lng <= 180):
                raise ValueError
        except ValueError:
            self.err("lat", "坐标格式不正确")
            return None, None
        return lat, lng

    def grid(self, *, point: tuple[float | None, float | None] = (None, None)) -> Region | None:
        """The row's grid: the region column (a grid's code or unique name), else the grid
        the coordinates fall in."""
        key = self.text("region")
        if key:
            found = self.run.region(key)
            if isinstance(found, str):
                self.err("region", found)
                return None
            return found
        lat, lng = point
        if lat is not None and lng is not None:
            grid_id = locator.grid_id_at(lat, lng)
            if grid_id is not None:
                return self.run.region_by_id(grid_id)
            self.err("lat", "坐标不在任何网格内")
            return None
        self.err("region", "所在网格为空")
        return None


# ---- one run ------------------------------------------------------------------------------


@dataclass
class _Prepared:
    line: int
    key: str
    values: dict[str, Any]


class _Run:
    """One import: look-ups cached for the run, the writes, the report."""

    def __init__(self, m: RegisterMapping, report: RegisterReport, actor: Actor) -> None:
        self.m, self.report, self.actor = m, report, actor
        self.user: User | None = actor.user
        self.actor_name = "" if actor.user is not None else f"system:{actor.name}"
        self.now = clock.now()
        self.today = timezone.localdate(self.now)
        self.choices = choices_of(m.kind)
        self._regions: dict[str, Region | str] = {}
        self._by_id: dict[int, Region] = {}
        self._counties: dict[int, Region | None] = {}
        self._categories: dict[str, KeyPersonCategory | None] = {}
        self._users: dict[str, User | None] = {}
        self.seen: dict[str, int] = {}  # natural key in this file → its first line
        self.changes: list[RecordChange] = []

    # ---- look-ups -----------------------------------------------------------------------

    def region(self, key: str) -> Region | str:
        """The grid with this code (or this unique name), else an error text."""
        if key not in self._regions:
            reg = Region.objects.filter(code=key).first()
            if reg is None:
                named = list(Region.objects.filter(name=key)[:2])
                if len(named) > 1:
                    self._regions[key] = f"网格名称“{key}”不唯一，请使用代码"
                    return self._regions[key]
                reg = named[0] if named else None
            if reg is None:
                self._regions[key] = f"网格“{key}”不存在"
            elif reg.level != Level.GRID:
                self._regions[key] = f"“{key}”不是网格，请填写网格代码"
            else:
                self._regions[key] = reg
                self._by_id[reg.pk] = reg
        return self._regions[key]

    def region_by_id(self, pk: int) -> Region:
        if pk not in self._by_id:
            self._by_id[pk] = Region.objects.get(pk=pk)
        return self._by_id[pk]

    def county(self, region: Region) -> Region | None:
        if region.pk not in self._counties:
            self._counties[region.pk] = region_ancestor_at(region, Level.COUNTY)
        return self._counties[region.pk]

    def category(self, key: str) -> KeyPersonCategory | None:
        if key not in self._categories:
            self._categories[key] = (
                KeyPersonCategory.objects.filter(code=key).first()
                or KeyPersonCategory.objects.filter(name=key).first()
            )
        return self._categories[key]

    def helper(self, key: str) -> User | None:
        if key not in self._users:
            self._users[key] = User.objects.filter(username=key, is_active=True).first()
        return self._users[key]

    def once(self, cells: _Cells, key: str, what: str) -> bool:
        """False (and a row error) when the file had this natural key on an earlier line."""
        if key in self.seen:
            cells.err(what, f"与第{self.seen[key]}行重复")
            return False
        self.seen[key] = cells.line
        return True

    # ---- history --------------------------------------------------------------------------

    def change(
        self,
        model: str,
        obj: Any,
        action: str,
        diff: dict[str, tuple[Any, Any]],
        *,
        person_id: int | None = None,
    ) -> None:
        """One attributed history row (values masked, never in clear), written with the
        batch."""
        self.changes.append(
            RecordChange(
                model=model,
                object_id=obj.pk,
                person_id=person_id,
                action=action,
                fields={
                    name: {
                        "old": "" if old is None else masked(name, old),
                        "new": masked(name, new),
                    }
                    for name, (old, new) in diff.items()
                },
                actor=self.user,
                actor_name=self.actor_name,
                source=ChangeSource.IMPORT,
                at=self.now,
            )
        )

    def flush_changes(self) -> None:
        if self.changes:
            RecordChange.objects.bulk_create(self.changes, batch_size=1000)
            self.changes = []

    def count(self, outcome: str) -> None:
        setattr(self.report, outcome, getattr(self.report, outcome) + 1)

    # ---- persons met in any register ------------------------------------------------------

    def person_for(
        self,
        cells: _Cells,
        *,
        prefix: str,
        region: Region,
        kind: str,
        required: bool,
    ) -> Person | None:
        """The person a row names by `<prefix>id_number`: the one registered with it in the
        county (matched by blind index, linked as is), or registered now from the row's
        name and phone (`registry.services.person_register`)."""
        id_field, name_field = f"{prefix}id_number", f"{prefix}name"
        number = cells.id_number(id_field, required=required)
        name = cells.text(name_field, limit=100)
        phone = cells.phone(f"{prefix}phone")
        if not number:
            if name and not cells.errors:
                cells.err(id_field, "有姓名而无身份证号：人员按身份证号登记")
            return None
        found = find_by_id_number(number, county=self.county(region))
        if found is not None:
            self.report.linked["persons_matched"] += 1
            return found
        if not name:
            cells.err(name_field, "该身份证号未在实有人口中登记，须填写姓名以便登记")
            return None
        if cells.errors:
            return None
        person, _created = person_register(
            actor=self.actor,
            region=region,
            source=ChangeSource.IMPORT,
            name=name,
            id_number=number,
            phone=phone,
            kind=kind,
        )
        self.report.linked["persons_created"] += 1
        return person


# ---- persons (bulk) -------------------------------------------------------------------------


def _new_person(run: _Run, v: dict[str, Any]) -> Person:
    sex, birth = derive_from_id(v["id_number"])
    region: Region = v["region"]
    return Person(
        name=v["name"],
        id_number=v["id_number"],
        id_index=v["id_index"],
        sex=sex,
        birth_date=birth,
        phone=v.get("phone") or "",
        phone_index=pii.blind_index(v.get("phone") or "", kind="phone"),
        kind=v.get("person_kind") or PersonKind.REGISTERED,
        relation=v.get("relation") or "",
        address=v.get("address") or "",
        region=region,
        region_path=region.path,
        county=v["county"],
        status=v.get("status") or PersonStatus.PRESENT,
        moved_in_at=v.get("moved_in_at"),
        sensitivity=v.get("sensitivity") or "",
        created_by=run.user,
        created_at=run.now,
        updated_by=run.user,
        updated_at=run.now,
    )


def _created_fields(obj: Any, names: Iterable[str] = ()) -> dict[str, tuple[Any, Any]]:
    """A created record's fields for its history row (old values empty)."""
    out: dict[str, tuple[Any, Any]] = {}
    for name in names or (
        "name",
        "id_number",
        "phone",
        "kind",
        "address",
        "region",
        "status",
        "household",
        "relation",
    ):
        attr = f"{name}_id" if name in ("region", "household") else name
        value = getattr(obj, attr, None)
        if value not in (None, ""):
            out[name] = (None, value)
    return out


def _id_key(cells: _Cells, name: str = "id_number") -> None:
    """The row's key in its errors: the ID number as written, masked."""
    raw = cells.m.fields[name].raw(cells.row) if name in cells.m.fields else ""
    cells.key = pii.mask_id_number(pii.normalise(raw, kind="id_number"))


def _prepare_person(run: _Run, cells: _Cells) -> _Prepared | None:
    _id_key(cells)
    number = cells.id_number("id_number", required=True)
    name = cells.text("name", required=True, limit=100)
    phone = cells.phone("phone")
    region = cells.grid()
    values: dict[str, Any] = {
        "name": name,
        "id_number": number,
        "phone": phone,
        "person_kind": cells.choice("person_kind"),
        "household": cells.text("household", limit=40),
        "relation": cells.text("relation", limit=20),
        "address": cells.text("address", limit=255),
        "status": cells.choice("status"),
        "moved_in_at": cells.date("moved_in_at"),
        "sensitivity": cells.choice("sensitivity"),
        "region": region,
    }
    label = values["sensitivity"]
    if label and run.actor.user is not None and label not in run.actor.clearances:
        cells.err("sensitivity", "不能设置本人未获授权的敏感标签")
    if values["moved_in_at"] and values["moved_in_at"] > run.today:
        cells.err("moved_in_at", "迁入日期不能晚于今天")
    if region is not None and not registry_perms.can_edit(run.actor, region.path):
        cells.err("region", "无权在该网格登记人员")
    if region is None or cells.errors:
        return None
    county = run.county(region)
    values["county"] = county
    values["id_index"] = pii.blind_index(number, kind="id_number")
    if not run.once(cells, f"{county.pk if county else 0}:{values['id_index']}", "id_number"):
        return None
    return _Prepared(cells.line, cells.key, values)


def _households_for(run: _Run, batch: list[_Prepared]) -> dict[tuple[int, str], Household]:
    """The households the batch's persons name, by (county, number); the missing ones are
    created in the person's grid with the person's address."""
    wanted: dict[tuple[int, str], _Prepared] = {}
    for p in batch:
        number = p.values["household"]
        if number:
            county = p.values["county"]
            wanted.setdefault((county.pk if county else 0, number), p)
    if not wanted:
        return {}
    found = {
        (h.county_id or 0, h.number): h
        for h in Household.objects.filter(number__in={n for _c, n in wanted})
    }
    fresh = []
    for key, p in wanted.items():
        if key in found:
            continue
        region: Region = p.values["region"]
        h = Household(
            number=key[1],
            address=p.values["address"],
            region=region,
            region_path=region.path,
            county=p.values["county"],
            created_by=run.user,
            created_at=run.now,
            updated_by=run.user,
            updated_at=run.now,
        )
        fresh.append(h)
        found[key] = h
    Household.objects.bulk_create(fresh, batch_size=500)
    for h in fresh:
        run.change("household", h, "create", _created_fields(h, ("number", "address", "region")))
    run.report.linked["households_created"] += len(fresh)
    return found


def _moves(
    run: _Run, batch: list[_Prepared], stored: dict[tuple[int, str], Person]
) -> tuple[list[_Prepared], set[int]]:
    """A registered person's new grid is a move within the county
    (`registry.services.person_transfer`: the move's history, the copies of the region on
    their key-person rows); a new status (moved out, deceased…) is not the import's to
    make. The rows refused are reported and left out of the batch."""
    kept: list[_Prepared] = []
    transferred: set[int] = set()
    for b in batch:
        v = b.values
        key = (v["county"].pk if v["county"] else 0, v["id_index"])
        person = stored.get(key)
        if person is None:
            kept.append(b)
            continue
        if v["status"] and v["status"] != person.status:
            run.report.errors.append(
                RegisterRowError(b.line, b.key, "status", "已登记人员的迁出、死亡等请在页面办理")
            )
            continue
        region: Region = v["region"]
        if person.region_id != region.pk:
            try:
                with transaction.atomic():
                    person_transfer(
                        actor=run.actor,
                        person_id=person.pk,
                        region=region.pk,
                        on=run.today,
                        household=person.household_id,
                        note="导入",
                        source=ChangeSource.IMPORT,
                    )
            except DomainError as exc:
                name, reason = next(iter(exc.fields.items()), ("region", exc.message))
                run.report.errors.append(RegisterRowError(b.line, b.key, name, reason))
                continue
            stored[key] = Person.objects.get(pk=person.pk)
            transferred.add(person.pk)
        kept.append(b)
    return kept, transferred


def _write_persons(run: _Run, batch: list[_Prepared]) -> None:
    """A batch of persons: the existing ones (by county and ID blind index) compared and
    updated where a mapped, non-empty cell differs, the others created; households made
    as needed and heads set; one history row per record created or changed."""
    stored = {
        (p.county_id or 0, p.id_index): p
        for p in Person.objects.filter(id_index__in=[b.values["id_index"] for b in batch])
    }
    batch, transferred = _moves(run, batch, stored)
    households = _households_for(run, batch)
    new: list[Person] = []
    changed: list[Person] = []
    changed_fields: set[str] = set()
    diffs: list[tuple[Person, dict[str, tuple[Any, Any]]]] = []
    heads: list[tuple[Household, Person]] = []
    for b in batch:
        v = b.values
        county_pk = v["county"].pk if v["county"] else 0
        household = households.get((county_pk, v["household"])) if v["household"] else None
        person = stored.get((county_pk, v["id_index"]))
        if person is None:
            person = _new_person(run, v)
            person.household = household
            new.append(person)
            run.report.created += 1
        else:
            wanted = {
                "name": v["name"],
                "phone": v["phone"],
                "kind": v["person_kind"],
                "relation": v["relation"],
                "address": v["address"],
                "moved_in_at": v["moved_in_at"],
                "sensitivity": v["sensitivity"],
            }
            diff: dict[str, tuple[Any, Any]] = {}
            for name, value in wanted.items():
                if value in ("", None) or getattr(person, name) == value:
                    continue
                diff[name] = (getattr(person, name), value)
                setattr(person, name, value)
                if name == "phone":
                    person.phone_index = pii.blind_index(value, kind="phone")
                    changed_fields.add("phone_index")
            if household is not None and person.household_id != household.pk:
                diff["household"] = (person.household_id, household.pk)
                person.household = household
            if diff:
                person.updated_by, person.updated_at = run.user, run.now
                changed_fields.update(diff, {"updated_by", "updated_at"})
                changed.append(person)
                diffs.append((person, diff))
                run.report.updated += 1
            elif person.pk in transferred:
                run.report.updated += 1
            else:
                run.report.unchanged += 1
        if household is not None and v["relation"] in HEAD_WORDS:
            heads.append((household, person))
    Person.objects.bulk_create(new, batch_size=500)
    PersonMove.objects.bulk_create(
        [
            PersonMove(
                person=p,
                kind=MoveKind.MOVE_IN,
                on=p.moved_in_at,
                to_region=p.region,
                to_household=p.household,
                by=run.user,
                at=run.now,
            )
            for p in new
            if p.moved_in_at is not None
        ],
        batch_size=500,
    )
    if changed:
        Person.objects.bulk_update(changed, sorted(changed_fields), batch_size=500)
    for person in new:
        run.change("person", person, "create", _created_fields(person), person_id=person.pk)
    for person, diff in diffs:
        run.change("person", person, "update", diff, person_id=person.pk)
    new_heads = {h.pk: (h, p) for h, p in heads if h.head_id != p.pk}
    for h, p in new_heads.values():
        run.change("household", h, "update", {"head": (h.head_id, p.pk)})
        h.head = p
    if new_heads:
        # One statement run for every head (bulk_update's CASE per row costs far more).
        table = connection.ops.quote_name(Household._meta.db_table)
        stamp = connection.ops.adapt_datetimefield_value(run.now)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET head_id = %s, updated_by_id = %s, updated_at = %s "  # noqa: S608 (names from the model)
                "WHERE id = %s",
                [
                    (p.pk, run.user.pk if run.user else None, stamp, hid)
                    for hid, (_h, p) in new_heads.items()
                ],
            )


# ---- households -------------------------------------------------------------------------------


def _prepare_household(run: _Run, cells: _Cells) -> _Prepared | None:
    number = cells.text("number", required=True, limit=40)
    cells.key = number
    region = cells.grid()
    values: dict[str, Any] = {
        "number": number,
        "kind": cells.choice("household_kind"),
        "address": cells.text("address", limit=255),
        "head_id_number": cells.id_number("head_id_number"),
        "region": region,
    }
    if region is None or cells.errors:
        return None
    county = run.county(region)
    values["county"] = county
    if not run.once(cells, f"{county.pk if county else 0}:{number}", "number"):
        return None
    return _Prepared(cells.line, number, values)


def _write_household(run: _Run, p: _Prepared) -> None:
    """Upsert by (county, number) through `registry.services.household_create/update`."""
    v = p.values
    region: Region = v["region"]
    head = None
    if v["head_id_number"]:
        head = find_by_id_number(v["head_id_number"], county=v["county"])
        if head is None:
            raise _Failed("head_id_number", "户主未在实有人口中登记（先导入人员）")
        run.report.linked["persons_matched"] += 1
    h = Household.objects.filter(county=v["county"], number=v["number"]).first()
    if h is None:
        h = household_create(
            actor=run.actor,
            number=v["number"],
            region=region,
            kind=v["kind"],
            address=v["address"],
            source=ChangeSource.IMPORT,
        )
        if head is not None:
            household_update(
                actor=run.actor, household_id=h.pk, head=head.pk, source=ChangeSource.IMPORT
            )
        run.report.created += 1
        return
    given: dict[str, Any] = {}
    if v["kind"] and v["kind"] != h.kind:
        given["kind"] = v["kind"]
    if v["address"] and v["address"] != h.address:
        given["address"] = v["address"]
    if region.pk != h.region_id:
        given["region"] = region.pk
    if head is not None and head.pk != h.head_id:
        given["head"] = head.pk
    if not given:
        run.report.unchanged += 1
        return
    household_update(actor=run.actor, household_id=h.pk, source=ChangeSource.IMPORT, **given)
    run.report.updated += 1


# ---- key persons ------------------------------------------------------------------------------


def _prepare_key_person(run: _Run, cells: _Cells) -> _Prepared | None:
    _id_key(cells)
    number = cells.id_number("id_number", required=True)
    code = cells.text("category", required=True)
    category = run.category(code) if code else None
    if code and category is None:
        cells.err("category", f"重点人员类别“{code}”不存在")
    helpers = []
    for username in cells.items("helpers"):
        user = run.helper(username)
        if user is None:
            cells.err("helpers", f"帮扶责任人“{username}”不是系统用户")
        else:
            helpers.append(user)
    values: dict[str, Any] = {
        "category": category,
        "since": cells.date("since", required=True),
        "risk_level": cells.choice("risk_level"),
        "note": cells.text("note", limit=2000),
        "helpers": helpers,
        "region": cells.grid() if cells.text("region") else None,
    }
    if cells.errors:
        return None
    assert category is not None
    if not run.once(
        cells, f"{pii.blind_index(number, kind='id_number')}:{category.pk}", "category"
    ):
        return None
    return _Prepared(cells.line, cells.key, values)


def _write_key_person(run: _Run, p: _Prepared, cells: _Cells) -> None:
    """The person (matched by ID number, registered when new and the row has a grid and a
    name), then the key-person record by `registry.services.key_person_create/update`:
    the category's label, the first visit task, the history."""
    v = p.values
    region: Region | None = v["region"]
    if region is None:
        number = cells.id_number("id_number")
        index = pii.blind_index(number, kind="id_number")
        people = list(Person.objects.filter(id_index=index)[:2])
        if len(people) != 1:
            raise _Failed("region", "该身份证号未在实有人口中登记，须填写所在网格和姓名以便登记")
        person = people[0]
        run.report.linked["persons_matched"] += 1
    else:
        found = run.person_for(
            cells,
            prefix="",
            region=region,
            kind=cells.choice("person_kind") or PersonKind.REGISTERED,
            required=True,
        )
        if found is None:
            first = cells.errors[0] if cells.errors else None
            raise _Failed(first.field if first else "id_number", first.reason if first else "")
        person = found
    category: KeyPersonCategory = v["category"]
    kp = KeyPerson.objects.filter(
        person=person, category=category, status=KeyPersonStatus.ACTIVE
    ).first()
    if kp is None:
        key_person_create(
            actor=run.actor,
            person_id=person.pk,
            category=category,
            since=v["since"],
            helpers=[u.pk for u in v["helpers"]],
            risk_level=v["risk_level"] or "",
            note=v["note"],
            source=ChangeSource.IMPORT,
        )
        run.report.created += 1
        return
    given: dict[str, Any] = {}
    if v["risk_level"] and v["risk_level"] != kp.risk_level:
        given["risk_level"] = v["risk_level"]
    if v["note"] and v["note"] != kp.note:
        given["note"] = v["note"]
    if v["helpers"]:
        new = sorted(u.pk for u in v["helpers"])
        if new != sorted(kp.helpers.values_list("pk", flat=True)):
            given["helpers"] = new
    if not given:
        run.report.unchanged += 1
        return
    key_person_update(actor=run.actor, key_person_id=kp.pk, source=ChangeSource.IMPORT, **given)
    run.report.updated += 1


# ---- rental houses ----------------------------------------------------------------------------


def _prepare_rental(run: _Run, cells: _Cells) -> _Prepared | None:
    code = cells.text("code", limit=64)
    address = cells.text("address", required=True, limit=255)
    cells.key = code or pii.mask_address(address)
    point = cells.point()
    region = cells.grid(point=point)
    managed = cells.items("managed")
    allowed = {"self", "custody", "village_lease", "agency"}
    f = run.m.fields.get("managed")
    if f is not None and f.values:
        managed = [f.values.get(x, x) for x in managed]
    for item in managed:
        if item not in allowed:
            cells.err("managed", f"“{item[:20]}”不是管理模式（{', '.join(sorted(allowed))}）")
    values: dict[str, Any] = {
        "code": code,
        "address": address,
        "rooms": cells.number("rooms", low=1),
        "kind": cells.choice("rental_kind"),
        "managed": sorted(set(managed)),
        "status": cells.choice("status"),
        "registered_on": cells.date("registered_on"),
        "note": cells.text("note", limit=500),
        "lat": point[0],
        "lng": point[1],
        "region": region,
        "tenant_since": cells.date("tenant_since"),
        "tenant_room": cells.text("tenant_room", limit=20),
    }
    if region is None or cells.errors:
        return None
    # Several rows may describe one house (one row per tenant): the house's key is not
    # "once per file", the tenant is.
    return _Prepared(cells.line, cells.key, values)


class _Rentals:
    """Rental houses of the grids a file touches, by code and by address (decrypted once
    per grid: the address is encrypted, so it cannot be looked up in the database)."""

    def __init__(self) -> None:
        self.by_address: dict[int, dict[str, RentalHouse]] = {}

    def find(self, region: Region, code: str, address: str) -> RentalHouse | None:
        if code:
            hit = RentalHouse.objects.filter(client_uuid=uuid.uuid5(RENTAL_CODE_NS, code)).first()
            if hit is not None:
                return hit
        if region.pk not in self.by_address:
            self.by_address[region.pk] = {
                normal_address(h.address): h for h in RentalHouse.objects.filter(region=region)
            }
        return self.by_address[region.pk].get(normal_address(address))

    def add(self, house: RentalHouse) -> None:
        self.by_address.setdefault(house.region_id, {})[normal_address(house.address)] = house


def _write_rental(run: _Run, p: _Prepared, cells: _Cells, houses: _Rentals) -> None:
    v = p.values
    region: Region = v["region"]
    landlord = run.person_for(
        cells, prefix="landlord_", region=region, kind=PersonKind.REGISTERED, required=False
    )
    tenant = run.person_for(
        cells, prefix="tenant_", region=region, kind=PersonKind.NEW_RESIDENT, required=False
    )
    if cells.errors:
        raise _Failed(cells.errors[0].field, cells.errors[0].reason)
    house = houses.find(region, v["code"], v["address"])
    if house is None:
        house = RentalHouse(
            address=v["address"],
            region=region,
            lat=v["lat"],
            lng=v["lng"],
            registered_on=v["registered_on"] or run.today,
            landlord=landlord,
            rooms=v["rooms"] or 1,
            kind=v["kind"] or RentalHouse._meta.get_field("kind").default,
            managed=v["managed"],
            status=v["status"] or RentalHouse._meta.get_field("status").default,
            note=v["note"],
            created_by=run.user,
            created_at=run.now,
            updated_at=run.now,
            client_uuid=uuid.uuid5(RENTAL_CODE_NS, v["code"]) if v["code"] else None,
        )
        house.save()
        houses.add(house)
        run.change("rental", house, "create", {"address": (None, v["address"])})
        run.report.created += 1
        run.seen[f"house:{house.pk}"] = p.line
    else:
        diff: dict[str, tuple[Any, Any]] = {}
        wanted = {
            "address": v["address"],
            "rooms": v["rooms"],
            "kind": v["kind"],
            "managed": v["managed"] if run.m.has("managed") else None,
            "status": v["status"],
            "note": v["note"],
            "lat": v["lat"],
            "lng": v["lng"],
        }
        for name, value in wanted.items():
            if value in ("", None) or getattr(house, name) == value:
                continue
            diff[name] = (getattr(house, name), value)
            setattr(house, name, value)
        if house.region_id != region.pk:
            diff["region"] = (house.region_id, region.pk)
            house.region = region
        if landlord is not None and house.landlord_id != landlord.pk:
            diff["landlord"] = (house.landlord_id, landlord.pk)
            house.landlord = landlord
        if diff:
            house.updated_at = run.now
            house.save()
            run.change("rental", house, "update", diff)
        # A house is counted once, on its first row (a file may give one row per tenant).
        if f"house:{house.pk}" not in run.seen:
            run.seen[f"house:{house.pk}"] = p.line
            run.count("updated" if diff else "unchanged")
    if tenant is not None:
        key = f"tenancy:{house.pk}:{tenant.pk}"
        if key in run.seen:
            raise _Failed("tenant_id_number", f"与第{run.seen[key]}行重复")
        run.seen[key] = p.line
        if not Tenancy.objects.filter(house=house, tenant=tenant, end__isnull=True).exists():
            Tenancy.objects.create(
                house=house,
                tenant=tenant,
                start=v["tenant_since"] or run.today,
                room=v["tenant_room"],
                created_by=run.user,
                created_at=run.now,
            )
            run.change(
                "tenancy", house, "create", {"tenant": (None, tenant.pk)}, person_id=tenant.pk
            )
            run.report.linked["tenancies_created"] += 1


# ---- places and cameras -----------------------------------------------------------------------


def _prepare_place(run: _Run, cells: _Cells) -> _Prepared | None:
    name = cells.text("name", required=True, limit=200)
    credit = cells.text("credit_code", limit=18).upper()
    cells.key = credit or name
    point = cells.point()
    region = cells.grid(point=point)
    sector = cells.text("sector", limit=20)
    if sector:
        from pingan.places.rules import sectors

        known = dict(sectors())
        by_name = {v: k for k, v in known.items()}
        sector = sector if sector in known else by_name.get(sector, "")
        if not sector:
            cells.err("sector", f"“{cells.text('sector')[:20]}”不是实名制行业")
    values: dict[str, Any] = {
        "name": name,
        "credit_code": credit,
        "kind": cells.choice("place_kind"),
        "address": cells.text("address", limit=255),
        "owner_is_person": cells.flag("owner_is_person"),
        "manager_name": cells.text("manager_name", limit=100),
        "manager_phone": cells.phone("manager_phone"),
        "sector": sector,
        "status": cells.choice("status"),
        "registered_on": cells.date("registered_on"),
        "lat": point[0],
        "lng": point[1],
        "region": region,
    }
    if region is None or cells.errors:
        return None
    key = f"credit:{credit}" if credit else f"name:{region.pk}:{name}"
    if not run.once(cells, key, "credit_code" if credit else "name"):
        return None
    return _Prepared(cells.line, cells.key, values)


def _write_place(run: _Run, p: _Prepared) -> None:
    v = p.values
    region: Region = v["region"]
    if v["credit_code"]:
        place = Place.objects.filter(credit_code=v["credit_code"]).first()
    else:
        place = Place.objects.filter(region=region, name=v["name"]).first()
    if place is None:
        place = Place(
            kind=v["kind"],
            name=v["name"],
            credit_code=v["credit_code"],
            address=v["address"],
            owner_is_person=bool(v["owner_is_person"]),
            manager_name=v["manager_name"],
            manager_phone=v["manager_phone"],
            sector=v["sector"],
            status=v["status"] or Place._meta.get_field("status").default,
            registered_on=v["registered_on"] or run.today,
            region=region,
            lat=v["lat"],
            lng=v["lng"],
            created_by=run.user,
            created_at=run.now,
            updated_at=run.now,
        )
        place.save()
        run.report.created += 1
        return
    changed = _apply(
        place,
        {k: v[k] for k in ("name", "kind", "address", "owner_is_person", "manager_name")}
        | {k: v[k] for k in ("manager_phone", "sector", "status", "lat", "lng")},
    )
    if place.region_id != region.pk:
        place.region = region
        changed = True
    if changed:
        place.updated_at = run.now
        place.save()
        run.report.updated += 1
    else:
        run.report.unchanged += 1


def _apply(obj: Any, wanted: dict[str, Any]) -> bool:
    """Set the non-empty wanted values that differ; whether any did."""
    changed = False
    for name, value in wanted.items():
        if value in ("", None) or getattr(obj, name) == value:
            continue
        setattr(obj, name, value)
        changed = True
    return changed


def _prepare_camera(run: _Run, cells: _Cells) -> _Prepared | None:
    code = cells.text("code", required=True, limit=64)
    cells.key = code
    point = cells.point()
    values: dict[str, Any] = {
        "code": code,
        "name": cells.text("name", required=True, limit=200),
        "kind": cells.choice("camera_kind"),
        "owner_unit": cells.text("owner_unit", limit=200),
        "link_name": cells.text("link_name", limit=200),
        "status": cells.choice("status"),
        "lat": point[0],
        "lng": point[1],
        "region": cells.grid(point=point),
    }
    if values["region"] is None or cells.errors:
        return None
    if not run.once(cells, code, "code"):
        return None
    return _Prepared(cells.line, code, values)


def _write_camera(run: _Run, p: _Prepared) -> None:
    v = p.values
    camera = Camera.objects.filter(code=v["code"]).first()
    if camera is None:
        Camera(
            **{k: v[k] for k in ("code", "name", "kind", "owner_unit", "link_name", "lat", "lng")},
            status=v["status"] or Camera._meta.get_field("status").default,
            region=v["region"],
            created_by=run.user,
            created_at=run.now,
            updated_at=run.now,
        ).save()
        run.report.created += 1
        return
    changed = _apply(
        camera,
        {k: v[k] for k in ("name", "kind", "owner_unit", "link_name", "status", "lat", "lng")},
    )
    if camera.region_id != v["region"].pk:
        camera.region = v["region"]
        changed = True
    if changed:
        camera.updated_at = run.now
        camera.save()
        run.report.updated += 1
    else:
        run.report.unchanged += 1


# ---- the run ------------------------------------------------------------------------------------

_PREPARE: dict[str, Callable[[_Run, _Cells], _Prepared | None]] = {
    "persons": _prepare_person,
    "households": _prepare_household,
    "key-persons": _prepare_key_person,
    "rentals": _prepare_rental,
    "places": _prepare_place,
    "cameras": _prepare_camera,
}


def _may_write(run: _Run, p: _Prepared) -> None:
    """A user's import writes only where the user may register such records (the system
    importing on its own writes everywhere); the registry's services check their own."""
    region: Region | None = p.values.get("region")
    if run.actor.user is None or region is None or run.m.kind not in LOCATED:
        return
    roles = places_perms.CAMERA_ROLES if run.m.kind == "cameras" else places_perms.WRITE_ROLES
    if not places_perms.can_write(run.actor, region.path, roles):
        raise _Failed("region", "无权在该网格登记")


def _write_rows(run: _Run, batch: list[tuple[_Prepared, _Cells]], houses: _Rentals) -> None:
    """The registers written row by row, each row in its own savepoint."""
    kind = run.m.kind
    for p, cells in batch:
        before = (run.report.created, run.report.updated, run.report.unchanged)
        linked = run.report.linked.copy()
        changes, seen = len(run.changes), len(run.seen)
        try:
            with transaction.atomic():
                _may_write(run, p)
                if kind == "households":
                    _write_household(run, p)
                elif kind == "key-persons":
                    _write_key_person(run, p, cells)
                elif kind == "rentals":
                    _write_rental(run, p, cells, houses)
                elif kind == "places":
                    _write_place(run, p)
                else:
                    _write_camera(run, p)
        except (_Failed, DomainError) as exc:
            name, reason = (
                (exc.field, exc.reason)
                if isinstance(exc, _Failed)
                else next(iter(exc.fields.items()), ("", exc.message))
            )
            run.report.errors.append(RegisterRowError(p.line, p.key, name, reason))
            run.report.created, run.report.updated, run.report.unchanged = before
            run.report.linked = linked
            del run.changes[changes:]
            for key in list(run.seen)[seen:]:  # keys of what the savepoint rolled back
                del run.seen[key]
            if kind == "rentals":
                houses.by_address.clear()  # a house created in the rolled-back savepoint


# The kinds that write persons (landlords and tenants of the rentals included).
PEOPLE_KINDS = frozenset({"persons", "households", "key-persons", "rentals"})


def import_register_rows(
    rows: Iterable[dict[str, str]],
    mapping: RegisterMapping,
    *,
    actor: Actor,
    dry_run: bool = False,
    batch_size: int = BATCH,
    progress: Callable[[RegisterReport], None] | None = None,
) -> RegisterReport:
    """Import the rows by the mapping; with dry_run, the same work rolled back."""
    started = time.monotonic()
    report = RegisterReport(kind=mapping.kind, dry_run=dry_run)
    run = _Run(mapping, report, actor)
    prepare = _PREPARE[mapping.kind]
    houses = _Rentals()
    batch: list[tuple[_Prepared, _Cells]] = []

    def flush() -> None:
        if not batch:
            return
        with transaction.atomic():
            if mapping.kind == "persons":
                _write_persons(run, [p for p, _c in batch])
            else:
                _write_rows(run, batch, houses)
            run.flush_changes()
        batch.clear()
        if progress:
            progress(report)

    with transaction.atomic():
        for i, row in enumerate(rows):
            report.total += 1
            cells = _Cells(run, row, i + 2)
            prepared = prepare(run, cells)
            if prepared is None:
                report.errors.extend(cells.errors)
                continue
            batch.append((prepared, cells))
            if len(batch) >= batch_size:
                flush()
        flush()
        report.errors.sort(key=lambda e: e.row)
        if dry_run:
            transaction.set_rollback(True)
        elif mapping.kind in PEOPLE_KINDS:
            # Persons were written in bulk, past the services: the register figures of
            # their grids are recounted before the import commits (docs/registry.md).
            registry_rollup.rebuild()
    report.seconds = time.monotonic() - started
    return report


def import_register(
    *,
    kind: str,
    path: str | Path,
    mapping_text: str,
    actor: Actor | None = None,
    dry_run: bool = False,
    progress: Callable[[RegisterReport], None] | None = None,
) -> RegisterReport:
    """Import a CSV or Excel register file by a YAML mapping (MappingError when the
    mapping is wrong, before any row is read); the run is audited unless dry."""
    mapping = load_register_mapping(mapping_text, kind=kind)
    actor = actor or Actor.system("import_register")
    report = import_register_rows(
        read_rows(path), mapping, actor=actor, dry_run=dry_run, progress=progress
    )
    if not dry_run:
        actor.audit(
            "importer.register",
            object_type="register",
            object_id=mapping.kind,
            detail={
                "file": Path(path).name,
                "kind": mapping.kind,
                "total": report.total,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "failed": report.failed,
                **{k: n for k, n in report.linked.items() if n},
            },
        )
    return report


__all__ += ["MappingError", "normal_address"]
