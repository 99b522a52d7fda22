"""Events that came in through Open311 before the source existed were recorded as
"citizen": give them the Open311 source (and back on reversal). The analytics facts and
rollups keep the old source until `manage.py rollup rebuild` recounts them."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    Event = apps.get_model("events", "Event")
    Event.objects.filter(open311_request__isnull=False, source="citizen").update(source="open311")


def backwards(apps: Any, schema_editor: Any) -> None:
    Event = apps.get_model("events", "Event")
    Event.objects.filter(open311_request__isnull=False, source="open311").update(source="citizen")


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0003_source_open311"),
        ("open311", "0002_personal_data"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
