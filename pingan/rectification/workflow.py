"""The rectification order's loop as a declaration on the case engine: states, rows, who
may fire each, what each needs and does (docs/workflow-rectification.md is generated
from it).

下发 (issued) → 签收 (owner unit) → 整改中 → 反馈 (result, evidence when required) →
复查 by the office or an inspector who watches the order (通过 → 复查通过 → 销号 by the
office; 不通过 → back to 整改中 with a new deadline and a deduction) ; 延期 and 撤销 by
the office while open.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from pingan.cases.fields import boolean as _bool
from pingan.cases.fields import text as _text
from pingan.cases.table import Outcome, Step, Workflow
from pingan.core.errors import invalid
from pingan.core.i18n import pgettext_noop
from pingan.org.choices import Role
from pingan.rectification.choices import DeductionSource, Status
from pingan.rectification.deductions import deduct_for_order
from pingan.rectification.models import Evidence, RectificationOrder

S = Status
R = Role

OPEN = frozenset({S.ISSUED, S.RECTIFYING, S.SUBMITTED, S.PASSED})
TERMINAL = frozenset({S.CLOSED, S.CANCELLED})
INITIAL = S.ISSUED
# States in which the owner unit still owes the rectification (the deadline runs).
OWING = frozenset({S.ISSUED, S.RECTIFYING})

# Scope kinds.
OFFICE = "office"
UNIT = "unit"
WATCHER = "watcher"

OFFICE_STAFF = ((R.DISPATCHER, OFFICE),)
UNIT_STAFF = ((R.DISPATCHER, UNIT), (R.HANDLER, UNIT))
RECHECKERS = ((R.DISPATCHER, OFFICE), (R.INSPECTOR, WATCHER))

SYSTEM_ACTIONS = {
    "issue": pgettext_noop("action", "下发"),
    "publish": pgettext_noop("action", "公开暗访结果"),
    "evidence": pgettext_noop("action", "上传佐证材料"),
    "overdue": pgettext_noop("action", "整改超期"),
}

RECTIFICATION = Workflow(
    states=Status.choices,
    initial=INITIAL,
    open_states=OPEN,
    terminal=TERMINAL,
    scopes={
        OFFICE: "平安办：所辖区划为县（市、区）级或以上并包含问题所在地（受理员）",
        UNIT: "责任单位：责任乡镇的受理员，或责任部门的处置人员（已公开的整改通知）",
        WATCHER: "督查员：本人是该整改通知的督查人员（发现问题的人）",
    },
    system_actions=SYSTEM_ACTIONS,
    chosen_variants={"recheck"},
    action_labels={"recheck": pgettext_noop("action", "复查")},
)

MAX_TEXT = 5000


def _opt_note(p: dict[str, Any]) -> str:
    return _text(p, "note", gettext("说明"), required=False, max_len=2000)


def new_deadline(p: dict[str, Any], today: dt.date) -> dt.date:
    """The payload's `deadline` (a date not before today); 422 otherwise."""
    raw = p.get("deadline")
    if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        value = raw
    else:
        try:
            value = dt.date.fromisoformat(str(raw or ""))
        except ValueError:
            raise invalid("deadline", gettext("整改期限应为日期，如 2026-12-31")) from None
    if value < today:
        raise invalid("deadline", gettext("整改期限不能早于今天"))
    return value


def passed_of(p: dict[str, Any]) -> bool | None:
    """The re-check's conclusion in the payload (None when absent)."""
    if "passed" not in p or p.get("passed") in (None, ""):
        return None
    return _bool(p, "passed", gettext("复查结论"))


# ---- the rows ----------------------------------------------------------------------------


@RECTIFICATION.row(
    "acknowledge",
    pgettext_noop("action", "签收"),
    {S.ISSUED},
    S.RECTIFYING,
    UNIT_STAFF,
    style="primary",
)
def acknowledge(s: Step[RectificationOrder]) -> Outcome:
    s.case.acknowledged_at = s.now
    return Outcome(_opt_note(s.payload))


@RECTIFICATION.row(
    "submit",
    pgettext_noop("action", "反馈整改情况"),
    {S.RECTIFYING},
    S.SUBMITTED,
    UNIT_STAFF,
    ("result",),
    style="primary",
)
def submit(s: Step[RectificationOrder]) -> Outcome:
    """The result; evidence of this round uploaded first when the order requires it."""
    order = s.case
    result = _text(s.payload, "result", gettext("整改情况"), max_len=MAX_TEXT)
    files = list(
        Evidence.objects.filter(order=order, round=order.failed_rechecks).values_list(
            "pk", flat=True
        )
    )
    if order.evidence_required.strip() and not files:
        raise invalid(
            "evidence",
            gettext("本通知要求佐证材料：%(what)s，请先上传") % {"what": order.evidence_required},
        )
    order.result = result
    order.submitted_at = s.now
    late = timezone.localdate(s.now) > order.deadline
    return Outcome(result, {"evidence": files, "late": late, "round": order.failed_rechecks})


@RECTIFICATION.row(
    "recheck",
    pgettext_noop("action", "复查通过"),
    {S.SUBMITTED},
    S.PASSED,
    RECHECKERS,
    ("passed",),
    variant="passed",
    style="primary",
)
@RECTIFICATION.row(
    "recheck",
    pgettext_noop("action", "复查不通过"),
    {S.SUBMITTED},
    S.RECTIFYING,
    RECHECKERS,
    ("passed", "note", "deadline"),
    variant="failed",
    style="danger",
)
def recheck(s: Step[RectificationOrder]) -> Outcome:
    """复查: passed, or not — back to 整改中 with a new deadline, one more failed re-check
    and a deduction of the order's points from the owner unit."""
    order, p, now = s.case, s.payload, s.now
    passed = bool(passed_of(p))
    note = _opt_note(p)
    order.rechecked_at = now
    order.recheck_note = note
    data: dict[str, Any] = {"passed": passed}
    if not passed:
        today = timezone.localdate(now)
        deadline = new_deadline(p, today)
        deduction = deduct_for_order(
            order,
            source_kind=DeductionSource.FAILED_RECHECK,
            reason=gettext("整改通知%(code)s复查未通过：%(note)s")
            % {"code": order.code, "note": note},
            on=today,
            user=s.user,
            now=now,
        )
        data.update(
            old_deadline=order.deadline.isoformat(),
            deadline=deadline.isoformat(),
            deduction=deduction.pk,
            points=str(deduction.points),
        )
        order.failed_rechecks += 1
        order.deadline = deadline
        order.overdue = False
        order.submitted_at = None
    return Outcome(note, data)


@RECTIFICATION.row(
    "close_out",
    pgettext_noop("action", "销号"),
    {S.PASSED},
    S.CLOSED,
    OFFICE_STAFF,
    style="primary",
)
def close_out(s: Step[RectificationOrder]) -> Outcome:
    s.case.closed_at = s.now
    return Outcome(_opt_note(s.payload))


@RECTIFICATION.row(
    "extend",
    pgettext_noop("action", "延期"),
    OWING,
    None,
    OFFICE_STAFF,
    ("deadline", "note"),
)
def extend(s: Step[RectificationOrder]) -> Outcome:
    """A new deadline with its reason; an overdue order counts as on time again until the
    new deadline passes (its deduction stays unless cancelled)."""
    order, p = s.case, s.payload
    deadline = new_deadline(p, timezone.localdate(s.now))
    if deadline <= order.deadline:
        raise invalid("deadline", gettext("延期后的期限应晚于原期限"))
    note = _text(p, "note", gettext("延期原因"), max_len=2000)
    data = {"old_deadline": order.deadline.isoformat(), "deadline": deadline.isoformat()}
    order.deadline = deadline
    order.overdue = False
    return Outcome(note, data)


@RECTIFICATION.row(
    "cancel",
    pgettext_noop("action", "撤销"),
    OPEN,
    S.CANCELLED,
    OFFICE_STAFF,
    ("note",),
    style="danger",
)
def cancel(s: Step[RectificationOrder]) -> Outcome:
    s.case.closed_at = s.now
    return Outcome(_text(s.payload, "note", gettext("撤销原因"), max_len=2000))


TABLE = RECTIFICATION.table
ACTIONS = RECTIFICATION.actions
