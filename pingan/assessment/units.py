"""Assessed units (被考核单位): the towns of the scheme's county and its county
departments, named in URLs and the API as "town:<id>" or "department:<id>"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from pingan.assessment.choices import AppliesTo, UnitKind
from pingan.core.errors import invalid
from pingan.geo.choices import Level
from pingan.geo.models import Region
from pingan.org.models import Department


@dataclass(frozen=True)
class Unit:
    kind: str  # UnitKind
    id: int
    name: str = ""
    path: str = ""  # a town's region path ("" for a department)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"

    @property
    def is_town(self) -> bool:
        return self.kind == UnitKind.TOWN

    def fk(self) -> dict[str, Any]:
        """The two unit columns of a UnitOwned row for this unit."""
        if self.is_town:
            return {"unit_region_id": self.id, "unit_department_id": None}
        return {"unit_region_id": None, "unit_department_id": self.id}

    def filter(self) -> dict[str, Any]:
        if self.is_town:
            return {"unit_region_id": self.id}
        return {"unit_department_id": self.id}


def of_row(row: Any) -> Unit:
    """The unit of a UnitOwned row (its region or department loaded or not)."""
    if row.unit_region_id is not None:
        r = row.unit_region
        return Unit(UnitKind.TOWN, row.unit_region_id, r.name, r.path)
    return Unit(UnitKind.DEPARTMENT, row.unit_department_id, row.unit_department.name)


def towns_of(county: Region) -> list[Region]:
    return list(Region.objects.filter(parent=county, level=Level.TOWN).order_by("code"))


def departments_of(county: Region) -> list[Department]:
    return list(Department.objects.filter(region=county, is_active=True).order_by("code"))


def units_of(county: Region) -> list[Unit]:
    """Every unit of a county: its towns, then its county departments."""
    return [Unit(UnitKind.TOWN, r.pk, r.name, r.path) for r in towns_of(county)] + [
        Unit(UnitKind.DEPARTMENT, d.pk, d.name) for d in departments_of(county)
    ]


def parse(text: Any, county: Region, field: str = "unit") -> Unit:
    """The unit named "town:<id>" or "department:<id>" within the county; 422 otherwise."""
    kind, _sep, raw = str(text or "").partition(":")
    if kind not in UnitKind.values or not raw.isdigit():
        raise invalid(field, _("单位应写作 town:<编号> 或 department:<编号>"))
    pk = int(raw)
    if kind == UnitKind.TOWN:
        r = Region.objects.filter(pk=pk, parent=county, level=Level.TOWN).first()
        if r is not None:
            return Unit(UnitKind.TOWN, r.pk, r.name, r.path)
    else:
        d = Department.objects.filter(pk=pk, region=county).first()
        if d is not None:
            return Unit(UnitKind.DEPARTMENT, d.pk, d.name)
    raise invalid(field, _("不是本方案的被考核单位"))


def applies(applies_to: str, unit: Unit) -> bool:
    return applies_to == AppliesTo.BOTH or applies_to == unit.kind
