"""The safety app's fixed lists."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Source"]


class Source(models.TextChoices):
    ENTERED = "entered", _("录入")
    IMPORTED = "imported", _("导入")
