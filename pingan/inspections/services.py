"""Writes of the inspections app: submitting an inspection (idempotent by client_uuid;
every failed checklist item deducts its points through `rectification.deduction_add`),
its photos, issuing a finding's rectification order (`rectification.order_issue`) and
publishing (暗访: the inspection, its deductions and its orders become visible to the unit
inspected). Each write is one transaction, validated before anything is written.
Plans and tasks: `plans.py`. docs/inspections.md."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from pingan.access.actor import Actor, as_actor
from pingan.core import clock
from pingan.core.errors import Conflict, Forbidden, NotFound, invalid
from pingan.events import photos
from pingan.geo.models import Region
from pingan.inspections import periods
from pingan.inspections.choices import HIDDEN_KINDS, Kind, Level, Result, Severity, TaskStatus
from pingan.inspections.models import (
    Answer,
    Checklist,
    ChecklistItem,
    Finding,
    Inspection,
    InspectionPhoto,
    InspectionTask,
    unit_path,
)
from pingan.inspections.permissions import (
    access_inspection,
    access_task,
    can_issue,
    can_manage,
    can_submit_task,
)
from pingan.inspections.plans import campaign_check, plan_create, tasks_generate
from pingan.inspections.selectors import inspection_label
from pingan.org.choices import Role
from pingan.org.models import Department
from pingan.places.models import Place

__all__ = [
    "finding_order_issue",
    "inspection_photo_add",
    "inspection_publish",
    "inspection_submit",
    "plan_create",
    "tasks_generate",
]

MAX_ANSWERS = 200
MAX_FINDINGS = 50
MAX_TEXT = 2000
# How far ahead of the server's clock a phone's times may be.
CLOCK_SKEW = dt.timedelta(minutes=10)
DEFAULT_LEVEL: dict[str, str] = {Kind.SELF_CHECK: Level.SELF_CHECK}


def _uuid(value: Any, field: str = "client_uuid") -> uuid.UUID | None:
    if value in (None, ""):
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise invalid(field, gettext("应为UUID")) from None


def _moment(value: Any, field: str) -> dt.datetime | None:
    if value in (None, ""):
        return None
    moment: dt.datetime | None
    if isinstance(value, dt.datetime):
        moment = value
    else:
        moment = parse_datetime(str(value)) if isinstance(value, str) else None
    if moment is None or moment.tzinfo is None:
        raise invalid(field, gettext("时间格式不正确（需含时区）"))
    if moment > clock.now() + CLOCK_SKEW:
        raise invalid(field, gettext("时间不能晚于现在"))
    return moment


def _text(value: Any, field: str, label: str, *, max_len: int = MAX_TEXT) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise invalid(field, gettext("%(label)s应为文字") % {"label": label})
    value = value.strip()
    if len(value) > max_len:
        raise invalid(field, gettext("%(label)s不能超过%(n)s字") % {"label": label, "n": max_len})
    return value


def _unit(
    unit_region_id: int | None, unit_department_id: int | None
) -> tuple[Region | None, Department | None]:
    if (unit_region_id is None) == (unit_department_id is None):
        raise invalid("unit_region", gettext("请选择被检查的乡镇或部门（二选一）"))
    if unit_region_id is not None:
        region = Region.objects.filter(pk=unit_region_id).first()
        if region is None:
            raise invalid("unit_region", gettext("区划不存在"))
        return region, None
    dept = Department.objects.filter(pk=int(unit_department_id or 0), is_active=True).first()
    if dept is None:
        raise invalid("unit_department", gettext("部门不存在"))
    return None, dept


def _may_inspect_ad_hoc(actor: Actor, kind: str, region: Region | None, dept: Any) -> bool:
    """Without a task: the office or an inspector over the unit; a self-check by the
    unit's own people."""
    path = unit_path(region, dept)
    if can_manage(actor, path) or actor.covers(path, (Role.INSPECTOR,)):
        return True
    if kind != Kind.SELF_CHECK:
        return False
    if dept is not None:
        return dept.pk in actor.department_ids()
    return bool(path) and actor.covers(path, (Role.DISPATCHER, Role.LEADER))


def _answers(checklist: Checklist, raw: Sequence[Any]) -> list[tuple[ChecklistItem, str, str]]:
    if len(raw) > MAX_ANSWERS:
        raise invalid("answers", gettext("检查结果过多"))
    items = {i.code: i for i in checklist.items.all()}
    out: list[tuple[ChecklistItem, str, str]] = []
    seen: set[str] = set()
    for row in raw:
        if not isinstance(row, dict):
            raise invalid("answers", gettext("检查结果格式不正确"))
        code = str(row.get("item") or "")
        if code not in items:
            raise invalid("answers", gettext("检查项目“%(code)s”不在本清单中") % {"code": code})
        if code in seen:
            raise invalid("answers", gettext("检查项目“%(code)s”重复") % {"code": code})
        seen.add(code)
        result = row.get("result")
        if result not in Result.values:
            raise invalid("answers", gettext("检查结果应为：合格、存在问题或不涉及"))
        note = _text(row.get("note"), "answers", gettext("说明"), max_len=500)
        out.append((items[code], str(result), note))
    return out


def _findings(
    checklist: Checklist, raw: Sequence[Any]
) -> list[tuple[ChecklistItem | None, str, str]]:
    if len(raw) > MAX_FINDINGS:
        raise invalid("findings", gettext("发现问题过多"))
    items = {i.code: i for i in checklist.items.all()}
    out: list[tuple[ChecklistItem | None, str, str]] = []
    for row in raw:
        if not isinstance(row, dict):
            raise invalid("findings", gettext("发现问题格式不正确"))
        text = _text(row.get("text"), "findings", gettext("问题描述"))
        if not text:
            raise invalid("findings", gettext("请填写问题描述"))
        code = row.get("item") or None
        if code is not None and code not in items:
            raise invalid("findings", gettext("检查项目“%(code)s”不在本清单中") % {"code": code})
        severity = row.get("severity") or Severity.MINOR
        if severity not in Severity.values:
            raise invalid("findings", gettext("严重程度应为：一般、较重或严重"))
        out.append((items[code] if code else None, text, str(severity)))
    return out


def _deduct(actor: Actor, inspection: Inspection) -> Decimal:
    """One deduction per failed item of the inspection not yet deducted; the total."""
    from pingan.rectification.services import deduction_add

    # The checklist deducts, whoever answered it (a town's self-check too): the system
    # acts; the submission's or the publication's audit row names the person.
    system = Actor.system("inspections")
    label = inspection_label(inspection.pk)
    on = periods.today()
    total = Decimal("0")
    for answer in inspection.answers.select_related("item").filter(
        result=Result.PROBLEM, deduction_id__isnull=True
    ):
        if answer.points <= 0:
            continue
        deduction = deduction_add(
            actor=system,
            unit_region_id=inspection.unit_region_id,
            unit_department_id=inspection.unit_department_id,
            points=answer.points,
            reason=f"{answer.item.code} {answer.item.text}",
            source_kind="inspection",
            source_id=inspection.pk,
            source_label=label,
            on=on,
        )
        answer.deduction_id = deduction.pk
        answer.save(update_fields=["deduction_id"])
        total += answer.points
    return total


def inspection_submit(
    *,
    actor: Actor | Any,
    client_uuid: uuid.UUID | str | None,
    task_id: int | None = None,
    kind: str | None = None,
    level: str | None = None,
    unit_region_id: int | None = None,
    unit_department_id: int | None = None,
    checklist_id: int | None = None,
    answers: Sequence[Any] = (),
    findings: Sequence[Any] = (),
    lat: float | None = None,
    lng: float | None = None,
    place_id: int | None = None,
    place_text: str = "",
    started_at: Any = None,
    finished_at: Any = None,
    note: str = "",
    return_visit_of: int | None = None,
    campaign_id: int | None = None,
) -> tuple[Inspection, bool]:
    """Record an inspection carried out (of a task, or ad hoc); (inspection, created).
    The same `client_uuid` again answers the first one. Failed items deduct their points
    (暗访/模拟测评: when published); a problem with no finding of its own becomes one."""
    actor = as_actor(actor)
    key = _uuid(client_uuid)
    if key is not None:
        found = Inspection.objects.filter(client_uuid=key).first()
        if found is not None:
            if found.created_by_id != actor.pk:
                raise Conflict(gettext("client_uuid 已被使用"))
            return found, False
    task: InspectionTask | None = None
    if task_id is not None:
        task = access_task(actor, task_id)
        if not can_submit_task(actor, task):
            raise Forbidden(gettext("该督查任务未分配给您"))
        if task.status != TaskStatus.OPEN:
            raise Conflict(gettext("该督查任务已完成"))
        plan = task.plan
        kind, level, checklist = plan.kind, plan.level, plan.checklist
        region, dept = task.unit_region, task.unit_department
        campaign_id = plan.campaign_id if campaign_id is None else campaign_id
    else:
        if kind not in Kind.values:
            values = "、".join(Kind.values)
            raise invalid("kind", gettext("取值应为：%(values)s") % {"values": values})
        level = level or DEFAULT_LEVEL.get(kind, Level.SUPERVISION_OFFICE)
        if level not in Level.values:
            raise invalid("level", gettext("督查层级不正确"))
        region, dept = _unit(unit_region_id, unit_department_id)
        if not _may_inspect_ad_hoc(actor, kind, region, dept):
            raise Forbidden(gettext("您不能对该单位开展此类检查"))
        chosen = Checklist.objects.filter(active=True)
        if checklist_id is not None:
            chosen = chosen.filter(pk=checklist_id)
        else:
            chosen = chosen.filter(kind=kind).order_by("pk")
        found_checklist = chosen.first()
        if found_checklist is None:
            raise invalid("checklist", gettext("检查清单不存在"))
        checklist = found_checklist
        plan = None
    assert kind is not None and level is not None
    rows = _answers(checklist, answers)
    found_rows = _findings(checklist, findings)
    if (lat is None) != (lng is None):
        raise invalid("lat", gettext("经纬度应同时填写"))
    if lat is not None and lng is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise invalid("lat", gettext("经纬度超出范围"))
    place = None
    if place_id is not None:
        place = Place.objects.filter(pk=place_id).first()
        if place is None:
            raise invalid("place", gettext("场所不存在"))
    place_text = _text(place_text, "place_text", gettext("检查地点"), max_len=200)
    note = _text(note, "note", gettext("总体情况"))
    started = _moment(started_at, "started_at")
    finished = _moment(finished_at, "finished_at")
    if started and finished and finished < started:
        raise invalid("finished_at", gettext("结束时间不能早于开始时间"))
    earlier = None
    if return_visit_of is not None:
        try:
            earlier = access_inspection(actor, return_visit_of)
        except NotFound:
            raise invalid("return_visit_of", gettext("回访对象不存在")) from None
        if (earlier.unit_region_id, earlier.unit_department_id) != (
            getattr(region, "pk", None),
            getattr(dept, "pk", None),
        ):
            raise invalid("return_visit_of", gettext("回访对象应为同一单位的检查"))
    campaign_check(campaign_id)
    now = clock.now()
    try:
        with transaction.atomic():
            inspection = Inspection.objects.create(
                task=task,
                plan=plan,
                kind=kind,
                level=level,
                checklist=checklist,
                unit_region=region,
                unit_department=dept,
                lat=lat,
                lng=lng,
                place=place,
                place_text=place_text,
                started_at=started,
                finished_at=finished or now,
                submitted_at=now,
                note=note,
                return_visit_of=earlier,
                campaign_id=campaign_id,
                client_uuid=key,
                published_at=None if kind in HIDDEN_KINDS else now,
                created_by=actor.user,
            )
            people = {actor.pk}
            if task is not None and kind != Kind.SELF_CHECK:
                people |= set(task.assignees.values_list("pk", flat=True))
            inspection.inspectors.set([p for p in people if p is not None])
            Answer.objects.bulk_create(
                Answer(
                    inspection=inspection,
                    item=item,
                    result=result,
                    note=text,
                    points=item.points if result == Result.PROBLEM else Decimal("0"),
                )
                for item, result, text in rows
            )
            named = {item.pk for item, _t, _s in found_rows if item is not None}
            auto = [
                (item, text or item.text, Severity.MINOR)
                for item, result, text in rows
                if result == Result.PROBLEM and item.pk not in named
            ]
            Finding.objects.bulk_create(
                Finding(inspection=inspection, item=item, text=text, severity=severity)
                for item, text, severity in [*auto, *found_rows]
            )
            if inspection.published_at is not None:
                inspection.deducted = _deduct(actor, inspection)
                inspection.save(update_fields=["deducted"])
            if task is not None:
                task.status = TaskStatus.DONE
                task.done_at = now
                task.save(update_fields=["status", "done_at"])
            actor.audit(
                "inspections.submit",
                object_type="inspection",
                object_id=inspection.pk,
                detail={"kind": kind, "task": task_id, "problems": len(auto) + len(found_rows)},
            )
    except IntegrityError:
        found = Inspection.objects.filter(client_uuid=key).first() if key else None
        if found is not None and found.created_by_id == actor.pk:
            return found, False
        raise
    return inspection, True


def inspection_publish(*, actor: Actor | Any, inspection_id: int) -> int:
    """Publish an inspection as the office (暗访: its deductions are made and its orders
    shown to the unit now); returns the number of orders published. 409 when published."""
    actor = as_actor(actor)
    from pingan.rectification.services import orders_publish

    with transaction.atomic():
        seen = access_inspection(actor, inspection_id)
        if not can_manage(actor, seen.region_path):
            raise Forbidden(gettext("只有县级平安办可以通报督查结果"))
        inspection = Inspection.objects.select_for_update().get(pk=seen.pk)
        if inspection.published_at is not None:
            raise Conflict(gettext("该检查已通报"))
        inspection.published_at = clock.now()
        inspection.save(update_fields=["published_at"])
        inspection.deducted = _deduct(actor, inspection)
        inspection.save(update_fields=["deducted"])
        published = orders_publish(actor=actor, source_kind="inspection", source_id=inspection.pk)
        actor.audit(
            "inspections.publish",
            object_type="inspection",
            object_id=inspection.pk,
            detail={"orders": published, "deducted": str(inspection.deducted)},
        )
    return int(published)


def finding_order_issue(
    *,
    actor: Actor | Any,
    inspection_id: int,
    finding_id: int,
    deadline: dt.date,
    requirement: str = "",
    evidence_required: str = "",
    deduction_points: Decimal = Decimal("1"),
) -> Finding:
    """Turn a finding into a rectification order (整改通知) to the unit inspected, as the
    office or one of the inspection's inspectors; hidden from the unit until the
    inspection is published. 409 when already issued; 422 deadline before today."""
    actor = as_actor(actor)
    from pingan.rectification.permissions import can_issue as may_issue_orders
    from pingan.rectification.services import order_issue

    inspection = access_inspection(actor, inspection_id)
    if not can_issue(actor, inspection):
        raise Forbidden(gettext("只有县级平安办或本次督查人员可以下发整改通知"))
    if not isinstance(deadline, dt.date) or isinstance(deadline, dt.datetime):
        raise invalid("deadline", gettext("请填写整改期限"))
    if deadline < periods.today():
        raise invalid("deadline", gettext("整改期限不能早于今天"))
    requirement = _text(requirement, "requirement", gettext("整改要求"))
    evidence_required = _text(evidence_required, "evidence_required", gettext("佐证材料要求"))
    with transaction.atomic():
        finding = (
            # Lock the finding's row only (PostgreSQL refuses FOR UPDATE on the nullable
            # side of the item's outer join).
            Finding.objects.select_for_update(of=("self",))
            .filter(pk=finding_id, inspection=inspection)
            .select_related("item")
            .first()
        )
        if finding is None:
            raise NotFound(gettext("发现问题不存在"))
        if finding.order_id is not None:
            raise Conflict(gettext("该问题已下发整改通知"))
        unit_region = inspection.unit_region
        dept = inspection.unit_department
        region_id = unit_region.pk if unit_region else (dept.region_id if dept else 0)
        title = gettext("整改通知：%(text)s") % {"text": finding.text[:60]}
        # An inspector named on the inspection without the inspector role (a county leader
        # of a 县领导督查) issues through the system; the audit row below names them.
        issuer = actor if may_issue_orders(actor, inspection.region_path) else None
        order = order_issue(
            actor=issuer or Actor.system("inspections"),
            title=title,
            requirement=requirement or finding.text,
            evidence_required=evidence_required or gettext("整改前后对比照片及情况说明"),
            deadline=deadline,
            region_id=region_id,
            unit_region_id=inspection.unit_region_id,
            unit_department_id=inspection.unit_department_id,
            source_kind="inspection",
            source_id=inspection.pk,
            source_label=inspection_label(inspection.pk),
            campaign_id=inspection.campaign_id,
            published=inspection.published_at is not None,
            deduction_points=deduction_points,
            watcher_ids=list(inspection.inspectors.values_list("pk", flat=True)),
        )
        finding.order_id = order.pk
        finding.order_deadline = deadline
        finding.issued_at = clock.now()
        finding.save(update_fields=["order_id", "order_deadline", "issued_at"])
        actor.audit(
            "inspections.order",
            object_type="inspection",
            object_id=inspection.pk,
            detail={"finding": finding.pk, "order": order.pk, "deadline": deadline.isoformat()},
        )
    return finding


def inspection_photo_add(
    *,
    actor: Actor | Any,
    inspection_id: int,
    upload: Any,
    client_uuid: uuid.UUID | str | None = None,
    finding_id: int | None = None,
) -> tuple[InspectionPhoto, bool]:
    """Add a photo to an inspection (of one of its findings) as its inspector or the
    office; (photo, created), the same `client_uuid` again the first one. 422 not a photo."""
    actor = as_actor(actor)
    key = _uuid(client_uuid)
    inspection = access_inspection(actor, inspection_id)
    if not (can_issue(actor, inspection) or inspection.created_by_id == actor.pk):
        raise Forbidden(gettext("只有本次督查人员可以上传照片"))
    if key is not None:
        found = InspectionPhoto.objects.filter(client_uuid=key).first()
        if found is not None:
            if found.uploaded_by_id != actor.pk or found.inspection_id != inspection.pk:
                raise Conflict(gettext("client_uuid 已被使用"))
            return found, False
    finding = None
    if finding_id is not None:
        finding = inspection.findings.filter(pk=finding_id).first()
        if finding is None:
            raise invalid("finding", gettext("发现问题不存在"))
    clean = photos.clean(photos.read_upload(upload))
    photo = InspectionPhoto(
        inspection=inspection,
        finding=finding,
        size=clean.size,
        width=clean.width,
        height=clean.height,
        sha256=clean.sha256,
        taken_at=clean.taken_at,
        lat=clean.lat,
        lng=clean.lng,
        uploaded_by=actor.user,
        uploaded_at=clock.now(),
        client_uuid=key,
    )

    def write() -> None:
        photo.save()
        actor.audit(
            "inspections.photo",
            object_type="inspection",
            object_id=inspection.pk,
            detail={"photo": photo.pk, "sha256": clean.sha256},
        )

    return photos.store(
        photo,
        clean,
        write=write,
        again=lambda: InspectionPhoto.objects.filter(client_uuid=key).first() if key else None,
    )
