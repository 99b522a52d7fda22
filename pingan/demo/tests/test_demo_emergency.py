"""The demo county's emergency handling (pingan/demo/emergency.py): four plans, a past
集体讨薪 activation with its timeline and response times, the duty roster around today and
drills, written once."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from pingan.core import clock
from pingan.demo.build import load_demo
from pingan.emergency.duty import duty_officers
from pingan.emergency.models import Activation, Drill, DutyShift, EmergencyPlan
from pingan.emergency.selectors import response_times

BUILT = dt.datetime(2026, 11, 20, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SMALL = {"events": 3000, "live_days": 0, "seed": 11, "villages_per_town": 2, "grids_per_village": 2}


def counts() -> dict[str, int]:
    return {
        "plans": EmergencyPlan.objects.count(),
        "activations": Activation.objects.count(),
        "shifts": DutyShift.objects.count(),
        "drills": Drill.objects.count(),
    }


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    var = tmp_path_factory.mktemp("var")
    with (
        django_db_blocker.unblock(),
        override_settings(VAR_DIR=var),
        transaction.atomic(),
        clock.frozen(BUILT),
    ):
        load_demo(**SMALL)
        first = counts()
        load_demo(**SMALL)
        second = counts()
        activation = Activation.objects.select_related("event", "plan").first()
        spans = response_times(activation) if activation else []
        some_shift = DutyShift.objects.select_related("region").first()
        on_duty = duty_officers(some_shift.region, BUILT) if some_shift else []
        yield {
            "first": first,
            "second": second,
            "activation": activation,
            "spans": spans,
            "timeline": list(activation.timeline.values_list("action", flat=True))
            if activation
            else [],
            "event_rows": list(
                activation.event.timeline.filter(action="activate_plan").values_list(
                    "action", flat=True
                )
            )
            if activation
            else [],
            "on_duty": on_duty,
            "shift_days": sorted(set(DutyShift.objects.values_list("date", flat=True))),
        }
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_four_plans_one_past_activation_roster_and_drills_written_once(demo):
    assert demo["first"]["plans"] == 4
    assert demo["first"]["activations"] == 1
    assert demo["first"]["drills"] == 4
    assert demo["first"]["shifts"] > 0
    assert demo["second"] == demo["first"]


@pytest.mark.django_db
def test_the_past_activation_has_its_whole_timeline_and_response_times(demo):
    a = demo["activation"]
    assert a.plan.name == "集体讨薪群体性事件应急预案" and a.status == "stood_down"
    assert "拖欠" in a.event.description or "欠" in a.event.description
    assert [s.minutes is not None for s in demo["spans"]] == [True] * 5
    assert demo["timeline"][0] == "activate" and demo["timeline"][-1] == "stand_down"
    assert {"arrive", "situation", "control", "acknowledge"} <= set(demo["timeline"])
    assert demo["event_rows"] == ["activate_plan"]


@pytest.mark.django_db
def test_the_roster_covers_two_weeks_either_side_and_someone_is_on_duty(demo):
    today = timezone.localdate(BUILT)
    days = demo["shift_days"]
    assert days[0] <= today - dt.timedelta(days=14) and days[-1] >= today + dt.timedelta(days=14)
    assert demo["on_duty"]
