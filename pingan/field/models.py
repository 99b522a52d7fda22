"""What the phone app adds around events: the GPS accuracy of a report, what the phone
said about each photo, idempotent actions, on-site checks the centre asks for, and the
evidence flags the dispatcher sees. Linked to events; the events app is not changed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pingan.field.choices import FlagReason, SiteCheckStatus


class FieldReport(models.Model):
    """A report made on the phone: when it was made there (perhaps offline, sent later)
    and how accurate the GPS fix was."""

    event = models.OneToOneField(
        "events.Event", on_delete=models.CASCADE, related_name="field_report"
    )
    made_at = models.DateTimeField(_("手机上报时间"))
    accuracy_m = models.FloatField(_("定位精度(米)"), null=True, blank=True)

    class Meta:
        verbose_name = _("移动端上报")
        verbose_name_plural = _("移动端上报")


class PhotoClaim(models.Model):
    """What the phone said about a photo it shrank (a canvas copy carries no EXIF): the
    time the picture was taken and where the phone was. EXIF on the stored attachment,
    when present, wins over these."""

    attachment = models.OneToOneField(
        "events.Attachment", on_delete=models.CASCADE, related_name="claim"
    )
    taken_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    lat = models.FloatField(_("拍摄纬度"), null=True, blank=True)
    lng = models.FloatField(_("拍摄经度"), null=True, blank=True)
    accuracy_m = models.FloatField(_("定位精度(米)"), null=True, blank=True)

    class Meta:
        verbose_name = _("照片拍摄信息")
        verbose_name_plural = _("照片拍摄信息")


class FieldAction(models.Model):
    """A workflow action sent from the phone, kept by its client_uuid so that a retry
    after a lost response does not fire it twice."""

    client_uuid = models.UUIDField(unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=24)
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("移动端操作")
        verbose_name_plural = _("移动端操作")


class SiteCheck(models.Model):
    """An on-site check the centre asks a grid worker to make on an event."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="site_checks")
    region = models.ForeignKey(
        "geo.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("网格")
    )
    region_path = models.CharField(max_length=255, editable=False, db_index=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="site_checks",
        verbose_name=_("核实人"),
    )
    note = models.TextField(_("核实要求"))
    due_at = models.DateTimeField(_("完成期限"))
    status = models.CharField(
        _("状态"), max_length=10, choices=SiteCheckStatus.choices, default=SiteCheckStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    result = models.TextField(_("核实情况"), blank=True)

    class Meta:
        verbose_name = _("现场核实")
        verbose_name_plural = _("现场核实")
        ordering = ["due_at", "id"]


class EvidenceFlag(models.Model):
    """A doubt about a report photo, for the dispatcher: taken long before the report,
    far from its place, or outside its grid."""

    event = models.ForeignKey(
        "events.Event", on_delete=models.CASCADE, related_name="evidence_flags"
    )
    attachment = models.ForeignKey(
        "events.Attachment", on_delete=models.CASCADE, related_name="evidence_flags"
    )
    reason = models.CharField(_("疑点"), max_length=14, choices=FlagReason.choices)
    detail = models.CharField(_("说明"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("照片疑点")
        verbose_name_plural = _("照片疑点")
        ordering = ["event_id", "attachment_id", "reason"]
        constraints = [
            models.UniqueConstraint(
                fields=["attachment", "reason"], name="field_flag_one_per_reason"
            )
        ]
