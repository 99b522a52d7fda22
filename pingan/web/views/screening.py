"""The screening pages (docs/screening.md, "Pages"): the rounds with the actor's own
pending reports first (未报 highlighted), a round's page with its summary (排查汇总), the
units' reports and the report form, the disposition of an item, and the summary as .xlsx.
Reads through `screening.selectors`, writes through `screening.services`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from pingan.access.actor import Actor, actor_of
from pingan.core.downloads import xlsx_response
from pingan.core.errors import DomainError, Invalid, NotFound
from pingan.mediation.choices import DisputeKind
from pingan.screening import selectors
from pingan.screening.choices import (
    Disposition,
    ItemKind,
    RiskLevel,
    RoundStatus,
    UnitLevel,
)
from pingan.screening.exports import summary_xlsx
from pingan.screening.models import ScreeningReport, ScreeningRound
from pingan.screening.periods import today
from pingan.screening.permissions import access_round, can_dispose, reporting_units
from pingan.screening.services import item_dispose, report_submit

BLANK_ROWS = 3
ITEM_FIELDS = ("id", "kind", "summary", "parties_count", "place", "risk_level")
PAGE_SIZE = 50


def _round_or_404(actor: Actor, round_id: int) -> ScreeningRound:
    try:
        return access_round(actor, round_id)
    except NotFound:
        raise Http404(_("排查轮次不存在")) from None


@login_required
@require_http_methods(["GET"])
def screening_rounds(request: HttpRequest) -> HttpResponse:
    """The rounds the actor sees, newest first; their own units' pending reports first."""
    actor = actor_of(request)
    level = request.GET.get("level") or None
    status = request.GET.get("status") or None
    try:
        rounds = list(selectors.round_list(actor, level=level, status=status)[:PAGE_SIZE])
        error = ""
    except Invalid as e:
        rounds, error = [], e.message
    pending = selectors.my_pending(actor)
    day = today()
    ctx = {
        "nav_active": "screening",
        "rounds": rounds,
        "pending": [{"report": p, "missing": day > p.round.due_on} for p in pending],
        "levels": UnitLevel.choices,
        "statuses": RoundStatus.choices,
        "level": level or "",
        "status": status or "",
        "error": error,
        "today": day,
    }
    return render(request, "web/screening/rounds.html", ctx)


def _blank_row() -> dict[str, Any]:
    return {
        "id": "",
        "kind": "",
        "summary": "",
        "parties_count": "",
        "place": "",
        "risk_level": "",
        "errors": {},
    }


def _rows_of(report: ScreeningReport | None) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    if report is not None:
        for i in report.items.all():
            if i.disposition != Disposition.PENDING:
                continue  # disposed items stay as they are: shown, not edited
            rows.append(
                {
                    "id": str(i.pk),
                    "kind": i.kind,
                    "summary": i.summary,
                    "parties_count": str(i.parties_count),
                    "place": i.place,
                    "risk_level": i.risk_level,
                    "errors": {},
                }
            )
    return rows + [_blank_row() for _ in range(BLANK_ROWS)]


def _posted_rows(post: Any) -> list[dict[str, Any]]:
    try:
        count = min(int(post.get("rows", "0")), 200)
    except ValueError:
        count = 0
    rows = []
    for n in range(count):
        row = {f: post.get(f"item-{n}-{f}", "").strip() for f in ITEM_FIELDS}
        row["errors"] = {}
        rows.append(row)
    return rows


def _kept(
    rows: list[dict[str, Any]], disposed: list[int]
) -> tuple[list[dict[str, Any]], list[int]]:
    """The items to send (rows with a summary, and the disposed items that stay) and, for
    each, the form row it came from (-1: a disposed item)."""
    items: list[dict[str, Any]] = [{"id": pk} for pk in disposed]
    where = [-1] * len(disposed)
    for n, row in enumerate(rows):
        if not row["summary"] and not row["kind"] and not row["place"]:
            continue
        items.append(
            {
                "id": row["id"] or None,
                "kind": row["kind"],
                "summary": row["summary"],
                "parties_count": row["parties_count"] or 0,
                "place": row["place"],
                "risk_level": row["risk_level"],
            }
        )
        where.append(n)
    return items, where


def _place_errors(e: Invalid, rows: list[dict[str, Any]], where: list[int]) -> dict[str, str]:
    """Put `items[i].field` errors on their form rows; the other fields' errors back."""
    rest: dict[str, str] = {}
    for key, reason in e.fields.items():
        if key.startswith("items[") and "]." in key:
            index, field = key[6:].split("].", 1)
            n = where[int(index)] if index.isdigit() and int(index) < len(where) else -1
            if n >= 0:
                rows[n]["errors"][field] = reason
                continue
        rest[key] = reason
    return rest


@login_required
@require_http_methods(["GET", "POST"])
def screening_round(request: HttpRequest, screening_round_id: int) -> HttpResponse:
    """A round: the summary, the missing units, the reports, and the report form of the
    actor's units (POST submits it: none found, or the items)."""
    actor = actor_of(request)
    found = _round_or_404(actor, screening_round_id)
    units = reporting_units(actor)
    form_unit: int | None = None
    form_rows: list[dict[str, Any]] | None = None
    form_values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    message = ""
    status = 200
    if request.method == "POST":
        post = request.POST
        unit = post.get("unit", "")
        form_unit = int(unit) if unit.isdigit() else None
        none_found = post.get("none_found") == "1"
        form_rows = _posted_rows(post)
        form_values = {"none_found": none_found, "note": post.get("note", "")}
        mine = next(
            (r for r in selectors.round_reports(actor, found) if r.unit_id == form_unit), None
        )
        disposed = (
            [i.pk for i in mine.items.all() if i.disposition != Disposition.PENDING]
            if mine is not None
            else []
        )
        items, where = _kept(form_rows, disposed)
        try:
            report_submit(
                actor=actor,
                round_id=found.pk,
                none_found=none_found,
                items=[] if none_found else items,
                unit=form_unit,
                note=form_values["note"],
            )
        except DomainError as e:
            if isinstance(e, Invalid):
                errors = _place_errors(e, form_rows, where)
                message = "" if errors else _("请按提示修改后再提交")
            else:
                message = e.message
            status = e.status
        else:
            messages.success(request, _("排查报告已报送"))
            return redirect("screening_round", screening_round_id=found.pk)
    reports = selectors.round_reports(actor, found)
    figures = selectors.summary(actor, found, reports)
    forms = []
    if found.status == RoundStatus.OPEN:
        for r in reports:
            if r.unit_id not in units:
                continue
            posted = form_rows is not None and r.unit_id == form_unit
            forms.append(
                {
                    "report": r,
                    "rows": form_rows if posted else _rows_of(r),
                    "none_found": form_values["none_found"] if posted else r.none_found,
                    "note": form_values["note"] if posted else r.note,
                    "errors": errors if posted else {},
                    "message": message if posted else "",
                }
            )
    if message and not forms:
        messages.error(request, message)
    ctx = {
        "nav_active": "screening",
        "round": found,
        "figures": figures,
        "reports": [
            {
                "report": r,
                "mine": r.unit_id in units,
                "missing": figures["past_due"] and r.status == "pending",
                "may_dispose": can_dispose(actor, r),
            }
            for r in reports
        ],
        "forms": forms,
        "kinds": ItemKind.choices,
        "risk_levels": RiskLevel.choices,
        "dispute_kinds": DisputeKind.choices,
        "categories": selectors.event_categories()
        if any(can_dispose(actor, r) for r in reports)
        else [],
    }
    return render(request, "web/screening/round.html", ctx, status=status)


@login_required
@require_http_methods(["GET"])
def screening_round_export(request: HttpRequest, screening_round_id: int) -> HttpResponse:
    """The round's summary, its units per town, the missing units and the items (.xlsx)."""
    actor = actor_of(request)
    found = _round_or_404(actor, screening_round_id)
    reports = selectors.round_reports(actor, found)
    figures = selectors.summary(actor, found, reports)
    data = summary_xlsx(found, figures, reports)
    return xlsx_response(data, f"screening-{found.level}-{found.period_start:%Y%m%d}")


@login_required
@require_http_methods(["POST"])
def screening_item_dispose(request: HttpRequest, screening_item_id: int) -> HttpResponse:
    """An item's disposition from the round page: an event, a mediation case, or already
    being handled; back to the round with what happened."""
    actor = actor_of(request)
    post = request.POST
    parties = []
    for role in ("applicant", "respondent"):
        name = post.get(f"{role}_name", "").strip()
        if name:
            parties.append({"role": role, "name": name})
    payload = {
        "category": post.get("category") or None,
        "parties": parties,
        "dispute_kind": post.get("dispute_kind") or None,
        "note": post.get("note", ""),
        "event": post.get("event") or None,
        "case": post.get("case") or None,
    }
    round_id = post.get("round", "")
    try:
        item = item_dispose(
            actor=actor,
            item_id=screening_item_id,
            disposition=post.get("disposition", ""),
            payload=payload,
        )
    except NotFound:
        raise Http404(_("排查事项不存在")) from None
    except DomainError as e:
        if e.status == 403:
            return HttpResponse(e.message, status=403, content_type="text/plain; charset=utf-8")
        messages.error(request, e.message)
        if round_id.isdigit():
            return redirect(
                reverse("screening_round", args=[int(round_id)]) + f"#item-{screening_item_id}"
            )
        return redirect("screening_rounds")
    messages.success(request, _("已处置：%(how)s") % {"how": item.get_disposition_display()})
    return redirect(reverse("screening_round", args=[item.report.round_id]) + f"#item-{item.pk}")
