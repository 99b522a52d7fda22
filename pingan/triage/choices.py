from django.db import models
from django.utils.translation import gettext_lazy as _


class Signal(models.TextChoices):
    MASS_INCIDENT = "mass_incident", _("群体性事件苗头")
    THREAT_TO_LIFE = "threat_to_life", _("危及生命安全")
    FIRE_EXPLOSION = "fire_explosion", _("火灾爆炸")
    ESCALATING_DISPUTE = "escalating_dispute", _("矛盾激化风险")


class DuplicateState(models.TextChoices):
    OPEN = "open", _("待判断")
    MERGED = "merged", _("已合并")
    DISMISSED = "dismissed", _("非重复")


class RepeatBy(models.TextChoices):
    CATEGORY = "category", _("同类事件")
    SIGNAL = "signal", _("同类风险预警")


class MinUrgency(models.TextChoices):
    URGENT = "urgent", _("紧急")
    CRITICAL = "critical", _("特急")


class Verdict(models.TextChoices):
    CONFIRMED = "confirmed", _("属实")
    FALSE_ALARM = "false_alarm", _("误报")
