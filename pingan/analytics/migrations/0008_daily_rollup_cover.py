"""PostgreSQL only: a covering index on the daily rollup, so that the days at either end
of a period (the map's and the dashboard's grid figures, the summary's edge days) are
read by an index-only scan.

At 10 M events a county's grids' edge days are ~34,000 daily rows scattered over ~11,000
heap pages (the set-based rebuild inserts them in hash order): 136–160 ms per request;
from the index alone 72 ms, and the county map 206 → 136 ms p50 (docs/performance.md,
"10 M events, fourth run"). As in 0007, nothing happens on SQLite.
"""

from django.db import migrations

NAME = "analytics_daily_rollup_cover"
TARGET = (
    "analytics_dailyrollup (region, day) "
    "INCLUDE (status, n, followed_up, satisfied, handled, handle_days, repeats)"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {NAME} ON {TARGET}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("analytics", "0007_covering_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
