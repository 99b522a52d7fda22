"""The YAML mapping of a catalogue file onto departments and categories
(docs/import.md, "Departments and categories"), checked before any row is read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import yaml

from pingan.events.choices import Urgency
from pingan.importer.mapping import Field, MappingError, _field

Kind = Literal["departments", "categories"]

DEPARTMENT_KEYS = {"code", "name", "region", "email"}
DEADLINE_KEYS = ("ack_amount", "ack_unit", "handle_amount", "handle_unit")
CATEGORY_KEYS = {
    "code",
    "name",
    "parent",
    "create_parents",
    "parent_code_prefix",
    "default_department",
    "department",
    "sort",
    "sensitivity",
    "deadlines",
}


# ---- the mapping ------------------------------------------------------------------------


@dataclass
class DepartmentMapping:
    code: Field
    name: Field
    region: Field
    email: Field | None  # None: the stored address is kept


@dataclass
class CatalogueMapping:
    kind: Kind
    code: Field
    name: Field
    department: DepartmentMapping | None = None  # the departments file, or a category's block
    parent: Field | None = None
    create_parents: bool = False
    parent_code_prefix: str = ""
    default_department: Field | None = None
    sort: Field | None = None
    sensitivity: Field | None = None
    deadlines: dict[str, dict[str, Field]] = field(default_factory=dict)


def _department_mapping(data: dict[str, Any], where: str) -> DepartmentMapping:
    for key in ("code", "name"):
        if not data.get(key):
            raise MappingError(f"缺少必填键：{where}{key}")
    return DepartmentMapping(
        code=_field(data["code"], f"{where}code"),
        name=_field(data["name"], f"{where}name"),
        region=_field(data.get("region"), f"{where}region"),
        email=_field(data["email"], f"{where}email") if data.get("email") else None,
    )


def _deadlines(spec: Any) -> dict[str, dict[str, Field]]:
    """`{ack_amount, ack_unit, handle_amount, handle_unit}` for 一般 (normal), or one such
    block per urgency. Units default to hours (acknowledge) and days (handle). A row gives
    an urgency's deadline when its handle_amount has a value."""
    if spec is None:
        return {}
    if not isinstance(spec, dict):
        raise MappingError("deadlines: 应为时限列的映射")
    blocks = spec if set(spec) <= set(Urgency.values) else {Urgency.NORMAL.value: spec}
    out: dict[str, dict[str, Field]] = {}
    for urgency, block in blocks.items():
        where = f"deadlines.{urgency}" if blocks is spec else "deadlines"
        if not isinstance(block, dict):
            raise MappingError(f"{where}: 应为时限列的映射")
        unknown = set(block) - set(DEADLINE_KEYS)
        if unknown:
            raise MappingError(f"{where}: 未知的键 {', '.join(sorted(map(str, unknown)))}")
        for key in ("ack_amount", "handle_amount"):
            if not block.get(key):
                raise MappingError(f"缺少必填键：{where}.{key}")
        units = {"ack_unit": "hours", "handle_unit": "days"}
        out[str(urgency)] = {
            k: _field(block.get(k) or {"default": units.get(k)}, f"{where}.{k}")
            for k in DEADLINE_KEYS
        }
    return out


def load_catalogue_mapping(text: str) -> CatalogueMapping:
    """Parse and check a catalogue mapping; MappingError names the key at fault."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise MappingError(f"YAML 格式错误：{exc}") from None
    if not isinstance(data, dict):
        raise MappingError("映射文件应为键值对")
    kind = data.get("kind")
    if kind not in ("departments", "categories"):
        raise MappingError("kind: 应为 departments 或 categories")
    body = {k: v for k, v in data.items() if k != "kind"}
    known = DEPARTMENT_KEYS if kind == "departments" else CATEGORY_KEYS
    unknown = set(body) - known
    if unknown:
        raise MappingError(f"未知的键：{', '.join(sorted(map(str, unknown)))}")
    if kind == "departments":
        dm = _department_mapping(body, "")
        return CatalogueMapping(kind="departments", code=dm.code, name=dm.name, department=dm)
    for key in ("code", "name"):
        if not body.get(key):
            raise MappingError(f"缺少必填键：{key}")
    block = body.get("department")
    if block is not None and not isinstance(block, dict):
        raise MappingError("department: 应为 {code, name, region, email} 的映射")
    department = _department_mapping(block, "department.") if block else None
    default_department = body.get("default_department")
    prefix = str(body.get("parent_code_prefix") or "")
    if len(prefix) > 20:
        raise MappingError("parent_code_prefix: 不超过20个字符")
    return CatalogueMapping(
        kind="categories",
        code=_field(body["code"], "code"),
        name=_field(body["name"], "name"),
        department=department,
        parent=_field(body["parent"], "parent") if "parent" in body else None,
        create_parents=bool(body.get("create_parents")),
        parent_code_prefix=prefix,
        # Without its own key, a category's default department is the one its row names.
        default_department=(
            _field(default_department, "default_department")
            if default_department
            else (department.code if department else None)
        ),
        sort=_field(body["sort"], "sort") if "sort" in body else None,
        sensitivity=_field(body["sensitivity"], "sensitivity") if "sensitivity" in body else None,
        deadlines=_deadlines(body.get("deadlines")),
    )
