"""Importing historical events as records.

Historical events are already finished: they are written as `Event` rows in their final
state with their past timestamps and one "imported" timeline line, not replayed through
the workflow. Each row is checked first; a bad row is reported (row number, external id,
field, reason) and skipped, never half-written. Rows whose external id was imported
before are left alone, so running the same file twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from pingan.core import audit, clock
from pingan.events.choices import Status
from pingan.events.models import Category, Event, EventCodeCounter, EventTransition
from pingan.events.titles import title_from
from pingan.geo import locator
from pingan.geo.models import Region
from pingan.geo.selectors import county_code_of, queue_region_for
from pingan.importer.choices import JobStatus
from pingan.importer.mapping import Mapping, load_mapping
from pingan.importer.models import ImportedRecord, ImportJob
from pingan.org.models import Department
from pingan.triage.tabular import read_rows

BATCH = 500
_BLANK_LINES = re.compile(r"[ \t\u3000]*\n[\s\u3000]*")


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
class Report:
    total: int = 0
    imported: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def failed(self) -> int:
        return len({e.row for e in self.errors})

    @property
    def summary(self) -> str:
        verb = "可导入" if self.dry_run else "已导入"
        return (
            f"total={self.total} {'would_import' if self.dry_run else 'imported'}={self.imported} "
            f"unchanged={self.unchanged} errors={self.failed}（{verb} {self.imported} 条，"
            f"已存在 {self.unchanged} 条，出错 {self.failed} 条）"
        )


def clean_text(text: str) -> str:
    """Cells copied from web pages carry tabs and runs of blank lines: trim every line,
    drop empty ones."""
    lines = [ln.strip(" \t\u3000\r") for ln in text.replace("\r\n", "\n").split("\n")]
    return "\n".join(ln for ln in lines if ln)


@dataclass
class Prepared:
    row: int
    external_id: str
    values: dict[str, Any]


class _Lookups:
    """Per-run caches of categories, departments and regions."""

    def __init__(self) -> None:
        self.categories: dict[str, Category | None] = {}
        self.departments: dict[str, Department | None] = {}
        self.regions: dict[str, Region | str] = {}

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


def _prepare(m: Mapping, row: dict[str, str], n: int, look: _Lookups) -> Prepared | list[RowError]:
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

    def when(name: str, f: Any, required: bool) -> dt.datetime | None:
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
        elif value > now:
            err(name, "时间晚于当前时间")
        return value

    reported_at = when("reported_at", m.reported_at, True)
    status, e = m.status.value(row)
    if e:
        err("status", e)
    elif status not in (Status.CLOSED, Status.REJECTED):
        err("status", f"历史导入只支持已办结或不予受理，不支持“{status}”")
    closed_at = when("closed_at", m.closed_at, status == Status.CLOSED)
    if reported_at and closed_at and closed_at < reported_at:
        err("closed_at", "办结时间早于上报时间")

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

    lat = lng = None
    lat_text, _e1 = m.lat.value(row)
    lng_text, _e2 = m.lng.value(row)
    if lat_text or lng_text:
        try:
            lat, lng = float(lat_text or ""), float(lng_text or "")
            if not (-90 <= lat <= 90 and -180 <= lng <= 180):
                raise ValueError
        except ValueError:
            err("lat", "坐标格式不正确")
            lat = lng = None
    region: Region | None = None
    if lat is not None and lng is not None:
        grid = locator.grid_id_at(lat, lng)
        if grid is not None:
            region = Region.objects.filter(pk=grid).first()
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
    return Prepared(
        row=n,
        external_id=ext,
        values={
            "title": title,
            "description": description,
            "status": status,
            "category": category,
            "lead_department": department,
            "region": region,
            "lat": lat,
            "lng": lng,
            "reported_at": reported_at,
            "closed_at": closed_at if status == Status.CLOSED else None,
            "result": clean_text(result or ""),
            "reporter_name": (reporter or "")[:50],
            "address": (address or "")[:255],
        },
    )


def _allocate_codes(items: list[Prepared]) -> list[str]:
    """Event codes in the usual form, taking numbers from the same per-county-per-day
    counters as live reports (locked while a block is taken)."""
    by_prefix: dict[str, list[int]] = {}
    for i, p in enumerate(items):
        region = p.values["region"]
        day = timezone.localtime(p.values["reported_at"]).strftime("%Y%m%d")
        by_prefix.setdefault(f"{county_code_of(region)}-{day}", []).append(i)
    codes = [""] * len(items)
    for prefix, idx in sorted(by_prefix.items()):
        counter, _c = EventCodeCounter.objects.select_for_update().get_or_create(prefix=prefix)
        first = counter.last + 1
        counter.last += len(idx)
        counter.save(update_fields=["last"])
        for k, i in enumerate(idx):
            codes[i] = f"{prefix}-{first + k:06d}"
    return codes


def _write(m: Mapping, items: list[Prepared], file_name: str, job: ImportJob | None) -> None:
    if not items:
        return
    queues: dict[int, Region] = {}
    with transaction.atomic():
        codes = _allocate_codes(items)
        events = []
        for p, code in zip(items, codes, strict=True):
            v = p.values
            region: Region = v["region"]
            if region.pk not in queues:
                queues[region.pk] = queue_region_for(region)
            events.append(
                Event(
                    code=code,
                    title=v["title"],
                    description=v["description"],
                    status=v["status"],
                    category=v["category"],
                    source=m.channel,
                    region=region,
                    region_path=region.path,
                    queue_region=queues[region.pk],
                    lat=v["lat"],
                    lng=v["lng"],
                    address=v["address"],
                    reported_at=v["reported_at"],
                    closed_at=v["closed_at"],
                    reporter_name=v["reporter_name"],
                    lead_department=v["lead_department"],
                    extra={"import": {"source": m.source, "external_id": p.external_id}},
                )
            )
        created = Event.objects.bulk_create(events)
        EventTransition.objects.bulk_create(
            [
                EventTransition(
                    event=e,
                    action="imported",
                    from_status="",
                    to_status=e.status,
                    actor_role="system",
                    department=e.lead_department,
                    note=p.values["result"],
                    data={"source": m.source, "external_id": p.external_id, "file": file_name},
                    at=e.closed_at or e.reported_at,
                )
                for e, p in zip(created, items, strict=True)
            ]
        )
        ImportedRecord.objects.bulk_create(
            [
                ImportedRecord(source=m.source, external_id=p.external_id, event=e, job=job)
                for e, p in zip(created, items, strict=True)
            ]
        )


def import_rows(
    rows: Iterable[dict[str, str]],
    mapping: Mapping,
    *,
    dry_run: bool = False,
    file_name: str = "",
    job: ImportJob | None = None,
    progress: Callable[[Report, int], None] | None = None,
) -> Report:
    """Import rows by the mapping (or only check them with dry_run). Returns the report:
    every row is counted as imported, unchanged (imported before) or in error."""
    report = Report(dry_run=dry_run)
    look = _Lookups()
    seen: set[str] = set()
    batch: list[Prepared] = []

    def flush() -> None:
        if not batch:
            return
        ids = [p.external_id for p in batch]
        existing = set(
            ImportedRecord.objects.filter(source=mapping.source, external_id__in=ids).values_list(
                "external_id", flat=True
            )
        )
        fresh = [p for p in batch if p.external_id not in existing]
        report.unchanged += len(batch) - len(fresh)
        if not dry_run:
            _write(mapping, fresh, file_name, job)
        report.imported += len(fresh)
        batch.clear()
        if progress:
            progress(report, report.total)

    for n, row in enumerate(rows, start=1):
        report.total += 1
        result = _prepare(mapping, row, n, look)
        if isinstance(result, list):
            report.errors.extend(result)
        elif result.external_id in seen:
            report.errors.append(
                RowError(n, result.external_id, "external_id", "文件内外部编号重复")
            )
        else:
            seen.add(result.external_id)
            batch.append(result)
            if len(batch) >= BATCH:
                flush()
        if progress and n % BATCH == 0:
            progress(report, n)
    flush()
    return report


def import_file(
    *,
    path: str | Path,
    mapping_text: str,
    dry_run: bool = False,
    job: ImportJob | None = None,
    progress: Callable[[Report, int], None] | None = None,
    actor: Any = None,
) -> Report:
    """Import a CSV or Excel file by a YAML mapping (MappingError when the mapping is
    wrong, before any row is read)."""
    mapping = load_mapping(mapping_text)
    report = import_rows(
        read_rows(path),
        mapping,
        dry_run=dry_run,
        file_name=Path(path).name,
        job=job,
        progress=progress,
    )
    if not dry_run:
        audit.record(
            action="importer.import",
            actor=actor,
            object_type="import",
            object_id=job.pk if job else "",
            detail={
                "file": Path(path).name,
                "source": mapping.source,
                "total": report.total,
                "imported": report.imported,
                "unchanged": report.unchanged,
                "failed": report.failed,
            },
        )
    return report


def import_job_create(
    *, path: str, mapping_text: str, dry_run: bool = False, user: Any = None
) -> ImportJob:
    """Check the mapping, record a job and enqueue it (after commit)."""
    load_mapping(mapping_text)
    if not Path(path).is_file():
        raise FileNotFoundError(path)
    job = ImportJob.objects.create(
        file=str(path),
        mapping=mapping_text,
        dry_run=dry_run,
        created_by=user if getattr(user, "pk", None) else None,
    )

    def enqueue() -> None:
        from pingan.importer.tasks import run_import

        run_import.enqueue(job.pk)

    transaction.on_commit(enqueue)
    return job


def import_job_run(*, job_id: int) -> ImportJob:
    """Run a recorded job, saving progress every batch and the error report at the end."""
    job = ImportJob.objects.get(pk=job_id)
    if job.status not in (JobStatus.PENDING, JobStatus.FAILED):
        return job
    job.status = JobStatus.RUNNING
    job.save(update_fields=["status"])

    def progress(report: Report, n: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(
            processed=n,
            imported=report.imported,
            unchanged=report.unchanged,
            failed=report.failed,
        )

    try:
        report = import_file(
            path=job.file,
            mapping_text=job.mapping,
            dry_run=job.dry_run,
            job=job,
            progress=progress,
            actor=job.created_by,
        )
    except Exception as exc:
        job.status = JobStatus.FAILED
        job.message = str(exc)[:2000]
        job.finished_at = clock.now()
        job.save(update_fields=["status", "message", "finished_at"])
        raise
    job.refresh_from_db()
    job.status = JobStatus.DONE
    job.total = job.processed = report.total
    job.imported, job.unchanged, job.failed = report.imported, report.unchanged, report.failed
    job.errors = [e.as_dict() for e in report.errors]
    job.message = report.summary
    job.finished_at = clock.now()
    job.save()
    return job
