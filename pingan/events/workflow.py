"""The closed loop as data: states, actions, who may fire each and what each needs.

Nothing here touches the database. `events.services.event_transition` applies the table;
pages draw their buttons from it; docs/workflow.md is generated from it
(`manage.py workflow_doc`) and a test fails when that file is stale.

Some actions have variants, chosen by the service from the event and the actor:
the lead department's acknowledgement moves the event, an assisting department's only
its own assignment; verification passes or fails; reopening goes back to handling when
a department held the event, else back to the centre.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import pgettext

from pingan.core.i18n import pgettext_noop
from pingan.events.choices import Status
from pingan.org.choices import Role

S = Status
R = Role

OPEN = frozenset({S.REPORTED, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.RESOLVED})
TERMINAL = frozenset({S.REJECTED, S.MERGED})
INITIAL = S.REPORTED

# Scope kinds: how a role's membership must cover the event for the role to act.
REGION = "region"  # the membership's region contains the event's region
QUEUE = "queue"  # the membership's region contains the centre whose queue holds the event
ASSIGNMENT = "assignment"  # the membership's department holds an active assignment
SCOPES = frozenset({REGION, QUEUE, ASSIGNMENT})

# Clock effects.
CLOCK_NONE = "none"
CLOCK_START = "start"  # dispatch: acknowledge and handling clocks start
CLOCK_STOP_ACK = "stop_ack"  # acknowledged: only the handling clock runs on
CLOCK_MOVE = "move"  # extension approved: the handling deadline moves
CLOCK_STOP = "stop"  # resolved / returned / closed: no clock runs
CLOCK_RESTART = "restart"  # back to handling: a fresh handling allowance
CLOCKS = frozenset({CLOCK_NONE, CLOCK_START, CLOCK_STOP_ACK, CLOCK_MOVE, CLOCK_STOP, CLOCK_RESTART})

CENTRE = ((R.DISPATCHER, QUEUE),)
DEPARTMENT = ((R.HANDLER, ASSIGNMENT),)
GRID = ((R.GRID_WORKER, REGION), (R.GRID_LEADER, REGION))
ANYONE_IN_SCOPE = (
    (R.GRID_WORKER, REGION),
    (R.GRID_LEADER, REGION),
    (R.DISPATCHER, REGION),
    (R.HANDLER, ASSIGNMENT),
    (R.LEADER, REGION),
)


@dataclass(frozen=True)
class Transition:
    """One row of the table: `action` (and `variant`) from `sources` to `target`.

    `target` None keeps the state. `who` pairs a role with the scope it must hold.
    `requires` names payload fields that must be present and non-empty. `public_reply`
    says the row takes the optional `public_reply` field: the reply to the reporter and
    the public (对外答复), published masked where the internal note never is (Open311
    `status_notes`, the citizen tracking page, the reporter's SMS; docs/privacy.md).
    `label` is the Chinese msgid (context "action"); `display_label` is it in the
    active language.
    """

    action: str
    label: str
    sources: frozenset[str]
    target: str | None
    who: tuple[tuple[str, str], ...]
    requires: tuple[str, ...] = ()
    clock: str = CLOCK_NONE
    variant: str = ""
    style: str = "secondary"
    public_reply: bool = False

    @property
    def display_label(self) -> str:
        return pgettext("action", self.label)

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(role for role, _ in self.who)


def _t(*args: object, **kwargs: object) -> Transition:
    return Transition(*args, **kwargs)  # type: ignore[arg-type]


TABLE: tuple[Transition, ...] = (
    _t(
        "accept",
        pgettext_noop("action", "受理"),
        frozenset({S.REPORTED}),
        S.ACCEPTED,
        CENTRE,
        style="primary",
    ),
    _t(
        "reject",
        pgettext_noop("action", "不予受理"),
        frozenset({S.REPORTED}),
        S.REJECTED,
        CENTRE,
        ("note",),
        clock=CLOCK_STOP,
        style="danger",
        public_reply=True,
    ),
    _t(
        "merge",
        pgettext_noop("action", "合并"),
        frozenset({S.REPORTED, S.ACCEPTED}),
        S.MERGED,
        CENTRE,
        ("master",),
        clock=CLOCK_STOP,
        public_reply=True,
    ),
    _t(
        "escalate",
        pgettext_noop("action", "提级上报"),
        frozenset({S.REPORTED, S.ACCEPTED}),
        None,
        CENTRE,
        ("note",),
    ),
    _t(
        "escalate",
        pgettext_noop("action", "提级上报"),
        frozenset({S.DISPATCHED, S.IN_PROGRESS}),
        None,
        (*CENTRE, (R.HANDLER, ASSIGNMENT)),
        ("note",),
        variant="handling",
    ),
    _t(
        "resolve_on_site",
        pgettext_noop("action", "就地解决"),
        frozenset({S.REPORTED}),
        S.CLOSED,
        GRID,
        ("result",),
        clock=CLOCK_STOP,
        style="primary",
        public_reply=True,
    ),
    _t(
        "dispatch",
        pgettext_noop("action", "派遣"),
        frozenset({S.ACCEPTED}),
        S.DISPATCHED,
        CENTRE,
        ("lead_department",),
        clock=CLOCK_START,
        style="primary",
    ),
    _t(
        "acknowledge",
        pgettext_noop("action", "签收"),
        frozenset({S.DISPATCHED}),
        S.IN_PROGRESS,
        DEPARTMENT,
        clock=CLOCK_STOP_ACK,
        variant="lead",
        style="primary",
    ),
    _t(
        "acknowledge",
        pgettext_noop("action", "签收"),
        frozenset({S.DISPATCHED, S.IN_PROGRESS}),
        None,
        DEPARTMENT,
        variant="assist",
        style="primary",
    ),
    _t(
        "return",
        pgettext_noop("action", "退回"),
        frozenset({S.DISPATCHED, S.IN_PROGRESS}),
        S.ACCEPTED,
        DEPARTMENT,
        ("note",),
        clock=CLOCK_STOP,
        variant="lead",
        style="danger",
    ),
    _t(
        "return",
        pgettext_noop("action", "退回"),
        frozenset({S.DISPATCHED, S.IN_PROGRESS}),
        None,
        DEPARTMENT,
        ("note",),
        variant="assist",
        style="danger",
    ),
    _t(
        "extend",
        pgettext_noop("action", "申请延期"),
        frozenset({S.DISPATCHED, S.IN_PROGRESS}),
        None,
        DEPARTMENT,
        ("days", "note"),
        variant="lead",
    ),
    _t(
        "decide_extension",
        pgettext_noop("action", "审批延期"),
        frozenset({S.DISPATCHED, S.IN_PROGRESS}),
        None,
        CENTRE,
        ("approve",),
        clock=CLOCK_MOVE,
    ),
    _t(
        "resolve",
        pgettext_noop("action", "办结反馈"),
        frozenset({S.IN_PROGRESS}),
        S.RESOLVED,
        DEPARTMENT,
        ("result",),
        clock=CLOCK_STOP,
        variant="lead",
        style="primary",
        public_reply=True,
    ),
    _t(
        "resolve",
        pgettext_noop("action", "协办反馈"),
        frozenset({S.DISPATCHED, S.IN_PROGRESS, S.RESOLVED}),
        None,
        DEPARTMENT,
        ("result",),
        variant="assist",
        style="primary",
    ),
    _t(
        "verify",
        pgettext_noop("action", "核查通过"),
        frozenset({S.RESOLVED}),
        S.CLOSED,
        (*GRID, *CENTRE),
        ("passed",),
        clock=CLOCK_STOP,
        variant="passed",
        style="primary",
        public_reply=True,
    ),
    _t(
        "verify",
        pgettext_noop("action", "核查不通过"),
        frozenset({S.RESOLVED}),
        S.IN_PROGRESS,
        (*GRID, *CENTRE),
        ("passed", "note"),
        clock=CLOCK_RESTART,
        variant="failed",
        style="danger",
        public_reply=True,
    ),
    _t(
        "follow_up",
        pgettext_noop("action", "回访"),
        frozenset({S.CLOSED}),
        None,
        (*CENTRE, *GRID),
        ("satisfaction",),
    ),
    _t(
        "reopen",
        pgettext_noop("action", "重办"),
        frozenset({S.CLOSED}),
        S.IN_PROGRESS,
        CENTRE,
        ("note",),
        clock=CLOCK_RESTART,
        variant="dispatched",
        style="danger",
        public_reply=True,
    ),
    _t(
        "reopen",
        pgettext_noop("action", "重办"),
        frozenset({S.CLOSED}),
        S.ACCEPTED,
        CENTRE,
        ("note",),
        variant="undispatched",
        style="danger",
        public_reply=True,
    ),
    _t("track", pgettext_noop("action", "长效跟踪"), frozenset({S.CLOSED}), None, CENTRE),
    _t(
        "recheck",
        pgettext_noop("action", "跟踪复查"),
        frozenset({S.CLOSED}),
        None,
        (*GRID, *CENTRE),
        ("check", "recurred"),
    ),
    _t(
        "consult",
        pgettext_noop("action", "会商"),
        OPEN,
        None,
        (*CENTRE, (R.LEADER, REGION)),
        ("participants", "conclusion"),
    ),
    _t(
        "supervise",
        pgettext_noop("action", "督办"),
        OPEN,
        None,
        (*CENTRE, (R.LEADER, REGION)),
        ("note",),
    ),
    _t(
        "remind",
        pgettext_noop("action", "催办"),
        OPEN,
        None,
        (*CENTRE, (R.LEADER, REGION)),
        ("note",),
    ),
    _t(
        "comment",
        pgettext_noop("action", "备注"),
        OPEN | {S.CLOSED},
        None,
        ANYONE_IN_SCOPE,
        ("note",),
    ),
)

ACTIONS: tuple[str, ...] = tuple(dict.fromkeys(t.action for t in TABLE))

# Actions recorded on the timeline by the system itself, not fired by a person: by the
# events app (report, merged_in), the deadline sweeper (warning, overdue, auto_escalate),
# triage's risk alerts (risk_alert) and the importer (imported). None changes the state.
SYSTEM_ACTIONS = {
    "report": pgettext_noop("action", "上报"),
    "warning": pgettext_noop("action", "临期预警"),
    "overdue": pgettext_noop("action", "超期"),
    "merged_in": pgettext_noop("action", "并入重复件"),
    "auto_escalate": pgettext_noop("action", "超期提级"),
    "risk_alert": pgettext_noop("action", "风险预警"),
    "imported": pgettext_noop("action", "历史导入"),
}

ACTION_LABELS: dict[str, str] = {**{t.action: t.label for t in TABLE}, **SYSTEM_ACTIONS}
ACTION_LABELS["verify"] = pgettext_noop("action", "核查")
ACTION_LABELS["resolve"] = pgettext_noop("action", "办结反馈")


def action_label(action: str) -> str:
    """An action's name in the active language (the action itself if it has no name)."""
    label = ACTION_LABELS.get(action)
    return pgettext("action", label) if label else action


def rows_for(action: str) -> list[Transition]:
    """All rows (variants) of one action."""
    return [t for t in TABLE if t.action == action]


def find(action: str, variant: str = "") -> Transition | None:
    """The row for an action and variant (the only row when the action has no variants)."""
    rows = rows_for(action)
    for row in rows:
        if row.variant == variant:
            return row
    if len(rows) == 1 and not variant:
        return rows[0]
    return None


def reachable_states() -> set[str]:
    """States reachable from the initial one by the table."""
    seen: set[str] = {INITIAL}
    frontier: list[str] = [INITIAL]
    while frontier:
        state = frontier.pop()
        for t in TABLE:
            if state in t.sources and t.target and t.target not in seen:
                seen.add(t.target)
                frontier.append(t.target)
    return seen
