from django.db import models
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    """Where an event stands against its deadline, as counted in the statistics."""

    ON_TIME = "on_time", _("按期办结")
    LATE = "late", _("超期办结")
    NORMAL = "normal", _("在办正常")
    WARNING = "warning", _("在办临期")
    OVERDUE = "overdue", _("在办超期")
    NONE = "", _("未计时")
