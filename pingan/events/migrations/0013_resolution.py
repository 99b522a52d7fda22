# Issue 18: the outcome of the lead department's 办结反馈 (化解结果) and where the parties
# of a matter not resolved were guided (引导途径). Events closed before this leave both
# blank: unknown, counted as resolved (docs/kpis.md). A database default as well, so bulk
# writers that name no such column (the demo's COPY) still write rows; on PostgreSQL the
# column is added to the partitioned table and so to every partition.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0012_joint_clock_verify"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="resolution",
            field=models.CharField(
                blank=True,
                choices=[("resolved", "已解决（化解）"), ("unresolved", "未化解")],
                db_default="",
                default="",
                max_length=12,
                verbose_name="化解结果",
            ),
        ),
        migrations.AddField(
            model_name="event",
            name="referral",
            field=models.CharField(
                blank=True,
                choices=[
                    ("litigation", "引导诉讼"),
                    ("arbitration", "申请仲裁"),
                    ("petition", "信访渠道"),
                    ("other", "其他"),
                ],
                db_default="",
                default="",
                max_length=12,
                verbose_name="引导途径",
            ),
        ),
    ]
