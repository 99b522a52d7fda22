"""The leads page: filters, upload of a CSV/Excel file, confirm or dismiss a lead."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pingan.access.actor import actor_of
from pingan.core.errors import DomainError, Forbidden, NotFound
from pingan.events.selectors import category_list
from pingan.leads import services
from pingan.leads.choices import LeadStatus
from pingan.leads.permissions import can_decide_lead
from pingan.leads.selectors import LeadFilters, lead_detail, lead_list
from pingan.triage.choices import Signal
from pingan.triage.tabular import read_rows


@login_required
def lead_page(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    filters = LeadFilters.from_params(request.GET)
    page = Paginator(lead_list(user=actor, filters=filters), 50).get_page(request.GET.get("page"))
    leaves = [c for c in category_list() if c.parent_id]
    # Only a dispatcher of a lead's region is offered the decision (leaders see, not decide).
    decidable = {lead.pk for lead in page if can_decide_lead(actor, lead)}
    return render(
        request,
        "leads/list.html",
        {
            "page": page,
            "filters": filters,
            "statuses": LeadStatus.choices,
            "signals": Signal.choices,
            "categories": leaves,
            "decidable": decidable,
            "nav_active": "leads",
        },
    )


@login_required
@require_POST
def lead_upload(request: HttpRequest) -> HttpResponse:
    f = request.FILES.get("file")
    if f is None:
        messages.error(request, _("请选择 CSV 或 Excel 文件"))
        return redirect("lead_list")
    try:
        report = services.posts_upload(
            actor=actor_of(request), rows=read_rows(f.name or "upload.csv", data=f)
        )
    except (ValueError, KeyError, OSError):
        messages.error(request, _("文件无法读取，请使用 UTF-8 CSV 或 xlsx"))
        return redirect("lead_list")
    messages.success(
        request,
        _("共 %(total)s 行：新增 %(created)s，已存在 %(existing)s，出错 %(errors)s")
        % {
            "total": report.total,
            "created": report.created,
            "existing": report.existing,
            "errors": len(report.errors),
        },
    )
    for n, reason in report.errors[:50]:
        messages.error(request, _("第%(n)s行：%(reason)s") % {"n": n, "reason": reason})
    return redirect("lead_list")


@login_required
@require_POST
def lead_decide(request: HttpRequest, lead_id: int) -> HttpResponse:
    actor = actor_of(request)
    try:
        lead_detail(user=actor, lead_id=lead_id)
        if request.POST.get("decision") == "confirm":
            event = services.lead_confirm(
                actor=actor,
                lead_id=lead_id,
                category=int(request.POST.get("category") or 0),
                description=request.POST.get("description", ""),
            )
            messages.success(request, _("已转为事件 %(code)s") % {"code": event.code})
            return redirect("event_detail", event.pk)
        services.lead_dismiss(actor=actor, lead_id=lead_id, note=request.POST.get("note", ""))
        messages.success(request, _("已标记为不予处理"))
    except NotFound:
        raise Http404 from None
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("lead_list")
