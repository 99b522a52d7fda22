"""Reads on the people registers, always through the actor's scope (`permissions`);
personal values masked unless revealed by `services.person_reveal` (audited).

Lists are querysets with everything a row shows joined (`select_related`), so a page of
rows is one query plus the count. Encrypted values cannot be searched: the lists find a
person by the exact ID number or phone through the blind indexes (`q`), never by a part
of a name (a name prefix on ciphertext is not possible: docs/registry.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext

from pingan.access.actor import Actor, as_actor
from pingan.core import pii
from pingan.core.errors import Forbidden, NotFound, invalid
from pingan.core.models import AuditEntry
from pingan.geo import scope as paths
from pingan.geo.models import Region
from pingan.registry import permissions as perms
from pingan.registry.choices import PermitStatus
from pingan.registry.masking import mask_birth_date
from pingan.registry.models import (
    Household,
    KeyPerson,
    KeyPersonVisit,
    Person,
    PersonMove,
    PointsEntry,
    RecordChange,
    ResidencePermit,
    VisitTask,
)

# The audit actions that read a person's record: the detail, a reveal.
READ_ACTIONS = ("registry.person.view", "pii.unmask")


# ---- filters ---------------------------------------------------------------------------


def _region(value: Any, field: str = "region") -> Region:
    try:
        region = Region.objects.filter(pk=int(value)).first()
    except (TypeError, ValueError):
        region = None
    if region is None:
        raise invalid(field, gettext("区划不存在"))
    return region


def search_q(q: str) -> Q:
    """Exact ID number or phone, through the blind indexes (nothing else can match
    encrypted values). Empty text: no filter."""
    q = (q or "").strip()
    if not q:
        return Q()
    return Q(id_index=pii.blind_index(q, kind="id_number")) | Q(
        phone_index=pii.blind_index(q, kind="phone")
    )


def person_list(
    *,
    actor: Actor | Any,
    region: Any = None,
    grid: Any = None,
    kind: str | None = None,
    status: str | None = None,
    household: int | None = None,
    q: str = "",
) -> QuerySet[Person]:
    """The persons the actor may see, newest first, filtered by region (its subtree),
    grid, kind, status, household and `q` (exact ID number or phone)."""
    qs = Person.objects.filter(perms.person_scope_q(as_actor(actor)))
    if region not in (None, ""):
        qs = qs.filter(paths.within_q("region_path", (_region(region).path,)))
    if grid not in (None, ""):
        qs = qs.filter(region_id=_region(grid, "grid").pk)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if household is not None:
        qs = qs.filter(household_id=household)
    if q:
        qs = qs.filter(search_q(q))
    return qs.select_related("region", "household").order_by("-id")


def household_list(
    *, actor: Actor | Any, region: Any = None, grid: Any = None, number: str = ""
) -> QuerySet[Household]:
    qs = Household.objects.filter(perms.household_scope_q(as_actor(actor)))
    if region not in (None, ""):
        qs = qs.filter(paths.within_q("region_path", (_region(region).path,)))
    if grid not in (None, ""):
        qs = qs.filter(region_id=_region(grid, "grid").pk)
    if number:
        qs = qs.filter(number=number.strip())
    return (
        qs.select_related("region")
        .annotate(member_count=Count("members", filter=Q(members__status="present")))
        .order_by("region_path", "number")
    )


def key_person_list(
    *,
    actor: Actor | Any,
    region: Any = None,
    grid: Any = None,
    category: str | None = None,
    status: str | None = None,
    risk_level: str | None = None,
    q: str = "",
) -> QuerySet[KeyPerson]:
    """The key persons the actor may see (cleared labels, or those they help)."""
    actor = as_actor(actor)
    qs = KeyPerson.objects.filter(
        pk__in=KeyPerson.objects.filter(perms.key_person_scope_q(actor)).values("pk")
    )
    if region not in (None, ""):
        qs = qs.filter(paths.within_q("region_path", (_region(region).path,)))
    if grid not in (None, ""):
        qs = qs.filter(region_id=_region(grid, "grid").pk)
    if category:
        qs = qs.filter(category__code=category)
    if status:
        qs = qs.filter(status=status)
    if risk_level:
        qs = qs.filter(risk_level=risk_level)
    if q:
        qs = qs.filter(person__in=Person.objects.filter(search_q(q)).values("pk"))
    return (
        qs.select_related("person", "category", "region")
        .annotate(missed_visits=Count("tasks", filter=Q(tasks__missed=True)))
        .order_by("-id")
    )


def visits_due(*, actor: Actor | Any, grid: Any, day: dt.date) -> QuerySet[VisitTask]:
    """The open visit tasks of a grid (or any region: its subtree) the actor may see whose
    reminder date has come (`opens_on` ≤ day): due first, overdue included."""
    actor = as_actor(actor)
    region = _region(grid, "grid")
    return (
        VisitTask.objects.filter(
            pk__in=VisitTask.objects.filter(perms.task_scope_q(actor)).values("pk")
        )
        .filter(
            paths.within_q("region_path", (region.path,)),
            done_at__isnull=True,
            cancelled_at__isnull=True,
            opens_on__lte=day,
        )
        .select_related("key_person__person", "key_person__category", "key_person__region")
        .order_by("due_on", "id")
    )


# ---- one record ------------------------------------------------------------------------------


def person_detail(*, actor: Actor | Any, person_id: Any) -> Person:
    """One person the actor may see (NotFound otherwise); the read is audited (who read
    a person: `person_reads`)."""
    actor = as_actor(actor)
    person = perms.access_person(actor, person_id)
    actor.audit("registry.person.view", object_type="registry.person", object_id=person.pk)
    return person


def person_history(person: Person, *, limit: int = 100) -> list[RecordChange]:
    return list(
        RecordChange.objects.filter(person=person)
        .select_related("actor")
        .order_by("-at", "-id")[:limit]
    )


def person_moves(person: Person) -> list[PersonMove]:
    return list(
        PersonMove.objects.filter(person=person)
        .select_related("from_region", "to_region", "from_household", "to_household")
        .order_by("on", "id")
    )


def person_permits(person: Person) -> list[ResidencePermit]:
    return list(ResidencePermit.objects.filter(person=person).order_by("-applied_on", "-id"))


def person_points(person: Person, *, limit: int = 200) -> list[PointsEntry]:
    return list(
        PointsEntry.objects.filter(person=person)
        .select_related("rule", "by")
        .order_by("-on", "-id")[:limit]
    )


def household_detail(*, actor: Actor | Any, household_id: Any) -> Household:
    return perms.access_household(as_actor(actor), household_id)


def household_members(actor: Actor | Any, household: Household) -> list[Person]:
    """The members the actor may see (a labelled person drops out without clearance)."""
    return list(
        Person.objects.filter(perms.person_scope_q(as_actor(actor)), household=household)
        .select_related("region")
        .order_by("id")
    )


def key_person_detail(*, actor: Actor | Any, key_person_id: Any) -> KeyPerson:
    actor = as_actor(actor)
    kp = perms.access_key_person(actor, key_person_id)
    actor.audit("registry.key_person.view", object_type="registry.key_person", object_id=kp.pk)
    return kp


def key_person_visits(kp: KeyPerson, *, limit: int = 50) -> list[KeyPersonVisit]:
    return list(kp.visits.select_related("by").order_by("-at", "-id")[:limit])


def key_person_tasks(kp: KeyPerson, *, limit: int = 50) -> list[VisitTask]:
    return list(kp.tasks.order_by("-due_on", "-id")[:limit])


def key_person_helpers(kps: list[KeyPerson]) -> dict[int, list[dict[str, Any]]]:
    """The helpers of each key person (one query for a page of rows)."""
    through = KeyPerson.helpers.through
    rows = through.objects.filter(keyperson_id__in=[k.pk for k in kps]).select_related("user")
    out: dict[int, list[dict[str, Any]]] = {k.pk: [] for k in kps}
    for r in rows:
        out[r.keyperson_id].append({"id": r.user_id, "name": r.user.get_full_name() or ""})
    return out


def person_reads(*, actor: Actor | Any, person_id: Any, limit: int = 500) -> QuerySet[AuditEntry]:
    """Who read a person (the detail, a reveal), newest first: for the audit administrator
    only (403 others). The person is looked up without scope (the audit administrator has
    none); a missing person is 404."""
    actor = as_actor(actor)
    if not perms.can_read_audit(actor):
        raise Forbidden(gettext("只有审计管理员可以查看人员信息的查阅记录"))
    try:
        pk = int(person_id)
    except (TypeError, ValueError):
        raise NotFound(gettext("人员不存在")) from None
    if not Person.objects.filter(pk=pk).exists():
        raise NotFound(gettext("人员不存在"))
    actor.audit("registry.person.reads", object_type="registry.person", object_id=pk)
    return AuditEntry.objects.filter(
        object_type="registry.person", object_id=str(pk), action__in=READ_ACTIONS
    ).order_by("-at", "-id")[:limit]


# ---- dicts: what answers show ---------------------------------------------------------------


def person_dict(p: Person, *, reveal: bool = False) -> dict[str, Any]:
    """A person as answers show them: masked (张*, 330424********1234, 138****5678, the
    address to its first part, the birth date to its year), or in full after an audited
    reveal."""
    if reveal:
        name, id_number, phone, address = p.name, p.id_number, p.phone, p.address
        birth = p.birth_date.isoformat() if p.birth_date else ""
    else:
        name, id_number = pii.mask_name(p.name), pii.mask_id_number(p.id_number)
        phone, address = pii.mask_phone(p.phone), pii.mask_address(p.address)
        birth = mask_birth_date(p.birth_date)
    return {
        "id": p.pk,
        "name": name,
        "id_number": id_number,
        "sex": p.sex,
        "sex_label": p.get_sex_display() if p.sex else "",
        "birth_date": birth,
        "phone": phone,
        "kind": p.kind,
        "kind_label": p.get_kind_display(),
        "household": p.household_id,
        "household_number": p.household.number if p.household_id and p.household else "",
        "relation": p.relation,
        "address": address,
        "region": p.region_id,
        "region_name": p.region.name,
        "status": p.status,
        "status_label": p.get_status_display(),
        "moved_in_at": p.moved_in_at,
        "moved_out_at": p.moved_out_at,
        "sensitivity": p.sensitivity,
        "points_total": p.points_total,
        "anonymised": p.anonymised_at is not None,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
    }


def change_dict(c: RecordChange) -> dict[str, Any]:
    return {
        "model": c.model,
        "object_id": c.object_id,
        "action": c.action,
        "fields": c.fields,
        "actor": c.actor_id,
        "actor_name": (c.actor.get_full_name() if c.actor_id and c.actor else c.actor_name),
        "source": c.source,
        "at": c.at,
    }


def move_dict(m: PersonMove) -> dict[str, Any]:
    return {
        "kind": m.kind,
        "kind_label": m.get_kind_display(),
        "on": m.on,
        "from_region": m.from_region.name if m.from_region else "",
        "to_region": m.to_region.name if m.to_region else "",
        "from_household": m.from_household.number if m.from_household else "",
        "to_household": m.to_household.number if m.to_household else "",
        "note": m.note,
    }


def permit_dict(r: ResidencePermit, *, day: dt.date | None = None) -> dict[str, Any]:
    expiring = bool(
        day
        and r.status == PermitStatus.ISSUED
        and r.expires_on
        and day <= r.expires_on <= day + dt.timedelta(days=30)
    )
    return {
        "id": r.pk,
        "person": r.person_id,
        "status": r.status,
        "status_label": r.get_status_display(),
        "number": r.number,
        "applied_on": r.applied_on,
        "issued_on": r.issued_on,
        "expires_on": r.expires_on,
        "closed_on": r.closed_on,
        "expiring": expiring,
        "note": r.note,
    }


def points_entry_dict(e: PointsEntry) -> dict[str, Any]:
    return {
        "id": e.pk,
        "rule": e.rule.code,
        "item": e.rule.item,
        "points": e.points,
        "reason": e.reason,
        "evidence_note": e.evidence_note,
        "reverses": e.reverses_id,
        "on": e.on,
        "by": e.by_id,
        "at": e.at,
    }


def household_dict(h: Household) -> dict[str, Any]:
    return {
        "id": h.pk,
        "number": h.number,
        "kind": h.kind,
        "kind_label": h.get_kind_display(),
        "head": h.head_id,
        "address": pii.mask_address(h.address),
        "region": h.region_id,
        "region_name": h.region.name,
        "member_count": getattr(h, "member_count", None),
        "created_at": h.created_at,
        "updated_at": h.updated_at,
    }


def key_person_dict(k: KeyPerson, *, helpers: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    p = k.person
    return {
        "id": k.pk,
        "person": p.pk,
        "person_name": pii.mask_name(p.name),
        "person_id_number": pii.mask_id_number(p.id_number),
        "category": k.category.code,
        "category_name": k.category.name,
        "since": k.since,
        "until": k.until,
        "risk_level": k.risk_level,
        "risk_level_label": k.get_risk_level_display(),
        "status": k.status,
        "status_label": k.get_status_display(),
        "sensitivity": k.sensitivity,
        "region": k.region_id,
        "region_name": k.region.name,
        "last_visit_at": k.last_visit_at,
        "missed_visits": getattr(k, "missed_visits", None),
        "helpers": helpers or [],
    }


def task_dict(t: VisitTask, *, day: dt.date | None = None) -> dict[str, Any]:
    kp = t.key_person
    state = "done" if t.done_at else ("cancelled" if t.cancelled_at else "open")
    if state == "open" and day is not None and t.due_on < day:
        state = "overdue"
    return {
        "id": t.pk,
        "key_person": kp.pk,
        "person_name": pii.mask_name(kp.person.name),
        "category": kp.category.code,
        "category_name": kp.category.name,
        "risk_level": kp.risk_level,
        "region": kp.region_id,
        "region_name": kp.region.name,
        "assignee": t.assignee_id,
        "opens_on": t.opens_on,
        "due_on": t.due_on,
        "state": state,
        "missed": t.missed,
        "done_at": t.done_at,
    }


def visit_dict(v: KeyPersonVisit) -> dict[str, Any]:
    return {
        "id": v.pk,
        "at": v.at,
        "by": v.by_id,
        "by_name": v.by.get_full_name() if v.by_id and v.by else "",
        "outcome": v.outcome,
        "outcome_label": v.get_outcome_display(),
        "note": v.note,
        "lat": v.lat,
        "lng": v.lng,
        "patrol_visit_id": v.patrol_visit_id,
    }


__all__ = [
    "READ_ACTIONS",
    "change_dict",
    "household_detail",
    "household_dict",
    "household_list",
    "household_members",
    "key_person_detail",
    "key_person_dict",
    "key_person_helpers",
    "key_person_list",
    "key_person_tasks",
    "key_person_visits",
    "move_dict",
    "permit_dict",
    "person_detail",
    "person_dict",
    "person_history",
    "person_list",
    "person_moves",
    "person_permits",
    "person_points",
    "person_reads",
    "points_entry_dict",
    "search_q",
    "task_dict",
    "visit_dict",
    "visits_due",
]
