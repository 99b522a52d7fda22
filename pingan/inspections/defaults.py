"""The default checklist of each inspection kind, from what the counties' 平安 inspections
look at (the seeds: 网格员在岗履职, 矛盾纠纷排查台账, 重点人员管控, 出租房屋管理,
消防安全, 视频监控运行, 群众知晓率 ...). `checklists_ensure` writes the missing ones (never
changes existing ones): the data migration calls it, and the tests after a flush."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_noop

from pingan.inspections.choices import Kind

# code, text, points deducted when it fails
COMMON: tuple[tuple[str, str, str], ...] = (
    ("P01", gettext_noop("网格员在岗履职（巡查走访记录完整）"), "1"),
    ("P02", gettext_noop("矛盾纠纷排查台账建立并按期更新"), "1"),
    ("P03", gettext_noop("重点人员管控措施落实（走访、帮教记录）"), "1"),
    ("P04", gettext_noop("出租房屋登记管理到位"), "0.5"),
    ("P05", gettext_noop("消防安全隐患排查整治"), "1"),
    ("P06", gettext_noop("视频监控运行正常、联网率达标"), "0.5"),
    ("P07", gettext_noop("群众对平安建设知晓率"), "0.5"),
    ("P08", gettext_noop("综治中心（平安办）实体化运行、值班值守"), "0.5"),
)
EXTRA: dict[str, tuple[tuple[str, str, str], ...]] = {
    Kind.UNANNOUNCED: (
        ("U01", gettext_noop("夜间治安巡防力量在岗"), "1"),
        ("U02", gettext_noop("重点场所（学校、医院、车站）安保措施落实"), "1"),
    ),
    Kind.SIMULATED: (
        ("S01", gettext_noop("模拟求助电话及时接听、规范处置"), "1"),
        ("S02", gettext_noop("模拟报警（报事）按时限到场"), "1"),
    ),
    Kind.SELF_CHECK: (("C01", gettext_noop("上期问题整改到位"), "1"),),
}
NAMES: dict[str, str] = {
    Kind.PATROL: gettext_noop("平安巡查清单"),
    Kind.SUPERVISION: gettext_noop("平安督查清单"),
    Kind.UNANNOUNCED: gettext_noop("明察暗访清单"),
    Kind.SELF_CHECK: gettext_noop("平安自查清单"),
    Kind.SIMULATED: gettext_noop("模拟测评清单"),
}


def checklists_ensure() -> int:
    """Create the default checklist of every kind that has none; the number created."""
    from pingan.inspections.models import Checklist, ChecklistItem

    made = 0
    for kind in Kind.values:
        if Checklist.objects.filter(kind=kind).exists():
            continue
        checklist = Checklist.objects.create(kind=kind, name=NAMES[kind])
        rows = COMMON + EXTRA.get(kind, ())
        ChecklistItem.objects.bulk_create(
            ChecklistItem(
                checklist=checklist, code=code, text=text, points=Decimal(points), order=n
            )
            for n, (code, text, points) in enumerate(rows, start=1)
        )
        made += 1
    return made
