"""The grid six systems (网格六制) that manage grid workers, beyond the closed loop:

(a) grid fusion: officers attached to grids (`GridOfficer`, backed by a grid-scoped
    membership so they see and work the grid's events);
(b) work meetings with agenda, attendance, events reviewed and decisions;
(c) the closed loop itself lives in `pingan.events`;
(d) after-the-fact review (事后倒查) of closed events;
(e) floating pay: `ScoreSettings` (weights, bands in `PayBand`), computed by `scoring`;
(f) promotion and elimination: quarterly `RankingEntry` per town, warnings, appeals.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pingan.gridsys.choices import AppealStatus, MeetingKind, OfficerKind, ReviewConclusion

User = settings.AUTH_USER_MODEL


class GridOfficer(models.Model):
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="grid_posts", verbose_name=_("人员")
    )
    grid = models.ForeignKey(
        "geo.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("网格")
    )
    kind = models.CharField(_("力量类型"), max_length=10, choices=OfficerKind.choices)
    membership = models.ForeignKey(
        "org.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_active = models.BooleanField(_("在岗"), default=True)
    since = models.DateField(_("入格日期"))

    class Meta:
        verbose_name = _("入格力量")
        verbose_name_plural = _("入格力量")
        constraints = [
            models.UniqueConstraint(fields=["user", "grid", "kind"], name="gridsys_officer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()} · {self.grid}"


class Meeting(models.Model):
    region = models.ForeignKey(
        "geo.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("区划")
    )
    region_path = models.CharField(max_length=255, editable=False, db_index=True)
    kind = models.CharField(_("会议类型"), max_length=10, choices=MeetingKind.choices)
    title = models.CharField(_("会议名称"), max_length=200)
    held_at = models.DateTimeField(_("召开时间"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    agenda = models.TextField(_("议程"))
    minutes = models.TextField(_("会议纪要"), blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("工作例会")
        verbose_name_plural = _("工作例会")
        ordering = ["-held_at", "-id"]

    def __str__(self) -> str:
        return self.title


class MeetingAttendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("人员")
    )
    present = models.BooleanField(_("出席"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("参会情况")
        verbose_name_plural = _("参会情况")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="gridsys_attendance_unique")
        ]


class MeetingReview(models.Model):
    """An event reviewed at the meeting (微复盘)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="reviews")
    event = models.ForeignKey(
        "events.Event", on_delete=models.PROTECT, related_name="+", verbose_name=_("事件")
    )
    summary = models.TextField(_("复盘意见"))

    class Meta:
        verbose_name = _("微复盘")
        verbose_name_plural = _("微复盘")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "event"], name="gridsys_review_unique")
        ]


class MeetingDecision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("议定事项"))
    event = models.ForeignKey(
        "events.Event",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("关联事件"),
    )
    owner = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("责任人"),
    )
    due_on = models.DateField(_("完成时限"), null=True, blank=True)
    done = models.BooleanField(_("已落实"), default=False)

    class Meta:
        verbose_name = _("会议决定")
        verbose_name_plural = _("会议决定")


class AfterReview(models.Model):
    """事后倒查: a review of a closed event, its findings and who is accountable."""

    event = models.ForeignKey(
        "events.Event", on_delete=models.PROTECT, related_name="+", verbose_name=_("事件")
    )
    region_path = models.CharField(max_length=255, editable=False, db_index=True)
    reviewer = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("倒查人")
    )
    reviewed_at = models.DateTimeField(_("倒查时间"))
    findings = models.TextField(_("倒查发现"))
    conclusion = models.CharField(_("结论"), max_length=10, choices=ReviewConclusion.choices)
    accountable_user = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("责任人"),
    )
    accountable_department = models.ForeignKey(
        "org.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("责任部门"),
    )
    measures = models.TextField(_("处理措施"), blank=True)

    class Meta:
        verbose_name = _("事后倒查")
        verbose_name_plural = _("事后倒查")
        ordering = ["-reviewed_at", "-id"]


class ScoreSettings(models.Model):
    """The weights of the monthly score (one row). Score = base + Σ weight × count."""

    base = models.FloatField(_("基础分"), default=60)
    w_reports = models.FloatField(_("每件上报"), default=1)
    w_verified_reports = models.FloatField(_("每件有效上报"), default=2)
    w_verify_on_time = models.FloatField(_("每次按时核查"), default=2)
    w_follow_ups = models.FloatField(_("每次回访"), default=1)
    w_patrol_days = models.FloatField(_("每个巡查日"), default=1)
    w_on_site = models.FloatField(_("每件就地解决"), default=3)
    w_poor_reports = models.FloatField(_("每件不予受理或被合并"), default=-2)
    w_review_findings = models.FloatField(_("每次倒查追责"), default=-10)
    warn_bottom = models.PositiveSmallIntegerField(_("每镇季度末位预警人数"), default=1)

    class Meta:
        verbose_name = _("考核权重")
        verbose_name_plural = _("考核权重")

    def __str__(self) -> str:
        return str(_("考核权重"))


class PayBand(models.Model):
    """Scores from `min_score` up (to the next band) earn `coefficient` × base pay."""

    min_score = models.FloatField(_("最低分"), unique=True)
    coefficient = models.DecimalField(_("绩效系数"), max_digits=4, decimal_places=2)
    label = models.CharField(_("档次"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("绩效档次")
        verbose_name_plural = _("绩效档次")
        ordering = ["-min_score"]

    def __str__(self) -> str:
        return f"≥{self.min_score:g} → {self.coefficient}"


class RankingEntry(models.Model):
    """One worker's place in their town's published quarterly ranking."""

    quarter = models.CharField(_("季度"), max_length=7)  # "2026Q3"
    town = models.ForeignKey(
        "geo.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("镇(街道)")
    )
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("网格员")
    )
    grid = models.ForeignKey(
        "geo.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("网格")
    )
    score = models.FloatField(_("季度得分"))
    rank = models.PositiveIntegerField(_("名次"))
    of = models.PositiveIntegerField(_("参评人数"))
    published_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField()

    class Meta:
        verbose_name = _("季度排名")
        verbose_name_plural = _("季度排名")
        ordering = ["quarter", "town", "rank", "id"]
        constraints = [
            models.UniqueConstraint(fields=["quarter", "town", "user"], name="gridsys_rank_unique")
        ]


class Warning(models.Model):
    entry = models.OneToOneField(RankingEntry, on_delete=models.CASCADE, related_name="warning")
    reason = models.CharField(_("预警原因"), max_length=200)
    issued_at = models.DateTimeField(_("预警时间"))

    class Meta:
        verbose_name = _("末位预警")
        verbose_name_plural = _("末位预警")


class Appeal(models.Model):
    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="appeals")
    text = models.TextField(_("申诉理由"))
    submitted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    status = models.CharField(
        _("状态"), max_length=10, choices=AppealStatus.choices, default=AppealStatus.PENDING
    )
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision = models.TextField(_("裁定意见"), blank=True)

    class Meta:
        verbose_name = _("申诉")
        verbose_name_plural = _("申诉")
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["warning"],
                condition=models.Q(status="pending"),
                name="gridsys_one_pending_appeal",
            )
        ]
