"""PostgreSQL only: the bigram function and the GIN index behind event word search
(pingan/ops/search.py). Nothing on SQLite. On a large table the index takes minutes to
build (about 3 minutes per million events on a 2-core machine); it is built
CONCURRENTLY so the site keeps working."""

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
    with schema_editor.connection.cursor() as c:
        c.execute("SELECT relkind FROM pg_class WHERE relname = 'events_event'")
        row = c.fetchone()
    # A partitioned table cannot be indexed CONCURRENTLY (migration 0002 replaces this
    # index by one on a stored column anyway).
    partitioned = row is not None and row[0] == "p"
    schema_editor.execute(INDEX.replace("CONCURRENTLY ", "") if partitioned else INDEX)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS events_event_bigrams")
    schema_editor.execute("DROP FUNCTION IF EXISTS pingan_bigrams(text)")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("events", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
