"""Patrols (巡查): a grid worker's walk, its GPS track and the visits made on the way.

A track is stored compactly: each batch of points the phone sends is one `PatrolBatch`
row whose `data` packs the points as three little-endian arrays (`track.pack`), not one
row per point. A four-hour patrol at one point every 10 s is 1,440 points, about 35 kB.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pingan.core import pii
from pingan.patrols.choices import PatrolStatus, VisitKind


class Patrol(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="patrols",
        verbose_name=_("巡查人"),
    )
    client_uuid = models.UUIDField(unique=True, editable=False)
    region = models.ForeignKey(
        "geo.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所属网格"),
    )
    region_path = models.CharField(max_length=255, blank=True, editable=False, db_index=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=PatrolStatus.choices, default=PatrolStatus.ACTIVE
    )
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    point_count = models.PositiveIntegerField(_("轨迹点数"), default=0)
    distance_m = models.FloatField(_("里程(米)"), null=True, blank=True)
    duration_s = models.PositiveIntegerField(_("时长(秒)"), null=True, blank=True)
    grids = models.JSONField(_("覆盖网格"), default=list, blank=True)

    class Meta:
        verbose_name = _("巡查")
        verbose_name_plural = _("巡查")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["user", "started_at"], name="patrols_user_started")]

    def __str__(self) -> str:
        return f"{self.user} {self.started_at:%Y-%m-%d %H:%M}"


class PatrolBatch(models.Model):
    """Points of one patrol received in one request, packed (see `track.pack`)."""

    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="batches")
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()
    count = models.PositiveIntegerField()
    data = models.BinaryField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("轨迹批次")
        verbose_name_plural = _("轨迹批次")
        ordering = ["patrol", "first_at", "id"]


def _pick(model: str, label: Any) -> Any:
    return models.ForeignKey(
        model,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=label,
    )


class PatrolVisit(models.Model):
    """A person, household, rental house, key place or key person visited during a
    patrol: picked from the registers (one of the foreign keys, `target` then the
    record's masked label) or, for anything else, described in free text (`target`).

    What the worker recorded changed the record through its register's service, in the
    visit's transaction: `outcome` says what they found (a key person's visit outcome, a
    person present or moved out, a check's result) and `effect` names what was written
    (`{"key_person_visit": id}`, `{"rental_check": id}`, `{"person_moved_out": id}`…)."""

    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="visits")
    client_uuid = models.UUIDField(unique=True, editable=False)
    kind = models.CharField(_("类型"), max_length=12, choices=VisitKind.choices)
    # Who or where (a household, a key person): personal data, stored encrypted.
    target = pii.EncryptedTextField(_("走访对象"))
    note = models.TextField(_("情况记录"), blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    at = models.DateTimeField(_("时间"))
    person = _pick("registry.Person", _("人员"))
    household = _pick("registry.Household", _("户"))
    key_person = _pick("registry.KeyPerson", _("重点人员"))
    task = _pick("registry.VisitTask", _("走访任务"))
    rental = _pick("places.RentalHouse", _("出租房"))
    place = _pick("places.Place", _("重点场所"))
    outcome = models.CharField(_("走访结果"), max_length=12, blank=True, default="")
    effect = models.JSONField(_("登记变更"), default=dict, blank=True)

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["patrol", "at", "id"]

    @property
    def picked(self) -> bool:
        """Whether the visit names a register record (its target is then a masked label)."""
        return any(
            getattr(self, f"{name}_id") is not None
            for name in ("person", "household", "key_person", "rental", "place")
        )

    @property
    def masked_target(self) -> str:
        """The target as others than the patrolling worker see it: a key place in full,
        a person's name to the family name, a household's address to its first part."""
        target = self.target or ""
        if self.kind == VisitKind.KEY_PLACE or self.picked:
            return target  # a key place's name, or a picked record's label (masked already)
        if self.kind == VisitKind.KEY_PERSON or len(target) <= pii.ADDRESS_KEEP:
            return pii.mask_name(target)
        return pii.mask_address(target)
