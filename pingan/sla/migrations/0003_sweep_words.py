"""Issue 17: a sweep's counts are named 临期 and 超期, the words every page uses for the
deadline lights (events.choices.DeadlineState), not 黄灯 and 红灯. Labels only."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0002_sweeprun_reminded"),
    ]

    operations = [
        migrations.AlterField(
            model_name="sweeprun",
            name="overdue",
            field=models.PositiveIntegerField(default=0, verbose_name="超期"),
        ),
        migrations.AlterField(
            model_name="sweeprun",
            name="warned",
            field=models.PositiveIntegerField(default=0, verbose_name="临期"),
        ),
    ]
