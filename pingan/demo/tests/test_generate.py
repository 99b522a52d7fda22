"""`generate_events`: realistic, consistent rows, fast paths on both databases, and the
site keeps working on top of them."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db.models import NOT_PROVIDED
from django.utils import timezone

from pingan.events.models import Assignment, Event
from pingan.events.selectors import event_count
from pingan.events.services import event_report
from pingan.geo.models import Region


@pytest.fixture
def generated(cast):
    call_command("generate_events", "--count", "400", "--grids", "10", "--batch", "150", "-v", "0")
    return cast


def test_events_spread_over_five_years_and_every_grid_asked_for(generated):
    events = Event.objects.all()
    assert events.count() == 400
    assert Region.objects.filter(level="grid").count() == 10  # 3 of the cast + 7 new
    now = timezone.now()
    oldest = events.order_by("reported_at").first().reported_at
    assert now - dt.timedelta(days=5 * 366) < oldest < now - dt.timedelta(days=3 * 365)
    years = Counter(e.reported_at.year for e in events)
    assert len(years) >= 5
    for e in events.select_related("region"):
        assert e.region.level == "grid" and e.region_path == e.region.path
        assert e.code.startswith(e.region_path.split("/")[0] + "-")


def test_states_and_times_agree(generated):
    statuses = Counter(Event.objects.values_list("status", flat=True))
    assert statuses["closed"] > 250  # old events are mostly closed
    for e in Event.objects.all():
        if e.status in ("closed", "rejected"):
            assert e.closed_at is not None and e.closed_at >= e.reported_at
        else:
            assert e.closed_at is None
        if e.status in ("dispatched", "in_progress"):
            assert e.due_at > e.dispatched_at > e.reported_at
            assert e.deadline_state in ("normal", "warning", "overdue")
        # The address is stored encrypted (also through COPY) and reads back as the place.
        assert e.address == e.region.name
    # Events in the new counties have lead assignments with the new counties' departments.
    lead = Assignment.objects.filter(role="lead").select_related("department__region", "event")
    assert lead.exists()
    for a in lead:
        assert a.event.region_path.startswith(a.department.region.path)


def test_scope_and_new_reports_work_on_top(generated):
    cast = generated
    in_county = Event.objects.filter(region_path__startswith=cast.county.path).count()
    assert event_count(user=cast.county_dispatcher) == in_county
    # Codes continue after the generated ones: a report today does not collide.
    lat, lng = cast.point_a1
    event, created = event_report(
        actor=cast.gridworker, category=cast.neighbour.pk, description="新上报", lat=lat, lng=lng
    )
    assert created and Event.objects.filter(code=event.code).count() == 1


def test_generated_personal_data_is_encrypted_like_reported_data(generated):
    from django.db import connection

    from pingan.core import pii

    with connection.cursor() as cur:
        cur.execute("SELECT id, address, reporter_phone, reporter_phone_index FROM events_event")
        rows = cur.fetchall()
    assert any(a for _pk, a, _p, _i in rows)
    assert all(a.startswith("gAAAA") for _pk, a, _p, _i in rows if a)
    for e in Event.objects.filter(pk__in=[r[0] for r in rows[:20]]):  # every value opens
        assert e.reporter_phone_index == pii.blind_index(e.reporter_phone, kind="phone")


def test_bad_counts_are_refused(db):
    with pytest.raises(CommandError, match="--count"):
        call_command("generate_events", "--count", "0")


def test_copy_names_every_required_event_column():
    # COPY bypasses the model's defaults: a new NOT NULL column must be generated too.
    from pingan.demo.generate import EVENT_COLUMNS

    missing = [
        f.column
        for f in Event._meta.concrete_fields
        if not f.null and f.column not in EVENT_COLUMNS and f.db_default is NOT_PROVIDED
    ]
    assert not missing, missing
