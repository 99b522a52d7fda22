"""The generic action form of any case kind: `/cases/<kind>/<id>/<action>/`.

A kind gets it with no code of its own: the rows the actor may fire now
(`cases.service.allowed`), a form asking for each required field as the kind's
`form_field` says (plus the public reply where the row takes one), and the transition
through the engine. A refused or invalid action re-shows the form with the reason, in
Chinese, and changes nothing. The event's page has richer forms of its own
(web/views/event.py) on the same engine.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from pingan.access.actor import Actor, actor_of
from pingan.cases.kind import CaseKind, FormField, get_kind
from pingan.cases.service import allowed, transition
from pingan.cases.table import Transition
from pingan.core.errors import DomainError, Invalid, NotFound


def _kind(name: str) -> CaseKind[Any]:
    try:
        return get_kind(name)
    except LookupError:
        raise Http404(_("页面不存在")) from None


def _fields(kind: CaseKind[Any], rows: list[Transition]) -> list[FormField]:
    names: list[str] = []
    for row in rows:
        names += [n for n in row.requires if n not in names]
    if "note" not in names:
        names.append("note")  # every action may carry an internal note
    return [kind.form_field(n) for n in names]


def _payload(
    request: HttpRequest, fields: list[FormField], rows: list[Transition]
) -> dict[str, Any]:
    post = request.POST
    payload: dict[str, Any] = {}
    for f in fields:
        if f.name not in post:
            continue
        raw = post.get(f.name, "")
        payload[f.name] = (
            {"true": True, "false": False}.get(raw, raw) if f.widget == "yes_no" else raw
        )
    if any(r.public_reply for r in rows) and "public_reply" in post:
        payload["public_reply"] = post.get("public_reply", "")
    return payload


def _context(
    kind: CaseKind[Any],
    case: Any,
    action: str,
    rows: list[Transition],
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    message: str = "",
) -> dict[str, Any]:
    wf = kind.workflow
    values = values or {}
    errors = errors or {}
    return {
        "kind": kind,
        "case": case,
        "action": action,
        "label": wf.action_label(action) if action in wf.chosen_variants else rows[0].display_label,
        "fields": [
            {
                "name": f.name,
                "label": f.label,
                "widget": f.widget,
                "choices": f.choices,
                "value": values.get(f.name, ""),
                "error": errors.get(f.name, ""),
            }
            for f in _fields(kind, rows)
        ],
        "public_reply_value": values.get("public_reply", ""),
        "public_reply": any(r.public_reply for r in rows),
        "state_label": wf.state_label(kind.state(case)),
        "back": kind.page_url(case),
        "errors": errors,
        "message": message,
    }


@login_required
@require_http_methods(["GET", "POST"])
def case_action(request: HttpRequest, kind_name: str, case_id: int, action: str) -> HttpResponse:
    kind = _kind(kind_name)
    actor: Actor = actor_of(request)
    try:
        case = kind.get(actor, case_id)
    except NotFound:
        raise Http404(_("记录不存在")) from None
    rows = [r for r in allowed(kind, actor, case) if r.action == action]
    if not rows:
        rows = kind.workflow.rows_for(action)
        if not rows:
            raise Http404(_("页面不存在"))
        ctx = _context(kind, case, action, rows, message=_("您当前不能执行此操作"))
        return render(request, "web/cases/action.html", ctx, status=403)
    if request.method == "GET":
        return render(request, "web/cases/action.html", _context(kind, case, action, rows))
    fields = _fields(kind, rows)
    payload = _payload(request, fields, rows)
    try:
        case = transition(kind, actor=actor, case_id=case.pk, action=action, payload=payload)
    except DomainError as e:
        errors = dict(e.fields) if isinstance(e, Invalid) else {}
        ctx = _context(
            kind,
            kind.get(actor, case_id),
            action,
            rows,
            values=dict(request.POST.items()),
            errors=errors,
            message="" if errors else e.message,
        )
        return render(request, "web/cases/action.html", ctx, status=e.status)
    back = kind.page_url(case) or request.path
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = back
        return response
    return redirect(back)
