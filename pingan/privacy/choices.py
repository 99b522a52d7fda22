from django.db import models
from django.utils.translation import gettext_lazy as _


class Sensitivity(models.TextChoices):
    """Labels of records that only users with the matching clearance may see."""

    NONE = "", _("无")
    CORRECTIONS = "corrections", _("社区矫正")
    PETITION = "petition", _("信访")
    STABILITY = "stability", _("维稳")


LABELS = [s for s in Sensitivity.values if s]


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")
    USED = "used", _("已导出")
    EXPIRED = "expired", _("已过期")
