"""The emergency sweep in natural time: a group lead who does not acknowledge within the
allowance is escalated once, at night and at the weekend too; overdue tasks are marked
once; both tell the commander and the duty officers."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from pingan.core import clock
from pingan.emergency.deadlines import emergency_sweep
from pingan.emergency.models import ActivationGroup, ActivationTask
from pingan.emergency.tests.factories import activate, duty_now, fire, urgent_event, wage_plan
from pingan.notifications.models import Notification
from pingan.sla import services as sla

TZ = ZoneInfo("Asia/Shanghai")
# A Saturday at 23:50: natural time runs through the night and the weekend.
SATURDAY_NIGHT = dt.datetime(2026, 3, 7, 23, 50, tzinfo=TZ)
MINUTE = dt.timedelta(minutes=1)


def _activated(cast):
    plan = wage_plan(cast)
    with clock.frozen(SATURDAY_NIGHT):
        event = urgent_event(cast)
        return activate(cast, plan, event)


def test_an_unacknowledged_group_is_escalated_once_after_n_natural_minutes(cast):
    a = _activated(cast)
    talks = ActivationGroup.objects.get(activation=a, name="谈判组")
    assert talks.ack_due_at == SATURDAY_NIGHT + 15 * MINUTE
    fire(a, cast.handler, "acknowledge", group=talks.pk)  # only this group answers in time

    assert emergency_sweep(SATURDAY_NIGHT + 15 * MINUTE)["escalated"] == 0
    counts = emergency_sweep(SATURDAY_NIGHT + 16 * MINUTE)
    assert counts["escalated"] == 2  # 安抚组 and 现场对接组, Sunday 00:06
    assert emergency_sweep(SATURDAY_NIGHT + 30 * MINUTE)["escalated"] == 0
    assert ActivationGroup.objects.get(pk=talks.pk).escalated_at is None
    rows = list(a.timeline.filter(action="ack_overdue").values_list("data", flat=True))
    assert sorted(r["group_name"] for r in rows) == ["安抚组", "现场对接组"]
    # The commander (who activated) is told.
    assert (
        Notification.objects.filter(recipient=cast.dispatcher, kind="emergency_ack_overdue").count()
        == 2
    )


def test_the_setting_changes_the_allowance(cast, settings):
    settings.PINGAN_EMERGENCY_ACK_MINUTES = 5
    a = _activated(cast)
    assert {g.ack_due_at for g in a.groups.all()} == {SATURDAY_NIGHT + 5 * MINUTE}


def test_overdue_tasks_are_marked_once_and_done_ones_never(cast):
    a = _activated(cast)
    talks_task = ActivationTask.objects.get(group__activation=a, title="与讨薪代表对话")
    with clock.frozen(SATURDAY_NIGHT + 10 * MINUTE):
        fire(a, cast.handler, "task_done", task=talks_task.pk)
    counts = emergency_sweep(SATURDAY_NIGHT + 121 * MINUTE)
    assert counts["overdue"] == 1  # 核实欠薪名单 (120 minutes), not the done one
    assert emergency_sweep(SATURDAY_NIGHT + 200 * MINUTE)["overdue"] == 0
    late = ActivationTask.objects.get(group__activation=a, title="核实欠薪名单")
    assert late.overdue_at is not None
    assert Notification.objects.filter(
        recipient=cast.handler_market, kind="emergency_task_overdue"
    ).exists()


def test_a_stood_down_activation_is_not_swept(cast):
    a = _activated(cast)
    with clock.frozen(SATURDAY_NIGHT + 5 * MINUTE):
        fire(a, cast.dispatcher, "stand_down", summary="误报", lessons="核实后再启动")
    assert emergency_sweep(SATURDAY_NIGHT + 300 * MINUTE) == {"escalated": 0, "overdue": 0}


def test_the_sla_sweeper_runs_the_emergency_sweep(cast):
    assert sla.SWEEPS["emergency"] is emergency_sweep


def test_duty_officers_hear_of_an_escalation_first(cast):
    with clock.frozen(SATURDAY_NIGHT):
        duty = duty_now(cast)
    _activated(cast)
    Notification.objects.all().delete()
    emergency_sweep(SATURDAY_NIGHT + 16 * MINUTE)
    first = Notification.objects.filter(kind__endswith="ack_overdue").order_by("pk").first()
    assert first is not None and first.recipient_id == duty.town_leader.pk
