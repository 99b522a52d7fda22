"""PostgreSQL only: the bigram function and the GIN index behind event word search
(pingan/ops/search.py). Nothing on SQLite. On a large table the index takes minutes to
build (about 3 minutes per million events on a 2-core machine); it is built
CONCURRENTLY so the site keeps working (plainly when the events table is already
partitioned: PostgreSQL cannot build an index on a partitioned table concurrently)."""

from django.db import migrations

FUNCTION = r"""
CREATE OR REPLACE FUNCTION pingan_bigrams(t text) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT array_to_tsvector(array_agg(DISTINCT substr(t, i, 2)))
    FROM generate_series(1, length(t) - 1) AS i
    WHERE substr(t, i, 2) !~ '\s'
$$
"""
INDEX = """
CREATE INDEX CONCURRENTLY IF NOT EXISTS events_event_bigrams ON events_event
USING gin (pingan_bigrams(upper(title::text || ' ' || description || ' ' || address::text)))
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    index = INDEX
    with schema_editor.connection.cursor() as c:
        c.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass('events_event')")
        if c.fetchone()[0] == "p":
            # Partitioned (events 0003 ran first): CONCURRENTLY is not possible there.
            index = INDEX.replace(" CONCURRENTLY", "")
    schema_editor.execute(index)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS events_event_bigrams")
    schema_editor.execute("DROP FUNCTION IF EXISTS pingan_bigrams(text)")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("events", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
