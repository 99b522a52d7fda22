"""PostgreSQL only: the key table `events_eventkey` learns the month (UTC) each event was
closed in (`closed_month`, the first day of that month; NULL while not closed), kept by the
key triggers, with an index on (closed_month, reported_at).

"Closed since" questions (the leader's closed this month, the phone's follow-up calls)
name a closing time but no month of report, so PostgreSQL would plan them over every
monthly partition of the events table. `partitions.closed_months_q` reads the months of
report of the events closed in the UTC months since then from this index and names them
(docs/adr/0006-partitioning.md, "Open events"). UTC, not the site's zone: a change of
TIME_ZONE cannot make the stored months wrong. Nothing happens on SQLite.
"""

from __future__ import annotations

from importlib import import_module

from django.db import migrations

TRIGGERS_SQL = """
CREATE OR REPLACE FUNCTION events_closed_month(closed_at timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT date_trunc('month', closed_at AT TIME ZONE 'UTC')::date
$$;
CREATE OR REPLACE FUNCTION events_eventkey_sync() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO events_eventkey (id, code, client_uuid, reported_at, open_status,
                                     reporter_id, closed_month)
        VALUES (NEW.id, NEW.code, NEW.client_uuid, NEW.reported_at,
                events_open_status(NEW.status), NEW.reporter_id,
                events_closed_month(NEW.closed_at));
    ELSIF TG_OP = 'UPDATE' THEN
        UPDATE events_eventkey SET id = NEW.id, code = NEW.code,
            client_uuid = NEW.client_uuid, reported_at = NEW.reported_at,
            open_status = events_open_status(NEW.status), reporter_id = NEW.reporter_id,
            closed_month = events_closed_month(NEW.closed_at)
        WHERE id = OLD.id;
    ELSE
        DELETE FROM events_eventkey WHERE id = OLD.id;
    END IF;
    RETURN NULL;
END
$$;
DROP TRIGGER events_eventkey_update ON events_event;
CREATE TRIGGER events_eventkey_update
    AFTER UPDATE OF id, code, client_uuid, reported_at, status, reporter_id, closed_at
    ON events_event
    FOR EACH ROW
    WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.code IS DISTINCT FROM NEW.code
          OR OLD.client_uuid IS DISTINCT FROM NEW.client_uuid
          OR OLD.reported_at IS DISTINCT FROM NEW.reported_at
          OR OLD.status IS DISTINCT FROM NEW.status
          OR OLD.reporter_id IS DISTINCT FROM NEW.reporter_id
          OR OLD.closed_at IS DISTINCT FROM NEW.closed_at)
    EXECUTE FUNCTION events_eventkey_sync();
"""

def _has_key_table(c) -> bool:
    c.execute("SELECT to_regclass('events_eventkey') IS NOT NULL")
    return bool(c.fetchone()[0])


def forwards(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor != "postgresql":
        return
    with conn.cursor() as c:
        if not _has_key_table(c):
            return
        c.execute("LOCK TABLE events_event IN SHARE ROW EXCLUSIVE MODE")
        c.execute("ALTER TABLE events_eventkey ADD COLUMN closed_month date NULL")
        c.execute(TRIGGERS_SQL)
        c.execute(
            "UPDATE events_eventkey k SET closed_month = events_closed_month(e.closed_at) "
            "FROM events_event e WHERE e.id = k.id AND e.reported_at = k.reported_at "
            "AND e.closed_at IS NOT NULL"
        )
        c.execute(
            "CREATE INDEX events_eventkey_closed ON events_eventkey (closed_month, reported_at) "
            "WHERE closed_month IS NOT NULL"
        )
        c.execute("ANALYZE events_eventkey")


def backwards(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor != "postgresql":
        return
    before = import_module(f"{__package__}.0015_key_open_status")
    with conn.cursor() as c:
        if _has_key_table(c):
            # The function and trigger as migration 0015 left them, then without the column.
            c.execute(
                before.TRIGGERS_SQL
                + "ALTER TABLE events_eventkey DROP COLUMN closed_month;"
                + "DROP FUNCTION events_closed_month(timestamptz);"
            )


class Migration(migrations.Migration):
    dependencies = [("events", "0015_key_open_status")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
