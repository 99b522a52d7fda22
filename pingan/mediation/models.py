"""Mediation (大调解): committees and their 五有 checks, mediators, cases with their
parties, sessions and timeline. docs/mediation.md describes the model and the workflow."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.cases.models import TimelineEntry
from pingan.core.pii import EncryptedTextField, IdNumberField, blind_index
from pingan.events.choices import DeadlineState
from pingan.mediation.choices import (
    Channel,
    CheckItem,
    CheckState,
    CommitteeKind,
    CommitteeLevel,
    DisputeKind,
    MediatorKind,
    PartyKind,
    PartyRole,
    Performance,
    Referral,
    Ruling,
    Status,
)
from pingan.privacy.choices import Sensitivity


class Committee(models.Model):
    """A mediation committee (调委会) at village, town or county level, a professional one
    (traffic, medical, labour…) or the county's joint mediation centre. `region_path`
    copies the region's path for the scope filter; a 金牌调解室 is a distinction of the
    committee (`is_gold_room`), not another body."""

    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=CommitteeLevel.choices)
    kind = models.CharField(
        _("类型"), max_length=16, choices=CommitteeKind.choices, default=CommitteeKind.PEOPLE
    )
    region = models.ForeignKey(
        "geo.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区划")
    )
    region_path = models.CharField(max_length=255, editable=False, db_index=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("上级调委会"),
    )
    is_gold_room = models.BooleanField(_("金牌调解室"), default=False)
    gold_room_note = models.CharField(_("金牌调解室说明"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("调委会")
        verbose_name_plural = _("调委会")
        ordering = ["region_path", "name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.region_path = self.region.path
        super().save(*args, **kwargs)


class CommitteeCheck(models.Model):
    """One item of the 五有 standard (place, sign, seal, system, records) of a committee:
    its state and when and by whom it was last checked. One row per item."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="checks")
    item = models.CharField(_("项目"), max_length=8, choices=CheckItem.choices)
    state = models.CharField(
        _("状态"), max_length=8, choices=CheckState.choices, default=CheckState.MISSING
    )
    checked_on = models.DateField(_("检查日期"), null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("检查人"),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("五有检查")
        verbose_name_plural = _("五有检查")
        constraints = [
            models.UniqueConstraint(fields=["committee", "item"], name="mediation_check_item")
        ]

    def __str__(self) -> str:
        return f"{self.committee} · {self.get_item_display()}"


class Mediator(models.Model):
    """A mediator of one committee: a people's mediator, an official of an administrative
    body or a judge / court staff. `user` is optional (many mediators have no account);
    one with an account acts through a membership of role `mediator`. The phone is
    personal data: encrypted, masked in answers."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mediator_posts",
        verbose_name=_("账号"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    kind = models.CharField(
        _("类型"), max_length=16, choices=MediatorKind.choices, default=MediatorKind.PEOPLE
    )
    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="mediators", verbose_name=_("调委会")
    )
    phone = EncryptedTextField(_("电话"), blank=True, default="")
    is_active = models.BooleanField(_("在任"), default=True)

    class Meta:
        verbose_name = _("调解员")
        verbose_name_plural = _("调解员")
        ordering = ["committee", "name"]

    def __str__(self) -> str:
        return self.name


class CaseSequence(models.Model):
    """The counter behind case codes (`TJ<county>-<yyyymmdd>-<4 digits>`): one row per
    prefix, locked while incremented."""

    prefix = models.CharField(max_length=40, unique=True)
    value = models.PositiveIntegerField(default=0)


class MediationCase(models.Model):
    """One dispute under mediation and where it stands.

    `status` changes only through `services.mediation_transition` (the case engine applying
    `workflow.MEDIATION`). `region_path` copies the region's path for the scope filter;
    `level` copies the committee's level when it is assigned. The outcome fields are what
    the 人民调解协议书 and the 司法确认申请书 need."""

    code = models.CharField(_("编号"), max_length=40, unique=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.REGISTERED
    )
    channel = models.CharField(
        _("来源"), max_length=16, choices=Channel.choices, default=Channel.WALK_IN
    )
    event = models.ForeignKey(
        "events.Event",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("关联事件"),
    )
    dispute_kind = models.CharField(
        _("纠纷类型"), max_length=16, choices=DisputeKind.choices, default=DisputeKind.OTHER
    )
    amount = models.DecimalField(
        _("涉及金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    summary = models.TextField(_("纠纷简要情况"))
    region = models.ForeignKey(
        "geo.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区划")
    )
    region_path = models.CharField(max_length=255, editable=False)
    committee = models.ForeignKey(
        Committee,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("调委会"),
    )
    mediator = models.ForeignKey(
        Mediator,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("调解员"),
    )
    level = models.CharField(_("层级"), max_length=16, choices=CommitteeLevel.choices, blank=True)
    sensitivity = models.CharField(
        _("敏感标签"), max_length=12, choices=Sensitivity.choices, blank=True, default=""
    )
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    due_at = models.DateTimeField(_("调解期限"), null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The deadline light (the events' words: 正常, 临期, 超期): set when the clock starts
    # or moves, marked by the sweeper (`mediation.deadlines`), cleared when it stops.
    deadline_state = models.CharField(
        _("时限状态"), max_length=8, choices=DeadlineState.choices, blank=True, default=""
    )
    ended_at = models.DateTimeField(_("调解终结时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    # The outcome: an agreement (调解成功), or why not and where the parties were guided.
    agreement_terms = models.TextField(_("协议内容"), blank=True)
    performance = models.CharField(
        _("履行方式"), max_length=8, choices=Performance.choices, blank=True
    )
    performance_due = models.DateField(_("履行期限"), null=True, blank=True)
    failure_reason = models.TextField(_("调解不成原因"), blank=True)
    referral = models.CharField(_("引导途径"), max_length=12, choices=Referral.choices, blank=True)
    withdrawal_reason = models.TextField(_("撤回原因"), blank=True)
    judicial_requested_at = models.DateTimeField(_("申请司法确认时间"), null=True, blank=True)
    judicial_court = models.CharField(_("受理法院"), max_length=100, blank=True)
    judicial_ruling = models.CharField(
        _("司法确认结果"), max_length=10, choices=Ruling.choices, blank=True
    )
    judicial_ruled_on = models.DateField(_("裁定日期"), null=True, blank=True)
    performed = models.BooleanField(_("已履行"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("调解案件")
        verbose_name_plural = _("调解案件")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["region_path", "created_at"],
                name="mediation_region_created",
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
            ),
            models.Index(fields=["committee", "status"], name="mediation_committee_status"),
            # The first day with data and the days at either end of a period (stats).
            models.Index(fields=["created_at"], name="mediation_created"),
            models.Index(
                fields=["due_at"],
                name="mediation_open_due",
                condition=Q(status__in=["accepted", "mediating"]),
            ),
            models.Index(
                fields=["warn_at"],
                name="mediation_open_warn",
                condition=Q(status__in=["accepted", "mediating"]),
            ),
        ]

    def __str__(self) -> str:
        return self.code


class Party(models.Model):
    """A party to a case: applicant or respondent, a person or an organisation; several
    of each. Name, ID number, phone and address are encrypted at rest and masked in every
    answer (an organisation's name is not personal data and shows in full); the phone and
    the ID number have blind indexes for exact lookup."""

    case = models.ForeignKey(MediationCase, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("当事人类型"), max_length=12, choices=PartyRole.choices)
    kind = models.CharField(
        _("主体"), max_length=14, choices=PartyKind.choices, default=PartyKind.PERSON
    )
    name = EncryptedTextField(_("姓名或名称"))
    id_number = IdNumberField(_("身份证号或统一社会信用代码"), blank=True, default="")
    id_number_index = models.CharField(
        max_length=64, blank=True, default="", editable=False, db_index=True
    )
    phone = EncryptedTextField(_("电话"), blank=True, default="")
    phone_index = models.CharField(
        max_length=64, blank=True, default="", editable=False, db_index=True
    )
    address = EncryptedTextField(_("住址"), blank=True, default="")

    PII_INDEXES = {
        "phone_index": ("phone", "phone"),
        "id_number_index": ("id_number", "id_number"),
    }

    class Meta:
        verbose_name = _("当事人")
        verbose_name_plural = _("当事人")
        ordering = ["case", "role", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_role_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.phone_index = blind_index(self.phone, kind="phone")
        self.id_number_index = blind_index(self.id_number, kind="id_number")
        super().save(*args, **kwargs)


class MediationSession(models.Model):
    """One mediation session (调解记录): when and where, who attended, what was said."""

    case = models.ForeignKey(MediationCase, on_delete=models.CASCADE, related_name="sessions")
    at = models.DateTimeField(_("调解时间"))
    place = models.CharField(_("调解地点"), max_length=200, blank=True)
    attendees = models.TextField(_("参加人员"), blank=True)
    record = models.TextField(_("调解记录"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("记录人"),
    )

    class Meta:
        verbose_name = _("调解记录")
        verbose_name_plural = _("调解记录")
        ordering = ["case", "at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.at:%Y-%m-%d}"


class MediationTransition(TimelineEntry):
    """One line of a case's timeline, with the columns of the event's: who did what,
    when, from which state to which. Written with the change; never updated or deleted."""

    case = models.ForeignKey(MediationCase, on_delete=models.CASCADE, related_name="timeline")

    class Meta:
        verbose_name = _("调解流转记录")
        verbose_name_plural = _("调解流转记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="mediation_timeline_case_at")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class DocumentKind(models.TextChoices):
    """A case document kept on file: the four the platform generates, and a signed scan
    (of one of them, `CaseDocument.source_kind`) uploaded by staff."""

    APPLICATION = "application", _("人民调解申请书")
    RECORD = "record", _("人民调解笔录")
    AGREEMENT = "agreement", _("人民调解协议书")
    JUDICIAL = "judicial", _("司法确认申请书")
    SCAN = "scan", _("签字扫描件")


class CaseDocument(models.Model):
    """A document stored with a case (issue 20, item 3): each generation is a new row (the
    newest of a kind is the current one), a signed scan is a row of kind `scan` naming
    the document it is a copy of. The file holds the parties' full personal data: it is
    read only through `mediation.documents_service`, which checks and audits each one."""

    case = models.ForeignKey(MediationCase, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("文书类型"), max_length=12, choices=DocumentKind.choices)
    source_kind = models.CharField(
        _("扫描件对应文书"), max_length=12, choices=DocumentKind.choices, blank=True
    )
    signed = models.BooleanField(_("已签字"), default=False)
    format = models.CharField(_("格式"), max_length=4)
    file = models.FileField(_("文件"), upload_to="mediation/%Y/%m/")
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("生成或上传人"),
    )
    generated_at = models.DateTimeField(_("生成或上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("调解文书")
        verbose_name_plural = _("调解文书")
        ordering = ["case", "-generated_at", "-id"]
        indexes = [
            models.Index(fields=["case", "kind", "generated_at"], name="mediation_doc_case_kind")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.generated_at:%Y-%m-%d %H:%M}"


# ---- figures (mediation.rollup; docs/mediation.md, "Figures") ----------------------------------


class MonthlyRollup(models.Model):
    """The counts of the cases registered in one month (`day`: its first day) in one
    region (every ancestor of the case's region has its row) with one value of one
    dimension (`dim`: level, committee, mediator, kind, channel; every case counts once
    per dimension), by sensitivity label. Kept by `mediation.rollup` in the transaction of
    each registration and transition; `manage.py mediation_rollup` recounts it."""

    day = models.DateField()
    region_path = models.CharField(max_length=255)
    dim = models.CharField(max_length=10)
    value = models.CharField(max_length=32, blank=True)
    sensitivity = models.CharField(max_length=12, blank=True, default="")
    n = models.IntegerField(default=0)
    accepted = models.IntegerField(default=0)
    rejected = models.IntegerField(default=0)
    succeeded = models.IntegerField(default=0)
    failed = models.IntegerField(default=0)
    withdrawn = models.IntegerField(default=0)
    open = models.IntegerField(default=0)
    performance_checked = models.IntegerField(default=0)
    performed = models.IntegerField(default=0)
    confirmation_requested = models.IntegerField(default=0)
    confirmed = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["region_path", "day", "dim", "value", "sensitivity"],
                name="mediation_rollup_key",
            )
        ]
