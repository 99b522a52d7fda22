"""Deadline arithmetic for events: allowances per category and urgency, live state. The
counting is the case engine's (`pingan.cases.deadlines`): in natural hours, day and night,
for the urgencies in settings.PINGAN_NATURAL_TIME_URGENCIES (特急、紧急 by default), on the
working calendar for the others, unless the category's deadline row sets its own clock
(`CategoryDeadline.natural_time`). Every function here (start, restart, extension, the
warning moment) counts the same way for one event."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.translation import pgettext

from pingan.cases import deadlines as cases_deadlines
from pingan.core import clock
from pingan.events.choices import DeadlineState, Status, Urgency
from pingan.events.models import Category, CategoryDeadline, Event

# When neither the category, its parent nor the normal urgency defines an allowance.
DEFAULT_ACK = (Decimal(4), "hours")
DEFAULT_HANDLE = (Decimal(5), "days")


@dataclass(frozen=True)
class Allowance:
    ack_amount: Decimal
    ack_unit: str
    handle_amount: Decimal
    handle_unit: str
    natural: bool = False  # natural hours and days, else the working calendar


def natural_by_default(urgency: str) -> bool:
    """Whether an urgency runs on natural time when no deadline row says otherwise."""
    return urgency in tuple(settings.PINGAN_NATURAL_TIME_URGENCIES)


def allowance_for(category: Category, urgency: str) -> Allowance:
    """The allowance for a category and urgency: the category's own row, else its
    parent's, at the urgency asked, else at normal urgency, else the defaults. The clock
    is the row's own `natural_time` when the row found is at the urgency asked and sets
    one, else the urgency's default."""
    chain = [category.pk]
    if category.parent_id:
        chain.append(category.parent_id)
    rows = {
        (r.category_id, r.urgency): r
        for r in CategoryDeadline.objects.filter(category_id__in=chain)
    }
    for urg in (urgency, Urgency.NORMAL):
        for cat_id in chain:
            row = rows.get((cat_id, urg))
            if row is not None:
                natural = natural_by_default(urgency)
                if urg == urgency and row.natural_time is not None:
                    natural = row.natural_time
                return Allowance(
                    row.ack_amount, row.ack_unit, row.handle_amount, row.handle_unit, natural
                )
    return Allowance(
        DEFAULT_ACK[0],
        DEFAULT_ACK[1],
        DEFAULT_HANDLE[0],
        DEFAULT_HANDLE[1],
        natural_by_default(urgency),
    )


def is_natural(event: Event) -> bool:
    """Whether the event's clocks run on natural time (its category and urgency)."""
    return allowance_for(event.category, event.urgency).natural


def unit_word(unit: str, natural: bool) -> str:
    """How a page names a deadline unit ("hours" or "days") on one clock: 小时 / 自然日 on
    natural time, 工作小时 / 工作日 on the working calendar."""
    # In a sentence ("延期 3 个自然日"), hence the context: lower case in English.
    if unit == "hours":
        return pgettext("unit", "小时") if natural else pgettext("unit", "工作小时")
    return pgettext("unit", "自然日") if natural else pgettext("unit", "工作日")


def day_word(event: Event) -> str:
    """The days an event's deadlines move by (an extension): 自然日 when its clock runs
    on natural time, else 工作日."""
    return unit_word("days", is_natural(event))


def start_clocks(event: Event, now: dt.datetime) -> None:
    """Dispatch: acknowledge and handling deadlines both count from now."""
    a = allowance_for(event.category, event.urgency)
    event.clock_started_at = now
    event.ack_due_at = cases_deadlines.due(now, float(a.ack_amount), a.ack_unit, natural=a.natural)
    event.due_at = cases_deadlines.due(
        now, float(a.handle_amount), a.handle_unit, natural=a.natural
    )
    event.warn_at = cases_deadlines.warning_at(now, event.ack_due_at, natural=a.natural)
    event.deadline_state = DeadlineState.NORMAL


def stop_ack_clock(event: Event, now: dt.datetime) -> None:
    """Acknowledged: only the handling deadline runs on."""
    event.ack_due_at = None
    if event.clock_started_at and event.due_at:
        event.warn_at = cases_deadlines.warning_at(
            event.clock_started_at, event.due_at, natural=is_natural(event)
        )
    event.deadline_state = state_at(event, now) or DeadlineState.NORMAL


def restart_handling_clock(event: Event, now: dt.datetime) -> None:
    """Back to handling (verification failed, reopened): a fresh handling allowance."""
    a = allowance_for(event.category, event.urgency)
    event.clock_started_at = now
    event.ack_due_at = None
    event.due_at = cases_deadlines.due(
        now, float(a.handle_amount), a.handle_unit, natural=a.natural
    )
    event.warn_at = cases_deadlines.warning_at(now, event.due_at, natural=a.natural)
    event.deadline_state = DeadlineState.NORMAL


def move_deadline(event: Event, days: int, now: dt.datetime) -> dt.datetime:
    """Extension approved: the handling deadline moves by `days` days, working or natural
    as the event's clock counts."""
    assert event.due_at is not None
    natural = is_natural(event)
    event.due_at = cases_deadlines.add_days(event.due_at, days, natural=natural)
    if event.clock_started_at:
        event.warn_at = cases_deadlines.warning_at(
            event.clock_started_at, event.due_at, natural=natural
        )
    event.deadline_state = state_at(event, now) or DeadlineState.NORMAL
    return event.due_at


def on_time(due_at: dt.datetime | None, at: dt.datetime) -> bool | None:
    """Whether a result that came in at `at` met the handling deadline `due_at`; None when
    there was none: neither on time nor late (docs/kpis.md, ADR 0008)."""
    return None if due_at is None else at <= due_at


def stop_clocks(event: Event) -> None:
    event.ack_due_at = None
    event.warn_at = None
    event.deadline_state = ""


def binding_due(event: Event) -> tuple[str, dt.datetime] | None:
    """The deadline that governs the light: ("ack", ack_due_at) until the lead department
    acknowledges, then ("handle", due_at); None when no clock runs."""
    if event.status not in (Status.DISPATCHED, Status.IN_PROGRESS) or event.due_at is None:
        return None
    if event.status == Status.DISPATCHED and event.ack_due_at is not None:
        return ("ack", event.ack_due_at)
    return ("handle", event.due_at)


def state_at(event: Event, now: dt.datetime | None = None) -> str | None:
    """normal / warning / overdue for an event whose clock runs, else None."""
    if event.status not in (Status.DISPATCHED, Status.IN_PROGRESS) or event.due_at is None:
        return None
    now = now or clock.now()
    if now > event.due_at or (event.ack_due_at is not None and now > event.ack_due_at):
        return DeadlineState.OVERDUE
    if event.warn_at is not None and now >= event.warn_at:
        return DeadlineState.WARNING
    return DeadlineState.NORMAL
