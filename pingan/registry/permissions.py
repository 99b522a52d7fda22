"""Who sees and changes the people registers; built on the actor and the scope rules
(`pingan.access`), never on a path comparison of its own.

- Seeing: grid workers the grids they cover, grid leaders their village, town and county
  staff (受理员, 领导) their town or county (`visible_q` over `region_path`). A record
  with a sensitivity label drops out for those not cleared for it. Key persons carry their
  category's label, so only cleared staff see them; their responsible helpers (帮扶责任人)
  see the key persons they help whatever their region.
- Changing persons and households, applying for residence permits: grid workers, grid
  leaders and dispatchers in their regions (`EDIT_ROLES`). Issuing, renewing, refusing and
  revoking permits, and points entries: dispatchers (`CENTRE_ROLES`). Key persons:
  grid leaders and dispatchers (cleared for the label). Visits: whoever sees the key
  person in a grid role, a dispatcher's region or as a helper.
- Revealing personal values (one audited action): grid workers, grid leaders and
  dispatchers whose region contains the record (`can_reveal`); leaders see masked values.
- Who read a person (the audit trail): the audit administrator only.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from pingan.access.actor import REGION_ROLES, Actor, as_actor
from pingan.access.scope import visible_q
from pingan.core.errors import Forbidden, NotFound
from pingan.org.choices import Role
from pingan.registry.models import Household, KeyPerson, Person, ResidencePermit, VisitTask

EDIT_ROLES = (Role.GRID_WORKER, Role.GRID_LEADER, Role.DISPATCHER)
CENTRE_ROLES = (Role.DISPATCHER,)
KEY_PERSON_ROLES = (Role.GRID_LEADER, Role.DISPATCHER)
REVEAL_ROLES = EDIT_ROLES
VISIT_ROLES = (Role.GRID_WORKER, Role.GRID_LEADER, Role.DISPATCHER)

__all__ = [
    "CENTRE_ROLES",
    "EDIT_ROLES",
    "KEY_PERSON_ROLES",
    "access_household",
    "access_key_person",
    "access_person",
    "can_edit",
    "can_read_audit",
    "can_reveal",
    "cleared",
    "household_scope_q",
    "is_system",
    "key_person_scope_q",
    "person_scope_q",
    "require_edit",
    "task_scope_q",
]


def cleared(actor: Actor, label: str) -> bool:
    """Whether the actor may see a record with sensitivity `label` ("" is no label)."""
    return not label or label in actor.clearances


def is_system(actor: Actor) -> bool:
    """The system acting on its own (an import, the daily task): every record, no role."""
    return actor.user is None and bool(actor.name)


def person_scope_q(actor: Actor | Any) -> Q:
    """The persons the actor may see (module docstring)."""
    actor = as_actor(actor)
    if is_system(actor):
        return Q()
    return visible_q(actor, sensitivity_field="sensitivity")


def household_scope_q(actor: Actor | Any) -> Q:
    actor = as_actor(actor)
    if is_system(actor):
        return Q()
    return visible_q(actor)


def key_person_scope_q(actor: Actor | Any) -> Q:
    """The key persons the actor may see: in their regions and cleared for the label, or
    those they help (帮扶责任人)."""
    actor = as_actor(actor)
    if is_system(actor):
        return Q()
    if actor.user is None:
        return Q(pk__in=[])
    q = visible_q(actor, sensitivity_field="sensitivity")
    return q | Q(helpers=actor.user)


def task_scope_q(actor: Actor | Any) -> Q:
    """The visit tasks the actor may see: those of the key persons they may see."""
    actor = as_actor(actor)
    if is_system(actor):
        return Q()
    if actor.user is None:
        return Q(pk__in=[])
    labels = sorted(actor.clearances)
    label_ok = Q(key_person__sensitivity="")
    if labels:
        label_ok |= Q(key_person__sensitivity__in=labels)
    q = actor.region_q("region_path", REGION_ROLES) & label_ok
    return q | Q(key_person__helpers=actor.user) | Q(assignee=actor.user)


def _one(qs: QuerySet[Any], pk: Any, message: str) -> Any:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound(message) from None
    row = qs.filter(pk=pk).first()
    if row is None:
        raise NotFound(message)
    return row


def access_person(actor: Actor | Any, person_id: Any, *, lock: bool = False) -> Person:
    """The person if the actor may see them; NotFound for missing and out of scope alike."""
    qs = Person.objects.filter(person_scope_q(actor)).select_related("region", "household")
    if lock:
        # A lock on the row itself, not on the joined tables.
        qs = Person.objects.select_for_update(of=("self",)).filter(pk__in=qs.values("pk"))
    return _one(qs, person_id, gettext("人员不存在"))  # type: ignore[no-any-return]


def access_household(actor: Actor | Any, household_id: Any, *, lock: bool = False) -> Household:
    qs = Household.objects.filter(household_scope_q(actor))
    if lock:
        qs = Household.objects.select_for_update(of=("self",)).filter(pk__in=qs.values("pk"))
    return _one(qs, household_id, gettext("户不存在"))  # type: ignore[no-any-return]


def access_key_person(actor: Actor | Any, key_person_id: Any, *, lock: bool = False) -> KeyPerson:
    qs = KeyPerson.objects.filter(key_person_scope_q(actor)).distinct()
    if lock:
        qs = KeyPerson.objects.select_for_update(of=("self",)).filter(pk__in=qs.values("pk"))
    return _one(  # type: ignore[no-any-return]
        qs.select_related("person", "category", "region"), key_person_id, gettext("重点人员不存在")
    )


def access_permit(actor: Actor | Any, permit_id: Any) -> ResidencePermit:
    """The permit if the actor sees its person; NotFound otherwise."""
    qs = ResidencePermit.objects.filter(
        person__in=Person.objects.filter(person_scope_q(actor)).values("pk")
    ).select_related("person")
    return _one(qs, permit_id, gettext("居住证记录不存在"))  # type: ignore[no-any-return]


def access_task(actor: Actor | Any, task_id: Any) -> VisitTask:
    qs = VisitTask.objects.filter(task_scope_q(actor)).distinct()
    return _one(qs, task_id, gettext("走访任务不存在"))  # type: ignore[no-any-return]


def can_edit(actor: Actor, path: str, roles: tuple[str, ...] = EDIT_ROLES) -> bool:
    """Whether the actor holds one of `roles` over the region at `path` (the system
    acting on its own, e.g. an import, may)."""
    return is_system(actor) or actor.covers(path, roles)


def require_edit(
    actor: Actor, path: str, roles: tuple[str, ...] = EDIT_ROLES, *, message: str = ""
) -> None:
    """Forbidden (403) unless the actor holds one of `roles` over `path`."""
    if not can_edit(actor, path, roles):
        raise Forbidden(message or gettext("当前角色不能修改该登记信息"))


def can_reveal(actor: Actor, path: str) -> bool:
    """Whether the actor may reveal personal values of a record at `path`."""
    return actor.covers(path, REVEAL_ROLES)


def can_read_audit(actor: Actor) -> bool:
    """Who read a person: the audit administrator (审计管理员) only."""
    return actor.has_role(Role.AUDIT_ADMIN)


def can_visit(actor: Actor, kp: KeyPerson) -> bool:
    """Whether the actor may record a visit to `kp`: a grid role or dispatcher over its
    region (cleared for its label), or one of its helpers."""
    if is_system(actor):
        return True
    if actor.user is None:
        return False
    if actor.covers(kp.region_path, VISIT_ROLES) and cleared(actor, kp.sensitivity):
        return True
    return kp.helpers.filter(pk=actor.user.pk).exists()
