"""Issue 17: the statistics' outcome says 在办临期, the word every page uses for the yellow
light (events.choices.DeadlineState), not 在办黄灯. A label only: no data changes."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0010_briefing_issue"),
    ]

    operations = [
        migrations.AlterField(
            model_name="eventfact",
            name="outcome",
            field=models.CharField(
                blank=True,
                choices=[
                    ("on_time", "按期办结"),
                    ("late", "超期办结"),
                    ("normal", "在办正常"),
                    ("warning", "在办临期"),
                    ("overdue", "在办超期"),
                    ("", "未计时"),
                ],
                max_length=8,
            ),
        ),
    ]
