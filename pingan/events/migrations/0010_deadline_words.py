# The deadline states' words (issue 17): 正常 / 临期 / 超期 everywhere (labels only).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0009_transition_public_reply"),
    ]

    operations = [
        migrations.AlterField(
            model_name="event",
            name="deadline_state",
            field=models.CharField(
                blank=True,
                choices=[("normal", "正常"), ("warning", "临期"), ("overdue", "超期")],
                default="",
                max_length=8,
                verbose_name="时限状态",
            ),
        ),
    ]
