# 会商 in two steps (invitation, conclusion) and 督办件 with levels (issue 17).

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0010_deadline_words"),
        ("org", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="consultation",
            name="concluded_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="结论时间"),
        ),
        migrations.AddField(
            model_name="consultation",
            name="concluded_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="consultation",
            name="invited_departments",
            field=models.ManyToManyField(
                blank=True, related_name="+", to="org.department", verbose_name="受邀部门"
            ),
        ),
        migrations.AddField(
            model_name="consultation",
            name="scheduled_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="会商时间"),
        ),
        migrations.AddField(
            model_name="consultation",
            name="status",
            field=models.CharField(
                choices=[("invited", "已发起"), ("concluded", "已形成结论")],
                default="concluded",
                max_length=10,
                verbose_name="状态",
            ),
        ),
        migrations.AddField(
            model_name="consultation",
            name="suggested_assisting",
            field=models.ManyToManyField(
                blank=True, related_name="+", to="org.department", verbose_name="建议协办部门"
            ),
        ),
        migrations.AddField(
            model_name="consultation",
            name="suggested_lead",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="org.department",
                verbose_name="建议主办部门",
            ),
        ),
        migrations.AddField(
            model_name="consultation",
            name="topic",
            field=models.CharField(blank=True, default="", max_length=200, verbose_name="会商议题"),
        ),
        migrations.AlterField(
            model_name="consultation",
            name="conclusion",
            field=models.TextField(blank=True, default="", verbose_name="会商结论"),
        ),
        migrations.AlterField(
            model_name="consultation",
            name="participants",
            field=models.TextField(blank=True, default="", verbose_name="参与方"),
        ),
        migrations.CreateModel(
            name="Supervision",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "level",
                    models.CharField(
                        choices=[("normal", "一般督办"), ("key", "重点督办")],
                        max_length=8,
                        verbose_name="督办级别",
                    ),
                ),
                ("note", models.TextField(verbose_name="督办意见")),
                (
                    "issued_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="督办时间"
                    ),
                ),
                ("reply_due_at", models.DateTimeField(verbose_name="回复期限")),
                (
                    "status",
                    models.CharField(
                        choices=[("open", "待回复"), ("replied", "已回复")],
                        default="open",
                        max_length=8,
                        verbose_name="状态",
                    ),
                ),
                ("reply", models.TextField(blank=True, default="", verbose_name="回复内容")),
                (
                    "replied_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="回复时间"),
                ),
                ("region_path", models.CharField(default="", editable=False, max_length=255)),
                (
                    "sensitivity",
                    models.CharField(blank=True, default="", editable=False, max_length=12),
                ),
                (
                    "department",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="supervisions",
                        to="org.department",
                        verbose_name="被督办部门",
                    ),
                ),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="supervisions",
                        to="events.event",
                    ),
                ),
                (
                    "issued_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "replied_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "督办件",
                "verbose_name_plural": "督办件",
                "ordering": ["-issued_at", "-id"],
                "indexes": [
                    models.Index(
                        condition=models.Q(("status", "open")),
                        fields=["region_path", "reply_due_at"],
                        name="events_supervision_open_due",
                        opclasses=["varchar_pattern_ops", "timestamptz_ops"],
                    ),
                    models.Index(fields=["department", "status"], name="events_supervision_dept"),
                ],
            },
        ),
    ]
