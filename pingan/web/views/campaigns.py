"""Campaigns (专项行动): the list, the new-campaign form, one campaign's page (targets with
progress bars, its events, tagging by hand, entering values, activate and close) and the
closing report. Reads through `campaigns.selectors`, writes through `campaigns.services`.
docs/campaigns.md."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from pingan.access.actor import Actor, actor_of
from pingan.analytics.exports import content_disposition
from pingan.campaigns.choices import CampaignKind, CampaignStatus
from pingan.campaigns.documents import campaign_report
from pingan.campaigns.models import Campaign
from pingan.campaigns.permissions import office_memberships
from pingan.campaigns.progress import ENTERED, metrics, progress
from pingan.campaigns.selectors import (
    campaign_detail,
    campaign_events,
    campaign_list,
    event_dict,
    tagged_ids,
)
from pingan.campaigns.services import (
    campaign_activate,
    campaign_close,
    campaign_create,
    campaign_event_add,
    campaign_event_remove,
    target_enter,
)
from pingan.core.downloads import DOCX
from pingan.core.errors import DomainError, Invalid, NotFound
from pingan.events.models import Category
from pingan.geo.choices import Level
from pingan.geo.models import Region
from pingan.geo.scope import within_q
from pingan.org.choices import Role

# Who has the campaigns pages: the offices, leaders and departments.
CAMPAIGN_ROLES = frozenset({Role.DISPATCHER, Role.LEADER, Role.HANDLER})
EVENTS_PAGE = 50
TARGET_ROWS = 5


def _forbidden(message: str) -> HttpResponse:
    return HttpResponse(message, status=403, content_type="text/plain; charset=utf-8")


def _load(actor: Actor, campaign_id: int) -> Campaign:
    try:
        return campaign_detail(actor=actor, campaign_id=campaign_id)
    except NotFound:
        raise Http404(_("专项行动不存在")) from None


@login_required
@require_http_methods(["GET"])
def campaigns_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    if not actor.roles & CAMPAIGN_ROLES:
        return _forbidden(_("当前角色不能查看专项行动"))
    status = [s for s in request.GET.getlist("status") if s in CampaignStatus.values]
    rows = [
        {"c": c, "progress": progress(c)}
        for c in campaign_list(actor=actor, status=status or None)[:200]
    ]
    return render(
        request,
        "web/campaigns/list.html",
        {
            "nav_active": "campaigns",
            "rows": rows,
            "statuses": CampaignStatus.choices,
            "chosen": status,
            "may_create": bool(office_memberships(actor)),
        },
    )


def _detail_context(
    request: HttpRequest, actor: Actor, c: Campaign, **extra: Any
) -> dict[str, Any]:
    tagged = tagged_ids(c)
    events = Paginator(campaign_events(actor=actor, campaign_id=c.pk), EVENTS_PAGE).get_page(
        request.GET.get("page")
    )
    office = bool(office_memberships(actor, c.region_path))
    return {
        "nav_active": "campaigns",
        "campaign": c,
        "progress": progress(c),
        "events": events,
        "event_rows": [event_dict(e, tagged=tagged) for e in events.object_list],
        "tagged_count": len(tagged),
        "office": office,
        "may_tag": office and c.status != CampaignStatus.CLOSED,
        "errors": {},
        "message": "",
        **extra,
    }


@login_required
@require_http_methods(["GET"])
def campaigns_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The campaign's page; the same 404 for a missing campaign and one out of scope."""
    actor = actor_of(request)
    c = _load(actor, campaign_id)
    return render(request, "web/campaigns/detail.html", _detail_context(request, actor, c))


def _after(request: HttpRequest, actor: Actor, campaign_id: int, call: Any) -> HttpResponse:
    """Run a write; back to the page, or the page again with the reason (nothing written)."""
    try:
        call()
    except NotFound:
        raise Http404(_("专项行动不存在")) from None
    except DomainError as e:
        c = _load(actor, campaign_id)
        errors = dict(e.fields) if isinstance(e, Invalid) else {}
        message = "；".join(errors.values()) if errors else e.message
        ctx = _detail_context(request, actor, c, errors=errors, message=message)
        return render(request, "web/campaigns/detail.html", ctx, status=e.status)
    return redirect("campaigns_detail", campaign_id=campaign_id)


@login_required
@require_POST
def campaigns_activate(request: HttpRequest, campaign_id: int) -> HttpResponse:
    actor = actor_of(request)
    return _after(
        request,
        actor,
        campaign_id,
        lambda: campaign_activate(actor=actor, campaign_id=campaign_id),
    )


@login_required
@require_POST
def campaigns_close(request: HttpRequest, campaign_id: int) -> HttpResponse:
    actor = actor_of(request)
    summary = request.POST.get("summary", "")
    return _after(
        request,
        actor,
        campaign_id,
        lambda: campaign_close(actor=actor, campaign_id=campaign_id, summary=summary),
    )


@login_required
@require_POST
def campaigns_tag(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Tag an event by hand (`event`: its id) or untag one (`remove`: its id)."""
    actor = actor_of(request)
    remove = request.POST.get("remove", "").strip()
    if remove:
        if not remove.isdigit():
            raise Http404(_("页面不存在"))
        return _after(
            request,
            actor,
            campaign_id,
            lambda: campaign_event_remove(
                actor=actor, campaign_id=campaign_id, event_id=int(remove)
            ),
        )
    event = request.POST.get("event", "").strip()
    note = request.POST.get("note", "")
    return _after(
        request,
        actor,
        campaign_id,
        lambda: campaign_event_add(actor=actor, campaign_id=campaign_id, event_id=event, note=note),
    )


@login_required
@require_POST
def campaigns_target(request: HttpRequest, campaign_id: int, target_id: int) -> HttpResponse:
    actor = actor_of(request)
    value = request.POST.get("value", "").strip()
    note = request.POST.get("note", "")
    return _after(
        request,
        actor,
        campaign_id,
        lambda: target_enter(
            actor=actor, campaign_id=campaign_id, target_id=target_id, value=value, note=note
        ),
    )


@login_required
@require_http_methods(["GET"])
def campaigns_report(request: HttpRequest, campaign_id: int) -> HttpResponse:
    actor = actor_of(request)
    try:
        data, name = campaign_report(actor=actor, campaign_id=campaign_id)
    except NotFound:
        raise Http404(_("专项行动不存在")) from None
    response = HttpResponse(data, content_type=DOCX)
    response["Content-Disposition"] = content_disposition(name, f"campaign-{campaign_id}.docx")
    patch_cache_control(response, no_store=True)
    return response


# ---- the new-campaign form ----------------------------------------------------------------------


def _new_context(
    actor: Actor, values: dict[str, Any], errors: dict[str, str], message: str = ""
) -> dict[str, Any]:
    paths = [m.region.path for m in office_memberships(actor) if m.region is not None]
    rows = values.get("target_rows") or [{} for _ in range(TARGET_ROWS)]
    return {
        "nav_active": "campaigns",
        "kinds": CampaignKind.choices,
        "towns": Region.objects.filter(within_q("path", paths), level=Level.TOWN).order_by("path"),
        "categories": Category.objects.filter(is_active=True, parent__isnull=True).order_by(
            "sort", "code"
        ),
        "metrics": [(k, _(v)) for k, v in metrics().items()],
        "entered": ENTERED,
        "values": values,
        "target_rows": rows,
        "errors": errors,
        "message": message,
    }


@login_required
@require_http_methods(["GET", "POST"])
def campaigns_new(request: HttpRequest) -> HttpResponse:
    """The new-campaign form (a draft): the county's Ping'an office only (403 otherwise)."""
    actor = actor_of(request)
    if not office_memberships(actor):
        return _forbidden(_("只有县级平安办（受理员）可以新建专项行动"))
    if request.method == "GET":
        return render(request, "web/campaigns/new.html", _new_context(actor, {}, {}))
    post = request.POST
    rows = [
        {
            "metric": post.get(f"metric_{i}", ""),
            "label": post.get(f"label_{i}", "").strip(),
            "target": post.get(f"target_{i}", "").strip(),
        }
        for i in range(TARGET_ROWS)
    ]
    fields: dict[str, Any] = {
        "name": post.get("name", ""),
        "kind": post.get("kind", ""),
        "description": post.get("description", ""),
        "starts_on": post.get("starts_on", ""),
        "ends_on": post.get("ends_on", ""),
        "areas": post.getlist("areas"),
        "categories": post.getlist("categories"),
        "targets": [r for r in rows if r["metric"] and r["target"] != ""],
    }
    try:
        c = campaign_create(actor=actor, **fields)
    except DomainError as e:
        errors = dict(e.fields) if isinstance(e, Invalid) else {}
        values = {**fields, "target_rows": rows}
        ctx = _new_context(actor, values, errors, "" if errors else e.message)
        return render(request, "web/campaigns/new.html", ctx, status=e.status)
    return redirect("campaigns_detail", campaign_id=c.pk)
