"""The demo's major matters (pingan/demo/risk.py) over the test cast: ten matters across
grades and decisions, three by third parties, some measures overdue, written once."""

from __future__ import annotations

import pytest

from pingan.core import clock
from pingan.demo.organisation import Staff
from pingan.demo.risk import SPECS, build_risk
from pingan.demo.simulation import GridSpot
from pingan.risk.models import MajorMatter, RiskMeasure
from pingan.risk.stats import figures
from pingan.risk.tests.factories import today

pytestmark = pytest.mark.django_db


def test_the_demo_matters(cast):
    spots = [
        GridSpot(cast.grid_a1.code, cast.grid_a1, cast.town_a.code, "城东社区", [cast.point_a1]),
        GridSpot(cast.grid_b1.code, cast.grid_b1, cast.town_b.code, "通元村", [cast.point_b1]),
    ]
    staff = Staff(
        dispatchers={cast.county.code: [cast.county_dispatcher]},
        leaders={cast.county.code: cast.leader},
        handlers={cast.police.code: [cast.handler]},
    )
    now = clock.now()
    kw = {"county": cast.county, "towns": {}, "spots": spots, "staff": staff, "seed": 3}
    first = build_risk(now=now, **kw)
    assert first.matters == len(SPECS) == MajorMatter.objects.count()
    statuses = set(MajorMatter.objects.values_list("status", flat=True))
    assert statuses >= {"registered", "assessing", "graded", "decided", "tracking", "closed"}
    assert set(MajorMatter.objects.exclude(grade="").values_list("grade", flat=True)) == {
        "high",
        "medium",
        "low",
    }
    assert set(MajorMatter.objects.exclude(decision="").values_list("decision", flat=True)) == {
        "implement",
        "conditional",
        "postpone",
        "reject",
    }
    overdue = RiskMeasure.objects.filter(done_at__isnull=True, deadline__lt=today()).count()
    assert overdue >= 2
    assert RiskMeasure.objects.filter(on_time=False).exists()
    f = figures(
        actor=cast.county_dispatcher,
        date_from=today().replace(year=today().year - 1),
        date_to=today(),
    )
    assert f["third_party"] == 3
    assert max(m.created_at for m in MajorMatter.objects.all()) <= now
    again = build_risk(now=now, **kw)
    assert (again.matters, again.skipped) == (0, len(SPECS))
