"""The surveys app's fixed lists (the values are the API's, the labels Chinese msgids)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Channel", "QuestionKind", "SurveyKind", "SurveyStatus"]


class SurveyKind(models.TextChoices):
    SECURITY = "security", _("安全感满意率")
    OTHER = "other", _("其他问卷")


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("单选")
    MULTIPLE = "multiple", _("多选")
    TEXT = "text", _("填空")
    SCALE = "scale", _("打分")


class Channel(models.TextChoices):
    GRID_WORKER = "grid_worker", _("网格员入户")
    CITIZEN = "citizen", _("群众扫码")
