"""Events and everything the closed loop records about them."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.cases.models import TimelineEntry
from pingan.core.pii import EncryptedTextField, blind_index
from pingan.events.choices import (
    AssignmentRole,
    AssignmentStatus,
    AttachmentKind,
    DeadlineState,
    DeadlineUnit,
    ExtensionStatus,
    Referral,
    Resolution,
    Satisfaction,
    Source,
    Status,
    TrackingStatus,
    Urgency,
)
from pingan.privacy.choices import Sensitivity

OPEN_STATUSES = [
    Status.REPORTED,
    Status.ACCEPTED,
    Status.DISPATCHED,
    Status.IN_PROGRESS,
    Status.RESOLVED,
]
CLOCKED_STATUSES = [Status.DISPATCHED, Status.IN_PROGRESS]


class Category(models.Model):
    """A kind of event, in a two-level tree (e.g. 矛盾纠纷 → 邻里纠纷).

    Carries the default lead department, the deadlines per urgency (`CategoryDeadline`)
    and the extra fields a report of this kind must carry, as a list of
    `{"name", "label", "type": "text|number|choice|bool", "required", "choices"}`.
    """

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("上级分类"),
    )
    default_department = models.ForeignKey(
        "org.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("默认主办部门"),
    )
    extra_fields = models.JSONField(_("附加字段"), default=list, blank=True)
    escalate_on_overdue = models.BooleanField(_("超期自动提级"), default=False)
    sensitivity = models.CharField(
        _("敏感标签"),
        max_length=12,
        choices=Sensitivity.choices,
        blank=True,
        default="",
        help_text=_("此类事件上报时带上的敏感标签；只有获得授权的用户能看到"),
    )
    verify_photo_required = models.BooleanField(
        _("核查须上传现场照片"),
        default=False,
        help_text=_("勾选后，核查通过时必须同时上传现场核查照片"),
    )
    sort = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("事件分类")
        verbose_name_plural = _("事件分类")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_dispute(self) -> bool:
        """Whether this category is, or lies under, the dispute category (矛盾纠纷): the
        top-level category with code PINGAN_DISPUTE_CATEGORY, or a county's copy of it
        (`330424-dispute`), as the statistics recognise it (docs/kpis.md)."""
        top = self.parent if self.parent_id else self
        assert top is not None
        code = settings.PINGAN_DISPUTE_CATEGORY
        return top.code == code or top.code.endswith(f"-{code}")


class CategoryDeadline(models.Model):
    """Acknowledge and handling allowances for a category at one urgency level."""

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="deadlines", verbose_name=_("分类")
    )
    urgency = models.CharField(_("紧急程度"), max_length=10, choices=Urgency.choices)
    ack_amount = models.DecimalField(_("签收时限"), max_digits=6, decimal_places=1)
    ack_unit = models.CharField(
        _("签收时限单位"), max_length=5, choices=DeadlineUnit.choices, default=DeadlineUnit.HOURS
    )
    handle_amount = models.DecimalField(_("办理时限"), max_digits=6, decimal_places=1)
    handle_unit = models.CharField(
        _("办理时限单位"), max_length=5, choices=DeadlineUnit.choices, default=DeadlineUnit.DAYS
    )
    # None: by urgency (settings.PINGAN_NATURAL_TIME_URGENCIES run on natural hours).
    natural_time = models.BooleanField(
        _("计时方式"),
        null=True,
        blank=True,
        default=None,
        choices=[(None, _("按紧急程度默认")), (True, _("自然时")), (False, _("工作时"))],
        help_text=_("自然时：昼夜连续计时，含周末和节假日；工作时：只计工作日的办公时间"),
    )

    class Meta:
        verbose_name = _("分类时限")
        verbose_name_plural = _("分类时限")
        constraints = [
            models.UniqueConstraint(fields=["category", "urgency"], name="events_deadline_unique")
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.get_urgency_display()}"


class Event(models.Model):
    """One reported matter and where it stands in the closed loop.

    `status` changes only through `events.services.event_transition`, which applies the
    table in `events.workflow`. `region_path` copies the region's materialised path so that
    the scope filter is one indexed prefix match. `queue_region` is the centre (a town or
    the county) whose queue holds the event; escalation moves it up.
    """

    code = models.CharField(_("编号"), max_length=40, unique=True)
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("描述"))
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.REPORTED
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="events", verbose_name=_("分类")
    )
    source = models.CharField(
        _("来源"), max_length=16, choices=Source.choices, default=Source.GRID_PATROL
    )
    urgency = models.CharField(
        _("紧急程度"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    region = models.ForeignKey(
        "geo.Region", on_delete=models.PROTECT, related_name="events", verbose_name=_("所在区划")
    )
    region_path = models.CharField(max_length=255, editable=False)
    queue_region = models.ForeignKey(
        "geo.Region",
        on_delete=models.PROTECT,
        related_name="queued_events",
        verbose_name=_("受理中心"),
    )
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    address = EncryptedTextField(_("地址"), blank=True, default="")
    extra = models.JSONField(_("附加信息"), default=dict, blank=True)
    occurred_at = models.DateTimeField(_("发生时间"), null=True, blank=True)
    reported_at = models.DateTimeField(_("上报时间"), default=timezone.now)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("派遣时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_events",
        verbose_name=_("上报人"),
    )
    # Personal data, encrypted at rest (docs/privacy.md); the phone has a blind index.
    reporter_name = EncryptedTextField(_("反映人"), blank=True, default="")
    reporter_phone = EncryptedTextField(_("反映人电话"), blank=True, default="")
    reporter_phone_index = models.CharField(
        max_length=64, blank=True, default="", editable=False, db_index=True
    )
    sensitivity = models.CharField(
        _("敏感标签"),
        max_length=12,
        choices=Sensitivity.choices,
        blank=True,
        default="",
        db_index=True,
    )
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    lead_department = models.ForeignKey(
        "org.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead_events",
        verbose_name=_("主办部门"),
    )
    clock_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    ack_due_at = models.DateTimeField(_("签收期限"), null=True, blank=True)
    due_at = models.DateTimeField(_("办理期限"), null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    deadline_state = models.CharField(
        _("时限状态"), max_length=8, choices=DeadlineState.choices, blank=True, default=""
    )
    closed_on_time = models.BooleanField(_("按期办结"), null=True, blank=True)
    resolved_on_site = models.BooleanField(_("就地解决"), default=False)
    # The outcome the lead department gave with its 办结反馈 (resolved on site: resolved);
    # blank when never given, which counts as resolved (docs/kpis.md, 矛盾纠纷化解率).
    # A database default too: the demo's COPY and other bulk writers may leave it out.
    resolution = models.CharField(
        _("化解结果"),
        max_length=12,
        choices=Resolution.choices,
        blank=True,
        default="",
        db_default="",
    )
    referral = models.CharField(
        _("引导途径"),
        max_length=12,
        choices=Referral.choices,
        blank=True,
        default="",
        db_default="",
    )
    satisfaction = models.CharField(
        _("满意度"), max_length=20, choices=Satisfaction.choices, blank=True, default=""
    )
    master = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
        verbose_name=_("主事件"),
    )
    linked_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("关联事件"),
    )
    under_tracking = models.BooleanField(_("长效跟踪"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("事件")
        verbose_name_plural = _("事件")
        ordering = ["-reported_at", "-id"]
        indexes = [
            models.Index(
                fields=["region_path", "reported_at"],
                name="events_region_reported",
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
            ),
            models.Index(fields=["status", "reported_at"], name="events_status_reported"),
            models.Index(fields=["queue_region", "status"], name="events_queue_status"),
            models.Index(fields=["category", "reported_at"], name="events_category_reported"),
            models.Index(fields=["reported_at"], name="events_reported"),
            models.Index(
                fields=["due_at"],
                name="events_open_due",
                condition=Q(status__in=["dispatched", "in_progress"]),
            ),
            models.Index(
                fields=["ack_due_at"],
                name="events_open_ack_due",
                condition=Q(status="dispatched"),
            ),
            # The deadline filters of a region's list (overdue, warning) and their counts:
            # one range of a region's open events (docs/performance.md, "Lists at scale").
            models.Index(
                fields=["region_path", "due_at"],
                name="events_open_region_due",
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
                condition=Q(status__in=["dispatched", "in_progress"]),
            ),
            # The overdue figure's list (statistics: open events the sweeper marked red,
            # by region and report day; `deadline_mark=overdue`): few rows, found at once.
            # (A status list in the condition would not be matched by the planner.)
            models.Index(
                fields=["region_path", "reported_at"],
                name="events_marked_overdue",
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
                condition=Q(deadline_state="overdue"),
            ),
            # "Closed this month" on a leader's workbench: events closed since a moment,
            # whenever reported (every partition), in a region: a range of close times
            # with the region checked in the index (1.4 s → ms at 10 M events).
            models.Index(
                fields=["closed_at", "region_path"],
                name="events_closed_region",
                opclasses=["timestamptz_ops", "varchar_pattern_ops"],
                condition=Q(status="closed"),
            ),
            # "Accepted today", "dispatched today" on the leader's dashboard (and
            # yesterday's): a range of those times in a region, whenever reported.
            models.Index(
                fields=["accepted_at", "region_path"],
                name="events_accepted_region",
                opclasses=["timestamptz_ops", "varchar_pattern_ops"],
                condition=Q(accepted_at__isnull=False),
            ),
            models.Index(
                fields=["dispatched_at", "region_path"],
                name="events_dispatched_region",
                opclasses=["timestamptz_ops", "varchar_pattern_ops"],
                condition=Q(dispatched_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    # Blind indexes of encrypted fields, for `manage.py pii reindex`.
    PII_INDEXES = {"reporter_phone_index": ("reporter_phone", "phone")}

    # `reported_at` as the database holds it, once known: updates name it (_do_update).
    _stored_reported_at: dt.datetime | None = None

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The blind index follows the phone, whoever writes it (service or admin).
        self.reporter_phone_index = blind_index(self.reporter_phone, kind="phone")
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "reporter_phone" in update_fields:
            kwargs["update_fields"] = {*update_fields, "reporter_phone_index"}
        super().save(*args, **kwargs)
        if update_fields is None or "reported_at" in update_fields:
            self._stored_reported_at = self.__dict__.get("reported_at")

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any, **kwargs: Any) -> Event:
        event = super().from_db(db, field_names, values, **kwargs)
        event._stored_reported_at = event.__dict__.get("reported_at")
        return event

    def _do_update(self, base_qs: Any, *args: Any, **kwargs: Any) -> Any:
        # The UPDATE names the row's month as stored (the value loaded or last saved), so
        # that PostgreSQL plans it on one partition of the events table (ADR 0006).
        stored = getattr(self, "_stored_reported_at", None)
        if stored is not None:
            base_qs = base_qs.filter(reported_at=stored)
        return super()._do_update(base_qs, *args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class EventCodeCounter(models.Model):
    """Last sequence number used for event codes with one prefix (county and day)."""

    prefix = models.CharField(max_length=32, unique=True)
    last = models.PositiveIntegerField(default=0)


class Assignment(models.Model):
    """One department's part in an event: lead or assisting, with its own deadlines,
    acknowledgement and result."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="assignments")
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("部门"),
    )
    role = models.CharField(_("角色"), max_length=8, choices=AssignmentRole.choices)
    status = models.CharField(
        _("状态"),
        max_length=14,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.DISPATCHED,
    )
    dispatched_at = models.DateTimeField(_("派遣时间"), default=timezone.now)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    ack_due_at = models.DateTimeField(_("签收期限"), null=True, blank=True)
    due_at = models.DateTimeField(_("办理期限"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    result = models.TextField(_("处置结果"), blank=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("派遣")
        verbose_name_plural = _("派遣")
        ordering = ["event_id", "-role", "id"]
        indexes = [models.Index(fields=["department", "status"], name="events_assign_dept_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "department"],
                condition=Q(status__in=["dispatched", "acknowledged"]),
                name="events_assignment_one_active_per_department",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event.code} {self.department} {self.get_role_display()}"

    @property
    def is_active(self) -> bool:
        return self.status in (AssignmentStatus.DISPATCHED, AssignmentStatus.ACKNOWLEDGED)


class EventTransition(TimelineEntry):
    """One line of an event's timeline: who did what, when, from which state to which.

    Written in the same transaction as the change it records; never updated or deleted.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="timeline")
    department = models.ForeignKey(
        "org.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("流转记录")
        verbose_name_plural = _("流转记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["event", "at"], name="events_timeline_event_at")]

    def __str__(self) -> str:
        return f"{self.event_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class ExtensionRequest(models.Model):
    """A department's request for more time, and the centre's decision on it."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="extensions")
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="+")
    days = models.PositiveSmallIntegerField(_("延期工作日"))
    note = models.TextField(_("理由"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    old_due_at = models.DateTimeField(null=True, blank=True)
    new_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        constraints = [
            models.UniqueConstraint(
                fields=["event"],
                condition=Q(status="pending"),
                name="events_one_pending_extension",
            ),
        ]


class ConsultationStatus(models.TextChoices):
    INVITED = "invited", _("已发起")
    CONCLUDED = "concluded", _("已形成结论")


class Consultation(models.Model):
    """A consultation (会商/研判) on an event, in two steps: the centre or a leader invites
    departments (topic, time; `status` invited), then records who attended and what they
    concluded, with an optional suggested lead and assisting departments (`status`
    concluded). A consultation recorded in one step (the older API payload) is concluded
    at once and invites nobody."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="consultations")
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=ConsultationStatus.choices,
        default=ConsultationStatus.CONCLUDED,
    )
    topic = models.CharField(_("会商议题"), max_length=200, blank=True, default="")
    scheduled_at = models.DateTimeField(_("会商时间"), null=True, blank=True)
    invited_departments = models.ManyToManyField(
        "org.Department", blank=True, related_name="+", verbose_name=_("受邀部门")
    )
    participants = models.TextField(_("参与方"), blank=True, default="")
    conclusion = models.TextField(_("会商结论"), blank=True, default="")
    suggested_lead = models.ForeignKey(
        "org.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("建议主办部门"),
    )
    suggested_assisting = models.ManyToManyField(
        "org.Department", blank=True, related_name="+", verbose_name=_("建议协办部门")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    concluded_at = models.DateTimeField(_("结论时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("会商记录")
        verbose_name_plural = _("会商记录")
        ordering = ["at"]


class Attachment(models.Model):
    """A photo attached to an event. The stored file is re-encoded without EXIF; the time
    taken and the coordinates read from EXIF are kept here."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attachments")
    transition = models.ForeignKey(
        EventTransition,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attachments",
    )
    kind = models.CharField(
        _("类型"), max_length=14, choices=AttachmentKind.choices, default=AttachmentKind.REPORT
    )
    file = models.FileField(_("文件"), upload_to="photos/%Y/%m/")
    thumbnail = models.FileField(_("缩略图"), upload_to="thumbs/%Y/%m/", blank=True)
    content_type = models.CharField(max_length=50, default="image/jpeg")
    size = models.PositiveIntegerField(default=0)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    taken_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    lat = models.FloatField(_("拍摄纬度"), null=True, blank=True)
    lng = models.FloatField(_("拍摄经度"), null=True, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("附件照片")
        verbose_name_plural = _("附件照片")
        ordering = ["uploaded_at", "id"]


class TrackingCheck(models.Model):
    """A scheduled re-check of a closed event under long-term tracking (长效跟踪)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="tracking_checks")
    interval_days = models.PositiveSmallIntegerField(_("间隔天数"))
    due_on = models.DateField(_("复查日期"), db_index=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tracking_checks",
        verbose_name=_("复查人"),
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=TrackingStatus.choices, default=TrackingStatus.PENDING
    )
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("复查情况"), blank=True)
    new_event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("跟踪复查")
        verbose_name_plural = _("跟踪复查")
        ordering = ["due_on", "id"]


def new_uuid() -> uuid.UUID:
    return uuid.uuid4()


class SupervisionLevel(models.TextChoices):
    """督办 levels: 一般督办 (normal) and 重点督办 (key), each with its own reply allowance
    (settings.PINGAN_SUPERVISION_REPLY_DAYS)."""

    NORMAL = "normal", _("一般督办")
    KEY = "key", _("重点督办")


class SupervisionStatus(models.TextChoices):
    """Stored states; "overdue" (open past `reply_due_at`) is read from the time, never
    written (`events.supervision`)."""

    OPEN = "open", _("待回复")
    REPLIED = "replied", _("已回复")


class Supervision(models.Model):
    """A supervision order (督办件) on an event: who issued it at which level, the
    department that must answer (the lead by default) and by when, and the answer."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="supervisions")
    level = models.CharField(_("督办级别"), max_length=8, choices=SupervisionLevel.choices)
    note = models.TextField(_("督办意见"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("督办时间"), default=timezone.now)
    # The department that must answer; none while the event is not dispatched (the
    # centre answers then).
    department = models.ForeignKey(
        "org.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervisions",
        verbose_name=_("被督办部门"),
    )
    reply_due_at = models.DateTimeField(_("回复期限"))
    status = models.CharField(
        _("状态"), max_length=8, choices=SupervisionStatus.choices, default=SupervisionStatus.OPEN
    )
    reply = models.TextField(_("回复内容"), blank=True, default="")
    replied_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Copies of the event's place and label, so that the scope filter of the list and the
    # counts (`events.supervision`) reads this table alone.
    region_path = models.CharField(max_length=255, editable=False, default="")
    sensitivity = models.CharField(max_length=12, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("督办件")
        verbose_name_plural = _("督办件")
        ordering = ["-issued_at", "-id"]
        indexes = [
            # Open orders by due time (the overdue count) within a region.
            models.Index(
                fields=["region_path", "reply_due_at"],
                name="events_supervision_open_due",
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
                condition=Q(status="open"),
            ),
            models.Index(fields=["department", "status"], name="events_supervision_dept"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.get_level_display()} {self.issued_at:%Y-%m-%d}"
