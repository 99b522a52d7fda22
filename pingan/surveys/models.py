"""Questionnaires (问卷调查): 安全感满意率 and others. A survey belongs to a county (the
office that runs it), has its questions with options, a quota of answers per town and a
public token for the citizens' link; responses come from grid workers door to door and
from citizens through the link, at most one per phone. docs/surveys.md."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pingan.core.pii import EncryptedTextField
from pingan.surveys.choices import Channel, QuestionKind, SurveyKind, SurveyStatus


class Survey(models.Model):
    """One questionnaire of a county for one year: draft (editable), open (answered),
    closed (final). `token` is the random part of the citizens' link /s/<token>/; the
    headline question's positive options make the survey's rate (安全感满意率 for the
    `security` kind)."""

    title = models.CharField(_("标题"), max_length=200)
    kind = models.CharField(_("类型"), max_length=12, choices=SurveyKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    intro = models.TextField(_("说明"), blank=True)
    region = models.ForeignKey(
        "geo.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属县")
    )
    region_path = models.CharField(max_length=255, editable=False, db_index=True)
    opens_on = models.DateField(_("开始日期"))
    closes_on = models.DateField(_("结束日期"))
    status = models.CharField(
        _("状态"), max_length=8, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    token = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"))
    opened_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("问卷")
        verbose_name_plural = _("问卷")
        ordering = ["-year", "-opens_on", "-pk"]
        indexes = [models.Index(fields=["kind", "year"], name="surveys_survey_kind_year")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.region_path = self.region.path
        super().save(*args, **kwargs)


class Question(models.Model):
    """One question: single or multiple choice (its options), free text, or a scale of
    1…`scale_max`. The survey's one `headline` question is a single-choice question."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("序号"))
    text = models.CharField(_("题目"), max_length=500)
    kind = models.CharField(_("题型"), max_length=8, choices=QuestionKind.choices)
    required = models.BooleanField(_("必答"), default=True)
    headline = models.BooleanField(_("核心题"), default=False)
    scale_max = models.PositiveSmallIntegerField(_("最高分"), default=5)

    class Meta:
        verbose_name = _("题目")
        verbose_name_plural = _("题目")
        ordering = ["survey", "order"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "order"], name="surveys_question_order"),
            models.UniqueConstraint(
                fields=["survey"], condition=Q(headline=True), name="surveys_one_headline"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.text}"


class Option(models.Model):
    """One option of a choice question; `positive` options of the headline question count
    as a positive answer (e.g. 安全、比较安全)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    order = models.PositiveSmallIntegerField(_("序号"))
    text = models.CharField(_("选项"), max_length=200)
    positive = models.BooleanField(_("计为肯定回答"), default=False)

    class Meta:
        verbose_name = _("选项")
        verbose_name_plural = _("选项")
        ordering = ["question", "order"]
        constraints = [
            models.UniqueConstraint(fields=["question", "order"], name="surveys_option_order")
        ]

    def __str__(self) -> str:
        return self.text


class SurveyQuota(models.Model):
    """The answers a town is to collect (抽样配额)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="quotas")
    town = models.ForeignKey(
        "geo.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("镇（街道）")
    )
    target = models.PositiveIntegerField(_("样本量"))

    class Meta:
        verbose_name = _("抽样配额")
        verbose_name_plural = _("抽样配额")
        ordering = ["survey", "town__path"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "town"], name="surveys_quota_town")
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} · {self.town_id}: {self.target}"


class Response(models.Model):
    """One answered questionnaire. `region` is where the respondent lives (the grid worker's
    grid, or the village or town a citizen chose), `town` its town (for the figures);
    `answers` maps each question's id (as text) to the option ids chosen, the text or the
    score; `positive` says whether the headline answer was a positive one. The phone is
    personal data: encrypted, with a blind index for the one-answer-per-phone rule; no
    name is ever asked."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    channel = models.CharField(_("渠道"), max_length=12, choices=Channel.choices)
    region = models.ForeignKey(
        "geo.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区划")
    )
    region_path = models.CharField(max_length=255, editable=False, db_index=True)
    town = models.ForeignKey(
        "geo.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("镇（街道）")
    )
    answers = models.JSONField(_("答案"), default=dict)
    positive = models.BooleanField(_("肯定回答"), null=True)
    phone = EncryptedTextField(_("手机号"), blank=True, default="")
    phone_index = models.CharField(max_length=64, blank=True, default="", editable=False)
    client_uuid = models.UUIDField(null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("网格员"),
    )
    answered_at = models.DateTimeField(_("作答时间"))

    class Meta:
        verbose_name = _("答卷")
        verbose_name_plural = _("答卷")
        ordering = ["survey", "-answered_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "phone_index"],
                condition=~Q(phone_index=""),
                name="surveys_response_one_per_phone",
            ),
            models.UniqueConstraint(
                fields=["client_uuid"],
                condition=Q(client_uuid__isnull=False),
                name="surveys_response_client_uuid",
            ),
        ]
        indexes = [
            models.Index(fields=["survey", "town"], name="surveys_response_town"),
            models.Index(fields=["survey", "answered_at"], name="surveys_response_at"),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} · {self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.region_path = self.region.path
        super().save(*args, **kwargs)
