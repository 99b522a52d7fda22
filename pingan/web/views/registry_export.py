"""Excel (.xlsx) exports of the persons list and the rental houses list (docs/registry.md,
"Exports"), under the export approval of docs/privacy.md.

An export holds what the list shows the viewer: the list's own filters, the viewer's
scope and clearance (`registry.selectors.person_list`, `places.selectors.rental_list`),
every personal field MASKED (never revealed in an export). Its rows count in the user's
rolling window (`privacy.services.export_rows_claim`, kinds `registry_persons` /
`registry_rentals`); above the threshold the needs-approval page asks for a request (the
reason is the purpose), decided on the 导出审批 page; the approved request's one download
is served by `export.export_request_download`, which calls `approved_download` here.
Every cell goes through `core.spreadsheet.safe_row`; every answer is
`Cache-Control: no-store`; every export writes one audit row (masked filters, row count).
"""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from openpyxl import Workbook
from openpyxl.styles import Font

from pingan.access.actor import actor_of
from pingan.analytics.exports import xlsx_download
from pingan.core import audit, pii
from pingan.core.errors import Invalid
from pingan.core.spreadsheet import safe_row
from pingan.places import selectors as psel
from pingan.places.choices import Rating, RentalKind
from pingan.privacy.models import ExportRequest
from pingan.privacy.services import (
    ExportNeedsApproval,
    export_request_create,
    export_rows_claim,
    export_window_hours,
)
from pingan.registry import selectors as rsel
from pingan.registry.choices import PersonKind, PersonStatus
from pingan.web.views.registry_common import region_param

PERSONS = "registry_persons"
RENTALS = "registry_rentals"
KINDS = (PERSONS, RENTALS)
MAX_ROWS = 50_000

PERSON_HEADERS = [
    gettext_noop("编号"),
    gettext_noop("姓名（脱敏）"),
    gettext_noop("身份证号（脱敏）"),
    gettext_noop("性别"),
    gettext_noop("出生年份"),
    gettext_noop("电话（脱敏）"),
    gettext_noop("人口类型"),
    gettext_noop("户号"),
    gettext_noop("与户主关系"),
    gettext_noop("住址（脱敏）"),
    gettext_noop("所在区划"),
    gettext_noop("状态"),
]
RENTAL_HEADERS = [
    gettext_noop("编号"),
    gettext_noop("地址（脱敏）"),
    gettext_noop("所在区划"),
    gettext_noop("房东（脱敏）"),
    gettext_noop("房东电话（脱敏）"),
    gettext_noop("间数"),
    gettext_noop("类型"),
    gettext_noop("状态"),
    gettext_noop("评级"),
    gettext_noop("登记日期"),
    gettext_noop("上次检查"),
    gettext_noop("下次检查期限"),
    gettext_noop("检查逾期"),
]
TITLES = {PERSONS: gettext_noop("实有人口清单"), RENTALS: gettext_noop("出租房清单")}
STEMS = {PERSONS: "registry-persons", RENTALS: "registry-rentals"}


def _params(data: Any, keys: tuple[str, ...]) -> dict[str, str]:
    return {k: str(data.get(k, "")).strip() for k in keys if str(data.get(k, "")).strip()}


def person_params(data: Any) -> dict[str, str]:
    """The persons list's filters (as `registry.registry_persons` reads them)."""
    p = _params(data, ("q", "region", "grid", "kind", "status"))
    if p.get("kind") not in PersonKind.values:
        p.pop("kind", None)
    if p.get("status") not in PersonStatus.values:
        p.pop("status", None)
    return p


def rental_params(data: Any) -> dict[str, str]:
    """The rental houses list's filters (as `registry_places.registry_rentals` reads them)."""
    p = _params(data, ("region", "rating", "kind", "overdue"))
    if p.get("rating") not in (*Rating.values, "unrated"):
        p.pop("rating", None)
    if p.get("kind") not in RentalKind.values:
        p.pop("kind", None)
    if p.get("overdue") != "1":
        p.pop("overdue", None)
    return p


def _mask_q(q: str) -> str:
    """The persons search (an exact ID number or phone) as audit rows may hold it."""
    return pii.mask_id_number(q) if len(q) > 11 else pii.mask_phone(q)


def audit_filters(params: dict[str, str]) -> dict[str, str]:
    return {k: _mask_q(v) if k == "q" else v for k, v in params.items()}


def _queryset(request: HttpRequest, kind: str, params: dict[str, str]) -> Any:
    """The list's rows for the viewer (scope and clearance); bad filters → Invalid."""
    actor = actor_of(request)
    if kind == PERSONS:
        return rsel.person_list(
            actor=actor,
            region=params.get("region") or None,
            grid=params.get("grid") or None,
            kind=params.get("kind") or None,
            status=params.get("status") or None,
            q=params.get("q", ""),
        )
    region = region_param(params.get("region"))
    return psel.rental_list(
        actor=actor,
        region=region.pk if region else None,
        rating=params.get("rating") or None,
        kind=params.get("kind") or None,
        overdue=params.get("overdue") == "1",
    )


def person_row(p: Any) -> list[Any]:
    d = rsel.person_dict(p)  # masked
    return [
        d["id"],
        d["name"],
        d["id_number"],
        d["sex_label"],
        d["birth_date"],
        d["phone"],
        d["kind_label"],
        d["household_number"],
        d["relation"],
        d["address"],
        d["region_name"],
        d["status_label"],
    ]


def rental_row(h: Any) -> list[Any]:
    d = psel.rental_dict(h)  # masked
    landlord = d["landlord"] or {}
    return [
        d["id"],
        d["address"],
        d["region_name"],
        landlord.get("name", ""),
        landlord.get("phone", ""),
        d["rooms"],
        d["kind_label"],
        d["status_label"],
        d["rating_label"],
        d["registered_on"],
        d["last_check_on"],
        d["next_check_due"],
        _("是") if d["overdue"] else "",
    ]


def workbook(kind: str, rows: Any) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _(TITLES[kind])
    headers = PERSON_HEADERS if kind == PERSONS else RENTAL_HEADERS
    ws.append(safe_row(_(h) for h in headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    row_of = person_row if kind == PERSONS else rental_row
    for obj in rows:
        ws.append(safe_row(row_of(obj)))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _export(
    request: HttpRequest,
    kind: str,
    params: dict[str, str],
    *,
    approval: ExportRequest | None,
) -> HttpResponseBase:
    """The .xlsx answer; its rows counted in the user's rolling window first
    (ExportNeedsApproval without an approval above the threshold, nothing written)."""
    qs = _queryset(request, kind, params)
    count = min(qs.count(), MAX_ROWS)
    detail: dict[str, Any] = {"kind": kind, "filters": audit_filters(params), "rows": count}
    if approval is not None:
        detail["approval"] = approval.pk
    with transaction.atomic():
        export_rows_claim(user=request.user, kind=kind, rows=count, approval=approval)
        audit.record(
            action="registry.export",
            actor=request.user,
            object_type=kind,
            request=request,
            detail=detail,
        )
    data = workbook(kind, qs[:MAX_ROWS])
    stamp = timezone.localdate().strftime("%Y%m%d")
    return xlsx_download(data, f"{_(TITLES[kind])}_{stamp}.xlsx", STEMS[kind])


def _view(request: HttpRequest, kind: str, params: dict[str, str]) -> HttpResponseBase:
    try:
        return _export(request, kind, params, approval=None)
    except Invalid as err:
        text = "；".join(err.fields.values()) if err.fields else err.message
        return HttpResponse(text, status=422, content_type="text/plain; charset=utf-8")
    except ExportNeedsApproval as need:
        ctx = {
            "count": need.count,
            "threshold": need.threshold,
            "recent": need.recent,
            "hours": export_window_hours(),
            "params": params,
            "format": kind,
        }
        return render(request, "web/exports/needs_approval.html", ctx, status=403)


@never_cache
@login_required
@require_http_methods(["GET"])
def registry_persons_export(request: HttpRequest) -> HttpResponseBase:
    """The filtered persons list as .xlsx (masked), or the page to ask for an approval."""
    return _view(request, PERSONS, person_params(request.GET))


@never_cache
@login_required
@require_http_methods(["GET"])
def registry_rentals_export(request: HttpRequest) -> HttpResponseBase:
    """The filtered rental houses list as .xlsx (masked), or the page to ask for one."""
    return _view(request, RENTALS, rental_params(request.GET))


def request_new(request: HttpRequest, kind: str) -> HttpResponse:
    """The needs-approval form's POST for a register export (`export.export_request_new`
    hands these kinds here): a request of the list's filters; the reason is the purpose."""
    posted = {k[2:]: v for k, v in request.POST.items() if k.startswith("f_")}
    params = person_params(posted) if kind == PERSONS else rental_params(posted)
    reason = request.POST.get("reason", "")
    try:
        count = min(_queryset(request, kind, params).count(), MAX_ROWS)
        stored = dict(params)
        if "q" in stored:  # an ID number or phone: sealed at rest and shown masked
            stored["person_q"] = stored.pop("q")
        export_request_create(
            user=request.user,
            kind=kind,
            filters=stored,
            row_count=count,
            reason=reason,
            request=request,
        )
    except Invalid as err:
        ctx = {
            "count": 0,
            "threshold": settings.PINGAN_EXPORT_APPROVAL_ROWS,
            "params": params,
            "errors": err.fields,
            "format": kind,
            "reason": reason,
        }
        return render(request, "web/exports/needs_approval.html", ctx, status=422)
    messages.success(request, _("导出申请已提交，等待审批"))
    return redirect("export_requests")


def approved_download(request: HttpRequest, row: ExportRequest) -> HttpResponseBase:
    """The one download of an approved (and just used) register export request."""
    params = row.plain_filters()
    if "person_q" in params:
        params["q"] = params.pop("person_q")
    try:
        return _export(request, row.kind, params, approval=row)
    except Invalid as err:
        return HttpResponse(err.message, status=422, content_type="text/plain; charset=utf-8")
