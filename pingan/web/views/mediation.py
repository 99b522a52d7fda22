"""The mediation pages (docs/mediation.md, "Pages"): the mediator's workbench, the case
page with its buttons, the registration form, the committee register, and 转调解 from an
event. Reads go through `mediation.selectors` / `mediation.queries`, writes through
`mediation.services`; buttons come from the case engine (`cases.service.allowed`)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from pingan.access.actor import Actor, actor_of
from pingan.cases.service import allowed, buttons
from pingan.core import clock
from pingan.core.errors import DomainError, Forbidden, Invalid, NotFound
from pingan.events.models import Event
from pingan.events.selectors import event_detail
from pingan.events.services import allowed_actions
from pingan.mediation import documents, queries
from pingan.mediation.choices import (
    Channel,
    DisputeKind,
    PartyKind,
    PartyRole,
    Performance,
    Referral,
)
from pingan.mediation.documents_service import document_unavailable, documents_of
from pingan.mediation.kind import MEDIATION
from pingan.mediation.models import DocumentKind, MediationCase
from pingan.mediation.permissions import can_unmask
from pingan.mediation.selectors import case_detail, mediator_dict, party_dict
from pingan.mediation.services import (
    MAX_PARTIES,
    mediation_case_create,
    mediation_case_from_event,
    mediation_parties_reveal,
    mediation_transition,
)
from pingan.org.choices import Role

# Who has the mediation pages (the workbench, the register): the header's 「调解」.
MEDIATION_ROLES = frozenset({Role.MEDIATOR, Role.DISPATCHER, Role.LEADER})
# Actions with a form of their own here (pickers, dates, choices the generic form lacks);
# the others go to the generic action form /cases/mediation/<id>/<action>/.
FORM_ACTIONS: dict[str, tuple[str, ...]] = {
    "assign": ("committee", "mediator", "note"),
    "escalate": ("committee", "mediator", "note"),
    "refer": ("committee", "mediator", "note"),
    "session": ("at", "place", "attendees", "record"),
    "succeed": ("terms", "performance", "performance_due", "note"),
    "fail": ("note", "referral", "public_reply"),
}
PARTY_FIELDS = ("role", "kind", "name", "id_number", "phone", "address")
_PARTY_KEY = re.compile(r"^parties-(\d+)-(\w+)$")
_PARTY_ERROR = re.compile(r"^parties\[(\d+)\]\.(\w+)$")


def _mediation_roles(actor: Actor) -> None:
    if not actor.roles & MEDIATION_ROLES:
        raise Forbidden(_("当前角色不能使用调解功能"))


def _forbidden(message: str) -> HttpResponse:
    return HttpResponse(message, status=403, content_type="text/plain; charset=utf-8")


# ---- the workbench ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def mediation_workbench(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    try:
        _mediation_roles(actor)
    except Forbidden as e:
        return _forbidden(e.message)
    bench = queries.workbench(actor=actor)
    now = clock.now()
    for case in (*bench.mine, *bench.overdue, *bench.waiting):
        case.light = queries.deadline_state(case, now)  # type: ignore[attr-defined]
    return render(
        request,
        "web/mediation/workbench.html",
        {
            "nav_active": "mediation",
            "bench": bench,
            "may_register": bool(actor.roles & {Role.DISPATCHER, Role.MEDIATOR}),
        },
    )


# ---- the case page ------------------------------------------------------------------------


def _load(actor: Actor, case_id: int) -> MediationCase:
    try:
        return case_detail(actor=actor, case_id=case_id)
    except NotFound:
        raise Http404(_("调解案件不存在")) from None


def _button_url(case: MediationCase, action: str) -> str:
    if action in FORM_ACTIONS:
        return reverse("mediation_action", args=[case.pk, action])
    return reverse("case_action", args=[MEDIATION.name, case.pk, action])


def _timeline(case: MediationCase) -> list[dict[str, Any]]:
    wf = MEDIATION.workflow
    rows = []
    for t in case.timeline.select_related("actor").order_by("at", "id"):
        rows.append(
            {
                "at": t.at,
                "action": t.action,
                "label": wf.action_label(t.action),
                "actor": t.actor.display_name if t.actor else _("系统"),
                "role": str(Role(t.actor_role).label) if t.actor_role in Role.values else "",
                "from_label": wf.state_label(t.from_status) if t.from_status else "",
                "to_label": wf.state_label(t.to_status) if t.to_status else "",
                "note": t.note,
                "public_reply": t.public_reply,
            }
        )
    return rows


@login_required
@require_http_methods(["GET"])
def mediation_case(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case page; the same 404 for a missing case and one out of scope."""
    actor = actor_of(request)
    case = _load(actor, case_id)
    rows = allowed(MEDIATION, actor, case)
    actions = [{**b, "url": _button_url(case, b["action"])} for b in buttons(MEDIATION, rows)]
    ctx = {
        "nav_active": "mediation",
        "case": case,
        "light": queries.deadline_state(case),
        "parties": [party_dict(p) for p in case.parties.order_by("role", "id")],
        "may_unmask": can_unmask(actor, case),
        "mediator": mediator_dict(case.mediator) if case.mediator else None,
        "sessions": list(case.sessions.order_by("at", "id")),
        "timeline": _timeline(case),
        "actions": actions,
        "documents": _documents(actor, case),
    }
    return render(request, "web/mediation/case.html", ctx)


def _documents(actor: Actor, case: MediationCase) -> dict[str, Any]:
    """The 文书 block: per document, whether it can be made now (or why not), the links that
    generate it as .docx or PDF (through the API: stored with the case, audited), the
    newest stored copy; and the signed scans. The links only for those who may reveal the
    parties (the documents carry their full personal data)."""
    stored = documents_of(case)  # the case is the page's, already in scope
    base = f"/api/v1/mediation/cases/{case.pk}/documents"
    rows = []
    for kind in documents.KINDS:
        latest = next((d for d in stored if d.kind == kind), None)
        rows.append(
            {
                "kind": kind,
                "title": documents.TITLES[kind],
                "reason": document_unavailable(case, kind),
                "docx": f"{base}/{kind}?format=docx",
                "pdf": f"{base}/{kind}?format=pdf",
                "latest": latest,
                "latest_url": f"{base}/files/{latest.pk}" if latest else "",
            }
        )
    scans = [
        {"doc": d, "url": f"{base}/files/{d.pk}"} for d in stored if d.kind == DocumentKind.SCAN
    ]
    return {"rows": rows, "scans": scans, "may_open": can_unmask(actor, case)}


@never_cache  # personal data in full: never kept by a browser or a proxy
@login_required
@require_http_methods(["POST"])
def mediation_parties(request: HttpRequest, case_id: int) -> HttpResponse:
    """「查看完整信息」: the parties in full (audited pii.unmask); 403 for a role that may
    not reveal, 404 out of scope."""
    actor = actor_of(request)
    try:
        people = mediation_parties_reveal(actor=actor, case_id=case_id)
    except NotFound:
        raise Http404(_("调解案件不存在")) from None
    except Forbidden as e:
        return _forbidden(e.message)
    case = _load(actor, case_id)
    ctx = {
        "case": case,
        "parties": [party_dict(p, reveal=True) for p in people],
        "revealed": True,
        "may_unmask": False,
    }
    return render(request, "web/mediation/includes/parties.html", ctx)


# ---- the action forms ---------------------------------------------------------------------


def _action_context(
    actor: Actor,
    case: MediationCase,
    action: str,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    message: str = "",
) -> dict[str, Any]:
    committees = queries.committees_for_case(actor=actor, case=case)
    values = values or {}
    if action == "assign" and "committee" not in values and case.committee_id:
        values = {**values, "committee": str(case.committee_id)}
    return {
        "nav_active": "mediation",
        "case": case,
        "action": action,
        "label": MEDIATION.workflow.action_label(action),
        "fields": FORM_ACTIONS[action],
        "committees": committees,
        "mediators": queries.active_mediators(committees),
        "performances": Performance.choices,
        "referrals": Referral.choices,
        "values": values,
        "errors": errors or {},
        "message": message,
        "state_label": MEDIATION.workflow.state_label(case.status),
    }


@login_required
@require_http_methods(["GET", "POST"])
def mediation_action(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    """The forms the generic one cannot draw: 指派 / 提级 / 转交 with committee and mediator
    pickers, 调解记录 with time and place, 调解成功 with terms and performance, 调解不成 with
    the guidance. 403 when the actor may not fire the action now; nothing written on an
    error (the form again, with the reason in Chinese)."""
    if action not in FORM_ACTIONS:
        raise Http404(_("页面不存在"))
    actor = actor_of(request)
    case = _load(actor, case_id)
    if not any(r.action == action for r in allowed(MEDIATION, actor, case)):
        ctx = _action_context(actor, case, action, message=_("您当前不能执行此操作"))
        return render(request, "web/mediation/action.html", ctx, status=403)
    if request.method == "GET":
        return render(request, "web/mediation/action.html", _action_context(actor, case, action))
    payload = {
        name: request.POST.get(name, "").strip()
        for name in FORM_ACTIONS[action]
        if name in request.POST
    }
    try:
        case = mediation_transition(actor=actor, case_id=case.pk, action=action, payload=payload)
    except DomainError as e:
        errors = dict(e.fields) if isinstance(e, Invalid) else {}
        stray = [reason for name, reason in errors.items() if name not in FORM_ACTIONS[action]]
        ctx = _action_context(
            actor,
            _load(actor, case_id),
            action,
            values=payload,
            errors=errors,
            message="；".join(stray) if stray or not errors else "",
        )
        if not errors:
            ctx["message"] = e.message
        return render(request, "web/mediation/action.html", ctx, status=e.status)
    return redirect("mediation_case", case_id=case.pk)


# ---- parties on a form ------------------------------------------------------------------------


def _blank_party(role: str) -> dict[str, str]:
    return {"role": role, "kind": PartyKind.PERSON, "name": "", "id_number": "", "phone": ""}


def _party_rows(post: Any) -> list[dict[str, str]]:
    """The rows of the form (parties-<i>-<field>), in their order; an "add" adds one."""
    rows: dict[int, dict[str, str]] = {}
    for key in post:
        m = _PARTY_KEY.match(key)
        if m and m.group(2) in PARTY_FIELDS and int(m.group(1)) < MAX_PARTIES * 2:
            rows.setdefault(int(m.group(1)), {})[m.group(2)] = post.get(key, "").strip()
    out = [rows[i] for i in sorted(rows)]
    if "add_party" in post and len(out) < MAX_PARTIES:
        out.append(_blank_party(post.get("add_party") or PartyRole.RESPONDENT))
    return out


def _filled(rows: list[dict[str, str]]) -> tuple[list[dict[str, str]], list[int]]:
    """The rows with something typed in, and each one's row number on the form."""
    kept, where = [], []
    for i, row in enumerate(rows):
        if any(row.get(f) for f in ("name", "id_number", "phone", "address")):
            kept.append(row)
            where.append(i)
    return kept, where


def _form_errors(e: Invalid, where: list[int]) -> tuple[dict[str, str], dict[int, dict[str, str]]]:
    """The error's fields: those of the form, and those of the party rows by row number."""
    fields: dict[str, str] = {}
    parties: dict[int, dict[str, str]] = {}
    for name, reason in e.fields.items():
        m = _PARTY_ERROR.match(name)
        if m and int(m.group(1)) < len(where):
            parties.setdefault(where[int(m.group(1))], {})[m.group(2)] = reason
        else:
            fields[name] = reason
    return fields, parties


def _rows_with_errors(
    rows: list[dict[str, str]], errors: dict[int, dict[str, str]]
) -> list[dict[str, Any]]:
    return [{**row, "errors": errors.get(i, {})} for i, row in enumerate(rows)]


def _party_choices() -> dict[str, Any]:
    return {"party_roles": PartyRole.choices, "party_kinds": PartyKind.choices}


# ---- registration -------------------------------------------------------------------------


REGISTER_FIELDS = ("summary", "region", "channel", "dispute_kind", "amount", "committee")


def _register_context(
    actor: Actor,
    values: dict[str, Any],
    rows: list[dict[str, Any]],
    errors: dict[str, str] | None = None,
    message: str = "",
) -> dict[str, Any]:
    return {
        "nav_active": "mediation",
        "values": values,
        "parties": rows,
        "errors": errors or {},
        "has_errors": bool(errors) or any(r.get("errors") for r in rows),
        "message": message,
        "regions": queries.registration_regions(actor=actor),
        "committees": queries.registration_committees(actor=actor),
        "channels": [c for c in Channel.choices if c[0] != Channel.EVENT],
        "dispute_kinds": DisputeKind.choices,
        **_party_choices(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def mediation_new(request: HttpRequest) -> HttpResponse:
    """登记调解案件 (walk-ins and channel cases). The hidden client_uuid makes a double
    submit create one case; errors come back per field, in Chinese."""
    actor = actor_of(request)
    if not actor.roles & {Role.DISPATCHER, Role.GRID_LEADER, Role.GRID_WORKER, Role.MEDIATOR}:
        return _forbidden(_("当前角色不能登记调解案件"))
    if request.method == "GET":
        values = {"client_uuid": str(uuid.uuid4()), "channel": Channel.WALK_IN}
        rows = [_blank_party(PartyRole.APPLICANT), _blank_party(PartyRole.RESPONDENT)]
        ctx = _register_context(actor, values, _rows_with_errors(rows, {}))
        return render(request, "web/mediation/new.html", ctx)
    post = request.POST
    values = {name: post.get(name, "").strip() for name in (*REGISTER_FIELDS, "client_uuid")}
    rows = _party_rows(post)
    if "add_party" in post:
        ctx = _register_context(actor, values, _rows_with_errors(rows, {}))
        return render(request, "web/mediation/new.html", ctx)
    kept, where = _filled(rows)
    try:
        case, _created = mediation_case_create(
            actor=actor,
            summary=values["summary"],
            region=int(values["region"]) if values["region"].isdigit() else None,
            parties=kept,
            channel=values["channel"] or Channel.WALK_IN,
            dispute_kind=values["dispute_kind"] or DisputeKind.OTHER,
            amount=values["amount"] or None,
            committee=int(values["committee"]) if values["committee"].isdigit() else None,
            client_uuid=values["client_uuid"] or None,
        )
    except DomainError as e:
        fields, party_errors = _form_errors(e, where) if isinstance(e, Invalid) else ({}, {})
        ctx = _register_context(
            actor,
            values,
            _rows_with_errors(rows, party_errors),
            fields,
            "" if fields or party_errors else e.message,
        )
        return render(request, "web/mediation/new.html", ctx, status=e.status)
    return redirect("mediation_case", case_id=case.pk)


# ---- 转调解 from an event ---------------------------------------------------------------------


def _referable(actor: Actor, event_id: int) -> Event:
    """The event if the actor may hand it to mediation now (404 out of scope, 403 else)."""
    try:
        event = event_detail(user=actor, event_id=event_id)
    except NotFound:
        raise Http404(_("事件不存在")) from None
    if not event.category.is_dispute or not any(
        r.action == "refer_mediation" for r in allowed_actions(actor, event)
    ):
        raise Forbidden(_("该事件当前不能转调解"))
    return event


@login_required
@require_http_methods(["GET", "POST"])
def mediation_from_event(request: HttpRequest, event_id: int) -> HttpResponse:
    """转调解: the committee, the parties and the facts; the case is created with the
    event's timeline row (mediation.services.mediation_case_from_event)."""
    actor = actor_of(request)
    try:
        event = _referable(actor, event_id)
    except Forbidden as e:
        return _forbidden(e.message)
    committees = queries.committees_for_region(actor=actor, region=event.region)

    def page(values: dict[str, Any], rows: list[dict[str, Any]], **kw: Any) -> dict[str, Any]:
        return {
            "event": event,
            "values": values,
            "parties": rows,
            "committees": committees,
            "dispute_kinds": DisputeKind.choices,
            "errors": kw.get("errors") or {},
            "message": kw.get("message", ""),
            **_party_choices(),
        }

    if request.method == "GET":
        values = {"client_uuid": str(uuid.uuid4()), "summary": event.description}
        rows = [_blank_party(PartyRole.APPLICANT), _blank_party(PartyRole.RESPONDENT)]
        return render(
            request, "web/mediation/from_event.html", page(values, _rows_with_errors(rows, {}))
        )
    post = request.POST
    names = ("summary", "committee", "dispute_kind", "amount", "note", "client_uuid")
    values = {name: post.get(name, "").strip() for name in names}
    rows = _party_rows(post)
    if "add_party" in post:
        return render(
            request, "web/mediation/from_event.html", page(values, _rows_with_errors(rows, {}))
        )
    kept, where = _filled(rows)
    payload: dict[str, Any] = {k: v for k, v in values.items() if v}
    payload["parties"] = kept
    try:
        case, _created = mediation_case_from_event(actor=actor, event_id=event.pk, payload=payload)
    except DomainError as e:
        fields, party_errors = _form_errors(e, where) if isinstance(e, Invalid) else ({}, {})
        ctx = page(
            values,
            _rows_with_errors(rows, party_errors),
            errors=fields,
            message="" if fields or party_errors else e.message,
        )
        return render(request, "web/mediation/from_event.html", ctx, status=e.status)
    return redirect("mediation_case", case_id=case.pk)


# ---- the committee register ---------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def mediation_committees(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    try:
        _mediation_roles(actor)
    except Forbidden as e:
        return _forbidden(e.message)
    committees = list(queries.committee_register(actor=actor))
    return render(
        request,
        "web/mediation/committees.html",
        {"nav_active": "mediation", "committees": committees},
    )


@login_required
@require_http_methods(["GET"])
def mediation_committee(request: HttpRequest, committee_id: int) -> HttpResponse:
    actor = actor_of(request)
    try:
        _mediation_roles(actor)
        committee = queries.committee_detail(actor=actor, committee_id=committee_id)
    except Forbidden as e:
        return _forbidden(e.message)
    except NotFound:
        raise Http404(_("调委会不存在")) from None
    cases = list(queries.committee_cases(actor=actor, committee=committee)[:100])
    now = clock.now()
    for case in cases:
        case.light = queries.deadline_state(case, now)  # type: ignore[attr-defined]
    return render(
        request,
        "web/mediation/committee.html",
        {
            "nav_active": "mediation",
            "committee": committee,
            "mediators": [mediator_dict(m) for m in committee.mediators.all()],
            "cases": cases,
        },
    )
