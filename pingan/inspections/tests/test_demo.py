"""The demo's inspections step over the shared cast: the year's plans and tasks, past
inspections with deductions and orders, 暗访 published; a second build adds nothing."""

from __future__ import annotations

import pytest

from pingan.core import clock
from pingan.demo.inspections import build_inspections
from pingan.demo.organisation import Staff
from pingan.inspections.models import Inspection, InspectionPlan, InspectionTask
from pingan.inspections.tests.factories import inspector
from pingan.rectification.models import Deduction, RectificationOrder

pytestmark = pytest.mark.django_db


def test_the_demo_inspections_build_once(cast):
    staff = Staff(
        dispatchers={
            cast.town_a.code: [cast.dispatcher],
            cast.town_b.code: [cast.dispatcher_b],
            cast.county.code: [cast.county_dispatcher],
        },
        leaders={cast.county.code: cast.leader},
        demo={"demo-inspector": inspector(cast)},
    )
    now = clock.now()
    towns = [cast.town_a, cast.town_b]
    first = build_inspections(county=cast.county, towns=towns, staff=staff, seed=3, now=now)
    assert first.plans == 4 and first.tasks > 0
    assert first.inspections >= 2 * 4  # quarterly, both towns, over the year past
    secret = Inspection.objects.filter(kind="unannounced")
    assert secret.exists() and not secret.filter(published_at__isnull=True).exists()
    assert Deduction.objects.filter(source_kind="inspection").exists()
    assert RectificationOrder.objects.filter(source_kind="inspection").exists()
    rows = (
        InspectionPlan.objects.count(),
        InspectionTask.objects.count(),
        Inspection.objects.count(),
    )
    again = build_inspections(county=cast.county, towns=towns, staff=staff, seed=3, now=now)
    assert (again.plans, again.tasks, again.inspections) == (0, 0, 0)
    assert (
        InspectionPlan.objects.count(),
        InspectionTask.objects.count(),
        Inspection.objects.count(),
    ) == rows
