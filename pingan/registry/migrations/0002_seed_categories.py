"""The key-person categories every county starts with (configurable in the back office
afterwards): their sensitivity labels and visit frequencies (docs/registry.md)."""

from django.db import migrations

CATEGORIES = [
    # code, name, label, every N days, reminder days before
    ("corrections", "社区矫正", "corrections", 7, 2),
    ("released", "刑满释放", "stability", 30, 7),
    ("mental", "严重精神障碍", "stability", 30, 7),
    ("drug", "吸毒", "stability", 30, 7),
    ("petition", "重点信访", "petition", 15, 3),
    ("youth", "重点青少年", "stability", 30, 7),
]


def seed(apps, schema_editor):
    Category = apps.get_model("registry", "KeyPersonCategory")
    for order, (code, name, label, every, window) in enumerate(CATEGORIES, start=1):
        Category.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "sensitivity": label,
                "visit_every_days": every,
                "visit_window_days": window,
                "order": order,
            },
        )


def unseed(apps, schema_editor):
    Category = apps.get_model("registry", "KeyPersonCategory")
    Category.objects.filter(code__in=[c[0] for c in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
