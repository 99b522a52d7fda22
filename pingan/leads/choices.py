from django.db import models
from django.utils.translation import gettext_lazy as _


class LeadStatus(models.TextChoices):
    NEW = "new", _("待研判")
    CONFIRMED = "confirmed", _("已转事件")
    DISMISSED = "dismissed", _("不予处理")
