"""Analytic copies of the events, kept current inside the transition transaction.

`EventFact` is one narrow row per event with the dimensions every figure is counted by;
`DailyRollup` and `MonthlyRollup` (and the status rollup, histograms and department
rollups) sum the facts per day and per month at every level of the region tree, so a
county's figures for a year read months, not events. What each rollup's rows hold and how
one fact counts in them is declared once in `analytics.rollups`; the facts and rollups
are written by `analytics.upkeep.rollup_event_written` (a receiver of the events app's
synchronous `event_written` signal) and rebuilt by `manage.py rollup rebuild`.
`PeriodLock` freezes both for the days of a locked period (封账).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pingan.analytics.choices import Outcome


class EventFact(models.Model):
    """How one event counts: reported day, region and its ancestors (r0 = the root … r4),
    leaf and top-level category, source, status, deadline outcome, satisfaction, lead
    department (0 = none) and, once closed, the handling time in working days and in
    calendar days and whether it was closed with the matter not resolved."""

    event = models.OneToOneField(
        "events.Event", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("上报日期"))
    region_path = models.CharField(max_length=255)
    r0 = models.IntegerField(null=True)
    r1 = models.IntegerField(null=True)
    r2 = models.IntegerField(null=True)
    r3 = models.IntegerField(null=True)
    r4 = models.IntegerField(null=True)
    category = models.IntegerField()
    top_category = models.IntegerField()
    source = models.CharField(max_length=16)
    status = models.CharField(max_length=12)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, blank=True)
    satisfaction = models.CharField(max_length=20, blank=True)
    department = models.IntegerField(default=0)
    handle_days = models.FloatField(null=True)
    # The same time in calendar days (24-hour days, weekends and holidays included).
    handle_cal_days = models.FloatField(null=True)
    # A repeat report (重复报事): an earlier event (by day, then id) in the same leaf region
    # and leaf category at most PINGAN_REPEAT_DAYS days before. Set when the fact is
    # written, and on the next event of the same place and category when this one moves.
    repeat = models.BooleanField(default=False)
    # The event's assignments (lead and assisting, any state), one token each, sorted:
    # "<department id>", or "<department id>r" for one the department returned.
    assignments = models.JSONField(default=list, blank=True)
    # Closed with the lead department's outcome 未化解 (化解不成): the 矛盾纠纷化解量 leaves
    # it out (docs/kpis.md).
    unresolved = models.BooleanField(default=False, db_default=False)

    class Meta:
        verbose_name = _("事件统计口径")
        verbose_name_plural = _("事件统计口径")
        indexes = [
            models.Index(
                fields=["region_path", "day"],
                name="analytics_fact_path_day",
                opclasses=["varchar_pattern_ops", "date_ops"],
            ),
            models.Index(fields=["day"], name="analytics_fact_day"),
            models.Index(
                fields=["category", "region_path", "day"], name="analytics_fact_cat_path_day"
            ),
            # A region of the top three levels and a run of days (the days at either end
            # of a period outside whole months): one index range, where the path prefix
            # would read all the region's entries to filter their days.
            models.Index(fields=["r0", "day"], name="analytics_fact_r0_day"),
            models.Index(fields=["r1", "day"], name="analytics_fact_r1_day"),
            models.Index(fields=["r2", "day"], name="analytics_fact_r2_day"),
        ]


ROLLUP_KEY = ("region", "day", "top_category", "source", "status", "outcome")


class Measures(models.Model):
    """The measures of a rollup row: how many events (`n`), how many of them were rated
    and rated (basically) satisfied, how many have a handling time and its sum in
    working days and in calendar days, how many are repeat reports, how many were closed
    with the matter not resolved (`unresolved`)."""

    n = models.IntegerField(default=0)
    followed_up = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    handled = models.IntegerField(default=0)
    handle_days = models.FloatField(default=0)
    handle_cal_days = models.FloatField(default=0, db_default=0)
    repeats = models.IntegerField(default=0)
    unresolved = models.IntegerField(default=0, db_default=0)

    class Meta:
        abstract = True


class RollupBase(Measures):
    """The measures (see Measures) of the events reported in the subtree of `region`
    with one combination of top-level category, source, status and deadline outcome.
    Coarse keys on purpose: rows must be far fewer than events."""

    region = models.IntegerField()
    day = models.DateField()
    top_category = models.IntegerField()
    source = models.CharField(max_length=16)
    status = models.CharField(max_length=12)
    outcome = models.CharField(max_length=8, blank=True)

    class Meta:
        abstract = True


class DailyRollup(RollupBase):
    """The events reported on `day` (see RollupBase)."""

    class Meta:
        verbose_name = _("日汇总")
        verbose_name_plural = _("日汇总")
        constraints = [
            models.UniqueConstraint(fields=list(ROLLUP_KEY), name="analytics_rollup_key"),
        ]


class MonthlyRollup(RollupBase):
    """The events reported in the month starting on `day` (the sum of its daily rows),
    so that a year or five years read months, not days."""

    class Meta:
        verbose_name = _("月汇总")
        verbose_name_plural = _("月汇总")
        constraints = [
            models.UniqueConstraint(fields=list(ROLLUP_KEY), name="analytics_month_rollup_key"),
        ]


STATUS_ROLLUP_KEY = ("region", "day", "status", "outcome")


class MonthlyStatusRollup(Measures):
    """MonthlyRollup without category and source: per month (starting on `day`) ×
    region × status × deadline outcome. The map of a county's grids, the breakdown of
    its towns and a long trend read these: at grid level a month has a few rows per
    grid here, where MonthlyRollup has nearly one per event."""

    region = models.IntegerField()
    day = models.DateField()
    status = models.CharField(max_length=12)
    outcome = models.CharField(max_length=8, blank=True)

    class Meta:
        verbose_name = _("月状态汇总")
        verbose_name_plural = _("月状态汇总")
        constraints = [
            models.UniqueConstraint(
                fields=list(STATUS_ROLLUP_KEY), name="analytics_month_status_key"
            ),
        ]


# Levels of the region tree (r0 … r2: the root, its counties or towns, and below them)
# that keep a handling-time histogram; deeper regions have few events and count theirs
# from the facts.
HISTOGRAM_DEPTHS = 3


class HistogramBase(models.Model):
    """How many events reported on `day` (DailyHandlingHistogram) or in the month
    starting on `day` (HandlingHistogram) in the subtree of `region` (depth <
    HISTOGRAM_DEPTHS) took `centidays` hundredths of a working day from report to
    closure: the exact median handling time of a county's year comes from a few
    thousand counts, not from its events."""

    region = models.IntegerField()
    day = models.DateField()
    centidays = models.IntegerField()
    n = models.IntegerField(default=0)

    class Meta:
        abstract = True


class HandlingHistogram(HistogramBase):
    """The handling-time histogram per month (see HistogramBase)."""

    class Meta:
        verbose_name = _("处置用时分布")
        verbose_name_plural = _("处置用时分布")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "day", "centidays"], name="analytics_histogram_key"
            ),
        ]


class DailyHandlingHistogram(HistogramBase):
    """The handling-time histogram per day: the days at either end of a period outside
    whole months (see HistogramBase)."""

    class Meta:
        verbose_name = _("处置用时日分布")
        verbose_name_plural = _("处置用时日分布")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "day", "centidays"], name="analytics_daily_histogram_key"
            ),
        ]


class CalendarHistogram(HistogramBase):
    """The handling-time histogram per month in hundredths of a calendar day (see
    HistogramBase): the median for a city that counts in calendar days."""

    class Meta:
        verbose_name = _("处置用时分布(自然日)")
        verbose_name_plural = _("处置用时分布(自然日)")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "day", "centidays"], name="analytics_cal_histogram_key"
            ),
        ]


class DailyCalendarHistogram(HistogramBase):
    """The calendar-day histogram per day (the days at either end of a period)."""

    class Meta:
        verbose_name = _("处置用时日分布(自然日)")
        verbose_name_plural = _("处置用时日分布(自然日)")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "day", "centidays"], name="analytics_daily_cal_histogram_key"
            ),
        ]


class DepartmentBase(models.Model):
    """Per day (DailyDepartmentRollup) or month starting on `day` (DepartmentRollup),
    region (depth < HISTOGRAM_DEPTHS) and department: the events reported then that the
    department leads (`n`), of them accepted or beyond, closed, closed against a deadline
    (`timed`: on time or late) and closed on time; and
    the assignments it received for those events (lead or assisting, `assigned`) and how
    many of those it returned. The department ranking and return rates of a county's
    year read these rows."""

    region = models.IntegerField()
    day = models.DateField()
    department = models.IntegerField()
    n = models.IntegerField(default=0)
    accepted = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    timed = models.IntegerField(default=0, db_default=0)
    on_time = models.IntegerField(default=0)
    assigned = models.IntegerField(default=0)
    returned = models.IntegerField(default=0)

    class Meta:
        abstract = True


class DepartmentRollup(DepartmentBase):
    """The department figures per month (see DepartmentBase)."""

    class Meta:
        verbose_name = _("部门月汇总")
        verbose_name_plural = _("部门月汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "day", "department"], name="analytics_department_key"
            ),
        ]


class DailyDepartmentRollup(DepartmentBase):
    """The department figures per day: the days at either end of a period outside whole
    months (see DepartmentBase)."""

    class Meta:
        verbose_name = _("部门日汇总")
        verbose_name_plural = _("部门日汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "day", "department"], name="analytics_daily_department_key"
            ),
        ]


class PeriodLock(models.Model):
    """A locked statistical period (封账): the figures of events reported from `date_from`
    to `date_to` stay as they were when it was locked, whatever happens to the events."""

    date_from = models.DateField(_("起始日期"))
    date_to = models.DateField(_("截止日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    locked_at = models.DateTimeField(_("封账时间"))
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("封账人"),
    )

    class Meta:
        verbose_name = _("封账期间")
        verbose_name_plural = _("封账期间")
        ordering = ["-date_from"]

    def __str__(self) -> str:
        return f"{self.date_from}—{self.date_to}"


class Briefing(models.Model):
    """A rendered briefing (简报), archived with the figures it was made from."""

    title = models.CharField(_("标题"), max_length=200)
    region = models.ForeignKey(
        "geo.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("区划")
    )
    date_from = models.DateField(_("起始日期"))
    date_to = models.DateField(_("截止日期"))
    format = models.CharField(_("格式"), max_length=4)
    file = models.FileField(_("文件"), upload_to="briefings/%Y/%m/")
    figures = models.JSONField(_("数据"), default=dict)
    created_at = models.DateTimeField(_("生成时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("生成人"),
    )
    # 期号: numbered per region and year of issue (「2026年第12期」); empty on briefings
    # made before numbering began.
    issue_year = models.PositiveSmallIntegerField(_("期号年份"), null=True, blank=True)
    issue_no = models.PositiveIntegerField(_("期号"), null=True, blank=True)
    issuer = models.CharField(_("发文单位"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("简报")
        verbose_name_plural = _("简报")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "issue_year", "issue_no"], name="analytics_briefing_issue"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def issue_text(self) -> str:
        """「2026年第12期」, or "" for a briefing without a number."""
        if self.issue_year is None or self.issue_no is None:
            return ""
        return f"{self.issue_year}年第{self.issue_no}期"


class ExportJob(models.Model):
    """A large export run as a task: progress, and the file when done."""

    class State(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("导出中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("类型"), max_length=20, default="events")
    params = models.JSONField(_("筛选条件"), default=dict)
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default="pending")
    total = models.IntegerField(_("总行数"), default=0)
    done = models.IntegerField(_("已导出行数"), default=0)
    file = models.FileField(_("文件"), upload_to="exports/%Y/%m/", blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-created_at", "-id"]
