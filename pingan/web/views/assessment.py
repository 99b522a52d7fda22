"""The assessment pages (docs/assessment.md, "Pages"): the schemes, one scheme (indicators,
agreements, rounds, the ranking with YoY, the office's actions), one unit's scores with
the appeal form, and the appeals. Reads through `assessment.selectors`, writes through
the assessment's services."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from pingan.access.actor import Actor, actor_of
from pingan.assessment import appeals, scoring, selectors, services
from pingan.assessment.choices import Round
from pingan.assessment.documents import results_docx
from pingan.assessment.exports import ranking_xlsx
from pingan.assessment.models import Scheme
from pingan.assessment.permissions import (
    access_scheme,
    can_see_ranking,
    is_office,
    office_counties,
    own_units,
)
from pingan.assessment.tasks import assessment_score
from pingan.core.downloads import DOCX, xlsx_response
from pingan.core.errors import DomainError, Forbidden, NotFound


def _scheme_or_404(actor: Actor, assessment_scheme_id: int) -> Scheme:
    try:
        return access_scheme(actor, assessment_scheme_id)
    except NotFound:
        raise Http404(_("考核方案不存在")) from None


def _round(request: HttpRequest) -> str:
    r = request.GET.get("round") or Round.YEAR
    return r if r in Round.values else Round.YEAR


@login_required
@require_http_methods(["GET", "POST"])
def assessment_schemes(request: HttpRequest) -> HttpResponse:
    """The schemes the actor sees; the office makes a new one (standard or copied)."""
    actor = actor_of(request)
    office = bool(office_counties(actor))
    if request.method == "POST":
        if not office:
            raise PermissionDenied(_("只有县平安办可以制定考核方案"))
        try:
            copy_from = request.POST.get("copy_from") or None
            s = services.scheme_create(
                actor=actor,
                year=int(request.POST.get("year") or 0),
                name=request.POST.get("name", ""),
                copy_from=int(copy_from) if copy_from and copy_from.isdigit() else None,
            )
            return redirect("assessment_scheme", assessment_scheme_id=s.pk)
        except DomainError as e:
            messages.error(request, e.message)
        except ValueError:
            messages.error(request, _("年度不正确"))
    schemes = list(selectors.scheme_list(actor))
    return render(
        request,
        "web/assessment/schemes.html",
        {"nav_active": "assessment", "schemes": schemes, "office": office},
    )


@login_required
@require_http_methods(["GET"])
def assessment_scheme(request: HttpRequest, assessment_scheme_id: int) -> HttpResponse:
    actor = actor_of(request)
    scheme = _scheme_or_404(actor, assessment_scheme_id)
    round_ = _round(request)
    table = selectors.ranking(actor, scheme, round_) if can_see_ranking(actor, scheme) else None
    ctx = {
        "nav_active": "assessment",
        "scheme": scheme,
        "indicators": list(scheme.indicators.all()),
        "agreements": selectors.agreement_list(actor, scheme),
        "table": table,
        "round": round_,
        "rounds": Round.choices,
        "office": is_office(actor, scheme),
        "mine": own_units(actor, scheme),
        "last_year": selectors.last_year(scheme),
    }
    return render(request, "web/assessment/scheme.html", ctx)


@login_required
@require_http_methods(["POST"])
def assessment_scheme_action(
    request: HttpRequest, assessment_scheme_id: int, action: str
) -> HttpResponse:
    """The office's actions: publish, score (in the task worker), rank, finalise."""
    actor = actor_of(request)
    scheme = _scheme_or_404(actor, assessment_scheme_id)
    if not is_office(actor, scheme):
        raise PermissionDenied(_("只有县平安办可以进行此操作"))
    try:
        if action == "publish":
            services.scheme_publish(actor=actor, scheme_id=scheme.pk)
        elif action == "score":
            if scheme.status not in scoring.SCORABLE:
                raise DomainError(_("当前状态不能评分"))
            assessment_score.enqueue(scheme.pk, None)
            messages.info(request, _("已提交评分任务"))
        elif action == "rank":
            deadline = dt.date.fromisoformat(request.POST.get("appeal_deadline") or "")
            scoring.scheme_rank(actor=actor, scheme_id=scheme.pk, appeal_deadline=deadline)
        elif action == "finalise":
            scoring.scheme_finalise(actor=actor, scheme_id=scheme.pk)
        else:
            raise Http404(_("没有这个操作"))
    except DomainError as e:
        messages.error(request, e.message)
    except ValueError:
        messages.error(request, _("申诉截止日不正确"))
    return redirect("assessment_scheme", assessment_scheme_id=scheme.pk)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_unit(request: HttpRequest, assessment_scheme_id: int, unit: str) -> HttpResponse:
    """One unit's scores: every indicator's value, source and points, the deductions with
    their source, vetoes; the appeal form (the unit, while appeals are open)."""
    actor = actor_of(request)
    round_ = _round(request)
    try:
        report = selectors.unit_report(actor, assessment_scheme_id, unit, round_)
    except DomainError as e:  # missing, not theirs, or not a unit of the scheme
        raise Http404(e.message) from None
    if request.method == "POST":
        target = request.POST.get("target", "")
        kind, _sep, raw = target.partition(":")
        try:
            appeals.appeal_file(
                actor=actor,
                scheme_id=assessment_scheme_id,
                unit=unit,
                reason=request.POST.get("reason", ""),
                score_id=int(raw) if kind == "score" and raw.isdigit() else None,
                deduction_id=int(raw) if kind == "deduction" and raw.isdigit() else None,
                evidence=request.FILES.get("evidence"),
            )
            messages.success(request, _("申诉已提交"))
            return redirect("assessment_unit", assessment_scheme_id=assessment_scheme_id, unit=unit)
        except Forbidden as e:
            raise PermissionDenied(e.message) from None
        except DomainError as e:
            messages.error(request, e.message)
    report["nav_active"] = "assessment"
    report["mine"] = any(u.key == report["unit"].key for u in own_units(actor, report["scheme"]))
    report["rounds"] = Round.choices
    return render(request, "web/assessment/unit.html", report)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_appeals(request: HttpRequest, assessment_scheme_id: int) -> HttpResponse:
    """The appeals (all for the office and leaders, the unit's own for a unit); the office
    decides them here."""
    actor = actor_of(request)
    scheme = _scheme_or_404(actor, assessment_scheme_id)
    if request.method == "POST":
        if not is_office(actor, scheme):
            raise PermissionDenied(_("只有县平安办可以处理申诉"))
        raw = request.POST.get("appeal", "")
        try:
            appeals.appeal_decide(
                actor=actor,
                appeal_id=int(raw) if raw.isdigit() else 0,
                uphold=request.POST.get("decision") == "uphold",
                note=request.POST.get("note", ""),
                points=request.POST.get("points") or None,
            )
            messages.success(request, _("申诉已处理"))
        except DomainError as e:
            messages.error(request, e.message)
        return redirect("assessment_appeals", assessment_scheme_id=scheme.pk)
    ctx = {
        "nav_active": "assessment",
        "scheme": scheme,
        "appeals": list(selectors.appeal_list(actor, scheme)),
        "office": is_office(actor, scheme),
    }
    return render(request, "web/assessment/appeals.html", ctx)


@login_required
@require_http_methods(["GET"])
def assessment_ranking_export(request: HttpRequest, assessment_scheme_id: int) -> HttpResponse:
    actor = actor_of(request)
    scheme = _scheme_or_404(actor, assessment_scheme_id)
    try:
        data = ranking_xlsx(actor, scheme, _round(request))
    except Forbidden as e:
        raise PermissionDenied(e.message) from None
    return xlsx_response(data, f"assessment-{scheme.year}")


@login_required
@require_http_methods(["GET"])
def assessment_notice(request: HttpRequest, assessment_scheme_id: int) -> HttpResponse:
    actor = actor_of(request)
    scheme = _scheme_or_404(actor, assessment_scheme_id)
    if not can_see_ranking(actor, scheme):
        raise PermissionDenied(_("排名尚未公布"))
    response = HttpResponse(results_docx(scheme), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="assessment-{scheme.year}.docx"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET"])
def assessment_agreement(request: HttpRequest, assessment_agreement_id: int) -> HttpResponse:
    try:
        a = selectors.agreement_open(actor_of(request), assessment_agreement_id)
    except NotFound:
        raise Http404(_("责任书不存在")) from None
    response = HttpResponse(a.document.read(), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="agreement-{a.pk}.docx"'
    response["Cache-Control"] = "no-store"
    return response
