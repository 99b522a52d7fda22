"""The demo county at volume, ending on the day it is built: the older months written in
bulk and counted by the rollup rebuild, the last days played through the services; a
later run tops up the days since. Figures, lists and exports agree on it."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.test.utils import override_settings
from openpyxl import load_workbook

from pingan.accounts.models import User
from pingan.analytics import selectors as stats
from pingan.analytics.exports import kpis_export
from pingan.core import clock
from pingan.demo.build import load_demo
from pingan.events.choices import Status
from pingan.events.models import Event, EventTransition
from pingan.events.selectors import EventFilters, event_count
from pingan.geo.models import Region
from pingan.screening.models import ScreeningItem

TZ = ZoneInfo("Asia/Shanghai")
BUILT = dt.datetime(2026, 6, 10, 16, 30, tzinfo=TZ)  # a Wednesday afternoon
LATER = BUILT + dt.timedelta(days=8)  # the same database, extended a week later
SMALL = {"events": 1500, "live_days": 5, "villages_per_town": 2, "grids_per_village": 2}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """A small demo county built on BUILT and run again on LATER; rolled back after."""
    var = tmp_path_factory.mktemp("var")
    with django_db_blocker.unblock(), override_settings(VAR_DIR=var), transaction.atomic():
        with clock.frozen(BUILT):
            first = load_demo(**SMALL)
        after_first = set(Event.objects.values_list("client_uuid", flat=True))
        with clock.frozen(LATER):
            second = load_demo(**SMALL)
        yield {"first": first, "second": second, "after_first": after_first}
        transaction.set_rollback(True)


def _local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(TZ).date()


@pytest.fixture
def leader(demo):
    return User.objects.get(username="demo-leader")


@pytest.fixture
def county(demo):
    return Region.objects.get(code="330424")


@pytest.mark.django_db
def test_the_year_ends_on_the_day_it_is_built_at_the_yearly_rate(demo):
    first = demo["first"]
    assert first.bulk is not None and first.events is not None
    assert first.bulk.events > 1000  # the older months, in bulk
    assert first.events.created > 10 and first.events.errors == 0  # the last 5 days, live
    assert first.bulk.events + first.events.created == first.planned
    assert 1350 <= first.planned <= 1650  # 1,500 a year
    built = Event.objects.filter(client_uuid__in=demo["after_first"])
    days = {_local_day(t) for t in built.values_list("reported_at", flat=True)}
    assert max(days) == BUILT.date()
    assert min(days) >= BUILT.date() - dt.timedelta(days=365)
    for back in range(3):  # every one of the last days has its reports
        assert BUILT.date() - dt.timedelta(days=back) in days
    assert not built.filter(reported_at__gt=BUILT).exists()
    # Working days carry more reports than weekends.
    per_day = Counter(_local_day(t) for t in built.values_list("reported_at", flat=True))
    weekday = [n for d, n in per_day.items() if d.weekday() < 5]
    weekend = [n for d, n in per_day.items() if d.weekday() >= 5]
    assert sum(weekday) / len(weekday) > 1.3 * sum(weekend) / len(weekend)


@pytest.mark.django_db
def test_the_last_days_are_live_open_matters_with_running_deadlines(demo):
    live_from = demo["second"].live_from
    recent = Event.objects.filter(reported_at__gte=live_from)
    statuses = set(recent.values_list("status", flat=True))
    assert {Status.REPORTED, Status.ACCEPTED, Status.IN_PROGRESS} <= statuses
    handling = Event.objects.filter(
        status__in=[Status.DISPATCHED, Status.IN_PROGRESS], due_at__isnull=False
    )
    # Not all red: most matters in handling are still within their deadline on the day.
    assert handling.filter(due_at__gt=LATER).count() > handling.filter(due_at__lte=LATER).count()
    # The live days' events went through the services: each has its timeline from the report.
    for event in recent.filter(status=Status.IN_PROGRESS)[:10]:
        actions = list(event.timeline.order_by("at", "id").values_list("action", flat=True))
        assert actions[0] == "report" and "dispatch" in actions and "acknowledge" in actions


@pytest.mark.django_db
def test_a_later_run_tops_up_the_days_since_in_bulk_and_live(demo):
    second = demo["second"]
    assert second.behind_days == 8
    assert second.existed == len(demo["after_first"] - {None}) - _left_the_year(demo)
    assert second.bulk is not None and second.bulk.events > 0  # BUILT … LATER - 5 days
    assert second.events is not None and second.events.created > 0 and second.events.errors == 0
    # The demo's own events (the screening rounds' findings report some of theirs).
    found = ScreeningItem.objects.exclude(event=None).values("event")
    new = Event.objects.exclude(client_uuid__in=demo["after_first"]).exclude(pk__in=found)
    days = {_local_day(t) for t in new.values_list("reported_at", flat=True)}
    assert min(days) >= BUILT.date() and max(days) == LATER.date()
    assert new.count() == second.bulk.events + second.events.created
    # The bulk events of the gap have timelines that end in their status.
    for event in new.filter(reported_at__lt=second.live_from)[:50]:
        rows = list(event.timeline.order_by("at", "id"))
        assert rows[0].action == "report" and rows[-1].to_status == event.status


def _left_the_year(demo) -> int:
    """Events of the first run reported more than a year before LATER (not planned again)."""
    start = dt.datetime.combine(LATER.date() - dt.timedelta(days=365), dt.time.min, tzinfo=TZ)
    return Event.objects.filter(client_uuid__in=demo["after_first"], reported_at__lt=start).count()


@pytest.mark.django_db
def test_figures_lists_and_exports_agree_for_the_county_and_year(demo, leader, county):
    date_from, date_to = LATER.date() - dt.timedelta(days=365), LATER.date()
    with clock.frozen(LATER):
        figures = stats.summary(
            user=leader, region_id=county.pk, date_from=date_from, date_to=date_to
        )
        filters = EventFilters(region=county.pk, reported_from=date_from, reported_to=date_to)
        listed = event_count(user=leader, filters=filters)
        book = load_workbook(
            io.BytesIO(
                kpis_export(user=leader, region_id=county.pk, date_from=date_from, date_to=date_to)
            )
        )
        by_status = {
            s: event_count(
                user=leader,
                filters=EventFilters(
                    region=county.pk, reported_from=date_from, reported_to=date_to, status=[s]
                ),
            )
            for s in Status.values
        }
    assert listed > 1400
    assert figures["total"] == listed
    assert {row["status"]: row["count"] for row in figures["by_status"]} == {
        s: n for s, n in by_status.items() if n
    }
    assert figures["closed"] == by_status[Status.CLOSED]
    rows = {row[0].value: row for row in book["考核指标"].iter_rows(min_row=5)}
    assert rows["受理登记总量"][1].value == listed


@pytest.mark.django_db
def test_the_bulk_part_and_the_live_part_both_count_in_the_rollups(demo, leader, county):
    live_from = demo["first"].live_from
    assert live_from is not None
    parts = {
        # The older months, written in bulk and counted by the rollup rebuild.
        "bulk": (BUILT.date() - dt.timedelta(days=300), _local_day(live_from) - dt.timedelta(1)),
        # The first run's last days, through the services (rollups kept by the signals).
        "live": (_local_day(live_from) + dt.timedelta(1), BUILT.date()),
    }
    for name, (date_from, date_to) in parts.items():
        with clock.frozen(LATER):
            figures = stats.summary(
                user=leader, region_id=county.pk, date_from=date_from, date_to=date_to
            )
            listed = event_count(
                user=leader,
                filters=EventFilters(
                    region=county.pk, reported_from=date_from, reported_to=date_to
                ),
            )
        assert listed > 0, name
        assert figures["total"] == listed, name
    live_events = Event.objects.filter(reported_at__gte=live_from, reported_at__lte=BUILT)
    # Only the services write `remind`, `supervise` … rows: the live part is theirs.
    assert EventTransition.objects.filter(event__in=live_events, action="accept").exists()


@pytest.mark.django_db
def test_a_demo_made_another_way_is_not_counted_twice(demo):
    # Events of the county the plan does not know (an older version's demo, say).
    Event.objects.update(client_uuid=None)
    before = Event.objects.count()
    with clock.frozen(LATER), pytest.raises(ValueError, match="make demo-reset"):
        load_demo(**SMALL)
    assert Event.objects.count() == before
