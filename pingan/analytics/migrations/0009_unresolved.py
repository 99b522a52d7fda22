"""Issue 18: 矛盾纠纷化解率 counts disputes resolved, not every closed one. The facts carry
whether an event was closed with the matter not resolved (`EventFact.unresolved`, from
the lead department's outcome, `events.Event.resolution`), and the rollups count them
(`unresolved`, a measure like `repeats`).

No recount is needed: every event closed before this has no outcome (blank, counted as
resolved), so every existing fact and rollup row holds 0, the columns' default.

PostgreSQL only, as in 0007 and 0008: the covering indexes that let the map, the
dashboard and the summary read the monthly status rollup and the daily rollup by
index-only scans INCLUDE every measure those reads sum; the selectors sum `unresolved`
too, so the indexes are made again with it (else each row read goes back to the heap:
docs/performance.md). Nothing happens on SQLite.
"""

from django.db import migrations, models

OLD = {
    "analytics_month_status_cover": (
        "analytics_monthlystatusrollup (region, day, status, outcome) "
        "INCLUDE (n, followed_up, satisfied, handled, handle_days, repeats)"
    ),
    "analytics_daily_rollup_cover": (
        "analytics_dailyrollup (region, day) "
        "INCLUDE (status, n, followed_up, satisfied, handled, handle_days, repeats)"
    ),
}
NEW = {
    "analytics_month_status_cover": (
        "analytics_monthlystatusrollup (region, day, status, outcome) "
        "INCLUDE (n, followed_up, satisfied, handled, handle_days, repeats, unresolved)"
    ),
    "analytics_daily_rollup_cover": (
        "analytics_dailyrollup (region, day) "
        "INCLUDE (status, n, followed_up, satisfied, handled, handle_days, repeats, unresolved)"
    ),
}


def _recreate(schema_editor, indexes):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, target in indexes.items():
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
        schema_editor.execute(f"CREATE INDEX {name} ON {target}")


def forwards(apps, schema_editor):
    _recreate(schema_editor, NEW)


def backwards(apps, schema_editor):
    _recreate(schema_editor, OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0008_daily_rollup_cover"),
    ]

    operations = [
        migrations.AddField(
            model_name="eventfact",
            name="unresolved",
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.AddField(
            model_name="dailyrollup",
            name="unresolved",
            field=models.IntegerField(db_default=0, default=0),
        ),
        migrations.AddField(
            model_name="monthlyrollup",
            name="unresolved",
            field=models.IntegerField(db_default=0, default=0),
        ),
        migrations.AddField(
            model_name="monthlystatusrollup",
            name="unresolved",
            field=models.IntegerField(db_default=0, default=0),
        ),
        # Backwards, the old indexes come back before the columns go.
        migrations.RunPython(forwards, backwards),
    ]
