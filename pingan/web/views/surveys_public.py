"""The citizens' survey page /s/<token>/: no account, the project's CSS, a captcha as the
citizen report form has, one answer per mobile number; rate-limited per address like
every public page (core.middleware.RateLimitMiddleware, "public")."""

from __future__ import annotations

from typing import Any

from captcha.fields import CaptchaField
from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from pingan.access.actor import actor_of
from pingan.core.errors import DomainError, NotFound
from pingan.geo import scope as paths
from pingan.geo.choices import Level
from pingan.geo.models import Region
from pingan.surveys.choices import SurveyStatus
from pingan.surveys.services import response_submit_public, survey_by_token


class CaptchaForm(forms.Form):
    captcha = CaptchaField(
        label=gettext_lazy("验证码"),
        error_messages={
            "invalid": gettext_lazy("验证码不正确"),
            "required": gettext_lazy("请填写验证码"),
        },
    )


def _answers(request: HttpRequest, questions: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for q in questions:
        key = f"q{q.pk}"
        if q.kind == "multiple":
            out[str(q.pk)] = request.POST.getlist(key)
        else:
            out[str(q.pk)] = request.POST.get(key, "")
    return out


@never_cache
@require_http_methods(["GET", "POST"])
def surveys_public(request: HttpRequest, survey_token: str) -> HttpResponse:
    try:
        survey = survey_by_token(survey_token)
    except NotFound:
        raise Http404(_("问卷不存在或已下线")) from None
    questions = list(survey.questions.prefetch_related("options"))
    for q in questions:
        q.scale_values = range(1, q.scale_max + 1)  # type: ignore[attr-defined]
    places = [
        r
        for r in Region.objects.filter(
            paths.within_q("path", [survey.region_path]), level__in=(Level.TOWN, Level.VILLAGE)
        ).order_by("path")
    ]
    form = CaptchaForm(request.POST or None)
    error = ""
    errors: dict[str, str] = {}
    status = 200
    done = False
    posted: dict[str, Any] = {}
    if request.method == "POST":
        posted = {k: request.POST.getlist(k) for k in request.POST}
        if not form.is_valid():
            status = 422
            error = _("验证码不正确")
        else:
            try:
                response_submit_public(
                    actor=actor_of(request),
                    token=survey_token,
                    answers=_answers(request, questions),
                    phone=request.POST.get("phone", ""),
                    region_id=request.POST.get("region"),
                )
            except DomainError as e:
                status = e.status
                errors = {k.replace("answers.", "q"): v for k, v in e.fields.items()}
                error = e.message if not e.fields else next(iter(e.fields.values()))
                form = CaptchaForm()  # a new challenge for the next try
            else:
                done = True
    return render(
        request,
        "web/surveys/public.html",
        {
            "survey": survey,
            "questions": questions,
            "places": places,
            "form": form,
            "error": error,
            "errors": errors,
            "done": done,
            "closed": survey.status != SurveyStatus.OPEN,
            "posted": posted,
        },
        status=status,
    )
