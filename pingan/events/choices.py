from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    REPORTED = "reported", _("待受理")
    ACCEPTED = "accepted", _("已受理")
    DISPATCHED = "dispatched", _("已派遣")
    IN_PROGRESS = "in_progress", _("处置中")
    RESOLVED = "resolved", _("待核查")
    CLOSED = "closed", _("已办结")
    REJECTED = "rejected", _("不予受理")
    MERGED = "merged", _("已合并")


class Source(models.TextChoices):
    GRID_PATROL = "grid_patrol", _("网格巡查")
    HOTLINE_12345 = "hotline_12345", _("12345热线")
    POLICE_110 = "police_110", _("110转办")
    ONLINE_OPINION = "online_opinion", _("网络舆情")
    CITIZEN = "citizen", _("群众自报")
    OPEN311 = "open311", _("Open311接口")
    WALK_IN = "walk_in", _("来访")
    INSPECTION = "inspection", _("督查发现")
    OTHER = "other", _("其他")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")
    CRITICAL = "critical", _("特急")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY_SATISFIED = "basically_satisfied", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class Resolution(models.TextChoices):
    """The outcome the lead department gives with its 办结反馈 (`Event.resolution`): the
    matter resolved (化解), or not (化解不成). Blank: not given (events closed before the
    field existed, imported ones): counted as resolved (docs/kpis.md)."""

    RESOLVED = "resolved", _("已解决（化解）")
    UNRESOLVED = "unresolved", _("未化解")


class Referral(models.TextChoices):
    """Where the handler guided the parties of a matter not resolved (`Event.referral`)."""

    LITIGATION = "litigation", _("引导诉讼")
    ARBITRATION = "arbitration", _("申请仲裁")
    PETITION = "petition", _("信访渠道")
    OTHER = "other", _("其他")


class DeadlineUnit(models.TextChoices):
    HOURS = "hours", _("工作小时")
    DAYS = "days", _("工作日")


class DeadlineState(models.TextChoices):
    """The deadline light and its one word, the same on every page, list, export and
    filter (issue 17): green 正常, yellow 临期, red 超期. The colour is the badge's
    (`badge-<value>`); the word is this label, shown beside it."""

    NORMAL = "normal", _("正常")
    WARNING = "warning", _("临期")
    OVERDUE = "overdue", _("超期")


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("主办")
    ASSIST = "assist", _("协办")


class AssignmentStatus(models.TextChoices):
    DISPATCHED = "dispatched", _("待签收")
    ACKNOWLEDGED = "acknowledged", _("处置中")
    RESOLVED = "resolved", _("已反馈")
    RETURNED = "returned", _("已退回")
    CANCELLED = "cancelled", _("已撤销")


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已同意")
    REFUSED = "refused", _("不同意")


class AttachmentKind(models.TextChoices):
    REPORT = "report", _("上报照片")
    RESULT = "result", _("处置照片")
    VERIFICATION = "verification", _("核查照片")
    OTHER = "other", _("其他")


class TrackingStatus(models.TextChoices):
    PENDING = "pending", _("待复查")
    OK = "ok", _("未复发")
    RECURRED = "recurred", _("已复发")
    CANCELLED = "cancelled", _("已取消")
