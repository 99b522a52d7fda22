"""The risk app's fixed lists (the values are the API's, the labels Chinese msgids)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Decision", "Grade", "MatterKind", "Status", "StepKind"]


class MatterKind(models.TextChoices):
    LAND = "land", _("征地拆迁")
    RESTRUCTURING = "restructuring", _("企业改制")
    PROJECT = "project", _("重大工程项目")
    POLICY = "policy", _("涉及群众利益的重大政策")
    OTHER = "other", _("其他")


class Status(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    ASSESSING = "assessing", _("评估中")
    GRADED = "graded", _("已定级")
    DECIDED = "decided", _("已决策")
    TRACKING = "tracking", _("跟踪中")
    CLOSED = "closed", _("已办结")
    WITHDRAWN = "withdrawn", _("已撤销")


class StepKind(models.TextChoices):
    """The procedure steps of the provincial practice (稳评的评估程序)."""

    SURVEY = "survey", _("民意调查")
    HEARING = "hearing", _("听证")
    EXPERT = "expert", _("专家论证")
    THIRD_PARTY = "third_party", _("第三方评估")
    LEGALITY = "legality", _("合法性审查")


class Grade(models.TextChoices):
    HIGH = "high", _("高风险")
    MEDIUM = "medium", _("中风险")
    LOW = "low", _("低风险")


class Decision(models.TextChoices):
    IMPLEMENT = "implement", _("实施")
    CONDITIONAL = "conditional", _("附条件实施（采取措施后实施）")
    POSTPONE = "postpone", _("暂缓实施")
    REJECT = "reject", _("不实施")


# Decisions after which the matter goes ahead and is tracked.
GOING_AHEAD = frozenset({Decision.IMPLEMENT, Decision.CONDITIONAL})
