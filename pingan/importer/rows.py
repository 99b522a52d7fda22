"""One source row checked and turned into the values of an event (or its errors).

A bad row is reported (row number, external id, field, reason) and never half-written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pingan.core import clock
from pingan.events.choices import Source, Status
from pingan.events.models import Category
from pingan.events.titles import title_from
from pingan.geo import locator
from pingan.geo.models import Region
from pingan.importer.mapping import Field, Mapping
from pingan.org.models import Department

# States in which the event's handling is under way: a lead department is needed.
HANDLED_STATUSES = frozenset({Status.DISPATCHED, Status.IN_PROGRESS, Status.RESOLVED})


@dataclass
class RowError:
    row: int
    external_id: str
    field: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "external_id": self.external_id,
            "field": self.field,
            "reason": self.reason,
        }

    def __str__(self) -> str:
        ext = f"（编号 {self.external_id}）" if self.external_id else ""
        return f"第{self.row}条{ext} {self.field}: {self.reason}"


@dataclass
class Prepared:
    row: int
    external_id: str
    values: dict[str, Any]


def clean_text(text: str) -> str:
    """Cells copied from web pages carry tabs and runs of blank lines: trim every line,
    drop empty ones."""
    lines = [ln.strip(" \t\u3000\r") for ln in text.replace("\r\n", "\n").split("\n")]
    return "\n".join(ln for ln in lines if ln)


class Lookups:
    """Per-run caches of categories, departments and regions."""

    def __init__(self) -> None:
        self.categories: dict[str, Category | None] = {}
        self.departments: dict[str, Department | None] = {}
        self.regions: dict[str, Region | str] = {}
        self.grids: dict[int, Region | None] = {}

    def grid(self, pk: int) -> Region | None:
        if pk not in self.grids:
            self.grids[pk] = Region.objects.filter(pk=pk).first()
        return self.grids[pk]

    def category(self, code: str) -> Category | None:
        if code not in self.categories:
            cat = Category.objects.filter(code=code).first() or (
                Category.objects.filter(name=code).first()
            )
            if cat is not None and cat.children.exists():
                cat = None
            self.categories[code] = cat
        return self.categories[code]

    def department(self, code: str) -> Department | None:
        if code not in self.departments:
            self.departments[code] = (
                Department.objects.filter(code=code).first()
                or Department.objects.filter(name=code).first()
            )
        return self.departments[code]

    def region(self, key: str) -> Region | str:
        """The region with this code (or this unique name), else an error text."""
        if key not in self.regions:
            reg = Region.objects.filter(code=key).first()
            if reg is None:
                named = list(Region.objects.filter(name=key)[:2])
                reg = named[0] if len(named) == 1 else None
                if len(named) > 1:
                    self.regions[key] = f"区划名称“{key}”不唯一，请使用代码"
                    return self.regions[key]
            self.regions[key] = reg if reg is not None else f"区划“{key}”不存在"
        return self.regions[key]


def prepare(m: Mapping, row: dict[str, str], n: int, look: Lookups) -> Prepared | list[RowError]:
    """The event values of source row `n`, or every error found in it."""
    errors: list[RowError] = []
    ext, _e = m.external_id.value(row)
    ext = (ext or "").strip()

    def err(name: str, reason: str) -> None:
        errors.append(RowError(n, ext, name, reason))

    if not ext:
        err("external_id", "缺少外部编号")
    elif len(ext) > 100:
        err("external_id", "外部编号超过100字")
    description = clean_text(m.description.raw(row))
    if not description:
        err("description", "事件描述为空")
    title = clean_text(m.title.raw(row)).replace("\n", " ")[:200] or title_from(description)
    now = clock.now()

    def when(name: str, f: Field, required: bool) -> dt.datetime | None:
        text, e = f.value(row)
        if e:
            err(name, e)
            return None
        if not text:
            if required:
                err(name, "时间为空")
            return None
        value = m.parse_time(text)
        if value is None:
            err(name, f"无法识别的时间“{text[:30]}”")
        elif value > now and name != "due_at":
            err(name, "时间晚于当前时间")
        return value

    reported_at = when("reported_at", m.reported_at, True)
    status, e = m.status.value(row)
    if e:
        err("status", e)
    elif status not in Status.values:
        err("status", f"“{status}”不是事件状态")
    closed_at = when("closed_at", m.closed_at, status == Status.CLOSED)
    if status != Status.CLOSED:
        closed_at = None
    accepted_at = when("accepted_at", m.accepted_at, False)
    dispatched_at = when("dispatched_at", m.dispatched_at, False)
    due_at = when("due_at", m.due_at, False)
    for name, value in (
        ("closed_at", closed_at),
        ("accepted_at", accepted_at),
        ("dispatched_at", dispatched_at),
        ("due_at", due_at),
    ):
        if reported_at and value and value < reported_at:
            err(name, "早于上报时间")

    urgency, e = m.urgency.value(row)
    if e:
        err("urgency", e)
    channel, e = m.channel.value(row)
    if e:
        err("channel", e)
    elif channel not in Source.values:
        err("channel", f"“{channel}”不是渠道代码")

    code, e = m.category.value(row)
    category = None
    if e or not code:
        err("category", e or "分类为空")
    else:
        category = look.category(code)
        if category is None:
            err("category", f"分类“{code}”不存在或不是具体的小类")
    department = None
    dcode, e = m.department.value(row)
    if e:
        err("department", e)
    elif dcode:
        department = look.department(dcode)
        if department is None:
            err("department", f"部门“{dcode}”不存在")
    if status in HANDLED_STATUSES and department is None and not dcode:
        err("department", "已派遣、处置中或待核查的事件须有主办部门")

    lat, lng = _point(m, row, err)
    region: Region | None = None
    if lat is not None and lng is not None:
        grid = locator.grid_id_at(lat, lng)
        if grid is not None:
            region = look.grid(grid)
    if region is None:
        key, e = m.region.value(row)
        if e or not key:
            err("region", e or "所在区划为空")
        else:
            found = look.region(key)
            if isinstance(found, str):
                err("region", found)
            else:
                region = found
    if errors:
        return errors
    assert reported_at is not None and category is not None and region is not None
    result, _e = m.result.value(row)
    reporter, _e = m.reporter_name.value(row)
    address, _e = m.address.value(row)
    master, _e = m.master.value(row)
    return Prepared(
        row=n,
        external_id=ext,
        values={
            "title": title,
            "description": description,
            "status": status,
            "urgency": urgency,
            "source": channel,
            "category": category,
            "lead_department": department,
            "region": region,
            "lat": lat,
            "lng": lng,
            "reported_at": reported_at,
            "accepted_at": accepted_at,
            "dispatched_at": dispatched_at,
            "due_at": due_at,
            "closed_at": closed_at,
            "master": (master or "").strip()[:100] if status == Status.MERGED else "",
            "result": clean_text(result or ""),
            "reporter_name": (reporter or "")[:50],
            "address": (address or "")[:255],
        },
    )


def _point(m: Mapping, row: dict[str, str], err: Any) -> tuple[float | None, float | None]:
    """The row's coordinates; none when absent or one of the declared placeholders."""
    lat_text, _e1 = m.lat.value(row)
    lng_text, _e2 = m.lng.value(row)
    if not (lat_text or lng_text):
        return None, None
    try:
        lat, lng = float(lat_text or ""), float(lng_text or "")
        if not (-90 <= lat <= 90 and -180 <= lng <= 180):
            raise ValueError
    except ValueError:
        err("lat", "坐标格式不正确")
        return None, None
    if m.is_placeholder(lat, lng):
        return None, None
    return lat, lng
