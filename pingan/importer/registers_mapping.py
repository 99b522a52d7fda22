"""The YAML mapping of a register file (docs/import-registers.md), checked before any row
is read: which register the file holds (`kind`), and which columns hold each field.

A field is written as in the events' mapping (`importer.mapping`): a column name, a list
of columns, a `template`, or `{column, map, default}`. Fixed-list fields (a person's kind,
a place's kind…) take the register's API values; `map` turns the source's words into
them, and a value that is none of them is a row error.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from typing import Any

import yaml

from pingan.importer.mapping import DEFAULT_DATE_FORMATS, Field, MappingError, _field

# Each register: its required fields, its optional ones. `region` may be left out where
# the coordinates (lat, lng) place the row in a grid.
KINDS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "persons": (
        frozenset({"name", "id_number", "region"}),
        frozenset(
            {
                "phone",
                "person_kind",
                "household",
                "relation",
                "address",
                "status",
                "moved_in_at",
                "sensitivity",
            }
        ),
    ),
    "households": (
        frozenset({"number", "region"}),
        frozenset({"household_kind", "address", "head_id_number", "head_name"}),
    ),
    "key-persons": (
        frozenset({"id_number", "category", "since"}),
        frozenset(
            {"name", "phone", "region", "address", "person_kind", "risk_level", "note", "helpers"}
        ),
    ),
    "rentals": (
        frozenset({"address", "region"}),
        frozenset(
            {
                "code",
                "rooms",
                "rental_kind",
                "managed",
                "status",
                "registered_on",
                "note",
                "lat",
                "lng",
                "landlord_name",
                "landlord_id_number",
                "landlord_phone",
                "tenant_name",
                "tenant_id_number",
                "tenant_phone",
                "tenant_since",
                "tenant_room",
            }
        ),
    ),
    "places": (
        frozenset({"name", "place_kind"}),
        frozenset(
            {
                "credit_code",
                "region",
                "address",
                "owner_is_person",
                "manager_name",
                "manager_phone",
                "sector",
                "status",
                "registered_on",
                "lat",
                "lng",
            }
        ),
    ),
    "cameras": (
        frozenset({"code", "name", "camera_kind"}),
        frozenset({"region", "owner_unit", "link_name", "status", "lat", "lng"}),
    ),
}
# Where coordinates may stand in for the region column.
LOCATED = frozenset({"rentals", "places", "cameras"})
OTHER_KEYS = {"kind", "date_formats", "timezone", "list_separator"}


@dataclass
class RegisterMapping:
    kind: str
    fields: dict[str, Field]
    date_formats: list[str] = field(default_factory=lambda: list(DEFAULT_DATE_FORMATS))
    tz: zoneinfo.ZoneInfo = field(default_factory=lambda: zoneinfo.ZoneInfo("Asia/Shanghai"))
    # Splits a cell holding several values (helpers, managed models).
    list_separator: str = "、"

    def has(self, name: str) -> bool:
        return name in self.fields


def load_register_mapping(text: str, *, kind: str | None = None) -> RegisterMapping:
    """Parse and check a register mapping; MappingError names the key at fault. `kind`
    (the command's argument) must agree with the file's `kind` when both are given."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise MappingError(f"YAML 格式错误：{exc}") from None
    if not isinstance(data, dict):
        raise MappingError("映射文件应为键值对")
    declared = data.get("kind")
    if declared is not None and kind is not None and declared != kind:
        raise MappingError(f"kind: 映射文件为 {declared}，命令指定为 {kind}")
    kind = kind or declared
    if kind not in KINDS:
        raise MappingError(f"kind: 应为 {', '.join(KINDS)} 之一")
    required, optional = KINDS[kind]
    body = {k: v for k, v in data.items() if k not in OTHER_KEYS}
    unknown = set(body) - required - optional
    if unknown:
        raise MappingError(f"未知的键：{', '.join(sorted(map(str, unknown)))}")
    for key in sorted(required):
        if key == "region" and kind in LOCATED and body.get("lat") and body.get("lng"):
            continue
        if not body.get(key):
            raise MappingError(f"缺少必填键：{key}")
    if kind in LOCATED and bool(body.get("lat")) != bool(body.get("lng")):
        raise MappingError("lat、lng: 应同时提供")
    formats = data.get("date_formats") or DEFAULT_DATE_FORMATS
    if not isinstance(formats, list) or not all(isinstance(f, str) for f in formats):
        raise MappingError("date_formats: 应为格式字符串列表")
    try:
        tz = zoneinfo.ZoneInfo(str(data.get("timezone", "Asia/Shanghai")))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise MappingError("timezone: 未知的时区") from None
    separator = str(data.get("list_separator") or "、")
    fields: dict[str, Field] = {
        str(name): _field(spec, str(name)) for name, spec in body.items() if spec is not None
    }
    _check_targets(kind, fields)
    return RegisterMapping(
        kind=kind, fields=fields, date_formats=list(formats), tz=tz, list_separator=separator
    )


def choices_of(kind: str) -> dict[str, list[str]]:
    """The fixed-list fields of a register and their allowed values."""
    from pingan.places.choices import (
        CameraKind,
        CameraStatus,
        PlaceKind,
        PlaceStatus,
        RentalKind,
        RentalStatus,
    )
    from pingan.privacy.choices import Sensitivity
    from pingan.registry.choices import HouseholdKind, PersonKind, PersonStatus, RiskLevel

    lists: dict[str, dict[str, Any]] = {
        "persons": {
            "person_kind": PersonKind.values,
            "status": PersonStatus.values,
            "sensitivity": [v for v in Sensitivity.values if v],
        },
        "households": {"household_kind": HouseholdKind.values},
        "key-persons": {"person_kind": PersonKind.values, "risk_level": RiskLevel.values},
        "rentals": {"rental_kind": RentalKind.values, "status": RentalStatus.values},
        "places": {"place_kind": PlaceKind.values, "status": PlaceStatus.values},
        "cameras": {"camera_kind": CameraKind.values, "status": CameraStatus.values},
    }
    return {k: list(v) for k, v in lists[kind].items()}


def _check_targets(kind: str, fields: dict[str, Field]) -> None:
    """A map's targets (and a default) must be values of the fixed list."""
    for name, allowed in choices_of(kind).items():
        f = fields.get(name)
        if f is None:
            continue
        for target in [*(f.values or {}).values(), f.default]:
            if target is not None and target not in allowed:
                raise MappingError(f"{name}: {target} 不是可选值（{', '.join(allowed)}）")
