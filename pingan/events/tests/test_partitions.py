"""The events table partitioned by month on PostgreSQL (docs/adr/0006-partitioning.md):
partitions, the key table and its triggers, foreign keys, ensure_partitions and the
schema editor that points new foreign keys at the key table. On SQLite nothing of it
exists and ensure_partitions says so."""

from __future__ import annotations

import datetime as dt
import uuid
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, models, transaction
from django.test.utils import CaptureQueriesContext, isolate_apps
from django.utils import timezone

from pingan.conftest import on_postgres
from pingan.events import partitions as p
from pingan.events.models import Event, EventTransition
from pingan.events.services import event_report

pg_only = pytest.mark.skipif(not on_postgres(), reason="PostgreSQL: partitioned events table")


def _report(cast, **kw):
    event, _ = event_report(
        actor=cast.gridworker,
        category=cast.neighbour,
        description="楼道里堆放杂物，影响通行",
        lat=cast.point_a1[0],
        lng=cast.point_a1[1],
        **kw,
    )
    return event


def _one(sql: str, params=None):
    with connection.cursor() as c:
        c.execute(sql, params or [])
        return c.fetchone()


def _partition_of(event: Event) -> str:
    return _one("SELECT tableoid::regclass::text FROM events_event WHERE id = %s", [event.pk])[0]


def _key(event: Event):
    return _one(
        "SELECT code, client_uuid, reported_at FROM events_eventkey WHERE id = %s", [event.pk]
    )


def _check_foreign_keys_now() -> None:
    """What COMMIT would do: run the deferred foreign-key checks."""
    with connection.cursor() as c:
        c.execute("SET CONSTRAINTS ALL IMMEDIATE")
        c.execute("SET CONSTRAINTS ALL DEFERRED")


def test_ensure_partitions_command_answers_on_both_databases(db):
    out = StringIO()
    call_command("ensure_partitions", "--ahead", "2", stdout=out)
    if on_postgres():
        assert "分区" in out.getvalue()
    else:
        assert "没有分区" in out.getvalue()
        assert p.is_partitioned() is False


@pg_only
def test_the_table_is_partitioned_by_month_with_a_default(db):
    assert p.is_partitioned()
    names = set(p.partitions())
    now = p.month_of(timezone.now())
    for month in p.months_between(now, p.add_months(now, 3)):
        assert p.partition_name(month) in names
    assert p.DEFAULT_PARTITION in names
    assert _one("SELECT pg_get_partkeydef(to_regclass('events_event'))")[0] == "RANGE (reported_at)"
    start, end = p.bounds(now)
    assert p.partitions()[p.partition_name(now)] == (
        f"FOR VALUES FROM ('{_pg_ts(start)}') TO ('{_pg_ts(end)}')"
    )


def _pg_ts(literal: str) -> str:
    return _one("SELECT %s::timestamptz::text", [literal])[0]


@pg_only
def test_no_foreign_key_references_the_partitioned_table(db):
    assert (
        _one("SELECT count(*) FROM pg_constraint WHERE confrelid = 'events_event'::regclass")[0]
        == 0
    )
    referencing = _one(
        "SELECT count(DISTINCT conrelid) FROM pg_constraint "
        "WHERE contype = 'f' AND confrelid = 'events_eventkey'::regclass "
        "AND condeferrable AND condeferred"
    )[0]
    assert referencing >= 20  # events' own tables, analytics, citizen, triage, leads, ...


@pg_only
def test_an_event_lands_in_its_months_partition_and_in_the_key_table(cast):
    event = _report(cast)
    assert _partition_of(event) == p.partition_name(p.month_of(event.reported_at))
    assert _key(event) == (event.code, None, event.reported_at)


@pg_only
def test_duplicate_code_or_client_uuid_is_refused_by_the_database(cast):
    first = _report(cast, client_uuid=uuid.uuid4())
    second = _report(cast)
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=second.pk).update(code=first.code)
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=second.pk).update(client_uuid=first.client_uuid)
    copy = Event.objects.get(pk=first.pk)
    copy.pk = None
    copy.code = "330424-copy-000001"
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()  # same client_uuid, another partition or not
    # The service's idempotency still holds: the same client_uuid gives the first event.
    again, created = event_report(
        actor=cast.gridworker,
        category=cast.neighbour,
        description="楼道里堆放杂物，影响通行",
        lat=cast.point_a1[0],
        lng=cast.point_a1[1],
        client_uuid=first.client_uuid,
    )
    assert (again.pk, created) == (first.pk, False)


@pg_only
def test_a_reference_to_an_unknown_event_is_refused_at_commit(cast):
    event = _report(cast)
    assert EventTransition.objects.filter(event=event).exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        EventTransition.objects.filter(event=event).update(event_id=10**12)
        _check_foreign_keys_now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(master_id=10**12)
        _check_foreign_keys_now()


@pg_only
def test_deleting_an_event_cascades_and_removes_its_key(cast):
    event = _report(cast)
    pk = event.pk
    event.delete()
    _check_foreign_keys_now()
    assert not EventTransition.objects.filter(event_id=pk).exists()
    assert _one("SELECT count(*) FROM events_eventkey WHERE id = %s", [pk])[0] == 0


@pg_only
def test_changing_reported_at_moves_the_event_and_keeps_its_key_in_step(cast):
    event = _report(cast)
    later = event.reported_at + dt.timedelta(days=40)
    Event.objects.filter(pk=event.pk).update(reported_at=later)
    event.refresh_from_db()
    assert _partition_of(event) == p.partition_name(p.month_of(later))
    assert _key(event) == (event.code, None, later)
    _check_foreign_keys_now()  # the timeline still points at a known event
    assert EventTransition.objects.filter(event=event).exists()
    Event.objects.filter(pk=event.pk).update(code="330424-moved-000001")
    assert _key(event)[0] == "330424-moved-000001"


@pg_only
def test_ensure_partitions_creates_months_ahead_and_empties_default(cast):
    now = p.month_of(timezone.now())
    result = p.ensure_partitions(ahead=6)
    assert p.partition_name(p.add_months(now, 6)) in result["created"]
    assert p.partition_name(p.add_months(now, 6)) in p.partitions()
    assert p.ensure_partitions(ahead=6)["created"] == []

    old = _report(cast, reported_at=timezone.make_aware(dt.datetime(2019, 6, 15, 10, 0)))
    older = _report(cast, reported_at=timezone.make_aware(dt.datetime(2018, 1, 1, 0, 30)))
    assert _partition_of(old) == _partition_of(older) == p.DEFAULT_PARTITION

    out = StringIO()
    call_command("ensure_partitions", stdout=out)
    assert "events_event_y2019m06" in out.getvalue()
    assert _partition_of(old) == "events_event_y2019m06"
    assert _partition_of(older) == "events_event_y2018m01"  # local midnight bound
    assert _one(f"SELECT count(*) FROM {p.DEFAULT_PARTITION}")[0] == 0
    assert _key(old) == (old.code, None, old.reported_at)
    # The moved rows keep their triggers, indexes and foreign keys.
    Event.objects.filter(pk=old.pk).update(code="330424-old-000001")
    assert _key(old)[0] == "330424-old-000001"
    assert Event.objects.filter(code="330424-old-000001").count() == 1
    _check_foreign_keys_now()
    assert (
        _one("SELECT count(*) FROM pg_indexes WHERE tablename = 'events_event_y2019m06'")[0]
        == _one("SELECT count(*) FROM pg_indexes WHERE tablename = 'events_event'")[0]
    )


@pg_only
@isolate_apps("pingan.events")
def test_new_foreign_keys_to_event_point_at_the_key_table(cast):
    class Throwaway(models.Model):
        event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")

        class Meta:
            app_label = "events"
            db_table = "events_throwaway_partition_test"

    extra = models.ForeignKey(Event, null=True, on_delete=models.CASCADE, related_name="+")
    extra.set_attributes_from_name("other")
    extra.model = Throwaway
    with connection.schema_editor() as editor:
        editor.create_model(Throwaway)
        editor.add_field(Throwaway, extra)
    with connection.cursor() as c:
        c.execute(
            "SELECT a.attname, confrelid::regclass::text, condeferrable, condeferred "
            "FROM pg_constraint k JOIN pg_attribute a "
            "ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1] "
            "WHERE contype = 'f' AND conrelid = 'events_throwaway_partition_test'::regclass "
            "ORDER BY a.attname"
        )
        assert c.fetchall() == [
            ("event_id", "events_eventkey", True, True),
            ("other_id", "events_eventkey", True, True),
        ]
    event = _report(cast)
    Throwaway.objects.create(event=event)
    _check_foreign_keys_now()
    with connection.schema_editor() as editor:
        editor.delete_model(Throwaway)


@pg_only
def test_truncating_the_events_empties_the_key_table(cast):
    event = _report(cast)
    _check_foreign_keys_now()
    with connection.cursor() as c:
        c.execute(
            "SELECT DISTINCT conrelid::regclass::text FROM pg_constraint k "
            "JOIN pg_class t ON t.oid = k.conrelid "
            "WHERE confrelid = 'events_eventkey'::regclass AND NOT t.relispartition"
        )
        children = [r[0] for r in c.fetchall()]
        c.execute(f"TRUNCATE {', '.join(children)} CASCADE")
    assert _one("SELECT count(*) FROM events_eventkey WHERE id = %s", [event.pk])[0] == 0
    _check_foreign_keys_now()


@pg_only
def test_generate_events_fills_partitions_and_key_table_and_rebuilds_indexes(cast):
    from pingan.demo.generate import generate_events

    result = generate_events(count=300, grids=10, batch=120, drop_indexes=True)
    assert "events_search_bigrams" in result["rebuilt_indexes"]
    assert (
        _one("SELECT count(*) FROM events_event")[0]
        == _one("SELECT count(*) FROM events_eventkey")[0]
    )
    assert _one(f"SELECT count(*) FROM {p.DEFAULT_PARTITION}")[0] == 0
    # The rebuilt indexes are built on every partition, not only declared on the parent.
    assert _one(
        "SELECT count(*) FROM pg_index x WHERE NOT x.indisvalid "
        "AND x.indrelid = 'events_event'::regclass"
    ) == (0,)
    parent = _one("SELECT count(*) FROM pg_indexes WHERE tablename = 'events_event'")[0]
    for name in p.partitions():
        assert _one("SELECT count(*) FROM pg_indexes WHERE tablename = %s", [name])[0] == parent
    _check_foreign_keys_now()


def _partitions_in_plan(qs) -> set[str]:
    plan = qs.explain()
    return {name for name in p.partitions() if name in plan} if on_postgres() else set()


@pg_only
def test_a_lookup_by_id_or_code_is_planned_on_its_months_partition_only(cast):
    from pingan.events.permissions import access_event

    event = _report(cast)
    other = _report(cast, reported_at=event.reported_at - dt.timedelta(days=200))
    assert _partition_of(event) != _partition_of(other)
    by_id = Event.objects.filter(p.key_q(pk=event.pk))
    assert _partitions_in_plan(by_id) == {_partition_of(event)}
    assert list(by_id) == [event]
    by_code = Event.objects.filter(p.key_q(code=other.code))
    assert _partitions_in_plan(by_code) == {_partition_of(other)}
    assert list(by_code) == [other]
    assert not Event.objects.filter(p.key_q(pk=other.pk + 1000)).exists()
    both = Event.objects.filter(p.keys_q([event.pk, other.pk, other.pk + 1000]))
    assert _partitions_in_plan(both) == {_partition_of(event), _partition_of(other)}
    assert set(both) == {event, other}
    # The event page and every transition read the event this way.
    with CaptureQueriesContext(connection) as queries:
        assert access_event(cast.dispatcher, other.pk) == other
        assert access_event(cast.dispatcher, other.pk, for_update=True) == other
    reads = [q["sql"] for q in queries if 'FROM "events_event"' in q["sql"]]
    assert len(reads) == 2  # one statement each: the lock reads the row it locks
    assert all('"events_event"."reported_at" =' in sql for sql in reads)


@pg_only
def test_a_report_retried_with_its_client_uuid_is_found_on_its_months_partition(cast):
    key = uuid.uuid4()
    event = _report(cast, client_uuid=key, reported_at=timezone.now() - dt.timedelta(days=200))
    by_uuid = Event.objects.filter(p.key_q(client_uuid=key))
    assert _partitions_in_plan(by_uuid) == {_partition_of(event)}
    assert list(by_uuid) == [event]
    with CaptureQueriesContext(connection) as queries:
        again, created = event_report(
            actor=cast.gridworker,
            category=cast.neighbour,
            description="楼道里堆放杂物，影响通行",
            lat=cast.point_a1[0],
            lng=cast.point_a1[1],
            client_uuid=str(key),
        )
    assert (again, created) == (event, False)
    reads = [q["sql"] for q in queries if 'FROM "events_event"' in q["sql"]]
    assert reads and all('"events_event"."reported_at" =' in sql for sql in reads)
    assert not Event.objects.filter(p.key_q(client_uuid=uuid.uuid4())).exists()
    with pytest.raises(ValueError):
        p.key_q(pk=event.pk, client_uuid=key)


@pg_only
def test_the_task_workers_reads_of_one_event_name_its_month(cast, settings):
    """What runs after every report and transition (notifications, duplicates, the
    category suggestion, duty officers, the evidence check, the channel callback) reads
    the event on its own partition: planned over every month, each read cost 15-25 ms of
    the database's CPU (docs/performance.md, "Load")."""
    from pingan.emergency.receivers import on_event_changed
    from pingan.field.evidence import evidence_check
    from pingan.intake.services import order_callback
    from pingan.notifications.services import notify_event_change
    from pingan.triage.services import duplicates_check, suggestion_make

    event = _report(cast, reported_at=timezone.now() - dt.timedelta(days=100))
    with CaptureQueriesContext(connection) as queries:
        notify_event_change(event_id=event.pk, action="report", transition_id=None)
        duplicates_check(event_id=event.pk)
        suggestion_make(event_id=event.pk)
        on_event_changed(None, event_id=event.pk, action="report")
        order_callback(event_id=event.pk, action="accept", transition_id=1)
        evidence_check(attachment_id=0)
    reads = [q["sql"] for q in queries if '"events_event"' in q["sql"].split("WHERE", 1)[0]]
    assert reads
    unbounded = [sql for sql in reads if '"events_event"."reported_at"' not in sql]
    assert unbounded == []


def test_saving_an_event_finds_its_row_by_the_month_it_is_stored_in(cast):
    event = Event.objects.get(pk=_report(cast).pk)
    stored = event.reported_at
    event.reported_at = stored - dt.timedelta(days=45)
    event.title = "改了上报时间"
    with CaptureQueriesContext(connection) as queries:
        event.save()
    update = next(q["sql"] for q in queries if q["sql"].startswith('UPDATE "events_event"'))
    assert '"events_event"."reported_at" =' in update.split("WHERE", 1)[1]
    event.title = "再改一次"
    event.save(update_fields=["title"])  # found by the new month now
    fresh = Event.objects.get(pk=event.pk)
    assert (fresh.reported_at, fresh.title) == (stored - dt.timedelta(days=45), "再改一次")
    if on_postgres():
        assert _key(fresh)[2] == fresh.reported_at


def _open_status(event: Event):
    return _one("SELECT open_status FROM events_eventkey WHERE id = %s", [event.pk])[0]


@pg_only
def test_the_key_table_holds_each_events_status_while_it_is_open(cast):
    from pingan.events.choices import Status
    from pingan.events.models import OPEN_STATUSES
    from pingan.events.services import event_transition

    for status in Status.values:  # the SQL function and the Python list agree
        expected = status if status in OPEN_STATUSES else None
        assert _one("SELECT events_open_status(%s)", [status])[0] == expected
    event = _report(cast)
    assert _open_status(event) == Status.REPORTED
    event_transition(actor=cast.dispatcher, event_id=event.pk, action="accept")
    assert _open_status(event) == Status.ACCEPTED
    Event.objects.filter(pk=event.pk).update(status=Status.CLOSED)
    assert _open_status(event) is None
    event_transition(actor=cast.dispatcher, event_id=event.pk, action="reopen",
                     payload={"note": "群众反映问题复发"})  # fmt: skip
    assert _open_status(event) == Status.ACCEPTED
    # Moved to another month's partition (a DELETE and an INSERT): the status comes along.
    Event.objects.filter(pk=event.pk).update(reported_at=event.reported_at - dt.timedelta(days=90))
    assert _open_status(event) == Status.ACCEPTED
    rejected = _report(cast)
    event_transition(actor=cast.dispatcher, event_id=rejected.pk, action="reject",
                     payload={"note": "不属于受理范围"})  # fmt: skip
    assert _open_status(rejected) is None


@pg_only
def test_a_list_of_open_events_is_planned_on_the_months_that_hold_them(cast):
    from pingan.events.choices import Status
    from pingan.events.selectors import EventFilters, event_list
    from pingan.events.services import event_transition

    now = timezone.now()
    recent = _report(cast)
    old_open = _report(cast, reported_at=now - dt.timedelta(days=200))
    old_closed = _report(cast, reported_at=now - dt.timedelta(days=400))
    Event.objects.filter(pk=old_closed.pk).update(status=Status.CLOSED)

    def listed(*statuses):
        qs = event_list(user=cast.dispatcher, filters=EventFilters(status=list(statuses)))
        return set(qs), _partitions_in_plan(qs)

    rows, planned = listed(Status.REPORTED)
    assert rows == {recent, old_open}
    assert planned == {_partition_of(recent), _partition_of(old_open)}
    # Finished events lie in every month: a list that asks for them is not narrowed.
    rows, planned = listed(Status.REPORTED, Status.CLOSED)
    assert rows == {recent, old_open, old_closed}
    assert _partition_of(old_closed) in planned
    # The months follow the statuses at once: an old event accepted leaves the queue's
    # months, a closed one reopened joins the accepted ones'.
    event_transition(actor=cast.dispatcher, event_id=old_open.pk, action="accept")
    rows, planned = listed(Status.REPORTED)
    assert rows == {recent}
    assert planned == {_partition_of(recent)}
    event_transition(actor=cast.dispatcher, event_id=old_closed.pk, action="reopen",
                     payload={"note": "群众反映问题复发"})  # fmt: skip
    rows, planned = listed(Status.ACCEPTED)
    assert rows == {old_open, old_closed}
    assert planned == {_partition_of(old_open), _partition_of(old_closed), _partition_of(recent)}
    # Nothing in a status: only the current month is asked (a report may be arriving).
    assert listed(Status.RESOLVED) == (set(), {_partition_of(recent)})


def test_months_in_a_row_become_one_range_and_the_nearest_ranges_join():
    assert p._runs([(2025, 11), (2025, 12), (2026, 1), (2026, 3)]) == [
        ((2025, 11), (2026, 1)),
        ((2026, 3), (2026, 3)),
    ]
    # Every other month of a year: six runs, the first ones joined until four are left.
    months = [(2025, m) for m in (1, 3, 5, 7, 9, 11)]
    assert p._runs(months) == [
        ((2025, 1), (2025, 5)),
        ((2025, 7), (2025, 7)),
        ((2025, 9), (2025, 9)),
        ((2025, 11), (2025, 11)),
    ]


def test_own_reports_are_found_by_the_months_that_hold_them(cast):
    from pingan.analytics.selectors import basis_for
    from pingan.field.selectors import my_reports

    def reads_of_events(call):
        with CaptureQueriesContext(connection) as queries:
            result = call()
        return result, [q["sql"] for q in queries if 'FROM "events_event"' in q["sql"]]

    # A town leader who reported nothing reads the town's figures from the rollups, and
    # on PostgreSQL the key table says so without a statement on the events.
    basis, reads = reads_of_events(lambda: basis_for(cast.leader_b, None))
    assert basis.rollup and basis.region == cast.town_b
    assert reads == [] if on_postgres() else len(reads) == 1
    # Their own report in town A (they see it, the town's rollups do not count it): the
    # figures come from the events they see instead.
    now = timezone.now()
    mine = _report(cast)
    Event.objects.filter(pk=mine.pk).update(
        reporter=cast.leader_b, reported_at=now - dt.timedelta(days=200)
    )
    mine.refresh_from_db()
    basis, reads = reads_of_events(lambda: basis_for(cast.leader_b, None))
    assert not basis.rollup
    if on_postgres():
        assert _one("SELECT reporter_id FROM events_eventkey WHERE id = %s", [mine.pk]) == (
            cast.leader_b.pk,
        )
        assert all('"events_event"."reported_at" >=' in sql for sql in reads)
    # The phone's "my reports": newest first, an old one included.
    recent = _report(cast)
    assert my_reports(user=cast.gridworker) == [recent]
    assert my_reports(user=cast.leader_b) == [mine]
    assert my_reports(user=cast.leader) == []


@pg_only
def test_events_closed_since_a_moment_are_found_by_the_months_they_were_reported_in(cast):
    from pingan.events.choices import Status

    now = timezone.now()
    # Closed an hour after midnight, local time, on the 1st: still the last month in UTC.
    local_first = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0,
                                                  microsecond=0)  # fmt: skip
    closed_early = local_first + dt.timedelta(hours=1)
    old = _report(cast, reported_at=now - dt.timedelta(days=200))
    older = _report(cast, reported_at=now - dt.timedelta(days=400))
    open_one = _report(cast, reported_at=now - dt.timedelta(days=300))
    Event.objects.filter(pk=old.pk).update(status=Status.CLOSED, closed_at=closed_early)
    Event.objects.filter(pk=older.pk).update(
        status=Status.CLOSED, closed_at=now - dt.timedelta(days=100)
    )
    key = "SELECT closed_month FROM events_eventkey WHERE id = %s"
    assert _one(key, [old.pk])[0] == closed_early.astimezone(dt.UTC).date().replace(day=1)
    assert _one(key, [open_one.pk])[0] is None

    def closed_since(moment):
        qs = Event.objects.filter(p.closed_months_q(moment), closed_at__gte=moment)
        return set(qs), _partitions_in_plan(qs)

    current = p.partition_name(p.month_of(now))
    assert closed_since(local_first) == ({old}, {_partition_of(old), current})
    assert closed_since(now - dt.timedelta(days=120)) == (
        {old, older},
        {_partition_of(old), _partition_of(older), current},
    )
    # Reopened: no longer closed, gone from the key's months at once.
    Event.objects.filter(pk=old.pk).update(status=Status.ACCEPTED, closed_at=None)
    assert _one(key, [old.pk])[0] is None
    assert closed_since(local_first) == (set(), {current})
