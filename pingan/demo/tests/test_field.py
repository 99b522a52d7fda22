"""The field demo data on the test cast: patrols inside the grids, meetings, a ranking."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pingan.api.tests.helpers import report
from pingan.core import clock
from pingan.demo.field import build_field_demo
from pingan.events.services import event_transition
from pingan.geo import locator
from pingan.gridsys import scoring
from pingan.gridsys.models import Meeting, RankingEntry
from pingan.patrols.models import Patrol
from pingan.patrols.services import patrol_track

pytestmark = pytest.mark.django_db


def test_field_demo_fills_patrols_meetings_and_scores(cast):
    with clock.frozen(clock.now() - dt.timedelta(days=3)):
        e = report(cast)
        event_transition(
            actor=cast.gridworker, event_id=e.pk, action="resolve_on_site", payload={"result": "好"}
        )
    r = build_field_demo(workers=2, months=2, seed=7)
    assert r.patrols > 5
    p = Patrol.objects.filter(user=cast.gridworker).first()
    assert p.status == "finished" and p.distance_m > 0
    assert {locator.grid_id_at(lat, lng) for _t, lat, lng in patrol_track(p)} == {cast.grid_a1.pk}
    assert Meeting.objects.filter(region=cast.village_a).exists()
    assert RankingEntry.objects.exists()
    month = timezone.localdate(clock.now()).replace(day=1)
    rows = {x.user_id: x for x in scoring.monthly_scores(month)}
    prev = {
        x.user_id: x for x in scoring.monthly_scores((month - dt.timedelta(days=1)).replace(day=1))
    }
    assert (
        rows[cast.gridworker.pk].parts["patrol_days"]
        + prev[cast.gridworker.pk].parts["patrol_days"]
        > 0
    )
    # Running again adds nothing.
    again = build_field_demo(workers=2, months=2, seed=7)
    assert (again.patrols, again.meetings) == (0, 0)
