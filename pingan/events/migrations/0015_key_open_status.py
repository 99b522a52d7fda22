"""PostgreSQL only: the key table `events_eventkey` learns each event's status while it is
open (`open_status`: the status when it is one of the open ones, NULL once the event is
finished) and its reporter (`reporter_id`), kept by the key triggers, with an index on
(open_status, reported_at) and one on (reporter_id, reported_at).

A list of open events (the acceptance queue, the work in hand, the overdue ones, the live
poll) or of one user's reports names no month, so PostgreSQL would plan it over every
monthly partition of the events table (10-30 ms of the server's CPU per statement at
1-10 M events). The months that hold such events are read from these indexes in about a
millisecond (`partitions.open_months_q`, `partitions.reporter_months_q`) and named in
the statement instead (docs/adr/0006-partitioning.md, "Open events"). Nothing happens on
SQLite.
"""

from __future__ import annotations

from importlib import import_module

from django.db import migrations

# The open statuses as written in SQL (events.models.OPEN_STATUSES when this was written;
# events/tests/test_partitions.py checks that they still agree).
TRIGGERS_SQL = """
CREATE OR REPLACE FUNCTION events_open_status(status varchar) RETURNS varchar
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN status IN ('reported', 'accepted', 'dispatched', 'in_progress',
                                'resolved') THEN status END
$$;
CREATE OR REPLACE FUNCTION events_eventkey_sync() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO events_eventkey (id, code, client_uuid, reported_at, open_status,
                                     reporter_id)
        VALUES (NEW.id, NEW.code, NEW.client_uuid, NEW.reported_at,
                events_open_status(NEW.status), NEW.reporter_id);
    ELSIF TG_OP = 'UPDATE' THEN
        UPDATE events_eventkey SET id = NEW.id, code = NEW.code,
            client_uuid = NEW.client_uuid, reported_at = NEW.reported_at,
            open_status = events_open_status(NEW.status), reporter_id = NEW.reporter_id
        WHERE id = OLD.id;
    ELSE
        DELETE FROM events_eventkey WHERE id = OLD.id;
    END IF;
    RETURN NULL;
END
$$;
DROP TRIGGER events_eventkey_update ON events_event;
CREATE TRIGGER events_eventkey_update
    AFTER UPDATE OF id, code, client_uuid, reported_at, status, reporter_id ON events_event
    FOR EACH ROW
    WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.code IS DISTINCT FROM NEW.code
          OR OLD.client_uuid IS DISTINCT FROM NEW.client_uuid
          OR OLD.reported_at IS DISTINCT FROM NEW.reported_at
          OR OLD.status IS DISTINCT FROM NEW.status
          OR OLD.reporter_id IS DISTINCT FROM NEW.reporter_id)
    EXECUTE FUNCTION events_eventkey_sync();
"""


def forwards(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor != "postgresql":
        return
    with conn.cursor() as c:
        c.execute("SELECT to_regclass('events_eventkey') IS NOT NULL")
        if not c.fetchone()[0]:
            return
        c.execute("LOCK TABLE events_event IN SHARE ROW EXCLUSIVE MODE")
        c.execute(
            "ALTER TABLE events_eventkey ADD COLUMN open_status varchar(20) NULL, "
            "ADD COLUMN reporter_id bigint NULL"
        )
        c.execute(TRIGGERS_SQL)
        c.execute(
            "UPDATE events_eventkey k SET open_status = events_open_status(e.status), "
            "reporter_id = e.reporter_id FROM events_event e "
            "WHERE e.id = k.id AND e.reported_at = k.reported_at "
            "AND (events_open_status(e.status) IS NOT NULL OR e.reporter_id IS NOT NULL)"
        )
        c.execute(
            "CREATE INDEX events_eventkey_open ON events_eventkey (open_status, reported_at) "
            "WHERE open_status IS NOT NULL"
        )
        c.execute(
            "CREATE INDEX events_eventkey_reporter ON events_eventkey (reporter_id, reported_at) "
            "WHERE reporter_id IS NOT NULL"
        )
        c.execute("ANALYZE events_eventkey")


def backwards(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor != "postgresql":
        return
    before = import_module(f"{__package__}.0004_partition_events_by_month")
    with conn.cursor() as c:
        c.execute("SELECT to_regclass('events_eventkey') IS NOT NULL")
        if not c.fetchone()[0]:
            return
        c.execute(
            before.KEY_SYNC_FUNCTION_SQL
            + "DROP TRIGGER events_eventkey_update ON events_event;"
            + before.KEY_UPDATE_TRIGGER_SQL
            + "ALTER TABLE events_eventkey DROP COLUMN open_status, DROP COLUMN reporter_id;"
            + "DROP FUNCTION events_open_status(varchar);"
        )


class Migration(migrations.Migration):
    dependencies = [("events", "0014_today_indexes")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
