"""The registry's fixed lists (the values are the API's, the labels Chinese msgids)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "ChangeSource",
    "HouseholdKind",
    "KeyPersonStatus",
    "MoveKind",
    "PermitStatus",
    "PersonKind",
    "PersonStatus",
    "RiskLevel",
    "Sex",
    "VisitOutcome",
]


class PersonKind(models.TextChoices):
    REGISTERED = "registered", _("户籍人口")
    NEW_RESIDENT = "new_resident", _("新居民（流动人口）")
    OVERSEAS = "overseas", _("境外人员")


class PersonStatus(models.TextChoices):
    PRESENT = "present", _("在住")
    MOVED_OUT = "moved_out", _("已迁出")
    DECEASED = "deceased", _("死亡")
    MISSING = "missing", _("失联")


# The statuses after which the retention period runs (the person no longer lives here).
GONE = (PersonStatus.MOVED_OUT, PersonStatus.DECEASED)


class Sex(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class HouseholdKind(models.TextChoices):
    FAMILY = "family", _("家庭户")
    COLLECTIVE = "collective", _("集体户")
    RENTAL = "rental", _("租住户")


class MoveKind(models.TextChoices):
    MOVE_IN = "in", _("迁入")
    MOVE_OUT = "out", _("迁出")
    TRANSFER = "transfer", _("辖区内迁移")


class PermitStatus(models.TextChoices):
    APPLIED = "applied", _("已申请")
    ISSUED = "issued", _("已发证")
    EXPIRED = "expired", _("已过期")
    REJECTED = "rejected", _("不予办理")
    REVOKED = "revoked", _("已注销")


class KeyPersonStatus(models.TextChoices):
    ACTIVE = "active", _("在管")
    CLOSED = "closed", _("已解除")


class RiskLevel(models.TextChoices):
    LOW = "low", _("低")
    MEDIUM = "medium", _("中")
    HIGH = "high", _("高")


class VisitOutcome(models.TextChoices):
    MET = "met", _("见面走访")
    PHONE = "phone", _("电话联系")
    NOT_FOUND = "not_found", _("未见到本人")
    ABNORMAL = "abnormal", _("发现异常")


class ChangeSource(models.TextChoices):
    PAGE = "page", _("页面")
    API = "api", _("接口")
    IMPORT = "import", _("导入")
    VISIT = "visit", _("走访")
    SYSTEM = "system", _("系统")
