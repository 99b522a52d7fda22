"""Who is told about what: the recipients of each timeline action.

Reads only; `receivers.on_event_changed` turns the answer into inbox rows and deliveries.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from pingan.events import workflow
from pingan.events.choices import AssignmentStatus, Status
from pingan.events.models import Assignment, Event, EventTransition
from pingan.geo.models import Region
from pingan.org.choices import Role
from pingan.org.models import Membership

User = get_user_model()

ACTIVE_ASSIGNMENT = (AssignmentStatus.DISPATCHED, AssignmentStatus.ACKNOWLEDGED)


def _ancestor_paths(path: str) -> list[str]:
    """The path of a node and of each ancestor, the node itself first."""
    parts = [p for p in path.split("/") if p]
    return ["/".join(parts[:i]) + "/" for i in range(len(parts), 0, -1)]


def _active_users(user_ids: set[int]) -> list[Any]:
    if not user_ids:
        return []
    return list(User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"))


def _memberships(role: str) -> QuerySet[Membership]:
    return Membership.objects.filter(role=role, is_active=True)


def queue_dispatchers(queue_region: Region) -> list[Any]:
    """The dispatchers of a centre's queue: those whose region is the queue's region, or,
    when that centre has none, those of the nearest centre above it (never both: a county
    dispatcher is not told about every town's work)."""
    paths = _ancestor_paths(queue_region.path)
    rows = list(
        _memberships(Role.DISPATCHER)
        .filter(region__path__in=paths)
        .values_list("user_id", "region__path")
    )
    for path in paths:
        ids = {uid for uid, p in rows if p == path}
        if ids:
            return _active_users(ids)
    return []


def department_handlers(department_ids: set[int]) -> list[Any]:
    """Handlers of the given departments."""
    if not department_ids:
        return []
    ids = set(
        _memberships(Role.HANDLER)
        .filter(department_id__in=department_ids)
        .values_list("user_id", flat=True)
    )
    return _active_users(ids)


def active_assignment_handlers(event: Event) -> list[Any]:
    """Handlers of the departments holding an active assignment (lead or assisting)."""
    depts = set(
        Assignment.objects.filter(event=event, status__in=ACTIVE_ASSIGNMENT).values_list(
            "department_id", flat=True
        )
    )
    return department_handlers(depts)


def grid_workers_over(event: Event) -> list[Any]:
    """Grid workers whose region contains the event's region (they verify results)."""
    ids = set(
        _memberships(Role.GRID_WORKER)
        .filter(region__path__in=_ancestor_paths(event.region_path))
        .values_list("user_id", flat=True)
    )
    return _active_users(ids)


def _queue_from(transition: EventTransition | None, event: Event) -> Region:
    to_queue = (transition.data or {}).get("to_queue") if transition else None
    if to_queue:
        region = Region.objects.filter(pk=to_queue).first()
        if region is not None:
            return region
    return event.queue_region


def reaches_verification(action: str, variant: str, transition: EventTransition | None) -> bool:
    """Whether the row moved the event into 待核查 (RESOLVED): the lead's 办结反馈, and
    equally the last assisting part to report, return, be waived or removed after it. Keyed
    on the state the row went to (the table's target when no row was recorded), never on a
    list of actions, so a new row into 待核查 tells the verifiers too."""
    if transition is not None:
        return transition.to_status == Status.RESOLVED and transition.from_status != (
            Status.RESOLVED
        )
    if action == "resolve" and variant == "":
        return True  # the lead's feedback, from before the table named its variants
    row = workflow.LOOP.find(action, variant)
    return row is not None and row.target == Status.RESOLVED


NAMED_ACTIONS = frozenset(
    {"reassign", "add_assist", "remove_assist", "consult", "supervise", "reply_supervision"}
)


def recipients_for(
    event: Event, action: str, variant: str, transition: EventTransition | None
) -> list[Any]:
    """The users to notify of `action` on `event` (the actor excluded), per the rules:
    report → the queue's dispatchers; escalate / auto_escalate → the new queue's
    dispatchers; dispatch, accept_dispatch → handlers of the lead and assisting
    departments; return / extend → the queue's dispatchers; decide_extension, verify
    (failed), reopen, supervise, remind → handlers of active assignments; every row that
    moves the event to 待核查 (resolve by the lead, or the last assisting part's resolve,
    return, waive_assist or remove_assist: `reaches_verification`) → also the grid workers
    over the event and the queue's dispatchers; warning / overdue → handlers
    of active assignments and the queue's dispatchers; merge → the reporter of the
    duplicate (this event), merged_in → the reporter of the master event (citizens
    without an account are told by SMS, `reporter_tell`); reassign, add_assist,
    remove_assist, consult (invitation), supervise, reply_supervision → also the
    departments' handlers and the users the row names (`notify_departments`,
    `notify_users` in its data); supervise of an undispatched event → the queue's
    dispatchers."""
    users: list[Any] = []
    if action == "report":
        users = queue_dispatchers(event.queue_region)
    elif action in ("escalate", "auto_escalate"):
        users = queue_dispatchers(_queue_from(transition, event))
    elif action in ("dispatch", "accept_dispatch"):
        users = active_assignment_handlers(event)
    elif action in ("return", "extend"):
        users = queue_dispatchers(event.queue_region)
    elif action in ("decide_extension", "reopen", "supervise", "remind") or (
        action == "verify" and variant == "failed"
    ):
        users = active_assignment_handlers(event)
    elif action in ("warning", "overdue"):
        users = active_assignment_handlers(event) + queue_dispatchers(event.queue_region)
    elif action in ("merge", "merged_in"):
        users = _active_users({event.reporter_id} if event.reporter_id else set())
    if reaches_verification(action, variant, transition):
        users = users + grid_workers_over(event) + queue_dispatchers(event.queue_region)
    # Rows that name the departments or people concerned (改派: the old and the new lead;
    # 增加/撤销协办: that department; 发起会商: the invited; 督办: the department that
    # must answer; 督办回复: the issuer).
    data = (transition.data or {}) if transition is not None else {}
    if action == "supervise" and transition is not None and not data.get("department"):
        users = users + queue_dispatchers(event.queue_region)  # an order to the centre
    if action in NAMED_ACTIONS:
        users = users + department_handlers(set(data.get("notify_departments") or []))
        users = users + _active_users(set(data.get("notify_users") or []))
    actor_id = transition.actor_id if transition is not None else None
    seen: set[int] = set()
    out = []
    for u in users:
        if u.pk != actor_id and u.pk not in seen:
            seen.add(u.pk)
            out.append(u)
    return out
