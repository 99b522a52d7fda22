"""The clock per urgency (issue 17): 特急 and 紧急 matters run on natural hours, day and
night; 一般 ones on the working calendar (2026, from chinese-calendar); a category's
deadline row may choose either for itself. Every deadline of one event (start, warning,
restart, extension) counts the same way, and the sweeper lights them as stored."""

from __future__ import annotations

from pingan.events.choices import DeadlineState, Status, Urgency
from pingan.events.models import Category, CategoryDeadline, Event
from pingan.sla.services import sweep
from pingan.sla.tests.helpers import act, at, dispatched

# Sunday 2026-03-08 09:08 (a rest day; Monday 03-09 is a working day). 邻里纠纷 allows
# 1 hour to sign and 1 day to handle when urgent, 4 hours and 5 days when normal.
SUNDAY = at(2026, 3, 8, 9, 8)


def test_an_urgent_matter_dispatched_on_a_sunday_must_be_signed_the_same_sunday(cast):
    e = dispatched(cast, SUNDAY, urgency=Urgency.URGENT)
    assert e.ack_due_at == at(2026, 3, 8, 10, 8)
    assert e.due_at == at(2026, 3, 9, 9, 8)
    # The light turns yellow after 80 % of the hour, counted the same way.
    assert e.warn_at == at(2026, 3, 8, 9, 56)


def test_a_critical_matter_runs_on_natural_hours_too(cast):
    CategoryDeadline.objects.create(
        category=cast.neighbour,
        urgency=Urgency.CRITICAL,
        ack_amount=0.5,
        ack_unit="hours",
        handle_amount=4,
        handle_unit="hours",
    )
    e = dispatched(cast, SUNDAY, urgency=Urgency.CRITICAL)
    assert e.ack_due_at == at(2026, 3, 8, 9, 38)
    assert e.due_at == at(2026, 3, 8, 13, 8)


def test_a_normal_matter_dispatched_on_a_sunday_waits_for_monday_office_hours(cast):
    e = dispatched(cast, SUNDAY)
    assert e.urgency == Urgency.NORMAL
    # 4 working hours from Monday 08:30: 3.5 h before lunch, 0.5 h after 13:30.
    assert e.ack_due_at == at(2026, 3, 9, 14, 0)
    assert e.due_at.date() == at(2026, 3, 13).date()


def test_a_category_set_to_working_time_keeps_office_hours_even_when_urgent(cast):
    CategoryDeadline.objects.filter(category=cast.neighbour, urgency=Urgency.URGENT).update(
        natural_time=False
    )
    e = dispatched(cast, SUNDAY, urgency=Urgency.URGENT)
    # The bug the testers met, now only where a category asks for it.
    assert e.ack_due_at == at(2026, 3, 9, 9, 30)


def test_a_category_may_put_a_normal_matter_on_natural_time(cast):
    CategoryDeadline.objects.filter(category=cast.neighbour, urgency=Urgency.NORMAL).update(
        natural_time=True
    )
    e = dispatched(cast, SUNDAY)
    assert e.ack_due_at == at(2026, 3, 8, 13, 8)


def test_an_urgent_matter_borrowing_the_normal_allowance_still_runs_on_natural_time(cast):
    # 消防隐患 has only a normal row (2 hours, 3 days): its amounts, the urgency's clock.
    e = dispatched(cast, SUNDAY, category=cast.fire, lead=cast.housing, urgency=Urgency.URGENT)
    assert e.ack_due_at == at(2026, 3, 8, 11, 8)
    assert e.due_at == at(2026, 3, 11, 9, 8)


def test_the_setting_names_the_urgencies_that_run_on_natural_time(cast, settings):
    settings.PINGAN_NATURAL_TIME_URGENCIES = ("critical",)
    e = dispatched(cast, SUNDAY, urgency=Urgency.URGENT)
    assert e.ack_due_at == at(2026, 3, 9, 9, 30)


def test_extension_and_restart_count_in_natural_days_for_an_urgent_matter(cast):
    friday = at(2026, 3, 6, 16, 0)
    e = dispatched(cast, friday, urgency=Urgency.URGENT)
    assert e.due_at == at(2026, 3, 7, 16, 0)  # Saturday: natural days
    act(cast.handler, e, "acknowledge", friday)
    act(cast.handler, e, "extend", friday, days=2, note="需协调物业")
    e = act(cast.dispatcher, e, "decide_extension", at(2026, 3, 6, 17, 0), approve=True)
    assert e.due_at == at(2026, 3, 9, 16, 0)  # two natural days later, through Sunday
    assert e.warn_at == at(2026, 3, 9, 1, 36)  # 80 % of the 72 hours Fri 16:00 → Mon 16:00
    assert e.assignments.get(role="lead").due_at == e.due_at

    e = act(
        cast.handler, e, "resolve", at(2026, 3, 7, 10, 0), result="已调解", resolution="resolved"
    )
    assert e.status == Status.RESOLVED
    sunday_night = at(2026, 3, 8, 22, 0)
    e = act(cast.gridworker, e, "verify", sunday_night, passed=False, note="仍有争吵")
    # A fresh day to handle it again, from Sunday night, not from Monday morning.
    assert e.due_at == at(2026, 3, 9, 22, 0)
    assert e.warn_at == at(2026, 3, 9, 17, 12)


def test_the_sweeper_lights_a_natural_clock_on_a_sunday(cast):
    urgent = dispatched(cast, SUNDAY, urgency=Urgency.URGENT)
    normal = dispatched(cast, SUNDAY)
    run = sweep(at(2026, 3, 8, 9, 57))
    assert (run.warned, run.overdue) == (1, 0)
    run = sweep(at(2026, 3, 8, 10, 9))
    assert (run.warned, run.overdue) == (0, 1)
    assert Event.objects.get(pk=urgent.pk).deadline_state == DeadlineState.OVERDUE
    assert Event.objects.get(pk=normal.pk).deadline_state == DeadlineState.NORMAL


def test_the_category_admin_offers_the_clock_and_the_verification_photo(cast):
    field = CategoryDeadline._meta.get_field("natural_time")
    assert [str(label) for _, label in field.choices] == ["按紧急程度默认", "自然时", "工作时"]
    assert Category._meta.get_field("verify_photo_required").default is False
