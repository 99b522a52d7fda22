"""The people registers (实有人口 and 重点人员): persons and households, moves, residence
permits and the points ledger of new residents, key persons with their categories, visit
tasks and visits, and the attributed history of every change. docs/registry.md describes
the registers, the rules and the privacy of each.

Personal values (names, ID numbers, phones, addresses, visit notes) are encrypted at rest
(`core.pii`); a person is found by the blind index of the ID number or the phone, never by
the plaintext. Every region-scoped row carries `region` and a copied `region_path` for the
scope filter (`geo.scope`). Rows are written by `registry.services` only, which keeps the
copies, the history (`RecordChange`) and the audit trail in step.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.core.pii import EncryptedTextField, IdNumberField
from pingan.privacy.choices import Sensitivity
from pingan.registry.choices import (
    ChangeSource,
    HouseholdKind,
    KeyPersonStatus,
    MoveKind,
    PermitStatus,
    PersonKind,
    PersonStatus,
    RiskLevel,
    Sex,
    VisitOutcome,
)


def _user_fk(label: Any, **kwargs: Any) -> models.ForeignKey[Any, Any]:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=label,
        **kwargs,
    )


def _path_index(name: str, *fields: str) -> models.Index:
    """An index led by `region_path` usable by prefix (LIKE 'x%') queries on PostgreSQL."""
    return models.Index(
        fields=["region_path", *fields],
        name=name,
        opclasses=["varchar_pattern_ops", *(["varchar_pattern_ops"] * len(fields))],
    )


class Household(models.Model):
    """A household (户): its number in the county, head, address and grid."""

    number = models.CharField(_("户号"), max_length=40)
    kind = models.CharField(
        _("户类型"), max_length=12, choices=HouseholdKind.choices, default=HouseholdKind.FAMILY
    )
    head = models.ForeignKey(
        "Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("户主"),
    )
    address = EncryptedTextField(_("住址"), blank=True, default="")
    region = models.ForeignKey(
        "geo.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在网格")
    )
    region_path = models.CharField(max_length=255, editable=False)
    county = models.ForeignKey(
        "geo.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("所属县"),
    )
    created_by = _user_fk(_("登记人"))
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    updated_by = _user_fk(_("最后修改人"))
    updated_at = models.DateTimeField(_("最后修改时间"), default=timezone.now)

    class Meta:
        verbose_name = _("户")
        verbose_name_plural = _("户")
        ordering = ["region_path", "number"]
        constraints = [
            models.UniqueConstraint(fields=["county", "number"], name="registry_household_number")
        ]
        indexes = [_path_index("registry_household_path")]

    def __str__(self) -> str:
        return self.number


class Person(models.Model):
    """One person of the population register (实有人口).

    `sex` and `birth_date` are derived from the ID number by the service (never typed);
    `id_index` and `phone_index` are the blind indexes a person is matched by across the
    registers: one person per ID number per county (constraint). `points_total` is the sum
    of the person's points entries, kept by `services.points_add`."""

    name = EncryptedTextField(_("姓名"))
    id_number = IdNumberField(_("身份证号"), blank=True, default="")
    id_index = models.CharField(max_length=64, blank=True, default="", editable=False)
    sex = models.CharField(_("性别"), max_length=8, choices=Sex.choices, blank=True, default="")
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    phone = EncryptedTextField(_("联系电话"), blank=True, default="")
    phone_index = models.CharField(max_length=64, blank=True, default="", editable=False)
    kind = models.CharField(
        _("人口类型"), max_length=16, choices=PersonKind.choices, default=PersonKind.REGISTERED
    )
    household = models.ForeignKey(
        Household,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        verbose_name=_("所在户"),
    )
    relation = models.CharField(_("与户主关系"), max_length=20, blank=True, default="")
    address = EncryptedTextField(_("居住地址"), blank=True, default="")
    region = models.ForeignKey(
        "geo.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在网格")
    )
    region_path = models.CharField(max_length=255, editable=False)
    county = models.ForeignKey(
        "geo.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("所属县"),
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=PersonStatus.choices, default=PersonStatus.PRESENT
    )
    moved_in_at = models.DateField(_("迁入日期"), null=True, blank=True)
    moved_out_at = models.DateField(_("迁出日期"), null=True, blank=True)
    sensitivity = models.CharField(
        _("敏感标签"), max_length=12, choices=Sensitivity.choices, blank=True, default=""
    )
    points_total = models.IntegerField(_("积分"), default=0, editable=False)
    anonymised_at = models.DateTimeField(_("匿名化时间"), null=True, blank=True, editable=False)
    created_by = _user_fk(_("登记人"))
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    updated_by = _user_fk(_("最后修改人"))
    updated_at = models.DateTimeField(_("最后修改时间"), default=timezone.now)

    class Meta:
        verbose_name = _("实有人口")
        verbose_name_plural = _("实有人口")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "id_index"],
                condition=~Q(id_index=""),
                name="registry_person_id_per_county",
            )
        ]
        indexes = [
            _path_index("registry_person_path", "status", "kind"),
            models.Index(fields=["id_index"], name="registry_person_id_index"),
            models.Index(fields=["phone_index"], name="registry_person_phone_index"),
            models.Index(fields=["status", "moved_out_at"], name="registry_person_gone"),
            # The lists of a grid or town for the unlabelled (PostgreSQL: prefix match and
            # ORDER BY id DESC from the index; docs/registry.md, "At scale").
            models.Index(
                fields=["region_path", "id"],
                name="registry_person_open_path",
                condition=Q(sensitivity=""),
                opclasses=["varchar_pattern_ops", "int8_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"person:{self.pk}"


class PersonMove(models.Model):
    """One move of a person (迁入, 迁出, 辖区内迁移): the history the move services write."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="moves")
    kind = models.CharField(_("类型"), max_length=10, choices=MoveKind.choices)
    on = models.DateField(_("日期"))
    from_region = models.ForeignKey(
        "geo.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_region = models.ForeignKey(
        "geo.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("说明"), max_length=200, blank=True, default="")
    by = _user_fk(_("经办人"))
    at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("迁移记录")
        verbose_name_plural = _("迁移记录")
        ordering = ["person", "on", "id"]


class ResidencePermit(models.Model):
    """A residence permit (居住证) of a new resident: applied, issued (number, expiry),
    expired, rejected or revoked. `region_path` copies the person's for the figures."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="permits")
    status = models.CharField(
        _("状态"), max_length=10, choices=PermitStatus.choices, default=PermitStatus.APPLIED
    )
    number = models.CharField(_("居住证号"), max_length=40, blank=True, default="")
    applied_on = models.DateField(_("申请日期"))
    issued_on = models.DateField(_("发证日期"), null=True, blank=True)
    expires_on = models.DateField(_("有效期至"), null=True, blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True, default="")
    region_path = models.CharField(max_length=255, editable=False)
    created_by = _user_fk(_("登记人"))
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("最后修改时间"), default=timezone.now)

    class Meta:
        verbose_name = _("居住证")
        verbose_name_plural = _("居住证")
        ordering = ["person", "-applied_on", "-id"]
        indexes = [
            models.Index(fields=["status", "expires_on"], name="registry_permit_expiry"),
            _path_index("registry_permit_path"),
        ]


class PointsRule(models.Model):
    """One item of the county's points rules (积分细则): a code, the item, the points it
    gives (negative: deducted) and at most how many points of it count in one year."""

    code = models.CharField(_("代码"), max_length=32, unique=True)
    item = models.CharField(_("积分项目"), max_length=200)
    points = models.IntegerField(_("分值"))
    max_per_year = models.PositiveIntegerField(
        _("每年上限（分）"), null=True, blank=True, help_text=_("空：不设上限")
    )
    is_active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.item}"


class PointsLevel(models.Model):
    """A level of the points ledger (积分等级): reached at `threshold` points."""

    name = models.CharField(_("等级名称"), max_length=40)
    threshold = models.IntegerField(_("最低积分"), unique=True)
    note = models.CharField(_("说明"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("积分等级")
        verbose_name_plural = _("积分等级")
        ordering = ["threshold"]

    def __str__(self) -> str:
        return self.name


class PointsEntry(models.Model):
    """One line of a person's points ledger. Entries are never changed: a correction is a
    new entry with the opposite points (`reverses`)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="points_entries")
    rule = models.ForeignKey(
        PointsRule, on_delete=models.PROTECT, related_name="entries", verbose_name=_("积分规则")
    )
    points = models.IntegerField(_("分值"))
    reason = models.CharField(_("事由"), max_length=200)
    evidence_note = models.CharField(_("佐证材料"), max_length=200, blank=True, default="")
    reverses = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversals"
    )
    on = models.DateField(_("积分日期"))
    by = _user_fk(_("登记人"))
    at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("积分记录")
        verbose_name_plural = _("积分记录")
        ordering = ["person", "-on", "-id"]
        indexes = [models.Index(fields=["person", "rule", "on"], name="registry_points_rule_year")]


class KeyPersonCategory(models.Model):
    """A category of key persons (重点人员类别): its default sensitivity label and how
    often its people are visited (every `visit_every_days` days; the task opens
    `visit_window_days` before it is due)."""

    code = models.CharField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    sensitivity = models.CharField(
        _("默认敏感标签"), max_length=12, choices=Sensitivity.choices, blank=True, default=""
    )
    visit_every_days = models.PositiveIntegerField(_("走访周期（天）"), default=30)
    visit_window_days = models.PositiveIntegerField(_("提前提醒（天）"), default=7)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("重点人员类别")
        verbose_name_plural = _("重点人员类别")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class KeyPerson(models.Model):
    """A person under a key-person category (重点人员) with their responsible helpers
    (帮扶责任人). The row carries the category's sensitivity label (or a set one): without
    the clearance it is invisible. `region_path` copies the person's."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="key_records")
    category = models.ForeignKey(
        KeyPersonCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("类别")
    )
    since = models.DateField(_("列管日期"))
    until = models.DateField(_("解除日期"), null=True, blank=True)
    helpers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("帮扶责任人")
    )
    risk_level = models.CharField(
        _("风险等级"), max_length=8, choices=RiskLevel.choices, default=RiskLevel.LOW
    )
    note = EncryptedTextField(_("情况说明"), blank=True, default="")
    status = models.CharField(
        _("状态"), max_length=8, choices=KeyPersonStatus.choices, default=KeyPersonStatus.ACTIVE
    )
    sensitivity = models.CharField(
        _("敏感标签"), max_length=12, choices=Sensitivity.choices, blank=True, default=""
    )
    region = models.ForeignKey(
        "geo.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在网格")
    )
    region_path = models.CharField(max_length=255, editable=False)
    last_visit_at = models.DateTimeField(_("最近走访"), null=True, blank=True, editable=False)
    created_by = _user_fk(_("登记人"))
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    updated_by = _user_fk(_("最后修改人"))
    updated_at = models.DateTimeField(_("最后修改时间"), default=timezone.now)

    class Meta:
        verbose_name = _("重点人员")
        verbose_name_plural = _("重点人员")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "category"],
                condition=Q(status="active"),
                name="registry_keyperson_active_once",
            )
        ]
        indexes = [_path_index("registry_keyperson_path", "status")]

    def __str__(self) -> str:
        return f"key-person:{self.pk}"


class KeyPersonVisit(models.Model):
    """A visit to a key person (走访): who, when, where, the outcome and a note
    (encrypted). `patrol_visit_id` names the patrol visit it came from, if any (the patrols
    app sits above the registry, so it is a plain id, not a foreign key)."""

    key_person = models.ForeignKey(KeyPerson, on_delete=models.CASCADE, related_name="visits")
    by = _user_fk(_("走访人"))
    at = models.DateTimeField(_("走访时间"))
    outcome = models.CharField(_("走访情况"), max_length=12, choices=VisitOutcome.choices)
    note = EncryptedTextField(_("情况记录"), blank=True, default="")
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    patrol_visit_id = models.BigIntegerField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("重点人员走访")
        verbose_name_plural = _("重点人员走访")
        ordering = ["key_person", "-at", "-id"]


class VisitTask(models.Model):
    """A visit due (走访任务): opens on `opens_on`, due on `due_on`; done when a visit
    completes it (`visit`, `done_at`); `missed` once the due date passed undone (it stays
    open and is shown overdue until a visit completes it). One task per key person and due
    date, so that generating twice creates nothing."""

    key_person = models.ForeignKey(KeyPerson, on_delete=models.CASCADE, related_name="tasks")
    assignee = _user_fk(_("责任人"))
    opens_on = models.DateField(_("提醒日期"))
    due_on = models.DateField(_("应走访日期"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    visit = models.ForeignKey(
        KeyPersonVisit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    missed = models.BooleanField(_("逾期未访"), default=False)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    region_path = models.CharField(max_length=255, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("走访任务")
        verbose_name_plural = _("走访任务")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["key_person", "due_on"], name="registry_task_once")
        ]
        indexes = [
            _path_index("registry_task_path"),
            models.Index(fields=["done_at", "due_on"], name="registry_task_open"),
        ]


class RecordChange(models.Model):
    """One change of a register record, attributed: which record (`model`, `object_id`,
    and the person it concerns), the fields changed with their old and new values MASKED
    (never in clear), the actor, when and from where (`source`)."""

    model = models.CharField(_("记录类型"), max_length=20)
    object_id = models.BigIntegerField(_("记录编号"))
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="changes"
    )
    action = models.CharField(_("操作"), max_length=20)
    fields = models.JSONField(_("变更字段"), default=dict)
    actor = _user_fk(_("操作人"))
    actor_name = models.CharField(max_length=150, blank=True, default="")
    source = models.CharField(
        _("来源"), max_length=10, choices=ChangeSource.choices, default=ChangeSource.PAGE
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("登记变更记录")
        verbose_name_plural = _("登记变更记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["model", "object_id", "at"], name="registry_change_obj")]


class GridCount(models.Model):
    """The registers' figures of one grid for one sensitivity label and key-person
    category ("" for the persons' row), as of `day` (`registry.rollup`; docs/registry.md,
    "Figures"). Derived data: recounted by the services and the daily rebuild."""

    region_path = models.CharField(max_length=255)
    sensitivity = models.CharField(max_length=12, blank=True, default="")
    category = models.CharField(max_length=32, blank=True, default="")
    day = models.DateField()
    persons = models.PositiveIntegerField(default=0)
    new_residents = models.PositiveIntegerField(default=0)
    permits_expiring = models.PositiveIntegerField(default=0)
    key_persons = models.PositiveIntegerField(default=0)
    visits_due = models.PositiveIntegerField(default=0)
    visits_overdue = models.PositiveIntegerField(default=0)
    visits_done = models.PositiveIntegerField(default=0)
    visits_missed = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("网格统计")
        verbose_name_plural = _("网格统计")
        constraints = [
            models.UniqueConstraint(
                fields=["region_path", "sensitivity", "category"], name="registry_gridcount_key"
            )
        ]
        indexes = [_path_index("registry_gridcount_path")]

    def __str__(self) -> str:
        return f"gridcount:{self.region_path}:{self.sensitivity}:{self.category}"
