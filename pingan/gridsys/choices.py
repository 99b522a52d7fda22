from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class OfficerKind(models.TextChoices):
    POLICE = "police", _("网格民警")
    LEGAL = "legal", _("法律顾问")
    FIRE = "fire", _("消防网格员")
    MARKET = "market", _("市场监管员")
    OTHER = "other", _("其他专职力量")


class MeetingKind(models.TextChoices):
    WEEKLY = "weekly", _("周例会")
    MONTHLY = "monthly", _("月度例会")
    SPECIAL = "special", _("专题会")


class ReviewConclusion(models.TextChoices):
    NO_FAULT = "no_fault", _("无责任")
    MINOR = "minor", _("一般过错")
    SERIOUS = "serious", _("严重过错")


class AppealStatus(models.TextChoices):
    PENDING = "pending", _("待裁定")
    UPHELD = "upheld", _("申诉成立")
    REJECTED = "rejected", _("申诉驳回")


PARTS: tuple[tuple[str, str], ...] = (
    ("reports", gettext_noop("上报事件数")),
    ("verified_reports", gettext_noop("有效上报数")),
    ("verify_on_time", gettext_noop("按时核查数")),
    ("follow_ups", gettext_noop("回访数")),
    ("patrol_days", gettext_noop("巡查天数")),
    ("on_site", gettext_noop("就地解决数")),
    ("poor_reports", gettext_noop("不予受理或被合并的上报")),
    ("review_findings", gettext_noop("倒查追责次数")),
)
