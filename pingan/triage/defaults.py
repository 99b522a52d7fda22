"""The risk rules a new installation starts with (administrators edit them in the admin).

Each rule is a set of conditions that must all hold; several rules of one signal are
alternatives. One word alone is noise in a county's hundreds of reports a day (issue 17),
so words come with a second condition: enough people, earlier events in the same grid,
several distinct signs, or the urgency the reporter gave. Explicit threats to life stay
single words: a missed one costs more than a false alarm.
"""

from __future__ import annotations

from typing import Any

GATHERING = "讨薪\n欠薪\n集体上访\n上访\n聚集\n围堵\n拉横幅\n堵路\n群体性\n集体维权"
GATHERING_ACTS = "聚集\n围堵\n拉横幅\n堵路\n静坐\n集体上访\n冲击"
VIOLENCE = "扬言报复\n持械\n斗殴\n打起来\n动手打人\n威胁要\n砸东西"

DEFAULT_RULES: list[dict[str, Any]] = [
    {
        "signal": "mass_incident",
        "name": "群体性事件苗头：人数较多",
        "keywords": GATHERING,
        "people_min": 10,
    },
    {
        "signal": "mass_incident",
        "name": "群体性事件苗头：同网格多发",
        "keywords": GATHERING,
        "repeat_min": 2,
        "repeat_days": 7,
        "repeat_by": "category",
    },
    {
        "signal": "mass_incident",
        "name": "群体性事件苗头：多种聚集迹象",
        "keywords": GATHERING_ACTS,
        "keywords_min": 2,
    },
    {
        "signal": "mass_incident",
        "name": "群体性事件苗头：描述多人聚集",
        "pattern": r"(几十|数十|上百|\d{2,})多?(名|个|位)?(工人|村民|业主|群众|人|多人).{0,10}"
        r"(聚集|围堵|上访|讨要|讨说法)",
    },
    {
        "signal": "threat_to_life",
        "name": "危及生命：自杀与暴力",
        "keywords": "自杀\n轻生\n跳楼\n跳河\n喝农药\n不想活\n持刀\n砍人\n杀人\n行凶\n同归于尽",
    },
    {
        "signal": "threat_to_life",
        "name": "危及生命：扬言轻生或伤人",
        "pattern": r"扬言.{0,8}(跳|死|杀|砍|烧)",
    },
    {
        "signal": "fire_explosion",
        "name": "火灾爆炸：明火与泄漏",
        "keywords": "着火\n起火\n火灾\n失火\n爆炸\n明火\n燃气泄漏\n煤气泄漏",
    },
    {
        "signal": "fire_explosion",
        "name": "火灾爆炸：紧急上报的浓烟",
        "keywords": "浓烟\n冒烟\n焦糊味",
        "min_urgency": "urgent",
    },
    {
        "signal": "escalating_dispute",
        "name": "矛盾激化：多种激化迹象",
        "keywords": VIOLENCE,
        "keywords_min": 2,
    },
    {
        "signal": "escalating_dispute",
        "name": "矛盾激化：同网格反复发生",
        "keywords": VIOLENCE,
        "repeat_min": 1,
        "repeat_days": 30,
        "repeat_by": "category",
    },
    {
        "signal": "escalating_dispute",
        "name": "矛盾激化：多次调处未果",
        "pattern": r"(多次|反复).{0,6}(未果|无果).{0,10}(扬言|威胁|报复)",
    },
]

# The one-word rules first shipped (migration 0002, split in two by 0003 where they had
# both keywords and a pattern): `alert_rules_install_defaults` switches off those still
# exactly as shipped, since the rules above replace them. Edited ones are left alone.
LEGACY_RULES: list[tuple[str, str, str]] = [
    (
        "集体讨薪与聚集",
        "讨薪\n欠薪\n集体上访\n聚集\n围堵\n拉横幅\n堵路\n群体性\n集体维权",
        r"(几十|数十|上百|\d{2,})(名|个|位)?(工人|村民|业主|群众|人|多人).{0,10}"
        r"(聚集|围堵|上访|讨要|讨说法)",
    ),
    (
        "自杀与暴力",
        "自杀\n轻生\n跳楼\n跳河\n喝农药\n不想活\n持刀\n砍人\n杀人\n行凶\n同归于尽",
        r"扬言.{0,8}(跳|死|杀|砍|烧)",
    ),
    ("火灾爆炸", "着火\n起火\n火灾\n失火\n爆炸\n燃气泄漏\n煤气泄漏\n浓烟", ""),
    (
        "矛盾激化",
        "扬言报复\n持械\n斗殴\n打起来\n动手打人\n威胁要\n砸东西",
        r"(多次|反复).{0,6}(未果|无果).{0,10}(扬言|威胁|报复)",
    ),
]
