"""Listed rectification (挂牌整治) as a declaration on the case engine: states, rows, who
may fire each, what each needs and does (docs/workflow-listing.md is generated from it).

挂牌 → 开始整改 (the owner unit) → 报告进展 (any number) → 申请验收 → 验收 (通过 / 不通过:
back to 整改) → 摘牌. The county's Ping'an office (`office`) lists, accepts, delists, may
extend the deadline with a reason and may cancel the listing; the owner unit (`unit`: the
owner town's dispatchers and leaders, or the owner department's handlers) answers.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from pingan.campaigns.choices import LISTING_OPEN, LISTING_TERMINAL, ListingStatus
from pingan.campaigns.fields import date_of
from pingan.campaigns.models import ListedItem, ListingProgress
from pingan.cases.fields import text as _text
from pingan.cases.table import Outcome, Step, Workflow
from pingan.core.errors import invalid
from pingan.core.i18n import pgettext_noop
from pingan.org.choices import Role

S = ListingStatus
R = Role

OPEN = LISTING_OPEN
TERMINAL = LISTING_TERMINAL
INITIAL = S.LISTED

# Scope kinds.
OFFICE = "office"  # the county's Ping'an office over the item's region
UNIT = "unit"  # the owner unit: the town's dispatchers and leaders, the department's handlers

OFFICE_STAFF = ((R.DISPATCHER, OFFICE),)
UNIT_STAFF = ((R.DISPATCHER, UNIT), (R.LEADER, UNIT), (R.HANDLER, UNIT))

SYSTEM_ACTIONS = {
    "list": pgettext_noop("action", "挂牌"),
    "update": pgettext_noop("action", "修改挂牌信息"),
}

LISTING = Workflow(
    states=ListingStatus.choices,
    initial=INITIAL,
    open_states=OPEN,
    terminal=TERMINAL,
    scopes={
        OFFICE: "平安办：所辖区划为县（市、区）级或以上并包含挂牌项所在地（受理员）",
        UNIT: "责任单位：责任乡镇（街道）的受理员、领导，或责任部门的处置人员",
    },
    system_actions=SYSTEM_ACTIONS,
)

MAX_TEXT = 5000


def _opt_note(p: dict[str, Any]) -> str:
    return _text(p, "note", gettext("说明"), required=False, max_len=2000)


@LISTING.row(
    "start",
    pgettext_noop("action", "开始整改"),
    {S.LISTED},
    S.RECTIFYING,
    (*UNIT_STAFF, *OFFICE_STAFF),
    style="primary",
)
def start(s: Step[ListedItem]) -> Outcome:
    return Outcome(_opt_note(s.payload))


@LISTING.row(
    "report",
    pgettext_noop("action", "报告整改进展"),
    {S.RECTIFYING},
    None,
    UNIT_STAFF,
    ("text",),
    style="primary",
)
def report(s: Step[ListedItem]) -> Outcome:
    """One progress report (整改进展) of the owner unit."""
    text = _text(s.payload, "text", gettext("进展情况"), max_len=MAX_TEXT)
    row = ListingProgress.objects.create(
        item=s.case, text=text, reported_by=s.user, reported_at=s.now
    )
    return Outcome(text, {"progress": row.pk})


@LISTING.row(
    "request_acceptance",
    pgettext_noop("action", "申请验收"),
    {S.RECTIFYING},
    S.ACCEPTANCE,
    UNIT_STAFF,
    ("note",),
    style="primary",
)
def request_acceptance(s: Step[ListedItem]) -> Outcome:
    return Outcome(_text(s.payload, "note", gettext("整改情况"), max_len=MAX_TEXT))


@LISTING.row(
    "accept",
    pgettext_noop("action", "验收通过"),
    {S.ACCEPTANCE},
    S.ACCEPTED,
    OFFICE_STAFF,
    ("note",),
    style="primary",
)
def accept(s: Step[ListedItem]) -> Outcome:
    s.case.accepted_at = s.now
    return Outcome(
        _text(s.payload, "note", gettext("验收意见"), max_len=MAX_TEXT), {"result": "passed"}
    )


@LISTING.row(
    "reject",
    pgettext_noop("action", "验收不通过"),
    {S.ACCEPTANCE},
    S.RECTIFYING,
    OFFICE_STAFF,
    ("note",),
    style="danger",
)
def reject(s: Step[ListedItem]) -> Outcome:
    """The acceptance failed: back to rectification, with what is still wrong."""
    return Outcome(
        _text(s.payload, "note", gettext("验收意见"), max_len=MAX_TEXT), {"result": "failed"}
    )


@LISTING.row(
    "delist",
    pgettext_noop("action", "摘牌"),
    {S.ACCEPTED},
    S.DELISTED,
    OFFICE_STAFF,
    style="primary",
)
def delist(s: Step[ListedItem]) -> Outcome:
    item = s.case
    item.delisted_at = s.now
    on_time = timezone.localdate(s.now) <= item.deadline
    return Outcome(_opt_note(s.payload), {"on_time": on_time})


@LISTING.row(
    "extend",
    pgettext_noop("action", "延长整治期限"),
    {S.LISTED, S.RECTIFYING, S.ACCEPTANCE},
    None,
    OFFICE_STAFF,
    ("deadline", "note"),
)
def extend(s: Step[ListedItem]) -> Outcome:
    """A later deadline, with the reason; the first deadline stays in `original_deadline`."""
    item = s.case
    deadline = date_of(s.payload, "deadline", gettext("整治期限"), required=True)
    assert deadline is not None
    if deadline <= item.deadline:
        raise invalid("deadline", gettext("新的整治期限应晚于原期限"))
    if deadline < timezone.localdate(s.now):
        raise invalid("deadline", gettext("新的整治期限不能早于今天"))
    note = _text(s.payload, "note", gettext("延期理由"), max_len=2000)
    old = item.deadline
    item.deadline = deadline
    return Outcome(note, {"old_deadline": old.isoformat(), "deadline": deadline.isoformat()})


@LISTING.row(
    "cancel",
    pgettext_noop("action", "撤销挂牌"),
    {S.LISTED, S.RECTIFYING, S.ACCEPTANCE, S.ACCEPTED},
    S.CANCELLED,
    OFFICE_STAFF,
    ("note",),
    style="danger",
)
def cancel(s: Step[ListedItem]) -> Outcome:
    return Outcome(_text(s.payload, "note", gettext("撤销原因"), max_len=2000))


TABLE = LISTING.table
ACTIONS = LISTING.actions
