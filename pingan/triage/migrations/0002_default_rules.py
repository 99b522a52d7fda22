from django.db import migrations


def add_rules(apps, schema_editor):
    from pingan.triage.defaults import DEFAULT_RULES

    AlertRule = apps.get_model("triage", "AlertRule")
    for signal, name, keywords, pattern in DEFAULT_RULES:
        AlertRule.objects.get_or_create(
            name=name, defaults={"signal": signal, "keywords": keywords, "pattern": pattern}
        )


class Migration(migrations.Migration):
    dependencies = [("triage", "0001_initial")]

    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
