"""The Open311 GeoReport v2 server at /open311/v2/ (docs/channels.md).

Every resource answers in JSON or XML by its suffix. Errors are the spec's list of
{code, description}: 403 for a missing or wrong api_key, 404 for what does not exist,
400 for everything else.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from pingan.access.actor import acting
from pingan.core import clock, params, pii
from pingan.core.errors import DomainError, Invalid, NotFound
from pingan.events.choices import Status
from pingan.events.models import OPEN_STATUSES, Category
from pingan.intake.choices import Channel
from pingan.intake.services import integration_for_key
from pingan.open311 import selectors
from pingan.open311.models import Open311Request
from pingan.open311.render import error, respond
from pingan.open311.services import open311_request_create

SPEC_URL = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-29T00:00:00+08:00"


# ---- discovery and services -----------------------------------------------------------


@require_GET
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    url = request.build_absolute_uri(reverse("open311:root"))
    data = {
        "changeset": CHANGESET,
        "contact": _("平安基层社会治理平台管理员"),
        "key_service": _(
            "向平台管理员申请 Open311 api_key（manage.py channel_setup open311 --key）"
        ),
        "endpoints": [
            {
                "specification": SPEC_URL,
                "url": url.rstrip("/"),
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return respond(fmt, "discovery", data)


def _service(cat: Category) -> dict[str, Any]:
    return {
        "service_code": cat.code,
        "service_name": cat.name,
        "description": f"{cat.parent.name} / {cat.name}" if cat.parent else cat.name,
        "metadata": bool(selectors.attribute_specs(cat)),
        "type": "realtime",
        "keywords": ",".join(x for x in (cat.name, cat.parent.name if cat.parent else "") if x),
        "group": cat.parent.name if cat.parent else cat.name,
    }


@require_GET
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    return respond(fmt, "services", [_service(c) for c in selectors.services()])


DATATYPES = {
    "text": "string",
    "number": "number",
    "choice": "singlevaluelist",
    "bool": "singlevaluelist",
}


def _attribute(spec: dict[str, Any], order: int) -> dict[str, Any]:
    kind = spec.get("type", "text")
    row: dict[str, Any] = {
        "variable": True,
        "code": spec["name"],
        "datatype": DATATYPES.get(kind, "string"),
        "required": bool(spec.get("required")),
        "datatype_description": "",
        "order": order,
        "description": spec.get("label", spec["name"]),
    }
    if kind == "choice":
        row["values"] = [{"key": str(v), "name": str(v)} for v in spec.get("choices", [])]
    elif kind == "bool":
        row["values"] = [{"key": "true", "name": _("是")}, {"key": "false", "name": _("否")}]
    return row


@require_GET
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    cat = selectors.service(code)
    if cat is None:
        return error(fmt, 404, _("service_code %(c)s 不存在") % {"c": code})
    specs = selectors.attribute_specs(cat)
    data = {
        "service_code": cat.code,
        "attributes": [_attribute(s, i) for i, s in enumerate(specs, start=1)],
    }
    return respond(fmt, "service_definition", data)


# ---- requests ----------------------------------------------------------------------------


def _request(row: Open311Request, extensions: bool) -> dict[str, Any]:
    event = row.event
    closed = event.status not in OPEN_STATUSES
    data: dict[str, Any] = {
        "service_request_id": event.code,
        "status": "closed" if closed else "open",
        # Only the public reply, masked again on the way out; never an internal note.
        "status_notes": pii.mask_in_text(getattr(row, "public_reply", None) or ""),
        "service_name": event.category.name,
        "service_code": row.service_code,
        "description": event.description,
        "agency_responsible": event.lead_department.name if event.lead_department else "",
        "service_notice": "",
        "requested_datetime": selectors.w3(event.reported_at),
        "updated_datetime": selectors.w3(
            event.closed_at if closed and event.closed_at else event.updated_at
        ),
        "expected_datetime": selectors.w3(event.due_at),
        "address": pii.mask_address(event.address),  # public: masked like everywhere
        "address_id": row.address_id,
        "lat": selectors.public_coordinate(event.lat),  # about 100 m; full inside
        "long": selectors.public_coordinate(event.lng),
        "media_url": row.media_url,
    }
    data = {k: v for k, v in data.items() if v is not None}
    if extensions:
        data["extended_attributes"] = {
            "pingan_status": event.status,
            "pingan_status_label": str(Status(event.status).label),
            "lead_department": event.lead_department.name if event.lead_department else "",
            "event_code": event.code,
        }
    return data


def _parse_time(request: HttpRequest, name: str) -> dt.datetime | None:
    """A W3C time with its offset, within the days the platform takes
    (pingan.core.params); anything else → ValueError naming the parameter."""
    try:
        value = params.parse_datetime((request.GET.get(name) or "").replace(" ", "+"), name)
    except Invalid:
        raise ValueError(name) from None
    if value is not None and value.tzinfo is None:
        raise ValueError(name)
    return value


def _list(values: str) -> list[str]:
    return [v.strip() for v in (values or "").split(",") if v.strip()]


def _requests_get(request: HttpRequest, fmt: str) -> HttpResponse:
    extensions = request.GET.get("extensions", "").lower() == "true"
    ids = _list(request.GET.get("service_request_id", ""))
    if ids:
        rows = selectors.requests_by_ids(ids)
    else:
        statuses = _list(request.GET.get("status", ""))
        if any(s not in ("open", "closed") for s in statuses):
            return error(fmt, 400, _("status 只能为 open 或 closed"))
        try:
            start = _parse_time(request, "start_date")
            end = _parse_time(request, "end_date")
        except ValueError as exc:
            return error(
                fmt,
                400,
                _("%(f)s 应为带时区的 W3C 时间，如 2026-01-01T00:00:00+08:00") % {"f": exc},
            )
        if start and end:
            if end < start:
                return error(fmt, 400, _("end_date 不能早于 start_date"))
            if end - start > selectors.DEFAULT_SPAN:
                return error(fmt, 400, _("start_date 与 end_date 相隔不能超过90天"))
        rows = selectors.requests_search(
            service_codes=_list(request.GET.get("service_code", "")),
            statuses=statuses,
            start=start,
            end=end,
            now=clock.now(),
        )
    return respond(fmt, "service_requests", [_request(r, extensions) for r in rows])


def _requests_post(request: HttpRequest, fmt: str) -> HttpResponse:
    integration = integration_for_key(
        key=request.POST.get("api_key", ""), channels=(Channel.OPEN311,)
    )
    if integration is None:
        return error(fmt, 403, _("api_key 缺失或无效，不能提交诉求"))
    attributes: dict[str, Any] = {}
    for key in request.POST:
        if key.startswith("attribute[") and key.endswith("]"):
            values = request.POST.getlist(key)
            attributes[key[len("attribute[") : -1]] = values[0] if len(values) == 1 else values
    data = {k: request.POST.get(k, "") for k in request.POST if not k.startswith("attribute[")}
    try:
        row = open311_request_create(
            actor=acting(integration.acting_user, request),
            integration=integration,
            data=data,
            attributes=attributes,
        )
    except NotFound as exc:
        return error(fmt, 404, exc.message)
    except DomainError as exc:
        return error(fmt, 400, exc.message)
    body = [
        {
            "service_request_id": row.event.code,
            "token": row.token,
            "service_notice": _("已受理登记，可凭编号查询办理进度"),
        }
    ]
    return respond(fmt, "service_requests", body)


@csrf_exempt
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "GET":
        return _requests_get(request, fmt)
    if request.method == "POST":
        return _requests_post(request, fmt)
    return error(fmt, 405, _("不支持的请求方法"))


@require_GET
def request_detail(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    rows = selectors.requests_by_ids([request_id])
    if not rows:
        return error(fmt, 404, _("service_request_id %(i)s 不存在") % {"i": request_id})
    extensions = request.GET.get("extensions", "").lower() == "true"
    return respond(fmt, "service_requests", [_request(rows[0], extensions)])


@require_GET
def token(request: HttpRequest, token_id: str, fmt: str) -> HttpResponse:
    row = selectors.request_by_token(token_id)
    if row is None:
        return error(fmt, 404, _("token %(t)s 不存在") % {"t": token_id})
    return respond(
        fmt, "service_requests", [{"service_request_id": row.event.code, "token": row.token}]
    )


def root(request: HttpRequest) -> HttpResponse:
    return discovery(request, "json")
