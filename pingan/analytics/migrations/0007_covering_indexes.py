"""PostgreSQL only: covering indexes, so that the handling-time histograms and the
monthly status rollup are read by index-only scans.

A county's or a town's year reads some 20,000 histogram rows (one per month or day and
handling time in hundredths of a working day) and a county's map some 40,000 status
rows of its grids; fetched from the table, each row is a random heap page: 50–60 ms for
a town's median, 40–300 ms for a county's map at 10 M events (docs/performance.md). With
the measures in the index the rows come from the index alone: a town's median 5 ms.
(Django's `Index(include=…)` would do the same but warns on SQLite, where covering
indexes do not exist; so these are created here, and nothing happens on SQLite.)
"""

from django.db import migrations

INDEXES = {
    "analytics_histogram_cover": (
        "analytics_handlinghistogram (region, day) INCLUDE (centidays, n)"
    ),
    "analytics_daily_histogram_cover": (
        "analytics_dailyhandlinghistogram (region, day) INCLUDE (centidays, n)"
    ),
    "analytics_month_status_cover": (
        "analytics_monthlystatusrollup (region, day, status, outcome) "
        "INCLUDE (n, followed_up, satisfied, handled, handle_days, repeats)"
    ),
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, target in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0006_monthly_status_rollup"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
