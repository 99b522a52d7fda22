"""Activating a plan on an event and the response's loop: groups and tasks, the 422s of
the payload, notifications (duty officers first), response times, stand-down."""

from __future__ import annotations

import datetime as dt

import pytest

from pingan.core.errors import Conflict, Forbidden, Invalid
from pingan.emergency.models import Activation, ActivationGroup, ActivationTask
from pingan.emergency.selectors import response_times
from pingan.emergency.tests.factories import activate, duty_now, fire, urgent_event, wage_plan
from pingan.events.models import EventTransition
from pingan.events.services import event_transition
from pingan.notifications.models import Notification


def test_activation_from_an_event_calls_up_the_plans_groups_with_tasks(cast):
    plan = wage_plan(cast)
    event = urgent_event(cast)
    a = activate(cast, plan, event)

    assert a.event_id == event.pk and a.plan_id == plan.pk and a.level == "IV"
    assert a.status == "activated" and a.commander == cast.dispatcher
    assert a.region_path == event.region_path and a.reported_at == event.reported_at
    groups = list(a.groups.order_by("order"))
    assert [g.name for g in groups] == ["谈判组", "安抚组", "现场对接组"]
    # The lead department's handlers, the named lead and the members are called up.
    assert set(groups[0].people.all()) == {cast.handler}
    assert set(groups[1].people.all()) == {cast.handler_market}
    assert set(groups[2].people.all()) == {cast.gridworker}
    task = ActivationTask.objects.get(group=groups[0])
    # Natural minutes from the activation, whatever the hour or the day.
    assert task.due_at == a.activated_at + dt.timedelta(minutes=30)
    assert groups[0].ack_due_at == a.activated_at + dt.timedelta(minutes=15)
    row = EventTransition.objects.get(event=event, action="activate_plan")
    assert row.data["activation"] == a.pk and a.code in row.note
    assert list(a.timeline.values_list("action", flat=True)) == ["activate"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"plan": 999999, "level": "IV"}, "plan"),
        ({"level": "IV"}, "plan"),
        ({"plan": "x", "level": "IV"}, "plan"),
        ({"level": "I"}, "level"),
        ({"level": "V"}, "level"),
        ({}, "level"),
    ],
)
def test_bad_plan_or_level_is_422_and_writes_nothing(cast, payload, field):
    plan = wage_plan(cast)
    event = urgent_event(cast)
    if "plan" not in payload and field == "level":
        payload = {**payload, "plan": plan.pk}
    with pytest.raises(Invalid) as e:
        event_transition(
            actor=cast.dispatcher, event_id=event.pk, action="activate_plan", payload=payload
        )
    assert field in e.value.fields
    assert not Activation.objects.exists()
    assert not EventTransition.objects.filter(event=event, action="activate_plan").exists()


def test_an_inactive_plan_cannot_be_activated(cast):
    plan = wage_plan(cast)
    plan.is_active = False
    plan.save()
    with pytest.raises(Invalid) as e:
        activate(cast, plan)
    assert "plan" in e.value.fields


def test_a_second_activation_while_one_runs_is_409(cast):
    plan = wage_plan(cast)
    event = urgent_event(cast)
    activate(cast, plan, event)
    with pytest.raises(Conflict):
        activate(cast, plan, event)
    assert Activation.objects.count() == 1


def test_only_the_centre_and_leaders_activate(cast):
    plan = wage_plan(cast)
    event = urgent_event(cast)
    with pytest.raises(Forbidden):
        activate(cast, plan, event, actor=cast.gridworker)
    a = activate(cast, plan, event, actor=cast.leader)
    assert a.commander == cast.leader


def test_duty_officers_are_told_first_then_the_groups(cast, django_capture_on_commit_callbacks):
    duty = duty_now(cast)
    plan = wage_plan(cast)
    event = urgent_event(cast, urgency="normal")
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        a = activate(cast, plan, event)
    rows = list(Notification.objects.filter(kind__contains="emergency").order_by("pk"))
    recipients = [n.recipient_id for n in rows]
    # Town leader, town officer, county officer, then the groups' people.
    assert recipients[:3] == [duty.town_leader.pk, duty.town_officer.pk, duty.county_officer.pk]
    assert set(recipients[3:]) == {cast.handler.pk, cast.handler_market.pk, cast.gridworker.pk}
    assert all(a.code in n.title for n in rows)
    assert rows[0].kind == "duty_emergency_activate"


def test_an_urgent_event_tells_its_duty_officers_before_the_dispatchers(
    cast, django_capture_on_commit_callbacks
):
    duty = duty_now(cast)
    with django_capture_on_commit_callbacks(execute=True):
        event = urgent_event(cast)
    rows = list(Notification.objects.filter(event=event).order_by("pk"))
    duty_ids = {duty.town_leader.pk, duty.town_officer.pk, duty.county_officer.pk}
    assert {n.recipient_id for n in rows[:3]} == duty_ids
    # The queue's dispatcher is told too, after them.
    assert cast.dispatcher.pk in [n.recipient_id for n in rows[3:]]


def test_a_normal_event_does_not_go_to_the_duty_officers(cast, django_capture_on_commit_callbacks):
    duty = duty_now(cast)
    with django_capture_on_commit_callbacks(execute=True):
        event = urgent_event(cast, urgency="normal")
    assert not Notification.objects.filter(event=event, kind="duty_urgent_event").exists()
    # As a dispatcher of town A he still gets the usual "new event" one.
    assert Notification.objects.filter(event=event, recipient=duty.town_officer).exists()


def test_the_loop_records_response_times_and_stand_down_needs_summary_and_lessons(cast):
    plan = wage_plan(cast)
    a = activate(cast, plan)
    a = fire(a, cast.dispatcher, "arrive")
    assert a.status == "on_site" and a.on_site_at is not None
    a = fire(a, cast.dispatcher, "situation", text="现场约三十人，情绪稳定", people_count=30)
    a = fire(a, cast.dispatcher, "control")
    with pytest.raises(Invalid) as e:
        fire(a, cast.dispatcher, "stand_down", summary="已协调支付工资")
    assert "lessons" in e.value.fields
    assert Activation.objects.get(pk=a.pk).status == "under_control"
    a = fire(a, cast.dispatcher, "stand_down", summary="已协调支付工资", lessons="提前排查欠薪隐患")
    assert a.status == "stood_down" and a.summary and a.lessons
    spans = {s.key: s for s in response_times(a)}
    assert all(spans[k].minutes is not None for k in spans)
    assert spans["total"].start == a.reported_at and spans["total"].end == a.stood_down_at
    # The event got the summary as a comment.
    assert EventTransition.objects.filter(
        event=a.event, action="comment", note__contains="已协调支付工资"
    ).exists()
    assert a.reports.get().people_count == 30


def test_level_change_must_be_a_level_of_the_plan(cast):
    plan = wage_plan(cast)
    a = activate(cast, plan)
    with pytest.raises(Invalid) as e:
        fire(a, cast.dispatcher, "change_level", level="I", note="升级")
    assert "level" in e.value.fields
    a = fire(a, cast.dispatcher, "change_level", level="III", note="人数增加")
    assert a.level == "III"
    assert EventTransition.objects.filter(event=a.event, action="comment").exists()


def test_group_members_acknowledge_their_own_group_and_finish_tasks(cast):
    plan = wage_plan(cast)
    a = activate(cast, plan)
    talks = ActivationGroup.objects.get(activation=a, name="谈判组")
    calm = ActivationGroup.objects.get(activation=a, name="安抚组")
    with pytest.raises(Forbidden):
        fire(a, cast.handler, "acknowledge", group=calm.pk)
    fire(a, cast.handler, "acknowledge", group=talks.pk)
    talks.refresh_from_db()
    assert talks.acknowledged_by == cast.handler
    with pytest.raises(Invalid):
        fire(a, cast.handler, "acknowledge", group=talks.pk)
    task = talks.tasks.get()
    fire(a, cast.handler, "task_done", task=task.pk, note="已对话")
    task.refresh_from_db()
    assert task.done_by == cast.handler and task.note == "已对话"
    with pytest.raises(Forbidden):
        fire(a, cast.handler, "task_done", task=calm.tasks.get().pk)


def test_a_new_task_tells_its_group_and_the_stand_down_everyone(
    cast, django_capture_on_commit_callbacks
):
    a = activate(cast, wage_plan(cast))
    calm = ActivationGroup.objects.get(activation=a, name="安抚组")
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        fire(a, cast.dispatcher, "add_task", group=calm.pk, title="登记工人诉求", minutes=40)
    told = set(Notification.objects.values_list("recipient_id", flat=True))
    assert told == {cast.handler_market.pk}
    task = calm.tasks.get(title="登记工人诉求")
    assert task.due_at == Activation.objects.get(pk=a.pk).timeline.last().at + dt.timedelta(
        minutes=40
    )
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        fire(a, cast.dispatcher, "stand_down", summary="已平息", lessons="无")
    told = set(Notification.objects.values_list("recipient_id", flat=True))
    assert told == {cast.handler.pk, cast.handler_market.pk, cast.gridworker.pk}
