from django.db import models
from django.utils.translation import gettext_lazy as _


class PatrolStatus(models.TextChoices):
    ACTIVE = "active", _("巡查中")
    FINISHED = "finished", _("已结束")


class VisitKind(models.TextChoices):
    HOUSEHOLD = "household", _("走访住户")
    KEY_PLACE = "key_place", _("重点场所")
    KEY_PERSON = "key_person", _("重点人员")
    PERSON = "person", _("走访人员")
    RENTAL = "rental", _("出租房")
    OTHER = "other", _("其他")


class PersonSeen(models.TextChoices):
    """What the worker found of a person of the population register on a visit."""

    PRESENT = "present", _("在住")
    MOVED_OUT = "moved_out", _("已迁出")
