"""Drive events through the services with on-commit callbacks run, as in production
(the events app announces changes after commit; notifications listen)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from pingan.core import clock
from pingan.events.services import event_report, event_transition

TZ = ZoneInfo("Asia/Shanghai")
MON = dt.datetime(2026, 3, 2, 9, tzinfo=TZ)


@pytest.fixture
def loop(cast, django_capture_on_commit_callbacks):
    def committed(fn, when, **kw):
        with clock.frozen(when), django_capture_on_commit_callbacks(execute=True):
            return fn(**kw)

    def report(user=None, when=MON, point=None, **kw):
        lat, lng = point or cast.point_a1
        args = dict(
            actor=user or cast.gridworker,
            category=cast.neighbour.pk,
            description="城东小区3幢楼道堆放杂物，邻居争吵",
            lat=lat,
            lng=lng,
        )
        args.update(kw)
        return committed(event_report, when, **args)[0]

    def act(user, event, action, when=MON, **payload):
        return committed(
            event_transition, when, actor=user, event_id=event.pk, action=action, payload=payload
        )

    def dispatched(assisting=(), when=MON, **kw):
        e = report(when=when, **kw)
        act(cast.dispatcher, e, "accept", when)
        return act(
            cast.dispatcher,
            e,
            "dispatch",
            when,
            lead_department=cast.police.pk,
            assisting_departments=[d.pk for d in assisting],
        )

    return SimpleNamespace(
        committed=committed, report=report, act=act, dispatched=dispatched, cast=cast
    )
