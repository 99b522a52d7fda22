"""Importing events from another system's records.

Each row is checked first; a bad row is reported (row number, external id, field,
reason) and skipped, never half-written. Finished records are written in their final
state with their past timestamps, open ones enter the live workflow in the state mapped
(`importer.states`); each gets one "imported" timeline line, nobody is notified. Rows whose
external id was imported before are left alone, so running the same file twice changes
nothing. The facts of the new events are written with them, batch by batch, and the
figures of the days the file covers are recounted when the import ends, so every figure
is right the moment it returns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from pingan.analytics.services import rollup_days_recount, rollup_events_added
from pingan.core import audit, clock
from pingan.events.choices import AssignmentStatus, Status
from pingan.events.models import Assignment, Event, EventCodeCounter, EventTransition
from pingan.geo.models import Region
from pingan.geo.selectors import county_code_of, queue_region_for
from pingan.importer.choices import JobStatus
from pingan.importer.mapping import Mapping, load_mapping
from pingan.importer.models import ImportedRecord, ImportJob
from pingan.importer.rows import Lookups, Prepared, RowError, clean_text, prepare
from pingan.importer.states import lead_assignment, state_fields
from pingan.triage.tabular import read_rows

__all__ = ["Report", "RowError", "clean_text", "import_file", "import_rows"]

BATCH = 500


@dataclass
class Report:
    total: int = 0
    imported: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    # Reported days of the rows imported or already there (the figures recounted).
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    # Duplicates whose master the source names but the import never found.
    unlinked: list[str] = field(default_factory=list)
    by_status: dict[str, int] = field(default_factory=dict)
    # Per run: each region's county code (for event codes).
    counties: dict[int, str] = field(default_factory=dict, repr=False)
    queues: dict[int, Region] = field(default_factory=dict, repr=False)

    @property
    def failed(self) -> int:
        return len({e.row for e in self.errors})

    def saw(self, p: Prepared) -> None:
        day = timezone.localdate(p.values["reported_at"])
        self.first_day = day if self.first_day is None else min(self.first_day, day)
        self.last_day = day if self.last_day is None else max(self.last_day, day)

    @property
    def summary(self) -> str:
        verb = "可导入" if self.dry_run else "已导入"
        return (
            f"total={self.total} {'would_import' if self.dry_run else 'imported'}={self.imported} "
            f"unchanged={self.unchanged} errors={self.failed}（{verb} {self.imported} 条，"
            f"已存在 {self.unchanged} 条，出错 {self.failed} 条）"
        )

    @property
    def notes(self) -> list[str]:
        """What else the import has to say: states, unlinked duplicates, figures."""
        out = []
        if self.by_status:
            parts = [f"{s.label} {self.by_status[s]}" for s in Status if s in self.by_status]
            out.append(("可导入" if self.dry_run else "已导入") + "：" + "，".join(parts))
        if self.unlinked:
            shown = "、".join(self.unlinked[:10])
            more = f" 等 {len(self.unlinked)} 条" if len(self.unlinked) > 10 else ""
            out.append(f"重复件的主件未导入，已标为重复、未关联主件：{shown}{more}")
        if not self.dry_run and self.first_day is not None:
            out.append(f"统计已按 {self.first_day} 至 {self.last_day} 上报的事件更新")
        return out


def _allocate_codes(items: list[Prepared], counties: dict[int, str]) -> list[str]:
    """Event codes in the usual form, taking numbers from the same per-county-per-day
    counters as live reports: the batch's counters locked in one statement (in prefix
    order, as live reports lock one), the missing ones created, all moved on together.
    `counties` caches each region's county code."""
    by_prefix: dict[str, list[int]] = {}
    for i, p in enumerate(items):
        region = p.values["region"]
        if region.pk not in counties:
            counties[region.pk] = county_code_of(region)
        day = timezone.localtime(p.values["reported_at"]).strftime("%Y%m%d")
        by_prefix.setdefault(f"{counties[region.pk]}-{day}", []).append(i)
    prefixes = sorted(by_prefix)
    EventCodeCounter.objects.bulk_create(
        [EventCodeCounter(prefix=x) for x in prefixes], ignore_conflicts=True
    )
    counters = list(
        EventCodeCounter.objects.select_for_update().filter(prefix__in=prefixes).order_by("prefix")
    )
    codes = [""] * len(items)
    for counter in counters:
        idx = by_prefix[counter.prefix]
        first = counter.last + 1
        counter.last += len(idx)
        for k, i in enumerate(idx):
            codes[i] = f"{counter.prefix}-{first + k:06d}"
    EventCodeCounter.objects.bulk_update(counters, ["last"], batch_size=500)
    return codes


def _write(
    m: Mapping, items: list[Prepared], file_name: str, job: ImportJob | None, report: Report
) -> None:
    """One batch in one transaction: the events, their lead assignments (open ones),
    timeline lines, import records and facts; duplicates linked to their masters."""
    if not items:
        return
    queues = report.queues
    now = clock.now()
    with transaction.atomic():
        codes = _allocate_codes(items, report.counties)
        events = []
        for p, code in zip(items, codes, strict=True):
            v = p.values
            region: Region = v["region"]
            if region.pk not in queues:
                queues[region.pk] = queue_region_for(region)
            imported: dict[str, Any] = {"source": m.source, "external_id": p.external_id}
            if v["status"] == Status.MERGED:
                imported["duplicate"] = True
                if v["master"]:
                    imported["master"] = v["master"]
            events.append(
                Event(
                    code=code,
                    title=v["title"],
                    description=v["description"],
                    status=v["status"],
                    urgency=v["urgency"],
                    category=v["category"],
                    source=v["source"],
                    region=region,
                    region_path=region.path,
                    queue_region=queues[region.pk],
                    lat=v["lat"],
                    lng=v["lng"],
                    address=v["address"],
                    reported_at=v["reported_at"],
                    reporter_name=v["reporter_name"],
                    lead_department=v["lead_department"],
                    extra={"import": imported},
                    **state_fields(v, now),
                )
            )
        created = Event.objects.bulk_create(events)
        assignments = []
        for e, p in zip(created, items, strict=True):
            a = lead_assignment(e)
            if a is not None:
                if a.status == AssignmentStatus.RESOLVED:
                    a.result = p.values["result"]
                assignments.append(a)
        Assignment.objects.bulk_create(assignments)
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
                    at=e.closed_at or e.resolved_at or e.dispatched_at or e.reported_at,
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
        report.unlinked.extend(
            _link_masters(
                m.source,
                [
                    (e, p.values["master"])
                    for e, p in zip(created, items, strict=True)
                    if p.values["master"]
                ],
            )
        )
        rollup_events_added(event_ids=[e.pk for e in created])


def _link_masters(source: str, pairs: list[tuple[Event, str]]) -> list[str]:
    """Point each duplicate at its master (by the master's external id, imported now or
    before); the external ids of those whose master is not there yet."""
    if not pairs:
        return []
    found = dict(
        ImportedRecord.objects.filter(
            source=source, external_id__in={ext for _e, ext in pairs}
        ).values_list("external_id", "event_id")
    )
    missing = []
    for event, ext in pairs:
        if ext in found and found[ext] != event.pk:
            event.master_id = found[ext]
        else:
            missing.append(event.extra["import"]["external_id"])
    Event.objects.bulk_update([e for e, _x in pairs if e.master_id], ["master"])
    return missing


def _relink(source: str, report: Report) -> None:
    """At the end: duplicates whose master came later in the file get it now."""
    if not report.unlinked:
        return
    records = ImportedRecord.objects.filter(source=source, external_id__in=report.unlinked)
    pairs = [
        (event, str(event.extra["import"].get("master", "")))
        for event in Event.objects.filter(pk__in=records.values("event_id"))
    ]
    report.unlinked = sorted(_link_masters(source, [(e, x) for e, x in pairs if x]))


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
    every row is counted as imported, unchanged (imported before) or in error. The
    figures of the days the rows fall on are recounted at the end (not on a dry run)."""
    report = Report(dry_run=dry_run)
    look = Lookups()
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
        for p in batch:
            report.saw(p)
        for p in fresh:
            report.by_status[p.values["status"]] = report.by_status.get(p.values["status"], 0) + 1
        if not dry_run:
            _write(mapping, fresh, file_name, job, report)
        report.imported += len(fresh)
        batch.clear()
        if progress:
            progress(report, report.total)

    for n, row in enumerate(rows, start=1):
        report.total += 1
        result = prepare(mapping, row, n, look)
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
    if not dry_run:
        _relink(mapping.source, report)
        if report.first_day is not None and report.last_day is not None:
            rollup_days_recount(date_from=report.first_day, date_to=report.last_day)
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
    job.message = "\n".join([*report.notes, report.summary])
    job.finished_at = clock.now()
    job.save()
    return job
