"""Triage records kept beside events (no column is added to events): the classifier's
suggestion for each event, duplicate candidates and merges, risk-alert rules and alerts,
and which categories may be accepted or dispatched automatically."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.triage.choices import DuplicateState, MinUrgency, RepeatBy, Signal, Verdict


class Suggestion(models.Model):
    """What the classifier proposed for a new event: a leaf category and a lead department,
    each with a confidence; and what, if anything, was applied automatically."""

    event = models.OneToOneField(
        "events.Event", on_delete=models.CASCADE, related_name="triage_suggestion"
    )
    category = models.ForeignKey(
        "events.Category",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("建议分类"),
    )
    category_confidence = models.FloatField(_("分类置信度"), default=0.0)
    department = models.ForeignKey(
        "org.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("建议主办部门"),
    )
    department_confidence = models.FloatField(_("部门置信度"), default=0.0)
    model_trained_at = models.CharField(_("模型训练时间"), max_length=40, blank=True)
    auto_action = models.CharField(_("自动操作"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("分类建议")
        verbose_name_plural = _("分类建议")

    def __str__(self) -> str:
        return f"{self.event_id} {self.category} {self.department}"


class AutoTriagePolicy(models.Model):
    """An administrator's permission for one leaf category: the platform may accept (and
    optionally dispatch to the suggested department) events of this category by itself
    when the classifier's confidence reaches `min_confidence`."""

    category = models.OneToOneField(
        "events.Category", on_delete=models.CASCADE, related_name="+", verbose_name=_("分类")
    )
    auto_accept = models.BooleanField(_("自动受理"), default=True)
    auto_dispatch = models.BooleanField(_("自动派遣"), default=False)
    min_confidence = models.FloatField(
        _("最低置信度"), default=0.9, help_text=_("0 到 1 之间；低于此值只给出建议")
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("自动分拨策略")
        verbose_name_plural = _("自动分拨策略")

    def __str__(self) -> str:
        return str(self.category)


class DuplicateCandidate(models.Model):
    """A possible duplicate found at intake: `event` (the new one) may repeat `other`
    (an earlier one nearby), with a similarity score and why."""

    event = models.ForeignKey(
        "events.Event", on_delete=models.CASCADE, related_name="duplicate_candidates"
    )
    other = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("相似度"))
    reasons = models.JSONField(_("依据"), default=list, blank=True)
    state = models.CharField(
        _("状态"), max_length=10, choices=DuplicateState.choices, default=DuplicateState.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("疑似重复")
        verbose_name_plural = _("疑似重复")
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "other"], name="triage_dup_pair_unique")
        ]


class PhoneKey(models.Model):
    """A keyed digest of an event's reporter phone with the report time, so that "same
    reporter" lookups are one indexed range scan and the phone itself is not repeated."""

    event = models.OneToOneField("events.Event", on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64)
    reported_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["digest", "reported_at"], name="triage_phone_time")]


class AlertRule(models.Model):
    """An editable risk rule: a set of conditions that must all hold for an event to raise
    the signal. Each condition is optional (a rule needs at least one): words in the title
    or description (any of a list, or at least N of them, and optionally one of a second
    list as well), a regular expression, the number of people involved (the event's
    `extra`), earlier events in the same grid within N days, the category (a parent counts
    for its children) and the urgency as reported. Several rules of one signal are
    alternatives: the first that holds raises the alert."""

    name = models.CharField(_("名称"), max_length=100)
    signal = models.CharField(_("风险类型"), max_length=24, choices=Signal.choices)
    keywords = models.TextField(
        _("关键词"), blank=True, help_text=_("每行一个；出现其中任一个即满足")
    )
    keywords_min = models.IntegerField(
        _("至少命中关键词数"),
        default=1,
        help_text=_("须出现上面关键词中不同的几个；默认 1"),
    )
    keywords_also = models.TextField(
        _("且须同时出现"),
        blank=True,
        help_text=_("每行一个；填写后，还须出现其中任一个"),
    )
    pattern = models.TextField(_("正则表达式"), blank=True)
    people_min = models.IntegerField(
        _("涉及人数不少于"),
        null=True,
        blank=True,
        help_text=_("按事件附加信息中的“涉及人数”；未填人数的事件不满足"),
    )
    repeat_min = models.IntegerField(
        _("同网格此前事件不少于"),
        null=True,
        blank=True,
        help_text=_("同一网格内近若干天已有的事件数（不含本事件）"),
    )
    repeat_days = models.IntegerField(_("统计天数"), default=7)
    repeat_by = models.CharField(
        _("统计口径"), max_length=10, choices=RepeatBy.choices, default=RepeatBy.CATEGORY
    )
    categories = models.ManyToManyField(
        "events.Category",
        blank=True,
        related_name="+",
        verbose_name=_("限定分类"),
        help_text=_("可多选；选上级分类即包含其下级分类"),
    )
    min_urgency = models.CharField(
        _("紧急程度不低于"), max_length=10, choices=MinUrgency.choices, blank=True
    )
    is_active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("风险预警规则")
        verbose_name_plural = _("风险预警规则")
        ordering = ["signal", "name"]

    def __str__(self) -> str:
        return self.name

    def keyword_list(self) -> list[str]:
        return _lines(self.keywords)

    def keyword_also_list(self) -> list[str]:
        return _lines(self.keywords_also)


def _lines(text: str) -> list[str]:
    return [k.strip() for k in (text or "").splitlines() if k.strip()]


class Alert(models.Model):
    """A risk alert raised on an event: the rule, what matched, who was told, and what the
    person told decided about it (属实 or 误报), which the rules' hit rates count."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    rule = models.ForeignKey(AlertRule, null=True, on_delete=models.SET_NULL, related_name="+")
    signal = models.CharField(_("风险类型"), max_length=24, choices=Signal.choices)
    matched = models.CharField(_("命中内容"), max_length=200)
    notified = models.PositiveIntegerField(_("通知人数"), default=0)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    verdict = models.CharField(
        _("研判结论"), max_length=12, choices=Verdict.choices, blank=True, default=""
    )
    verdict_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("研判人"),
    )
    verdict_at = models.DateTimeField(_("研判时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("风险预警")
        verbose_name_plural = _("风险预警")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "signal"], name="triage_alert_once")
        ]
        indexes = [
            # A rule's alerts over a period (hit rates) and a signal's alerts over the last
            # days (repeats in a grid).
            models.Index(fields=["rule", "created_at"], name="triage_alert_rule_time"),
            models.Index(fields=["signal", "created_at"], name="triage_alert_signal_time"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.get_signal_display()}"
