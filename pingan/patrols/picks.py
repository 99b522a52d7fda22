"""Visits that pick a register record (docs/registry-visits.md).

On the phone a patrol visit picks a person, a household, a rental house, a key place or a
key person from the worker's grids (`visit_targets`: the list the phone keeps for offline
use, masked) instead of describing it in free text. On the server the pick is checked
(`resolve`: the record exists, lies in one of the worker's grids, and a key person's label
is one the worker is cleared for) and what the worker found changes the record through
its register's own service, in the visit's transaction (`apply`): a key person's visit
(`registry.services.visit_record`, which completes the visit task), a person who moved
out (`registry.services.person_move_out`), a rental house's or a place's check
(`places.services.rental_check_add` / `place_check_add`, which rate the house again).
Each of them writes its own attributed history (RecordChange, the check rows) and audit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext

from pingan.access.actor import Actor
from pingan.core import clock, pii
from pingan.core.errors import Forbidden, invalid
from pingan.geo import scope
from pingan.org.choices import GRID_ROLES
from pingan.patrols.choices import PersonSeen, VisitKind
from pingan.places import rules
from pingan.places.choices import PlaceStatus, RentalStatus
from pingan.places.models import Place, RentalHouse
from pingan.places.permissions import places_scope_q
from pingan.places.services import place_check_add, rental_check_add
from pingan.registry import permissions as registry_perms
from pingan.registry.choices import ChangeSource, KeyPersonStatus, PersonStatus, VisitOutcome
from pingan.registry.models import Household, KeyPerson, Person, VisitTask
from pingan.registry.services import person_move_out, visit_record

# The kinds of record a visit may pick, and the visit kind each one is.
PICK_KINDS: dict[str, str] = {
    "person": VisitKind.PERSON,
    "household": VisitKind.HOUSEHOLD,
    "key_person": VisitKind.KEY_PERSON,
    "rental": VisitKind.RENTAL,
    "place": VisitKind.KEY_PLACE,
}
# At most this many records of each kind go to the phone (a grid holds far fewer).
TARGETS_LIMIT = 5000

_HOUSE_NO = re.compile(r"\d+")


def house_number(address: str) -> str:
    """The numbers of an address joined by "-" (城东社区海滨路3号201室 → 3-201): what
    the worker searches by on the phone, without the street."""
    return "-".join(_HOUSE_NO.findall(address or ""))


def _label(kind: str, obj: Any) -> str:
    """A picked record as the visit's `target`: masked, so the visit never copies a
    person's name or address in clear."""
    if kind == "person":
        return " · ".join(x for x in (pii.mask_name(obj.name), pii.mask_address(obj.address)) if x)
    if kind == "household":
        return " · ".join(x for x in (obj.number, pii.mask_address(obj.address)) if x)
    if kind == "key_person":
        return f"{pii.mask_name(obj.person.name)} · {obj.category.name}"
    if kind == "rental":
        return pii.mask_address(obj.address)
    return str(obj.name)


@dataclass
class Picked:
    kind: str
    obj: Any
    task: VisitTask | None
    label: str

    @property
    def visit_kind(self) -> str:
        return PICK_KINDS[self.kind]

    def fks(self) -> dict[str, Any]:
        """The visit's foreign keys for this pick."""
        out: dict[str, Any] = {self.kind: self.obj, "task": self.task}
        if self.kind == "key_person":
            out["person"] = self.obj.person
        return out


def worker_paths(actor: Actor) -> list[str]:
    """The paths of the regions the actor covers in a grid role (their grids)."""
    return actor.paths(GRID_ROLES)


def _in_grids(actor: Actor, path: str) -> None:
    if not scope.within(path, worker_paths(actor)):
        raise Forbidden(
            gettext("所选记录不在本人网格内"), fields={"pick": gettext("不在本人网格内")}
        )


_MODELS: dict[str, type[Model]] = {
    "person": Person,
    "household": Household,
    "key_person": KeyPerson,
    "rental": RentalHouse,
    "place": Place,
}


def resolve(actor: Actor, pick: Any, task: Any) -> Picked | None:
    """The record a visit picks (`pick`: {"type", "id"}) and the visit task it completes
    (`task`: a key person's open task; alone it picks the task's key person). None for a
    free-text visit. 422 naming `pick` or `task` when missing or not matching, 403 when
    the record lies outside the worker's grids or carries a label they are not cleared
    for."""
    the_task: VisitTask | None = None
    if task not in (None, ""):
        if isinstance(task, bool) or not str(task).isdigit():
            raise invalid("task", gettext("走访任务编号不正确"))
        the_task = VisitTask.objects.filter(pk=int(task)).select_related("key_person").first()
        if the_task is None:
            raise invalid("task", gettext("走访任务不存在"))
        if the_task.done_at is not None or the_task.cancelled_at is not None:
            raise invalid("task", gettext("该走访任务已完成或已取消"))
    if pick in (None, "", {}):
        if the_task is None:
            return None
        pick = {"type": "key_person", "id": the_task.key_person_id}
    if not isinstance(pick, dict):
        raise invalid("pick", gettext("应为 {type, id}"))
    kind, pk = pick.get("type"), pick.get("id")
    if kind not in _MODELS:
        raise invalid("pick", gettext("登记记录类型不正确"))
    if isinstance(pk, bool) or not str(pk).isdigit():
        raise invalid("pick", gettext("登记记录编号不正确"))
    qs: Any = _MODELS[kind]._default_manager.filter(pk=int(str(pk)))
    if kind == "key_person":
        qs = qs.select_related("person", "category")
    obj: Any = qs.first()
    if obj is None:
        raise invalid("pick", gettext("登记记录不存在"))
    _in_grids(actor, obj.region_path)
    allowed = (
        registry_perms.can_visit(actor, obj)
        if kind == "key_person"
        else kind != "person" or registry_perms.cleared(actor, obj.sensitivity)
    )
    if not allowed:
        raise Forbidden(gettext("未获授权走访该人员"), fields={"pick": gettext("未获授权")})
    if the_task is not None and (kind != "key_person" or the_task.key_person_id != obj.pk):
        raise invalid("task", gettext("走访任务不属于所选重点人员"))
    return Picked(kind=kind, obj=obj, task=the_task, label=_label(kind, obj))


def apply(
    actor: Actor,
    picked: Picked,
    *,
    visit: Any,
    outcome: str,
    check: dict[str, Any] | None,
) -> tuple[str, dict[str, Any]]:
    """Change the picked record as the worker found it, through its register's service
    (in the caller's transaction): `(outcome, effect)` to store on the visit."""
    obj = picked.obj
    if picked.kind == "key_person":
        outcome = outcome or ""
        if outcome not in VisitOutcome.values:
            raise invalid(
                "outcome",
                gettext("请选择走访情况（%(v)s）") % {"v": ", ".join(VisitOutcome.values)},
            )
        kp_visit, _created = visit_record(
            actor=actor,
            task=picked.task,
            key_person=obj.pk,
            outcome=outcome,
            note=visit.note,
            at=visit.at,
            lat=visit.lat,
            lng=visit.lng,
            client_uuid=visit.client_uuid,
            patrol_visit_id=visit.pk,
            source=ChangeSource.VISIT,
        )
        task = VisitTask.objects.filter(visit=kp_visit).values_list("pk", flat=True).first()
        return outcome, {"key_person_visit": kp_visit.pk, "task_done": task}
    if picked.kind == "person":
        outcome = outcome or PersonSeen.PRESENT
        if outcome not in PersonSeen.values:
            raise invalid("outcome", gettext("应为 present（在住）或 moved_out（已迁出）"))
        if outcome == PersonSeen.MOVED_OUT:
            if obj.status != PersonStatus.PRESENT:
                return outcome, {}
            person_move_out(
                actor=actor,
                person_id=obj.pk,
                on=timezone.localdate(visit.at),
                note=(visit.note or gettext("网格员走访发现已迁出"))[:200],
                source=ChangeSource.VISIT,
            )
            return outcome, {"person_moved_out": obj.pk}
        return outcome, {}
    if picked.kind in ("rental", "place") and check:
        if not isinstance(check, dict):
            raise invalid("check", gettext("检查内容应为对象"))
        data = {
            **{k: v for k, v in check.items() if k not in ("at", "lat", "lng", "client_uuid")},
            "at": visit.at,
            "lat": visit.lat,
            "lng": visit.lng,
            "client_uuid": visit.client_uuid,
        }
        if picked.kind == "rental":
            rc, _created = rental_check_add(actor=actor, rental_id=obj.pk, data=data)
            obj.refresh_from_db(fields=["rating"])
            return rc.result, {"rental_check": rc.pk, "rating": obj.rating}
        pc, _created = place_check_add(actor=actor, place_id=obj.pk, data=data)
        return pc.result, {"place_check": pc.pk}
    if outcome:
        raise invalid("outcome", gettext("该类走访不填写走访结果"))
    return "", {}


# ---- the phone's offline list ---------------------------------------------------------------


def visit_targets(actor: Actor) -> dict[str, Any]:
    """What the phone keeps for picking visits offline: the records of the worker's grids
    they may see, MASKED (names to the family name, addresses to their first part, the
    ID number's last four characters and the address's numbers to search by), the check
    lists of rental houses and places. At most `TARGETS_LIMIT` of each kind."""
    paths = worker_paths(actor)
    empty: dict[str, Any] = {k: [] for k in ("persons", "households", "key_persons")}
    empty.update({"rentals": [], "places": [], "truncated": False})
    empty["check_items"] = {
        "rental": {k: str(v) for k, v in rules.RENTAL_ITEMS.items()},
        "place": {k: str(v) for k, v in rules.PLACE_ITEMS.items()},
    }
    empty["generated_at"] = clock.now()
    if not paths:
        return empty
    within = scope.within_q("region_path", paths)
    out = empty
    truncated = False

    def take(qs: Any) -> list[Any]:
        nonlocal truncated
        rows = list(qs[: TARGETS_LIMIT + 1])
        truncated = truncated or len(rows) > TARGETS_LIMIT
        return rows[:TARGETS_LIMIT]

    persons = take(
        Person.objects.filter(registry_perms.person_scope_q(actor), within)
        .filter(status=PersonStatus.PRESENT)
        .only("pk", "name", "id_number", "address", "kind", "household_id", "region_id")
        .order_by("region_path", "pk")
    )
    out["persons"] = [
        {
            "id": p.pk,
            "label": pii.mask_name(p.name),
            "address": pii.mask_address(p.address),
            "house_no": house_number(p.address),
            "id_tail": (p.id_number or "")[-4:],
            "kind": p.kind,
            "household": p.household_id,
            "region": p.region_id,
        }
        for p in persons
    ]
    households = take(
        Household.objects.filter(registry_perms.household_scope_q(actor), within)
        .select_related("head")
        .order_by("region_path", "number")
    )
    out["households"] = [
        {
            "id": h.pk,
            "number": h.number,
            "label": pii.mask_name(h.head.name) if h.head else "",
            "address": pii.mask_address(h.address),
            "house_no": house_number(h.address),
            "region": h.region_id,
        }
        for h in households
    ]
    key_persons = take(
        KeyPerson.objects.filter(
            pk__in=KeyPerson.objects.filter(registry_perms.key_person_scope_q(actor)).values("pk")
        )
        .filter(within, status=KeyPersonStatus.ACTIVE)
        .select_related("person", "category")
        .order_by("region_path", "pk")
    )
    out["key_persons"] = [
        {
            "id": k.pk,
            "person": k.person_id,
            "label": pii.mask_name(k.person.name),
            "category": k.category.code,
            "category_name": k.category.name,
            "risk_level": k.risk_level,
            "id_tail": (k.person.id_number or "")[-4:],
            "house_no": house_number(k.person.address),
            "region": k.region_id,
        }
        for k in key_persons
    ]
    rentals = take(
        RentalHouse.objects.filter(places_scope_q(actor), within)
        .exclude(status=RentalStatus.CLOSED)
        .select_related("landlord")
        .order_by("region_path", "pk")
    )
    out["rentals"] = [
        {
            "id": r.pk,
            "address": pii.mask_address(r.address),
            "house_no": house_number(r.address),
            "label": pii.mask_name(r.landlord.name) if r.landlord else "",
            "rating": r.rating,
            "region": r.region_id,
        }
        for r in rentals
    ]
    places = take(
        Place.objects.filter(places_scope_q(actor), within)
        .exclude(status=PlaceStatus.CLOSED)
        .order_by("region_path", "name", "pk")
    )
    out["places"] = [
        {
            "id": p.pk,
            "label": p.name,
            "kind": p.kind,
            "sector": p.sector,
            # A person's business is at their home: its address masked like a person's.
            "address": pii.mask_address(p.address),
            "house_no": house_number(p.address),
            "region": p.region_id,
        }
        for p in places
    ]
    out["truncated"] = truncated
    return out


__all__ = ["PICK_KINDS", "Picked", "apply", "house_number", "resolve", "visit_targets"]
