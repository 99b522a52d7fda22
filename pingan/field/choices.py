from django.db import models
from django.utils.translation import gettext_lazy as _


class FlagReason(models.TextChoices):
    TOO_OLD = "too_old", _("拍摄时间过早")
    TOO_FAR = "too_far", _("拍摄地点偏离")
    OUTSIDE_GRID = "outside_grid", _("拍摄地点不在网格内")


class SiteCheckStatus(models.TextChoices):
    PENDING = "pending", _("待核实")
    DONE = "done", _("已核实")
    CANCELLED = "cancelled", _("已取消")


class TaskKind(models.TextChoices):
    VERIFY = "verify", _("核查")
    FOLLOW_UP = "follow_up", _("回访")
    SITE_CHECK = "site_check", _("现场核实")
    RECHECK = "recheck", _("跟踪复查")
