"""Deadlines of events driven through the services across the 2026 National Day holiday
(Oct 1-7 off; make-up working days Sun Sep 20 and Sat Oct 10, per chinese-calendar 1.11)."""

from __future__ import annotations

from pingan.events.choices import DeadlineState, ExtensionStatus
from pingan.events.models import Event
from pingan.sla.services import sweep
from pingan.sla.tests.helpers import act, at, dispatched


def timeline(event):
    return list(Event.objects.get(pk=event.pk).timeline.values_list("action", flat=True))


def test_dispatch_on_the_eve_of_the_holiday_counts_working_days_after_it(cast):
    # 消防隐患 (fire): acknowledge within 2 working hours, handle within 3 working days.
    e = dispatched(cast, at(2026, 9, 30, 15), category=cast.fire, lead=cast.housing)
    # Oct 8 (Thu), Oct 9 (Fri), Oct 10 (Sat, make-up) -> end of Oct 10.
    assert e.due_at == at(2026, 10, 10, 17, 30)
    assert e.ack_due_at == at(2026, 9, 30, 17)
    # Yellow at 80 % of the acknowledge allowance: 96 minutes.
    assert e.warn_at == at(2026, 9, 30, 16, 36)
    assert e.deadline_state == DeadlineState.NORMAL
    lead = e.assignments.get()
    assert (lead.ack_due_at, lead.due_at) == (e.ack_due_at, e.due_at)


def test_working_hour_allowance_runs_over_the_holiday(cast):
    # 邻里纠纷 (neighbour): acknowledge within 4 working hours.
    e = dispatched(cast, at(2026, 9, 30, 15))
    # 2.5 h on Sep 30, then 1.5 h on Thu Oct 8.
    assert e.ack_due_at == at(2026, 10, 8, 10)


def test_acknowledged_event_warns_at_80_percent_and_is_red_after_the_deadline(cast):
    e = dispatched(cast, at(2026, 9, 30, 15), category=cast.fire, lead=cast.housing)
    e = act(cast.handler_housing, e, "acknowledge", at(2026, 9, 30, 16))
    # 25 working hours allowed; 80 % = 20 h -> Oct 10 11:00.
    assert e.warn_at == at(2026, 10, 10, 11)
    assert sweep(at(2026, 10, 10, 10, 59)).warned == 0
    assert sweep(at(2026, 10, 10, 11)).warned == 1
    assert sweep(at(2026, 10, 10, 17, 30)).overdue == 0
    assert sweep(at(2026, 10, 10, 17, 31)).overdue == 1
    e.refresh_from_db()
    assert e.deadline_state == DeadlineState.OVERDUE
    assert timeline(e)[-2:] == ["warning", "overdue"]


def test_approved_extension_moves_the_deadline_by_working_days(cast):
    e = dispatched(cast, at(2026, 9, 30, 15), category=cast.fire, lead=cast.housing)
    e = act(cast.handler_housing, e, "acknowledge", at(2026, 9, 30, 16))
    act(cast.handler_housing, e, "extend", at(2026, 10, 9, 9), days=2, note="需协调物业整改")
    e = act(cast.dispatcher, e, "decide_extension", at(2026, 10, 9, 10), approve=True)
    # Oct 10 17:30 + 2 working days: Sun Oct 11 is off -> Oct 12, Oct 13.
    assert e.due_at == at(2026, 10, 13, 17, 30)
    assert e.assignments.get().due_at == e.due_at
    ext = e.extensions.get()
    assert ext.status == ExtensionStatus.APPROVED
    assert (ext.old_due_at, ext.new_due_at) == (at(2026, 10, 10, 17, 30), e.due_at)
    # The old deadline passes without a red mark.
    assert sweep(at(2026, 10, 12, 8, 30)).overdue == 0


def test_refused_extension_keeps_the_deadline(cast):
    e = dispatched(cast, at(2026, 9, 30, 15), category=cast.fire, lead=cast.housing)
    e = act(cast.handler_housing, e, "acknowledge", at(2026, 9, 30, 16))
    act(cast.handler_housing, e, "extend", at(2026, 10, 9, 9), days=2, note="需协调物业整改")
    e = act(cast.dispatcher, e, "decide_extension", at(2026, 10, 9, 10), approve=False)
    assert e.due_at == at(2026, 10, 10, 17, 30)


def test_extension_after_the_red_mark_turns_it_green_until_the_new_deadline(cast):
    e = dispatched(cast, at(2026, 9, 30, 15), category=cast.fire, lead=cast.housing)
    e = act(cast.handler_housing, e, "acknowledge", at(2026, 9, 30, 16))
    assert sweep(at(2026, 10, 12, 9)).overdue == 1
    act(cast.handler_housing, e, "extend", at(2026, 10, 12, 9, 30), days=3, note="需第三方检测")
    e = act(cast.dispatcher, e, "decide_extension", at(2026, 10, 12, 10), approve=True)
    assert e.due_at == at(2026, 10, 14, 17, 30)
    assert e.deadline_state == DeadlineState.NORMAL
    # 47.5 working hours allowed from Sep 30 15:00 (2.5 h + 6 days); 80 % = 38 h:
    # 2.5 h + 4 days (Oct 8, 9, 10, 12) = 32.5 h, then 5.5 h on Oct 13 -> 15:30.
    assert e.warn_at == at(2026, 10, 13, 15, 30)
    assert sweep(at(2026, 10, 13, 15, 29)).warned == 0
    assert sweep(at(2026, 10, 13, 15, 30)).warned == 1
    assert sweep(at(2026, 10, 15, 9)).overdue == 1
    assert [a for a in timeline(e) if a in ("warning", "overdue")] == [
        "overdue",
        "warning",
        "overdue",
    ]
