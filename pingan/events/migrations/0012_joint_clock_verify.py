# Issue 17: the clock per urgency (CategoryDeadline.natural_time), the on-site photo for
# verification (Category.verify_photo_required), and no assignment left open on an event
# that is closed, rejected or merged (joint handling closed on the lead's result alone).

from typing import Any

from django.db import migrations, models


def cancel_open_assignments_on_settled_events(apps: Any, schema_editor: Any) -> None:
    Assignment = apps.get_model("events", "Assignment")
    Event = apps.get_model("events", "Event")
    settled = Event.objects.filter(status__in=["closed", "rejected", "merged"]).values("pk")
    Assignment.objects.filter(
        status__in=["dispatched", "acknowledged"], event_id__in=settled
    ).update(status="cancelled")


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0011_dispatch_supervision"),
    ]

    operations = [
        migrations.AddField(
            model_name="category",
            name="verify_photo_required",
            field=models.BooleanField(
                default=False,
                help_text="勾选后，核查通过时必须同时上传现场核查照片",
                verbose_name="核查须上传现场照片",
            ),
        ),
        migrations.AddField(
            model_name="categorydeadline",
            name="natural_time",
            field=models.BooleanField(
                blank=True,
                choices=[(None, "按紧急程度默认"), (True, "自然时"), (False, "工作时")],
                default=None,
                help_text="自然时：昼夜连续计时，含周末和节假日；工作时：只计工作日的办公时间",
                null=True,
                verbose_name="计时方式",
            ),
        ),
        migrations.RunPython(
            cancel_open_assignments_on_settled_events, migrations.RunPython.noop, elidable=True
        ),
    ]
