"""Emergency handling (「一三五」, issue 22 items 3–5): the plan library, activations of a
plan on an event (a case kind on the engine) with their groups, tasks and situation
timeline, the duty roster and drills. docs/emergency.md describes the model."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.cases.models import TimelineEntry
from pingan.core.pii import EncryptedTextField
from pingan.emergency.choices import (
    DrillState,
    DutyLevel,
    DutyRole,
    Level,
    PlanKind,
    Shift,
    Status,
)

# ---- the plan library ----------------------------------------------------------------------


class EmergencyPlan(models.Model):
    """An emergency plan (应急预案): its kind, the response levels it applies to (a list of
    "I".."IV"), its version, and whether it may be activated. `region` is the body that
    keeps it (the county, or a town); its groups and checklist are below."""

    name = models.CharField(_("预案名称"), max_length=100)
    kind = models.CharField(_("预案类别"), max_length=20, choices=PlanKind.choices)
    levels = models.JSONField(_("适用响应级别"), default=list)
    version = models.CharField(_("版本"), max_length=20, default="1.0")
    summary = models.TextField(_("适用范围与说明"), blank=True)
    region = models.ForeignKey(
        "geo.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("制定单位区划")
    )
    region_path = models.CharField(max_length=255, editable=False, db_index=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("制定人"),
    )
    created_at = models.DateTimeField(_("制定时间"), default=timezone.now)

    class Meta:
        verbose_name = _("应急预案")
        verbose_name_plural = _("应急预案")
        ordering = ["kind", "name", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.version}）"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.region_path = self.region.path
        super().save(*args, **kwargs)

    def level_labels(self) -> list[str]:
        return [str(Level(v).label) for v in self.levels if v in Level.values]


class PlanGroup(models.Model):
    """A working group of a plan (谈判组, 安抚组, 现场对接组…): its lead department, the
    member departments and people called up with it, and its lead (who acknowledges)."""

    plan = models.ForeignKey(EmergencyPlan, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("小组名称"), max_length=50)
    duty = models.CharField(_("职责"), max_length=500, blank=True)
    lead_department = models.ForeignKey(
        "org.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("牵头部门"),
    )
    lead_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("组长"),
    )
    member_departments = models.ManyToManyField(
        "org.Department", blank=True, related_name="+", verbose_name=_("成员部门")
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("成员")
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("预案工作组")
        verbose_name_plural = _("预案工作组")
        ordering = ["plan", "order", "id"]

    def __str__(self) -> str:
        return self.name


class PlanTaskTemplate(models.Model):
    """A task a group gets on activation, with its allowance in natural minutes (an
    emergency runs through the night and the weekend)."""

    group = models.ForeignKey(PlanGroup, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("任务"), max_length=200)
    due_minutes = models.PositiveIntegerField(_("完成时限（分钟）"), default=60)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("预案任务")
        verbose_name_plural = _("预案任务")
        ordering = ["group", "order", "id"]

    def __str__(self) -> str:
        return self.title


class PlanStep(models.Model):
    """One step of the plan's checklist (处置流程), in order."""

    plan = models.ForeignKey(EmergencyPlan, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    text = models.CharField(_("步骤"), max_length=300)

    class Meta:
        verbose_name = _("处置步骤")
        verbose_name_plural = _("处置步骤")
        ordering = ["plan", "order", "id"]

    def __str__(self) -> str:
        return self.text


# ---- activations -----------------------------------------------------------------------------


class Activation(models.Model):
    """A plan activated on an event (启动预案) and where the response stands.

    `status` changes only through `services.activation_transition` (the case engine
    applying `workflow.ACTIVATION`). `region_path` copies the event's region path for the
    scope filter, `sensitivity` the event's label. The response times are the moments
    stored here: the event's report (`reported_at`), activation, on site, under control,
    stand-down."""

    code = models.CharField(_("编号"), max_length=40, unique=True)
    event = models.ForeignKey(
        "events.Event", on_delete=models.PROTECT, related_name="+", verbose_name=_("事件")
    )
    plan = models.ForeignKey(
        EmergencyPlan, on_delete=models.PROTECT, related_name="activations", verbose_name=_("预案")
    )
    level = models.CharField(_("响应级别"), max_length=4, choices=Level.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.ACTIVATED
    )
    region = models.ForeignKey(
        "geo.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区划")
    )
    region_path = models.CharField(max_length=255, editable=False)
    sensitivity = models.CharField(_("敏感标签"), max_length=12, blank=True, default="")
    commander = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("现场指挥"),
    )
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    reported_at = models.DateTimeField(_("事件上报时间"))
    activated_at = models.DateTimeField(_("启动时间"))
    on_site_at = models.DateTimeField(_("到场时间"), null=True, blank=True)
    under_control_at = models.DateTimeField(_("控制时间"), null=True, blank=True)
    stood_down_at = models.DateTimeField(_("终止时间"), null=True, blank=True)
    summary = models.TextField(_("处置总结"), blank=True)
    lessons = models.TextField(_("经验教训"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("启动人"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("预案启动")
        verbose_name_plural = _("预案启动")
        ordering = ["-activated_at", "-id"]
        indexes = [
            models.Index(
                fields=["region_path", "activated_at"],
                name="emergency_region_activated",
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
            ),
            models.Index(fields=["event"], name="emergency_activation_event"),
        ]

    def __str__(self) -> str:
        return self.code


class ActivationSequence(models.Model):
    """The counter behind activation codes (`YJ-<county>-<yyyymmdd>-<3 digits>`)."""

    prefix = models.CharField(max_length=40, unique=True)
    value = models.PositiveIntegerField(default=0)


class ActivationGroup(models.Model):
    """A working group called up by an activation: copied from the plan's group, so a later
    change of the plan does not rewrite a past response. The lead acknowledges
    (`acknowledged_at`) by `ack_due_at`; the sweeper escalates once past it
    (`escalated_at`)."""

    activation = models.ForeignKey(Activation, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("小组名称"), max_length=50)
    duty = models.CharField(_("职责"), max_length=500, blank=True)
    lead_department = models.ForeignKey(
        "org.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("牵头部门"),
    )
    lead_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("组长"),
    )
    member_departments = models.ManyToManyField(
        "org.Department", blank=True, related_name="+", verbose_name=_("成员部门")
    )
    # Everyone called up: the lead, the members, the departments' handlers (resolved at
    # activation; the scope and the phone page read this).
    people = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="emergency_groups"
    )
    order = models.PositiveSmallIntegerField(default=0)
    notified_at = models.DateTimeField(_("通知时间"), null=True, blank=True)
    ack_due_at = models.DateTimeField(_("签收期限"))
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("签收人"),
    )
    escalated_at = models.DateTimeField(_("超时上报时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("启动工作组")
        verbose_name_plural = _("启动工作组")
        ordering = ["activation", "order", "id"]
        indexes = [
            models.Index(
                fields=["ack_due_at"],
                name="emergency_group_unacked",
                condition=Q(acknowledged_at__isnull=True, escalated_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return self.name


class ActivationTask(models.Model):
    """A task of a called-up group with its natural-time deadline; done once."""

    group = models.ForeignKey(ActivationGroup, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("任务"), max_length=200)
    order = models.PositiveSmallIntegerField(default=0)
    due_at = models.DateTimeField(_("完成时限"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("完成人"),
    )
    note = models.CharField(_("完成情况"), max_length=500, blank=True)
    overdue_at = models.DateTimeField(_("超期标记时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("小组任务")
        verbose_name_plural = _("小组任务")
        ordering = ["group", "order", "id"]
        indexes = [
            models.Index(
                fields=["due_at"],
                name="emergency_task_open_due",
                condition=Q(done_at__isnull=True, overdue_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return self.title


class SituationReport(models.Model):
    """One entry of the situation timeline (态势报告): what is happening, how many people
    are there, where, an optional photo; by whom and when."""

    activation = models.ForeignKey(Activation, on_delete=models.CASCADE, related_name="reports")
    at = models.DateTimeField(_("时间"))
    text = models.TextField(_("情况"))
    people_count = models.PositiveIntegerField(_("现场人数"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    photo = models.FileField(_("照片"), upload_to="emergency/%Y/%m/", blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("报告人"),
    )

    class Meta:
        verbose_name = _("态势报告")
        verbose_name_plural = _("态势报告")
        ordering = ["activation", "at", "id"]

    def __str__(self) -> str:
        return f"{self.activation_id} {self.at:%Y-%m-%d %H:%M}"


class ActivationTransition(TimelineEntry):
    """One line of an activation's timeline, with the columns of the event's. Written with
    the change; never updated or deleted."""

    activation = models.ForeignKey(Activation, on_delete=models.CASCADE, related_name="timeline")
    from_status = models.CharField(_("原状态"), max_length=16, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("应急流转记录")
        verbose_name_plural = _("应急流转记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["activation", "at"], name="emergency_timeline_at")]

    def __str__(self) -> str:
        return f"{self.activation_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


# ---- the duty roster ---------------------------------------------------------------------------


class DutyShift(models.Model):
    """Who is on duty (值班) at the county or a town on one day's day or night shift, as
    带班领导 or 值班员. The duty phone is personal data: encrypted, masked in answers."""

    date = models.DateField(_("日期"))
    shift = models.CharField(_("班次"), max_length=8, choices=Shift.choices)
    level = models.CharField(_("层级"), max_length=8, choices=DutyLevel.choices)
    region = models.ForeignKey(
        "geo.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("区划")
    )
    region_path = models.CharField(max_length=255, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="duty_shifts",
        verbose_name=_("值班人员"),
    )
    role = models.CharField(_("值班角色"), max_length=8, choices=DutyRole.choices)
    phone = EncryptedTextField(_("值班电话"), blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("排班人"),
    )

    class Meta:
        verbose_name = _("值班安排")
        verbose_name_plural = _("值班安排")
        ordering = ["date", "shift", "region_path", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["date", "shift", "region", "user"], name="emergency_duty_unique"
            )
        ]
        indexes = [models.Index(fields=["date", "region"], name="emergency_duty_day")]

    def __str__(self) -> str:
        return f"{self.date} {self.get_shift_display()} {self.region_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.region_path = self.region.path
        super().save(*args, **kwargs)


class DutyHandover(models.Model):
    """A hand-over note (交接班记录) written at the end of a shift for the next one."""

    date = models.DateField(_("日期"))
    shift = models.CharField(_("班次"), max_length=8, choices=Shift.choices)
    region = models.ForeignKey(
        "geo.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("区划")
    )
    region_path = models.CharField(max_length=255, editable=False)
    note = models.TextField(_("交接内容"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("交班人"),
    )
    written_at = models.DateTimeField(_("交班时间"), default=timezone.now)

    class Meta:
        verbose_name = _("交接班记录")
        verbose_name_plural = _("交接班记录")
        ordering = ["-date", "-written_at", "-id"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_shift_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.region_path = self.region.path
        super().save(*args, **kwargs)


# ---- drills --------------------------------------------------------------------------------------


class Drill(models.Model):
    """A drill (演练) of a plan: planned for a date, then held (participants, units,
    findings) or cancelled."""

    plan = models.ForeignKey(
        EmergencyPlan, on_delete=models.PROTECT, related_name="drills", verbose_name=_("预案")
    )
    title = models.CharField(_("演练名称"), max_length=100)
    region = models.ForeignKey(
        "geo.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("组织区划")
    )
    region_path = models.CharField(max_length=255, editable=False)
    state = models.CharField(
        _("状态"), max_length=10, choices=DrillState.choices, default=DrillState.PLANNED
    )
    planned_on = models.DateField(_("计划日期"))
    held_on = models.DateField(_("举行日期"), null=True, blank=True)
    participants = models.PositiveIntegerField(_("参演人数"), null=True, blank=True)
    units = models.CharField(_("参演单位"), max_length=500, blank=True)
    findings = models.TextField(_("发现问题与改进"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("登记人"),
    )

    class Meta:
        verbose_name = _("应急演练")
        verbose_name_plural = _("应急演练")
        ordering = ["-planned_on", "-id"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.region_path = self.region.path
        super().save(*args, **kwargs)
