"""Triage actions from the event page (merge into a duplicate, dismiss a candidate, mark
a risk alert 属实 or 误报) and the administrator's trial run of a risk rule."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pingan.access.actor import actor_of
from pingan.core.errors import DomainError, Forbidden, Invalid, NotFound
from pingan.core.params import parse_int
from pingan.triage import services


@login_required
@require_POST
def merge(request: HttpRequest, event_id: int) -> HttpResponse:
    try:
        services.duplicate_merge(
            actor=actor_of(request),
            event_id=event_id,
            master_id=parse_int(request.POST.get("master"), "master") or 0,
            note=request.POST.get("note", "").strip() or _("经研判为重复事件，予以合并"),
        )
        messages.success(request, _("已合并到主事件"))
    except NotFound:
        raise Http404 from None
    except Forbidden as exc:
        return HttpResponseForbidden(exc.message)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("event_detail", event_id)


@login_required
@require_POST
def dismiss(request: HttpRequest, candidate_id: int) -> HttpResponse:
    try:
        cand = services.duplicate_dismiss(actor=actor_of(request), candidate_id=candidate_id)
    except NotFound:
        raise Http404 from None
    except Forbidden as exc:
        return HttpResponseForbidden(exc.message)
    messages.success(request, _("已标记为非重复"))
    return redirect("event_detail", cand.event_id)


@login_required
@require_POST
def alert_verdict(request: HttpRequest, alert_id: int) -> HttpResponse:
    """属实 / 误报 on an alert, by a leader or dispatcher who sees its event."""
    verdict = request.POST.get("verdict", "")
    try:
        alert = services.alert_verdict(actor=actor_of(request), alert_id=alert_id, verdict=verdict)
    except NotFound:
        raise Http404 from None
    except Forbidden as exc:
        return HttpResponseForbidden(exc.message)
    except Invalid as exc:
        return HttpResponse(exc.message, status=422, content_type="text/plain; charset=utf-8")
    messages.success(
        request,
        _("已将风险预警标记为“%(verdict)s”") % {"verdict": alert.get_verdict_display()},
    )
    return redirect("event_detail", alert.event_id)


@require_POST
def rule_dry_run(request: HttpRequest) -> HttpResponse:
    """The rule as filled in on its admin page (not saved), run over the last days'
    events: how many would have alerted. Read-only. Behind `admin.site.admin_view` (urls):
    the back office's administrators, then the rule's permission."""
    from pingan.triage.admin import AlertRuleForm
    from pingan.triage.alerts import rule_dry_run as dry_run

    if not (
        request.user.has_perm("triage.change_alertrule")
        or request.user.has_perm("triage.add_alertrule")
    ):
        return HttpResponseForbidden(_("无权维护风险预警规则"))
    form = AlertRuleForm(request.POST)
    context: dict[str, object] = {
        **admin.site.each_context(request),
        "title": _("风险预警规则试运行"),
        "form": form,
        "result": None,
        "error": "",
    }
    status = 200
    try:
        days = parse_int(request.POST.get("_dry_run_days"), "days") or 30
        if form.is_valid():
            rule = form.save(commit=False)
            categories = [c.pk for c in form.cleaned_data.get("categories") or []]
            context["result"] = dry_run(rule=rule, category_ids=categories, days=days)
        else:
            status = 422
    except Invalid as exc:
        context["error"] = next(iter(exc.fields.values()), exc.message)
        status = 422
    return render(request, "triage/admin/rule_dry_run.html", context, status=status)
