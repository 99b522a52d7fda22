"""The per-grid rollup behind the figures (`registry.rollup`): kept current by the
services in their transaction, rebuilt by the daily run and the command, and always equal
to a count on the registers themselves (`stats.direct_counts`)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pingan.core.errors import NotFound
from pingan.privacy.services import clearance_grant
from pingan.registry import rollup, services, stats
from pingan.registry.models import GridCount, Person, VisitTask
from pingan.registry.services import today
from pingan.registry.tests.factories import SYSTEM, key_person, person

pytestmark = pytest.mark.django_db


def _viewers(cast):
    return {
        "system": SYSTEM,
        "county dispatcher (petition cleared)": cast.county_dispatcher,
        "town dispatcher": cast.dispatcher,
        "grid worker (helper, not cleared)": cast.gridworker,
        "grid leader": cast.gridleader,
        "other town's grid worker": cast.gridworker_b,
        "leader": cast.leader,
        "department handler": cast.handler,
    }


def _same(cast, regions):
    """counts() reads the rollup (fresh) and equals the direct count for everyone."""
    for region in regions:
        assert rollup.fresh(region, today()), region.code
        for who, actor in _viewers(cast).items():
            assert stats.counts(actor, region) == stats.direct_counts(actor, region), (
                who,
                region.code,
            )


def test_the_rollup_equals_a_direct_count_after_a_series_of_writes(cast):
    rollup.rebuild()
    clearance_grant(user=cast.county_dispatcher, label="petition")
    clearance_grant(user=cast.dispatcher, label="stability")
    day = today()
    a = [person(cast.grid_a1) for _ in range(3)]
    new = [person(cast.grid_a1, kind="new_resident") for _ in range(2)]
    person(cast.grid_a2, kind="new_resident")
    person(cast.grid_b1)
    person(cast.grid_b1, sensitivity="petition")  # labelled: only the cleared count it
    regions = [cast.county, cast.town_a, cast.town_b, cast.village_a, cast.grid_a1, cast.grid_b1]
    _same(cast, regions)

    # Moves: out of the county, and from one grid to another (both grids recounted).
    services.person_move_out(actor=SYSTEM, person_id=a[0].pk, on=day)
    services.person_transfer(actor=SYSTEM, person_id=a[1].pk, region=cast.grid_a2.pk, on=day)
    _same(cast, regions)
    # Residence permits: one issued expiring in 10 days, one in a year.
    for p, days in ((new[0], 10), (new[1], 365)):
        permit = services.permit_apply(actor=SYSTEM, person_id=p.pk)
        services.permit_act(
            actor=SYSTEM, permit_id=permit.pk, action="issue", number=f"J{p.pk}",
            expires_on=day + dt.timedelta(days=days),
        )  # fmt: skip
    # Key persons: a petitioner (due today), a released one helped by the grid worker.
    petition = key_person(a[2], code="petition", since=day - dt.timedelta(days=20))
    released = key_person(
        new[0], code="released", helpers=[cast.gridworker.pk], since=day - dt.timedelta(days=25)
    )
    key_person(person(cast.grid_b1), code="drug")
    # A visit done, and a task missed (its due date moved back, then the daily run).
    services.visit_record(actor=SYSTEM, key_person=released.pk, outcome="met")
    _same(cast, regions)  # the services kept it current (no rebuild yet)
    VisitTask.objects.filter(key_person=petition, done_at__isnull=True).update(
        due_on=day - dt.timedelta(days=1), opens_on=day - dt.timedelta(days=4)
    )
    services.visit_tasks_generate()
    _same(cast, regions)

    figures = stats.counts(SYSTEM, cast.county)["total"]
    assert figures["persons"] == 8  # 9 created (labelled one included), 1 moved out
    assert figures["new_residents"] == 3
    assert figures["permits_expiring"] == 1
    assert figures["key_persons"] == 3
    assert figures["visits_overdue"] == 1
    if day.day > 1:  # the missed task (yesterday) falls in this month
        assert figures["visits_missed"] == 1
    assert figures["visits_done"] == 0  # the visit's task was due in 5 days: not yet due
    town_a = {r["code"]: r for r in stats.counts(SYSTEM, cast.town_a)["rows"]}
    assert town_a[cast.village_a.code]["persons"] == 5  # 3 + 2 + 1, one moved out
    grid_a2 = stats.counts(SYSTEM, cast.grid_a2)["total"]
    assert grid_a2["persons"] == 2  # the transferred person counts in the new grid
    # The helper sees the key person they help (not cleared for its label), no other.
    assert stats.counts(cast.gridworker, cast.grid_a1)["total"]["key_persons"] == 1

    # Ending supervision and a death.
    services.key_person_close(actor=SYSTEM, key_person_id=petition.pk)
    services.person_set_status(actor=SYSTEM, person_id=new[0].pk, status="deceased", on=day)
    _same(cast, regions)
    assert stats.counts(SYSTEM, cast.county)["total"]["key_persons"] == 1


def test_the_figures_read_the_rollup_not_the_registers(cast):
    for _ in range(3):
        person(cast.grid_a1)
    person(cast.grid_b1)
    rollup.rebuild()
    with CaptureQueriesContext(connection) as ctx:
        figures = stats.counts(cast.county_dispatcher, cast.county)
    assert figures["total"]["persons"] == 4
    assert not [q["sql"] for q in ctx.captured_queries if 'FROM "registry_person"' in q["sql"]]
    # A change behind the services' back shows only once the rollup is rebuilt.
    Person.objects.filter(region_path=cast.grid_b1.path).update(status="missing")
    assert stats.counts(cast.county_dispatcher, cast.county)["total"]["persons"] == 4
    call_command("registry_rollup", "rebuild", "--region", cast.county.code)
    assert stats.counts(cast.county_dispatcher, cast.county)["total"]["persons"] == 3


def test_grids_not_counted_today_are_counted_on_the_registers(cast):
    person(cast.grid_a1)
    person(cast.grid_b1)
    GridCount.objects.all().delete()
    assert not rollup.fresh(cast.county, today())
    assert stats.counts(SYSTEM, cast.county)["total"]["persons"] == 2
    rollup.rebuild(cast.town_a)
    assert rollup.fresh(cast.town_a, today()) and not rollup.fresh(cast.county, today())
    # Yesterday's rollup is not today's: the date-dependent figures have moved.
    rollup.rebuild(day=today() - dt.timedelta(days=1))
    assert not rollup.fresh(cast.county, today())
    assert stats.counts(SYSTEM, cast.county)["total"]["persons"] == 2


def test_a_refused_write_changes_no_figure(cast):
    p = person(cast.grid_a1)
    rollup.rebuild()
    before = list(GridCount.objects.order_by("region_path", "sensitivity", "category").values())
    with pytest.raises(NotFound):  # not in the grid worker's grid
        services.person_transfer(
            actor=cast.gridworker_b, person_id=p.pk, region=cast.grid_b1.pk, on=today()
        )
    after = list(GridCount.objects.order_by("region_path", "sensitivity", "category").values())
    assert before == after
