from django.db import models
from django.utils.translation import gettext_lazy as _


class PatrolStatus(models.TextChoices):
    ACTIVE = "active", _("巡查中")
    FINISHED = "finished", _("已结束")


class VisitKind(models.TextChoices):
    HOUSEHOLD = "household", _("走访住户")
    KEY_PLACE = "key_place", _("重点场所")
    KEY_PERSON = "key_person", _("重点人员")
    OTHER = "other", _("其他")
