"""Rental housing (出租房) with tenancies and checks, key places and units (重点场所,
including the units of the 12 real-name sectors) with their checks, the checks' photos,
and cameras (视频点位). docs/places.md describes the model and the rules."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.core.pii import EncryptedTextField
from pingan.places.choices import (
    CameraKind,
    CameraStatus,
    CheckResult,
    PlaceKind,
    PlaceStatus,
    Rating,
    RentalKind,
    RentalStatus,
)


class _Located(models.Model):
    """A record kept in a region (normally a grid): `region_path` copies the region's
    path for the scope filter (`geo.scope.within_q`)."""

    region = models.ForeignKey(
        "geo.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在网格")
    )
    region_path = models.CharField(max_length=255, editable=False)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.region_path = self.region.path
        super().save(*args, **kwargs)


class _Checked(_Located):
    """A register entry that is checked on a schedule: the last check's facts are copied
    here (in the check's transaction) so that ratings and overdue checks are columns."""

    registered_on = models.DateField(_("登记日期"))
    last_check_on = models.DateField(_("最近检查日期"), null=True, blank=True)
    last_check_result = models.CharField(
        _("最近检查结果"), max_length=8, choices=CheckResult.choices, blank=True
    )
    last_hazards = models.PositiveSmallIntegerField(_("最近检查隐患数"), default=0)

    class Meta:
        abstract = True


class RentalHouse(_Checked):
    """A rental house (出租房): where it is (the address encrypted: it leads to people's
    homes), its landlord, how many rooms, how it is let and managed, and its rating
    (green / yellow / red, from its last checks: `places.rules.rating_of`)."""

    address = EncryptedTextField(_("地址"))
    landlord = models.ForeignKey(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rental_houses",
        verbose_name=_("房东"),
    )
    rooms = models.PositiveSmallIntegerField(_("出租间数"), default=1)
    kind = models.CharField(
        _("出租类型"), max_length=12, choices=RentalKind.choices, default=RentalKind.WHOLE
    )
    # ManagedModel values (房东托管, 整村统租, …): several may hold.
    managed = models.JSONField(_("管理模式"), default=list, blank=True)
    status = models.CharField(
        _("状态"), max_length=8, choices=RentalStatus.choices, default=RentalStatus.LET
    )
    rating = models.CharField(
        _("评级"), max_length=8, choices=Rating.choices, blank=True, default=""
    )
    note = models.CharField(_("备注"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("出租房")
        verbose_name_plural = _("出租房")
        ordering = ["region_path", "id"]
        indexes = [
            models.Index(
                fields=["region_path", "rating"],
                name="places_rental_region",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            models.Index(fields=["rating", "last_check_on"], name="places_rental_due"),
        ]

    def __str__(self) -> str:
        return f"出租房 {self.pk}"


class Tenancy(models.Model):
    """A tenant (a person of the population register) living in a rental house from
    `start` to `end` (open while `end` is empty: 人来登记、人走注销)."""

    house = models.ForeignKey(RentalHouse, on_delete=models.CASCADE, related_name="tenancies")
    tenant = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        related_name="tenancies",
        verbose_name=_("租客"),
    )
    start = models.DateField(_("入住日期"))
    end = models.DateField(_("退租日期"), null=True, blank=True)
    room = models.CharField(_("房间"), max_length=20, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("租住登记")
        verbose_name_plural = _("租住登记")
        ordering = ["house", "-start", "-id"]
        indexes = [models.Index(fields=["house", "end"], name="places_tenancy_house")]

    def __str__(self) -> str:
        return f"{self.house_id} {self.start}"


class RentalCheck(models.Model):
    """A fire-safety and public-security check (消防安全、治安检查) of a rental house by a
    grid worker: each item of `rules.RENTAL_ITEMS` ok / hazard / not applicable, the
    result, the hazards, where the worker stood. Never changed afterwards."""

    house = models.ForeignKey(RentalHouse, on_delete=models.CASCADE, related_name="checks")
    items = models.JSONField(_("检查项目"), default=dict)
    result = models.CharField(_("检查结果"), max_length=8, choices=CheckResult.choices)
    hazards = models.PositiveSmallIntegerField(_("隐患数"), default=0)
    hazard_note = models.TextField(_("隐患情况"), blank=True)
    rectify_by = models.DateField(_("整改期限"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    rating = models.CharField(
        _("检查后评级"), max_length=8, choices=Rating.choices, blank=True, default=""
    )
    lat = models.FloatField(_("检查位置纬度"), null=True, blank=True)
    lng = models.FloatField(_("检查位置经度"), null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("检查人"),
    )
    at = models.DateTimeField(_("检查时间"), default=timezone.now)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("出租房检查")
        verbose_name_plural = _("出租房检查")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["house", "at"], name="places_rental_check_at")]

    def __str__(self) -> str:
        return f"{self.house_id} {self.at:%Y-%m-%d}"


class Place(_Checked):
    """A key place or unit (重点场所、重点单位): a school, a hospital, a market, a
    dangerous-chemicals unit, a catering unit, … or a unit of one of the real-name
    sectors (`sector`, `rules.sectors()`). The address is not personal data unless the
    owner is a person (个体户, `owner_is_person`): it is stored encrypted either way and
    masked then. The person in charge's name and phone are personal: encrypted, masked."""

    kind = models.CharField(_("类型"), max_length=12, choices=PlaceKind.choices)
    name = models.CharField(_("名称"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    address = EncryptedTextField(_("地址"), blank=True, default="")
    owner_is_person = models.BooleanField(_("经营者为个人"), default=False)
    manager_name = EncryptedTextField(_("负责人"), blank=True, default="")
    manager_phone = EncryptedTextField(_("负责人电话"), blank=True, default="")
    sector = models.CharField(_("实名制行业"), max_length=20, blank=True, db_index=True)
    # The last check's word on the real-name records (None: not checked, or no sector).
    last_records_kept = models.BooleanField(_("实名登记落实"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=PlaceStatus.choices, default=PlaceStatus.OPEN
    )

    class Meta:
        verbose_name = _("重点场所")
        verbose_name_plural = _("重点场所")
        ordering = ["region_path", "name", "id"]
        indexes = [
            models.Index(
                fields=["region_path", "kind"],
                name="places_place_region",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            models.Index(fields=["kind", "last_check_on"], name="places_place_due"),
        ]

    def __str__(self) -> str:
        return self.name


class PlaceCheck(models.Model):
    """A safety check of a place (items of `rules.PLACE_ITEMS`, result, hazards) and, for
    a unit of a real-name sector, whether its real-name records are kept."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="checks")
    items = models.JSONField(_("检查项目"), default=dict)
    result = models.CharField(_("检查结果"), max_length=8, choices=CheckResult.choices)
    hazards = models.PositiveSmallIntegerField(_("隐患数"), default=0)
    hazard_note = models.TextField(_("隐患情况"), blank=True)
    rectify_by = models.DateField(_("整改期限"), null=True, blank=True)
    records_kept = models.BooleanField(_("实名登记落实"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    lat = models.FloatField(_("检查位置纬度"), null=True, blank=True)
    lng = models.FloatField(_("检查位置经度"), null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("检查人"),
    )
    at = models.DateTimeField(_("检查时间"), default=timezone.now)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("重点场所检查")
        verbose_name_plural = _("重点场所检查")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["place", "at"], name="places_place_check_at")]

    def __str__(self) -> str:
        return f"{self.place_id} {self.at:%Y-%m-%d}"


class CheckPhoto(models.Model):
    """A photo of a check (a rental house's or a place's): re-encoded without EXIF by
    `events.photos`, the time taken and the coordinates read from EXIF kept here."""

    rental_check = models.ForeignKey(
        RentalCheck, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    place_check = models.ForeignKey(
        PlaceCheck, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    file = models.FileField(_("文件"), upload_to="places/%Y/%m/")
    thumbnail = models.FileField(_("缩略图"), upload_to="places/thumbs/%Y/%m/", blank=True)
    size = models.PositiveIntegerField(default=0)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    taken_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    lat = models.FloatField(_("拍摄纬度"), null=True, blank=True)
    lng = models.FloatField(_("拍摄经度"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("检查照片")
        verbose_name_plural = _("检查照片")
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rental_check__isnull=False, place_check__isnull=True)
                | Q(rental_check__isnull=True, place_check__isnull=False),
                name="places_photo_one_check",
            )
        ]


class Camera(_Located):
    """A camera's place (视频点位): its code, name and kind, the unit that owns it, the
    video platform's channel name (`link_name`: the platform shows the video, Pingan
    only points to it), where it is and whether it works."""

    code = models.CharField(_("点位编号"), max_length=64, unique=True)
    name = models.CharField(_("点位名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=16, choices=CameraKind.choices)
    owner_unit = models.CharField(_("建设（管理）单位"), max_length=200, blank=True)
    link_name = models.CharField(_("视频平台通道名称"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=8, choices=CameraStatus.choices, default=CameraStatus.ONLINE
    )

    class Meta:
        verbose_name = _("视频点位")
        verbose_name_plural = _("视频点位")
        ordering = ["region_path", "code"]
        indexes = [
            models.Index(fields=["lat", "lng"], name="places_camera_latlng"),
            models.Index(
                fields=["region_path", "kind"],
                name="places_camera_region",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
