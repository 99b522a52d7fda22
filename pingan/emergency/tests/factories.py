"""The emergency cast for tests: a 集体讨薪 plan over the shared cast (groups led by the
police and market departments, task templates, a checklist), duty shifts for now, and
helpers to activate it on an event. Built through the services."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from pingan.core import clock
from pingan.emergency.duty import shift_at
from pingan.emergency.models import Activation, EmergencyPlan
from pingan.emergency.services import (
    activation_from_event,
    activation_transition,
    duty_shift_create,
    plan_create,
)
from pingan.events.models import Event
from pingan.events.services import event_report
from pingan.org.choices import Role
from pingan.org.services import membership_grant, user_upsert


def wage_plan(cast: Any, **kw: Any) -> EmergencyPlan:
    """集体讨薪 plan: 谈判组 (police lead, a named lead), 安抚组 (market), 现场对接组."""
    fields: dict[str, Any] = {
        "name": "集体讨薪群体性事件应急预案",
        "kind": "mass_incident",
        "levels": ["III", "IV"],
        "region": cast.county.pk,
        "groups": [
            {
                "name": "谈判组",
                "lead_department": cast.police.pk,
                "lead_user": cast.handler.pk,
                "tasks": [{"title": "与讨薪代表对话", "minutes": 30}],
            },
            {
                "name": "安抚组",
                "lead_department": cast.market.pk,
                "tasks": [{"title": "核实欠薪名单", "minutes": 120}],
            },
            {"name": "现场对接组", "members": [cast.gridworker.pk]},
        ],
        "steps": ["接报核实", "启动预案", "现场处置", "终止响应"],
    }
    fields.update(kw)
    return plan_create(actor=cast.county_dispatcher, **fields)


def urgent_event(cast: Any, urgency: str = "urgent") -> Event:
    lat, lng = cast.point_a1
    event, _ = event_report(
        actor=cast.gridworker,
        category=cast.neighbour.pk,
        description="工地门口约三十名工人聚集讨要工资",
        lat=lat,
        lng=lng,
        urgency=urgency,
    )
    return event


def activate(cast: Any, plan: EmergencyPlan, event: Event | None = None, **kw: Any) -> Activation:
    return activation_from_event(
        actor=kw.pop("actor", cast.dispatcher),
        event_id=(event or urgent_event(cast)).pk,
        plan=plan.pk,
        level=kw.pop("level", "IV"),
    )


def fire(a: Activation, user: Any, action: str, **payload: Any) -> Activation:
    return activation_transition(actor=user, activation_id=a.pk, action=action, payload=payload)


def duty_now(cast: Any) -> SimpleNamespace:
    """Duty officers on the shift of this moment: town A's (a leader and an officer) and
    the county's (an officer)."""
    d = SimpleNamespace()
    date, shift = shift_at(clock.now())

    def person(username: str, name: str) -> Any:
        u = user_upsert(
            username=username,
            name=name,
            password=cast.password,
            email=f"{username}@example.invalid",
        )
        membership_grant(user=u, role=Role.DISPATCHER, region=cast.town_a)
        return u

    d.town_leader = person("duty-town-lead", "值班领导甲")
    d.town_officer = person("duty-town", "值班员乙")
    d.county_officer = user_upsert(username="duty-county", name="县值班员", password=cast.password)
    membership_grant(user=d.county_officer, role=Role.DISPATCHER, region=cast.county)
    d.shifts = [
        duty_shift_create(
            actor=cast.county_dispatcher,
            date=date,
            shift=shift,
            region=cast.town_a.pk,
            user=d.town_officer.pk,
            role="officer",
            phone="13900001111",
        ),
        duty_shift_create(
            actor=cast.county_dispatcher,
            date=date,
            shift=shift,
            region=cast.town_a.pk,
            user=d.town_leader.pk,
            role="leader",
        ),
        duty_shift_create(
            actor=cast.county_dispatcher,
            date=date,
            shift=shift,
            region=cast.county.pk,
            user=d.county_officer.pk,
            role="officer",
        ),
    ]
    d.date, d.shift = date, shift
    d.today = timezone.localdate(clock.now())
    return d
