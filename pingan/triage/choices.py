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
