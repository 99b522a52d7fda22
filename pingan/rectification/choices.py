"""The rectification app's fixed lists (the values are the API's, the labels Chinese msgids)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["DeductionSource", "OrderSource", "Status"]


class Status(models.TextChoices):
    ISSUED = "issued", _("已下发")
    RECTIFYING = "rectifying", _("整改中")
    SUBMITTED = "submitted", _("已反馈")
    PASSED = "passed", _("复查通过")
    CLOSED = "closed", _("已销号")
    CANCELLED = "cancelled", _("已撤销")


class OrderSource(models.TextChoices):
    """Where an order comes from (`source_kind`; `source_id` names the row there)."""

    INSPECTION = "inspection", _("督查检查")
    MANUAL = "manual", _("直接下发")
    LISTING = "listing", _("挂牌整治")
    CAMPAIGN = "campaign", _("专项行动")
    OTHER = "other", _("其他")


class DeductionSource(models.TextChoices):
    OVERDUE_ORDER = "overdue_order", _("整改超期")
    FAILED_RECHECK = "failed_recheck", _("复查未通过")
    INSPECTION = "inspection", _("督查扣分")
    OTHER = "other", _("其他")
