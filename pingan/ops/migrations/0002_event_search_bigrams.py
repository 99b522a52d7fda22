"""PostgreSQL only: store each event's bigrams in a generated column and index that
column, instead of indexing the expression (migration 0001).

With the expression index every candidate row the index returned had its bigrams
recomputed (a SQL function, ~30 µs a row): a word found in tens of thousands of events
took seconds. The stored column is computed once, when a row is written, and read
afterwards. The column leaves the address out: it is encrypted at rest
(docs/privacy.md), so its ciphertext only added random bigrams that no search can use.

Adding a stored column rewrites the table under an exclusive lock: about 20 minutes
per 10 million events on a 2-core machine (docs/performance.md, "Lists at scale"). It
works the same on a plain and on a partitioned events table (PostgreSQL 15 adds the
column to every partition, and the index becomes a partitioned index). Nothing on
SQLite.
"""

from django.db import migrations

COLUMN = """
ALTER TABLE events_event ADD COLUMN IF NOT EXISTS search_bigrams tsvector
GENERATED ALWAYS AS (pingan_bigrams(upper(title::text || ' ' || description))) STORED
"""
INDEX = (
    "CREATE INDEX IF NOT EXISTS events_search_bigrams ON events_event USING gin (search_bigrams)"
)
OLD_INDEX = """
CREATE INDEX IF NOT EXISTS events_event_bigrams ON events_event
USING gin (pingan_bigrams(upper(title::text || ' ' || description || ' ' || address::text)))
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("SET LOCAL maintenance_work_mem = '512MB'")
    schema_editor.execute("DROP INDEX IF EXISTS events_event_bigrams")
    schema_editor.execute(COLUMN)
    schema_editor.execute(INDEX)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("SET LOCAL maintenance_work_mem = '512MB'")
    schema_editor.execute("DROP INDEX IF EXISTS events_search_bigrams")
    schema_editor.execute("ALTER TABLE events_event DROP COLUMN IF EXISTS search_bigrams")
    schema_editor.execute(OLD_INDEX)


class Migration(migrations.Migration):
    dependencies = [("ops", "0001_event_bigram_index"), ("events", "0003_source_open311")]
    operations = [migrations.RunPython(forwards, backwards)]
