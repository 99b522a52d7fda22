"""The survey pages (docs/surveys.md, "Pages"): the list, the editor of a new survey (one
text area per question, options one per line, or the standard 安全感 questionnaire), a
survey's page (quota progress per town, results with margins and 同比, the QR code of the
citizens' link), its results as .xlsx and the QR code as SVG or PNG. Reads through
`surveys.selectors` / `surveys.results`, writes through `surveys.services`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from pingan.access.actor import actor_of
from pingan.core import clock
from pingan.core.downloads import xlsx_response
from pingan.core.errors import DomainError, Forbidden, Invalid, NotFound
from pingan.surveys import selectors, services
from pingan.surveys.choices import QuestionKind, SurveyKind, SurveyStatus
from pingan.surveys.exports import results_xlsx
from pingan.surveys.models import Survey
from pingan.surveys.permissions import (
    access_survey,
    can_manage,
    office_counties,
    require_results,
)
from pingan.surveys.qr import qr_png, qr_svg
from pingan.surveys.results import survey_results
from pingan.surveys.standard import standard_security_questions

EDITOR_ROWS = 8


def _survey_or_404(request: HttpRequest, survey_id: int) -> Survey:
    try:
        return access_survey(actor_of(request), survey_id)
    except NotFound:
        raise Http404(_("问卷不存在")) from None


def public_link(request: HttpRequest, survey: Survey) -> str:
    return request.build_absolute_uri(reverse("surveys_public", args=[survey.token]))


@login_required
@require_http_methods(["GET"])
def surveys_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    return render(
        request,
        "web/surveys/list.html",
        {
            "nav_active": "surveys",
            "surveys": list(selectors.survey_list(actor)[:200]),
            "can_create": bool(office_counties(actor)),
        },
    )


def _editor_rows(data: Any) -> list[dict[str, Any]]:
    rows = []
    for q in data:
        opts = []
        for o in q.get("options") or []:
            o = {"text": o} if isinstance(o, str) else o
            opts.append(("+" if o.get("positive") else "") + o["text"])
        rows.append(
            {
                "text": q.get("text", ""),
                "kind": q.get("kind", "single"),
                "headline": bool(q.get("headline")),
                "required": q.get("required", True),
                "options": "\n".join(opts),
            }
        )
    while len(rows) < EDITOR_ROWS:
        rows.append(
            {"text": "", "kind": "single", "headline": False, "required": True, "options": ""}
        )
    return rows


def _questions_from_post(request: HttpRequest) -> list[dict[str, Any]]:
    """The editor's rows: options one per line, a leading 「+」 marks a positive option."""
    texts = request.POST.getlist("q_text")
    kinds = request.POST.getlist("q_kind")
    options = request.POST.getlist("q_options")
    head = request.POST.get("headline", "")
    optional = set(request.POST.getlist("q_optional"))
    out = []
    for i, text in enumerate(texts):
        if not text.strip():
            continue
        kind = kinds[i] if i < len(kinds) else "single"
        q: dict[str, Any] = {
            "text": text,
            "kind": kind,
            "headline": head == str(i),
            "required": str(i) not in optional,
        }
        if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            lines = [ln.strip() for ln in (options[i] if i < len(options) else "").splitlines()]
            q["options"] = [
                {"text": ln.lstrip("+＋").strip(), "positive": ln[:1] in "+＋"}
                for ln in lines
                if ln.lstrip("+＋").strip()
            ]
        out.append(q)
    return out


@login_required
@require_http_methods(["GET", "POST"])
def surveys_new(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    counties = office_counties(actor)
    if not counties:
        raise PermissionDenied(_("只有县平安办（县级受理员）可以创建问卷"))
    year = timezone.localdate(clock.now()).year
    towns = list(
        counties[0].children.filter(level="town").order_by("path")
    )  # the office's county's towns, for the quotas
    error = ""
    status = 200
    form: dict[str, Any] = {
        "title": _("%(year)d年度群众安全感满意率调查") % {"year": year},
        "kind": SurveyKind.SECURITY,
        "year": year,
        "opens_on": dt.date(year, 1, 1).isoformat(),
        "closes_on": dt.date(year, 12, 31).isoformat(),
        "intro": "",
    }
    questions: list[dict[str, Any]] = []
    quotas: dict[int, str] = {}
    if request.method == "GET" and request.GET.get("template") == "security":
        questions = standard_security_questions()
    if request.method == "POST":
        form = {k: request.POST.get(k, "") for k in form}
        questions = _questions_from_post(request)
        quota_rows = []
        for t in towns:
            raw = request.POST.get(f"quota_{t.pk}", "").strip()
            quotas[t.pk] = raw
            if raw:
                quota_rows.append({"town": t.pk, "target": int(raw) if raw.isdigit() else raw})
        try:
            year_value: Any = int(form["year"]) if str(form["year"]).isdigit() else form["year"]
            survey = services.survey_create(
                actor=actor,
                data={**form, "year": year_value, "questions": questions, "quotas": quota_rows},
            )
        except DomainError as e:
            error = next(iter(e.fields.values()), e.message)
            if e.fields:
                error = f"{next(iter(e.fields))}: {error}"
            status = e.status
        else:
            messages.success(request, _("问卷已保存为草稿"))
            return redirect("surveys_detail", survey_id=survey.pk)
    return render(
        request,
        "web/surveys/new.html",
        {
            "nav_active": "surveys",
            "form": form,
            "rows": _editor_rows(questions),
            "kinds": QuestionKind.choices,
            "survey_kinds": SurveyKind.choices,
            "towns": [{"town": t, "value": quotas.get(t.pk, "")} for t in towns],
            "error": error,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET"])
def surveys_detail(request: HttpRequest, survey_id: int) -> HttpResponse:
    actor = actor_of(request)
    survey = _survey_or_404(request, survey_id)
    manage = can_manage(actor, survey)
    results = None
    try:
        whole, towns = require_results(actor, survey)
        results = survey_results(survey, whole=whole, towns=towns)
    except Forbidden:
        results = None
    return render(
        request,
        "web/surveys/detail.html",
        {
            "nav_active": "surveys",
            "survey": survey,
            "questions": list(survey.questions.prefetch_related("options")),
            "manage": manage,
            "results": results,
            "link": public_link(request, survey) if manage and survey.status != "draft" else "",
            "draft": survey.status == SurveyStatus.DRAFT,
            "open": survey.status == SurveyStatus.OPEN,
        },
    )


@login_required
@require_POST
def surveys_status(request: HttpRequest, survey_id: int, action: str) -> HttpResponse:
    actor = actor_of(request)
    _survey_or_404(request, survey_id)
    try:
        if action == "open":
            services.survey_open(actor=actor, survey_id=survey_id)
            messages.success(request, _("问卷已发布，可开始调查"))
        elif action == "close":
            services.survey_close(actor=actor, survey_id=survey_id)
            messages.success(request, _("调查已结束"))
        else:
            raise Http404
    except (Invalid, DomainError) as e:
        if isinstance(e, Forbidden):
            raise PermissionDenied(e.message) from None
        messages.error(request, e.message)
    return redirect("surveys_detail", survey_id=survey_id)


@login_required
@require_http_methods(["GET"])
def surveys_export(request: HttpRequest, survey_id: int) -> HttpResponse:
    actor = actor_of(request)
    survey = _survey_or_404(request, survey_id)
    try:
        whole, towns = require_results(actor, survey)
    except Forbidden as e:
        raise PermissionDenied(e.message) from None
    data = results_xlsx(survey, survey_results(survey, whole=whole, towns=towns))
    return xlsx_response(data, f"survey-{survey.pk}")


@login_required
@require_http_methods(["GET"])
def surveys_qr(request: HttpRequest, survey_id: int, fmt: str) -> HttpResponse:
    actor = actor_of(request)
    survey = _survey_or_404(request, survey_id)
    if not can_manage(actor, survey):
        raise PermissionDenied(_("只有县平安办可以下载问卷二维码"))
    if survey.status == SurveyStatus.DRAFT:
        raise Http404(_("草稿问卷没有二维码"))
    url = public_link(request, survey)
    if fmt == "svg":
        response = HttpResponse(qr_svg(url), content_type="image/svg+xml")
    else:
        response = HttpResponse(qr_png(url), content_type="image/png")
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}-qr.{fmt}"'
    patch_cache_control(response, private=True, max_age=300)
    return response
