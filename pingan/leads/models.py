"""Online-opinion leads (网络舆情): posts collected from the internet, grouped into leads
(one matter, many posts), scored for risk; a confirmed lead becomes an event."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.leads.choices import LeadStatus


class Lead(models.Model):
    """One matter seen online: its posts, the highest risk among them, and the event it
    became once a dispatcher confirmed it."""

    title = models.CharField(_("标题"), max_length=200)
    region = models.ForeignKey(
        "geo.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属区划")
    )
    region_path = models.CharField(max_length=255, editable=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=LeadStatus.choices, default=LeadStatus.NEW
    )
    risk_score = models.FloatField(_("风险分"), default=0.0)
    signals = models.JSONField(_("风险信号"), default=list, blank=True)
    post_count = models.PositiveIntegerField(_("帖子数"), default=0)
    first_seen = models.DateTimeField(_("首次发现"))
    last_seen = models.DateTimeField(_("最近发现"))
    event = models.ForeignKey(
        "events.Event",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("转办事件"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("研判意见"), blank=True)

    class Meta:
        verbose_name = _("舆情线索")
        verbose_name_plural = _("舆情线索")
        ordering = ["-risk_score", "-last_seen"]
        indexes = [
            models.Index(fields=["region_path", "last_seen"], name="leads_region_seen"),
            models.Index(fields=["status", "last_seen"], name="leads_status_seen"),
        ]

    def __str__(self) -> str:
        return self.title


class Post(models.Model):
    """One online post: where, who, what, when, how far it spread, screenshots."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="posts")
    platform = models.CharField(_("平台"), max_length=50)
    url = models.URLField(_("链接"), max_length=500, unique=True)
    author = models.CharField(_("作者"), max_length=100, blank=True)
    text = models.TextField(_("内容"))
    posted_at = models.DateTimeField(_("发布时间"))
    likes = models.PositiveIntegerField(_("点赞"), default=0)
    comments = models.PositiveIntegerField(_("评论"), default=0)
    shares = models.PositiveIntegerField(_("转发"), default=0)
    views = models.PositiveIntegerField(_("浏览"), default=0)
    screenshots = models.JSONField(_("截图"), default=list, blank=True)
    risk_score = models.FloatField(_("风险分"), default=0.0)
    signals = models.JSONField(_("风险信号"), default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("舆情帖子")
        verbose_name_plural = _("舆情帖子")
        ordering = ["-posted_at"]

    def __str__(self) -> str:
        return f"{self.platform} {self.url}"
