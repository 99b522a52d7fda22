"""Campaigns (专项行动) with their targets and hand-tagged events, and listed
rectification (挂牌整治) of key complex areas and prominent problems on the case engine.
docs/campaigns.md describes the model, the workflow and the figures."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.campaigns.choices import CampaignKind, CampaignStatus, ListingKind, ListingStatus
from pingan.cases.models import TimelineEntry


class Campaign(models.Model):
    """A time-boxed drive (专项行动) run by the county's Ping'an office: its period, the
    towns it covers (`areas`; none = the office's whole region), the event categories it
    is about (`categories`; a parent covers its children; none = every category) and its
    targets. Events reported in the period within the areas and categories belong to it
    by that rule (`selectors.campaign_events_q`, never copied); others are tagged by hand
    (`CampaignEvent`). `region` is the office's region (`region_path` copied for the
    scope filter). Status: draft → active → closed (closing requires a summary)."""

    name = models.CharField(_("行动名称"), max_length=200)
    kind = models.CharField(
        _("行动类型"), max_length=16, choices=CampaignKind.choices, default=CampaignKind.OTHER
    )
    description = models.TextField(_("行动内容"), blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    status = models.CharField(
        _("状态"), max_length=8, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    region = models.ForeignKey(
        "geo.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("牵头区划")
    )
    region_path = models.CharField(max_length=255, editable=False)
    areas = models.ManyToManyField(
        "geo.Region", blank=True, related_name="+", verbose_name=_("行动范围")
    )
    categories = models.ManyToManyField(
        "events.Category", blank=True, related_name="+", verbose_name=_("事件分类")
    )
    summary = models.TextField(_("总结"), blank=True)
    activated_at = models.DateTimeField(_("启动时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("专项行动")
        verbose_name_plural = _("专项行动")
        ordering = ["-starts_on", "-id"]
        indexes = [
            models.Index(
                fields=["region_path", "starts_on"],
                name="campaigns_region_starts",
                opclasses=["varchar_pattern_ops", "date_ops"],
            ),
            models.Index(fields=["status", "ends_on"], name="campaigns_status_ends"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="campaigns_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.region_path = self.region.path
        super().save(*args, **kwargs)


class CampaignTarget(models.Model):
    """One target of a campaign: a metric (computed: `events`, `hazards_fixed`, a counter
    another app registered; or `entered`, whose actual value the office enters with a
    note), its label and the value to reach."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    metric = models.CharField(_("指标"), max_length=40)
    label = models.CharField(_("目标名称"), max_length=100)
    target = models.PositiveIntegerField(_("目标值"))
    entered_value = models.PositiveIntegerField(_("填报值"), null=True, blank=True)
    entered_note = models.TextField(_("填报说明"), blank=True)
    entered_at = models.DateTimeField(_("填报时间"), null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("填报人"),
    )
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("行动目标")
        verbose_name_plural = _("行动目标")
        ordering = ["campaign", "sort", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "label"], name="campaigns_target_label"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.label}"


class CampaignEvent(models.Model):
    """An event tagged to a campaign by hand (one outside the campaign's rule), by the
    office, with a note."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="tagged")
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    note = models.CharField(_("说明"), max_length=200, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("标记人"),
    )
    added_at = models.DateTimeField(_("标记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("专项行动标记事件")
        verbose_name_plural = _("专项行动标记事件")
        ordering = ["campaign", "-added_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "event"], name="campaigns_event_once"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.event_id}"


class ListedItem(models.Model):
    """A key complex area (重点复杂地区) or prominent problem (突出问题) put on the list
    (挂牌整治) until fixed: its place (a point and/or a GeoJSON polygon checked with
    shapely), the unit answering for it (a town: `unit_region`, or a department:
    `unit_department`; exactly one), the responsible person's title, the target and the
    deadline. `status` changes only through `services.listing_transition` (the case
    engine applying `workflow.LISTING`). Overdue: deadline passed and still listed."""

    kind = models.CharField(_("挂牌类型"), max_length=20, choices=ListingKind.choices)
    name = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("问题描述"), blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=ListingStatus.choices, default=ListingStatus.LISTED
    )
    region = models.ForeignKey(
        "geo.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区划")
    )
    region_path = models.CharField(max_length=255, editable=False)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    area = models.JSONField(_("范围（GeoJSON）"), null=True, blank=True)
    unit_region = models.ForeignKey(
        "geo.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("责任乡镇"),
    )
    unit_department = models.ForeignKey(
        "org.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("责任部门"),
    )
    responsible_title = models.CharField(_("责任人职务"), max_length=60, blank=True)
    target = models.TextField(_("整治目标"))
    deadline = models.DateField(_("整治期限"))
    original_deadline = models.DateField(_("原定期限"))
    campaign = models.ForeignKey(
        Campaign,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="listings",
        verbose_name=_("所属专项行动"),
    )
    listed_on = models.DateField(_("挂牌日期"))
    accepted_at = models.DateTimeField(_("验收通过时间"), null=True, blank=True)
    delisted_at = models.DateTimeField(_("摘牌时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("挂牌人"),
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("挂牌整治项")
        verbose_name_plural = _("挂牌整治项")
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(
                fields=["region_path", "status"],
                name="campaigns_listing_region",
                opclasses=["varchar_pattern_ops", "varchar_ops"],
            ),
            models.Index(fields=["status", "deadline"], name="campaigns_listing_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(unit_region__isnull=False, unit_department__isnull=True)
                    | Q(unit_region__isnull=True, unit_department__isnull=False)
                ),
                name="campaigns_listing_one_unit",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.region_path = self.region.path
        super().save(*args, **kwargs)

    @property
    def unit_name(self) -> str:
        unit = self.unit_region or self.unit_department
        return unit.name if unit is not None else ""

    @property
    def has_place(self) -> bool:
        return self.area is not None or (self.lat is not None and self.lng is not None)

    def is_overdue(self, today: Any) -> bool:
        from pingan.campaigns.choices import LISTING_OPEN

        return self.status in LISTING_OPEN and self.deadline < today


class ListingProgress(models.Model):
    """A progress report (整改进展) by the owner unit: what was done."""

    item = models.ForeignKey(ListedItem, on_delete=models.CASCADE, related_name="progress")
    text = models.TextField(_("进展情况"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("报告人"),
    )
    reported_at = models.DateTimeField(_("报告时间"), default=timezone.now)

    class Meta:
        verbose_name = _("整治进展")
        verbose_name_plural = _("整治进展")
        ordering = ["item", "reported_at", "id"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.reported_at:%Y-%m-%d}"


class ListingTransition(TimelineEntry):
    """One line of a listed item's timeline; written with the change, never updated."""

    item = models.ForeignKey(ListedItem, on_delete=models.CASCADE, related_name="timeline")

    class Meta:
        verbose_name = _("挂牌整治流转记录")
        verbose_name_plural = _("挂牌整治流转记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["item", "at"], name="campaigns_listing_tl_at")]

    def __str__(self) -> str:
        return f"{self.item_id} {self.action} {self.at:%Y-%m-%d %H:%M}"
