"""The default checklist of each inspection kind (`defaults.py`), written once."""

from decimal import Decimal

from django.db import migrations


def forwards(apps, schema_editor):  # noqa: ANN001, ANN201
    from pingan.inspections.defaults import COMMON, EXTRA, NAMES

    Checklist = apps.get_model("inspections", "Checklist")
    ChecklistItem = apps.get_model("inspections", "ChecklistItem")
    for kind, name in NAMES.items():
        if Checklist.objects.filter(kind=kind).exists():
            continue
        checklist = Checklist.objects.create(kind=kind, name=name)
        rows = COMMON + EXTRA.get(kind, ())
        for n, (code, text, points) in enumerate(rows, start=1):
            ChecklistItem.objects.create(
                checklist=checklist, code=code, text=text, points=Decimal(points), order=n
            )


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
