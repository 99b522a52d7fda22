from django.db import migrations

# The rules as first shipped, kept here as they were: `pingan.triage.defaults` now holds
# the multi-condition rules of 0003 and later installations.
LEGACY_RULES = [
    (
        "mass_incident",
        "集体讨薪与聚集",
        "讨薪\n欠薪\n集体上访\n聚集\n围堵\n拉横幅\n堵路\n群体性\n集体维权",
        r"(几十|数十|上百|\d{2,})(名|个|位)?(工人|村民|业主|群众|人|多人).{0,10}(聚集|围堵|上访|讨要|讨说法)",
    ),
    (
        "threat_to_life",
        "自杀与暴力",
        "自杀\n轻生\n跳楼\n跳河\n喝农药\n不想活\n持刀\n砍人\n杀人\n行凶\n同归于尽",
        r"扬言.{0,8}(跳|死|杀|砍|烧)",
    ),
    (
        "fire_explosion",
        "火灾爆炸",
        "着火\n起火\n火灾\n失火\n爆炸\n燃气泄漏\n煤气泄漏\n浓烟",
        "",
    ),
    (
        "escalating_dispute",
        "矛盾激化",
        "扬言报复\n持械\n斗殴\n打起来\n动手打人\n威胁要\n砸东西",
        r"(多次|反复).{0,6}(未果|无果).{0,10}(扬言|威胁|报复)",
    ),
]


def add_rules(apps, schema_editor):
    AlertRule = apps.get_model("triage", "AlertRule")
    for signal, name, keywords, pattern in LEGACY_RULES:
        AlertRule.objects.get_or_create(
            name=name, defaults={"signal": signal, "keywords": keywords, "pattern": pattern}
        )


class Migration(migrations.Migration):
    dependencies = [("triage", "0001_initial")]

    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
