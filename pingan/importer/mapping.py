"""The declarative mapping of a source file onto events (YAML; see docs/import.md).

A field is either a column name, a list of column names (joined with new lines), or
`{column | columns | template, map, default}`: the cell's text (trimmed) is looked up in
`map` when given (unknown values are errors unless `default` is set), and `default`
stands in for an empty cell or a missing column. A `template` writes the text from
several cells (`"{Request Type}：{Address}"`; a missing column reads as empty).
"""

from __future__ import annotations

import datetime as dt
import re
import string
import zoneinfo
from collections.abc import Mapping as AnyMapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from pingan.events.choices import Source, Status, Urgency

DEFAULT_DATE_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日",
    "%Y-%m-%dT%H:%M:%S",
]
# Every state: finished records as they ended, open ones into the live workflow.
IMPORTABLE_STATUSES = set(Status.values)
# Placeholder coordinates within this many degrees of a declared point are dropped.
PLACEHOLDER_TOLERANCE = 1e-6


class _Cells(dict[str, str]):
    """A row for a template: a missing column reads as empty."""

    def __missing__(self, key: str) -> str:
        return ""


_FORMATTER = string.Formatter()


class MappingError(ValueError):
    """The mapping file itself is wrong (not one row)."""


@dataclass
class Field:
    column: str = ""
    columns: list[str] = field(default_factory=list)  # text fields may join several
    values: dict[str, str] | None = None
    default: str | None = None
    template: str = ""

    def raw(self, row: AnyMapping[str, str]) -> str:
        if self.template:
            cells = _Cells({k: (v or "").strip() for k, v in row.items()})
            return self.template.format_map(cells).strip()
        cols = self.columns or ([self.column] if self.column else [])
        parts = [row.get(c, "") or "" for c in cols]
        return "\n".join(p for p in parts if p.strip())

    def value(self, row: AnyMapping[str, str]) -> tuple[str | None, str]:
        """(value, error). Value None with no error means "empty"."""
        text = self.raw(row).strip()
        if not text:
            return (self.default, "")
        if self.values is not None:
            if text in self.values:
                return (str(self.values[text]), "")
            if self.default is not None:
                return (self.default, "")
            return (None, f"取值“{text[:30]}”不在映射表中")
        return (text, "")


@dataclass
class Mapping:
    source: str
    external_id: Field
    description: Field
    title: Field
    reported_at: Field
    closed_at: Field
    accepted_at: Field
    dispatched_at: Field
    due_at: Field
    master: Field
    urgency: Field
    category: Field
    department: Field
    status: Field
    region: Field
    lat: Field
    lng: Field
    result: Field
    reporter_name: Field
    address: Field
    channel: Field
    date_formats: list[str]
    tz: zoneinfo.ZoneInfo
    placeholder_points: list[tuple[float, float]] = field(default_factory=list)

    def is_placeholder(self, lat: float, lng: float) -> bool:
        """Whether (lat, lng) is one of the source's declared placeholder points."""
        return any(
            abs(lat - a) <= PLACEHOLDER_TOLERANCE and abs(lng - b) <= PLACEHOLDER_TOLERANCE
            for a, b in self.placeholder_points
        )

    def parse_time(self, text: str) -> dt.datetime | None:
        """The first date format that reads the whole text; None if none does."""
        text = re.sub(r"\s+", " ", text.strip())
        for fmt in self.date_formats:
            try:
                value = dt.datetime.strptime(text, fmt)  # noqa: DTZ007 (zone set below)
            except ValueError:
                continue
            return value.replace(tzinfo=self.tz)
        return None


def _field(spec: Any, name: str) -> Field:
    if spec is None:
        return Field()
    if isinstance(spec, str):
        return Field(column=spec)
    if isinstance(spec, list):
        return Field(columns=[str(c) for c in spec])
    if not isinstance(spec, dict):
        raise MappingError(f"{name}: 应为列名、列名列表或 {{column, map, default}}")
    unknown = set(spec) - {"column", "columns", "template", "map", "default"}
    if unknown:
        raise MappingError(f"{name}: 未知的键 {', '.join(sorted(unknown))}")
    values = spec.get("map")
    if values is not None and not isinstance(values, dict):
        raise MappingError(f"{name}.map: 应为“源值: 目标值”的映射")
    col = spec.get("column", "")
    cols = spec.get("columns") or []
    default = spec.get("default")
    template = spec.get("template") or ""
    if template:
        try:
            names = [f for _t, f, _s, _c in _FORMATTER.parse(str(template)) if f is not None]
        except ValueError as exc:
            raise MappingError(f"{name}.template: {exc}") from None
        if any(not f for f in names):
            raise MappingError(f"{name}.template: 花括号中应写列名")
    return Field(
        column=str(col) if col else "",
        columns=[str(c) for c in cols],
        values={str(k).strip(): str(v) for k, v in values.items()} if values else None,
        default=None if default is None else str(default),
        template=str(template),
    )


def _targets(f: Field) -> list[str]:
    """The values a field can give after mapping (its map's targets and default)."""
    return [v for v in [*(f.values or {}).values(), f.default] if v is not None]


def _points(spec: Any) -> list[tuple[float, float]]:
    if spec is None:
        return []
    try:
        points = [(float(p[0]), float(p[1])) for p in spec]
        if any(len(p) != 2 for p in spec):
            raise ValueError
    except (TypeError, ValueError, IndexError):
        raise MappingError("placeholder_points: 应为 [[纬度, 经度], …]") from None
    return points


KNOWN_KEYS = {
    "source",
    "external_id",
    "title",
    "description",
    "reported_at",
    "closed_at",
    "accepted_at",
    "dispatched_at",
    "due_at",
    "master",
    "urgency",
    "placeholder_points",
    "category",
    "department",
    "status",
    "region",
    "lat",
    "lng",
    "result",
    "reporter_name",
    "address",
    "channel",
    "date_formats",
    "timezone",
}


def load_mapping(text: str) -> Mapping:
    """Parse and check a mapping; raises MappingError naming the key at fault."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise MappingError(f"YAML 格式错误：{exc}") from None
    if not isinstance(data, dict):
        raise MappingError("映射文件应为键值对")
    unknown = set(data) - KNOWN_KEYS
    if unknown:
        raise MappingError(f"未知的键：{', '.join(sorted(unknown))}")
    for key in ("source", "external_id", "description", "reported_at", "category", "region"):
        if not data.get(key):
            raise MappingError(f"缺少必填键：{key}")
    # A channel is one value for the whole file (a source code) or a field per row.
    raw_channel = data.get("channel", Source.OTHER)
    if isinstance(raw_channel, str) and raw_channel in Source.values:
        channel = Field(default=raw_channel)
    else:
        # A column (its cells channel codes, checked row by row) or {column, map, default}.
        channel = _field(raw_channel, "channel")
    for target in _targets(channel):
        if target not in Source.values:
            raise MappingError(f"channel: {target} 不是渠道代码（{', '.join(Source.values)}）")
    formats = data.get("date_formats") or DEFAULT_DATE_FORMATS
    if not isinstance(formats, list) or not all(isinstance(f, str) for f in formats):
        raise MappingError("date_formats: 应为格式字符串列表")
    try:
        tz = zoneinfo.ZoneInfo(str(data.get("timezone", "Asia/Shanghai")))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise MappingError("timezone: 未知的时区") from None
    status = _field(data.get("status") or {"default": "closed"}, "status")
    for target in _targets(status):
        if target not in IMPORTABLE_STATUSES:
            raise MappingError(f"status: {target} 不是事件状态（{', '.join(Status.values)}）")
    urgency = _field(data.get("urgency") or {"default": Urgency.NORMAL}, "urgency")
    for target in _targets(urgency):
        if target not in Urgency.values:
            raise MappingError(f"urgency: {target} 不是紧急程度（{', '.join(Urgency.values)}）")
    return Mapping(
        source=str(data["source"])[:50],
        external_id=_field(data["external_id"], "external_id"),
        description=_field(data["description"], "description"),
        title=_field(data.get("title"), "title"),
        reported_at=_field(data["reported_at"], "reported_at"),
        closed_at=_field(data.get("closed_at"), "closed_at"),
        accepted_at=_field(data.get("accepted_at"), "accepted_at"),
        dispatched_at=_field(data.get("dispatched_at"), "dispatched_at"),
        due_at=_field(data.get("due_at"), "due_at"),
        master=_field(data.get("master"), "master"),
        urgency=urgency,
        category=_field(data["category"], "category"),
        department=_field(data.get("department"), "department"),
        status=status,
        region=_field(data["region"], "region"),
        lat=_field(data.get("lat"), "lat"),
        lng=_field(data.get("lng"), "lng"),
        result=_field(data.get("result"), "result"),
        reporter_name=_field(data.get("reporter_name"), "reporter_name"),
        address=_field(data.get("address"), "address"),
        channel=channel,
        date_formats=list(formats),
        tz=tz,
        placeholder_points=_points(data.get("placeholder_points")),
    )
