"""Issue 19: handling time in calendar days beside working days, and the on-time rate's
denominator without the events closed with no deadline.

- `EventFact.handle_cal_days`, the measure `handle_cal_days` of the daily and monthly
  rollups, and the calendar-day histograms (`CalendarHistogram`, `DailyCalendarHistogram`)
  for the median. Facts and rollups written before this hold none (0 / NULL): run
  `manage.py rollup rebuild` once after upgrading (docs/deploy.md, "Upgrades"); until then
  the calendar-day figures of older events are missing, the working-day ones unchanged.
- `timed` in the department rollups: closed events with a deadline (on time or late).
  Existing rows get `timed = closed`, the old denominator, so every published figure stays
  as it was until that rebuild counts the untimed ones out.
- PostgreSQL only, as 0009: the covering indexes are made again with the new measure, and
  the calendar histograms get theirs.
"""

from django.db import migrations, models

OLD = {
    "analytics_month_status_cover": (
        "analytics_monthlystatusrollup (region, day, status, outcome) "
        "INCLUDE (n, followed_up, satisfied, handled, handle_days, repeats, unresolved)"
    ),
    "analytics_daily_rollup_cover": (
        "analytics_dailyrollup (region, day) "
        "INCLUDE (status, n, followed_up, satisfied, handled, handle_days, repeats, unresolved)"
    ),
}
NEW = {
    "analytics_month_status_cover": (
        "analytics_monthlystatusrollup (region, day, status, outcome) INCLUDE "
        "(n, followed_up, satisfied, handled, handle_days, handle_cal_days, repeats, unresolved)"
    ),
    "analytics_daily_rollup_cover": (
        "analytics_dailyrollup (region, day) INCLUDE (status, n, followed_up, satisfied, "
        "handled, handle_days, handle_cal_days, repeats, unresolved)"
    ),
    "analytics_cal_histogram_cover": (
        "analytics_calendarhistogram (region, day) INCLUDE (centidays, n)"
    ),
    "analytics_daily_cal_histogram_cover": (
        "analytics_dailycalendarhistogram (region, day) INCLUDE (centidays, n)"
    ),
}


def _recreate(schema_editor, indexes, drop=()):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in drop:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    for name, target in indexes.items():
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
        schema_editor.execute(f"CREATE INDEX {name} ON {target}")


def forwards(apps, schema_editor):
    for model in ("DepartmentRollup", "DailyDepartmentRollup"):
        apps.get_model("analytics", model).objects.update(timed=models.F("closed"))
    _recreate(schema_editor, NEW)


def backwards(apps, schema_editor):
    _recreate(
        schema_editor,
        OLD,
        drop=("analytics_cal_histogram_cover", "analytics_daily_cal_histogram_cover"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0011_outcome_words"),
    ]

    operations = [
        migrations.AddField(
            model_name="dailydepartmentrollup",
            name="timed",
            field=models.IntegerField(db_default=0, default=0),
        ),
        migrations.AddField(
            model_name="dailyrollup",
            name="handle_cal_days",
            field=models.FloatField(db_default=0, default=0),
        ),
        migrations.AddField(
            model_name="departmentrollup",
            name="timed",
            field=models.IntegerField(db_default=0, default=0),
        ),
        migrations.AddField(
            model_name="eventfact",
            name="handle_cal_days",
            field=models.FloatField(null=True),
        ),
        migrations.AddField(
            model_name="monthlyrollup",
            name="handle_cal_days",
            field=models.FloatField(db_default=0, default=0),
        ),
        migrations.AddField(
            model_name="monthlystatusrollup",
            name="handle_cal_days",
            field=models.FloatField(db_default=0, default=0),
        ),
        migrations.CreateModel(
            name="CalendarHistogram",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("region", models.IntegerField()),
                ("day", models.DateField()),
                ("centidays", models.IntegerField()),
                ("n", models.IntegerField(default=0)),
            ],
            options={
                "verbose_name": "处置用时分布(自然日)",
                "verbose_name_plural": "处置用时分布(自然日)",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("region", "day", "centidays"), name="analytics_cal_histogram_key"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="DailyCalendarHistogram",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("region", models.IntegerField()),
                ("day", models.DateField()),
                ("centidays", models.IntegerField()),
                ("n", models.IntegerField(default=0)),
            ],
            options={
                "verbose_name": "处置用时日分布(自然日)",
                "verbose_name_plural": "处置用时日分布(自然日)",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("region", "day", "centidays"),
                        name="analytics_daily_cal_histogram_key",
                    )
                ],
            },
        ),
        # Backwards, the old indexes come back before the columns go.
        migrations.RunPython(forwards, backwards),
    ]
